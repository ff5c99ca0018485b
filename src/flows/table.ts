/**
 * The flow table: one row per connection, columnar (typed arrays; addresses as address numbers
 * with a shared text table; repeated strings dictionary-coded), with Zeek's conn.log column names
 * and nfstream-style statistics.
 */
import type { Capture } from "../table/capture";
import type { AddrTable } from "../stream/packets";
import { V6_BASE } from "../stream/packets";
import { ResultTable, type Column } from "../result/table";
import { parseIPv6 } from "../fields/ipv6";
import { pathIds } from "../table/bulk";

export type FlowValue = number | string | boolean | undefined;

export interface FlowColumn extends Column {
  /** "time" | "count" | "interval" | "addr" | "port" | "enum" | "string" | "bool" | "double" */
  readonly type: string;
  get(row: number): FlowValue;
  /** the text Zeek's TSV writer prints ("-" when unset) */
  text(row: number): string;
}

/** Zeek's conn.log columns (minus tunnel_parents), then the extra columns, in output order. */
export const ZEEK_COLUMNS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
  "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history", "orig_pkts",
  "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "ip_proto"];
export const NFSTREAM_COLUMNS = ["bidirectional_packets", "bidirectional_bytes", "src2dst_packets", "src2dst_bytes",
  "dst2src_packets", "dst2src_bytes", "bidirectional_min_ps", "bidirectional_mean_ps", "bidirectional_max_ps",
  "bidirectional_mean_piat_ms"];

/** Column data handed over by the trackers. Unset numbers are NaN. */
export interface FlowData {
  count: number;
  ts: Float64Array;
  uid: string[];
  origH: Float64Array;
  origP: Int32Array;
  respH: Float64Array;
  respP: Int32Array;
  /** index into protoNames */
  proto: Uint8Array;
  protoNames: string[];
  duration: Float64Array;
  origBytes: Float64Array;
  respBytes: Float64Array;
  /** index into stateNames (0 = unset) */
  connState: Uint8Array;
  stateNames: string[];
  missedBytes: Float64Array;
  /** index into historyNames (0 = unset) */
  history: Uint32Array;
  historyNames: string[];
  origPkts: Float64Array;
  origIpBytes: Float64Array;
  respPkts: Float64Array;
  respIpBytes: Float64Array;
  ipProto: Uint8Array;
  fwdPkts: Float64Array;
  fwdBytes: Float64Array;
  bwdPkts: Float64Array;
  bwdBytes: Float64Array;
  psMin: Float64Array;
  psMax: Float64Array;
  piatMeanMs: Float64Array;
}

/** Column arrays for `n` rows (counts as Float64: they may pass 2^32). */
export function allocFlowData(n: number, protoNames: string[], stateNames: string[]): FlowData {
  const f64 = () => new Float64Array(n);
  return {
    // uids are filled in row order (appending keeps the array packed)
    count: n, ts: f64(), uid: [], origH: f64(), origP: new Int32Array(n), respH: f64(), respP: new Int32Array(n),
    proto: new Uint8Array(n), protoNames, duration: f64(), origBytes: f64(), respBytes: f64(),
    connState: new Uint8Array(n), stateNames, missedBytes: f64(), history: new Uint32Array(n), historyNames: [""],
    origPkts: f64(), origIpBytes: f64(), respPkts: f64(), respIpBytes: f64(), ipProto: new Uint8Array(n),
    fwdPkts: f64(), fwdBytes: f64(), bwdPkts: f64(), bwdBytes: f64(), psMin: f64(), psMax: f64(), piatMeanMs: f64(),
  };
}

/** The same columns with room for `n` rows (values kept up to min(n, old size); count set to n; a smaller n is a view, not a copy). */
export function resizeFlowData(d: FlowData, n: number): FlowData {
  const out: Record<string, unknown> = { ...d, count: n };
  for (const [k, v] of Object.entries(d)) {
    if (!ArrayBuffer.isView(v)) continue;
    const a = v as Float64Array;
    if (a.length === n) continue;
    if (a.length > n) { out[k] = a.subarray(0, n); continue; } // no copy
    const b = new (a.constructor as Float64ArrayConstructor)(n);
    b.set(a);
    out[k] = b;
  }
  if (d.uid.length > n) d.uid.length = n;
  return out as unknown as FlowData;
}

