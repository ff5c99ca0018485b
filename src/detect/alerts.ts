/**
 * The alerts table: one row per alert, for the detectors (src/detect), the signature rules
 * (src/rules: `ruleSet.match(cap)`) and imported Suricata alerts (src/import/eve.ts) alike, so
 * tables concatenate (`AlertTable.concat`). A ResultTable named "alerts": typed arrays for times,
 * severities, sids, ports; dictionary codes for detector names; one string array per text column.
 *
 * Every row carries `evidence`, a Wireshark display filter that selects its packets in the capture
 * it was found in (`alerts.packets(row)` runs it), and `uids`, the flows involved.
 */
import type { Capture } from "../table/capture";
import { ResultTable, type Column, type RowPredicate } from "../result/table";
import { formatTable, type Format } from "../result/format";
import { alertEnrichColumns } from "../enrich/columns";

export type AlertValue = number | string | undefined;

/**
 * Column order of every alert table. `severity` is Suricata's: 1 high, 2 medium, 3 low.
 * `sid msg classtype action rev gid priority` are set for signature alerts (rules, Suricata) and
 * unset for detectors; `uids` is the flow uids joined by spaces (`uidsOf(row)` gives the array);
 * `uid` the first of them; `frame.number` the alerting packet of a rule alert; `proto` the
 * transport ("tcp", "udp", "icmp"; a detector may name its application protocol), `app_proto`
 * the application protocol the rule engine saw.
 */
export const ALERT_COLUMNS = ["ts", "detector", "severity", "src", "sport", "dst", "dport", "proto", "app_proto", "summary",
  "evidence", "uids", "uid", "action", "sid", "rev", "gid", "msg", "classtype", "priority", "frame.number", "packets"] as const;
export type AlertColumnName = (typeof ALERT_COLUMNS)[number];

export const SEVERITY_NAMES = ["", "high", "medium", "low"];

/** One alert as a detector hands it over (alerts are few: an object per alert is fine). */
export interface AlertInput {
  /** epoch seconds of the first packet of the evidence */
  ts: number;
  detector: string;
  /** 1 high, 2 medium, 3 low */
  severity: number;
  /** the attacker (IP, or MAC for ARP); "" when there is none (spoofed sources) */
  src: string;
  /** the victim; "" when there is none */
  dst: string;
  sport?: number;
  dport?: number;
  /** transport or application protocol ("tcp", "udp", "dns", "arp", "ftp" …) */
  proto?: string;
  app_proto?: string;
  summary: string;
  /** display filter selecting the alert's packets */
  evidence: string;
  uids?: string[];
  action?: string;
  sid?: number;
  rev?: number;
  gid?: number;
  msg?: string;
  classtype?: string;
  priority?: number;
  /** the alerting packet (1-based), for packet alerts */
  frame?: number;
  /** packets behind the alert (as counted by the detector) */
  packets?: number;
}

export interface AlertColumn extends Column {
  get(row: number): AlertValue;
  /** text for TSV/CSV ("" when unset) */
  text(row: number): string;
}

export interface AlertTableOptions {
  /** sort by time, then detector (default true; the rule engine keeps its packet order) */
  sort?: boolean;
  warnings?: string[];
  /** packets the producer read (the rule engine) */
  packetsRead?: number;
}

const nums = (n: number) => new Float64Array(n).fill(NaN);

/** Columnar alerts. Build with `AlertTable.from(rows, capture?)`. */
export class AlertTable extends ResultTable {
  readonly ts: Float64Array;
  readonly severity: Uint8Array;
  readonly sid: Float64Array;
  readonly packetCount: Float64Array;
  /** detector code per row, into detectorNames */
  readonly detectorCode: Uint16Array;
  readonly detectorNames: string[];
  readonly src: string[];
  readonly dst: string[];
  readonly proto: string[];
  readonly summary: string[];
  readonly evidence: string[];
  readonly msg: string[];
  readonly classtype: string[];
  /** packets the producer read (the rule engine's count; 0 otherwise) */
  readonly packetsRead: number;
  private readonly uidLists: string[][];
  private readonly inputs_: AlertInput[];

