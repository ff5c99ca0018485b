/**
 * `wirebook alerts FILE [--rules FILE.rules …] [--no-detectors] [--format tsv|csv|json]
 * [--midstream] [--async-oneside] [--var NAME=VALUE …] [--show-secrets]`: the detectors' alerts
 * (src/detect) and, with --rules, signature alerts (src/rules) in one table, one row per alert.
 * `--rules` alone with `--no-detectors` prints the rule engine's own columns (sid, rev, gid …).
 * TSV and CSV have a header row; JSON is one object per line without unset fields. Unsupported
 * and malformed rules are reported on stderr (and skipped).
 */
import * as fs from "node:fs";
import { AlertTable as DetectorAlerts, DETECT_FIELDS, detect } from "../detect";
import { load, type AlertTable } from "../rules";
import { open } from "../table/load";
import { UsageError } from "./main";
import { Output } from "./output";
import { Progress } from "./progress";
import { csvCell, escapeControls } from "./escape";


export function writeAlerts(a: AlertTable, format: string, out: { write(s: string): void }): void {
  const cols = a.columns.map((c) => a.column(c));
  if (format === "json") {
    for (let r = 0; r < a.count; r++) {
      const o: Record<string, unknown> = {};
      for (const c of cols) { const v = c.get(r); if (v !== undefined) o[c.name] = v; }
      out.write(JSON.stringify(o) + "\n");
    }
    return;
  }
  const sep = format === "csv" ? "," : "\t";
  const cell = format === "csv" ? csvCell : (s: string) => escapeControls(s.replace(/[\t\n\r]/g, " "));
  out.write(a.columns.join(sep) + "\n");
  for (let r = 0; r < a.count; r++) out.write(cols.map((c) => cell(c.text(r))).join(sep) + "\n");
}

export async function alertsCommand(args: string[]): Promise<number> {
  let file: string | undefined, format = "tsv", midstream = false, asyncOneside = false;
  let detectors = true, showSecrets = false;
  const ruleFiles: string[] = [];
  const vars: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--rules" || a === "-r") {
      const f = args[++i];
      if (f === undefined) throw new UsageError("--rules needs a file");
      ruleFiles.push(f);
    } else if (a.startsWith("--rules=")) ruleFiles.push(a.slice(8));
    else if (a === "--format" || a === "-T" || a.startsWith("--format=")) {
      format = a.startsWith("--format=") ? a.slice(9) : args[++i] ?? "";
      if (!["tsv", "csv", "json"].includes(format)) throw new UsageError("--format takes tsv, csv or json");
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
  if (ruleFiles.length === 0 && !detectors) throw new UsageError("alerts: nothing to run (--no-detectors and no --rules FILE.rules)");
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
  const cap = await open(file, { columns: DETECT_FIELDS, onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const ruleAlerts = rs === undefined ? undefined : await rs.match(cap, { midstream, asyncOneside });
  if (rs !== undefined && ruleAlerts !== undefined) {
    for (const w of ruleAlerts.warnings.slice(rs.warnings.length)) process.stderr.write(`wirebook: warning: ${w}\n`);
  }
  const out = new Output(1);
  if (!detectors && ruleAlerts !== undefined) {
    writeAlerts(ruleAlerts, format, out);
  } else {
    const ours = await detect(cap, { showSecrets });
    const all = ruleAlerts === undefined ? ours : DetectorAlerts.concat(ours, DetectorAlerts.from(ruleAlerts.inputs(), cap));
    out.write(all.format(format as "tsv" | "csv" | "json"));
  }
  out.flush();
  return 0;
}
