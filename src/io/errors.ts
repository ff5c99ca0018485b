/** A capture that cannot be read: names the file and the byte offset of the damage. */
export class CaptureError extends Error {
  constructor(readonly file: string, readonly offset: number, readonly reason: string) {
    super(`${file}: ${reason} (at byte offset ${offset})`);
    this.name = "CaptureError";
  }
}
