/**
 * Time steps that always advance. Capture times are attacker-controlled: none at all (pcapng
 * Simple Packet Blocks), 0, far in the past or future (if_tsoffset, 2^64 units), or going
 * backwards. A timer loop `while (s <= now) s = f + dt` never ends when `f + dt === f` (dt is
 * below the spacing of doubles near f, e.g. 1.8e19 s + 6 s), or when f is -Infinity or NaN.
 * `later(f, dt)` is `f + dt` when that is later than f, otherwise the next double after f.
 */

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The smallest double greater than x (Infinity for Infinity or NaN). */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return Infinity;
  if (x === -Infinity) return -Number.MAX_VALUE;
  if (x === 0) return Number.MIN_VALUE;
  F64[0] = x;
  U64[0] = x > 0 ? U64[0] + 1n : U64[0] - 1n;
  return F64[0];
}

/** f + dt, strictly later than f (dt > 0): a timer that fires at f is next due after f. */
export function later(f: number, dt: number): number {
  const s = f + dt;
  return s > f ? s : nextUp(f);
}

/**
 * Network time: the latest packet time so far (a capture's times may go backwards); packets
 * without a time (NaN) take it, and it is 0 until a packet has a time.
 */
export class NetworkTime {
  private nt = -Infinity;
  /** the network time after a packet at time t (NaN: no time) */
  advance(t: number): number {
    if (t > this.nt) this.nt = t;
    return this.nt === -Infinity ? 0 : this.nt;
  }
}
