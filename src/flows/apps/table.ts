/**
 * Application tables (dns, http, tls, dhcp, quic): columnar like FlowTable. Numbers live in
 * Float64Arrays (NaN = unset), strings in dictionary-coded Uint32Arrays (0 = unset), lists as
 * offsets into one flat array of codes or numbers. Every row carries its flow row, from which the
 * `uid` and `id.*` columns are read (the FlowTable holds them once).
 *
 * Rows are staged while the second pass runs (an app may fill a row later: a DNS response fills
 * its query's row), then frozen.
 */
import type { FlowTable } from "../table";
import { ResultTable, type Column } from "../../result/table";
import { mappedColumn } from "../../enrich/columns";

export type AppValue = number | string | boolean | (string | number)[] | undefined;

export interface AppColumn extends Column {
  /** Zeek's type names: time interval count int double string addr port bool enum vector[string] vector[count] vector[interval] set[string] */
  readonly type: string;
  get(row: number): AppValue;
  /** the text Zeek's TSV writer prints ("-" unset, "(empty)" for an empty list, lists joined by ",") */
  text(row: number): string;
}

export type ColKind = "time" | "interval" | "count" | "int" | "double" | "string" | "addr" | "enum" | "bool" |
  "vector[string]" | "vector[count]" | "vector[interval]" | "set[string]";

export interface ColSpec {
  name: string;
  kind: ColKind;
}

const fixed6 = (x: number) => x.toFixed(6);
const LIST_KINDS = new Set(["vector[string]", "vector[count]", "vector[interval]", "set[string]"]);

/** Growable Float64Array */
class Nums {
  a = new Float64Array(64).fill(NaN);
  set(r: number, v: number): void {
    if (r >= this.a.length) {
      const n = new Float64Array(Math.max(r + 1, this.a.length * 2)).fill(NaN);
      n.set(this.a);
      this.a = n;
    }
    this.a[r] = v;
  }
}

/** Growable Uint32Array of dictionary codes */
class Codes {
  a = new Uint32Array(64);
  set(r: number, v: number): void {
    if (r >= this.a.length) {
      const n = new Uint32Array(Math.max(r + 1, this.a.length * 2));
      n.set(this.a);
      this.a = n;
    }
    this.a[r] = v;
  }
}

/** A string dictionary: code 0 is "unset". */
class Dict {
  readonly values: string[] = [""];
  private readonly index = new Map<string, number>();
  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.index.set(s, c);
    }
    return c;
  }
}

/** Column storage while rows are staged. */
class StagedCol {
  readonly nums: Nums | null;
  readonly codes: Codes | null;
  readonly dict: Dict | null;
  /** lists: per row, the items (staged; frozen into offsets + flat arrays) */
  readonly lists: Map<number, (string | number)[]> | null;
  constructor(readonly spec: ColSpec) {
    const k = spec.kind;
    const list = LIST_KINDS.has(k);
    const str = k === "string" || k === "addr" || k === "enum";
    this.nums = !list && !str ? new Nums() : null;
    this.codes = str ? new Codes() : null;
    this.dict = str || k === "vector[string]" || k === "set[string]" ? new Dict() : null;
    this.lists = list ? new Map() : null;
  }
}

export class AppTableBuilder {
  count = 0;
  private readonly cols = new Map<string, StagedCol>();
  private flows = new Uint32Array(64);
  readonly warnings: string[] = [];

  constructor(readonly specs: ColSpec[]) {
    for (const s of specs) this.cols.set(s.name, new StagedCol(s));
  }

  /** A new row for a flow row of the FlowTable; returns its index. */
  row(flow: number): number {
    const r = this.count++;
    if (r >= this.flows.length) {
      const n = new Uint32Array(this.flows.length * 2);
      n.set(this.flows);
      this.flows = n;
    }
    this.flows[r] = flow;
    return r;
  }

  private col(name: string): StagedCol {
    const c = this.cols.get(name);
    if (c === undefined) throw new Error(`app table: no column ${name}`);
    return c;
  }

