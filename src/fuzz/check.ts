/**
 * Running one fuzz case and judging it. A case fails when:
 * - a decoder throws (packet target), or open() reports a "decoder error" warning (file target:
 *   open() catches a decoder's exception per packet; the contract is that decoders never throw);
 * - open() rejects with anything but a CaptureError;
 * - a decoder reads outside [off, off + caplen): the packet is decoded twice, alone in a buffer of
 *   its own size and inside a larger buffer with garbage around it, and the rows must be equal;
 * - the case allocates more than a budget in proportion to its input (heap + array buffers);
 * - (in the runner) it takes longer than the case's time budget, or the worker runs out of memory.
 */
import * as fs from "node:fs";
import * as v8 from "node:v8";
import "../decode";
import { decodeFrame } from "../decode";
import { CaptureError } from "../io/errors";
import { allFields } from "../fields/registry";
import { TableBuilder } from "../table/builder";
import { open } from "../table/load";
import type { Case } from "./cases";

export interface Failure {
  kind: "throw" | "decoder error" | "rejected with a non-CaptureError" | "read past end" | "memory" | "hang" | "worker out of memory";
  message: string;
  index: number;
  from: string;
  linkType: number;
  what: string[];
  /** the input, base64 (for the failure file) */
  input: string;
}

/** Allocation budget of one case: fixed slack plus a multiple of the input size. */
export function memoryBudget(inputBytes: number, fixed: number, perByte: number): number {
  return fixed + perByte * inputBytes;
}

/** Heap in use plus external memory (array buffers): 2 µs, where process.memoryUsage() takes 60. */
function allocated(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

function fail(c: Case, kind: Failure["kind"], message: string): Failure {
  return { kind, message, index: c.index, from: c.from, linkType: c.linkType, what: c.what, input: c.bytes.toString("base64") };
}

const GARBAGE = 0xa5;
const PAD = 16;

/** Decodes packets: each in a buffer of its own size and embedded in garbage, rows compared. */
export class PacketChecker {
  private a = new TableBuilder();
  private b = new TableBuilder();
  private n = 0;
  private big = Buffer.alloc(262144 + 2 * 4096, GARBAGE);
  constructor(private readonly memFixed = 16 << 20, private readonly memPerByte = 256) {}

  check(c: Case, wireLen = c.bytes.length): Failure | null {
    if (++this.n % 2048 === 0) {
      // per-capture state (QUIC connections, HTTP conversations) lives as long as its builder
      this.a = new TableBuilder();
      this.b = new TableBuilder();
    }
    const len = c.bytes.length;
    const exact = Buffer.from(c.bytes);
    const m0 = allocated();
    const a = this.a;
    a.begin();
    try {
      decodeFrame(a, c.linkType, exact, 0, len, Math.max(len, wireLen), 1700000000, 0, 0);
    } catch (e) {
      a.end();
      return fail(c, "throw", (e as Error)?.stack ?? String(e));
    }
    a.end();
    const used = allocated() - m0;
    if (used > memoryBudget(len, this.memFixed, this.memPerByte)) {
      return fail(c, "memory", `decoding ${len} bytes allocated ${used} bytes`);
    }
    // the same bytes inside a larger buffer with garbage before and after
    const big = this.big;
    const off = PAD + (len & 7);
    big.fill(GARBAGE, 0, off);
    c.bytes.copy(big, off);
    big.fill(GARBAGE, off + len, off + len + 4096);
    const b = this.b;
    b.begin(off);
    try {
      decodeFrame(b, c.linkType, big, off, len, Math.max(len, wireLen), 1700000000, 0, 0);
    } catch (e) {
      b.end();
      return fail(c, "throw", `(embedded) ${(e as Error)?.stack ?? String(e)}`);
    }
    b.end();
    const diff = rowDiff(a, b);
    if (diff !== null) return fail(c, "read past end", diff);
    return null;
  }
}

/** The first field whose value differs between the two builders' current rows, or null. */
export function rowDiff(a: TableBuilder, b: TableBuilder): string | null {
  for (let id = 0; id < a.num.length; id++) {
    const x = a.num[id]?.get(a.row), y = b.num[id]?.get(b.row);
    if (!Object.is(x, y)) return `${allFields()[id].name}: ${x} alone, ${y} embedded`;
  }
  for (let id = 0; id < a.dict.length; id++) {
    const x = a.dict[id]?.get(a.row), y = b.dict[id]?.get(b.row);
    if (x !== y) return `${allFields()[id].name}: ${JSON.stringify(x)} alone, ${JSON.stringify(y)} embedded`;
  }
  const pa = a.paths.path(a.protoPath.get(a.row) ?? 0), pb = b.paths.path(b.protoPath.get(b.row) ?? 0);
  if (pa !== pb) return `protocols: ${pa} alone, ${pb} embedded`;
  if (a.malformed.get(a.row) !== b.malformed.get(b.row)) return "malformed flag differs";
  return null;
}

/**
 * Opens whole files through open(): readers, gzip, decoders. `deep`: also the flow table (Zeek and
 * nfstream modes), the application tables (TCP reassembly, DNS/HTTP/TLS/DHCP/QUIC parsers), which
 * read the file again, and the detectors (time windows); any exception there is a failure too,
 * and a loop that never ends (hostile times, ./times.ts) is a hang.
 */
export class FileChecker {
  constructor(private readonly tmp: string, private readonly deep = false, private readonly memFixed = 48 << 20, private readonly memPerByte = 512) {}

  async check(c: Case): Promise<Failure | null> {
    fs.writeFileSync(this.tmp, c.bytes);
    const m0 = allocated();
    try {
      const cap = await open(this.tmp);
      const bad = cap.warnings.find((w) => /decoder error/.test(w));
      if (bad !== undefined) return fail(c, "decoder error", bad);
      if (!(cap.count >= 0)) return fail(c, "throw", `count ${cap.count}`);
      if (this.deep) {
        const { flows } = await import("../flows");
        const { appTable, APP_NAMES } = await import("../flows/apps");
        let stage = "flows";
        try {
          const ft = flows(cap);
          stage = "flows (nfstream)";
          flows(cap, { mode: "nfstream" });
          for (const name of APP_NAMES) {
            stage = `apps (${name})`;
            await appTable(cap, name, { flows: ft });
          }
          stage = "detectors";
          const { detect } = await import("../detect");
          await detect(cap);
        } catch (e) {
          return fail(c, "throw", `${stage}: ${(e as Error)?.stack ?? String(e)}`);
        }
      }
    } catch (e) {
      if (!(e instanceof CaptureError)) return fail(c, "rejected with a non-CaptureError", (e as Error)?.stack ?? String(e));
    }
    const used = allocated() - m0;
    if (used > memoryBudget(c.bytes.length, this.memFixed, this.memPerByte)) {
      return fail(c, "memory", `opening ${c.bytes.length} bytes allocated ${used} bytes`);
    }
    return null;
  }
}
