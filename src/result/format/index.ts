/**
 * One writer per format for every result table: Zeek ASCII TSV, CSV (RFC 4180), JSON lines. Each
 * has one escaping rule (./escape.ts; docs/tables.md). Writers take a sink (`{ write(s) }`, e.g.
 * the CLI's buffered Output) or return the text (`toTsv`, `toCsv`, `toJsonLines`, `formatTable`).
 */
import type { Column, Value } from "../table";
import { csvEscape, jsonString, zeekEscape } from "./escape";

export { zeekEscape, csvEscape, jsonString } from "./escape";

export interface TableSource {
  readonly name: string;
  readonly count: number;
  readonly columns: string[];
  column(name: string): Column;
}

export interface Sink {
  write(s: string): void;
  /** binary output (the Arrow IPC file); sinks without it cannot take `arrow` */
  writeBytes?(b: Uint8Array): void;
}

export type Format = "tsv" | "csv" | "json" | "arrow";
export const FORMATS: Format[] = ["tsv", "csv", "json"];

export interface WriteOptions {
  /** the columns written, in order (default: all) */
  columns?: string[];
  /** TSV: the `#path` line (default: the table's name) */
  path?: string;
}

class Text implements Sink {
  parts: string[] = [];
  write(s: string): void { this.parts.push(s); }
  toString(): string { return this.parts.join(""); }
}

const TIMEISH = /^(vector|set)\[(interval|time)\]$/;

/** the text of one element of a list value */
function elementText(type: string, x: string | number): string {
  return typeof x === "number" ? (TIMEISH.test(type) ? x.toFixed(6) : String(x)) : x;
}

/** a Zeek TSV cell: "-" unset, "(empty)" for "" and empty lists, escaped text */
function tsvCell(c: Column, r: number): string {
  const v = c.get(r);
  if (v === undefined) return "-";
  if (Array.isArray(v)) return v.length === 0 ? "(empty)" : v.map((x) => zeekEscape(elementText(c.type, x), true)).join(",");
  const t = c.text(r);
  if (t === "") return "(empty)";
  // a value that reads as the unset mark gets its first character escaped, as Zeek does
  if (t === "-") return "\\x2d";
  return zeekEscape(t);
}

/** Zeek's ASCII log: the header lines (#separator … #types), one line a row. */
export function writeTsv(t: TableSource, out: Sink, o: WriteOptions = {}): void {
  const names = o.columns ?? t.columns;
  const cols = names.map((n) => t.column(n));
  out.write(`#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t${zeekEscape(o.path ?? t.name)}\n`);
  out.write(`#fields\t${names.map((n) => zeekEscape(n)).join("\t")}\n#types\t${cols.map((c) => c.type).join("\t")}\n`);
  for (let r = 0; r < t.count; r++) {
    let line = "";
    for (let i = 0; i < cols.length; i++) line += (i === 0 ? "" : "\t") + tsvCell(cols[i], r);
    out.write(line + "\n");
  }
}

/** a CSV cell: "" unset, lists joined by ",", escaped and quoted */
function csvCell(c: Column, r: number): string {
  const v = c.get(r);
  if (v === undefined) return "";
  if (Array.isArray(v)) return csvEscape(v.map((x) => elementText(c.type, x)).join(","));
  return csvEscape(c.text(r));
}

/** CSV: a header row of the column names, one row a line ("\n" line ends). */
export function writeCsv(t: TableSource, out: Sink, o: WriteOptions = {}): void {
  const names = o.columns ?? t.columns;
  const cols = names.map((n) => t.column(n));
  out.write(names.map(csvEscape).join(",") + "\n");
  for (let r = 0; r < t.count; r++) {
    let line = "";
    for (let i = 0; i < cols.length; i++) line += (i === 0 ? "" : ",") + csvCell(cols[i], r);
    out.write(line + "\n");
  }
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const NUMERIC = new Set(["time", "interval", "count", "int", "double", "port"]);

/** a JSON number: the column's text when it is one (so 1.075407 stays 1.075407), else the value's */
function jsonNumber(text: string, v: number): string {
  if (JSON_NUMBER.test(text)) return text;
  return Number.isFinite(v) ? JSON.stringify(v) : "null";
}

function jsonValue(c: Column, r: number, v: Exclude<Value, undefined>): string {
  if (Array.isArray(v)) {
    return `[${v.map((x) => (typeof x === "number" ? jsonNumber(elementText(c.type, x), x) : jsonString(x))).join(",")}]`;
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return NUMERIC.has(c.type) ? jsonNumber(c.text(r), v) : jsonNumber(String(v), v);
  return jsonString(v);
}

/** JSON lines: one object a row, unset fields left out (as Zeek's JSON logs). */
export function writeJsonLines(t: TableSource, out: Sink, o: WriteOptions = {}): void {
  const names = o.columns ?? t.columns;
  const cols = names.map((n) => t.column(n));
  const keys = names.map(jsonString);
  for (let r = 0; r < t.count; r++) {
    let line = "{";
    for (let i = 0; i < cols.length; i++) {
      const v = cols[i].get(r);
      if (v === undefined) continue;
      line += (line.length > 1 ? "," : "") + keys[i] + ":" + jsonValue(cols[i], r, v);
    }
    out.write(line + "}\n");
  }
}

/** Writes `t` in one of the formats. */
export function writeTable(t: TableSource, format: Format, out: Sink, o: WriteOptions = {}): void {
  if (format === "tsv") writeTsv(t, out, o);
  else if (format === "csv") writeCsv(t, out, o);
  else if (format === "json") writeJsonLines(t, out, o);
  else if (format === "arrow") writeArrow(t, out, o);
  else throw new Error(`unknown format "${format as string}": tsv, csv, json or arrow`);
}

/** An Arrow IPC file (src/dataset/arrow.ts; apache-arrow is loaded on first use) to a binary sink. */
export function writeArrow(t: TableSource, out: Sink, o: WriteOptions = {}): void {
  if (out.writeBytes === undefined) throw new Error("the arrow format is binary: this output takes text only");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { arrowIpc } = require("../../dataset/arrow") as typeof import("../../dataset/arrow");
  out.writeBytes(arrowIpc(t, o.columns));
}

/** The text of `t` in a format (not arrow, which is binary). */
export function formatTable(t: TableSource, format: Format, o: WriteOptions = {}): string {
  const s = new Text();
  writeTable(t, format, s, o);
  return s.toString();
}

export const toTsv = (t: TableSource, o?: WriteOptions): string => formatTable(t, "tsv", o);
export const toCsv = (t: TableSource, o?: WriteOptions): string => formatTable(t, "csv", o);
export const toJsonLines = (t: TableSource, o?: WriteOptions): string => formatTable(t, "json", o);
