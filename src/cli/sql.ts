/**
 * `wirebook sql DATASET "SELECT …" [--format tsv|csv|json|table|arrow] [-o FILE]`: SQL (DuckDB)
 * over a dataset's views (packets, flows, dns, http, tls, dhcp, quic, smtp, files, alerts; each
 * with the `capture` column). tsv: a header line and a line a row (NULL empty, cells escaped as
 * Zeek's writer does); csv, json: as every table (src/result/format); table: aligned columns for a
 * terminal; arrow: an Arrow IPC file. A refused query: one line on stderr, exit 2.
 */
import * as fs from "node:fs";
import { sql, SqlError } from "../dataset/sql";
import { writeTable, zeekEscape, type Format, type Sink } from "../result/format";
import type { ResultTable } from "../result/table";
import { UsageError } from "./usage";
import { Output } from "./output";

const SQL_FORMATS = ["tsv", "csv", "json", "table", "arrow"];

/** Plain TSV: the column names, then the rows (NULL: empty cell). */
export function writePlainTsv(t: ResultTable, out: Sink): void {
  const cols = t.columns.map((n) => t.column(n));
  out.write(t.columns.map((n) => zeekEscape(n)).join("\t") + "\n");
  for (let r = 0; r < t.count; r++) out.write(cols.map((c) => (c.get(r) === undefined ? "" : zeekEscape(c.text(r)))).join("\t") + "\n");
}

/** Aligned columns (cells escaped, cut at 60 characters), a rule under the header. */
export function writeAligned(t: ResultTable, out: Sink): void {
  const cols = t.columns.map((n) => t.column(n));
  const cell = (s: string): string => { const e = zeekEscape(s); return e.length > 60 ? e.slice(0, 59) + "…" : e; };
  const rows: string[][] = [];
  for (let r = 0; r < t.count; r++) rows.push(cols.map((c) => (c.get(r) === undefined ? "NULL" : cell(c.text(r)))));
  const head = t.columns.map(cell);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = cols.map((c) => ["int", "double", "count"].includes(c.type));
  const line = (cells: string[]): string => cells.map((x, i) => (numeric[i] ? x.padStart(w[i]) : x.padEnd(w[i]))).join("  ").trimEnd() + "\n";
  out.write(line(head));
  out.write(w.map((n) => "-".repeat(n)).join("  ") + "\n");
  for (const row of rows) out.write(line(row));
  out.write(`(${t.count} row${t.count === 1 ? "" : "s"})\n`);
}

export async function sqlCommand(args: string[]): Promise<number> {
  let format = "tsv", outFile: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format" || a === "-T" || a.startsWith("--format=")) {
      format = a.startsWith("--format=") ? a.slice(9) : args[++i] ?? "";
      if (!SQL_FORMATS.includes(format)) throw new UsageError(`--format takes ${SQL_FORMATS.join(", ")}`);
    } else if (a === "-o" || a === "--out") {
      outFile = args[++i];
      if (outFile === undefined || outFile === "") throw new UsageError(`${a} needs a file`);
    } else if (a.startsWith("-") && a !== "-" && rest.length < 1) throw new UsageError(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length !== 2) throw new UsageError(`sql: give a dataset folder and one query: wirebook sql DATASET "SELECT …"`);
  const [dataset, query] = rest;
  let t: ResultTable;
  try {
    t = await sql(query, { dataset });
  } catch (e) {
    if (e instanceof SqlError) {
      process.stderr.write(`wirebook: sql: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const fd = outFile === undefined ? 1 : fs.openSync(outFile, "w");
  try {
    const out = new Output(fd);
    if (format === "tsv") writePlainTsv(t, out);
    else if (format === "table") writeAligned(t, out);
    else writeTable(t, format as Format, out);
    out.flush();
  } finally {
    if (fd !== 1) fs.closeSync(fd);
  }
  return 0;
}
