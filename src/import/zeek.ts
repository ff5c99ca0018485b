/**
 * Zeek logs: TSV (the `#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`,
 * `#fields`, `#types` header; `\xNN` escapes) or JSON lines (one object per line, as
 * `LogAscii::use_json` writes), plain or gzip. Numbers (`time`, `interval`, `count`, `int`,
 * `port`, `double`) become numeric columns, `bool` boolean ones, the rest text (sets and vectors
 * joined by ","). Given a capture (or its FlowTable), rows that name a connection (`id.orig_h` …)
 * are joined to our flows by 5-tuple and time: the `wirebook_uid` column.
 *
 *   const conn = wb.importZeek("conn.log", cap);   conn.joinRate; conn.toDataFrame();
 */
import * as fs from "fs";
import * as zlib from "zlib";
import type { FlowTable } from "../flows/table";
import type { Capture } from "../table/capture";
import { ColumnBuilder, LogTable, type JoinOptions } from "./log";

const NUMERIC = new Set(["time", "interval", "count", "int", "port", "double"]);

/** the text of a file, gunzipped when it starts with gzip's magic */
export function readText(path: string): string {
  const b = fs.readFileSync(path);
  return (b.length > 2 && b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b).toString("utf8");
}

function unescapeZeek(s: string): string {
  return s.includes("\\x") ? s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))) : s;
}

/** Parses Zeek log text (TSV or JSON lines). */
export function parseZeek(text: string): LogTable {
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== "") ?? "";
  return first.trimStart().startsWith("{") ? parseJsonLines(lines, "zeek") : parseTsv(lines);
}

function parseTsv(lines: string[]): LogTable {
  const meta: Record<string, string> = { separator: "\t", set_separator: ",", empty_field: "(empty)", unset_field: "-" };
  let fields: string[] = [], types: string[] = [];
  const warnings: string[] = [];
  let builders: ColumnBuilder[] = [];
  let n = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (line === "") continue;
    if (line.startsWith("#")) {
      const sp = line.startsWith("#separator") ? " " : meta.separator;
      const k = line.indexOf(sp);
      const name = (k < 0 ? line : line.slice(0, k)).slice(1);
      const value = k < 0 ? "" : line.slice(k + 1);
      if (name === "separator") meta.separator = unescapeZeek(value);
      else if (name === "fields") fields = value.split(meta.separator);
      else if (name === "types") types = value.split(meta.separator);
      else meta[name] = value;
      if (name === "fields" || name === "types") {
        builders = fields.map((f, i) => new ColumnBuilder(f, types[i] ?? "", NUMERIC.has(types[i] ?? "") ? "number" : types[i] === "bool" ? "bool" : types.length ? "string" : undefined));
      }
      continue;
    }
    if (fields.length === 0) { if (warnings.length < 5) warnings.push(`line ${li + 1}: data before a #fields header: skipped`); continue; }
    const cells = line.split(meta.separator);
    if (cells.length !== fields.length && warnings.length < 5) warnings.push(`line ${li + 1}: ${cells.length} fields for ${fields.length} columns`);
    for (let i = 0; i < fields.length; i++) {
      const c = cells[i];
      if (c === undefined || c === meta.unset_field) { builders[i].push(n, null); continue; }
      const v = c === meta.empty_field ? "" : unescapeZeek(c);
      const ty = types[i] ?? "";
      if (NUMERIC.has(ty)) { const x = Number(v); builders[i].push(n, v.trim() !== "" && Number.isFinite(x) ? x : null); }
      else if (ty === "bool") builders[i].push(n, v === "T" ? true : v === "F" ? false : null);
      else builders[i].push(n, (ty.startsWith("set") || ty.startsWith("vector")) && meta.set_separator !== "," ? v.split(meta.set_separator).join(",") : v);
    }
    n++;
  }
  return new LogTable(builders, n, warnings, meta);
}

/** JSON lines: nested objects flattened with dots ("alert.signature"); arrays joined by ","; bad lines skipped. */
export function parseJsonLines<T extends LogTable = LogTable>(lines: string[], what: string,
  Table: new (b: ColumnBuilder[], n: number, w: string[], m: Record<string, string>) => T = LogTable as never): T {
  const builders = new Map<string, ColumnBuilder>();
  const warnings: string[] = [];
  let n = 0, bad = 0;
  const put = (prefix: string, o: Record<string, unknown>, row: number) => {
    for (const [k, v] of Object.entries(o)) {
      const name = prefix + k;
      if (v !== null && typeof v === "object" && !Array.isArray(v)) { put(name + ".", v as Record<string, unknown>, row); continue; }
      let b = builders.get(name);
      if (b === undefined) builders.set(name, (b = new ColumnBuilder(name, "json")));
      b.push(row, v === null || v === undefined ? null : Array.isArray(v) ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",")
        : typeof v === "number" || typeof v === "boolean" || typeof v === "string" ? v : String(v));
    }
  };
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === "") continue;
    let o: unknown;
    try {
      // integers past 2^53 (Suricata's flow_id) would lose digits: keep them as text
      o = JSON.parse(line.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
    } catch (e) {
      if (++bad <= 5) warnings.push(`line ${li + 1}: not JSON (${(e as Error).message}): skipped`);
      continue;
    }
    if (o === null || typeof o !== "object" || Array.isArray(o)) { if (++bad <= 5) warnings.push(`line ${li + 1}: not a JSON object: skipped`); continue; }
    put("", o as Record<string, unknown>, n);
    n++;
  }
  if (bad > 5) warnings.push(`${bad - 5} more bad lines in the ${what} log`);
  return new Table([...builders.values()], n, warnings, what === "eve" ? { format: "json", path: "eve" } : { format: "json" });
}

export interface ImportOptions extends JoinOptions {}

/**
 * Reads a Zeek log (TSV or JSON lines, plain or gzip); with a capture (or its flows), joins rows
 * naming a connection to its flow (conn.log rows one to one).
 */
export function importZeek(path: string, capture?: Capture | FlowTable, o: ImportOptions = {}): LogTable {
  const t = parseZeek(readText(path));
  if (capture !== undefined) {
    const isConn = t.meta.path === "conn" || (t.has("conn_state") && t.has("history"));
    t.joinOn(capture, { a: "id.orig_h", b: "id.resp_h", pa: "id.orig_p", pb: "id.resp_p", proto: "proto" }, (v) => v ?? "tcp",
      { oneToOne: isConn, ...o });
  }
  return t;
}
