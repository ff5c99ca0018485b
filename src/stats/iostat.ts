/**
 * I/O over time, as `tshark -q -z io,stat,INTERVAL[,FILTER…]`: one row per interval from the
 * capture's first packet to its last (empty intervals included), with frames and bytes
 * (frame.len) in it, then one frames column per display filter, or per protocol / field value.
 *
 * A packet falls in interval floor(frame.time_relative / interval), as in tshark. Options:
 *   filters: display filters (Wireshark syntax): one column each, named by the filter;
 *   by: "protocol": one column per highest-layer protocol (the last protocol tshark's io,phs
 *       names for the packet); or a field name: one column per value of the field. The 8 most
 *       frequent get a column each, the rest are summed in "other".
 */
import { fieldByName, formatNumber } from "../fields/registry";
import { filterRows } from "../filter";
import type { Capture } from "../table/capture";
import { phsNames } from "./hierarchy";
import { codes, numbers, pathIds, relativeTimes } from "../table/bulk";
import { StatTable, type Cell } from "./table";

export interface IoStatOptions {
  by?: "protocol" | string;
  filters?: string[];
  /** columns for `by` (the most frequent values); the rest go to "other" (default 8) */
  top?: number;
}

/** at most this many intervals (a tiny interval over a long capture would be unbounded memory) */
export const MAX_INTERVALS = 10_000_000;

/** Per-row category codes (-1: none) and their names, for `by`. */
function categories(cap: Capture, by: string): { code: Int32Array; names: string[] } {
  const code = new Int32Array(cap.count).fill(-1);
  if (by === "protocol") {
    const { ids, paths } = pathIds(cap);
    const names: string[] = [], byName = new Map<string, number>();
    const perPath = paths.map((path) => {
      const p = phsNames(path);
      const top = p.length > 0 ? p[p.length - 1] : "";
      if (top === "") return -1;
      let c = byName.get(top);
      if (c === undefined) { c = names.length; names.push(top); byName.set(top, c); }
      return c;
    });
    for (let i = 0; i < cap.count; i++) code[i] = perPath[ids[i]];
    return { code, names };
  }
  const def = fieldByName(by);
  if (def === undefined) throw new Error(`ioStat: unknown field "${by}"`);
  if (def.storage === "dict") {
    const { codes: c, values } = codes(cap, by);
    for (let i = 0; i < cap.count; i++) code[i] = c[i] === 0 ? -1 : c[i];
    return { code, names: values };
  }
  if (def.storage === "derived" || def.from !== undefined) {
    const col = cap.column(by);
    const names: string[] = [], byName = new Map<string, number>();
    for (let i = 0; i < cap.count; i++) {
      const t = col.text(i);
      if (t === "") continue;
      let c = byName.get(t);
      if (c === undefined) { c = names.length; names.push(t); byName.set(t, c); }
      code[i] = c;
    }
    return { code, names };
  }
  const v = numbers(cap, by);
  const names: string[] = [], byValue = new Map<number, number>();
  for (let i = 0; i < cap.count; i++) {
    const x = v[i];
    if (x !== x) continue;
    let c = byValue.get(x);
    if (c === undefined) { c = names.length; names.push(formatNumber(def, x)); byValue.set(x, c); }
    code[i] = c;
  }
  return { code, names };
}

export function ioStat(cap: Capture, interval: number, opts: IoStatOptions = {}): StatTable {
  if (!(typeof interval === "number" && interval > 0 && Number.isFinite(interval))) throw new Error(`ioStat: the interval must be a positive number of seconds, not ${interval}`);
  const time = relativeTimes(cap), len = numbers(cap, "frame.len", 0);
  let maxT = 0;
  for (let i = 0; i < cap.count; i++) if (time[i] > maxT) maxT = time[i];
  const bins = cap.count === 0 ? 0 : Math.floor(maxT / interval) + 1;
  if (bins > MAX_INTERVALS) throw new Error(`ioStat: ${bins} intervals of ${interval} s; at most ${MAX_INTERVALS} (use a longer interval)`);
  const bin = new Int32Array(cap.count);
  const frames = new Float64Array(bins), bytes = new Float64Array(bins);
  for (let i = 0; i < cap.count; i++) {
    const t = time[i];
    // a record without a time, or before the first packet, counts in the first interval
    const k = t === t && t > 0 ? Math.floor(t / interval) : 0;
    bin[i] = k;
    frames[k]++;
    bytes[k] += len[i];
  }
  const extraNames: string[] = [], extra: Float64Array[] = [];
  for (const f of opts.filters ?? []) {
    const rows = filterRows(cap, f);
    const col = new Float64Array(bins);
    for (let j = 0; j < rows.length; j++) col[bin[rows[j]]]++;
    extraNames.push(f);
    extra.push(col);
  }
  if (opts.by !== undefined) {
    const { code, names } = categories(cap, opts.by);
    const total = new Float64Array(names.length);
    for (let i = 0; i < cap.count; i++) if (code[i] >= 0) total[code[i]]++;
    const top = Math.max(0, opts.top ?? 8);
    const ranked = names.map((_, c) => c).filter((c) => total[c] > 0).sort((p, q) => total[q] - total[p] || p - q);
    const keep = ranked.slice(0, top), rest = ranked.length > top;
    const colOf = new Int32Array(names.length).fill(keep.length);
    keep.forEach((c, k) => { colOf[c] = k; });
    const cols = Array.from({ length: keep.length + (rest ? 1 : 0) }, () => new Float64Array(bins));
    for (let i = 0; i < cap.count; i++) {
      const c = code[i];
      if (c < 0) continue;
      const k = colOf[c];
      if (k < cols.length) cols[k][bin[i]]++;
    }
    keep.forEach((c, k) => { extraNames.push(names[c]); extra.push(cols[k]); });
    if (rest) { extraNames.push("other"); extra.push(cols[keep.length]); }
  }
  const rows: Cell[][] = [];
  for (let k = 0; k < bins; k++) {
    const r: Cell[] = [k * interval, frames[k], bytes[k]];
    for (const col of extra) r.push(col[k]);
    rows.push(r);
  }
  return new StatTable(["interval_start", "frames", "bytes", ...extraNames], rows);
}
