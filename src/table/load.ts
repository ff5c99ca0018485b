/** Capture file → decoded columnar table. */
import { decodeFrame } from "../decode";
import { fieldByName } from "../fields/registry";
import { readCapture } from "../io/reader";
import { fileSource } from "../io/replay";
import type { RecordSink } from "../io/records";
import { TableBuilder } from "./builder";
import { Capture } from "./capture";
import { applyEnrichOptions, type EnrichOptions } from "../enrich/options";

export interface OpenOptions extends EnrichOptions {
  /**
   * Cancels the read: checked before it starts and after each chunk of input (a chunk is read
   * asynchronously, so an abort from a timer, a signal handler or the kernel's interrupt is seen
   * within one chunk); open() then rejects with the signal's reason (an AbortError by default).
   */
  signal?: AbortSignal;
  /** read at most this many packets */
  limit?: number;
  /** keep only these fields (all fields by default); frame.* fields are always kept */
  columns?: string[];
  /** progress after each chunk of input: bytes read of totalBytes (the file's size), packets so far */
  onProgress?: (p: { bytes: number; totalBytes: number; packets: number }) => void;
  /** reject a damaged file instead of keeping the packets before the damage */
  strict?: boolean;
  /** longest string value kept (default 4096 characters); longer ones are cut, counted in warnings */
  maxStringLength?: number;
  /** gzip: decompressed bytes at most (default 16 GiB) */
  gzipMaxBytes?: number;
  /** gzip: decompressed bytes per compressed byte at most, checked from the first MiB of output (default 100) */
  gzipMaxRatio?: number;
}

/** Decoder failures reported at most this many times each load (the rest are counted). */
const MAX_DECODER_ERRORS = 5;

/** The stored fields needed to answer for `columns` (a computed field needs its source). */
function keepSet(columns: string[]): Set<string> {
  const keep = new Set(["frame.len", "frame.cap_len"]);
  for (const c of columns) {
    const def = fieldByName(c);
    keep.add(def?.from ? def.from.name : c);
  }
  return keep;
}

/**
 * The decoding path every capture takes, file or live (src/table/live.ts): a RecordSink that decodes
 * each record into a TableBuilder, catching decoder bugs per packet. `warnings()` tells how many
 * decoder errors there were.
 */
export function decodingSink(opts: { columns?: string[]; maxStringLength?: number } & EnrichOptions = {}): { table: TableBuilder; sink: RecordSink; warnings(): string[] } {
  const keep = opts.columns ? keepSet(opts.columns) : undefined;
  const t = new TableBuilder(keep);
  applyEnrichOptions(t, opts); // Community ID seed, GeoIP databases (src/enrich)
  if (opts.maxStringLength !== undefined) t.maxString = Math.max(1, Math.floor(opts.maxStringLength));
  let decoderErrors = 0;
  const warnings: string[] = [];
  const sink: RecordSink = {
    record(b, off, caplen, len, sec, nsec, linkType, iface, comment) {
      t.begin(off);
      try {
        decodeFrame(t, linkType, b, off, caplen, len, sec, nsec, iface);
      } catch (e) {
        // a decoder bug must not lose the capture: keep what was decoded, flag the row
        t.bad();
        if (++decoderErrors <= MAX_DECODER_ERRORS) warnings.push(`frame ${t.row + 1}: decoder error: ${(e as Error).message}`);
      }
      // a record comment is a string value like any other: cut at maxStringLength (docs/hardening.md)
      if (comment !== undefined) t.comments.set(t.row, t.cut(comment));
      t.end();
    },
  };
  return {
    table: t,
    sink,
    warnings: () => [
      ...(decoderErrors > MAX_DECODER_ERRORS ? [...warnings, `${decoderErrors - MAX_DECODER_ERRORS} more decoder errors`] : warnings),
      ...(t.cutStrings > 0 ? [`${t.cutStrings} string values longer than ${t.maxString} characters were cut (maxStringLength)`] : []),
      ...[...t.shortLayers].map(([name, n]) => `${n} ${name} packets too short for their fields (the fields that fit are set)`),
    ],
  };
}

/** Opens and decodes a capture file (pcap, pcapng, either gzip-compressed). */
export async function open(path: string, opts: OpenOptions = {}): Promise<Capture> {
  const { table: t, sink, warnings } = decodingSink(opts);
  const progress = opts.onProgress, signal = opts.signal;
  signal?.throwIfAborted();
  const checkpoints: number[] = [];
  const res = await readCapture(path, sink, {
    checkpoints,
    limit: opts.limit,
    strict: opts.strict,
    gzipMaxBytes: opts.gzipMaxBytes,
    gzipMaxRatio: opts.gzipMaxRatio,
    onProgress: (progress || signal) && ((bytes, totalBytes, packets) => {
      signal?.throwIfAborted();
      progress?.({ bytes, totalBytes, packets });
    }),
  });
  t.source = fileSource(path, { gzipMaxBytes: opts.gzipMaxBytes, gzipMaxRatio: opts.gzipMaxRatio, checkpoints });
  return new Capture(path, t, res.info, [...res.warnings, ...warnings()]);
}
