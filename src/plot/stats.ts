/**
 * Where the charts get their numbers: `wb.stats` (src/stats: the tshark -z statistics as
 * StatTables). Chart builders only ever read such tables (`columns` and `cells`), so a chart can
 * also be drawn from a StatTable the caller computed (a filtered capture, another tool).
 */
import type { Capture } from "../table/capture";
import * as statsModule from "../stats";
import type { ConvType } from "../stats";
import { codes, numbers } from "../table/bulk";
import { AddrTable } from "../stream/packets";

export type { ConvType } from "../stats";
export type Cell = number | string | null;

/** What the charts read from a statistics table (src/stats' StatTable satisfies it). */
export interface StatTableLike {
  columns: string[];
  cells: Cell[][];
}

export function isStatTable(x: unknown): x is StatTableLike {
  return typeof x === "object" && x !== null && Array.isArray((x as StatTableLike).columns) && Array.isArray((x as StatTableLike).cells);
}

/** The column index of `name`; throws naming the columns present. */
export function col(t: StatTableLike, name: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new Error(`statistics table has no column "${name}" (columns: ${t.columns.join(", ")})`);
  return i;
}

/** The part of src/stats the charts and the report use. */
export interface StatsApi {
  hierarchy(cap: Capture): StatTableLike;
  conversations(cap: Capture, type: ConvType): StatTableLike;
  endpoints(cap: Capture, type: ConvType): StatTableLike;
  topN(cap: Capture, field: string, n?: number, by?: "frames" | "bytes"): StatTableLike;
}

export function stats(): StatsApi {
  return statsModule;
}

// ------------------------------------------------------------------ endpoints of one packet (tcpSequence)

/** A dictionary column's values numbered in `addrs` (NaN: absent), written where `out` is NaN. */
function fillAddrs(addrs: AddrTable, cap: Capture, name: string, out: Float64Array): void {
  const c = codes(cap, name);
  const map = addrs.idsOf(c.values);
  for (let r = 0; r < out.length; r++) if (out[r] !== out[r] && c.codes[r] !== 0) out[r] = map[c.codes[r]];
}

export interface EndpointKeys {
  src: Float64Array;
  dst: Float64Array;
  address(k: number): string;
  port(k: number): number | null;
}

/** Per row: the source and destination endpoint of a conversation type as numbers (NaN: none). */
export function endpointKeys(cap: Capture, type: ConvType): EndpointKeys {
  const addrs = new AddrTable();
  const n = cap.count;
  if (type === "eth" || type === "ipv6") {
    const src = new Float64Array(n).fill(NaN), dst = new Float64Array(n).fill(NaN);
    fillAddrs(addrs, cap, `${type}.src`, src);
    fillAddrs(addrs, cap, `${type}.dst`, dst);
    return { src, dst, address: (k) => addrs.text(k), port: () => null };
  }
  const src = numbers(cap, "ip.src"), dst = numbers(cap, "ip.dst");
  if (type === "ip") return { src, dst, address: (k) => addrs.text(k), port: () => null };
  fillAddrs(addrs, cap, "ipv6.src", src);
  fillAddrs(addrs, cap, "ipv6.dst", dst);
  const sp = numbers(cap, `${type}.srcport`), dp = numbers(cap, `${type}.dstport`);
  // address number × 65536 + port stays below 2^49: exact in a double
  for (let r = 0; r < n; r++) {
    if (sp[r] !== sp[r] || src[r] !== src[r] || dst[r] !== dst[r]) { src[r] = dst[r] = NaN; continue; }
    src[r] = src[r] * 65536 + sp[r];
    dst[r] = dst[r] * 65536 + dp[r];
  }
  return { src, dst, address: (k) => addrs.text(Math.floor(k / 65536)), port: (k) => k % 65536 };
}
