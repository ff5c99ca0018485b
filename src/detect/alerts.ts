/**
 * The alerts table: one row per alert, columnar (typed arrays for times, severities and sids;
 * dictionary codes for detector names; one string array per text column). Detectors, imported
 * Suricata alerts (src/import/eve.ts) and the rule engine's alerts share the column set, so tables
 * concatenate (`AlertTable.concat`).
 *
 * Every row carries `evidence`, a Wireshark display filter that selects its packets in the capture
 * it was found in (`alerts.packets(row)` runs it), and `uids`, the flows involved.
 */
import type { Capture } from "../table/capture";
import { rowObjects } from "../table/rows";

export type AlertValue = number | string | undefined;

/**
 * Column order of every alert table. `severity` is Suricata's: 1 high, 2 medium, 3 low.
 * `sid msg classtype` are set for signature alerts and empty for detectors; `uids` is the flow uids
 * joined by spaces (`uidsOf(row)` gives the array); `uid` the first of them (the rule engine's name).
 */
export const ALERT_COLUMNS = ["ts", "detector", "severity", "src", "dst", "proto", "summary", "evidence", "uids", "uid",
  "sid", "msg", "classtype", "packets"] as const;
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
  /** transport or application protocol ("tcp", "udp", "dns", "arp", "ftp" …) */
  proto?: string;
  summary: string;
  /** display filter selecting the alert's packets */
  evidence: string;
  uids?: string[];
  sid?: number;
  msg?: string;
  classtype?: string;
  /** packets behind the alert (as counted by the detector) */
  packets?: number;
}

export interface AlertColumn {
  readonly name: string;
  get(row: number): AlertValue;
  /** text for TSV/CSV ("" when unset) */
  text(row: number): string;
}

/** Columnar alerts. Build with `AlertTable.from(rows, capture?)`. */
export class AlertTable {
  readonly count: number;
  readonly columns: string[] = [...ALERT_COLUMNS];
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
  private readonly uidLists: string[][];
  private readonly cols = new Map<string, AlertColumn>();

  private constructor(rows: AlertInput[], readonly capture: Capture | undefined) {
    // stable order: time, then detector, then source
    const order = rows.map((_, i) => i).sort((a, b) => rows[a].ts - rows[b].ts ||
      (rows[a].detector < rows[b].detector ? -1 : rows[a].detector > rows[b].detector ? 1 : 0) || a - b);
    const n = (this.count = rows.length);
    this.ts = new Float64Array(n);
    this.severity = new Uint8Array(n);
    this.sid = new Float64Array(n).fill(NaN);
    this.packetCount = new Float64Array(n).fill(NaN);
    this.detectorCode = new Uint16Array(n);
    this.detectorNames = [];
    const codes = new Map<string, number>();
    this.src = new Array(n); this.dst = new Array(n); this.proto = new Array(n); this.summary = new Array(n);
    this.evidence = new Array(n); this.msg = new Array(n); this.classtype = new Array(n); this.uidLists = new Array(n);
    order.forEach((i, r) => {
      const a = rows[i];
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
    });
    const str = (name: string, a: string[]) =>
      this.cols.set(name, { name, get: (r) => (a[r] === "" ? undefined : a[r]), text: (r) => a[r] });
    const num = (name: string, a: ArrayLike<number>, fmt: (x: number) => string = String) =>
      this.cols.set(name, { name, get: (r) => (a[r] === a[r] ? a[r] : undefined), text: (r) => (a[r] === a[r] ? fmt(a[r]) : "") });
    num("ts", this.ts, (x) => x.toFixed(6));
    this.cols.set("detector", { name: "detector", get: (r) => this.detectorNames[this.detectorCode[r]], text: (r) => this.detectorNames[this.detectorCode[r]] });
    num("severity", this.severity);
    str("src", this.src);
    str("dst", this.dst);
    str("proto", this.proto);
    str("summary", this.summary);
    str("evidence", this.evidence);
    this.cols.set("uids", { name: "uids", get: (r) => (this.uidLists[r].length ? this.uidLists[r].join(" ") : undefined), text: (r) => this.uidLists[r].join(" ") });
    this.cols.set("uid", { name: "uid", get: (r) => this.uidLists[r][0], text: (r) => this.uidLists[r][0] ?? "" });
    num("sid", this.sid);
    str("msg", this.msg);
    str("classtype", this.classtype);
    num("packets", this.packetCount);
  }

  /** A table of `rows` (sorted by time); `capture` is where `evidence` filters run. */
  static from(rows: AlertInput[], capture?: Capture): AlertTable {
    return new AlertTable(rows, capture);
  }

