/**
 * Where the charts get their numbers: `wb.stats` (src/stats) when it is present, otherwise the
 * columnar aggregations below, which produce tables with the same columns (the contract of
 * src/stats: StatTable with `columns` and `rows`). Chart builders only ever read such tables, so a
 * chart can also be drawn from a StatTable the caller computed (a filtered capture, another tool).
 */
import type { Capture } from "../table/capture";
import { codes, epochTimes, frameLengths, keyed, numbers, rowsOf } from "./columns";
import { formatIPv4 } from "../fields/registry";

export type Cell = number | string | null;

/** What the charts read from a statistics table (src/stats' StatTable satisfies it). */
export interface StatTableLike {
  columns: string[];
  rows: Cell[][];
}

export function isStatTable(x: unknown): x is StatTableLike {
  return typeof x === "object" && x !== null && Array.isArray((x as StatTableLike).columns) && Array.isArray((x as StatTableLike).rows);
}

/** The column index of `name`; throws naming the columns present. */
export function col(t: StatTableLike, name: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new Error(`statistics table has no column "${name}" (columns: ${t.columns.join(", ")})`);
  return i;
}

export type ConvType = "eth" | "ip" | "ipv6" | "tcp" | "udp";

/** The part of src/stats the charts use. */
export interface StatsApi {
  hierarchy(cap: Capture): StatTableLike;
  conversations(cap: Capture, type: ConvType): StatTableLike;
  endpoints(cap: Capture, type: ConvType): StatTableLike;
  topN(cap: Capture, field: string, n?: number, by?: string): StatTableLike;
}

let statsApi: StatsApi | null | undefined;

/** src/stats when it is built into this package, else the aggregations of this file. */
export function stats(): StatsApi {
  if (statsApi === undefined) {
    statsApi = null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const m = require("../stats") as Partial<StatsApi>;
      if (typeof m.hierarchy === "function" && typeof m.conversations === "function" &&
        typeof m.endpoints === "function" && typeof m.topN === "function") statsApi = m as StatsApi;
    } catch (e) {
      if ((e as { code?: string }).code !== "MODULE_NOT_FOUND" || !String((e as Error).message).includes("../stats")) throw e;
    }
  }
  return statsApi ?? builtin;
}

/** For tests: force the built-in aggregations (true) or the src/stats lookup (false). */
export function useBuiltinStats(on: boolean): void {
  statsApi = on ? null : undefined;
}

// ------------------------------------------------------------------ built-in aggregations

/** Addresses of one kind as numbers: IPv4 as their value, others as 2^32 + an id shared by src and dst. */
class Addrs {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [];
  id(text: string): number {
    let i = this.ids.get(text);
    if (i === undefined) { i = this.texts.length; this.texts.push(text); this.ids.set(text, i); }
    return 2 ** 32 + i;
  }
  text(a: number): string {
    return a >= 2 ** 32 ? this.texts[a - 2 ** 32] : formatIPv4(a);
  }
  /** a dictionary column mapped onto address numbers (NaN: absent), written where `out` is NaN */
  fill(cap: Capture, name: string, out: Float64Array): void {
    const c = codes(cap, name);
    const map = new Float64Array(c.values.length);
    for (let k = 1; k < c.values.length; k++) map[k] = this.id(c.values[k]);
    for (let r = 0; r < out.length; r++) if (out[r] !== out[r] && c.codes[r] !== 0) out[r] = map[c.codes[r]];
  }
}

export interface EndpointKeys {
  src: Float64Array;
  dst: Float64Array;
  address(k: number): string;
  port(k: number): number | null;
}