  private constructor(rows: AlertInput[], readonly capture: Capture | undefined, o: AlertTableOptions = {}) {
    super("alerts", [], rows.length, o.warnings ?? []);
    this.packetsRead = o.packetsRead ?? 0;
    // stable order: time, then detector, then as given
    const order = rows.map((_, i) => i);
    if (o.sort !== false) order.sort((a, b) => rows[a].ts - rows[b].ts ||
      (rows[a].detector < rows[b].detector ? -1 : rows[a].detector > rows[b].detector ? 1 : 0) || a - b);
    const n = rows.length;
    const ordered = (this.inputs_ = order.map((i) => rows[i]));
    this.ts = new Float64Array(n);
    this.severity = new Uint8Array(n);
    this.sid = nums(n);
    this.packetCount = nums(n);
    this.detectorCode = new Uint16Array(n);
    this.detectorNames = [];
    const codes = new Map<string, number>();
    this.src = new Array(n); this.dst = new Array(n); this.proto = new Array(n); this.summary = new Array(n);
    this.evidence = new Array(n); this.msg = new Array(n); this.classtype = new Array(n); this.uidLists = new Array(n);
    const sport = nums(n), dport = nums(n), rev = nums(n), gid = nums(n), prio = nums(n), frame = nums(n);
    const app = new Array<string>(n), action = new Array<string>(n);
    ordered.forEach((a, r) => {
      this.ts[r] = a.ts;
      this.severity[r] = a.severity;
      if (a.sid !== undefined) this.sid[r] = a.sid;
      if (a.packets !== undefined) this.packetCount[r] = a.packets;
      let c = codes.get(a.detector);
      if (c === undefined) { c = this.detectorNames.length; this.detectorNames.push(a.detector); codes.set(a.detector, c); }
      this.detectorCode[r] = c;
      this.src[r] = a.src; this.dst[r] = a.dst; this.proto[r] = a.proto ?? ""; this.summary[r] = a.summary;
      this.evidence[r] = a.evidence; this.msg[r] = a.msg ?? ""; this.classtype[r] = a.classtype ?? "";
      this.uidLists[r] = a.uids ?? [];
      if (a.sport !== undefined && a.sport >= 0) sport[r] = a.sport;
      if (a.dport !== undefined && a.dport >= 0) dport[r] = a.dport;
      if (a.rev !== undefined) rev[r] = a.rev;
      if (a.gid !== undefined) gid[r] = a.gid;
      if (a.priority !== undefined) prio[r] = a.priority;
      if (a.frame !== undefined) frame[r] = a.frame;
      app[r] = a.app_proto ?? ""; action[r] = a.action ?? "";
    });
    const str = (name: string, a: string[]) =>
      this.setColumn({ name, type: "string", get: (r) => (a[r] === "" ? undefined : a[r]), text: (r) => a[r] });
    const num = (name: string, type: string, a: ArrayLike<number>, fmt: (x: number) => string = String) =>
      this.setColumn({ name, type, get: (r) => (a[r] === a[r] ? a[r] : undefined), text: (r) => (a[r] === a[r] ? fmt(a[r]) : "") });
    num("ts", "time", this.ts, (x) => x.toFixed(6));
    this.setColumn({ name: "detector", type: "string", get: (r) => this.detectorNames[this.detectorCode[r]], text: (r) => this.detectorNames[this.detectorCode[r]] });
    num("severity", "count", this.severity);
    str("src", this.src);
    num("sport", "port", sport);
    str("dst", this.dst);
    num("dport", "port", dport);
    str("proto", this.proto);
    str("app_proto", app);
    str("summary", this.summary);
    str("evidence", this.evidence);
    this.setColumn({ name: "uids", type: "string", get: (r) => (this.uidLists[r].length ? this.uidLists[r].join(" ") : undefined), text: (r) => this.uidLists[r].join(" ") });
    this.setColumn({ name: "uid", type: "string", get: (r) => this.uidLists[r][0], text: (r) => this.uidLists[r][0] ?? "" });
    str("action", action);
    num("sid", "count", this.sid);
    num("rev", "count", rev);
    num("gid", "count", gid);
    str("msg", this.msg);
    str("classtype", this.classtype);
    num("priority", "count", prio);
    num("frame.number", "count", frame);
    num("packets", "count", this.packetCount);
    for (const c of alertEnrichColumns(this)) this.setColumn(c); // community_id (src/enrich)
  }