  /** One table of several (the first capture found is kept for `packets()`). */
  static concat(...tables: AlertTable[]): AlertTable {
    const rows: AlertInput[] = [];
    for (const t of tables) for (let r = 0; r < t.count; r++) rows.push(t.row(r));
    return new AlertTable(rows, tables.find((t) => t.capture !== undefined)?.capture);
  }

  /** The row as an AlertInput (round-trips through `from`). */
  row(r: number): AlertInput {
    const a: AlertInput = {
      ts: this.ts[r], detector: this.detectorNames[this.detectorCode[r]], severity: this.severity[r], src: this.src[r],
      dst: this.dst[r], proto: this.proto[r], summary: this.summary[r], evidence: this.evidence[r], uids: [...this.uidLists[r]],
    };
    if (this.sid[r] === this.sid[r]) a.sid = this.sid[r];
    if (this.msg[r] !== "") a.msg = this.msg[r];
    if (this.classtype[r] !== "") a.classtype = this.classtype[r];
    if (this.packetCount[r] === this.packetCount[r]) a.packets = this.packetCount[r];
    return a;
  }

  column(name: string): AlertColumn {
    const c = this.cols.get(name);
    if (c === undefined) throw new Error(`unknown alert column "${name}"; columns: ${this.columns.join(", ")}`);
    return c;
  }

  /** Flow uids of a row. */
  uidsOf(r: number): string[] {
    return [...this.uidLists[r]];
  }

  /** Rows whose detector is `name` (a new table). */
  byDetector(name: string): AlertTable {
    return this.where((r) => this.detectorNames[this.detectorCode[r]] === name);
  }

  /** Rows for which `keep(row)` is true (a new table). */
  where(keep: (row: number) => boolean): AlertTable {
    const rows: AlertInput[] = [];
    for (let r = 0; r < this.count; r++) if (keep(r)) rows.push(this.row(r));
    return new AlertTable(rows, this.capture);
  }

  /** The packets of a row's evidence, as a view of the capture (or of `capture` when given). */
  packets(r: number, capture: Capture | undefined = this.capture): Capture {
    if (capture === undefined) throw new Error("this alert table has no capture: pass one");
    if (!(r >= 0 && r < this.count)) throw new RangeError(`no alert row ${r}`);
    return capture.filter(this.evidence[r]);
  }

  /** Plain rows for small slices. */
  rows(columns: string[] = this.columns, from = 0, to = this.count): Record<string, AlertValue>[] {
    return rowObjects(columns.map((c) => this.column(c)), from, Math.min(to, this.count));
  }

  /** Alerts per detector, most first. */
  counts(): { detector: string; alerts: number }[] {
    const m = new Map<string, number>();
    for (let r = 0; r < this.count; r++) { const d = this.detectorNames[this.detectorCode[r]]; m.set(d, (m.get(d) ?? 0) + 1); }
    return [...m].map(([detector, alerts]) => ({ detector, alerts })).sort((a, b) => b.alerts - a.alerts || (a.detector < b.detector ? -1 : 1));
  }

  /** The alerts as a danfo DataFrame (danfo loaded on first call); unset values are null. */
  toDataFrame(columns: string[] = this.columns): import("danfojs-node").DataFrame {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { dataFrame } = require("../table/danfo") as typeof import("../table/danfo");
    const data: Record<string, (AlertValue | null)[]> = {};
    for (const name of columns) {
      const c = this.column(name);
      data[name] = Array.from({ length: this.count }, (_, r) => c.get(r) ?? null);
    }
    return dataFrame(data, columns);
  }

  /** TSV (header line, tabs and newlines inside values escaped as \t \n), CSV (RFC 4180) or JSON lines. */
  format(fmt: "tsv" | "csv" | "json" = "tsv", columns: string[] = this.columns): string {
    const cs = columns.map((c) => this.column(c));
    const lines: string[] = [];
    if (fmt === "json") {
      for (let r = 0; r < this.count; r++) {
        const o: Record<string, AlertValue> = {};
        for (const c of cs) { const v = c.get(r); if (v !== undefined) o[c.name] = v; }
        lines.push(JSON.stringify(o));
      }
    } else if (fmt === "csv") {
      const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
      lines.push(columns.map(q).join(","));
      for (let r = 0; r < this.count; r++) lines.push(cs.map((c) => q(c.text(r))).join(","));
    } else {
      const e = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
      lines.push(columns.join("\t"));
      for (let r = 0; r < this.count; r++) lines.push(cs.map((c) => e(c.text(r))).join("\t"));
    }
    return lines.length ? lines.join("\n") + "\n" : "";
  }
}
