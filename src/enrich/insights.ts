/**
 * What stands out in a capture: `capture.insights()` → a ranked ResultTable ("insights") of
 * observations, each with a severity (warning > notice > info), what was seen, its evidence
 * numbers and a display filter that shows it (tshark accepts it too). Checked: rare ports and
 * services, a JA4 seen once among many, long and very large connections, DNS NXDOMAIN and TXT
 * spikes, retransmission hot spots, a host talking to many peers, traffic at an unusual hour.
 * The thresholds are set so ordinary office traffic gives at most a few info lines.
 */
import type { Capture } from "../table/capture";
import type { FlowTable } from "../flows/table";
import { appTable, type AppTable } from "../flows/apps";
import "../flows"; // Capture.flows()
import { ResultTable, type Column } from "../result/table";
import { tcpTrouble } from "../stats/tcptrouble";
import { addrFilter, filterString } from "./diff";

export const INSIGHT_COLUMNS = ["rank", "severity", "kind", "observation", "evidence", "filter"];
const SEVERITY = { warning: 3, notice: 2, info: 1 } as const;
export type Severity = keyof typeof SEVERITY;

export interface Insight {
  severity: Severity;
  kind: string;
  observation: string;
  evidence: string;
  filter: string;
  /** orders rows of one severity (bigger first) */
  score: number;
}

export interface InsightOptions {
  /** a connection this long (seconds) or longer is "long" (default 3600) */
  longSeconds?: number;
  /** a connection with this many bytes or more is "very large" (default 10 MB) */
  largeBytes?: number;
  /** a host with this many distinct peers or more "talks to many" (default 50) */
  manyPeers?: number;
  /** hours (UTC, 0–23) that are unusual (default 0–5) */
  quietHours?: number[];
}

/** Ports ordinary networks use: a rare flow to one of these is not worth a line. */
const COMMON_PORTS = new Set([20, 21, 22, 23, 25, 53, 67, 68, 80, 88, 110, 123, 135, 137, 138, 139, 143, 161, 389, 443, 445, 465, 514, 587,
  636, 853, 993, 995, 1900, 3389, 5353, 5355, 8080, 8443]);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function flowFilter(ft: FlowTable, r: number): string {
  const a = ft.column("id.orig_h").text(r), b = ft.column("id.resp_h").text(r), p = ft.column("proto").text(r);
  const ap = ft.column("id.orig_p").get(r), bp = ft.column("id.resp_p").get(r);
  const ports = p === "tcp" || p === "udp" ? ` && ${p}.port == ${ap} && ${p}.port == ${bp}` : "";
  return `${addrFilter(a)} && ${addrFilter(b)}${ports}`;
}

