/** A progress bar on stderr, only when stderr is a terminal. */
export class Progress {
  private last = 0;
  private readonly on: boolean;
  constructor(private readonly out: NodeJS.WriteStream) {
    this.on = out.isTTY === true;
  }
  update(bytes: number, total: number, packets: number): void {
    if (!this.on) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const frac = total > 0 ? Math.min(1, bytes / total) : 0;
    const width = 30, full = Math.round(frac * width);
    this.out.write(`\r[${"#".repeat(full)}${" ".repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${packets} packets`);
  }
  done(): void {
    if (this.on) this.out.write("\r\x1b[K");
  }
}
