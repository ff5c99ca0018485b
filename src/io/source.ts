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

class GzipSource implements ByteSource {
  readonly gzip = true;
  private readonly file: fs.ReadStream;
  private readonly it: AsyncIterator<Buffer>;
  private pending: Buffer | null = null;
  private done = false;
  constructor(path: string, readonly size: number) {
    this.file = fs.createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
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
        this.pending = r.value;
      }
      const p = this.pending;
      const k = Math.min(p.length, len - n);
      p.copy(buf, off + n, 0, k);
      n += k;
      this.pending = k === p.length ? null : p.subarray(k);
    }
    return n;
  }
  close(): void {
    this.file.destroy();
  }
}

/** Opens a capture file; detects gzip from its first two bytes. Throws fs errors as they are. */
export function openSource(path: string): ByteSource {
  const fd = fs.openSync(path, "r");
  const size = fs.fstatSync(fd).size;
  const head = Buffer.alloc(2);
  const n = fs.readSync(fd, head, 0, 2, 0);
  if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    fs.closeSync(fd);
    return new GzipSource(path, size);
  }
  return new FileSource(fd, size);
}
