/**
 * `wirebook flows FILE [--format tsv|csv|json] [--all] [--nfstream] [--zeek-scripts a,b] [--max-connections N]`:
 * the capture's connections. TSV is Zeek's conn.log (its header lines, tab-separated, "-" for
 * unset); CSV has a header row and empty cells for unset; JSON is one object per line without the
 * unset fields (as Zeek's JSON logs). --all adds the nfstream-style statistics columns.
 */
import { FLOW_FIELDS, NFSTREAM_COLUMNS, ZEEK_COLUMNS, type FlowTable } from "../flows";
import { open } from "../table/load";
import { UsageError } from "./usage";
import { Output } from "./output";
import { writeTable, type Format, type Sink } from "../result/format";
import { Progress } from "./progress";

/** The flows in a format: TSV is Zeek's conn.log, CSV and JSON lines as every table (src/result/format). */
export function writeFlows(ft: FlowTable, format: string, columns: string[], out: Sink): void {
  writeTable(ft, format as Format, out, { columns });
}

export async function flowsCommand(args: string[]): Promise<number> {
  let file: string | undefined, format = "tsv", all = false, nfstream = false;
  let scripts: string[] | undefined;
  let maxConnections: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format" || a === "-T") {
      format = args[++i] ?? "";
      if (!["tsv", "csv", "json", "arrow"].includes(format)) throw new UsageError(`--format takes tsv, csv, json or arrow`);
    } else if (a.startsWith("--format=")) {
      format = a.slice(9);
      if (!["tsv", "csv", "json", "arrow"].includes(format)) throw new UsageError(`--format takes tsv, csv, json or arrow`);
    } else if (a === "--all") all = true;
    else if (a === "--nfstream") nfstream = true;
    else if (a === "--max-connections") {
      maxConnections = Number(args[++i]);
      if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new UsageError("--max-connections takes a whole number of at least 1");
    } else if (a === "--zeek-scripts") scripts = (args[++i] ?? "").split(",").filter((s) => s !== "");
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError("flows: no capture file given");
  const progress = new Progress(process.stderr);
  const cap = await open(file, { columns: FLOW_FIELDS, onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const ft = cap.flows({ mode: nfstream ? "nfstream" : "zeek", zeekScripts: scripts, maxConnections });
  for (const w of ft.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const columns = [...ZEEK_COLUMNS, ...(all || nfstream ? NFSTREAM_COLUMNS : [])];
  const out = new Output(1);
  writeFlows(ft, format, columns, out);
  out.flush();
  return 0;
}
