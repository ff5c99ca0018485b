/**
 * Column access for the chart builders: whole columns copied into flat typed arrays indexed by the
 * row of the full table (NumColumn.copyTo: no callback or object per packet), and the rows a
 * capture (or a view of it) covers. Dictionary columns come back as codes plus their value table.
 */
import { fieldByName } from "../fields/registry";
import type { Capture } from "../table/capture";
import type { NumColumn } from "../table/column";

/** The rows of the full table a capture covers: `row(i)` for i in 0…count-1. */
export interface Rows {
  count: number;
  /** null: the capture is the whole table (row i is i) */
  index: Uint32Array | null;
  /** rows in the full table (the length of every array below) */
  tableRows: number;
}

export function rowsOf(cap: Capture): Rows {
  const { table, index } = cap.storage;
  return { count: cap.count, index, tableRows: table.count };
}

function numColumn(cap: Capture, name: string): NumColumn | null {
  const def = fieldByName(name);
  if (def === undefined) throw new Error(`unknown field "${name}"`);
  const t = cap.storage.table;
  if (def.storage === "dict") return t.dict[def.id]?.codes ?? null;
  if (def.storage === "derived") throw new Error(`field "${name}" is computed per row; read it with capture.column()`);
  return t.num[def.id] ?? null;
}

/** A numeric column as a Float64Array over the full table; absent rows are NaN. */
export function numbers(cap: Capture, name: string): Float64Array {
  const out = new Float64Array(cap.storage.table.count).fill(NaN);
  const c = numColumn(cap, name);
  if (c !== null) c.copyTo(out);
  return out;
}

/** A dictionary (string, MAC, IPv6) column: codes over the full table (0 = absent) and code → text. */
export function codes(cap: Capture, name: string): { codes: Uint32Array; values: string[] } {
  const def = fieldByName(name);
  if (def === undefined) throw new Error(`unknown field "${name}"`);
  const t = cap.storage.table;
  const out = new Uint32Array(t.count);
  if (def.storage !== "dict") throw new Error(`field "${name}" is not a text field`);
  const d = t.dict[def.id];
  if (d == null) return { codes: out, values: [""] };
  d.codes.copyTo(out);
  return { codes: out, values: d.values };
}

/** frame.len over the full table (0 where a record has none). */
export function frameLengths(cap: Capture): Float64Array {
  const out = new Float64Array(cap.storage.table.count);
  const c = numColumn(cap, "frame.len");
  if (c !== null) c.copyTo(out);
  return out;
}

/** Packet times in epoch seconds over the full table (NaN where a record has none). */
export function epochTimes(cap: Capture): Float64Array {
  const t = cap.storage.table;
  const sec = new Float64Array(t.count).fill(NaN), ns = new Float64Array(t.count);
  t.timeSec.copyTo(sec);
  t.timeNsec.copyTo(ns);
  for (let r = 0; r < sec.length; r++) sec[r] += ns[r] / 1e9;
  return sec;
}

/** A UTC timestamp Plotly's date axes read ("2024-05-01 12:00:00.250"). */
export function dateText(epochSeconds: number): string {
  const ms = Math.round(epochSeconds * 1000);
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** A "nice" step (1, 2, 5 × 10^k, or minutes/hours above 60 s) giving at most `maxBins` bins over `span`. */
export function niceInterval(span: number, maxBins: number): number {
  if (!(span > 0)) return 1;
  const raw = span / maxBins;
  const clock = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  if (raw >= 1) {
    for (const c of clock) if (c >= raw) return c;
    return Math.ceil(raw / 86400) * 86400;
  }
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return +(m * p).toPrecision(1);
  return raw;
}

/** Human units: 1.2 MB, 340 kB. */
export function bytesText(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n, u = -1;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** Seconds as text: "250 ms", "12.5 s", "3 min". */
export function secondsText(s: number): string {
  if (s < 1) return `${+(s * 1000).toPrecision(3)} ms`;
  if (s < 120) return `${+s.toPrecision(3)} s`;
  if (s < 7200) return `${+(s / 60).toPrecision(3)} min`;
  return `${+(s / 3600).toPrecision(3)} h`;
}
