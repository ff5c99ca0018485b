/**
 * What changed between two captures: `wb.diff(a, b)`. Each section counts keys in both (endpoints
 * and conversations by packets, ports and services by flows, protocols by packets, DNS names,
 * TLS SNI, JA4 and HTTP hosts by the packets or handshakes that name them, alerts by detector and
 * source); a key seen in one only is `new` or `gone`, one whose count moved by half or more (and
 * by at least `minChange`) is `changed`. Rows are sorted by how much they changed
 * (|log2((b+1)/(a+1))|, then the absolute difference), each with a display filter that shows the
 * key in A and in B (tshark accepts it too).
 */
import type { Capture } from "../table/capture";
import type { FlowTable } from "../flows/table";
import { protocolMatches } from "../fields/registry";
import { ResultTable, type Column } from "../result/table";
import { appTable, type AppTable } from "../flows/apps";
import "../flows"; // Capture.flows()
import "../detect"; // Capture.alerts()

export const DIFF_COLUMNS = ["section", "kind", "key", "count_a", "count_b", "ratio", "filter"];

export interface DiffOptions {
  /** a changed key must move by at least this many (default 5) */
  minChange?: number;
  /** and by this factor either way (default 1.5) */
  minRatio?: number;
  /** sections to compare (default all) */
  sections?: string[];
}

export const DIFF_SECTIONS = ["endpoints", "conversations", "ports", "services", "protocols", "dns", "tls_sni", "ja4", "http_host", "alerts"];

/** A key's count and the filter that shows it. */
interface Entry { n: number; filter: string }
type Counts = Map<string, Entry>;

/** A display-filter string literal (tshark's escapes). */
export function filterString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;
}

/** The display filter of an address: IPv4, IPv6 or a MAC (an ARP alert's source). */
export function addrFilter(a: string): string {
  if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(a)) return `eth.addr == ${a}`;
  return `${a.includes(":") ? "ipv6" : "ip"}.addr == ${a}`;
}
const bump = (m: Counts, key: string, filter: () => string, by = 1) => {
  const e = m.get(key);
  if (e === undefined) m.set(key, { n: by, filter: filter() });
  else e.n += by;
};

/** Zeek service names → the display-filter protocol that shows them. */
const SERVICE_FILTER: Record<string, string> = { ssl: "tls", pop3: "pop", dns: "dns", http: "http", quic: "quic", dhcp: "dhcp", ntp: "ntp",
  ssh: "ssh", ftp: "ftp", smtp: "smtp", imap: "imap", smb: "smb", telnet: "telnet" };

/** The counts of every section for one capture (what diff compares; insights reuses some). */
export async function sectionCounts(cap: Capture, sections = DIFF_SECTIONS): Promise<Map<string, Counts>> {
  const want = new Set(sections);
  const out = new Map<string, Counts>();
  const sec = (s: string) => { let m = out.get(s); if (m === undefined) out.set(s, (m = new Map())); return m; };
  for (const s of sections) sec(s);
  const col = (n: string) => (cap.columns.includes(n) ? cap.column(n) : undefined);
  const s4 = col("ip.src"), d4 = col("ip.dst"), s6 = col("ipv6.src"), d6 = col("ipv6.dst");
  const qn = col("dns.qry.name"), dnsResp = col("dns.flags.response"), sni = col("tls.handshake.extensions_server_name"), host = col("http.host");
  for (let i = 0; i < cap.count; i++) {
    let a = s4?.get(i) as string | undefined, b = d4?.get(i) as string | undefined;
    if (a === undefined || b === undefined) { a = s6?.get(i) as string | undefined; b = d6?.get(i) as string | undefined; }
    if (a !== undefined && b !== undefined) {
      if (want.has("endpoints")) { bump(sec("endpoints"), a, () => addrFilter(a as string)); if (b !== a) bump(sec("endpoints"), b, () => addrFilter(b as string)); }
      if (want.has("conversations")) {
        const [x, y] = a < b ? [a, b] : [b, a];
        bump(sec("conversations"), `${x} ${y}`, () => `${addrFilter(x)} && ${addrFilter(y)}`);
      }
    }
    if (want.has("dns") && qn !== undefined && dnsResp?.get(i) !== 1) {
      const q = qn.get(i);
      if (typeof q === "string") bump(sec("dns"), q, () => `dns.flags.response == 0 && dns.qry.name == ${filterString(q)}`);
    }
    if (want.has("tls_sni") && sni !== undefined) {
      const v = sni.get(i);
      if (typeof v === "string") bump(sec("tls_sni"), v, () => `tls.handshake.extensions_server_name == ${filterString(v)}`);
    }
    if (want.has("http_host") && host !== undefined) {
      const v = host.get(i);
      if (typeof v === "string") bump(sec("http_host"), v, () => `http.host == ${filterString(v)}`);
    }
  }
  if (want.has("protocols")) {
    for (const { protocol, packets } of cap.protocolCounts()) {
      if (!protocolMatches(protocol) || !/^[a-z0-9_.-]+$/i.test(protocol)) continue;
      sec("protocols").set(protocol, { n: packets, filter: protocol });
    }
  }
  const needFlows = want.has("ports") || want.has("services") || want.has("ja4");
  const ft: FlowTable | undefined = needFlows ? (cap as Capture & { flows(): FlowTable }).flows() : undefined;
  if (ft !== undefined) {
    const proto = ft.column("proto"), rp = ft.column("id.resp_p"), svc = ft.column("service");
    for (let r = 0; r < ft.count; r++) {
      const p = String(proto.get(r)), port = rp.get(r);
      if (want.has("ports") && (p === "tcp" || p === "udp") && typeof port === "number") bump(sec("ports"), `${p}/${port}`, () => `${p}.port == ${port}`);
      const s = svc.get(r);
      if (want.has("services") && typeof s === "string") for (const one of s.split(",")) {
        const f = SERVICE_FILTER[one];
        if (f !== undefined) bump(sec("services"), one, () => f);
      }
    }
  }
  if (want.has("ja4") && ft !== undefined) {
    const tls: AppTable = await appTable(cap, "tls", { flows: ft });
    const j = tls.column("ja4"), sn = tls.column("server_name");
    const snis = new Map<string, Set<string>>();
    for (let r = 0; r < tls.count; r++) {
      const v = j.get(r);
      if (typeof v !== "string") continue;
      bump(sec("ja4"), v, () => "");
      const s = sn.get(r);
      let set = snis.get(v);
      if (set === undefined) snis.set(v, (set = new Set()));
      if (typeof s === "string" && set.size < 8) set.add(s);
    }
    // JA4 is no tshark 4.0 field: the filter shows the client hellos of the names it was seen with
    for (const [v, e] of sec("ja4")) {
      const names = [...(snis.get(v) ?? [])];
      // (tshark 4.0 takes no string sets: `in {"a" "b"}` is rejected)
      e.filter = names.length ? `tls.handshake.type == 1 && (${names.map((n) => `tls.handshake.extensions_server_name == ${filterString(n)}`).join(" || ")})` : "tls.handshake.type == 1";
    }
  }
  if (want.has("alerts")) {
    const alerts = await (cap as Capture & { alerts(): Promise<ResultTable> }).alerts();
    const det = alerts.column("detector"), src = alerts.column("src");
    for (let r = 0; r < alerts.count; r++) {
      const d = String(det.get(r)), s = src.get(r);
      const who = typeof s === "string" && s !== "" ? s : "";
      bump(sec("alerts"), who ? `${d} ${who}` : d, () => (who ? addrFilter(who) : "frame"));
    }
  }
  return out;
}