/** Per row of the full table: the source and destination endpoint of a conversation type as numbers (NaN: none). */
export function endpointKeys(cap: Capture, type: ConvType): EndpointKeys {
  const addrs = new Addrs();
  const n = cap.storage.table.count;
  if (type === "eth" || type === "ipv6") {
    const src = new Float64Array(n).fill(NaN), dst = new Float64Array(n).fill(NaN);
    addrs.fill(cap, `${type}.src`, src);
    addrs.fill(cap, `${type}.dst`, dst);
    return { src, dst, address: (k) => addrs.text(k), port: () => null };
  }
  const src = numbers(cap, "ip.src"), dst = numbers(cap, "ip.dst");
  if (type === "ip") return { src, dst, address: (k) => addrs.text(k), port: () => null };
  addrs.fill(cap, "ipv6.src", src);
  addrs.fill(cap, "ipv6.dst", dst);
  const sp = numbers(cap, `${type}.srcport`), dp = numbers(cap, `${type}.dstport`);
  // address number × 65536 + port stays below 2^49: exact in a double
  for (let r = 0; r < n; r++) {
    if (sp[r] !== sp[r] || src[r] !== src[r] || dst[r] !== dst[r]) { src[r] = dst[r] = NaN; continue; }
    src[r] = src[r] * 65536 + sp[r];
    dst[r] = dst[r] * 65536 + dp[r];
  }
  return { src, dst, address: (k) => addrs.text(Math.floor(k / 65536)), port: (k) => k % 65536 };
}

function forRows(cap: Capture, fn: (r: number) => void): void {
  const { count, index } = rowsOf(cap);
  if (index === null) for (let r = 0; r < count; r++) fn(r);
  else for (let i = 0; i < count; i++) fn(index[i]);
}

function conversations(cap: Capture, type: ConvType): StatTableLike {
  const k = endpointKeys(cap, type), len = frameLengths(cap), time = epochTimes(cap);
  const pairs = new Map<number, Map<number, number>>();
  const A: number[] = [], B: number[] = [], fab: number[] = [], bab: number[] = [], fba: number[] = [], bba: number[] = [];
  const first: number[] = [], last: number[] = [];
  let t0 = Infinity;
  forRows(cap, (r) => {
    const t = time[r];
    if (t < t0) t0 = t;
    const s = k.src[r], d = k.dst[r];
    if (s !== s || d !== d) return;
    const lo = s < d ? s : d, hi = s < d ? d : s;
    let m = pairs.get(lo);
    if (m === undefined) { m = new Map(); pairs.set(lo, m); }
    let c = m.get(hi);
    if (c === undefined) {
      c = A.length; m.set(hi, c);
      A.push(s); B.push(d); fab.push(0); bab.push(0); fba.push(0); bba.push(0); first.push(t); last.push(t);
    }
    if (s === A[c]) { fab[c]++; bab[c] += len[r]; } else { fba[c]++; bba[c] += len[r]; }
    if (t < first[c]) first[c] = t;
    if (t > last[c]) last[c] = t;
  });
  const rows: Cell[][] = A.map((a, c) => [k.address(a), k.port(a), k.address(B[c]), k.port(B[c]), fab[c], bab[c], fba[c], bba[c],
    fab[c] + fba[c], bab[c] + bba[c], first[c] === first[c] ? first[c] - t0 : null, last[c] - first[c] === last[c] - first[c] ? last[c] - first[c] : null]);
  rows.sort((x, y) => (y[9] as number) - (x[9] as number));
  return { columns: ["address_a", "port_a", "address_b", "port_b", "frames_a_to_b", "bytes_a_to_b", "frames_b_to_a", "bytes_b_to_a",
    "frames", "bytes", "rel_start", "duration"], rows };
}

