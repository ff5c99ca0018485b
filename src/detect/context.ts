/**
 * What detectors read: packet columns pulled out of the table once as flat typed arrays (one bulk
 * copy per column, view-aware), and the flow table's columns as arrays. Shared by all detectors of
 * one run, each column made on first use.
 */
import type { FlowTable } from "../flows/table";
import { codes, epochTimes, numbers } from "../table/bulk";
import type { Capture } from "../table/capture";

/** Flow columns as arrays (addresses as text, interned per distinct value). */
export interface FlowArrays {
  n: number;
  ts: Float64Array;
  uid: string[];
  origH: string[];
  origP: Int32Array;
  respH: string[];
  respP: Int32Array;
  proto: string[];
  duration: Float64Array;
  origBytes: Float64Array;
  respBytes: Float64Array;
  state: string[];
  history: string[];
  origPkts: Float64Array;
  respPkts: Float64Array;
}

export class DetectContext {
  private readonly nums = new Map<string, Float64Array>();
  private readonly dicts = new Map<string, { codes: Int32Array; values: string[] }>();
  private flowArrays: FlowArrays | null = null;
  private timeArr: Float64Array | null = null;
  private addrArr: { src: Float64Array; dst: Float64Array; text: (a: number) => string } | null = null;
  readonly n: number;

  constructor(readonly capture: Capture, readonly flows: FlowTable) {
    this.n = capture.count;
  }

  /** A numeric field per row (NaN when absent; also NaN when the field was not loaded). */
  num(name: string): Float64Array {
    let a = this.nums.get(name);
    if (a === undefined) this.nums.set(name, (a = numbers(this.capture, name)));
    return a;
  }

  /** A text (string / MAC / IPv6) field per row: codes (0 absent) into `values`. */
  dict(name: string): { codes: Int32Array; values: string[] } {
    let d = this.dicts.get(name);
    if (d === undefined) this.dicts.set(name, (d = codes(this.capture, name)));
    return d;
  }

  /**
   * Packet source and destination addresses as numbers (IPv4: the address; IPv6: 2^32 + a code;
   * NaN without IP), the outermost header as display filters see `ip.src`; `addrText` names them.
   */
  addrs(): { src: Float64Array; dst: Float64Array; text: (a: number) => string } {
    if (this.addrArr === null) {
      // numbered in the flow table's address table: the same numbers as the flows' addresses
      const addrs = this.flows.addrs;
      const src = Float64Array.from(this.num("ip.src")), dst = Float64Array.from(this.num("ip.dst"));
      const s6 = this.dict("ipv6.src"), d6 = this.dict("ipv6.dst");
      const s6id = addrs.idsOf(s6.values), d6id = addrs.idsOf(d6.values);
      for (let i = 0; i < this.n; i++) {
        if (src[i] === src[i]) continue;
        if (s6.codes[i] !== 0) src[i] = s6id[s6.codes[i]];
        if (d6.codes[i] !== 0) dst[i] = d6id[d6.codes[i]];
      }
      this.addrArr = { src, dst, text: (a: number) => addrs.text(a) };
    }
    return this.addrArr;
  }

  /** Packet time, epoch seconds (NaN when the record has none). */
  time(): Float64Array {
    if (this.timeArr === null) this.timeArr = epochTimes(this.capture);
    return this.timeArr;
  }

