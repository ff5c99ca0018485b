/**
 * Application tables against tshark (the oracle) on every capture of ../shared (pcaps and flows)
 * and data/: one tshark run per capture, with TCP reassembly on, prints the fields of the same
 * messages; each message tshark shows must be in our table with the same values.
 *  - dns: every response (by transaction id and response time = ts + rtt): query, qtype, rcode,
 *    TTLs of the answer section (the first dns.count.answers of dns.resp.ttl), A / AAAA / CNAME
 *    answers in order, rtt = dns.time; every query (by id and ts): query name;
 *  - http: requests (method, URI, Host, User-Agent, Referer) and final responses (code, phrase,
 *    Content-Type, body length = Content-Length or the sum of chunk sizes) as multisets;
 *  - tls: ClientHellos (JA3, JA3 string, SNI, ALPN list) and ServerHellos (cipher suite, JA3S);
 *  - quic: ClientHello SNI and ALPN with the QUIC version; the ServerHello's cipher suite;
 *  - dhcp: per transaction id, the message types in order, the ACK's address and lease time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DATA, hasTool, NO_SHARED, SHARED } from "../../helpers/paths";
import { open } from "../../../src/table/load";
import "../../../src/flows/apps";
import type { AppTable } from "../../../src/flows/apps";
import { cipherName } from "../../../src/flows/apps/hello";

const FIELDS = ["frame.number", "frame.time_epoch", "frame.protocols", "ip.reassembled.length", "ipv6.reassembled.length", "tcp.srcport", "tcp.dstport", "dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type", "dns.flags.rcode",
  "dns.count.answers", "dns.resp.type", "dns.resp.ttl", "dns.a", "dns.aaaa", "dns.cname", "dns.time",
  "http.request.method", "http.request.uri", "http.host", "http.user_agent", "http.referer", "http.response.code",
  "http.response.phrase", "http.content_type", "http.content_length", "http.chunk_size", "http.transfer_encoding",
  "tls.handshake.type", "tls.handshake.ja3", "tls.handshake.ja3_full", "tls.handshake.extensions_server_name",
  "tls.handshake.extensions_alpn_str", "tls.handshake.ciphersuite", "tls.handshake.ja3s", "quic.version",
  "dhcp.id", "dhcp.option.dhcp", "dhcp.ip.your", "dhcp.option.ip_address_lease_time", "dhcp.type"];

type Row = Record<string, string[]>;

function tshark(file: string): Row[] {
  const args = ["-n", "-r", file, "-o", "tcp.desegment_tcp_streams:TRUE", "-Y", "dns || http || tls.handshake || dhcp",
    "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=\x01", "-E", "quote=n"];
  for (const f of FIELDS) args.push("-e", f);
  let out: string;
  try {
    out = execFileSync("tshark", args, { encoding: "latin1", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? ""); // a cut file: tshark exits 2 after printing
  }
  return out.split("\n").filter((l) => l !== "").map((l) => {
    const cells = l.split("\t");
    const r: Row = {};
    FIELDS.forEach((f, i) => { const c = cells[i] ?? ""; r[f] = c === "" ? [] : c.split("\x01"); });
    return r;
  })
    // a message quoted in an ICMP error is not a message; IP fragments are not reassembled by the
    // second pass (a fragmented datagram is read from its first fragment, as far as it goes)
    // and tunnels the decoders do not open (GTP-U, Teredo: docs/flows.md) have no inner flows
    .filter((r) => !/:(icmp|icmpv6|gtp|teredo):/.test(r["frame.protocols"][0] ?? "") && r["ip.reassembled.length"].length === 0 && r["ipv6.reassembled.length"].length === 0);
}

function captures(): string[] {
  const out: string[] = [];
  if (SHARED !== undefined) {
    for (const dir of ["pcaps", "flows"]) {
      for (const f of fs.readdirSync(path.join(SHARED, dir)).sort()) {
        if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(f)) out.push(path.join(SHARED, dir, f));
      }
    }
  }
  for (const f of fs.readdirSync(DATA).sort()) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) out.push(path.join(DATA, f));
  return out;
}

const col = (t: AppTable, name: string, r: number) => t.column(name).get(r);
const near = (a: number, b: number) => Math.abs(a - b) < 2e-6;
const multiset = (xs: string[]) => { const m = new Map<string, number>(); for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1); return m; };

function sameMultiset(ours: string[], theirs: string[], what: string): void {
  const a = multiset(ours), b = multiset(theirs);
  const missing = [...b].filter(([k, n]) => (a.get(k) ?? 0) < n).map(([k]) => k);
  const extra = [...a].filter(([k, n]) => (b.get(k) ?? 0) < n).map(([k]) => k);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, what);
}

const dnsName = (s: string) => (s === "<Root>" ? "" : s);

function checkDns(t: AppTable, rows: Row[], file: string): number {
  let checked = 0;
  const ids = t.column("trans_id"), ts = t.column("ts"), rtt = t.column("rtt");
  for (const r of rows) {
    if (r["dns.id"].length !== 1 || r["dns.flags.response"].length !== 1) continue; // several messages in one segment
    const id = parseInt(r["dns.id"][0], 16), time = Number(r["frame.time_epoch"][0]);
    const resp = r["dns.flags.response"][0] === "1" || r["dns.flags.response"][0] === "True";
    const what = `${path.basename(file)} frame ${r["frame.number"][0]} (dns id ${id})`;
    let row = -1;
    for (let i = 0; i < t.count && row < 0; i++) {
      if (ids.get(i) !== id) continue;
      const q = ts.get(i) as number, d = rtt.get(i) as number | undefined;
      if (resp ? near(d === undefined ? q : q + d, time) : near(q, time)) row = i;
    }
    assert.ok(row >= 0, `${what}: no row`);
    const name = r["dns.qry.name"][0];
    if (name !== undefined) assert.equal(col(t, "query", row) ?? "", dnsName(name), `${what}: query`);
    if (!resp) { checked++; continue; }
    if (r["dns.qry.type"][0] !== undefined) assert.equal(col(t, "qtype", row), Number(r["dns.qry.type"][0]), `${what}: qtype`);
    assert.equal(col(t, "rcode", row), Number(r["dns.flags.rcode"][0]), `${what}: rcode`);
    const n = Number(r["dns.count.answers"][0] ?? 0);
    const types = r["dns.resp.type"].slice(0, n).map(Number);
    if (types.length === n) {
      // tshark lists TTLs of every section but OPT: the answer section comes first
      const ttls = r["dns.resp.ttl"].slice(0, n).map(Number);
      assert.deepEqual(col(t, "TTLs", row) ?? [], ttls, `${what}: TTLs`);
      const answers = (col(t, "answers", row) ?? []) as string[];
      let a = 0, aaaa = 0, cname = 0;
      types.forEach((ty, i) => {
        if (ty === 1) assert.equal(answers[i], r["dns.a"][a++], `${what}: A answer ${i}`);
        else if (ty === 28) assert.equal(answers[i], r["dns.aaaa"][aaaa++], `${what}: AAAA answer ${i}`);
        else if (ty === 5) assert.equal(answers[i], r["dns.cname"][cname++], `${what}: CNAME answer ${i}`);
      });
    }
    if (r["dns.time"][0] !== undefined) assert.ok(near(col(t, "rtt", row) as number, Number(r["dns.time"][0])), `${what}: rtt ${col(t, "rtt", row)} vs dns.time ${r["dns.time"][0]}`);
    checked++;
  }
  return checked;
}

function zip(r: Row, fields: string[]): string[][] {
  const n = r[fields[0]].length;
  const out: string[][] = [];
  for (let i = 0; i < n; i++) out.push(fields.map((f) => r[f].length === n ? r[f][i] : r[f][0] ?? ""));
  return out;
}

/** the TCP port pairs tshark shows messages on (we detect HTTP and TLS on any port; tshark by port and heuristics) */
function portPairs(rows: Row[]): Set<string> {
  const s = new Set<string>();
  for (const r of rows) {
    const a = Number(r["tcp.srcport"][0]), b = Number(r["tcp.dstport"][0]);
    s.add(a < b ? `${a}-${b}` : `${b}-${a}`);
  }
  return s;
}
function onPairs(t: AppTable, pairs: Set<string>): (i: number) => boolean {
  return (i) => {
    const a = Number(t.column("id.orig_p").get(i)), b = Number(t.column("id.resp_p").get(i));
    return pairs.has(a < b ? `${a}-${b}` : `${b}-${a}`);
  };
}

