/**
 * `wirebook dns|http|tls|dhcp|quic|smtp FILE [FILE …] [-T tsv|csv|json] [-Y FILTER]`: an application
 * table. TSV is a Zeek log (#fields/#types header, "-" unset, "(empty)" for empty lists, lists joined
 * by ","); CSV has a header row and empty cells for unset; JSON is one object per line without unset
 * fields, lists as arrays (as Zeek's JSON logs). -Y keeps the matching packets before the flows and
 * the table are made. With several files, a first column `capture` names each row's file.
 */
import { FLOW_FIELDS } from "../flows";
import { APP_NAMES, type AppName, type AppTable } from "../flows/apps";
import { UsageError } from "./usage";
import { Output } from "./output";
import { writeTable, type Format, type Sink } from "../result/format";
import { showControls } from "../result/format/escape";
import { parseArgs, str } from "./options";
import { appSpec } from "./specs";
import { openInputs, stacked } from "./inputs";

/** An application table in a format (TSV: a Zeek log with its #path; src/result/format). */
export function writeApp(t: AppTable, format: string, out: Sink, columns: string[] = t.columns): void {
  writeTable(t, format as Format, out, { columns, path: t.logPath });
}

/** The fields the second pass needs besides FLOW_FIELDS. */
const APP_FIELDS = [...FLOW_FIELDS, "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.len", "udp.length"];

export async function appCommand(name: string, args: string[]): Promise<number> {
  if (!(APP_NAMES as string[]).includes(name)) throw new UsageError(`unknown table "${name}"`);
  const p = parseArgs(appSpec(name), args);
  const format = str(p, "format") ?? "tsv";
  const caps = await openInputs(p.inputs, APP_FIELDS, str(p, "filter"));
  const warn = (capture: string, w: string) => process.stderr.write(`wirebook: warning: ${caps.length > 1 ? capture + ": " : ""}${showControls(w)}\n`);
  const tables: { capture: string; table: AppTable }[] = [];
  for (const { capture, cap } of caps) {
    const ft = cap.flows();
    for (const w of ft.warnings) warn(capture, w);
    const t = await (cap as unknown as Record<AppName, (o: object) => Promise<AppTable>>)[name as AppName]({ flows: ft });
    for (const w of t.warnings) warn(capture, w);
    tables.push({ capture, table: t });
  }
  const out = new Output(1);
  if (tables.length === 1) writeApp(tables[0].table, format, out);
  else {
    const t0 = tables[0].table;
    writeTable(stacked(tables, t0.columns), format as Format, out, { path: t0.logPath });
  }
  out.flush();
  return 0;
}
