/**
 * The rule engine: one replay pass (src/stream/replay.ts) over the rows of a Capture or a view.
 * Per packet: header facts from the packet table and the payload where the decoders found it
 * (header.ts), flow
 * and stream update (flow.ts, app.ts), then the candidate rules of the packet's protocol class —
 * rules without a payload fast pattern, plus those whose fast pattern the Aho-Corasick prefilter
 * found — in Suricata's order (pass first; flowbit setters before checkers; priority), each
 * verified (header, flow, packet keywords, flowbits, content/pcre). Transaction rules (http/dns/tls
 * buffers) run once per transaction the packet completes. Thresholds and detection filters decide
 * which matches become alerts.
 */
import { replay, type Replayed } from "../stream/replay";
import type { AddrTable } from "../stream/packets";
import type { Capture } from "../table/capture";
import { matchAddr, matchPort } from "./address";
import { inspect, Subject } from "./content";
import { FlowTracker, type Flow, type FlowOptions } from "./flow";
import { Hdr as Decoded, Headers } from "./header";
import { testFlags, testNum, TO_CLIENT_BUFFERS, type BufferName, type Content, type Matcher, type Rule, type ThresholdOpt } from "./parser";
import { Prefilter } from "./prefilter";
import type { Tx } from "./app";

const C_TCP = 1, C_UDP = 2, C_ICMP = 4, C_OTHER = 8;

interface Compiled {
  rule: Rule;
  order: number;
  /** packet classes (bits) */
  cls: number;
  /** app protocol required ("" none) */
  app: string;
  /** the rule inspects transaction buffers */
  tx: boolean;
  txToServer: boolean;
  txLists: [BufferName, Matcher[]][];
  payload: Matcher[] | null;
  /** prefilter pattern id (-1: none) */
  fp: number;
  checksBits: boolean;
  setsBits: boolean;
}

export interface MatchOptions extends FlowOptions {
  /** only the first this many packets (rows) */
  limit?: number;
}

export interface RawAlert {
  /** packet index (0-based record number: row of the full table) */
  packet: number;
  /** row in the capture or view the rules ran over */
  row: number;
  ts: number;
  rule: Rule;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  proto: number;
  flow: number;
  app: string;
}

export interface MatchResult {
  alerts: RawAlert[];
  packets: number;
  warnings: string[];
  /** per-sid match counts before thresholds/noalert (for diagnostics) */
  matches: Map<number, number>;
}

const ACTION_ORDER: Record<string, number> = { pass: 0, drop: 1, reject: 2, alert: 3 };

function fastPattern(list: Matcher[]): Content | null {
  let best: Content | null = null;
  for (const m of list) {
    if (m.kind !== "content" || m.negated) continue;
    if (m.fastPattern) return m;
    if (best === null || m.bytes.length > best.bytes.length) best = m;
  }
  return best;
}

function classesOf(proto: string): { cls: number; app: string } {
  switch (proto) {
    case "tcp": case "tcp-pkt": case "tcp-stream": return { cls: C_TCP, app: "" };
    case "udp": return { cls: C_UDP, app: "" };
    case "icmp": return { cls: C_ICMP, app: "" };
    case "ip": return { cls: C_TCP | C_UDP | C_ICMP | C_OTHER, app: "" };
    case "http": case "tls": return { cls: C_TCP, app: proto };
    case "dns": return { cls: C_TCP | C_UDP, app: "dns" };
    default: return { cls: 0, app: "" };
  }
}

export class Engine {
  private readonly compiled: Compiled[];
  private readonly prefilter: Prefilter;
  /** per class index (0 tcp, 1 udp, 2 icmp, 3 other): packet rules without fast pattern, and fp rules */
  private readonly plain: Compiled[][] = [[], [], [], []];
  private readonly byFp: Compiled[] = [];
  private readonly txRules: Compiled[] = [];