function checkHttp(t: AppTable, rows: Row[], file: string): number {
  const shown = onPairs(t, portPairs(rows));
  const theirsReq: string[] = [], theirsResp: string[] = [];
  for (const r of rows) {
    for (const [m, uri, host, ua, ref] of zip(r, ["http.request.method", "http.request.uri", "http.host", "http.user_agent", "http.referer"])) {
      theirsReq.push([m, uri, host, ua, ref].join(" | "));
    }
    const codes = r["http.response.code"];
    if (codes.length === 1 && !codes[0].startsWith("1")) {
      const chunked = r["http.transfer_encoding"].some((x) => /chunked/i.test(x));
      const len = chunked ? String(r["http.chunk_size"].reduce((s, x) => s + Number(x), 0)) : r["http.content_length"][0] ?? "?";
      theirsResp.push([codes[0], r["http.response.phrase"][0] ?? "", r["http.content_type"][0] ?? "", len].join(" | "));
    }
  }
  const oursReq: string[] = [], oursResp: string[] = [];
  for (let i = 0; i < t.count; i++) {
    if (!shown(i)) continue;
    const g = (c: string) => { const v = col(t, c, i); return v === undefined ? "" : String(v); };
    if (g("method") !== "") oursReq.push([g("method"), g("uri"), g("host"), g("user_agent"), g("referrer")].join(" | "));
    if (g("status_code") !== "") oursResp.push([g("status_code"), g("status_msg"), g("response_content_type"), g("response_body_len")].join(" | "));
  }
  sameMultiset(oursReq, theirsReq, `${path.basename(file)}: HTTP requests`);
  // a response without Content-Length or chunks runs to the connection's end: its length is ours only
  const theirsKnown = theirsResp.filter((x) => !x.endsWith("| ?"));
  const unknown = theirsResp.length - theirsKnown.length;
  const oursKnown = oursResp.filter((x) => theirsKnown.includes(x));
  sameMultiset(oursKnown, theirsKnown, `${path.basename(file)}: HTTP responses`);
  assert.equal(oursResp.length, theirsKnown.length + unknown, `${path.basename(file)}: HTTP response count`);
  return theirsReq.length + theirsResp.length;
}

