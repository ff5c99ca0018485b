/**
 * Signature rules: `wb.rules.load(textOrPath) → RuleSet`, `ruleSet.match(capture) → AlertTable`.
 *
 *   const rs = wb.rules.load("local.rules");          // or the rules' text
 *   rs.unsupported                                     // rules skipped, with the keywords why
 *   const alerts = await rs.match(cap);                // one row per alert (columnar)
 *   alerts.column("msg").get(0); alerts.countsBySid();
 */
import * as fs from "node:fs";
import "../flows"; // Capture.flows(), for alert uids
import type { Capture } from "../table/capture";
import { Engine, type MatchOptions, type RawAlert } from "./engine";
import { parseRules, RuleError, type Rule } from "./parser";
import type { Vars } from "./address";
import { rowObjects } from "../table/rows";

export { RuleError, parseRules, translatePcre, type Rule, type Matcher, type Content } from "./parser";
export { DEFAULT_VARS, type Vars } from "./address";
export type { MatchOptions } from "./engine";

export interface LoadOptions {
  /** variables ($HOME_NET …) over suricata.yaml's defaults */
  vars?: Vars;
  /** throw on the first malformed rule instead of reporting it in `errors` */
  strict?: boolean;
}

export interface UnsupportedRule {
  sid: number;
  line: number;
  /** the keywords (or protocol, action) outside the subset */
  keywords: string[];
}

export const ALERT_COLUMNS = ["ts", "action", "sid", "rev", "gid", "msg", "classtype", "priority", "src", "sport", "dst", "dport",
  "proto", "app_proto", "uid", "frame.number", "evidence"] as const;
export type AlertColumnName = (typeof ALERT_COLUMNS)[number];
export type AlertValue = number | string | undefined;

export interface AlertColumn {
  readonly name: string;
  get(row: number): AlertValue;
  /** text as the CLI prints it ("" when unset) */
  text(row: number): string;
}

const PROTO_NAMES: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "IPv6-ICMP", 47: "GRE", 132: "SCTP" };

/** Alerts, columnar: rule fields come from the rule, packet fields from per-alert arrays. */
export class AlertTable {
  readonly count: number;
  readonly columns: string[] = [...ALERT_COLUMNS];
  private readonly ts: Float64Array;
  private readonly frame: Uint32Array;
  private readonly sport: Int32Array;
  private readonly dport: Int32Array;
  private readonly proto: Int16Array;
  private readonly ruleOf: Uint32Array;
  private readonly rules: Rule[] = [];
  private readonly src: string[];
  private readonly dst: string[];
  private readonly app: string[];
  private readonly uids: (string | undefined)[];
  private readonly cols = new Map<string, AlertColumn>();