  constructor(rules: Rule[]) {
    const sorted = rules.slice().sort((a, b) => {
      const ao = ACTION_ORDER[a.action] - ACTION_ORDER[b.action];
      if (ao !== 0) return ao;
      const fa = bitsClass(a), fb = bitsClass(b);
      if (fa !== fb) return fa - fb;
      if (a.priority !== b.priority) return a.priority - b.priority;
      return a.index - b.index;
    });
    const patterns: Buffer[] = [];
    this.compiled = sorted.map((rule, order) => {
      const { cls, app } = classesOf(rule.proto);
      const txLists: [BufferName, Matcher[]][] = [];
      let payload: Matcher[] | null = null;
      for (const [b, l] of rule.buffers) {
        if (b === "payload") payload = l;
        else txLists.push([b, l]);
      }
      for (const b of rule.bsize.keys()) if (!rule.buffers.has(b)) txLists.push([b, []]);
      if (rule.urilen !== null && !rule.buffers.has("http.uri")) txLists.push(["http.uri", []]);
      const tx = txLists.length > 0;
      let fp = -1;
      if (!tx && payload !== null) {
        const c = fastPattern(payload);
        if (c !== null) { fp = patterns.length; patterns.push(c.bytes); }
      }
      return {
        rule, order, cls, app: tx && app === "" ? txApp(txLists[0][0]) : app, tx,
        txToServer: !txLists.some(([b]) => TO_CLIENT_BUFFERS.has(b)), txLists, payload, fp,
        checksBits: rule.flowbits.some((f) => f.cmd === "isset" || f.cmd === "isnotset"),
        setsBits: rule.flowbits.some((f) => f.cmd === "set" || f.cmd === "unset" || f.cmd === "toggle"),
      };
    });
    this.prefilter = new Prefilter(patterns);
    for (const c of this.compiled) {
      if (c.tx) { this.txRules.push(c); continue; }
      if (c.fp >= 0) { this.byFp[c.fp] = c; continue; }
      for (let k = 0; k < 4; k++) if ((c.cls & (1 << k)) !== 0) this.plain[k].push(c);
    }
  }

  /** Rules that need both request and response buffers cannot match one transaction. */
  static txConflict(rule: Rule): boolean {
    let to = false, from = false;
    for (const b of rule.buffers.keys()) {
      if (b === "payload") continue;
      if (TO_CLIENT_BUFFERS.has(b)) from = true;
      else if (b !== "http.header" && b !== "http.content_type") to = true;
    }
    return to && from;
  }

