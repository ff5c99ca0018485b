/** Reading Zeek conn.log baselines and comparing a FlowTable with them as multisets of rows. */
import * as fs from "node:fs";
import type { FlowTable } from "../../src/flows";

/** The comparable columns (../shared/flows/README.md): everything but ts, uid, service, tunnel_parents. */
export const COMPARABLE = ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration", "orig_bytes", "resp_bytes",
  "conn_state", "local_orig", "local_resp", "missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts",
  "resp_ip_bytes", "ip_proto"];

export interface ZeekLog {
  fields: string[];
  rows: Record<string, string>[];
}

export function readZeekLog(file: string): ZeekLog {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  let fields: string[] = [];
  const rows: Record<string, string>[] = [];
  for (const line of lines) {
    if (line.startsWith("#fields\t")) fields = line.split("\t").slice(1);
    if (line === "" || line.startsWith("#")) continue;
    const v = line.split("\t");
    const o: Record<string, string> = {};
    fields.forEach((f, i) => { o[f] = v[i]; });
    rows.push(o);
  }
  return { fields, rows };
}

/** The flags of a .zeek-cmd.txt: -b, -C, and the base/protocols scripts it loads. */
export function readZeekCmd(file: string): { bare: boolean; ignoreChecksums: boolean; scripts: string[] } {
  const text = fs.readFileSync(file, "utf8");
  const exec = text.split("\n").find((l) => /@TEST-EXEC: zeek /.test(l)) ?? "";
  const bare = /\s-b\s/.test(exec);
  const ignoreChecksums = /\s-C\s/.test(exec);
  const scripts = [...text.matchAll(/@load base\/protocols\/([\w-]+)/g)].map((m) => m[1]).filter((s) => s !== "conn");
  return { bare, ignoreChecksums, scripts };
}

/** One row's comparable text (Zeek's formatting) for the given columns. */
export function rowKey(values: string[]): string {
  return values.join("\t");
}

export interface Diff {
  /** rows only Zeek has, and rows only we have (as "col=value" lists) */
  missing: string[];
  extra: string[];
}

export function compareRows(ft: FlowTable, log: ZeekLog, columns: string[]): Diff {
  const ours = new Map<string, number>();
  for (let r = 0; r < ft.count; r++) {
    const k = rowKey(columns.map((c) => ft.column(c).text(r)));
    ours.set(k, (ours.get(k) ?? 0) + 1);
  }
  const missing: string[] = [];
  for (const row of log.rows) {
    const k = rowKey(columns.map((c) => row[c] ?? "-"));
    const n = ours.get(k) ?? 0;
    if (n > 0) ours.set(k, n - 1);
    else missing.push(k);
  }
  const extra: string[] = [];
  for (const [k, n] of ours) for (let i = 0; i < n; i++) extra.push(k);
  return { missing, extra };
}
