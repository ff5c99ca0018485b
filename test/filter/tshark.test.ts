/**
 * Conformance of display filters: for every capture of ../shared/pcaps and data/, each filter below
 * selects the same frames as tshark's display-filter engine does (with the per-packet preferences of
 * ../shared/tools/tshark-reference.sh). tshark runs once per capture (see ./oracle.ts), and the
 * batch is cross-checked against plain `tshark -Y` for a few filters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { open } from "../../src/table/load";
import { filterRows } from "../../src/filter";
import { isProtocol, protocolNames } from "../../src/fields/registry";
import { DATA, hasTool, NO_SHARED, SHARED } from "../helpers/paths";
import { tsharkBatch, tsharkY } from "./oracle";

/** Filters over fields we decode (tshark 4.0 syntax: comma-separated sets, no xor). */
export const FILTERS = [
  // protocols
  "tcp", "udp", "dns", "ip", "ipv6", "arp", "icmp || icmpv6", "vlan", "http", "tls", "not ip and not ipv6",
  "mpls or gre or vxlan", "eth and not vlan",
  // ports, either side
  "tcp.port == 443", "tcp.dstport == 443", "udp.port == 53", "tcp.port eq 80 and http",
  "tcp.port in {80, 443, 8080}", "tcp.dstport in {1..1024}", "udp.port not in {53, 5353}",
  "tcp.port != 443", "tcp.port ~= 80", "tcp.port === 443", "tcp.srcport < tcp.dstport",
  // addresses: CIDR, either side, negations
  "ip.addr == 10.0.0.0/8", "ip.src == 192.168.0.0/16 or ip.dst == 172.16.0.0/12", "!(ip.addr == 10.0.0.0/8)",
  "ip.addr != 10.0.0.0/8", "ip.dst in {224.0.0.0/4, 255.255.255.255}", "ip.src > 10.0.0.5 && ip.src <= 192.168.255.255",
  "ipv6.addr == fe80::/10", "ipv6.dst == ff02::/16", "ipv6.src == ::", "ipv6.addr == 2001:db8::/32",
  "eth.addr == ff:ff:ff:ff:ff:ff", "eth.dst == ff-ff-ff-ff-ff-ff", "eth.dst[0:1] == 01", "eth.src[0:3] == 00:0c:29",
  // flags and bit fields
  "tcp.flags.syn == 1 and tcp.flags.ack == 0", "tcp.flags & 0x02", "tcp.flags & 0x12 == 0x12",
  "tcp.flags.reset == 1 || tcp.flags.fin == True", "tcp.flags.push", "ip.flags.df == 1",
  "ip.flags.mf == 1 or ip.frag_offset > 0", "dns.flags.response == 0 && dns.qry.type in {1, 28}",
  // sizes and numbers
  "tcp.len > 0", "tcp.len >= 1000 && tcp.len <= 1460", "frame.len > 1000", "frame.len lt 64 or frame.len ge 1500",
  "ip.ttl < 64", "ip.proto == 17 && !udp.port == 53", "udp.length > 100", "tcp.window_size_value == 0",
  "eth.type == 0x0800", "icmp.type == 8 || icmpv6.type == 128", "frame.number <= 10 || frame.number > 0x40",
  "(tcp.srcport == 80 || tcp.srcport == 443) && tcp.len > 0", "ip.id == 0", "frame.time_relative <= 1.5",
  // strings
  'dns.qry.name contains "example"', 'dns.qry.name contains "google"', 'dns.qry.name matches "^www\\\\."',
  'dns.qry.name matches "(?i)COM$"', 'dns.qry.name matches "^WWW"', 'dns.qry.name matches "(?-i)^WWW"', "len(dns.qry.name) > 20", 'http.host contains "example"',
  'http.host matches "\\\\.(com|org)$"', 'http.request.method == "GET"', "http.response.code >= 300",
  "tls.handshake.type == 1", 'tls.handshake.extensions_server_name contains "google"',
  'frame.protocols contains "tls"', 'http.request.method in {"GET", "POST"}',
];

/**
 * Where we may differ, with the reason: Wireshark's filters see every occurrence of a field, our
 * table keeps the first (tshark's -E occurrence=f). Keyed by capture, then filter.
 */