/** The observations of a capture, most severe and strongest first. */
export async function insights(cap: Capture, o: InsightOptions = {}): Promise<InsightTable> {
  const out: Insight[] = [];
  const ft = (cap as Capture & { flows(): FlowTable }).flows();
  const n = ft.count;
  const proto = ft.column("proto"), rp = ft.column("id.resp_p"), oh = ft.column("id.orig_h"), rh = ft.column("id.resp_h");
  const dur = ft.column("duration"), ob = ft.column("orig_bytes"), rb = ft.column("resp_bytes"), state = ft.column("conn_state");
  const svc = ft.column("service");
  const bytesOf = (r: number) => ((ob.get(r) as number | undefined) ?? 0) + ((rb.get(r) as number | undefined) ?? 0);
  let total = 0;
  for (let r = 0; r < n; r++) total += bytesOf(r);

  // rare ports: an answered connection to an uncommon port few flows use
  const perPort = new Map<string, number[]>();
  for (let r = 0; r < n; r++) {
    const p = proto.text(r), port = rp.get(r);
    if ((p !== "tcp" && p !== "udp") || typeof port !== "number") continue;
    const k = `${p}/${port}`;
    let l = perPort.get(k);
    if (l === undefined) perPort.set(k, (l = []));
    l.push(r);
  }
  if (n >= 20) for (const [k, rows] of perPort) {
    const [p, portText] = k.split("/");
    const port = Number(portText);
    if (COMMON_PORTS.has(port) || rows.length > Math.max(2, n * 0.01)) continue;
    const answered = rows.filter((r) => (p === "tcp" ? /^(SF|S1|S2|S3|RSTO|RSTR)$/.test(state.text(r)) : (rb.get(r) as number | undefined ?? 0) > 0 || ft.column("resp_pkts").get(r) as number > 0));
    if (answered.length === 0) continue;
    const bytes = answered.reduce((s, r) => s + bytesOf(r), 0);
    if (svc.get(answered[0]) !== undefined && port >= 1024) continue; // a known protocol on a high port (SSDP, mDNS replies …)
    out.push({ severity: bytes >= 10_000 ? "notice" : "info", kind: "rare_port",
      observation: `${k}: ${answered.length} answered connection${answered.length > 1 ? "s" : ""} to a port no other flow uses`,
      evidence: `flows=${rows.length} of ${n}; bytes=${bytes}; hosts=${[...new Set(answered.map((r) => rh.text(r)))].slice(0, 3).join(" ")}`,
      filter: `${p}.port == ${port}`, score: bytes });
  }

  // long and very large connections
  const longS = o.longSeconds ?? 3600, large = o.largeBytes ?? 10e6;
  for (let r = 0; r < n; r++) {
    const d = dur.get(r) as number | undefined, b = bytesOf(r);
    if (d !== undefined && d >= longS) out.push({ severity: "notice", kind: "long_connection",
      observation: `a ${proto.text(r)} connection ${oh.text(r)} → ${rh.text(r)}:${rp.text(r)} lasted ${(d / 3600).toFixed(1)} h`,
      evidence: `duration=${d.toFixed(0)}s; bytes=${b}; uid=${ft.column("uid").text(r)}`, filter: flowFilter(ft, r), score: d });
    if (b >= large) out.push({ severity: "notice", kind: "large_connection",
      observation: `a ${proto.text(r)} connection ${oh.text(r)} → ${rh.text(r)}:${rp.text(r)} carried ${(b / 1e6).toFixed(1)} MB`,
      evidence: `bytes=${b}; share=${pct(total > 0 ? b / total : 0)}; uid=${ft.column("uid").text(r)}`, filter: flowFilter(ft, r), score: b });
  }

  // DNS: NXDOMAIN and TXT spikes
  const has = (f: string) => cap.columns.includes(f);
  if (has("dns.flags.response")) {
    const resp = cap.column("dns.flags.response"), rcode = has("dns.flags.rcode") ? cap.column("dns.flags.rcode") : undefined;
    const qt = has("dns.qry.type") ? cap.column("dns.qry.type") : undefined;
    let responses = 0, nx = 0, queries = 0, txt = 0;
    for (let i = 0; i < cap.count; i++) {
      const v = resp.get(i);
      if (v === 1) { responses++; if (rcode?.get(i) === 3) nx++; } else if (v === 0) { queries++; if (qt?.get(i) === 16) txt++; }
    }
    if (nx >= 20 && nx >= responses * 0.2) out.push({ severity: "warning", kind: "dns_nxdomain",
      observation: `${nx} DNS answers are NXDOMAIN (${pct(nx / responses)} of answers): names that do not exist (DGA, typos, tunnelling)`,
      evidence: `nxdomain=${nx}; responses=${responses}`, filter: "dns.flags.rcode == 3", score: nx });
    if (txt >= 20 && txt >= queries * 0.2) out.push({ severity: "warning", kind: "dns_txt",
      observation: `${txt} DNS queries ask for TXT records (${pct(txt / queries)} of queries): TXT carries data in tunnels`,
      evidence: `txt=${txt}; queries=${queries}`, filter: "dns.qry.type == 16", score: txt });
  }

  // a host talking to many peers
  const peers = new Map<string, Set<string>>();
  for (let r = 0; r < n; r++) {
    const a = oh.text(r);
    let s = peers.get(a);
    if (s === undefined) peers.set(a, (s = new Set()));
    s.add(rh.text(r));
  }
  const many = o.manyPeers ?? 50;
  for (const [a, s] of peers) if (s.size >= many) out.push({ severity: "warning", kind: "many_peers",
    observation: `${a} opened connections to ${s.size} different hosts`, evidence: `peers=${s.size}; hosts=${peers.size}`,
    filter: `${a.includes(":") ? "ipv6" : "ip"}.src == ${a}`, score: s.size });

  // retransmission hot spots: a connection with many retransmitted segments
  if (has("tcp.srcport")) {
    const { packets } = tcpTrouble(cap);
    const per = new Map<string, number>();
    const kind = packets.column("kind"), uid = packets.column("uid");
    for (let r = 0; r < packets.count; r++) {
      if (!/retransmission/.test(String(kind.get(r)))) continue;
      const u = uid.get(r);
      if (typeof u === "string") per.set(u, (per.get(u) ?? 0) + 1);
    }
    for (const [u, k] of per) {
      const row = ft.rowOf(u);
      const pk = ((ft.column("orig_pkts").get(row) as number) ?? 0) + ((ft.column("resp_pkts").get(row) as number) ?? 0);
      if (k >= 10 && k >= pk * 0.05) out.push({ severity: "notice", kind: "retransmissions",
        observation: `${k} retransmitted segments on ${oh.text(row)} → ${rh.text(row)}:${rp.text(row)} (${pct(k / Math.max(1, pk))} of its packets)`,
        evidence: `retransmissions=${k}; packets=${pk}; uid=${u}`, filter: flowFilter(ft, row), score: k }); // tshark: add && tcp.analysis.retransmission
    }
  }

  // a JA4 seen once while many TLS clients agree
  if (has("tls.handshake.type")) {
    const tls: AppTable = await appTable(cap, "tls", { flows: ft });
    const j = tls.column("ja4"), sn = tls.column("server_name");
    const seen = new Map<string, number[]>();
    for (let r = 0; r < tls.count; r++) { const v = j.get(r); if (typeof v === "string") { let l = seen.get(v); if (l === undefined) seen.set(v, (l = [])); l.push(r); } }
    const hellos = [...seen.values()].reduce((s, l) => s + l.length, 0);
    if (hellos >= 10) for (const [v, rows] of seen) {
      if (rows.length > 1) continue;
      const r = rows[0], name = sn.get(r);
      out.push({ severity: "notice", kind: "rare_ja4", observation: `a TLS client fingerprint (JA4 ${v}) seen once among ${hellos} handshakes`,
        evidence: `ja4=${v}; client=${tls.column("id.orig_h").text(r)}; sni=${typeof name === "string" ? name : "-"}`,
        filter: typeof name === "string" ? `tls.handshake.type == 1 && tls.handshake.extensions_server_name == ${filterString(name)}` : `${flowFilter(ft, tls.flowRows[r])} && tls.handshake.type == 1`,
        score: 1 });
    }
  }

  // traffic at an unusual hour (UTC), when the rest of the capture is at usual hours
  const quiet = new Set(o.quietHours ?? [0, 1, 2, 3, 4, 5]);
  const t = cap.column("frame.time_epoch");
  let q = 0, usual = 0, first = Infinity, last = -Infinity;
  for (let i = 0; i < cap.count; i++) {
    const x = t.get(i) as number | undefined;
    if (x === undefined) continue;
    if (quiet.has(new Date(x * 1000).getUTCHours())) { q++; first = Math.min(first, x); last = Math.max(last, x); } else usual++;
  }
  if (q > 0 && usual > q) out.push({ severity: q >= 10 ? "notice" : "info", kind: "unusual_hour",
    observation: `${q} packets at an unusual hour (${[...quiet].sort((a, b) => a - b).map((h) => String(h).padStart(2, "0")).join(",")} UTC), ${usual} at other hours`,
    evidence: `packets=${q}; from=${new Date(first * 1000).toISOString()}; to=${new Date(last * 1000).toISOString()}`,
    filter: `frame.time_epoch >= ${Math.floor(first)} && frame.time_epoch <= ${Math.ceil(last)}`, score: q });

  // a summary line
  out.push({ severity: "info", kind: "summary", observation: `${cap.count} packets, ${n} connections, ${peers.size} originating hosts`,
    evidence: `bytes=${total}`, filter: "frame", score: -1 });
  out.sort((a, b) => SEVERITY[b.severity] - SEVERITY[a.severity] || b.score - a.score || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return new InsightTable(out);
}

const str = (name: string, f: (r: number) => string): Column => ({ name, type: "string", get: f, text: f });

export class InsightTable extends ResultTable {
  constructor(readonly items: Insight[]) {
    super("insights", [], items.length);
    this.setColumn({ name: "rank", type: "count", get: (r) => r + 1, text: (r) => String(r + 1) });
    this.setColumn({ name: "severity", type: "enum", get: (r) => items[r].severity, text: (r) => items[r].severity });
    this.setColumn(str("kind", (r) => items[r].kind));
    this.setColumn(str("observation", (r) => items[r].observation));
    this.setColumn(str("evidence", (r) => items[r].evidence));
    this.setColumn(str("filter", (r) => items[r].filter));
  }

  protected override noun(): string {
    return "insight";
  }
}