  /** A table of `rows` (sorted by time unless `sort: false`); `capture` is where `evidence` filters run. */
  static from(rows: AlertInput[], capture?: Capture, o: AlertTableOptions = {}): AlertTable {
    return new AlertTable(rows, capture, o);
  }

  /** One table of several (the first capture found is kept for `packets()`). */
  static concat(...tables: AlertTable[]): AlertTable {
    const rows: AlertInput[] = [];
    for (const t of tables) for (let r = 0; r < t.count; r++) rows.push(t.row(r));
    return new AlertTable(rows, tables.find((t) => t.capture !== undefined)?.capture, { warnings: tables.flatMap((t) => t.warnings) });
  }

  protected override noun(): string {
    return "alert";
  }

  override column(name: string): AlertColumn {
    return super.column(name) as AlertColumn;
  }

  /** The row as an AlertInput (round-trips through `from`). */
  row(r: number): AlertInput {
    const a = this.inputs_[r];
    if (a === undefined) throw new RangeError(`no alert row ${r}`);
    return { ...a, proto: a.proto ?? "", uids: [...(a.uids ?? [])] };
  }

  /** The rows as AlertInputs (for `AlertTable.from`; the rule engine's rows have detector "rules"). */
  inputs(): AlertInput[] {
    return Array.from({ length: this.count }, (_, r) => this.row(r));
  }

  /** Flow uids of a row. */
  uidsOf(r: number): string[] {
    return [...this.uidLists[r]];
  }

  /** Rows whose detector is `name` (a new table). */
  byDetector(name: string): AlertTable {
    return this.keep((r) => this.detectorNames[this.detectorCode[r]] === name);
  }

  /** Rows for which `test` holds (a row predicate or a filter expression over the columns): an AlertTable. */
  override where(test: RowPredicate | string): AlertTable {
    const rows = new Set(this.whereRows(test));
    return this.keep((r) => rows.has(r));
  }

  private keep(keep: (row: number) => boolean): AlertTable {
    const rows: AlertInput[] = [];
    for (let r = 0; r < this.count; r++) if (keep(r)) rows.push(this.row(r));
    return new AlertTable(rows, this.capture, { sort: false, warnings: this.warnings, packetsRead: this.packetsRead });
  }

  /** The packets of a row's evidence, as a view of the capture (or of `capture` when given). */
  packets(r: number, capture: Capture | undefined = this.capture): Capture {
    if (capture === undefined) throw new Error("this alert table has no capture: pass one");
    if (!(r >= 0 && r < this.count)) throw new RangeError(`no alert row ${r}`);
    return capture.filter(this.evidence[r]);
  }

  /** Alerts per detector, most first. */
  counts(): { detector: string; alerts: number }[] {
    const m = new Map<string, number>();
    for (let r = 0; r < this.count; r++) { const d = this.detectorNames[this.detectorCode[r]]; m.set(d, (m.get(d) ?? 0) + 1); }
    return [...m].map(([detector, alerts]) => ({ detector, alerts })).sort((a, b) => b.alerts - a.alerts || (a.detector < b.detector ? -1 : 1));
  }

  /** Alerts per sid (signature alerts). */
  countsBySid(): Map<number, number> {
    const m = new Map<number, number>();
    for (let r = 0; r < this.count; r++) { const s = this.sid[r]; if (s === s) m.set(s, (m.get(s) ?? 0) + 1); }
    return m;
  }

  /** The table in one of the writers' formats (src/result/format: Zeek TSV, CSV, JSON lines). */
  format(fmt: Format = "tsv", columns: string[] = this.columns): string {
    return formatTable(this, fmt, { columns });
  }
}
