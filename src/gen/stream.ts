/**
 * Byte streams that TCP segments cut at arbitrary points: literal bytes and pseudo-random bytes
 * (binary or ASCII text) drawn from fixed pools, so nothing is generated per byte.
 */
import type { Frame } from "./packet";
import { Rng } from "./prng";

const WORDS = (
  "the office network report packet flow server client request response table column capture " +
  "time host address window segment record name value query answer cache router switch link " +
  "data frame protocol layer stream file notebook chart filter field count bytes rate total"
).split(" ");

/** Fixed pseudo-random pools (made once per seed). */
export class Pools {
  readonly binary: Buffer;
  readonly text: Buffer;
  binPos = 0;
  textPos = 0;

  constructor(rng: Rng, binSize = 1 << 20, textSize = 1 << 18) {
    this.binary = Buffer.alloc(binSize);
    rng.fill(this.binary, 0, binSize);
    let s = "";
    while (s.length < textSize) {
      s += "<p>";
      const n = rng.range(8, 40);
      for (let i = 0; i < n; i++) s += (i ? " " : "") + rng.pick(WORDS);
      s += ".</p>\n";
    }
    this.text = Buffer.from(s.slice(0, textSize), "latin1");
  }
}

const LIT = 0;
const BIN = 1;
const TXT = 2;

export class ByteStream {
  private kinds: number[] = [];
  private lits: (Uint8Array | null)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private headOff = 0;
  remaining = 0;

  constructor(private pools: Pools) {}

  literal(b: Uint8Array | string): this {
    const buf = typeof b === "string" ? Buffer.from(b, "latin1") : b;
    if (buf.length === 0) return this;
    this.kinds.push(LIT);
    this.lits.push(buf);
    this.sizes.push(buf.length);
    this.remaining += buf.length;
    return this;
  }

  /** n pseudo-random bytes (encrypted payload, binary bodies) */
  random(n: number): this {
    if (n <= 0) return this;
    this.kinds.push(BIN);
    this.lits.push(null);
    this.sizes.push(n);
    this.remaining += n;
    return this;
  }

  /** n bytes of ASCII HTML-ish text */
  text(n: number): this {
    if (n <= 0) return this;
    this.kinds.push(TXT);
    this.lits.push(null);
    this.sizes.push(n);
    this.remaining += n;
    return this;
  }

  /** TLS application-data records (type 0x17, TLS 1.2 wire version) carrying n payload bytes */
  tlsAppData(n: number, maxRecord = 16384 + 17, type = 0x17): this {
    while (n > 0) {
      const len = Math.min(n, maxRecord);
      this.literal(Uint8Array.from([type, 3, 3, len >> 8, len & 255]));
      this.random(len);
      n -= len;
    }
    return this;
  }

  /** Append up to n bytes to the frame; returns how many. */
  take(f: Frame, n: number): number {
    let left = Math.min(n, this.remaining);
    const done = left;
    const b = f.buf;
    while (left > 0) {
      const k = this.kinds[this.head];
      const size = this.sizes[this.head];
      const m = Math.min(left, size - this.headOff);
      if (k === LIT) {
        b.set((this.lits[this.head] as Uint8Array).subarray(this.headOff, this.headOff + m), f.pos);
      } else {
        const pool = k === BIN ? this.pools.binary : this.pools.text;
        let pos = k === BIN ? this.pools.binPos : this.pools.textPos;
        let w = 0;
        while (w < m) {
          if (pos >= pool.length) pos = 0;
          const c = Math.min(m - w, pool.length - pos);
          pool.copy(b, f.pos + w, pos, pos + c);
          w += c;
          pos += c;
        }
        if (k === BIN) this.pools.binPos = pos;
        else this.pools.textPos = pos;
      }
      f.pos += m;
      left -= m;
      this.headOff += m;
      if (this.headOff === size) {
        this.lits[this.head] = null;
        this.head++;
        this.headOff = 0;
      }
    }
    this.remaining -= done;
    if (this.head > 64 && this.head * 2 > this.kinds.length) {
      this.kinds.splice(0, this.head);
      this.lits.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
    return done;
  }
}
