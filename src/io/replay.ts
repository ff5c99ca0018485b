/**
 * Record sources for the replay pass (see RecordSource): a capture file read again with the same
 * reader (bounded buffer, gzip on the fly), and the records a live capture retained in memory.
 */
import * as fs from "node:fs";
import { CHECKPOINT_EVERY, PcapParser } from "./pcap";
import { readCapture, type ReadOptions } from "./reader";
import { MAX_BLOCK } from "./records";
import type { RawRecords } from "./livecap";
import type { RecordSink, RecordSource } from "./records";

/** Hands on the wanted records (`rows`, ascending; all when null) of a pass, counting what it saw and handed on. */
class Picker implements RecordSink {
  /** records seen, and records handed on */
  i = 0;
  k = 0;
  constructor(private readonly rows: Uint32Array | null, private readonly sink: RecordSink) {}
  record(b: Buffer, off: number, caplen: number, len: number, sec: number, nsec: number, linkType: number, iface: number, comment: string | undefined): void {
    const i = this.i++;
    const rows = this.rows;
    if (rows !== null && (this.k >= rows.length || rows[this.k] !== i)) return;
    this.k++;
    this.sink.record(b, off, caplen, len, sec, nsec, linkType, iface, comment);
  }
}

/**
 * Reads `count` records of a classic pcap file from byte `offset` (a checkpoint: the start of a
 * record) into `sink`, with one reused buffer. Returns the records read.
 */
function readPcapRange(path: string, offset: number, count: number, sink: RecordSink): number {
  const fd = fs.openSync(path, "r");
  try {
    const head = Buffer.alloc(24);
    if (fs.readSync(fd, head, 0, 24, 0) < 24) return 0;
    const parser = new PcapParser(sink, count);
    if (!parser.header(head, 0)) return 0;
    let buf = Buffer.allocUnsafe(1 << 20);
    let base = offset, filled = 0, start = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, filled, buf.length - filled, base + filled);
      filled += n;
      start = parser.parse(buf, start, filled, base);
      if (parser.done || n === 0) break;
      if (start > 0) { buf.copy(buf, 0, start, filled); base += start; filled -= start; start = 0; }
      if (parser.need > buf.length) {
        if (parser.need > MAX_BLOCK) break;
        const nb = Buffer.allocUnsafe(Math.max(parser.need, buf.length * 2));
        buf.copy(nb, 0, 0, filled);
        buf = nb;
      }
    }
    return parser.records;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The capture file, read again. A pass over some rows (a view) reads only the stretches of the
 * file that hold them when the file is an uncompressed classic pcap (`checkpoints`: the offset of
 * every CHECKPOINT_EVERY-th record, taken when it was opened); otherwise it reads up to its last
 * row. Either way only the wanted records are handed on.
 */
export function fileSource(path: string, opts: Pick<ReadOptions, "gzipMaxBytes" | "gzipMaxRatio"> & { checkpoints?: number[] } = {}): RecordSource {
  const cps = opts.checkpoints !== undefined && opts.checkpoints.length > 0 ? opts.checkpoints : null;
  return {
    name: path,
    async replay(rows, limit, sink) {
      const last = rows === null ? limit : rows.length === 0 ? 0 : Math.min(limit, rows[rows.length - 1] + 1);
      if (last <= 0) return 0;
      if (rows === null || cps === null) {
        const pick = new Picker(rows, sink);
        await readCapture(path, pick, { limit: last, gzipMaxBytes: opts.gzipMaxBytes, gzipMaxRatio: opts.gzipMaxRatio });
        return pick.k;
      }
      // runs of neighbouring checkpoint segments that hold wanted rows, each read from its checkpoint
      let found = 0, i = 0;
      while (i < rows.length && rows[i] < last) {
        const seg = Math.floor(rows[i] / CHECKPOINT_EVERY);
        if (seg >= cps.length) break;
        let j = i;
        while (j + 1 < rows.length && rows[j + 1] < last && Math.floor(rows[j + 1] / CHECKPOINT_EVERY) <= Math.floor(rows[j] / CHECKPOINT_EVERY) + 1) j++;
        const first = seg * CHECKPOINT_EVERY;
        const pick = new Picker(rows.subarray(i, j + 1).map((r) => r - first), sink);
        readPcapRange(path, cps[seg], rows[j] - first + 1, pick);
        found += pick.k;
        i = j + 1;
      }
      return found;
    },
  };
}

/**
 * A live capture's retained records (pcap record headers + bytes in one growing buffer, see
 * RawRecords); `linkType` is the device's. Records past the retention cap were not kept: the pass
 * sees only those before it.
 */
export function retainedSource(name: string, raw: RawRecords, linkType: number, nanosecond: boolean): RecordSource {
  return {
    name,
    async replay(rows, limit, sink) {
      const n = Math.min(limit, raw.count);
      const b = raw.buf;
      let found = 0;
      const one = (r: number) => {
        const o = raw.offsets[r];
        const caplen = b.readUInt32LE(o + 8);
        const frac = b.readUInt32LE(o + 4);
        sink.record(b, o + 16, caplen, b.readUInt32LE(o + 12), b.readUInt32LE(o), nanosecond ? frac : frac * 1000, linkType, 0, undefined);
        found++;
      };
      if (rows === null) for (let r = 0; r < n; r++) one(r);
      else for (const r of rows) { if (r >= n) break; one(r); }
      return rows === null ? n : found;
    },
  };
}
