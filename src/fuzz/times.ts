/**
 * Capture files whose packet times are hostile: no time at all (several pcapng Simple Packet
 * Blocks, alone or between timed packets), all 0, a negative or huge interface offset
 * (if_tsoffset), the largest 64-bit timestamp (2^64 - 1 units, in seconds or nanoseconds), and
 * times that go backwards. Every timer and interval loop over them must end (issue 18).
 * The packets are a run of consecutive records of a seed file (so connections form and their
 * timers fire), some repeated.
 */
import type { Rng } from "../gen/prng";
import { PcapngWriter, type PcapngInterface } from "../io/writer";

/** Consecutive records of one seed file. */
export interface FrameRun {
  name: string;
  linkType: number;
  frames: Buffer[];
}

export const TIME_SCHEMES = [
  "spb", "spb-mixed", "zero", "negative-offset", "half-negative", "max-ns", "max-seconds", "huge-offset", "backwards",
] as const;
export type TimeScheme = (typeof TIME_SCHEMES)[number];

const BASE = 1718000000;
/** 2^64 - 1 nanoseconds: 18446744073.709551615 s */
const MAX_NS_SEC = 18446744073, MAX_NS_NSEC = 709551615;
/** the largest whole second below 2^64 that a double holds (2^64 - 2048) */
const MAX_SEC = 18446744073709549568;

/** A pcapng file of `frames` with the times of `scheme`. */
export function timedCapture(frames: Buffer[], linkType: number, scheme: TimeScheme, rng: Rng): Buffer {
  const iface: PcapngInterface = { linkType, tsresol: 6 };
  if (scheme === "negative-offset") iface.tsoffset = -1e12;
  else if (scheme === "half-negative") iface.tsoffset = -(BASE + Math.floor(frames.length / 2));
  else if (scheme === "huge-offset") iface.tsoffset = 2 ** 62;
  else if (scheme === "max-ns") iface.tsresol = 9;
  else if (scheme === "max-seconds") iface.tsresol = 0;
  const w = new PcapngWriter({ interfaces: [iface] });
  frames.forEach((f, i) => {
    let sec = BASE + i, nsec = rng.int(1000) * 1000;
    let simple = false;
    switch (scheme) {
      case "spb": simple = true; break;
      case "spb-mixed": simple = rng.chance(0.5); break;
      case "zero": sec = 0; nsec = 0; break;
      case "max-ns": if (rng.chance(0.7)) { sec = MAX_NS_SEC; nsec = MAX_NS_NSEC; } break;
      case "max-seconds": sec = rng.chance(0.7) ? MAX_SEC : i; nsec = 0; break;
      case "backwards": sec = rng.pick([BASE + i, BASE - i * 1000, 0, BASE + 1e6 - i, MAX_NS_SEC]); break;
      default: break;
    }
    w.write(sec, nsec, f, f.length, { simple });
  });
  return w.close()!;
}

/** A fuzz case: a window of a run, some frames repeated, under a random scheme. */
export function timeCase(rng: Rng, runs: FrameRun[]): { bytes: Buffer; from: string; what: string[] } {
  const run = runs[rng.int(runs.length)];
  const start = rng.int(Math.max(1, run.frames.length - 2));
  const window = run.frames.slice(start, start + 2 + rng.int(40));
  const frames: Buffer[] = [];
  for (const f of window) {
    frames.push(f);
    if (rng.chance(0.2)) frames.push(f); // a retransmission: the same connection again
  }
  const scheme = rng.pick(TIME_SCHEMES);
  return { bytes: timedCapture(frames, run.linkType, scheme, rng), from: run.name, what: [`times: ${scheme}, ${frames.length} packets from record ${start + 1}`] };
}
