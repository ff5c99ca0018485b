/**
 * Developer tool: compares `wirebook fields` with tshark for captures given on the command line.
 *   node dist/test/conformance/compare.js FILE… [--field NAME]
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { CLI } from "../helpers/paths";
import { compareFields, describe, STANDARD_FIELDS, tsharkFields } from "./reference";

export function ourFields(file: string, fields: string[] = STANDARD_FIELDS): string {
  const args = [CLI, "fields", file];
  for (const f of fields) args.push("-e", f);
  return execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
}

/** The reference for `file`: NAME.tshark.tsv beside it when present, else tshark run now. */
export function referenceFor(file: string, fields: string[] = STANDARD_FIELDS): string {
  const tsv = `${file}.tshark.tsv`;
  if (fields === STANDARD_FIELDS && fs.existsSync(tsv)) return fs.readFileSync(tsv, "utf8");
  return tsharkFields(file, fields);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const fi = args.indexOf("--field");
  const fields = fi >= 0 ? ["frame.number", ...args.splice(fi, 2)[1].split(",")] : STANDARD_FIELDS;
  let bad = 0;
  for (const f of args) {
    const c = compareFields(ourFields(f, fields), fields === STANDARD_FIELDS ? referenceFor(f) : tsharkFields(f, fields));
    const ok = c.mismatches.length === 0 && c.rowsOurs === c.rowsTheirs && c.headerEqual;
    if (!ok) bad++;
    console.log(`${ok ? "OK  " : "FAIL"} ${f}${ok ? "" : "\n" + describe(c)}`);
  }
  process.exitCode = bad ? 1 : 0;
}