function checkTls(t: AppTable, rows: Row[], file: string, quic: AppTable): number {
  const ch: string[] = [], sh: string[] = [], qch: string[] = [], qsh: string[] = [];
  for (const r of rows) {
    const types = r["tls.handshake.type"];
    const isQuic = r["quic.version"].length > 0;
    if (types.includes("1")) {
      if (isQuic) qch.push([r["quic.version"][0], r["tls.handshake.extensions_server_name"][0] ?? "", r["tls.handshake.extensions_alpn_str"].join(",")].join(" | "));
      else ch.push([r["tls.handshake.ja3"][0], r["tls.handshake.ja3_full"][0], r["tls.handshake.extensions_server_name"][0] ?? "", r["tls.handshake.extensions_alpn_str"].join(",")].join(" | "));
    }
    if (types.includes("2")) {
      const suite = String(parseInt(r["tls.handshake.ciphersuite"][0], 16));
      if (isQuic) qsh.push(suite);
      else sh.push([suite, r["tls.handshake.ja3s"][0]].join(" | "));
    }
  }
  const oursCh: string[] = [], oursSh: string[] = [];
  const shown = onPairs(t, portPairs(rows.filter((r) => r["quic.version"].length === 0)));
  for (let i = 0; i < t.count; i++) {
    if (!shown(i)) continue;
    const g = (c: string) => { const v = t.column(c).get(i); return v === undefined ? "" : Array.isArray(v) ? v.join(",") : String(v); };
    if (g("ja3") !== "") oursCh.push([g("ja3"), g("ja3_string"), g("server_name"), g("client_alpn")].join(" | "));
    if (g("ja3s") !== "") oursSh.push([g("cipher_code"), g("ja3s")].join(" | "));
  }
  sameMultiset(oursCh, ch, `${path.basename(file)}: TLS ClientHellos`);
  sameMultiset(oursSh, sh, `${path.basename(file)}: TLS ServerHellos`);
  const oq: string[] = [], oqs: string[] = [];
  const versionHex: Record<string, string> = { "1": "0x00000001", quicv2: "0x6b3343cf" };
  for (let i = 0; i < quic.count; i++) {
    const g = (c: string) => { const v = quic.column(c).get(i); return v === undefined ? "" : Array.isArray(v) ? v.join(",") : String(v); };
    const v = g("version");
    oq.push([versionHex[v] ?? (v.startsWith("draft-") ? `0xff0000${Number(v.slice(6)).toString(16).padStart(2, "0")}` : v), g("server_name"), g("client_alpn")].join(" | "));
    const c = quic.column("cipher").get(i);
    if (c !== undefined) oqs.push(String(c));
  }
  // one row per connection; tshark shows a hello again after a Retry (a new Initial): compared as sets
  sameMultiset([...new Set(oq)], [...new Set(qch)], `${path.basename(file)}: QUIC ClientHellos`);
  sameMultiset([...new Set(oqs)], [...new Set(qsh)].map((c) => cipherName(Number(c))), `${path.basename(file)}: QUIC ServerHello cipher suites`);
  return ch.length + sh.length + qch.length;
}

