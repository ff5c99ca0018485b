/**
 * Fuzz cases: a case is a number. For a (target, mode, seed) the same number always gives the same
 * input, so a failure is replayed with `npm run fuzz -- --target T --mode M --seed S --case N`.
 *
 * - target "packet": one packet handed to the decoders (decodeFrame) with its link type;
 * - target "file": a whole capture file handed to open() (readers, gzip, decoders);
 * - mode "truncate": every prefix of every seed, in order (case N is seed k cut at offset j);
 * - mode "mutate": a random seed, mutated 1–4 times (./mutate.ts); for files, now and then a run
 *   of a seed's records with hostile times instead (./times.ts).
 */
import * as zlib from "node:zlib";
import type { Corpus } from "./corpus";
import { caseRng, mutate } from "./mutate";
import { quicCase } from "./quic";
import { timeCase } from "./times";

export type Target = "packet" | "file";
export type Mode = "truncate" | "mutate";

export interface Case {
  index: number;
  /** the seed's name ("office.pcap#12") */
  from: string;
  linkType: number;
  bytes: Buffer;
  what: string[];
}

/** Number of truncate-mode cases (every prefix, empty included, of every seed). */
export function truncateCount(corpus: Corpus, target: Target): number {
  const seeds = target === "packet" ? corpus.packets : corpus.files;
  let n = 0;
  for (const s of seeds) n += s.bytes.length + 1;
  return n;
}

/** Prefix sums for truncate mode, built once per corpus. */
export class TruncateIndex {
  private readonly starts: number[] = [];
  readonly total: number;
  constructor(private readonly corpus: Corpus, private readonly target: Target) {
    let n = 0;
    for (const s of target === "packet" ? corpus.packets : corpus.files) {
      this.starts.push(n);
      n += s.bytes.length + 1;
    }
    this.total = n;
  }
  get(index: number): Case {
    const i = index % this.total;
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    const at = i - this.starts[lo];
    if (this.target === "packet") {
      const s = this.corpus.packets[lo];
      return { index, from: s.name, linkType: s.linkType, bytes: s.bytes.subarray(0, at), what: [`truncate @${at} of ${s.bytes.length}`] };
    }
    const s = this.corpus.files[lo];
    return { index, from: s.name, linkType: -1, bytes: s.bytes.subarray(0, at), what: [`truncate @${at} of ${s.bytes.length}`] };
  }
}

/** The mutate-mode case `index` of `seed`. */
export function mutateCase(corpus: Corpus, target: Target, seed: number, index: number): Case {
  const rng = caseRng(seed, index);
  if (target === "packet") {
    if (rng.chance(0.08)) {
      // a QUIC Initial whose plaintext is mutated, then encrypted (./quic.ts)
      const q = quicCase(rng);
      return { index, from: "quic-initial", linkType: 1, bytes: q.bytes, what: q.what };
    }
    const s = corpus.packets[rng.int(corpus.packets.length)];
    const donor = corpus.packets[rng.int(corpus.packets.length)];
    const m = mutate(rng, s.bytes, s.fields, donor.bytes);
    // now and then, the packet under another link type
    let linkType = s.linkType;
    if (rng.chance(0.03)) {
      linkType = rng.pick([0, 1, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276]);
      m.what.push(`link type ${linkType}`);
    }
    return { index, from: s.name, linkType, bytes: m.bytes, what: m.what };
  }
  if (corpus.runs.length > 0 && rng.chance(0.05)) {
    // consecutive records of a seed with hostile times (./times.ts)
    const t = timeCase(rng, corpus.runs);
    return { index, from: t.from, linkType: -1, bytes: t.bytes, what: t.what };
  }
  const s = corpus.files[rng.int(corpus.files.length)];
  const donor = corpus.files[rng.int(corpus.files.length)];
  const gz = s.bytes.length > 2 && s.bytes[0] === 0x1f && s.bytes[1] === 0x8b;
  if (gz && rng.chance(0.5)) {
    // mutate the plain capture inside, then gzip it again (or mutate the gzip bytes below)
    const plain = zlib.gunzipSync(s.bytes);
    const m = mutate(rng, plain, [], donor.bytes, 1 << 22);
    return { index, from: s.name, linkType: -1, bytes: zlib.gzipSync(m.bytes, { level: 1 }), what: [...m.what, "gzip"] };
  }
  const m = mutate(rng, s.bytes, s.fields, donor.bytes, 1 << 22);
  if (!gz && rng.chance(0.1)) {
    m.what.push("gzip");
    return { index, from: s.name, linkType: -1, bytes: zlib.gzipSync(m.bytes, { level: 1 }), what: m.what };
  }
  return { index, from: s.name, linkType: -1, bytes: m.bytes, what: m.what };
}