// Zeek's Site::private_address_space (IANA special-purpose registries): [first, last] as numbers / v6 prefixes
const PRIVATE4: [number, number][] = [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15],
  ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 24], ["240.0.0.0", 4], ["255.255.255.255", 32],
].map(([a, bits]) => {
  const v = (a as string).split(".").reduce((x, o) => x * 256 + Number(o), 0);
  const size = 2 ** (32 - (bits as number));
  return [v, v + size - 1];
});
const PRIVATE6: [bigint, number][] = [
  ["::1", 128], ["::", 128], ["::ffff:0:0", 96], ["64:ff9b:1::", 48], ["100::", 64], ["2001::", 23],
  ["2001:db8::", 32], ["fc00::", 7], ["fe80::", 10],
].map(([a, bits]) => [v6Big(a as string), bits as number]);

function v6Big(text: string): bigint {
  const b = parseIPv6(text);
  if (b === undefined) throw new Error(`not an IPv6 address: ${text}`);
  return b.reduce((x, byte) => (x << 8n) | BigInt(byte), 0n);
}

/** Zeek's Site::is_local_addr with the default private address space */
export function isPrivate(addrs: AddrTable, a: number): boolean {
  if (a < V6_BASE) {
    for (const [lo, hi] of PRIVATE4) if (a >= lo && a <= hi) return true;
    return false;
  }
  const v = v6Big(addrs.text(a));
  for (const [p, bits] of PRIVATE6) if (v >> BigInt(128 - bits) === p >> BigInt(128 - bits)) return true;
  return false;
}

const fixed6 = (x: number) => x.toFixed(6);

/** Our decoders' protocol names (frame.protocols) → Zeek's service names. */
const ZEEK_SERVICE: Record<string, string> = {
  dns: "dns", mdns: "dns", llmnr: "dns", http: "http", tls: "ssl", quic: "quic", dhcp: "dhcp", ntp: "ntp",
  ssh: "ssh", ftp: "ftp", smtp: "smtp", pop: "pop3", imap: "imap", smb: "smb", smb2: "smb", telnet: "telnet",
};

/** The flows: a ResultTable named "conn" (Zeek's log path) with the flow-only methods. */
export class FlowTable extends ResultTable {
  private uidIndex: Map<string, number> | null = null;

  constructor(
    private readonly d: FlowData,
    readonly addrs: AddrTable,
    /** the capture (or view) the flows come from */
    readonly capture: Capture,
    /** per packet of the capture: the row of its flow (0xffffffff: none) */
    readonly flowOf: Uint32Array,
    warnings: string[],
    /** "zeek" or "nfstream" */
    readonly mode: string,
  ) {
    super("conn", [], d.count, warnings);
    const num = (name: string, type: string, a: ArrayLike<number>, fmt: (x: number) => string = String) =>
      this.add({ name, type, get: (r) => (a[r] === a[r] ? a[r] : undefined), text: (r) => (a[r] === a[r] ? fmt(a[r]) : "-") });
    const addr = (name: string, a: Float64Array) =>
      this.add({ name, type: "addr", get: (r) => addrs.text(a[r]), text: (r) => addrs.text(a[r]) });
    const dict = (name: string, codes: ArrayLike<number>, names: string[]) =>
      this.add({ name, type: "string", get: (r) => (codes[r] === 0 ? undefined : names[codes[r]]), text: (r) => (codes[r] === 0 ? "-" : names[codes[r]]) });
    num("ts", "time", d.ts, fixed6);
    this.add({ name: "uid", type: "string", get: (r) => d.uid[r], text: (r) => d.uid[r] });
    addr("id.orig_h", d.origH);
    num("id.orig_p", "port", d.origP);
    addr("id.resp_h", d.respH);
    num("id.resp_p", "port", d.respP);
    this.add({ name: "proto", type: "enum", get: (r) => d.protoNames[d.proto[r]], text: (r) => d.protoNames[d.proto[r]] });
    this.add({ name: "service", type: "string", get: (r) => this.service(r), text: (r) => this.service(r) ?? "-" });
    num("duration", "interval", d.duration, fixed6);
    num("orig_bytes", "count", d.origBytes);
    num("resp_bytes", "count", d.respBytes);
    dict("conn_state", d.connState, d.stateNames);
    if (mode === "zeek") {
      const lo = new Uint8Array(d.count), lr = new Uint8Array(d.count);
      for (let r = 0; r < d.count; r++) { lo[r] = isPrivate(addrs, d.origH[r]) ? 1 : 0; lr[r] = isPrivate(addrs, d.respH[r]) ? 1 : 0; }
      this.add({ name: "local_orig", type: "bool", get: (r) => lo[r] === 1, text: (r) => (lo[r] === 1 ? "T" : "F") });
      this.add({ name: "local_resp", type: "bool", get: (r) => lr[r] === 1, text: (r) => (lr[r] === 1 ? "T" : "F") });
    } else {
      this.add({ name: "local_orig", type: "bool", get: () => undefined, text: () => "-" });
      this.add({ name: "local_resp", type: "bool", get: () => undefined, text: () => "-" });
    }
    num("missed_bytes", "count", d.missedBytes);
    dict("history", d.history, d.historyNames);
    num("orig_pkts", "count", d.origPkts);
    num("orig_ip_bytes", "count", d.origIpBytes);
    num("resp_pkts", "count", d.respPkts);
    num("resp_ip_bytes", "count", d.respIpBytes);
    num("ip_proto", "count", d.ipProto);
    const sum = (a: Float64Array, b: Float64Array) => { const o = new Float64Array(d.count); for (let r = 0; r < d.count; r++) o[r] = a[r] + b[r]; return o; };
    const bp = sum(d.fwdPkts, d.bwdPkts), bb = sum(d.fwdBytes, d.bwdBytes);
    const mean = new Float64Array(d.count);
    for (let r = 0; r < d.count; r++) mean[r] = bp[r] > 0 ? bb[r] / bp[r] : NaN;
    num("bidirectional_packets", "count", bp);
    num("bidirectional_bytes", "count", bb);
    num("src2dst_packets", "count", d.fwdPkts);
    num("src2dst_bytes", "count", d.fwdBytes);
    num("dst2src_packets", "count", d.bwdPkts);
    num("dst2src_bytes", "count", d.bwdBytes);
    num("bidirectional_min_ps", "count", d.psMin);
    num("bidirectional_mean_ps", "double", mean, (x) => x.toFixed(3));
    num("bidirectional_max_ps", "count", d.psMax);
    num("bidirectional_mean_piat_ms", "double", d.piatMeanMs, (x) => x.toFixed(3));
  }