function checkDhcp(t: AppTable, rows: Row[], file: string): number {
  const theirs = new Map<number, { types: string[]; your?: string; lease?: string }>();
  const NAMES = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"];
  for (const r of rows) {
    if (r["dhcp.id"].length !== 1) continue;
    const id = parseInt(r["dhcp.id"][0], 16);
    let e = theirs.get(id);
    if (e === undefined) { e = { types: [] }; theirs.set(id, e); }
    const ty = Number(r["dhcp.option.dhcp"][0] ?? 0);
    if (ty > 0) e.types.push(NAMES[ty] ?? `UNKNOWN-${ty}`);
    if (ty === 5) { e.your = r["dhcp.ip.your"][0]; e.lease = r["dhcp.option.ip_address_lease_time"][0]; }
  }
  const ours = new Map<number, { types: string[]; your?: string; lease?: number }>();
  for (let i = 0; i < t.count; i++) {
    const id = t.column("trans_id").get(i) as number;
    let e = ours.get(id);
    if (e === undefined) { e = { types: [] }; ours.set(id, e); }
    e.types.push(...((t.column("msg_types").get(i) ?? []) as string[]));
    const a = t.column("assigned_addr").get(i);
    if (a !== undefined) { e.your = String(a); e.lease = t.column("lease_time").get(i) as number | undefined; }
  }
  for (const [id, e] of theirs) {
    const o = ours.get(id);
    assert.ok(o !== undefined, `${path.basename(file)}: DHCP xid ${id}: no row`);
    assert.deepEqual(o.types, e.types, `${path.basename(file)}: DHCP xid ${id}: message types`);
    if (e.your !== undefined && e.your !== "0.0.0.0") {
      assert.equal(o.your, e.your, `${path.basename(file)}: DHCP xid ${id}: assigned address`);
      if (e.lease !== undefined) assert.equal(o.lease, Number(e.lease), `${path.basename(file)}: DHCP xid ${id}: lease time`);
    }
  }
  return theirs.size;
}

const skip = !hasTool("tshark") ? "tshark is not installed" : false;

test("application tables agree with tshark on the shared corpus and data/", { skip, timeout: 600_000 }, async (t) => {
  if (SHARED === undefined) t.diagnostic(NO_SHARED);
  const totals = { dns: 0, http: 0, tls: 0, dhcp: 0 };
  for (const file of captures()) {
    let cap;
    try { cap = await open(file); } catch { continue; } // unreadable captures are the reader's tests
    const rows = tshark(file);
    const ft = cap.flows();
    const [dns, http, tls, dhcp, quic] = await Promise.all([cap.dns({ flows: ft }), cap.http({ flows: ft }), cap.tls({ flows: ft }), cap.dhcp({ flows: ft }), cap.quic({ flows: ft })]);
    totals.dns += checkDns(dns, rows.filter((r) => r["dns.id"].length > 0), file);
    totals.http += checkHttp(http, rows.filter((r) => r["http.request.method"].length > 0 || r["http.response.code"].length > 0), file);
    totals.tls += checkTls(tls, rows.filter((r) => r["tls.handshake.type"].length > 0), file, quic);
    totals.dhcp += checkDhcp(dhcp, rows.filter((r) => r["dhcp.id"].length > 0), file);
  }
  t.diagnostic(`messages compared: ${JSON.stringify(totals)}`);
  assert.ok(totals.dns > 100 && totals.http > 20 && totals.tls > 4 && totals.dhcp > 3, JSON.stringify(totals));
});
