/**
 * Record sources for the replay pass (see RecordSource): a capture file read again with the same
 * reader (bounded buffer, gzip on the fly), and the records a live capture retained in memory.
 */
import { readCapture, type ReadOptions } from "./reader";
import type { RawRecords } from "./livecap";
import type { RecordSink, RecordSource } from "./records";

/** Stops a reader once the last wanted record is past (so a view of the first rows reads little). */
class Picker implements RecordSink {
  i = 0;
  private k = 0;
  constructor(private readonly rows: Uint32Array | null, private readonly sink: RecordSink) {}
  record(b: Buffer, off: number, caplen: number, len: number, sec: number, nsec: number, linkType: number, iface: number, comment: string | undefined): void {
    const i = this.i++;
    const rows = this.rows;
    if (rows !== null) {
      if (this.k >= rows.length || rows[this.k] !== i) return;
      this.k++;
    }
    this.sink.record(b, off, caplen, len, sec, nsec, linkType, iface, comment);
  }
}

/** The capture file, read again. A view's pass stops after its last row and decodes nothing else. */
export function fileSource(path: string, opts: Pick<ReadOptions, "gzipMaxBytes" | "gzipMaxRatio"> = {}): RecordSource {
  return {
    name: path,
    async replay(rows, limit, sink) {
      const last = rows === null ? limit : rows.length === 0 ? 0 : Math.min(limit, rows[rows.length - 1] + 1);
      if (last <= 0) return 0;
      const pick = new Picker(rows, sink);
      await readCapture(path, pick, { limit: last, gzipMaxBytes: opts.gzipMaxBytes, gzipMaxRatio: opts.gzipMaxRatio });
      return pick.i;
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