  private services: (string | undefined)[] | null = null;

  /**
   * The application protocols seen in the flow, in Zeek's names and first-seen order ("dns",
   * "http", "ssl", "quic" …; several joined by commas as Zeek does). Wirebook names them from the
   * protocols its decoders found in the flow's packets (ports, then content checks), where Zeek
   * confirms with its analyzers: the two agree on ordinary traffic, not on every odd port.
   */
  service(row: number): string | undefined {
    if (this.services === null) this.services = this.computeServices();
    return this.services[row];
  }

  private computeServices(): (string | undefined)[] {
    const { ids, paths } = pathIds(this.capture);
    const perPath = new Map<number, string[]>();
    const namesOf = (id: number): string[] => {
      let v = perPath.get(id);
      if (v === undefined) {
        v = [];
        for (const p of paths[id].split(":")) {
          const z = ZEEK_SERVICE[p];
          if (z !== undefined && !v.includes(z)) v.push(z);
        }
        perPath.set(id, v);
      }
      return v;
    };
    const seen: (string[] | undefined)[] = new Array(this.count);
    const f = this.flowOf;
    for (let i = 0; i < f.length; i++) {
      const row = f[i];
      if (row === 0xffffffff) continue;
      const names = namesOf(ids[i]);
      if (names.length === 0) continue;
      const list = seen[row] ?? (seen[row] = []);
      for (const n of names) if (!list.includes(n)) list.push(n);
    }
    return seen.map((l) => (l === undefined ? undefined : l.join(",")));
  }

  private add(c: FlowColumn): void {
    this.setColumn(c);
  }

  /** The column named as in Zeek's conn.log (or one of the nfstream statistics). */
  override column(name: string): FlowColumn {
    return super.column(name) as FlowColumn;
  }

  protected override noun(): string {
    return "flow";
  }

  /** The row of a flow by its uid (-1 when absent). */
  rowOf(uid: string): number {
    if (this.uidIndex === null) {
      this.uidIndex = new Map();
      for (let r = 0; r < this.count; r++) this.uidIndex.set(this.d.uid[r], r);
    }
    return this.uidIndex.get(uid) ?? -1;
  }

  /** The packets of a flow (by uid or row) as a view of the capture. */
  packetsOf(flow: string | number): Capture {
    const row = typeof flow === "number" ? flow : this.rowOf(flow);
    if (row < 0 || row >= this.count) throw new Error(`no flow ${JSON.stringify(flow)}`);
    const rows: number[] = [];
    const f = this.flowOf;
    for (let i = 0; i < f.length; i++) if (f[i] === row) rows.push(i);
    return this.capture.select(rows);
  }
}