  /** The flow table as arrays. */
  flowCols(): FlowArrays {
    if (this.flowArrays !== null) return this.flowArrays;
    const ft = this.flows, n = ft.count;
    const numCol = (name: string) => {
      const c = ft.column(name), a = new Float64Array(n);
      for (let r = 0; r < n; r++) { const v = c.get(r); a[r] = typeof v === "number" ? v : NaN; }
      return a;
    };
    const intCol = (name: string) => {
      const c = ft.column(name), a = new Int32Array(n);
      for (let r = 0; r < n; r++) { const v = c.get(r); a[r] = typeof v === "number" ? v : -1; }
      return a;
    };
    const intern = new Map<string, string>();
    const strCol = (name: string) => {
      const c = ft.column(name), a = new Array<string>(n);
      for (let r = 0; r < n; r++) {
        const v = c.get(r);
        const s = v === undefined ? "" : String(v);
        let k = intern.get(s);
        if (k === undefined) { k = s; intern.set(s, s); }
        a[r] = k;
      }
      return a;
    };
    const uidCol = ft.column("uid");
    this.flowArrays = {
      n, ts: numCol("ts"), uid: Array.from({ length: n }, (_, r) => uidCol.get(r) as string),
      origH: strCol("id.orig_h"), origP: intCol("id.orig_p"), respH: strCol("id.resp_h"), respP: intCol("id.resp_p"),
      proto: strCol("proto"), duration: numCol("duration"), origBytes: numCol("orig_bytes"), respBytes: numCol("resp_bytes"),
      state: strCol("conn_state"), history: strCol("history"), origPkts: numCol("orig_pkts"), respPkts: numCol("resp_pkts"),
    };
    return this.flowArrays;
  }
}

/**
 * Flow rows grouped by a key (`keyOf` null: the row is left out), groups of at least `minRows`
 * rows, each in time order; groups in the order their keys were first seen.
 */
export function flowGroups(fc: FlowArrays, keyOf: (r: number) => string | null, minRows = 1): number[][] {
  const groups = new Map<string, number[]>();
  for (let r = 0; r < fc.n; r++) {
    const k = keyOf(r);
    if (k === null) continue;
    let a = groups.get(k);
    if (a === undefined) groups.set(k, (a = []));
    a.push(r);
  }
  const out: number[][] = [];
  for (const rows of groups.values()) if (rows.length >= minRows) out.push(rows.sort((a, b) => fc.ts[a] - fc.ts[b]));
  return out;
}

/** "ip" or "ipv6": the display-filter protocol of an address's text. */
export function ipProto(addr: string): "ip" | "ipv6" {
  return addr.includes(":") ? "ipv6" : "ip";
}

/** `ip.src == A` (or ipv6.src) */
export function addrTerm(field: "src" | "dst" | "addr", addr: string): string {
  return `${ipProto(addr)}.${field} == ${addr}`;
}

/** a display-filter string literal */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** a set literal of numbers: `{1 2 3}`, with runs as ranges */
export function numberSet(values: Iterable<number>): string {
  const v = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < v.length;) {
    let j = i;
    while (j + 1 < v.length && v[j + 1] === v[j] + 1) j++;
    parts.push(j - i >= 2 ? `${v[i]}..${v[j]}` : j === i ? `${v[i]}` : `${v[i]}, ${v[j]}`);
    i = j + 1;
  }
  return `{${parts.join(", ")}}`;
}

/** `frame.number in {…}` for some rows of the capture (0-based view rows, which frame.number counts) */
export function framesFilter(cap: Capture, rows: Iterable<number>): string {
  const nums: number[] = [];
  for (const r of rows) nums.push(cap.baseRow(r) + 1);
  return `frame.number in ${numberSet(nums)}`;
}

/** `frame.time_epoch >= A && frame.time_epoch <= B` around [t0, t1] (µs, widened by 1 µs each side) */
export function timeTerm(t0: number, t1: number): string {
  return `frame.time_epoch >= ${((Math.floor(t0 * 1e6) - 1) / 1e6).toFixed(6)} && frame.time_epoch <= ${((Math.ceil(t1 * 1e6) + 1) / 1e6).toFixed(6)}`;
}

/** first and last packet time of some flows (rows of the flow table) */
export function flowsSpan(ctx: DetectContext, flowRows: Iterable<number>): [number, number] {
  const mark = new Uint8Array(ctx.flows.count);
  for (const r of flowRows) mark[r] = 1;
  const f = ctx.flows.flowOf, t = ctx.time();
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < ctx.n; i++) {
    const r = f[i];
    if (r < mark.length && mark[r] === 1) { const x = t[i]; if (x < lo) lo = x; if (x > hi) hi = x; }
  }
  return [lo, hi];
}
