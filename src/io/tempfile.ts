/**
 * Temporary files that a planted symlink cannot redirect: a random name in the target's own
 * folder (so the rename is atomic and never crosses file systems), created exclusively (O_EXCL
 * does not follow a symlink and fails on any existing name), then renamed over the target.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

/** A fresh, unpredictable name beside `target`: `.NAME.<random>.tmp` in the same folder. */
export function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(8).toString("hex")}.tmp`);
}

/** Writes `data` to `target` through an exclusive temporary file beside it and a rename. */
export function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o666): void {
  const tmp = tempBeside(target);
  fs.writeFileSync(tmp, data, { flag: "wx", mode });
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
