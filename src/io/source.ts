/**
 * Byte sources: a capture file read in chunks into a caller's reused buffer, never all at once
 * (captures may be larger than memory and than 2 GiB), transparently gunzipped when the file
 * starts with gzip's magic bytes.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";

export interface ByteSource {
  /** Reads up to `len` bytes into `buf` at `off`; 0 at the end. */
  read(buf: Buffer, off: number, len: number): Promise<number> | number;
  /** compressed bytes consumed so far (for progress), and the file's size */
  readonly position: number;
  readonly size: number;
  readonly gzip: boolean;
  /** set when a gzip limit cut the output: why */
  readonly capped?: string | null;
  close(): void;
}

class FileSource implements ByteSource {
  position = 0;
  readonly gzip = false;
  constructor(private readonly fd: number, readonly size: number) {}
  read(buf: Buffer, off: number, len: number): number {
    const n = fs.readSync(this.fd, buf, off, len, this.position);
    this.position += n;
    return n;
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Limits on what a gzip file may expand to (a gzip bomb stops with a warning, not a full disk or heap). */
export interface GzipLimits {
  /** decompressed bytes at most (default 16 GiB) */
  maxBytes?: number;
  /**
   * decompressed bytes per compressed byte consumed at most, checked after every 1 MiB of output
   * from the first one on (default 100: real captures gzip 2–20×, a synthetic SYN flood 6×;
   * deflate cannot pass 1032×)
   */
  maxRatio?: number;
}

export const GZIP_MAX_BYTES = 16 * 1024 ** 3;
export const GZIP_MAX_RATIO = 100;
/**
 * output below which the ratio is not checked (one output chunk). So the output stops within one
 * chunk of max(GZIP_RATIO_FROM, maxRatio × compressed bytes the inflater consumed).
 */
export const GZIP_RATIO_FROM = 1 << 20;
const GZIP_CHUNK = 1 << 20;

class GzipSource implements ByteSource {
  readonly gzip = true;
  private readonly file: fs.ReadStream;
  private readonly gunzip: zlib.Gunzip;
  private readonly it: AsyncIterator<Buffer>;
  private pending: Buffer | null = null;
  private done = false;
  /** decompressed bytes handed out or pending */
  private out = 0;
  private readonly maxBytes: number;
  private readonly maxRatio: number;
  /** why the output was cut (a limit tripped), or null */
  capped: string | null = null;
  constructor(path: string, readonly size: number, limits: GzipLimits = {}) {
    this.maxBytes = limits.maxBytes ?? GZIP_MAX_BYTES;
    this.maxRatio = limits.maxRatio ?? GZIP_MAX_RATIO;
    this.file = fs.createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = (this.gunzip = zlib.createGunzip({ chunkSize: GZIP_CHUNK }));
    this.file.pipe(gunzip);
    this.file.on("error", (e) => gunzip.destroy(e));
    this.it = gunzip[Symbol.asyncIterator]();
  }
  get position(): number {
    return this.file.bytesRead;
  }
  async read(buf: Buffer, off: number, len: number): Promise<number> {
    let n = 0;
    while (n < len) {
      if (this.pending === null) {
        if (this.done) break;
        if (n > 0) break; // hand over what we have; read more on the next call
        const r = await this.it.next();
        if (r.done) { this.done = true; break; }
        this.pending = this.limit(r.value);
        if (this.pending === null) break;
      }
      const p = this.pending;
      const k = Math.min(p.length, len - n);
      p.copy(buf, off + n, 0, k);
      n += k;
      this.pending = k === p.length ? null : p.subarray(k);
    }
    return n;
  }
  /** Counts a chunk of output against the limits; cuts it (and ends the stream) when one trips. */
  private limit(chunk: Buffer): Buffer | null {
    const before = this.out;
    this.out += chunk.length;
    // what the inflater consumed, not what the file stream read ahead (up to megabytes more)
    const compressed = Math.max(this.gunzip.bytesWritten, 1);
    let allowed = Infinity;
    if (this.out > this.maxBytes) {
      allowed = this.maxBytes - before;
      this.capped = `gzip output exceeds the ${this.maxBytes}-byte limit (gzipMaxBytes)`;
    } else if (this.out > GZIP_RATIO_FROM && this.out > this.maxRatio * compressed) {
      allowed = 0;
      this.capped = `gzip expands more than ${this.maxRatio}× (${this.out} bytes from ${compressed}; gzipMaxRatio): a gzip bomb?`;
    }
    if (this.capped === null) return chunk;
    this.done = true;
    this.file.destroy();
    return allowed > 0 ? chunk.subarray(0, allowed) : null;
  }
  close(): void {
    this.file.destroy();
  }
}

/** Opens a capture file; detects gzip from its first two bytes. Throws fs errors as they are. */
export function openSource(path: string, limits?: GzipLimits): ByteSource {
  const fd = fs.openSync(path, "r");
  const size = fs.fstatSync(fd).size;
  const head = Buffer.alloc(2);
  const n = fs.readSync(fd, head, 0, 2, 0);
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    fs.closeSync(fd);
    return new GzipSource(path, size, limits);
  }
  return new FileSource(fd, size);
}