  constructor(raw: RawAlert[], uids: (string | undefined)[], readonly warnings: string[], readonly packets: number) {
    const n = raw.length;
    this.count = n;
    this.ts = new Float64Array(n);
    this.frame = new Uint32Array(n);
    this.sport = new Int32Array(n);
    this.dport = new Int32Array(n);
    this.proto = new Int16Array(n);
    this.ruleOf = new Uint32Array(n);
    this.src = new Array<string>(n);
    this.dst = new Array<string>(n);
    this.app = new Array<string>(n);
    this.uids = uids;
    const ri = new Map<Rule, number>();
    for (let i = 0; i < n; i++) {
      const a = raw[i];
      this.ts[i] = a.ts;
      this.frame[i] = a.packet + 1;
      this.sport[i] = a.sport;
      this.dport[i] = a.dport;
      this.proto[i] = a.proto;
      let k = ri.get(a.rule);
      if (k === undefined) { k = this.rules.length; this.rules.push(a.rule); ri.set(a.rule, k); }
      this.ruleOf[i] = k;
      this.src[i] = a.src;
      this.dst[i] = a.dst;
      this.app[i] = a.app;
    }
    const rule = (i: number) => this.rules[this.ruleOf[i]];
    const add = (name: string, get: (i: number) => AlertValue, text?: (i: number) => string) =>
      this.cols.set(name, { name, get, text: text ?? ((i) => { const v = get(i); return v === undefined ? "" : String(v); }) });
    add("ts", (i) => this.ts[i], (i) => this.ts[i].toFixed(6));
    add("action", (i) => rule(i).action);
    add("sid", (i) => rule(i).sid);
    add("rev", (i) => rule(i).rev);
    add("gid", (i) => rule(i).gid);
    add("msg", (i) => rule(i).msg);
    add("classtype", (i) => rule(i).classtype || undefined);
    add("priority", (i) => rule(i).priority);
    add("src", (i) => this.src[i]);
    add("sport", (i) => (this.sport[i] >= 0 ? this.sport[i] : undefined));
    add("dst", (i) => this.dst[i]);
    add("dport", (i) => (this.dport[i] >= 0 ? this.dport[i] : undefined));
    add("proto", (i) => PROTO_NAMES[this.proto[i]] ?? (this.proto[i] >= 0 ? String(this.proto[i]) : undefined));
    add("app_proto", (i) => this.app[i] || undefined);
    add("uid", (i) => this.uids[i]);
    add("frame.number", (i) => this.frame[i]);
    add("evidence", (i) => `frame.number == ${this.frame[i]}`);
  }

  column(name: string): AlertColumn {
    const c = this.cols.get(name);
    if (c === undefined) throw new Error(`unknown alert column "${name}"; columns: ${this.columns.join(", ")}`);
    return c;
  }

  rows(columns: string[] = this.columns, from = 0, to = this.count): Record<string, AlertValue>[] {
    return rowObjects(columns.map((c) => this.column(c)), from, Math.min(to, this.count));
  }

  /**
   * The alerts as rows for the detectors' alert table (src/detect/alerts.ts `AlertTable.from`):
   * detector "rules", severity = priority (capped at 3), summary = msg.
   */
  inputs(): { ts: number; detector: string; severity: number; src: string; dst: string; proto?: string; summary: string;
    evidence: string; uids?: string[]; sid: number; msg: string; classtype?: string; packets: number }[] {
    const out = [];
    for (let i = 0; i < this.count; i++) {
      const r = this.rules[this.ruleOf[i]];
      const u = this.uids[i];
      out.push({
        ts: this.ts[i], detector: "rules", severity: Math.min(Math.max(r.priority, 1), 3), src: this.src[i], dst: this.dst[i],
        proto: (this.app[i] || PROTO_NAMES[this.proto[i]]?.toLowerCase()) ?? undefined, summary: r.msg || `sid ${r.sid}`,
        evidence: `frame.number == ${this.frame[i]}`, uids: u === undefined ? [] : [u], sid: r.sid, msg: r.msg,
        classtype: r.classtype || undefined, packets: 1,
      });
    }
    return out;
  }

  /** alerts per sid */
  countsBySid(): Map<number, number> {
    const m = new Map<number, number>();
    for (let i = 0; i < this.count; i++) { const s = this.rules[this.ruleOf[i]].sid; m.set(s, (m.get(s) ?? 0) + 1); }
    return m;
  }

  /** The alerts as a danfo DataFrame (danfo loads on first call); unset values are null. */
  toDataFrame(columns: string[] = this.columns): import("danfojs-node").DataFrame {
    const { dataFrame } = require("../table/danfo") as typeof import("../table/danfo");
    const data: Record<string, (AlertValue | null)[]> = {};
    for (const name of columns) {
      const c = this.column(name);
      const a = new Array<AlertValue | null>(this.count);
      for (let r = 0; r < this.count; r++) { const v = c.get(r); a[r] = v === undefined ? null : v; }
      data[name] = a;
    }
    return dataFrame(data, columns);
  }
}

