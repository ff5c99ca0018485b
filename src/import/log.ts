/**
 * LogTable: an imported log (Zeek TSV or JSON lines, Suricata eve.json) as columns — numbers in
 * Float64Arrays (NaN unset), booleans in Uint8Arrays (2 unset), text in string arrays (null
 * unset) — with an optional join to a capture's flows by 5-tuple and time (`wirebook_uid`,
 * `flowRow`).
 */
import type { FlowTable } from "../flows/table";
import type { Capture } from "../table/capture";
import { rowObjects } from "../table/rows";

export type LogValue = number | string | boolean | undefined;

export interface LogColumn {
  readonly name: string;
  /** "number" | "bool" | "string", and the log's own type (Zeek's #types) when it has one */
  readonly kind: "number" | "bool" | "string";
  readonly logType: string;
  get(row: number): LogValue;
}

type Store = { kind: "number"; a: Float64Array } | { kind: "bool"; a: Uint8Array } | { kind: "string"; a: (string | null)[] };

/** Column builder: values of any type come in, the column's kind is decided at the end. */
export class ColumnBuilder {
  readonly values: (number | string | boolean | null)[] = [];
  numbers = 0;
  bools = 0;
  others = 0;
  constructor(readonly name: string, readonly logType = "", readonly forced?: "number" | "bool" | "string") {}
  push(row: number, v: number | string | boolean | null): void {
    while (this.values.length < row) this.values.push(null);
    this.values[row] = v;
    if (v === null) return;
    if (typeof v === "number") this.numbers++;
    else if (typeof v === "boolean") this.bools++;
    else this.others++;
  }
  build(n: number): Store {
    while (this.values.length < n) this.values.push(null);
    const kind = this.forced ?? (this.others > 0 || (this.numbers > 0 && this.bools > 0) ? "string" : this.numbers > 0 ? "number" : this.bools > 0 ? "bool" : "string");
    if (kind === "number") {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) { const v = this.values[i]; a[i] = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : NaN; }
      return { kind, a };
    }
    if (kind === "bool") {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) { const v = this.values[i]; a[i] = v === true || v === "T" ? 1 : v === false || v === "F" ? 0 : 2; }
      return { kind, a };
    }
    return { kind: "string", a: this.values.map((v) => (v === null ? null : String(v))) };
  }
}

export interface JoinKey {
  /** event time, epoch seconds (NaN when unknown: the join then goes by 5-tuple only) */
  ts: number;
  a: string;
  pa: number;
  b: string;
  pb: number;
  /** "tcp" | "udp" | "icmp" | other */
  proto: string;
}

export interface JoinOptions {
  /** seconds an event may fall outside its flow's [start, end] (default 1) */
  tolerance?: number;
  /** each flow matches at most one row (a conn.log: one row per connection) */
  oneToOne?: boolean;
}

const ONE = 0xffffffff;

export class LogTable {
  readonly count: number;
  readonly columns: string[];
  private readonly cols = new Map<string, LogColumn>();
  private readonly stores = new Map<string, Store>();
  /** per row: the row of the joined flow (-1: none); empty until joined */
  flowRow: Int32Array;
  /** the flows joined to (when a capture was given) */
  flows: FlowTable | undefined;

  constructor(builders: ColumnBuilder[], count: number, readonly warnings: string[], readonly meta: Record<string, string> = {}) {
    this.count = count;
    this.columns = builders.map((b) => b.name);
    for (const b of builders) this.addStore(b.name, b.logType, b.build(count));
    this.flowRow = new Int32Array(0);
  }

  private addStore(name: string, logType: string, s: Store): void {
    this.stores.set(name, s);
    const get: (r: number) => LogValue = s.kind === "number" ? (r) => (s.a[r] === s.a[r] ? s.a[r] : undefined)
      : s.kind === "bool" ? (r) => (s.a[r] === 2 ? undefined : s.a[r] === 1) : (r) => s.a[r] ?? undefined;
    this.cols.set(name, { name, kind: s.kind, logType, get });
  }

  /** Adds (or replaces) a numeric column. */
  addNumbers(name: string, values: (number | null)[]): void {
    const a = new Float64Array(this.count);
    for (let r = 0; r < this.count; r++) { const v = values[r]; a[r] = v === null || v === undefined ? NaN : v; }
    if (!this.cols.has(name)) this.columns.push(name);
    this.addStore(name, "number", { kind: "number", a });
  }

  column(name: string): LogColumn {
    const c = this.cols.get(name);
    if (c === undefined) throw new Error(`unknown log column "${name}"; columns: ${this.columns.join(", ")}`);
    return c;
  }

  has(name: string): boolean {
    return this.cols.has(name);
  }

  /** Plain rows for small slices. */
  rows(columns: string[] = this.columns, from = 0, to = this.count): Record<string, LogValue>[] {
    return rowObjects(columns.map((c) => this.column(c)), from, Math.min(to, this.count));
  }

