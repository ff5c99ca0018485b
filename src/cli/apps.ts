/**
 * `wirebook dns|http|tls|dhcp|quic|smtp FILE [--format tsv|csv|json]`: an application table. TSV is a
 * Zeek log (#fields/#types header, "-" unset, "(empty)" for empty lists, lists joined by ","); CSV
 * has a header row and empty cells for unset; JSON is one object per line without unset fields,
 * lists as arrays (as Zeek's JSON logs).
 */
import { FLOW_FIELDS } from "../flows";
import { APP_NAMES, type AppName, type AppTable } from "../flows/apps";
import { open } from "../table/load";
import { UsageError } from "./usage";
import { Output } from "./output";
import { writeTable, type Format, type Sink } from "../result/format";
import { Progress } from "./progress";

/** An application table in a format (TSV: a Zeek log with its #path; src/result/format). */
export function writeApp(t: AppTable, format: string, out: Sink, columns: string[] = t.columns): void {
  writeTable(t, format as Format, out, { columns, path: t.logPath });
}

/** The fields the second pass needs besides FLOW_FIELDS (none today: kept for clarity). */
const APP_FIELDS = [...FLOW_FIELDS, "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.len", "udp.length"];

export async function appCommand(name: string, args: string[]): Promise<number> {
  if (!(APP_NAMES as string[]).includes(name)) throw new UsageError(`unknown table "${name}"`);
  let file: string | undefined, format = "tsv";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format" || a === "-T" || a.startsWith("--format=")) {
      format = a.startsWith("--format=") ? a.slice(9) : args[++i] ?? "";
      if (!["tsv", "csv", "json", "arrow"].includes(format)) throw new UsageError(`--format takes tsv, csv, json or arrow`);
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError(`${name}: no capture file given`);
  const progress = new Progress(process.stderr);
  const cap = await open(file, { columns: APP_FIELDS, onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const ft = cap.flows();
  for (const w of ft.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const t = await (cap as unknown as Record<AppName, (o: object) => Promise<AppTable>>)[name as AppName]({ flows: ft });
  for (const w of t.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const out = new Output(1);
  writeApp(t, format, out);
  out.flush();
  return 0;
}
