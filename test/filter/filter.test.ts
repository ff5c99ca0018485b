/**
 * Display filters: lexer, parser, error messages with positions, and semantics on data/office.pcap
 * checked against a row-by-row evaluation through Capture columns (no tshark needed).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { open } from "../../src/table/load";
import type { Capture, Value } from "../../src/table/capture";
import { compileFilter, filter, FilterError, lex, parse } from "../../src/filter";
import { CLI, DATA } from "../helpers/paths";

const OFFICE = path.join(DATA, "office.pcap");
let capP: Promise<Capture> | undefined;
const office = (): Promise<Capture> => (capP ??= open(OFFICE));

function rowsWhere(cap: Capture, pred: (get: (f: string) => Value) => boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < cap.count; r++) if (pred((f) => cap.column(f).get(r))) out.push(r);
  return out;
}

function errorOf(expr: string): FilterError {
  try {
    compileFilter(expr);
  } catch (e) {
    assert.ok(e instanceof FilterError, `${expr}: ${String(e)}`);
    return e;
  }
  assert.fail(`${expr} compiled`);
}

test("lexer: words keep addresses, ranges and prefixes whole; operators and strings", () => {
  const t = lex('ip.addr==10.0.0.0/8&&!(eth.src eq aa:bb:cc:dd:ee:ff)||x in {1..3} "a\\"b\\x41\\101"');
  assert.deepEqual(t.map((x) => x.kind === "string" ? `"${x.text}"` : x.text), [
    "ip.addr", "==", "10.0.0.0/8", "&&", "!", "(", "eth.src", "eq", "aa:bb:cc:dd:ee:ff", ")", "||", "x", "in", "{",
    "1..3", "}", '"a"bAA"', "",
  ]);
  assert.equal(t[2].pos, 9);
  assert.deepEqual(lex("fe80::1/64 ~= !== ===").map((x) => x.text), ["fe80::1/64", "~=", "!==", "===", ""]);
});

test("parser: not > and > or, parentheses, word operators, sets and slices", () => {
  const p = parse("a or b and not c");
  assert.equal(p.k, "or");
  assert.equal(p.k === "or" && p.b.k, "and");
  const q = parse("(a or b) and c");
  assert.equal(q.k, "and");
  const r = parse("tcp.port in {80, 443 1000..2000}");
  assert.ok(r.k === "in" && r.items.length === 3 && r.items[2].hi !== undefined);
  const s = parse("eth.src[0:3] == 00:11:22");
  assert.ok(s.k === "rel" && s.a.k === "slice" && s.a.ranges[0].start === 0 && s.a.ranges[0].len === 3);
  const n = parse("tcp.port not in {1 .. 5}");
  assert.ok(n.k === "in" && n.not && n.items[0].hi !== undefined);
  for (const w of ["eq", "ne", "gt", "lt", "ge", "le", "contains", "matches"]) {
    assert.equal(parse(`x ${w} "1"`).k, "rel", w);
  }
  assert.equal(parse("a xor b ^^ c").k, "xor");
});

test("errors name the culprit and point at it", () => {
  const e = errorOf("tcp.prot == 1");
  assert.equal(e.reason, '"tcp.prot" is neither a field nor a protocol name. Did you mean "tcp.port"?');
  assert.equal(e.column, 1);
  assert.equal(e.message.split("\n")[2], "    ^~~~~~~~");
  const cases: [string, string, number][] = [
    ["tcp.port == ", "Unexpected end of filter expression.", 12],
    ["tcp.port == 1)", '")" was unexpected in this context.', 13],
    ["(tcp.port == 1", "Unexpected end of filter expression.", 14],
    ["tcp.dstport == 65536", '"65536" too big for this field, maximum 65535.', 15],
    ['tcp.port == "a"', 'Unsigned integer cannot be converted from a string ("a").', 12],
    ["ip.addr == 10.0.0.300", '"10.0.0.300" is not a valid hostname or IPv4 address.', 11],
    ["ip.src == 10.0.0.0/33", "Netmask bits in a CIDR IPv4 address should be <= 32, not 33", 10],
    ["frame.len == 1.5", '"1.5" is not a valid number.', 13],
    ["tcp.flags.syn == yes", '"yes" cannot be found among the possible values for tcp.flags.syn.', 17],
    ['dns.qry.name matches "("', '"(" is not a valid regular expression', 21],
    ["tcp.port contains 1", "tcp.port (type=Unsigned integer) cannot participate in 'contains' comparison.", 0],
    ["foo", '"foo" is neither a field nor a protocol name.', 0],
    ['dns.qry.name == "abc', "The final quote is missing from a quoted string.", 16],
    ["", "The filter expression is empty.", 0],
    ["tcp.port == 1 $", '"$" was unexpected in this context.', 14],
  ];
  for (const [expr, reason, pos] of cases) {
    const err = errorOf(expr);
    assert.ok(err.reason.startsWith(reason), `${expr}: ${err.reason}`);
    assert.equal(err.position, pos, `${expr}: position`);
    const lines = err.message.split("\n");
    assert.equal(lines[1], `    ${expr}`);
    assert.equal(lines[2].indexOf("^"), 4 + pos);
  }
});

test("literals: numbers in bases, booleans, MAC forms, IPv6 forms, strings with escapes compile", () => {
  for (const e of ["frame.len == 0x40", "frame.len == 0100", "frame.len == 64", "tcp.flags.syn == True",
    "tcp.flags.syn == 0", "eth.addr == aa-bb-cc-dd-ee-ff", "eth.addr == aabb.ccdd.eeff", "eth.src == AA:BB:CC:DD:EE:FF",
    "ipv6.addr == ::ffff:10.0.0.1", "ipv6.addr == 2001:db8::/32", 'http.host == "a\\tb\\\\"', 'http.host == r"a\\d"',
    "frame.time_epoch >= 1700000000.5", "frame.time_relative < -1", 'dns.qry.name contains 65:78', "len(http.host) > 3",
    'lower(http.host) == "x"', "ip.src == ip.dst", "tcp.flags & 0x12 == 0x12"]) {
    assert.doesNotThrow(() => compileFilter(e), e);
  }
});

test("protocol names come from the registry: a protocol no field names compiles without a capture", () => {
  // layers named in frame.protocols that declare no field (PPP control protocols, SMB, HTTP bodies)
  for (const e of ["lcp", "chap", "smb", "smb2", "json", "xml", "urlencoded-form", "media", "ipv6.fraghdr", "netlink", "data"]) {
    assert.doesNotThrow(() => compileFilter(e), e);
    assert.equal(errorOf(`${e} == 1`).message.includes("is a protocol"), true, e);
  }
  assert.match(errorOf("smb3").message, /neither a field nor a protocol name/);
});

test("compiled filters list the stored fields they read", () => {
  assert.deepEqual([...compileFilter("ip.addr == 1.2.3.4 && tcp.flags.syn == 1 || dns").fields].sort(),
    ["ip.dst", "ip.src", "tcp.flags"]);
});

test("semantics match a row-by-row evaluation on data/office.pcap", async () => {
  const cap = await office();
  const num = (v: Value): number => v as number;
  const ip4 = (v: Value): number => { const p = String(v).split(".").map(Number); return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0; };
  const cases: [string, (g: (f: string) => Value) => boolean][] = [
    ["tcp.dstport == 443", (g) => g("tcp.dstport") === 443],
    ["tcp.port == 443", (g) => g("tcp.srcport") === 443 || g("tcp.dstport") === 443],
    // != is "all not equal", and false on an absent field
    ["tcp.port != 443", (g) => g("tcp.srcport") !== undefined && g("tcp.srcport") !== 443 && g("tcp.dstport") !== 443],
    ["!(tcp.port == 443)", (g) => !(g("tcp.srcport") === 443 || g("tcp.dstport") === 443)],
    ["tcp.port ~= 443", (g) => g("tcp.srcport") !== undefined && (g("tcp.srcport") !== 443 || g("tcp.dstport") !== 443)],
    ["tcp.port === 443", (g) => g("tcp.srcport") === 443 && g("tcp.dstport") === 443],
    ["tcp.port not in {80, 443}", (g) => ![80, 443].includes(g("tcp.srcport") as number) && ![80, 443].includes(g("tcp.dstport") as number)],
    ["udp.port in {53, 67..68}", (g) => [g("udp.srcport"), g("udp.dstport")].some((p) => p === 53 || (p !== undefined && num(p) >= 67 && num(p) <= 68))],
    ["ip.addr == 192.168.0.0/16", (g) => [g("ip.src"), g("ip.dst")].some((a) => a !== undefined && ip4(a) >>> 16 === 0xc0a8)],
    ["ip.src >= 10.0.0.0 and ip.src < 11.0.0.0", (g) => g("ip.src") !== undefined && ip4(g("ip.src")) >>> 24 === 10],
    ["tcp.flags.syn == 1 && !tcp.flags.ack", (g) => g("tcp.flags.syn") === 1 && g("tcp.flags.ack") === undefined],
    ["tcp.flags.syn == 1 && tcp.flags.ack == 0", (g) => g("tcp.flags.syn") === 1 && g("tcp.flags.ack") === 0],
    ["tcp.flags & 0x04", (g) => g("tcp.flags") !== undefined && (num(g("tcp.flags")) & 4) !== 0],
    ["tcp.len > 100 xor udp", (g) => (g("tcp.len") !== undefined && num(g("tcp.len")) > 100) !== String(g("frame.protocols")).split(":").includes("udp")],
    ["dns", (g) => String(g("frame.protocols")).split(":").includes("dns")],
    ["frame", () => true],
    ['dns.qry.name contains "example"', (g) => String(g("dns.qry.name") ?? "").includes("example")],
    ['dns.qry.name matches "^(www|api)\\\\."', (g) => /^(www|api)\./.test(String(g("dns.qry.name") ?? "-"))],
    ['dns.qry.name matches "(?i)^WWW"', (g) => /^www/i.test(String(g("dns.qry.name") ?? "-"))],
    // tshark 4.0 matches caseless (PCRE2_CASELESS); (?-i) makes a pattern case-sensitive
    ['dns.qry.name matches "^WWW"', (g) => /^WWW/i.test(String(g("dns.qry.name") ?? "-"))],
    ['dns.qry.name matches "(?-i)^WWW"', (g) => /^WWW/.test(String(g("dns.qry.name") ?? "-"))],
    ['http.host == "www.example.com"', (g) => g("http.host") === "www.example.com"],
    ["http.host == www.example.com", (g) => g("http.host") === "www.example.com"],
    ['http.host > "n"', (g) => g("http.host") !== undefined && String(g("http.host")) > "n"],
    ["len(dns.qry.name) >= 16", (g) => g("dns.qry.name") !== undefined && String(g("dns.qry.name")).length >= 16],
    ['upper(dns.qry.name) contains "EXAMPLE.ORG"', (g) => String(g("dns.qry.name") ?? "").toUpperCase().includes("EXAMPLE.ORG")],
    ["eth.dst == ff:ff:ff:ff:ff:ff", (g) => g("eth.dst") === "ff:ff:ff:ff:ff:ff"],
    ["eth.addr == FF-FF-FF-FF-FF-FF", (g) => g("eth.dst") === "ff:ff:ff:ff:ff:ff" || g("eth.src") === "ff:ff:ff:ff:ff:ff"],
    ["eth.src[0:3] == 52:54:00", (g) => String(g("eth.src") ?? "").startsWith("52:54:00")],
    ["eth.src[-1:1] == 01", (g) => String(g("eth.src") ?? "").endsWith(":01")],
    ["ipv6.addr == fe80::/10", (g) => [g("ipv6.src"), g("ipv6.dst")].some((a) => a !== undefined && /^fe[89ab]/.test(String(a)))],
    ["ipv6.src contains 00:00", (g) => g("ipv6.src") !== undefined],
    ["frame.len > 1000 || frame.len < 61", (g) => num(g("frame.len")) > 1000 || num(g("frame.len")) < 61],
    ["frame.number in {1..10, 20}", (g) => num(g("frame.number")) <= 10 || g("frame.number") === 20],
    ["frame.time_relative < 2.5", (g) => num(g("frame.time_relative")) < 2.5],
    ["frame.time_delta > 0.5", (g) => num(g("frame.time_delta")) > 0.5],
    ['frame.protocols == "eth:ethertype:ip:udp:dns"', (g) => g("frame.protocols") === "eth:ethertype:ip:udp:dns"],
    ["tcp.srcport < tcp.dstport", (g) => g("tcp.srcport") !== undefined && num(g("tcp.srcport")) < num(g("tcp.dstport"))],
    ["ip.src == ip.dst", (g) => g("ip.src") !== undefined && g("ip.src") === g("ip.dst")],
  ];
  for (const [expr, pred] of cases) {
    const rows = Array.from(compileFilter(expr).run(cap));
    assert.deepEqual(rows, rowsWhere(cap, pred), expr);
    assert.equal(filter(cap, expr).count, rows.length, expr);
  }
  // sanity: the interesting ones select something and not everything
  for (const e of ["tcp.port != 443", "ip.addr == 192.168.0.0/16", 'dns.qry.name contains "example"', "eth.src[0:3] == 52:54:00"]) {
    const n = compileFilter(e).run(cap).length;
    assert.ok(n > 0 && n < cap.count, `${e}: ${n}`);
  }
});

test("capture.filter returns a view; filters of views select view rows", async () => {
  const cap = await office();
  const tcp = cap.filter("tcp");
  assert.ok(tcp.isView);
  const https = tcp.filter("tcp.port == 443");
  const direct = cap.filter("tcp && tcp.port == 443");
  assert.equal(https.count, direct.count);
  for (let i = 0; i < https.count; i++) assert.equal(https.baseRow(i), direct.baseRow(i));
  assert.equal(cap.filter("frame.number == 5").column("frame.number").get(0), 5);
  assert.equal(cap.filter("not frame").count, 0);
});

test("wirebook fields -Y prints the matching frames, and a bad filter exits 2 with the caret", () => {
  const out = execFileSync(process.execPath, [CLI, "fields", OFFICE, "-Y", "frame.number in {2, 4}", "-e", "frame.number", "-e", "frame.len"], { encoding: "utf8" });
  const lines = out.trimEnd().split("\n");
  assert.equal(lines[0], "frame.number\tframe.len");
  assert.deepEqual(lines.slice(1).map((l) => l.split("\t")[0]), ["2", "4"]);
  let code = 0, err = "";
  try {
    execFileSync(process.execPath, [CLI, "fields", OFFICE, "-Y", "tcp.prot == 1", "-e", "frame.number"], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    code = (e as { status: number }).status;
    err = (e as { stderr: string }).stderr;
  }
  assert.equal(code, 2);
  assert.match(err, /"tcp\.prot" is neither a field nor a protocol name\.[^\n]*\n {4}tcp\.prot == 1\n {4}\^~~~~~~~/);
});