interface Row { section: string; kind: string; key: string; a: number; b: number; ratio: number; filter: string; score: number }

/** The difference of two captures as a ResultTable named "diff" (DIFF_COLUMNS). */
export async function diff(a: Capture, b: Capture, o: DiffOptions = {}): Promise<DiffTable> {
  const sections = o.sections ?? DIFF_SECTIONS;
  for (const s of sections) if (!DIFF_SECTIONS.includes(s)) throw new Error(`unknown diff section "${s}": ${DIFF_SECTIONS.join(", ")}`);
  const minChange = o.minChange ?? 5, minRatio = o.minRatio ?? 1.5;
  const [ca, cb] = [await sectionCounts(a, sections), await sectionCounts(b, sections)];
  const rows: Row[] = [];
  for (const s of sections) {
    const ma = ca.get(s) as Counts, mb = cb.get(s) as Counts;
    for (const key of new Set([...ma.keys(), ...mb.keys()])) {
      const ea = ma.get(key), eb = mb.get(key);
      const x = ea?.n ?? 0, y = eb?.n ?? 0;
      let kind: string;
      if (x === 0 && y > 0) kind = "new";
      else if (y === 0 && x > 0) kind = "gone";
      else if (Math.abs(y - x) >= minChange && (y >= x * minRatio || x >= y * minRatio)) kind = "changed";
      else continue;
      rows.push({ section: s, kind, key, a: x, b: y, ratio: x > 0 ? y / x : NaN, filter: (ea ?? eb as Entry).filter,
        score: Math.abs(Math.log2((y + 1) / (x + 1))) });
    }
  }
  rows.sort((p, q) => q.score - p.score || Math.abs(q.b - q.a) - Math.abs(p.b - p.a) || (p.section < q.section ? -1 : p.section > q.section ? 1 : p.key < q.key ? -1 : 1));
  return new DiffTable(rows, a, b);
}

const str = (name: string, f: (r: number) => string): Column => ({ name, type: "string", get: f, text: f });

export class DiffTable extends ResultTable {
  constructor(r: Row[], readonly a: Capture, readonly b: Capture) {
    super("diff", [], r.length);
    this.setColumn(str("section", (i) => r[i].section));
    this.setColumn({ name: "kind", type: "enum", get: (i) => r[i].kind, text: (i) => r[i].kind });
    this.setColumn(str("key", (i) => r[i].key));
    this.setColumn({ name: "count_a", type: "count", get: (i) => r[i].a, text: (i) => String(r[i].a) });
    this.setColumn({ name: "count_b", type: "count", get: (i) => r[i].b, text: (i) => String(r[i].b) });
    this.setColumn({ name: "ratio", type: "double", get: (i) => (r[i].ratio === r[i].ratio ? r[i].ratio : undefined), text: (i) => (r[i].ratio === r[i].ratio ? r[i].ratio.toFixed(3) : "-") });
    this.setColumn(str("filter", (i) => r[i].filter));
  }

  protected override noun(): string {
    return "change";
  }
}