function endpoints(cap: Capture, type: ConvType): StatTableLike {
  const k = endpointKeys(cap, type), len = frameLengths(cap);
  const at = new Map<number, number>();
  const key: number[] = [], tf: number[] = [], tb: number[] = [], rf: number[] = [], rb: number[] = [];
  const slot = (x: number): number => {
    let i = at.get(x);
    if (i === undefined) { i = key.length; at.set(x, i); key.push(x); tf.push(0); tb.push(0); rf.push(0); rb.push(0); }
    return i;
  };
  forRows(cap, (r) => {
    const s = k.src[r], d = k.dst[r];
    if (s !== s || d !== d) return;
    const a = slot(s); tf[a]++; tb[a] += len[r];
    if (d === s) return;
    const b = slot(d); rf[b]++; rb[b] += len[r];
  });
  const rows: Cell[][] = key.map((x, i) => [k.address(x), k.port(x), tf[i] + rf[i], tb[i] + rb[i], tf[i], tb[i], rf[i], rb[i]]);
  rows.sort((x, y) => (y[3] as number) - (x[3] as number));
  return { columns: ["address", "port", "frames", "bytes", "tx_frames", "tx_bytes", "rx_frames", "rx_bytes"], rows };
}

function topN(cap: Capture, field: string, n = 10, by = "frames"): StatTableLike {
  const { keys, text } = keyed(cap, field), len = frameLengths(cap);
  const at = new Map<number, number>();
  const key: number[] = [], fr: number[] = [], by_: number[] = [];
  let totalF = 0, totalB = 0;
  forRows(cap, (r) => {
    const x = keys[r];
    if (x !== x) return;
    let i = at.get(x);
    if (i === undefined) { i = key.length; at.set(x, i); key.push(x); fr.push(0); by_.push(0); }
    fr[i]++; by_[i] += len[r]; totalF++; totalB += len[r];
  });
  const order = key.map((_, i) => i).sort((a, b) => (by === "bytes" ? by_[b] - by_[a] || fr[b] - fr[a] : fr[b] - fr[a] || by_[b] - by_[a]));
  const rows = order.slice(0, n).map((i): Cell[] => [text(key[i]), fr[i], by_[i], by === "bytes" ? (totalB > 0 ? by_[i] / totalB : 0) : (totalF > 0 ? fr[i] / totalF : 0)]);
  return { columns: ["value", "frames", "bytes", "share"], rows };
}

/** Protocol hierarchy from the protocol-path column: every path prefix with its frames and bytes (tshark io,phs order, "frame" and "ethertype" left out as tshark does). */
function hierarchy(cap: Capture): StatTableLike {
  const t = cap.storage.table;
  const pathOf = new Float64Array(t.count);
  t.protoPath.copyTo(pathOf);
  const len = frameLengths(cap);
  const nodes = t.paths.nodes;
  const f = new Float64Array(nodes.length), b = new Float64Array(nodes.length);
  forRows(cap, (r) => { const p = pathOf[r]; f[p]++; b[p] += len[r]; });
  // visible tree: a node per visible path prefix; totals = sums over the paths below it
  interface Node { path: string; protocol: string; depth: number; frames: number; bytes: number; children: Map<string, Node>; order: number }
  const root: Node = { path: "", protocol: "", depth: -1, frames: 0, bytes: 0, children: new Map(), order: 0 };
  let seq = 0;
  for (let id = 0; id < nodes.length; id++) {
    if (f[id] === 0) continue;
    let cur = root;
    for (const name of nodes[id].path.split(":")) {
      if (name === "" || name === "frame" || name === "ethertype") continue;
      let c = cur.children.get(name);
      if (c === undefined) {
        c = { path: cur.path === "" ? name : `${cur.path}:${name}`, protocol: name, depth: cur.depth + 1, frames: 0, bytes: 0, children: new Map(), order: seq++ };
        cur.children.set(name, c);
      }
      c.frames += f[id]; c.bytes += b[id];
      cur = c;
    }
  }
  const rows: Cell[][] = [];
  const walk = (n: Node) => {
    const kids = [...n.children.values()].sort((x, y) => x.order - y.order);
    for (const c of kids) { rows.push([c.path, c.protocol, c.depth, c.frames, c.bytes]); walk(c); }
  };
  walk(root);
  return { columns: ["path", "protocol", "depth", "frames", "bytes"], rows };
}

const builtin: StatsApi = { hierarchy, conversations, endpoints, topN };