  async run(cap: Capture, opts: MatchOptions = {}): Promise<MatchResult> {
    const hs = new Headers(cap);
    const d = new Decoded(hs.addrs);
    const pseudoPacket = (f: Flow, toServer: boolean) => pseudo(f, toServer, hs.addrs);
    const flows = new FlowTracker(opts);
    const alerts: RawAlert[] = [];
    const matches = new Map<number, number>();
    const thresholds = new Map<string, { first: number; count: number; alerted: number }>();
    const subject = new Subject();
    const txSubject = new Subject();
    const cands: Compiled[] = [];
    let packet = -1, row = -1;
    const pf = this.prefilter;
    const self = this;

    function header(c: Compiled, d: Decoded): boolean {
      const r = c.rule;
      if (!r.anySport || !r.anyDport) {
        if (d.sport < 0) return false;
      }
      if (fwd(r, d)) return true;
      return r.bidirectional && rev(r, d);
    }

    function flowOk(c: Compiled, f: Flow | null): boolean {
      const fo = c.rule.flow;
      if (fo === null) return true;
      if (f === null) return fo.stateless && !fo.toServer && !fo.toClient && !fo.established;
      if (fo.toServer && !flows.toServer) return false;
      if (fo.toClient && flows.toServer) return false;
      if (fo.established && !flows.established) return false;
      if (fo.notEstablished && flows.established) return false;
      if (fo.onlyStream && !flows.session) return false;
      return true;
    }

    function packetKeywords(r: Rule, d: Decoded): boolean {
      if (r.flags !== null && (d.proto !== 6 || !d.l4ok || !testFlags(r.flags, d.tcpFlags))) return false;
      if (r.dsize !== null && (!d.l4ok || !testNum(r.dsize, d.payLen))) return false;
      if (r.itype !== null && (d.itype < 0 || !testNum(r.itype, d.itype))) return false;
      if (r.icode !== null && (d.icode < 0 || !testNum(r.icode, d.icode))) return false;
      if (r.ttl !== null && (d.ttl < 0 || !testNum(r.ttl, d.ttl))) return false;
      if (r.ipProto !== null && !testNum(r.ipProto, d.proto)) return false;
      return true;
    }

    function bitsOk(r: Rule, f: Flow | null): boolean {
      for (const op of r.flowbits) {
        if (op.cmd !== "isset" && op.cmd !== "isnotset") continue;
        const bits = f?.bits;
        const has = (n: string) => bits != null && bits.has(n);
        if (op.cmd === "isset") {
          if (op.any ? !op.names.some(has) : !op.names.every(has)) return false;
        } else if (op.any ? op.names.every(has) : op.names.some(has)) return false;
      }
      return true;
    }

    function applyBits(r: Rule, f: Flow | null): void {
      if (f === null) return;
      for (const op of r.flowbits) {
        if (op.cmd === "set" || op.cmd === "unset" || op.cmd === "toggle") {
          if (f.bits === null) f.bits = new Set();
          for (const n of op.names) {
            if (op.cmd === "set") f.bits.add(n);
            else if (op.cmd === "unset") f.bits.delete(n);
            else if (f.bits.has(n)) f.bits.delete(n); else f.bits.add(n);
          }
        }
      }
    }

    function trackKey(th: ThresholdOpt, d: Decoded, f: Flow | null): string {
      switch (th.track) {
        case "by_src": return d.srcText();
        case "by_dst": return d.dstText();
        case "by_both": return `${d.srcText()}|${d.dstText()}`;
        case "by_flow": return `f${f?.id ?? -1}`;
        default: return "";
      }
    }

    /** whether a match becomes an alert under the rule's threshold / detection_filter */
    function thresholdOk(r: Rule, d: Decoded, f: Flow | null, t: number): boolean {
      for (const th of [r.detectionFilter, r.threshold]) {
        if (th === null) continue;
        const key = `${th.type}|${r.gid}:${r.sid}|${trackKey(th, d, f)}`;
        let s = thresholds.get(key);
        if (s === undefined || t - s.first >= th.seconds) {
          s = { first: t, count: 0, alerted: 0 };
          thresholds.set(key, s);
        }
        s.count++;
        switch (th.type) {
          case "detection_filter": if (s.count <= th.count) return false; break;
          case "limit": if (s.count > th.count) return false; break;
          case "threshold":
            if (s.count < th.count) return false;
            s.count = 0;
            break;
          case "both":
            if (s.count < th.count || s.alerted > 0) return false;
            s.alerted = 1;
            break;
        }
      }
      return true;
    }

    /** after a rule matched: flowbits, thresholds, alert; returns true when a pass rule matched */
    function matched(c: Compiled, d: Decoded, f: Flow | null, t: number, app: string): boolean {
      const r = c.rule;
      matches.set(r.sid, (matches.get(r.sid) ?? 0) + 1);
      applyBits(r, f);
      if (r.action === "pass") return true;
      if (r.noalert || !thresholdOk(r, d, f, t)) return false;
      alerts.push({
        packet, row, ts: t, rule: r, src: d.srcText(), sport: d.sport, dst: d.dstText(), dport: d.dport,
        proto: d.proto, flow: f?.id ?? -1, app,
      });
      return false;
    }

    function appOk(c: Compiled, f: Flow | null): boolean {
      if (c.app === "") return true;
      if (f === null) return false;
      return f.alproto === c.app || (c.app === "http" && f.alproto === "http2");
    }

    function txMatch(c: Compiled, tx: Tx): boolean {
      for (const [name, list] of c.txLists) {
        const bufs = tx.buffers.get(name);
        if (bufs === undefined) return false;
        const bs = c.rule.bsize.get(name);
        let any = false;
        for (const b of bufs) {
          if (bs !== undefined && !testNum(bs, b.length)) continue;
          if (name === "http.uri" && c.rule.urilen !== null && !testNum(c.rule.urilen, b.length)) continue;
          if (list.length === 0 || inspect(list, txSubject.reset(b))) { any = true; break; }
        }
        if (!any) return false;
      }
      return true;
    }

    /** app-protocol payload rules over the stream bytes that made the protocol known on this (ACK) packet */
    function runDetected(pd: Decoded, f: Flow, t: number): void {
      const dir = flows.toServer;
      for (const chunk of flows.detected) {
        const d = pseudoPacket(f, chunk.toServer) ?? pd;
        flows.toServer = chunk.toServer;
        const cls = 1 << (f.proto === 17 ? 1 : 0);
        for (const c of self.compiled) {
          if (c.tx || c.app === "" || c.payload === null || (c.cls & cls) === 0 || !appOk(c, f)) continue;
          const r = c.rule;
          if (!r.anySrc || !r.anyDst || !r.anySport || !r.anyDport || r.bidirectional) { if (!header(c, d)) continue; }
          if (!flowOk(c, f) || !packetKeywords(r, d) || !bitsOk(r, f)) continue;
          if (!inspect(c.payload, subject.reset(chunk.data))) continue;
          if (matched(c, pd, f, t, f.alproto)) break;
        }
      }
      flows.toServer = dir;
    }

    function runTxs(txs: Tx[], pd: Decoded, f: Flow | null, t: number): void {
      const dir = flows.toServer;
      for (const tx of txs) {
        // a transaction is seen from its own side (the data is often completed by the other side's ACK)
        let d = pd;
        if (f !== null && tx.toServer !== dir) {
          const p = pseudoPacket(f, tx.toServer);
          if (p !== null) d = p;
        }
        flows.toServer = f === null ? dir : tx.toServer;
        for (const c of self.txRules) {
          if (c.app !== tx.alproto || c.txToServer !== tx.toServer) continue;
          const r = c.rule;
          if (!r.anySrc || !r.anyDst || !r.anySport || !r.anyDport || r.bidirectional) { if (!header(c, d)) continue; }
          if (!flowOk(c, f) || !packetKeywords(r, d) || !bitsOk(r, f)) continue;
          if (c.payload !== null) {
            if (d.payLen === 0) continue;
            if (!inspect(c.payload, subject.reset(d.buf.subarray(d.payOff, d.payOff + d.payLen)))) continue;
          }
          if (!txMatch(c, tx)) continue;
          if (matched(c, d, f, t, tx.alproto)) break;
        }
      }
      flows.toServer = dir;
    }

    const each = (p: Replayed): void => {
        packet = p.base;
        row = p.row;
        const t = Number.isNaN(p.t) ? 0 : p.t;
        if (!hs.fill(d, p)) return;
        const f = flows.update(d, t);
        const k = !d.l4ok || d.fragment ? 3 : d.proto === 6 ? 0 : d.proto === 17 ? 1 : d.proto === 1 || d.proto === 58 ? 2 : 3;
        // candidates in rule order
        cands.length = 0;
        const plain = self.plain[k];
        let hasFp = false;
        if (d.payLen > 0 && self.byFp.length > 0 && pf.scan(d.buf, d.payOff, d.payLen) > 0) hasFp = true;
        if (hasFp) {
          const cls = 1 << k;
          for (let i = 0; i < self.byFp.length; i++) {
            if (pf.has(i)) { const c = self.byFp[i]; if ((c.cls & cls) !== 0) cands.push(c); }
          }
          for (const c of plain) cands.push(c);
          cands.sort((a, b) => a.order - b.order);
        }
        const list = hasFp ? cands : plain;
        let payloadReady = false;
        for (let i = 0; i < list.length; i++) {
          const c = list[i];
          const r = c.rule;
          if (!appOk(c, f)) continue;
          if (!r.anySrc || !r.anyDst || !r.anySport || !r.anyDport || r.bidirectional) { if (!header(c, d)) continue; }
          if (!flowOk(c, f) || !packetKeywords(r, d) || !bitsOk(r, f)) continue;
          if (c.payload !== null) {
            if (d.payLen === 0) continue;
            if (!payloadReady) { subject.reset(d.buf.subarray(d.payOff, d.payOff + d.payLen)); payloadReady = true; }
            if (!inspect(c.payload, subject)) continue;
          }
          if (matched(c, d, f, t, f?.alproto ?? "")) break;
        }
        if (flows.detected.length && f !== null) runDetected(d, f, t);
        if (flows.txs.length) runTxs(flows.txs, d, f, t);
    };
    const limit = opts.limit ?? cap.count;
    const rows = limit < cap.count ? Uint32Array.from({ length: Math.max(0, limit) }, (_, i) => i) : undefined;
    const res = await replay(cap, each, { rows });
    // end of capture: data never acknowledged reaches the app layer (Suricata's flow-end pseudo packets)
    flows.flushAll((f, txs) => {
      for (const tx of txs) {
        const d = pseudoPacket(f, tx.toServer);
        if (d === null) continue;
        flows.toServer = tx.toServer;
        flows.established = f.tcp === 3;
        flows.session = true;
        runTxs([tx], d, f, f.last);
      }
    });
    const warnings = hs.warnings();
    if (!hs.hasTtl && this.compiled.some((c) => c.rule.ttl !== null)) {
      warnings.push(`${cap.path}: ttl rules never match: the capture was opened without ip.ttl and ipv6.hlim (RULE_FIELDS has them)`);
    }
    if (res.missing > 0) warnings.push(`${res.missing} packets' records could not be read again (the file changed, or a live capture's retention cap)`);
    return { alerts, packets: res.packets, warnings, matches };
  }
}

