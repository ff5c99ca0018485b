/** Shared by the fuzz tier's tests: the corpus folders and a readable failure summary. */
import * as os from "node:os";
import type { Failure } from "../../src/fuzz/check";
import { defaultDirs } from "../../src/fuzz/corpus";
import { ROOT } from "../helpers/paths";

export const DIRS = defaultDirs(ROOT);
export const WORKERS = Math.min(2, Math.max(1, os.availableParallelism()));

/** One line per failure, with how to replay it. */
export function describe(fs: Failure[], target: string, mode: string, seed: number): string {
  return fs.slice(0, 10).map((f) =>
    `${f.kind} at case ${f.index} (${f.from}: ${f.what.join("; ")}): ${f.message.split("\n").slice(0, 3).join(" / ")}\n` +
    `  replay: npm run fuzz -- --target ${target} --mode ${mode} --seed ${seed} --case ${f.index}`).join("\n");
}
