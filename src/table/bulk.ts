/**
 * Bulk reads of packet columns: one typed array per column, filled with NumColumn.copyTo (no
 * value object or callback per row). The one place outside the table's own readers where stored
 * columns are read in bulk: statistics, detectors, charts, flows and the stream layer all read
 * through here.
 *
 * Two levels:
 *  - by row of a capture or a view (`numbers`, `codes`, `epochTimes`, `pathIds`, `malformedRows`):
 *    array index i is row i of what the caller holds (a view's rows in view order);
 *  - by row of the full table (`copyNumbers`, `copyCodes`, `copyTimes`), for the stream layer,
 *    which keeps per-packet arrays of the whole table and walks a view through its index.
 *
 * Absent values: NaN (or the `fill` asked for) in number arrays, code 0 in code arrays (a
 * dictionary never gives a value code 0; `values[0]` is ""). A field that was not loaded (the
 * `columns` option of open()) reads as absent everywhere; an unknown field name, a field computed
 * per row (frame.number, tcp.flags.syn …) or a number read of a text field throws.
 */
import { fieldByName, type FieldDef } from "../fields/registry";
import type { TableBuilder } from "./builder";
import type { Capture } from "./capture";
import type { NumColumn } from "./column";

/** the typed arrays a column can be copied into */
export type NumericArray = Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array;

function field(name: string): FieldDef {
  const def = fieldByName(name);
  if (def === undefined) throw new Error(`unknown field "${name}"`);
  return def;
}

function numColumn(t: TableBuilder, name: string): NumColumn | null {
  const def = field(name);
  if (def.storage === "dict") throw new Error(`field "${name}" is text (read its codes)`);
  if (def.storage === "derived" || def.from !== undefined) {
    throw new Error(`field "${name}" is computed per row; read it with capture.column()`);
  }
  return t.num[def.id];
}

function dictOf(t: TableBuilder, name: string): { codes: NumColumn; values: string[] } | null {
  const def = field(name);
  if (def.storage !== "dict") throw new Error(`field "${name}" is not a text field`);
  return t.dict[def.id];
}

/** The table and view rows behind a capture (the one reader of Capture.storage here). */
function rowsOf(cap: Capture): { t: TableBuilder; index: Uint32Array | null } {
  const { table, index } = cap.storage;
  return { t: table, index };
}

/** Reorders a full-table array into the capture's rows (the array itself for a whole capture). */
function gather<A extends NumericArray>(index: Uint32Array | null, full: A, make: (n: number) => A): A {
  if (index === null) return full;
  const out = make(index.length);
  for (let i = 0; i < index.length; i++) out[i] = full[index[i]];
  return out;
}

// ---------------------------------------------------------------------------------------------
// by row of the full table

/** Copies a numeric field's stored values into out[row of the table]; absent rows keep what `out` holds. False when not loaded. */
export function copyNumbers(t: TableBuilder, name: string, out: NumericArray): boolean {
  const c = numColumn(t, name);
  if (c === null) return false;
  c.copyTo(out);
  return true;
}

/** Copies a text field's codes into out[row of the table] (absent rows untouched); its code → text table, or null when not loaded. */
export function copyCodes(t: TableBuilder, name: string, out: NumericArray): string[] | null {
  const d = dictOf(t, name);
  if (d === null) return null;
  d.codes.copyTo(out);
  return d.values;
}

/** Record times of the table's rows: seconds and nanoseconds (sec NaN, nsec 0 where a record has none). */
export function copyTimes(t: TableBuilder): { sec: Float64Array; nsec: Float64Array } {
  const sec = new Float64Array(t.count).fill(NaN), nsec = new Float64Array(t.count);
  t.timeSec.copyTo(sec);
  t.timeNsec.copyTo(nsec);
  return { sec, nsec };
}

// ---------------------------------------------------------------------------------------------
// by row of the capture or view

/** Number of rows of the full table behind a capture (a view's base capture). */
export function tableRows(cap: Capture): number {
  return rowsOf(cap).t.count;
}

/** Whether a stored field was loaded (a field computed per row: whether its source was). */
export function isLoaded(cap: Capture, name: string): boolean {
  const { t } = rowsOf(cap);
  const def = field(name);
  const src = def.from ?? def;
  if (src.storage === "derived") return true;
  return src.storage === "dict" ? t.dict[src.id] !== null : t.num[src.id] !== null;
}