  num(r: number, name: string, v: number | undefined): void {
    if (v === undefined || Number.isNaN(v)) return;
    const c = this.col(name);
    if (c.nums !== null) c.nums.set(r, v);
  }

  bool(r: number, name: string, v: boolean | undefined): void {
    if (v !== undefined) this.num(r, name, v ? 1 : 0);
  }

  str(r: number, name: string, v: string | undefined): void {
    if (v === undefined) return;
    const c = this.col(name);
    if (c.codes !== null && c.dict !== null) c.codes.set(r, c.dict.code(v));
  }

  list(r: number, name: string, v: (string | number)[] | undefined): void {
    if (v === undefined) return;
    const c = this.col(name);
    if (c.lists !== null) c.lists.set(r, v.slice());
  }

  /** appends to a row's list (creating it) */
  push(r: number, name: string, v: string | number): void {
    const c = this.col(name);
    if (c.lists === null) return;
    let l = c.lists.get(r);
    if (l === undefined) { l = []; c.lists.set(r, l); }
    l.push(v);
  }

  has(r: number, name: string): boolean {
    const c = this.col(name);
    if (c.nums !== null) return r < c.nums.a.length && !Number.isNaN(c.nums.a[r]);
    if (c.codes !== null) return r < c.codes.a.length && c.codes.a[r] !== 0;
    return c.lists !== null && c.lists.has(r);
  }

  getNum(r: number, name: string): number | undefined {
    const c = this.col(name);
    if (c.nums === null || r >= c.nums.a.length) return undefined;
    const v = c.nums.a[r];
    return Number.isNaN(v) ? undefined : v;
  }

  getList(r: number, name: string): (string | number)[] | undefined {
    return this.col(name).lists?.get(r);
  }

  /** The frozen table. `order` optionally reorders rows (e.g. by time). */
  finish(name: string, ft: FlowTable, order?: Uint32Array): AppTable {
    const n = this.count;
    const perm = order ?? Uint32Array.from({ length: n }, (_, i) => i);
    const frozen: FrozenCol[] = [];
    for (const c of this.cols.values()) {
      const k = c.spec.kind;
      if (c.nums !== null) {
        const a = new Float64Array(n);
        for (let i = 0; i < n; i++) { const r = perm[i]; a[i] = r < c.nums.a.length ? c.nums.a[r] : NaN; }
        frozen.push({ spec: c.spec, nums: a });
      } else if (c.codes !== null) {
        const a = new Uint32Array(n);
        for (let i = 0; i < n; i++) { const r = perm[i]; a[i] = r < c.codes.a.length ? c.codes.a[r] : 0; }
        frozen.push({ spec: c.spec, codes: a, values: (c.dict as Dict).values });
      } else if (c.lists !== null) {
        const offsets = new Int32Array(n + 1);
        const present = new Uint8Array(n);
        let total = 0;
        for (let i = 0; i < n; i++) { const l = c.lists.get(perm[i]); if (l !== undefined) { total += l.length; present[i] = 1; } }
        const strs = c.dict !== null;
        const flatC = strs ? new Uint32Array(total) : null;
        const flatN = strs ? null : new Float64Array(total);
        let o = 0;
        for (let i = 0; i < n; i++) {
          offsets[i] = o;
          const l = c.lists.get(perm[i]);
          if (l === undefined) continue;
          for (const v of l) {
            if (flatC !== null) flatC[o++] = (c.dict as Dict).code(String(v));
            else (flatN as Float64Array)[o++] = Number(v);
          }
        }
        offsets[n] = o;
        frozen.push({ spec: c.spec, offsets, present, flatC, flatN, values: c.dict?.values });
      }
      void k;
    }
    const flows = new Uint32Array(n);
    for (let i = 0; i < n; i++) flows[i] = this.flows[perm[i]];
    return new AppTable(name, frozen, flows, ft, this.warnings);
  }
}