/** A payload-less packet standing for a flow's side at the end of the capture. */
function pseudo(f: Flow, toServer: boolean, addrs: AddrTable): Decoded | null {
  const h = f.hdr;
  if (h === null) return null;
  const d = new Decoded(addrs);
  d.ipv = h.ipv;
  d.proto = h.proto;
  d.l4ok = true;
  d.src = toServer ? h.src : h.dst;
  d.dst = toServer ? h.dst : h.src;
  d.sport = toServer ? h.sport : h.dport;
  d.dport = toServer ? h.dport : h.sport;
  return d;
}

function fwd(r: Rule, d: Decoded): boolean {
  if (!r.anySrc && !matchAddr(r.src, d.src4, () => d.srcBig())) return false;
  if (!r.anyDst && !matchAddr(r.dst, d.dst4, () => d.dstBig())) return false;
  if (!r.anySport && !matchPort(r.sport, d.sport)) return false;
  if (!r.anyDport && !matchPort(r.dport, d.dport)) return false;
  return true;
}

function rev(r: Rule, d: Decoded): boolean {
  if (!r.anySrc && !matchAddr(r.src, d.dst4, () => d.dstBig())) return false;
  if (!r.anyDst && !matchAddr(r.dst, d.src4, () => d.srcBig())) return false;
  if (!r.anySport && !matchPort(r.sport, d.dport)) return false;
  if (!r.anyDport && !matchPort(r.dport, d.sport)) return false;
  return true;
}

/** Suricata orders flowbit setters before rules that read bits. */
function bitsClass(r: Rule): number {
  const sets = r.flowbits.some((f) => f.cmd === "set" || f.cmd === "unset" || f.cmd === "toggle");
  const reads = r.flowbits.some((f) => f.cmd === "isset" || f.cmd === "isnotset");
  if (sets && !reads) return 0;
  if (sets && reads) return 1;
  if (reads) return 2;
  return 3;
}

function txApp(b: BufferName): string {
  if (b.startsWith("http.")) return "http";
  if (b.startsWith("dns.")) return "dns";
  if (b.startsWith("tls.")) return "tls";
  return "";
}
