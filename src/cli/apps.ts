/**
 * `wirebook dns|http|tls|dhcp|quic FILE [--format tsv|csv|json]`: an application table. TSV is a
 * Zeek log (#fields/#types header, "-" unset, "(empty)" for empty lists, lists joined by ","); CSV
 * has a header row and empty cells for unset; JSON is one object per line without unset fields,
 * lists as arrays (as Zeek's JSON logs).
 */
import { FLOW_FIELDS } from "../flows";
import { APP_NAMES, type AppName, type AppTable } from "../flows/apps";
import { open } from "../table/load";
import { UsageError } from "./main";
import { Output } from "./output";
import { Progress } from "./progress";
import { csvCell } from "./escape";


/** Zeek's TSV escaping: tabs, newlines, backslashes and non-printable bytes as \xNN */
function tsvCell(s: string): string {
  // C1 controls (U+0080–U+009F, which a terminal may take as CSI …) as their UTF-8 bytes
  return s.replace(/[\t\n\r\\\x00-\x1f\x7f-\x9f]/g, (c) => [...Buffer.from(c, "utf8")].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join(""));
}

export function writeApp(t: AppTable, format: string, out: { write(s: string): void }, columns: string[] = t.columns): void {
  const cols = columns.map((c) => t.column(c));
  if (format === "tsv") {
    out.write(`#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t${t.name === "tls" ? "ssl" : t.name}\n`);
    out.write(`#fields\t${columns.join("\t")}\n#types\t${cols.map((c) => c.type).join("\t")}\n`);
    for (let r = 0; r < t.count; r++) out.write(cols.map((c) => tsvCell(c.text(r))).join("\t") + "\n");
  } else if (format === "csv") {
    out.write(columns.join(",") + "\n");
    for (let r = 0; r < t.count; r++) out.write(cols.map((c) => (c.get(r) === undefined ? "" : csvCell(c.text(r)))).join(",") + "\n");
  } else {
    for (let r = 0; r < t.count; r++) {
      const o: Record<string, unknown> = {};
      for (const c of cols) { const v = c.get(r); if (v !== undefined) o[c.name] = v; }
      out.write(JSON.stringify(o) + "\n");
    }
  }
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
      if (!["tsv", "csv", "json"].includes(format)) throw new UsageError(`--format takes tsv, csv or json`);
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