interface FrozenCol {
  spec: ColSpec;
  nums?: Float64Array;
  codes?: Uint32Array;
  values?: string[];
  offsets?: Int32Array;
  present?: Uint8Array;
  flatC?: Uint32Array | null;
  flatN?: Float64Array | null;
}

/** The flow columns every application table starts with (read from the FlowTable). */
export const FLOW_ID_COLUMNS = ["uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"];

/** An application table: a ResultTable whose rows each belong to a flow of `flowTable`. */
export class AppTable extends ResultTable {
  constructor(
    /** "dns", "http", "tls", "dhcp", "quic", "files" (the table's name; `logPath` is Zeek's) */
    name: string,
    cols: FrozenCol[],
    /** per row: the row of its flow in `flowTable` */
    readonly flowRows: Uint32Array,
    readonly flowTable: FlowTable,
    /** caps that tripped, damaged messages skipped, … */
    warnings: string[],
  ) {
    super(name, [], flowRows.length, warnings);
    const add = (c: AppColumn) => this.setColumn(c);
    const first = cols[0];
    // ts first, then the flow's identity, then the app's own columns
    const rest = first !== undefined && first.spec.name === "ts" ? cols.slice(1) : cols;
    if (rest !== cols) add(this.frozen(first));
    for (const name of FLOW_ID_COLUMNS) {
      const fc = flowTable.column(name);
      const fr = flowRows;
      add({
        name, type: fc.type === "port" ? "port" : fc.type,
        get: (r) => fc.get(fr[r]) as AppValue,
        text: (r) => fc.text(fr[r]),
      });
    }
    for (const c of rest) add(this.frozen(c));
    add(mappedColumn(flowTable.column("community_id"), flowRows) as AppColumn); // src/enrich
  }

  /** Zeek's log path of the table ("ssl" for tls) */
  get logPath(): string {
    return this.name === "tls" ? "ssl" : this.name;
  }

  private frozen(c: FrozenCol): AppColumn {
    const { name, kind } = c.spec;
    if (c.nums !== undefined) {
      const a = c.nums;
      if (kind === "bool") return { name, type: kind, get: (r) => (a[r] === a[r] ? a[r] === 1 : undefined), text: (r) => (a[r] === a[r] ? (a[r] === 1 ? "T" : "F") : "-") };
      const fmt = kind === "time" || kind === "interval" ? fixed6 : kind === "double" ? (x: number) => String(x) : String;
      return { name, type: kind, get: (r) => (a[r] === a[r] ? a[r] : undefined), text: (r) => (a[r] === a[r] ? fmt(a[r]) : "-") };
    }
    if (c.codes !== undefined) {
      const a = c.codes, v = c.values as string[];
      return { name, type: kind, get: (r) => (a[r] === 0 ? undefined : v[a[r]]), text: (r) => (a[r] === 0 ? "-" : v[a[r]] === "" ? "(empty)" : v[a[r]]) };
    }
    const off = c.offsets as Int32Array, pres = c.present as Uint8Array, fc = c.flatC ?? null, fn = c.flatN ?? null, vals = c.values;
    const fmt = kind === "vector[interval]" ? fixed6 : String;
    const get = (r: number): AppValue => {
      if (pres[r] === 0) return undefined;
      const out: (string | number)[] = [];
      for (let i = off[r]; i < off[r + 1]; i++) out.push(fc !== null ? (vals as string[])[fc[i]] : (fn as Float64Array)[i]);
      return out;
    };
    return {
      name, type: kind, get,
      text: (r) => {
        const l = get(r) as (string | number)[] | undefined;
        if (l === undefined) return "-";
        if (l.length === 0) return "(empty)";
        return l.map((x) => (typeof x === "number" ? fmt(x) : x)).join(",");
      },
    };
  }

  override column(name: string): AppColumn {
    return super.column(name) as AppColumn;
  }

  /** The rows of one flow (by uid). */
  rowsOf(uid: string): number[] {
    const fr = this.flowTable.rowOf(uid);
    const out: number[] = [];
    for (let r = 0; r < this.count; r++) if (this.flowRows[r] === fr) out.push(r);
    return out;
  }
}
