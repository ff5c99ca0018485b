/**
 * Content-Encoding undone while the bytes stream past: gzip and deflate (zlib-wrapped, or raw
 * deflate as some servers send it), decoded synchronously chunk by chunk into a 16 KiB output
 * buffer, with caps on the decoded size and on the decoded/encoded ratio (a decompression bomb
 * stops with a note, never fills memory).
 *
 * Node's public zlib API is one-shot when synchronous (zlib.inflateSync) and asynchronous when
 * streaming; the second pass over the capture is synchronous (a callback per record). So this uses
 * the zlib engine's own synchronous streaming call, `handle.writeSync` — what zlib.inflateSync does
 * internally, in a loop (Node ≥ 10, unchanged through 22). Feature-detected: where it is missing,
 * `createInflater` returns null and the object's row says `encoding_unsupported`.
 */
import * as zlib from "node:zlib";

export type Encoding = "gzip" | "deflate";

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}

export interface InflateCaps {
  /** stop past this many decoded bytes (default 256 MiB) */
  maxDecodedBytes: number;
  /**
   * stop when decoded > maxRatio × encoded, checked after every 16 KiB of output from the start,
   * once past ratioFloor decoded bytes (default 250×, past 16 KiB: one output chunk, so that a short
   * body of repetitive text is not taken for a bomb; a bomb costs at most max(ratioFloor,
   * maxRatio × its compressed size) of decoding and hashing)
   */
  maxRatio: number;
  ratioFloor: number;
}

export const INFLATE_DEFAULTS: InflateCaps = { maxDecodedBytes: 256 * 1024 * 1024, maxRatio: 250, ratioFloor: 16 * 1024 };

/** input slice per engine call: at most ~1032× of it comes out of one call (deflate's maximum ratio) */
const IN_SLICE = 4096;
const OUT_SIZE = 16 * 1024;

export type InflateStop = "bomb" | "error" | "consumer";

export class Inflater {
  decoded = 0;
  encoded = 0;
  /** why decoding stopped, null while it goes on (or ended cleanly) */
  stopped: InflateStop | null = null;
  error = "";
  /** the compressed stream ended (trailing bytes are ignored) */
  ended = false;
  private readonly out = Buffer.allocUnsafe(OUT_SIZE);
  private handle: ZlibHandle | null = null;
  private state: Uint32Array | null = null;
  private first = true;

  constructor(
    private readonly enc: Encoding,
    private readonly caps: InflateCaps,
    /** decoded bytes; false stops decoding */
    private readonly emit: (b: Buffer, off: number, end: number) => boolean,
  ) {}

  private open(b0: number, b1: number): boolean {
    let z: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw;
    if (this.enc === "gzip") z = zlib.createGunzip();
    // "deflate" is zlib-wrapped by the standard; raw deflate is common enough to be told apart by the header
    else if ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && (b1 < 0 || ((b0 << 8) | b1) % 31 === 0)) z = zlib.createInflate();
    else z = zlib.createInflateRaw();
    const zz = z as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
    if (zz._handle === undefined || zz._writeState === undefined || typeof zz._handle.writeSync !== "function") return false;
    this.handle = zz._handle;
    this.state = zz._writeState;
    this.handle.onerror = (message) => { this.error = message; };
    return true;
  }

  /** whether this Node's zlib offers the synchronous streaming call */
  static supported(): boolean {
    const z = zlib.createInflateRaw() as unknown as { _handle?: { writeSync?: unknown; close(): void }; _writeState?: unknown };
    const ok = z._handle !== undefined && typeof z._handle.writeSync === "function" && z._writeState !== undefined;
    z._handle?.close();
    return ok;
  }

  /** Feeds encoded bytes b[off, end). */
  push(b: Uint8Array, off: number, end: number): void {
    if (this.stopped !== null || this.ended || off >= end) return;
    if (this.first) {
      this.first = false;
      if (!this.open(b[off], end - off > 1 ? b[off + 1] : -1)) { this.stop("error", "zlib streaming is not available"); return; }
    }
    const h = this.handle as ZlibHandle, st = this.state as Uint32Array;
    for (let o = off; o < end && this.stopped === null && !this.ended;) {
      let inOff = o, availIn = Math.min(IN_SLICE, end - o);
      o += availIn;
      for (;;) {
        h.writeSync(zlib.constants.Z_SYNC_FLUSH, b, inOff, availIn, this.out, 0, OUT_SIZE);
        if (this.error !== "") { this.stop("error", this.error); return; }
        const availOut = st[0], after = st[1];
        const have = OUT_SIZE - availOut, used = availIn - after;
        this.encoded += used;
        inOff += used; availIn = after;
        if (have > 0) {
          this.decoded += have;
          if (this.decoded > this.caps.maxDecodedBytes) { this.stop("bomb", `decoded size over ${this.caps.maxDecodedBytes} bytes`); return; }
          if (this.decoded > this.caps.ratioFloor && this.decoded > this.caps.maxRatio * Math.max(1, this.encoded)) {
            this.stop("bomb", `decoded/encoded ratio over ${this.caps.maxRatio}`);
            return;
          }
          if (!this.emit(this.out, 0, have)) { this.stop("consumer", ""); return; }
        }
        if (have === 0 && used === 0) {
          // no progress: the stream ended (what follows is ignored), or input is exhausted
          if (availIn > 0) { this.ended = true; this.close(); return; }
          break;
        }
        if (availIn === 0 && availOut !== 0) break;
      }
    }
  }

  private stop(why: InflateStop, msg: string): void {
    this.stopped = why;
    if (msg !== "") this.error = msg;
    this.close();
  }

  close(): void {
    if (this.handle !== null) {
      try { this.handle.close(); } catch { /* already closed */ }
      this.handle = null;
    }
  }
}

/** The Content-Encoding header as what to undo: [] identity, null something we cannot undo. */
export function parseEncoding(header: string | undefined): Encoding[] | null {
  if (header === undefined) return [];
  const out: Encoding[] = [];
  for (const raw of header.split(",")) {
    const t = raw.trim().toLowerCase();
    if (t === "" || t === "identity") continue;
    if (t === "gzip" || t === "x-gzip") out.push("gzip");
    else if (t === "deflate") out.push("deflate");
    else return null;
  }
  return out.length > 1 ? null : out;
}
