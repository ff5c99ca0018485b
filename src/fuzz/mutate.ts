/**
 * The mutator: seeded, so case N of seed S is always the same bytes (`npm run fuzz -- --seed S
 * --case N` replays it). Generic mutations (bit flips, interesting values, truncation, deletion,
 * duplication, splicing) and structure-aware ones that make a length field lie (see ./lengths.ts).
 */
import { Rng } from "../gen/prng";
import { type LengthField, varintLen } from "./lengths";

/** The Rng of one case: independent of the cases run before it. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ (index / 4294967296)) >>> 0);
}

const I8 = [0, 1, 2, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff];
const I16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x7fff, 0x8000, 0xfffe, 0xffff];
const I32 = [0, 1, 0xff, 0xffff, 0x10000, 0x40000, 0x1000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export interface Mutated {
  bytes: Buffer;
  /** what was done, for the failure report */
  what: string[];
}

function readField(b: Buffer, f: LengthField): number {
  switch (f.kind) {
    case "u8": return b[f.off];
    case "hi4": return b[f.off] >> 4;
    case "lo4": return b[f.off] & 15;
    case "u16": case "ptr": return f.off + 2 <= b.length ? b.readUInt16BE(f.off) : 0;
    case "u24": return f.off + 3 <= b.length ? b.readUIntBE(f.off, 3) : 0;
    case "u32": return f.off + 4 <= b.length ? b.readUInt32BE(f.off) : 0;
    case "u32le": return f.off + 4 <= b.length ? b.readUInt32LE(f.off) : 0;
    default: return 0;
  }
}

function maxOf(kind: LengthField["kind"]): number {
  switch (kind) {
    case "u8": return 0xff;
    case "hi4": case "lo4": return 15;
    case "u16": case "ptr": return 0xffff;
    case "u24": return 0xffffff;
    default: return 0xffffffff;
  }
}

function writeField(b: Buffer, f: LengthField, v: number): void {
  v = Math.max(0, Math.min(maxOf(f.kind), Math.floor(v)));
  switch (f.kind) {
    case "u8": b[f.off] = v; break;
    case "hi4": b[f.off] = (b[f.off] & 15) | (v << 4); break;
    case "lo4": b[f.off] = (b[f.off] & 0xf0) | v; break;
    case "u16": if (f.off + 2 <= b.length) b.writeUInt16BE(v, f.off); break;
    case "ptr": if (f.off + 2 <= b.length) b.writeUInt16BE(0xc000 | (v & 0x3fff), f.off); break;
    case "u24": if (f.off + 3 <= b.length) b.writeUIntBE(v, f.off, 3); break;
    case "u32": if (f.off + 4 <= b.length) b.writeUInt32BE(v >>> 0, f.off); break;
    case "u32le": if (f.off + 4 <= b.length) b.writeUInt32LE(v >>> 0, f.off); break;
    default: break;
  }
}

/** Makes one length field lie. Returns the new buffer (a "line" mutation may change the length). */
function lie(rng: Rng, b: Buffer, f: LengthField, what: string[]): Buffer {
  if (f.kind === "varint") {
    // a varint: another width (two top bits), maximal, zero, or larger than the packet
    const n = varintLen(b[f.off]);
    const choice = rng.int(4);
    if (choice === 0) b[f.off] = (b[f.off] & 0x3f) | (rng.int(4) << 6);
    else if (choice === 1) for (let i = 0; i < n && f.off + i < b.length; i++) b[f.off + i] = i === 0 ? (b[f.off] & 0xc0) | 0x3f : 0xff;
    else if (choice === 2) for (let i = 0; i < n && f.off + i < b.length; i++) b[f.off + i] = i === 0 ? b[f.off] & 0xc0 : 0;
    else { b[f.off] = 0xc0 | 0x3f; for (let i = 1; i < 8 && f.off + i < b.length; i++) b[f.off + i] = 0xff; }
    what.push(`${f.name}@${f.off}: varint ${choice}`);
    return b;
  }
  if (f.kind === "line") {
    const size = f.size ?? 0;
    if (f.off + size > b.length) return b;
    const choice = rng.int(5);
    what.push(`${f.name}@${f.off}: line ${choice}`);
    const line = b.subarray(f.off, f.off + size);
    if (choice === 0) {
      // the same header line many times (a large header block)
      const times = rng.pick([16, 256, 2048]);
      const rep = Buffer.concat(Array.from({ length: times }, () => Buffer.concat([line, Buffer.from("\r\n")])));
      return Buffer.concat([b.subarray(0, f.off), rep, b.subarray(f.off)]).subarray(0, 262144);
    }
    if (choice === 1) {
      // one huge header value
      const n = rng.pick([4096, 65536, 200000]);
      return Buffer.concat([b.subarray(0, f.off + size), Buffer.alloc(n, 0x41), b.subarray(f.off + size)]).subarray(0, 262144);
    }
    if (choice === 2) {
      // no CRLF at the end of the line
      if (f.off + size + 2 <= b.length) b[f.off + size] = b[f.off + size + 1] = 0x20;
      return b;
    }
    if (choice === 3) {
      const v = rng.pick(["Content-Length: 99999999999999999999999", "Content-Length: -1", "Content-Length: 0x10", ":", "Host:", "\x00\xff: \x00"]);
      return Buffer.concat([b.subarray(0, f.off), Buffer.from(v, "latin1"), b.subarray(f.off + size)]);
    }
    b.fill(0, f.off, f.off + size);
    return b;
  }
  const old = readField(b, f);
  const max = maxOf(f.kind);
  let v: number;
  let how: string;
  if (f.kind === "ptr") {
    // pointer targets: itself (a loop), the previous byte, the header, the end, beyond it
    const msgGuess = Math.max(0, f.off - 64);
    const opts = [f.off - msgGuess, f.off - msgGuess - 2, 0, 12, rng.int(0x4000), 0x3fff, b.length - msgGuess, (f.off - msgGuess) + 2];
    v = rng.pick(opts);
    how = `pointer → ${v}`;
  } else switch (rng.int(8)) {
    case 0: v = 0; how = "0"; break;
    case 1: v = max; how = "max"; break;
    case 2: v = old + 1; how = "+1"; break;
    case 3: v = old - 1; how = "-1"; break;
    case 4: v = old * 2 + rng.int(16); how = "×2"; break;
    case 5: v = Math.floor(old / 2); how = "/2"; break;
    case 6: v = b.length + rng.int(64); how = "packet length+"; break;
    default: v = rng.int(max + 1); how = "random"; break;
  }
  writeField(b, f, v);
  what.push(`${f.name}@${f.off}: ${old} → ${how}`);
  return b;
}

