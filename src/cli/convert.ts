/**
 * `wirebook convert INPUT… -o OUT [--jobs N] [--row-group-size N] [--compression zstd|snappy]`:
 * captures (files, folders, globs, gzip) → a Parquet dataset (docs/dataset.md). A progress bar on
 * stderr when it is a terminal; warnings on stderr; a line per capture at the end.
 */
import { convert, convertOne, ConvertError, type ConvertOptions } from "../dataset/convert";
import { UsageError } from "./usage";
import { Progress } from "./progress";

export async function convertCommand(args: string[]): Promise<number> {
  const inputs: string[] = [];
  let out: string | undefined, one = false;
  const opts: ConvertOptions = {};
  const value = (i: number, a: string): string => {
    const v = args[i];
    if (v === undefined || v === "") throw new UsageError(`${a} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-o" || a === "--out") out = value(++i, a);
    else if (a === "--jobs" || a === "-j") {
      const n = Number(value(++i, a));
      if (!Number.isInteger(n) || n < 1) throw new UsageError("--jobs takes a whole number ≥ 1");
      opts.jobs = n;
    } else if (a === "--row-group-size") {
      const n = Number(value(++i, a));
      if (!Number.isInteger(n) || n < 1) throw new UsageError("--row-group-size takes a whole number ≥ 1");
      opts.rowGroupSize = n;
    } else if (a === "--compression") {
      const c = value(++i, a);
      if (c !== "zstd" && c !== "snappy") throw new UsageError("--compression takes zstd or snappy");
      opts.compression = c;
    } else if (a === "--one") one = true; // internal: one capture, the result as JSON on stdout (for --jobs)
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else inputs.push(a);
  }
  if (inputs.length === 0) throw new UsageError("convert: no input given");
  if (out === undefined) throw new UsageError("convert: no output folder given (-o OUT)");
  if (one) {
    const r = await convertOne(inputs[0], out, opts);
    process.stdout.write(JSON.stringify(r));
    return 0;
  }
  const progress = new Progress(process.stderr);
  if ((opts.jobs ?? 1) === 1) opts.onProgress = (p) => progress.update(p.bytes, p.totalBytes, p.packets);
  let res;
  try {
    res = await convert(inputs, out, opts);
  } catch (e) {
    if (!(e instanceof ConvertError)) throw e;
    progress.done();
    process.stderr.write(`wirebook: ${e.message}\n`);
    return 2;
  } finally {
    progress.done();
  }
  for (const i of res.inputs) {
    for (const w of i.warnings) process.stderr.write(`wirebook: warning: ${i.capture}: ${w}\n`);
    const rows = Object.entries(i.rows).filter(([t]) => t !== "packets").map(([t, n]) => `${n} ${t}`).join(", ");
    process.stderr.write(`${i.capture}: ${i.packets} packets; ${rows}\n`);
  }
  return 0;
}
