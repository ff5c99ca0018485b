/**
 * `wirebook alerts FILE [--rules FILE.rules …] [--no-detectors] [--format tsv|csv|json]
 * [--detector FILE.js …] [--midstream] [--async-oneside] [--var NAME=VALUE …] [--show-secrets]`: the detectors' alerts
 * (src/detect) and, with --rules, signature alerts (src/rules) in one table, one row per alert.
 * TSV is a Zeek-style log (#fields, #types; "-" unset), CSV has a header row, JSON is one object
 * per line without unset fields (src/result/format). Unsupported
 * and malformed rules are reported on stderr (and skipped).
 */
import * as fs from "node:fs";
import { AlertTable, DETECT_FIELDS, detect } from "../detect";
import { load, RULE_FIELDS } from "../rules";
import { loadDetectorFile } from "../custom/load";
import { writeTable, type Format } from "../result/format";
import { open } from "../table/load";
import { UsageError } from "./usage";
import { Output } from "./output";
import { Progress } from "./progress";

export async function alertsCommand(args: string[]): Promise<number> {
  let file: string | undefined, format = "tsv", midstream = false, asyncOneside = false;
  let detectors = true, showSecrets = false;
  const ruleFiles: string[] = [], detectorFiles: string[] = [];
  const vars: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--rules" || a === "-r") {
      const f = args[++i];
      if (f === undefined) throw new UsageError("--rules needs a file");
      ruleFiles.push(f);
    } else if (a.startsWith("--rules=")) ruleFiles.push(a.slice(8));
    else if (a === "--detector") {
      const f = args[++i];
      if (f === undefined) throw new UsageError("--detector needs a file (a module exporting a detector)");
      detectorFiles.push(f);
    } else if (a.startsWith("--detector=")) detectorFiles.push(a.slice(11));
    else if (a === "--format" || a === "-T" || a.startsWith("--format=")) {
      format = a.startsWith("--format=") ? a.slice(9) : args[++i] ?? "";
      if (!["tsv", "csv", "json", "arrow"].includes(format)) throw new UsageError("--format takes tsv, csv, json or arrow");
    } else if (a === "--midstream") midstream = true;
    else if (a === "--no-detectors") detectors = false;
    else if (a === "--show-secrets") showSecrets = true;
    else if (a === "--async-oneside") asyncOneside = true;
    else if (a === "--var") {
      const kv = args[++i] ?? "";
      const eq = kv.indexOf("=");
      if (eq <= 0) throw new UsageError("--var takes NAME=VALUE (e.g. HOME_NET=[10.0.0.0/8])");
      vars[kv.slice(0, eq).replace(/^\$/, "")] = kv.slice(eq + 1);
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError("alerts: no capture file given");
  const mine = detectorFiles.flatMap(loadDetectorFile);
  if (ruleFiles.length === 0 && !detectors && mine.length === 0) throw new UsageError("alerts: nothing to run (--no-detectors and no --rules FILE.rules)");
  const texts: string[] = [];
  for (const f of ruleFiles) {
    try {
      texts.push(fs.readFileSync(f, "utf8"));
    } catch (e) {
      throw new UsageError(`cannot read rules file ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const rs = ruleFiles.length > 0 ? load(texts.join("\n"), { vars }) : undefined;
  if (rs !== undefined) {
    for (const w of rs.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
    if (rs.active.length === 0) process.stderr.write("wirebook: warning: no usable rules\n");
  }
  const progress = new Progress(process.stderr);
  // your own detectors may read any field (your own protocols' too): every column then
  const columns = mine.length > 0 ? undefined : rs === undefined ? DETECT_FIELDS : [...new Set([...DETECT_FIELDS, ...RULE_FIELDS])];
  const cap = await open(file, { columns, onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const ruleAlerts = rs === undefined ? undefined : await rs.match(cap, { midstream, asyncOneside });
  if (rs !== undefined && ruleAlerts !== undefined) {
    for (const w of ruleAlerts.warnings.slice(rs.warnings.length)) process.stderr.write(`wirebook: warning: ${w}\n`);
  }
  const out = new Output(1);
  const ours = detectors || mine.length > 0 ? await detect(cap, { showSecrets, detectors: detectors ? undefined : mine }) : undefined;
  const all = ours === undefined ? (ruleAlerts as AlertTable) : ruleAlerts === undefined ? ours : AlertTable.concat(ours, ruleAlerts);
  writeTable(all, format as Format, out);
  out.flush();
  return 0;
}
