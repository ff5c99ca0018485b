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
import { RULE_FIELDS } from "./header";
import { open } from "../table/load";
import { parseRules, RuleError, type Rule } from "./parser";
import type { Vars } from "./address";
import { AlertTable, type AlertInput } from "../detect/alerts";

export { RuleError, parseRules, translatePcre, type Rule, type Matcher, type Content } from "./parser";
export { DEFAULT_VARS, type Vars } from "./address";
export type { MatchOptions } from "./engine";
export { RULE_FIELDS } from "./header";

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

export { AlertTable, ALERT_COLUMNS, type AlertColumnName, type AlertValue, type AlertColumn } from "../detect/alerts";

const PROTO_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp", 47: "gre", 132: "sctp" };

/** The rule engine's alerts as rows of the one AlertTable (detector "rules", severity = priority capped at 3). */
function ruleAlerts(raw: RawAlert[], uids: (string | undefined)[], capture: Capture | undefined, warnings: string[], packets: number): AlertTable {
  const rows: AlertInput[] = raw.map((a, i) => {
    const r = a.rule, u = uids[i];
    return {
      ts: a.ts, detector: "rules", severity: Math.min(Math.max(r.priority, 1), 3), src: a.src, dst: a.dst,
      sport: a.sport >= 0 ? a.sport : undefined, dport: a.dport >= 0 ? a.dport : undefined,
      proto: PROTO_NAMES[a.proto] ?? (a.proto >= 0 ? String(a.proto) : undefined), app_proto: a.app || undefined,
      summary: r.msg || `sid ${r.sid}`, evidence: `frame.number == ${a.packet + 1}`, uids: u === undefined ? [] : [u],
      action: r.action, sid: r.sid, rev: r.rev, gid: r.gid, msg: r.msg, classtype: r.classtype || undefined, priority: r.priority,
      frame: a.packet + 1, packets: 1,
    };
  });
  return AlertTable.from(rows, capture, { sort: false, warnings, packetsRead: packets });
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

  /**
   * Runs the rules over a capture (a file, a live capture, or a view: only its packets); alerts
   * carry flow uids from `capture.flows()`.
   */
  async match(capture: Capture, opts: MatchOptions = {}): Promise<AlertTable> {
    return this.run(capture, opts, true);
  }

  /** Opens a capture file and runs the rules over it (no uids: connection tracking is not run). */
  async matchFile(path: string, opts: MatchOptions = {}): Promise<AlertTable> {
    return this.run(await open(path, { columns: RULE_FIELDS }), opts, false);
  }

  private async run(capture: Capture, opts: MatchOptions, withUids: boolean): Promise<AlertTable> {
    if (this.engine === null) this.engine = new Engine(this.active);
    const res = await this.engine.run(capture, opts);
    const raw = res.alerts;
    const uids = new Array<string | undefined>(raw.length);
    if (withUids && raw.length > 0) {
      const ft = capture.flows();
      const uid = ft.column("uid");
      for (let i = 0; i < raw.length; i++) {
        const row = raw[i].row;
        const fr = row < ft.flowOf.length ? ft.flowOf[row] : 0xffffffff;
        uids[i] = fr === 0xffffffff ? undefined : (uid.get(fr) as string);
      }
    }
    return ruleAlerts(raw, uids, capture, [...this.warnings, ...res.warnings], res.packets);
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
