/**
 * dns_tunnel: data carried in query names. Queries are grouped by domain (the registered domain:
 * the last two labels, three under a two-letter country code's co/com/net/org/ac/gov/edu; or, when
 * the name does not end in a TLD-like label, its first label, as dnscat2 without a domain writes
 * "dnscat.<hex>…"). A domain is reported when many distinct subdomains with long, high-entropy
 * labels are asked for, or when TXT/NULL queries for distinct subdomains pile up. mDNS, LLMNR,
 * NetBIOS, `.local` and reverse (`.arpa`) names are left out.
 */
import type { AlertInput } from "./alerts";
import { addrTerm, quote, type DetectContext } from "./context";

export interface DnsTunnelOptions {
  /** distinct subdomains asked for under one domain */
  minUniqueSubdomains: number;
  /** mean length (characters, dots excluded) of those subdomains */
  minMeanLength: number;
  /** mean Shannon entropy (bits per character) of those subdomains */
  minEntropy: number;
  /** TXT and NULL queries for one domain, reported with half the distinct subdomains */
  minTxtNull: number;
}

export const DNS_TUNNEL_DEFAULTS: DnsTunnelOptions = { minUniqueSubdomains: 25, minMeanLength: 20, minEntropy: 3.2, minTxtNull: 30 };

const SKIP_PORTS = new Set([5353, 5355, 137]);
const SECOND_LEVEL = new Set(["co", "com", "net", "org", "ac", "gov", "edu"]);

/** [domain, subdomain] of a query name ("" subdomain when there is none) */
export function splitDomain(name: string): [string, string, boolean] {
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  const labels = n.toLowerCase().split(".");
  if (labels.length < 2) return [n.toLowerCase(), "", true];
  const tld = labels[labels.length - 1];
  if (/^[a-z]{2,24}$/.test(tld) || /^xn--[a-z0-9-]+$/.test(tld)) {
    const take = labels.length >= 3 && tld.length === 2 && SECOND_LEVEL.has(labels[labels.length - 2]) ? 3 : 2;
    if (labels.length <= take) return [labels.join("."), "", true];
    return [labels.slice(-take).join("."), labels.slice(0, -take).join("."), true];
  }
  return [labels[0], labels.slice(1).join("."), false];
}

/** Shannon entropy in bits per character */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const m = new Map<number, number>();
  for (let i = 0; i < s.length; i++) m.set(s.charCodeAt(i), (m.get(s.charCodeAt(i)) ?? 0) + 1);
  let h = 0;
  for (const c of m.values()) { const p = c / s.length; h -= p * Math.log2(p); }
  return h;
}

interface Dom {
  suffix: boolean;
  subs: Set<string>;
  lenSum: number;
  entSum: number;
  queries: number;
  txtNull: number;
  clients: Map<number, number>;
  servers: Map<number, number>;
  first: number;
  rows: number;
}

function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function dnsTunnel(ctx: DetectContext, o: DnsTunnelOptions): AlertInput[] {
  const name = ctx.dict("dns.qry.name"), resp = ctx.num("dns.flags.response"), qtype = ctx.num("dns.qry.type");
  const sport = ctx.num("udp.srcport"), dport = ctx.num("udp.dstport");
  const { src, dst, text } = ctx.addrs();
  const t = ctx.time();
  // per distinct name: its split (names repeat: queries and responses, retries)
  const split = new Map<number, [string, string, boolean] | null>();
  const doms = new Map<string, Dom>();
  for (let i = 0; i < ctx.n; i++) {
    const c = name.codes[i];
    if (c === 0) continue;
    if (SKIP_PORTS.has(sport[i]) || SKIP_PORTS.has(dport[i])) continue;
    let sp = split.get(c);
    if (sp === undefined) {
      const v = name.values[c];
      const low = v.toLowerCase().replace(/\.$/, "");
      sp = low.endsWith(".local") || low.endsWith(".arpa") || low === "" ? null : splitDomain(v);
      split.set(c, sp);
    }
    if (sp === null) continue;
    let d = doms.get(sp[0]);
    if (d === undefined) doms.set(sp[0], (d = { suffix: sp[2], subs: new Set(), lenSum: 0, entSum: 0, queries: 0, txtNull: 0, clients: new Map(), servers: new Map(), first: t[i], rows: 0 }));
    d.rows++;
    if (resp[i] !== 0) continue;
    d.queries++;
    const q = qtype[i];
    if (q === 16 || q === 10) d.txtNull++;
    d.clients.set(src[i], (d.clients.get(src[i]) ?? 0) + 1);
    d.servers.set(dst[i], (d.servers.get(dst[i]) ?? 0) + 1);
    const sub = sp[1];
    if (sub !== "" && !d.subs.has(sub)) {
      d.subs.add(sub);
      const flat = sub.replace(/\./g, "");
      d.lenSum += flat.length;
      d.entSum += entropy(flat);
    }
  }
  const top = (m: Map<number, number>): [number, number] => {
    let k = NaN, n = 0;
    for (const [a, c] of m) if (c > n) { k = a; n = c; }
    return [k, n];
  };
  const out: AlertInput[] = [];
  for (const [domain, d] of doms) {
    const u = d.subs.size;
    if (u === 0) continue;
    const meanLen = d.lenSum / u, meanEnt = d.entSum / u;
    const encoded = u >= o.minUniqueSubdomains && meanLen >= o.minMeanLength && meanEnt >= o.minEntropy;
    const volume = d.txtNull >= o.minTxtNull && u >= o.minUniqueSubdomains / 2;
    if (!encoded && !volume) continue;
    const [client, cn] = top(d.clients);
    const [server] = top(d.servers);
    const cl = cn >= 0.9 * d.queries && client === client ? text(client) : "";
    const re = d.suffix ? `(?i)(^|\\.)${regexEscape(domain)}\\.?$` : `(?i)^${regexEscape(domain)}\\.`;
    // uids: the flows of the domain's packets
    const uids = new Set<string>();
    const fc = ctx.flowCols(), flowOf = ctx.flows.flowOf;
    const rx = new RegExp(re.slice(4), "i");
    for (let i = 0; i < ctx.n; i++) {
      const c = name.codes[i];
      if (c === 0 || !rx.test(name.values[c])) continue;
      const fr = flowOf[i];
      if (fr < fc.n) uids.add(fc.uid[fr]);
    }
    out.push({
      ts: d.first, detector: "dns_tunnel", severity: 1, src: cl, dst: server === server ? text(server) : "", proto: "dns",
      summary: `${d.queries} queries for ${u} distinct subdomains of ${domain} (mean ${meanLen.toFixed(0)} chars, ` +
        `${meanEnt.toFixed(2)} bits/char; ${d.txtNull} TXT/NULL)` + (cl ? "" : ` from ${d.clients.size} clients`),
      evidence: `dns.qry.name matches ${quote(re)}` + (cl ? ` && ${addrTerm("addr", cl)}` : ""),
      uids: [...uids], packets: d.rows,
    });
  }
  return out;
}
