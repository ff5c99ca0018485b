/**
 * Reads a capture file into a RecordSink: format from the magic bytes (never the file name),
 * gzip undone on the fly, bounded memory (one reused buffer, grown only for a record larger than
 * it, up to MAX_BLOCK), damage reported with its byte offset.
 */
import { CaptureError } from "./errors";
import { PcapParser } from "./pcap";
import { PcapngParser } from "./pcapng";
import { openSource, type ByteSource } from "./source";
import { MAX_BLOCK, type CaptureInfo, type FormatParser, type RecordSink } from "./records";

export interface ReadOptions {
  /** stop after this many records */
  limit?: number;
  /** called after each buffer of input with bytes read so far (compressed bytes for gzip) */
  onProgress?: (bytes: number, totalBytes: number, records: number) => void;
  /** reject on any damage instead of keeping the packets before it (default false) */
  strict?: boolean;
  /** read buffer size in bytes (default 1 MiB: it stays in cache; grown for a larger record) */
  bufferSize?: number;
  /** gzip: decompressed bytes at most (default 16 GiB); past it reading stops with a warning */
  gzipMaxBytes?: number;
  /** gzip: decompressed bytes per compressed byte at most, checked from the first MiB of output (default 100) */
  gzipMaxRatio?: number;
  /**
   * filled with the byte offsets of every CHECKPOINT_EVERY-th record, when the file is an
   * uncompressed classic pcap (left empty otherwise): where a later pass over some rows may start
   */
  checkpoints?: number[];
  /** awaited after each buffer of input: lets a consumer of the records catch up (backpressure) */
  between?: () => Promise<void>;
}

export interface ReadResult {
  info: CaptureInfo;
  records: number;
  /** bytes of the (uncompressed) capture consumed */
  bytes: number;
  warnings: string[];
}

function detect(head: Buffer, n: number, sink: RecordSink, limit: number, gzip: boolean, file: string): FormatParser {
  if (n < 4) throw new CaptureError(file, 0, n === 0 ? "empty file: not a capture" : `file too short for a capture header (${n} bytes)`);
  const m = head.readUInt32LE(0);
  switch (m) {
    case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1: case 0xa1b2cd34: case 0x34cdb2a1:
      return new PcapParser(sink, limit, gzip);
    case 0x0a0d0d0a:
      return new PcapngParser(sink, limit, gzip);
    default:
      throw new CaptureError(file, 0,
        `not a pcap or pcapng capture${gzip ? " (inside gzip)" : ""}: unknown magic bytes ${head.subarray(0, 4).toString("hex")}`);
  }
}

export async function readCapture(file: string, sink: RecordSink, opts: ReadOptions = {}): Promise<ReadResult> {
  let src: ByteSource;
  try {
    src = openSource(file, { maxBytes: opts.gzipMaxBytes, maxRatio: opts.gzipMaxRatio });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CaptureError(file, 0, err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message);
  }
  const warnings: string[] = [];
  let buf = Buffer.allocUnsafe(opts.bufferSize ?? 1 << 20);
  let filled = 0, start = 0, base = 0;
  let parser: FormatParser | null = null;
  let eof = false;
  try {
    for (;;) {
      if (!eof && filled < buf.length) {
        let n: number;
        try {
          n = await src.read(buf, filled, buf.length - filled);
        } catch (e) {
          // corrupt gzip stream: keep what was decoded
          const msg = `${src.gzip ? "gzip data is corrupt" : "read error"}: ${(e as Error).message}`;
          if (parser === null || parser.records === 0 || opts.strict) throw new CaptureError(file, src.position, msg);
          warnings.push(`${msg} (at compressed byte offset ${src.position}); kept the ${parser.records} packets before it`);
          eof = true;
          n = 0;
        }
        if (n === 0) eof = true;
        filled += n;
      }
      if (parser === null) {
        if (filled < 4 && !eof) continue;
        parser = detect(buf, filled, sink, opts.limit ?? Infinity, src.gzip, file);
        if (opts.checkpoints !== undefined && !src.gzip && parser instanceof PcapParser) parser.checkpoints = opts.checkpoints;
      }
      start = parser.parse(buf, start, filled, base);
      if (parser.records === 0 && parser.damage !== null) {
        throw new CaptureError(file, parser.damage.offset, parser.damage.reason);
      }
      opts.onProgress?.(src.position, src.size, parser.records);
      if (opts.between !== undefined) await opts.between();
      if (parser.done) break;
      if (eof && (filled - start < parser.need || filled === start)) break;
      // keep the unparsed tail, then make room for the next record
      if (start > 0) {
        buf.copy(buf, 0, start, filled);
        base += start;
        filled -= start;
        start = 0;
      }
      if (parser.need > buf.length) {
        if (parser.need > MAX_BLOCK + 64) {
          throw new CaptureError(file, base, `a record of ${parser.need} bytes exceeds the ${MAX_BLOCK}-byte limit`);
        }
        // a plain file too short for the record: it ends inside it (no buffer sized from a lie)
        if (!src.gzip && base + parser.need > src.size) {
          eof = true;
          continue;
        }
        const nb = Buffer.allocUnsafe(Math.max(parser.need, buf.length * 2));
        buf.copy(nb, 0, 0, filled);
        buf = nb;
      }
    }
    const p = parser as FormatParser;
    if (src.capped) {
      // a gzip limit cut the stream: what was read is kept, whatever the parser says of the cut
      const msg = `${src.capped}: stopped at compressed byte offset ${src.position}; kept the ${p.records} packets before it`;
      if (opts.strict || p.records === 0) throw new CaptureError(file, src.position, src.capped);
      warnings.push(msg);
      return { info: p.info, records: p.records, bytes: base + start, warnings };
    }
    if (p.damage !== null) {
      const msg = `${p.damage.reason} at byte offset ${p.damage.offset}; kept the ${p.records} packets before it`;
      if (opts.strict) throw new CaptureError(file, p.damage.offset, p.damage.reason);
      warnings.push(msg);
    } else if (!p.done && filled > start) {
      const offset = base + start;
      const msg = p.records === 0 && p.info.interfaces.length === 0
        ? "file ends inside the capture header"
        : `file ends inside a record (${filled - start} of ${p.need} bytes) at byte offset ${offset}; kept the ${p.records} packets before it`;
      if (opts.strict || p.info.interfaces.length === 0) throw new CaptureError(file, offset, msg);
      warnings.push(msg);
    }
    return { info: p.info, records: p.records, bytes: base + start, warnings };
  } finally {
    src.close();
  }
}
