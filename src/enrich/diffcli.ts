/** `wirebook diff A B [--format tsv|csv|json] [-o diff.html]`: what changed between two captures. */
import * as fs from "node:fs";
import * as path from "node:path";
import { open } from "../table/load";
import "../flows";
import "../flows/apps";
import "../detect";
import { UsageError } from "../cli/usage";
import { Output } from "../cli/output";
import { writeTable, type Format } from "../result/format";
import { diff } from "./diff";
import { diffPage } from "./diffhtml";

/** Parses `--format F` / `--format=F` / `-o FILE` and the positional files of a command. */
export function parseArgs(args: string[], command: string): { files: string[]; format: Format; out?: string } {
  const files: string[] = [];
  let format: Format = "tsv", out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format" || a.startsWith("--format=")) {
      const v = a.startsWith("--format=") ? a.slice(9) : args[++i];
      if (v !== "tsv" && v !== "csv" && v !== "json") throw new UsageError(`${command}: --format takes tsv, csv or json`);
      format = v;
    } else if (a === "-o") {
      out = args[++i];
      if (out === undefined) throw new UsageError(`${command}: -o needs a file`);
    } else if (a.startsWith("-")) throw new UsageError(`${command}: unknown option ${a}`);
    else files.push(a);
  }
  return { files, format, out };
}

export async function diffCommand(args: string[]): Promise<number> {
  const { files, format, out } = parseArgs(args, "diff");
  if (files.length !== 2) throw new UsageError("diff needs two capture files: diff A B");
  const [a, b] = [await open(files[0]), await open(files[1])];
  for (const w of [...a.warnings, ...b.warnings]) process.stderr.write(`wirebook: warning: ${w}\n`);
  const t = await diff(a, b);
  if (out !== undefined) {
    fs.writeFileSync(out, diffPage(t, path.basename(files[0]), path.basename(files[1])));
    process.stderr.write(`${t.count} changes; wrote ${out}\n`);
    return 0;
  }
  const o = new Output(1);
  writeTable(t, format, o, { path: "diff" });
  o.flush();
  return 0;
}