  /** The log as a danfo DataFrame (danfo loads on first call); unset values are null. */
  toDataFrame(columns: string[] = this.columns): import("danfojs-node").DataFrame {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { dataFrame } = require("../table/danfo") as typeof import("../table/danfo");
    const data: Record<string, (LogValue | null)[]> = {};
    for (const name of columns) {
      const c = this.column(name);
      data[name] = Array.from({ length: this.count }, (_, r) => c.get(r) ?? null);
    }
    return dataFrame(data, columns);
  }

  /** rows joined to a flow */
  get joined(): number {
    let n = 0;
    for (let r = 0; r < this.flowRow.length; r++) if (this.flowRow[r] >= 0) n++;
    return n;
  }

  /** share of rows joined to a flow (0 when not joined) */
  get joinRate(): number {
    return this.count === 0 ? 0 : this.joined / this.count;
  }

  /**
   * Joins rows to flows: same endpoints (either orientation) and protocol, ports too except for
   * ICMP; among those, the flow whose [start − tol, end + tol] holds the row's time and starts
   * nearest to it (by 5-tuple alone, in order, when the row has no time). Adds `wirebook_uid`.
   */
  join(target: Capture | FlowTable, keyOf: (row: number) => JoinKey | null, o: JoinOptions = {}): this {
    const ft = "flowOf" in target ? target : target.flows();
    const tol = o.tolerance ?? 1;
    const n = ft.count;
    const ts = ft.column("ts"), dur = ft.column("duration"), oh = ft.column("id.orig_h"), op = ft.column("id.orig_p");
    const rh = ft.column("id.resp_h"), rp = ft.column("id.resp_p"), pr = ft.column("proto");
    const index = new Map<string, number[]>();
    const key = (a: string, pa: number, b: string, pb: number, proto: string) => {
      const icmp = proto === "icmp";
      const x = icmp ? a : `${a}|${pa}`, y = icmp ? b : `${b}|${pb}`;
      return x < y ? `${proto}|${x}|${y}` : `${proto}|${y}|${x}`;
    };
    const start = new Float64Array(n), end = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const k = key(norm(oh.get(r) as string), op.get(r) as number, norm(rh.get(r) as string), rp.get(r) as number, String(pr.get(r)));
      let a = index.get(k);
      if (a === undefined) index.set(k, (a = []));
      a.push(r);
      start[r] = ts.get(r) as number;
      end[r] = start[r] + ((dur.get(r) as number | undefined) ?? 0);
    }
    const used = new Uint8Array(n);
    const rows = new Int32Array(this.count).fill(-1);
    for (let r = 0; r < this.count; r++) {
      const k = keyOf(r);
      if (k === null) continue;
      const cands = index.get(key(norm(k.a), k.pa, norm(k.b), k.pb, k.proto));
      if (cands === undefined) continue;
      let best = -1, bestD = Infinity;
      for (const c of cands) {
        if (o.oneToOne && used[c]) continue;
        if (k.ts !== k.ts) { best = c; break; }
        if (k.ts < start[c] - tol || k.ts > end[c] + tol) continue;
        const d = Math.abs(k.ts - start[c]);
        if (d < bestD) { bestD = d; best = c; }
      }
      if (best >= 0) { rows[r] = best; used[best] = 1; }
    }
    this.flowRow = rows;
    this.flows = ft;
    const uid = ft.column("uid");
    const u: (string | null)[] = Array.from(rows, (fr) => (fr >= 0 ? (uid.get(fr) as string) : null));
    if (!this.cols.has("wirebook_uid")) this.columns.push("wirebook_uid");
    this.addStore("wirebook_uid", "string", { kind: "string", a: u });
    return this;
  }

  /** The packets of a joined row's flow (a view of the capture). */
  packetsOf(row: number): Capture {
    if (this.flows === undefined) throw new Error("not joined to a capture: pass one to importZeek/importEve");
    const fr = this.flowRow[row];
    if (!(fr >= 0)) throw new Error(`row ${row} has no flow`);
    return this.flows.packetsOf(fr);
  }
}

/** canonical text of an address: IPv6 in RFC 5952 form (Suricata writes every group in full) */
export function norm(a: string | undefined): string {
  if (a === undefined) return "";
  if (!a.includes(":")) return a;
  const low = a.toLowerCase();
  const [head, tail] = low.includes("::") ? low.split("::") : [low, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  if ([...h, ...t].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return low;
  const groups = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t];
  if (groups.length !== 8) return low;
  const g = groups.map((x) => parseInt(x, 16).toString(16));
  // the longest run of two or more zero groups becomes ::
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === "0") j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return g.join(":");
  return `${g.slice(0, best).join(":")}::${g.slice(best + bestLen).join(":")}`;
}

export const UNSET_FLOW = ONE;
