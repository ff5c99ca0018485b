/** Buffered synchronous output to a file descriptor (fast for millions of lines; handles EPIPE). */
import * as fs from "node:fs";

export class Output {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 16) this.flush();
  }
  /** binary output (the Arrow IPC file), after the text written before it */
  writeBytes(b: Uint8Array): void {
    this.flush();
    this.writeAll(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(""), "utf8");
    this.parts = [];
    this.size = 0;
    this.writeAll(buf);
  }
  private writeAll(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      try {
        off += fs.writeSync(this.fd, buf, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") continue;
        if (code === "EPIPE") process.exit(0);
        throw e;
      }
    }
  }
}
