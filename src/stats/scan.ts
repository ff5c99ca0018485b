/**
 * Bulk reads of capture columns for the statistics: one typed array per column over the
 * capture's rows (a view's rows in view order), filled with copyTo, never a value object per row.
 */
import { fieldByName } from "../fields/registry";
import type { Capture } from "../table/capture";
import type { TableBuilder } from "../table/builder";
import type { NumColumn } from "../table/column";

export interface Scan {
  /** rows of the capture (or view) */
  n: number;
  t: TableBuilder;
  /** for a view: full-table row of each view row */
  index: Uint32Array | null;
}

export function scanOf(cap: Capture): Scan {
  const { table, index } = cap.storage;
  return { n: cap.count, t: table, index };
}

/** Gathers a full-table array into view order (identity for a whole capture). */
function gather<A extends Float64Array | Uint32Array>(s: Scan, full: A, make: (n: number) => A): A {
  if (s.index === null) return full;
  const out = make(s.n), idx = s.index;
  for (let i = 0; i < s.n; i++) out[i] = full[idx[i]];
  return out;
}

function numColumn(s: Scan, name: string): NumColumn | null {
  const def = fieldByName(name);
  if (def === undefined) throw new Error(`unknown field "${name}"`);
  if (def.storage === "dict" || def.storage === "derived" || def.from !== undefined) throw new Error(`field "${name}" is not a stored number`);
  return s.t.num[def.id];
}

/** Values of a numeric field per row; `fill` (NaN by default) where absent or not loaded. */
export function nums(s: Scan, name: string, fill = NaN): Float64Array {
  const c = numColumn(s, name);
  const full = new Float64Array(s.t.count).fill(fill);
  if (c !== null) c.copyTo(full);
  return gather(s, full, (n) => new Float64Array(n));
}

/** Values of a numeric field; throws a clear error when the field was not loaded. */
export function requireNums(s: Scan, name: string, fill = NaN): Float64Array {
  if (numColumn(s, name) === null) throw new Error(`field "${name}" was not loaded (see the columns option of open())`);
  return nums(s, name, fill);
}

/** Dictionary codes of a string/address field per row (0 = absent), with the code → text table. */
export function codes(s: Scan, name: string): { codes: Uint32Array; values: string[] } {
  const def = fieldByName(name);
  if (def === undefined) throw new Error(`unknown field "${name}"`);
  if (def.storage !== "dict") throw new Error(`field "${name}" is not dictionary-encoded`);
  const c = s.t.dict[def.id];
  const full = new Uint32Array(s.t.count);
  if (c === null) return { codes: gather(s, full, (n) => new Uint32Array(n)), values: [""] };
  c.codes.copyTo(full);
  return { codes: gather(s, full, (n) => new Uint32Array(n)), values: c.values };
}

/** whether a field has storage in this table (it was loaded) */
export function loaded(s: Scan, name: string): boolean {
  const def = fieldByName(name);
  if (def === undefined) return false;
  return def.storage === "dict" ? s.t.dict[def.id] !== null : s.t.num[def.id] !== null;
}

/** frame.len per row. */
export function frameLens(s: Scan): Float64Array {
  return nums(s, "frame.len", 0);
}

/** Protocol-path id per row (the trie behind frame.protocols). */
export function pathIds(s: Scan): Uint32Array {
  const full = new Uint32Array(s.t.count);
  s.t.protoPath.copyTo(full);
  return gather(s, full, (n) => new Uint32Array(n));
}

/**
 * Seconds since the capture's first timed packet (frame.time_relative), per row; NaN for a
 * record without a time. Relative to the whole file's first packet also for a view, as tshark's
 * rel_ts is.
 */
export function relTimes(s: Scan): Float64Array {
  const t = s.t, n = t.count;
  const sec = new Float64Array(n).fill(NaN), ns = new Float64Array(n);
  t.timeSec.copyTo(sec);
  t.timeNsec.copyTo(ns);
  let s0 = NaN, n0 = 0;
  for (let r = 0; r < n; r++) if (sec[r] === sec[r]) { s0 = sec[r]; n0 = ns[r]; break; }
  for (let r = 0; r < n; r++) sec[r] = (sec[r] - s0) + (ns[r] - n0) / 1e9;
  return gather(s, sec, (k) => new Float64Array(k));
}