const SECOND_IP = "tshark also matches the second IPv4 header of the packet (an ICMP error quoting the original " +
  "datagram, or the inner header of a tunnel); our table keeps the first";
const CONTINUATION = "decoder gap, not a filter one: tshark marks TCP segments that continue a TLS record or an HTTP " +
  "body as tls/http even without desegmentation; our decoders put no protocol above tcp there (frame.protocols " +
  "differs the same way)";
const PROTO_EXCEPTIONS = (names: string[]): Record<string, string> =>
  Object.fromEntries(names.map((f) => [f, CONTINUATION]));
const CONT_ALL = PROTO_EXCEPTIONS(["http", "tls", "tcp.port eq 80 and http", 'frame.protocols contains "tls"']);

export const FILTER_EXCEPTIONS: Record<string, Record<string, string>> = {
  "chrissanders__icmp_traceroute.pcapng": {
    "ip.src == 192.168.0.0/16 or ip.dst == 172.16.0.0/12": SECOND_IP,
    "ip.src > 10.0.0.5 && ip.src <= 192.168.255.255": SECOND_IP,
    "ip.ttl < 64": SECOND_IP,
    "icmp.type == 8 || icmpv6.type == 128": SECOND_IP + " (and the quoted ICMP echo's type 8)",
  },
  "zeek__gre-sample.pcap": {
    "ip.src == 192.168.0.0/16 or ip.dst == 172.16.0.0/12": SECOND_IP,
    "ip.ttl < 64": SECOND_IP,
    "ip.proto == 17 && !udp.port == 53": SECOND_IP + " (the inner ip.proto 17)",
  },
  "zeek__vxlan-encapsulated-http.pcap": {
    "ip.src == 192.168.0.0/16 or ip.dst == 172.16.0.0/12": SECOND_IP,
    "ip.flags.df == 1": SECOND_IP,
  },
  "gopacket__test100.pcapng": {
    "frame.time_relative <= 1.5": "frame 1 has no timestamp: tshark takes it as time 0 and makes the others' " +
      "frame.time_relative their epoch time; Capture's frame.time_relative counts from the first timestamped frame",
  },
  "zeek__ipv6-hbh-routing0.pcap": {
    dns: "a malformed DNS message: tshark lists dns in frame.protocols yet its filter `dns` does not match it",
  },
  "suricata__bug-6875-01__fuzz.pcap": Object.fromEntries(["tcp", "ip", "not ip and not ipv6", "tcp.port != 443",
    "tcp.port ~= 80", "ip.src == 192.168.0.0/16 or ip.dst == 172.16.0.0/12", "ip.addr != 10.0.0.0/8",
    "ip.src > 10.0.0.5 && ip.src <= 192.168.255.255", "tcp.flags.push", "ip.flags.df == 1", "eth.type == 0x0800"]
    .map((f) => [f, "a corrupt file whose frame 1 we decode as eth:ip:tcp and tshark, reading it as another pcap " +
      "variant, as eth:data (see the fields conformance exception)"])),
  "gopacket__test_loopback.pcap": PROTO_EXCEPTIONS(["http"]),
  "scapy__http_chunk.pcap.gz": CONT_ALL,
  "zeek__chrome-1250-tls-x25519-kyber.pcap": CONT_ALL,
  "zeek__chrome-34-google.pcap": CONT_ALL,
  "zeek__cooper-grill-dvwa.pcapng": CONT_ALL,
  "zeek__mixed-vlan-mpls.pcap": CONT_ALL,
  "zeek__vlan-qinqinq.pcap": CONT_ALL,
  "office.pcap": CONT_ALL,
  "office.pcapng": CONT_ALL,
  "office-vlan-ipv6.pcap": CONT_ALL,
  "zeek__curl-8.1.2-dev-http3-www-google-de.pcap": Object.fromEntries(["tls", "tls.handshake.type == 1",
    'tls.handshake.extensions_server_name contains "google"', 'frame.protocols contains "tls"']
    .map((f) => [f, "TLS inside QUIC (HTTP/3): we do not decode QUIC"])),
};

function captures(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).sort().map((f) => path.join(dir, f));
}

