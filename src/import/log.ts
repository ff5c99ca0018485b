/**
 * LogTable: an imported log (Zeek TSV or JSON lines, Suricata eve.json) as columns — numbers in
 * Float64Arrays (NaN unset), booleans in Uint8Arrays (2 unset), text in string arrays (null
 * unset) — with an optional join to a capture's flows by 5-tuple and time (`wirebook_uid`,
 * `flowRow`).
 */
import type { FlowTable } from "../flows/table";
import type { Capture } from "../table/capture";
import { ResultTable, type Column } from "../result/table";
import { formatIPv6, parseIPv6 } from "../fields/ipv6";

export type LogValue = number | string | boolean | undefined;

export interface LogColumn extends Column {
  /** "number" | "bool" | "string", and the log's own type (Zeek's #types) when it has one */
  readonly kind: "number" | "bool" | "string";
  readonly logType: string;
  get(row: number): LogValue;
}

const ZEEK_NUMERIC = new Set(["time", "interval", "count", "int", "port", "double"]);

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
  /** the row's Community ID (Suricata's community_id): matched first against the flows' */
  communityId?: string;
}

export interface JoinOptions {
  /** seconds an event may fall outside its flow's [start, end] (default 1) */
  tolerance?: number;
  /** each flow matches at most one row (a conn.log: one row per connection) */
  oneToOne?: boolean;
}

const ONE = 0xffffffff;

/** An imported log: a ResultTable named as its `#path` ("log" when it has none). */
export class LogTable extends ResultTable {
  private readonly stores = new Map<string, Store>();
  /** per row: the row of the joined flow (-1: none); empty until joined */
  flowRow: Int32Array;
  /** the flows joined to (when a capture was given) */
  flows: FlowTable | undefined;

  constructor(builders: ColumnBuilder[], count: number, warnings: string[], readonly meta: Record<string, string> = {}) {
    super(meta.path ?? "log", [], count, warnings);
    for (const b of builders) this.addStore(b.name, b.logType, b.build(count));
    this.flowRow = new Int32Array(0);
  }

  private addStore(name: string, logType: string, s: Store): void {
    this.stores.set(name, s);
    const get: (r: number) => LogValue = s.kind === "number" ? (r) => (s.a[r] === s.a[r] ? s.a[r] : undefined)
      : s.kind === "bool" ? (r) => (s.a[r] === 2 ? undefined : s.a[r] === 1) : (r) => s.a[r] ?? undefined;
    // Zeek's type when the log said it, else from the kind
    const type = ZEEK_NUMERIC.has(logType) || logType === "bool" || logType.startsWith("set[") || logType.startsWith("vector[") ||
      ["string", "addr", "enum", "subnet", "pattern"].includes(logType) ? logType
      : s.kind === "number" ? "double" : s.kind === "bool" ? "bool" : "string";
    const fixed = type === "time" || type === "interval";
    const text: (r: number) => string = s.kind === "number" ? (r) => (s.a[r] === s.a[r] ? (fixed ? s.a[r].toFixed(6) : String(s.a[r])) : "")
      : s.kind === "bool" ? (r) => (s.a[r] === 2 ? "" : s.a[r] === 1 ? "T" : "F") : (r) => s.a[r] ?? "";
    this.setColumn({ name, kind: s.kind, logType, type, get, text } as LogColumn);
  }

  /** Adds (or replaces) a numeric column. */
  addNumbers(name: string, values: (number | null)[]): void {
    const a = new Float64Array(this.count);
    for (let r = 0; r < this.count; r++) { const v = values[r]; a[r] = v === null || v === undefined ? NaN : v; }
    this.addStore(name, "number", { kind: "number", a });
  }

  override column(name: string): LogColumn {
    return super.column(name) as LogColumn;
  }

  protected override noun(): string {
    return "log";
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
   * Joins rows to flows by the columns naming a row's connection (see `join`): its two hosts
   * (rows without both are not joined), ports (-1 when the log has no such column), protocol
   * (`proto` maps the column's value, absent when the log has none) and time (the `ts` column).
   * Does nothing when the log has no host columns.
   */
  joinOn(target: Capture | FlowTable, names: { a: string; b: string; pa: string; pb: string; proto: string; communityId?: string },
    proto: (v: string | undefined) => string, o: JoinOptions = {}): this {
    if (!this.has(names.a) || !this.has(names.b)) return this;
    const opt = (n: string) => (this.has(n) ? this.column(n) : undefined);
    const ts = opt("ts"), ha = this.column(names.a), hb = this.column(names.b);
    const pa = opt(names.pa), pb = opt(names.pb), pr = opt(names.proto);
    const cid = names.communityId !== undefined ? opt(names.communityId) : undefined;
    return this.join(target, (r) => {
      const a = ha.get(r), b = hb.get(r);
      if (typeof a !== "string" || typeof b !== "string") return null;
      const tv = ts?.get(r), p = pr?.get(r);
      return { ts: typeof tv === "number" ? tv : NaN, a, b, pa: Number(pa?.get(r) ?? -1), pb: Number(pb?.get(r) ?? -1),
        proto: proto(p === undefined || p === null ? undefined : String(p)),
        communityId: typeof cid?.get(r) === "string" ? cid?.get(r) as string : undefined };
    }, o);
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
    const cid = ft.column("community_id");
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
      const id = cid.get(r);
      if (typeof id === "string") { let c = index.get(`cid|${id}`); if (c === undefined) index.set(`cid|${id}`, (c = [])); c.push(r); }
      start[r] = ts.get(r) as number;
      end[r] = start[r] + ((dur.get(r) as number | undefined) ?? 0);
    }
    const used = new Uint8Array(n);
    const rows = new Int32Array(this.count).fill(-1);
    for (let r = 0; r < this.count; r++) {
      const k = keyOf(r);
      if (k === null) continue;
      // by Community ID when the row has one (src/enrich), else by 5-tuple
      const cands = (k.communityId ? index.get(`cid|${k.communityId}`) : undefined) ?? index.get(key(norm(k.a), k.pa, norm(k.b), k.pb, k.proto));
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

/** canonical text of an address: IPv6 as tshark and Zeek print it (Suricata writes every group in full) */
export function norm(a: string | undefined): string {
  if (a === undefined) return "";
  if (!a.includes(":")) return a;
  const b = parseIPv6(a);
  return b === undefined ? a.toLowerCase() : formatIPv6(b);
}

export const UNSET_FLOW = ONE;