/** A numeric field per row; `fill` (NaN by default) where absent or not loaded. */
export function numbers(cap: Capture, name: string, fill = NaN): Float64Array {
  const { t, index } = rowsOf(cap);
  const full = new Float64Array(t.count).fill(fill);
  copyNumbers(t, name, full);
  return gather(index, full, (n) => new Float64Array(n));
}

/** A numeric field per row as 32-bit integers; `fill` (-1 by default) where absent or not loaded. */
export function ints(cap: Capture, name: string, fill = -1): Int32Array {
  const { t, index } = rowsOf(cap);
  const full = new Int32Array(t.count).fill(fill);
  copyNumbers(t, name, full);
  return gather(index, full, (n) => new Int32Array(n));
}

/** A text (string, MAC, IPv6) field per row: codes (0 absent) into `values` (code → text). */
export function codes(cap: Capture, name: string): { codes: Int32Array; values: string[] } {
  const { t, index } = rowsOf(cap);
  const full = new Int32Array(t.count);
  const values = copyCodes(t, name, full) ?? [""];
  return { codes: gather(index, full, (n) => new Int32Array(n)), values };
}

/** Packet times per row, epoch seconds (NaN where a record has none). */
export function epochTimes(cap: Capture): Float64Array {
  const { t, index } = rowsOf(cap);
  const { sec, nsec } = copyTimes(t);
  for (let r = 0; r < sec.length; r++) sec[r] += nsec[r] / 1e9;
  return gather(index, sec, (n) => new Float64Array(n));
}

/**
 * Seconds since the first timed packet of the whole capture (frame.time_relative, also for a
 * view, as tshark's rel_ts is) per row; NaN where a record has no time.
 */
export function relativeTimes(cap: Capture): Float64Array {
  const { t, index } = rowsOf(cap);
  const { sec, nsec } = copyTimes(t);
  let s0 = NaN, n0 = 0;
  for (let r = 0; r < sec.length; r++) if (sec[r] === sec[r]) { s0 = sec[r]; n0 = nsec[r]; break; }
  for (let r = 0; r < sec.length; r++) sec[r] = (sec[r] - s0) + (nsec[r] - n0) / 1e9;
  return gather(index, sec, (n) => new Float64Array(n));
}

/** The protocol paths of a capture: per row an id, per id its frame.protocols text and last layer. */
export interface PathIds {
  ids: Uint32Array;
  /** frame.protocols text of each id ("eth:ethertype:ip:tcp"; "" for id 0, no layer) */
  paths: string[];
  /** the last layer of each id ("tcp") */
  last: string[];
}

/** Protocol-path id per row (the trie behind frame.protocols), with the ids' texts. */
export function pathIds(cap: Capture): PathIds {
  const { t, index } = rowsOf(cap);
  const full = new Uint32Array(t.count);
  t.protoPath.copyTo(full);
  return { ids: gather(index, full, (n) => new Uint32Array(n)), paths: t.paths.nodes.map((n) => n.path), last: t.paths.nodes.map((n) => n.name) };
}

/** Per row: 1 where a decoder flagged the packet malformed. */
export function malformedRows(cap: Capture): Uint8Array {
  const { t, index } = rowsOf(cap);
  const full = new Uint8Array(t.count);
  t.malformed.copyTo(full);
  return gather(index, full, (n) => new Uint8Array(n));
}

/** Per row: 1 where the record has a comment (pcapng). */
export function commentedRows(cap: Capture): Uint8Array {
  const { t, index } = rowsOf(cap);
  const full = new Uint8Array(t.count);
  for (const r of t.comments.keys()) if (r < full.length) full[r] = 1;
  return gather(index, full, (n) => new Uint8Array(n));
}

/** Per row: 1 where the field has a value (numbers or text; not for fields computed per row). */
export function presentRows(cap: Capture, name: string): Uint8Array {
  const { t, index } = rowsOf(cap);
  const def = field(name);
  const full = new Uint8Array(t.count);
  const c = def.storage === "dict" ? t.dict[def.id]?.codes : def.storage === "derived" || def.from ? null : t.num[def.id];
  if (c != null) c.forEach((r) => { full[r] = 1; });
  return gather(index, full, (n) => new Uint8Array(n));
}