function diff(ours: number[], theirs: number[]): string {
  const a = new Set(ours), b = new Set(theirs);
  const extra = ours.filter((x) => !b.has(x)), missing = theirs.filter((x) => !a.has(x));
  return `ours ${ours.length}, tshark ${theirs.length}` +
    (extra.length ? `; only ours: ${extra.slice(0, 8).join(" ")}${extra.length > 8 ? " …" : ""}` : "") +
    (missing.length ? `; only tshark: ${missing.slice(0, 8).join(" ")}${missing.length > 8 ? " …" : ""}` : "");
}

async function check(file: string): Promise<void> {
  const name = path.basename(file);
  const [cap, theirs] = await Promise.all([open(file), tsharkBatch(file, FILTERS)]);
  const allowed = FILTER_EXCEPTIONS[name] ?? {};
  const bad: string[] = [];
  // the filter knows protocols only from the registry: every layer the decoders entered is there
  for (const n of cap.storage.table.paths.nodes) {
    if (n.name !== "" && !isProtocol(n.name)) bad.push(`protocol ${n.name} (in frame.protocols) is not in the registry`);
  }
  FILTERS.forEach((f, i) => {
    const t = theirs[i];
    if (t === null) { bad.push(`${f}: tshark rejects it`); return; }
    const ours = Array.from(filterRows(cap, f), (r) => r + 1);
    // frames we read (a corrupt capture: tshark may print garbage records past the damage; the
    // row count itself is the fields conformance test's business)
    const n = cap.count;
    const th = t.filter((x) => x <= n), ou = ours.filter((x) => x <= n);
    if (th.join(" ") !== ou.join(" ") && allowed[f] === undefined) bad.push(`${f}: ${diff(ou, th)}`);
  });
  assert.equal(bad.length, 0, `${name}: ${bad.length} of ${FILTERS.length} filters differ from tshark:\n  ${bad.join("\n  ")}`);
}

const tshark = hasTool("tshark");
const skip = !tshark && "tshark is not installed";

if (!SHARED) test("display filters against tshark on ../shared/pcaps", { skip: NO_SHARED }, () => {});
for (const file of SHARED ? captures(path.join(SHARED, "pcaps")) : []) {
  test(`filters: ${path.basename(file)} selects what tshark -Y selects`, { skip }, () => check(file));
}
for (const file of captures(DATA)) {
  test(`filters: data/${path.basename(file)} selects what tshark -Y selects`, { skip }, () => check(file));
}

/** registered protocol names that are not tshark's */
const NOT_TSHARK: Record<string, string> = {
  inner: "Wirebook's own inner.ip.* / inner.ipv6.* fields (the innermost header of a tunnel)",
};

test("every protocol name of the registry is a tshark protocol and selects what tshark -Y selects", { skip }, async () => {
  const names = protocolNames().filter((n) => NOT_TSHARK[n] === undefined);
  assert.ok(names.length > 60 && names.includes("lcp") && names.includes("smb2") && names.includes("data"), names.join(" "));
  for (const file of [path.join(DATA, "office.pcap"), path.join(DATA, "office-vlan-ipv6.pcap")]) {
    const cap = await open(file);
    const theirs = await tsharkBatch(file, names);
    const bad: string[] = [];
    names.forEach((n, i) => {
      const t = theirs[i];
      if (t === null) { bad.push(`${n}: tshark knows no such protocol or field`); return; }
      const ours = Array.from(filterRows(cap, n), (r) => r + 1);
      if (ours.join(" ") !== t.join(" ") && CONT_ALL[n] === undefined) bad.push(`${n}: ${diff(ours, t)}`);
    });
    assert.equal(bad.length, 0, `${path.basename(file)}:\n  ${bad.join("\n  ")}`);
  }
});

test("the batched oracle agrees with plain tshark -Y", { skip }, async () => {
  const file = path.join(DATA, "office.pcap");
  const some = ["tcp.port == 443", 'dns.qry.name contains "example"', "ip.addr != 10.0.0.0/8", "tcp.flags & 0x12 == 0x12"];
  const batch = await tsharkBatch(file, some);
  some.forEach((f, i) => assert.deepEqual(batch[i], tsharkY(file, f), f));
});