/**
 * Applies 1–4 mutations to a copy of `seed`. `fields` are the seed's length fields; `donor` another
 * seed for splicing.
 */
export function mutate(rng: Rng, seed: Buffer, fields: LengthField[], donor: Buffer | null, maxLen = 262144): Mutated {
  let b = Buffer.from(seed);
  const what: string[] = [];
  const n = 1 + rng.weighted([8, 4, 2, 1]);
  for (let k = 0; k < n; k++) {
    const ops = fields.length > 0 ? [6, 3, 2, 2, 1, 1, 1, 1] : [0, 3, 2, 2, 1, 1, 1, 1];
    switch (rng.weighted(ops)) {
      case 0: {
        const f = rng.pick(fields);
        if (f.off < b.length) b = lie(rng, b, f, what);
        break;
      }
      case 1: {
        const bits = 1 + rng.int(8);
        for (let i = 0; i < bits && b.length > 0; i++) {
          const o = rng.int(b.length);
          b[o] ^= 1 << rng.int(8);
        }
        what.push(`flip ${bits} bits`);
        break;
      }
      case 2: {
        if (b.length === 0) break;
        const o = rng.int(b.length);
        const w = rng.int(3);
        if (w === 0) b[o] = rng.pick(I8);
        else if (w === 1 && o + 2 <= b.length) b.writeUInt16BE(rng.pick(I16), o);
        else if (o + 4 <= b.length) b.writeUInt32BE(rng.pick(I32), o);
        what.push(`interesting value @${o}`);
        break;
      }
      case 3: {
        const o = rng.int(b.length + 1);
        b = b.subarray(0, o);
        what.push(`truncate @${o}`);
        break;
      }
      case 4: {
        if (b.length < 2) break;
        const o = rng.int(b.length), len = 1 + rng.int(Math.min(64, b.length - o));
        b = Buffer.concat([b.subarray(0, o), b.subarray(o + len)]);
        what.push(`delete ${len} @${o}`);
        break;
      }
      case 5: {
        if (b.length < 2) break;
        const o = rng.int(b.length), len = 1 + rng.int(Math.min(64, b.length - o));
        b = Buffer.concat([b.subarray(0, o + len), b.subarray(o, o + len), b.subarray(o + len)]);
        what.push(`duplicate ${len} @${o}`);
        break;
      }
      case 6: {
        if (donor === null || donor.length === 0) break;
        const o = rng.int(b.length + 1), d = rng.int(donor.length);
        b = Buffer.concat([b.subarray(0, o), donor.subarray(d)]);
        what.push(`splice @${o} from donor @${d}`);
        break;
      }
      default: {
        // a run of zeros or of 0xff
        if (b.length === 0) break;
        const o = rng.int(b.length), len = 1 + rng.int(Math.min(32, b.length - o));
        b.fill(rng.chance(0.5) ? 0 : 0xff, o, o + len);
        what.push(`fill ${len} @${o}`);
      }
    }
  }
  if (b.length > maxLen) b = b.subarray(0, maxLen);
  return { bytes: Buffer.from(b), what };
}