export class RuleSet {
  /** every rule that parsed, in file order */
  readonly rules: Rule[];
  /** rules the engine runs */
  readonly active: Rule[];
  /** rules skipped because they use keywords (or protocols) outside the subset */
  readonly unsupported: UnsupportedRule[] = [];
  /** malformed rules (skipped), with line and column */
  readonly errors: RuleError[];
  readonly warnings: string[] = [];
  private engine: Engine | null = null;

  constructor(rules: Rule[], errors: RuleError[]) {
    this.rules = rules;
    this.errors = errors;
    const active: Rule[] = [];
    const sids = new Map<string, number>();
    for (const r of rules) {
      const why = [...r.unsupported];
      if (Engine.txConflict(r)) why.push("request and response buffers in one rule");
      if (why.length) {
        this.unsupported.push({ sid: r.sid, line: r.line, keywords: why });
        this.warnings.push(`line ${r.line}: sid ${r.sid} skipped: unsupported ${why.join(", ")}`);
        continue;
      }
      const k = `${r.gid}:${r.sid}`;
      if (sids.has(k)) {
        this.warnings.push(`line ${r.line}: sid ${r.sid} duplicates the rule at line ${sids.get(k)}: skipped`);
        continue;
      }
      sids.set(k, r.line);
      active.push(r);
    }
    this.active = active;
    for (const e of errors) this.warnings.push(`rule error: ${e.message}`);
  }

  /** rules skipped (unsupported, duplicate or malformed) */
  get skipped(): number {
    return this.rules.length - this.active.length + this.errors.length;
  }

  /** Runs the rules over a capture's file; alerts carry flow uids from `capture.flows()`. */
  async match(capture: Capture, opts: MatchOptions = {}): Promise<AlertTable> {
    const base = capture.storage;
    const limit = opts.limit ?? base.table.count;
    const res = await this.runFile(capture.path, { ...opts, limit });
    let raw = res.alerts;
    let viewRow: Map<number, number> | null = null;
    if (base.index !== null) {
      viewRow = new Map();
      for (let i = 0; i < base.index.length; i++) viewRow.set(base.index[i], i);
      raw = raw.filter((a) => viewRow!.has(a.packet));
    }
    const uids = new Array<string | undefined>(raw.length);
    if (raw.length > 0) {
      const ft = capture.flows();
      const uid = ft.column("uid");
      for (let i = 0; i < raw.length; i++) {
        const row = viewRow === null ? raw[i].packet : (viewRow.get(raw[i].packet) as number);
        const fr = row < ft.flowOf.length ? ft.flowOf[row] : 0xffffffff;
        uids[i] = fr === 0xffffffff ? undefined : (uid.get(fr) as string);
      }
    }
    return new AlertTable(raw, uids, [...this.warnings, ...res.warnings], res.packets);
  }

  /** Runs the rules over a file without a Capture (no uids). */
  async matchFile(path: string, opts: MatchOptions = {}): Promise<AlertTable> {
    const res = await this.runFile(path, opts);
    return new AlertTable(res.alerts, new Array(res.alerts.length), [...this.warnings, ...res.warnings], res.packets);
  }

  private runFile(path: string, opts: MatchOptions) {
    if (this.engine === null) this.engine = new Engine(this.active);
    return this.engine.run(path, opts);
  }
}

/**
 * Loads rules from text or a file path (a string with no newline that names an existing file, or
 * ends in .rules, is read as a file).
 */
export function load(textOrPath: string, opts: LoadOptions = {}): RuleSet {
  let text = textOrPath;
  const looksLikePath = !textOrPath.includes("\n") && !textOrPath.includes("(");
  if (looksLikePath || (textOrPath.endsWith(".rules") && fs.existsSync(textOrPath))) {
    try {
      text = fs.readFileSync(textOrPath, "utf8");
    } catch (e) {
      throw new Error(`cannot read rules file ${textOrPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const { rules, errors } = parseRules(text, { vars: opts.vars });
  if (opts.strict && errors.length) throw errors[0];
  return new RuleSet(rules, errors);
}
