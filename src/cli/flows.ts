/**
 * `wirebook flows FILE [FILE …] [-T tsv|csv|json] [-Y FILTER] [--all] [--nfstream] [--zeek-scripts a,b]
 * [--max-connections N]`:
 * the captures' connections. TSV is Zeek's conn.log (its header lines, tab-separated, "-" for
 * unset); CSV has a header row and empty cells for unset; JSON is one object per line without the
 * unset fields (as Zeek's JSON logs). --all adds the nfstream-style statistics columns. With
 * several files, a first column `capture` names each row's file. Usage: src/cli/specs.ts (FLOWS).
 */
import { FLOW_FIELDS, NFSTREAM_COLUMNS, ZEEK_COLUMNS, type FlowTable } from "../flows";
import { Output } from "./output";
import { writeTable, type Format, type Sink, type TableSource } from "../result/format";
import { count, flag, parseArgs, str } from "./options";
import { UsageError } from "./usage";
import { FLOWS } from "./specs";
import { openInputs, stacked } from "./inputs";
import { showControls } from "../result/format/escape";

/** The flows in a format: TSV is Zeek's conn.log, CSV and JSON lines as every table (src/result/format). */
export function writeFlows(ft: FlowTable | TableSource, format: string, columns: string[], out: Sink): void {
  writeTable(ft, format as Format, out, { columns });
}

export async function flowsCommand(args: string[]): Promise<number> {
  const p = parseArgs(FLOWS, args);
  const format = str(p, "format") ?? "tsv";
  const nfstream = flag(p, "nfstream");
  const scripts = str(p, "zeekScripts")?.split(",").filter((s) => s !== "");
  const maxConnections = count(p, "maxConnections", "--max-connections");
  if (maxConnections === 0) throw new UsageError("--max-connections takes a whole number of at least 1");
  const columns = [...ZEEK_COLUMNS, ...(flag(p, "all") || nfstream ? NFSTREAM_COLUMNS : [])];
  const caps = await openInputs(p.inputs, FLOW_FIELDS, str(p, "filter"));
  const tables = caps.map(({ capture, cap }) => {
    const ft = cap.flows({ mode: nfstream ? "nfstream" : "zeek", zeekScripts: scripts, maxConnections });
    for (const w of ft.warnings) process.stderr.write(`wirebook: warning: ${caps.length > 1 ? capture + ": " : ""}${showControls(w)}\n`);
    return { capture, table: ft };
  });
  const out = new Output(1);
  if (tables.length === 1) writeFlows(tables[0].table, format, columns, out);
  else writeFlows(stacked(tables, columns), format, ["capture", ...columns], out);
  out.flush();
  return 0;
}
