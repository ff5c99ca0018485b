/** Where tests find the repository, the built CLI, and the shared corpus (beside the clone). */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

/** the repository root (tests run from dist/test/…) */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const CLI = path.join(ROOT, "bin", "wirebook");
export const DATA = path.join(ROOT, "data");

/** ../shared beside the repository (or $WIREBOOK_SHARED), when present */
export const SHARED: string | undefined = (() => {
  const p = process.env.WIREBOOK_SHARED ?? path.resolve(ROOT, "..", "shared");
  return fs.existsSync(path.join(p, "pcaps")) ? p : undefined;
})();

export const NO_SHARED = "../shared is absent (a user's fresh clone): the shared-corpus tier is skipped";

export function hasTool(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
