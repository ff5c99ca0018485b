/**
 * `wirebook flows FILE [--format tsv|csv|json] [--all] [--nfstream] [--zeek-scripts a,b]`:
 * the capture's connections. TSV is Zeek's conn.log (its header lines, tab-separated, "-" for
 * unset); CSV has a header row and empty cells for unset; JSON is one object per line without the
 * unset fields (as Zeek's JSON logs). --all adds the nfstream-style statistics columns.
 */
import { FLOW_FIELDS, NFSTREAM_COLUMNS, ZEEK_COLUMNS, type FlowTable } from "../flows";
import { open } from "../table/load";
import { UsageError } from "./main";
import { Output } from "./output";
import { Progress } from "./progress";
import { csvCell } from "./escape";


export function writeFlows(ft: FlowTable, format: string, columns: string[], out: { write(s: string): void }): void {
  const cols = columns.map((c) => ft.column(c));
  if (format === "tsv") {
    out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n");
    out.write(`#fields\t${columns.join("\t")}\n#types\t${cols.map((c) => c.type === "bool" ? "bool" : c.type === "port" ? "port" : c.type === "addr" ? "addr" : c.type).join("\t")}\n`);
    for (let r = 0; r < ft.count; r++) out.write(cols.map((c) => c.text(r)).join("\t") + "\n");
  } else if (format === "csv") {
    out.write(columns.join(",") + "\n");
    for (let r = 0; r < ft.count; r++) out.write(cols.map((c) => { const t = c.text(r); return t === "-" && c.get(r) === undefined ? "" : csvCell(t); }).join(",") + "\n");
  } else {
    for (let r = 0; r < ft.count; r++) {
      const o: Record<string, unknown> = {};
      for (const c of cols) { const v = c.get(r); if (v !== undefined) o[c.name] = v; }
      out.write(JSON.stringify(o) + "\n");
    }
  }
}

export async function flowsCommand(args: string[]): Promise<number> {
  let file: string | undefined, format = "tsv", all = false, nfstream = false;
  let scripts: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format" || a === "-T") {
      format = args[++i] ?? "";
      if (!["tsv", "csv", "json"].includes(format)) throw new UsageError(`--format takes tsv, csv or json`);
    } else if (a.startsWith("--format=")) {
      format = a.slice(9);
      if (!["tsv", "csv", "json"].includes(format)) throw new UsageError(`--format takes tsv, csv or json`);
    } else if (a === "--all") all = true;
    else if (a === "--nfstream") nfstream = true;
    else if (a === "--zeek-scripts") scripts = (args[++i] ?? "").split(",").filter((s) => s !== "");
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError("flows: no capture file given");
  const progress = new Progress(process.stderr);
  const cap = await open(file, { columns: FLOW_FIELDS, onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const ft = cap.flows({ mode: nfstream ? "nfstream" : "zeek", zeekScripts: scripts });
  for (const w of ft.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const columns = [...ZEEK_COLUMNS, ...(all || nfstream ? NFSTREAM_COLUMNS : [])];
  const out = new Output(1);
  writeFlows(ft, format, columns, out);
  out.flush();
  return 0;
}
