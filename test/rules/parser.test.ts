/** Rule parsing: headers, every supported keyword, errors with line and column, unsupported keywords. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRules, RuleError, type Content, type Pcre } from "../../src/rules/parser";
import { load } from "../../src/rules";
import { matchAddr, matchPort, parseAddresses, parsePorts, DEFAULT_VARS } from "../../src/rules/address";

const one = (text: string) => {
  const r = parseRules(text);
  assert.equal(r.errors.length, 0, r.errors.map((e) => e.message).join("; "));
  assert.equal(r.rules.length, 1);
  return r.rules[0];
};
const errOf = (text: string): RuleError => {
  const r = parseRules(text);
  assert.equal(r.errors.length, 1, `expected one error for ${text}`);
  return r.errors[0];
};
const ip = (s: string) => s.split(".").reduce((a, o) => a * 256 + Number(o), 0);

test("header: actions, protocols, directions, addresses, ports", () => {
  const r = one(`drop udp [10.0.0.0/8,!10.1.0.0/16] ![53,5353] <> $HOME_NET 1024: (msg:"m"; sid:9;)`);
  assert.equal(r.action, "drop");
  assert.equal(r.proto, "udp");
  assert.equal(r.bidirectional, true);
  assert.equal(matchAddr(r.src, ip("10.2.3.4"), () => 0n), true);
  assert.equal(matchAddr(r.src, ip("10.1.3.4"), () => 0n), false);
  assert.equal(matchAddr(r.src, ip("11.0.0.1"), () => 0n), false);
  assert.equal(matchPort(r.sport, 53), false);
  assert.equal(matchPort(r.sport, 54), true);
  assert.equal(matchPort(r.dport, 1023), false);
  assert.equal(matchPort(r.dport, 65535), true);
  assert.equal(matchAddr(r.dst, ip("192.168.1.1"), () => 0n), true, "$HOME_NET defaults to suricata.yaml's RFC 1918 ranges");
  assert.equal(matchAddr(r.dst, ip("8.8.8.8"), () => 0n), false);
  for (const a of ["alert", "pass", "reject"]) assert.equal(one(`${a} ip any any -> any any (sid:1;)`).action, a);
});

test("addresses: $EXTERNAL_NET, IPv6 prefixes, nested lists; ports: ranges and lists; variables override", () => {
  const ext = parseAddresses("$EXTERNAL_NET", 0, DEFAULT_VARS);
  assert.equal(matchAddr(ext, ip("8.8.8.8"), () => 0n), true);
  assert.equal(matchAddr(ext, ip("172.16.5.5"), () => 0n), false);
  const v6 = parseAddresses("[2001:db8::/32,!2001:db8::1]", 0, DEFAULT_VARS);
  assert.equal(matchAddr(v6, -1, () => 0x20010db8000000000000000000000002n), true);
  assert.equal(matchAddr(v6, -1, () => 0x20010db8000000000000000000000001n), false);
  assert.equal(matchAddr(v6, ip("1.2.3.4"), () => 0n), false);
  const p = parsePorts("[80:82,!81,[443]]", 0, DEFAULT_VARS);
  assert.deepEqual([79, 80, 81, 82, 443].map((x) => matchPort(p, x)), [false, true, false, true, true]);
  const rs = load(`alert tcp $HOME_NET any -> any $HTTP_PORTS (sid:1;)`, { vars: { HOME_NET: "[1.2.3.0/24]", HTTP_PORTS: "[8080,8000]" } });
  const r = rs.active[0];
  assert.equal(matchAddr(r.src, ip("1.2.3.9"), () => 0n), true);
  assert.equal(matchAddr(r.src, ip("10.0.0.1"), () => 0n), false);
  assert.equal(matchPort(r.dport, 8000), true);
});

test("options: metadata keywords", () => {
  const r = one(`alert tcp any any -> any any (msg:"a \\; b"; sid:7; rev:3; gid:2; classtype:trojan-activity; priority:2; metadata:created_at 2020, tag x; reference:url,example.com/a\\;b;)`);
  assert.equal(r.msg, "a ; b");
  assert.deepEqual([r.sid, r.rev, r.gid, r.classtype, r.priority], [7, 3, 2, "trojan-activity", 2]);
  assert.deepEqual(r.metadata, ["created_at 2020", "tag x"]);
  assert.deepEqual(r.references, ["url,example.com/a\\;b"]);
  assert.equal(one(`alert tcp any any -> any any (classtype:trojan-activity; sid:1;)`).priority, 1, "priority from the classtype");
});

test("options: content and its modifiers", () => {
  const r = one(`alert tcp any any -> any any (content:"AB|43 44|"; nocase; offset:2; depth:10; content:!"x"; distance:-1; within:5; content:"end"; endswith; fast_pattern; content:"st"; startswith; sid:1;)`);
  const l = r.buffers.get("payload") as Content[];
  assert.equal(l.length, 4);
  assert.equal(l[0].bytes.toString("latin1"), "abcd");
  assert.deepEqual([l[0].nocase, l[0].offset, l[0].depth], [true, 2, 12], "depth counts from the offset");
  assert.deepEqual([l[1].negated, l[1].distance, l[1].within], [true, -1, 5]);
  assert.deepEqual([l[2].endswith, l[2].fastPattern], [true, true]);
  assert.deepEqual([l[3].startswith, l[3].depth], [true, 2]);
});

test("options: sticky buffers, legacy modifiers, pcre buffer flags", () => {
  const r = one(`alert http any any -> any any (http.uri; content:"/a"; http.host; content:"h"; pkt_data; content:"p"; content:"m"; http_method; pcre:"/x/U"; http.user_agent; content:"u"; http.header; content:"H"; http.request_body; content:"b"; sid:1;)`);
  assert.deepEqual([...r.buffers.keys()].sort(), ["http.header", "http.host", "http.method", "http.request_body", "http.uri", "http.user_agent", "payload"]);
  assert.equal(r.buffers.get("http.uri")!.length, 2);
  assert.equal((r.buffers.get("payload") as Content[])[0].text, "p");
  const d = one(`alert dns any any -> any any (dns.query; content:"evil"; sid:1;)`);
  assert.ok(d.buffers.has("dns.query"));
  const t = one(`alert tls any any -> any any (tls_sni; content:"x"; sid:1;)`);
  assert.ok(t.buffers.has("tls.sni"));
  const u = one(`alert http any any -> any any (uricontent:"/cgi"; content:"q"; http_uri; sid:1;)`);
  assert.equal(u.buffers.get("http.uri")!.length, 2);
});

test("options: pcre, flow, flags, dsize, itype, icode, ttl, ip_proto, isdataat, bsize, urilen", () => {
  const r = one(`alert tcp any any -> any any (content:"a"; pcre:"/^b.c/Rsmi"; flow:to_server,established; flags:S+,12; dsize:>10; ttl:<5; ip_proto:tcp; isdataat:!4,relative; sid:1;)`);
  const p = r.buffers.get("payload")![1] as Pcre;
  assert.equal(p.relative, true);
  assert.equal(p.re.flags, "lms", "i is folded into the pattern; l: the linear-time engine");
  assert.ok(p.re.test("B\nC") && !p.re.test("b\n\nc"), "case-insensitive, dot matches a newline");
  assert.deepEqual(r.flow, { toServer: true, toClient: false, established: true, notEstablished: false, stateless: false, onlyStream: false, noStream: false });
  assert.deepEqual(r.flags, { bits: 2, mode: "+", ignore: 192 });
  assert.deepEqual(r.dsize, { op: ">", a: 10, b: 0 });
  assert.deepEqual(r.ttl, { op: "<", a: 5, b: 0 });
  assert.deepEqual(r.ipProto, { op: "=", a: 6, b: 0 });
  const i = one(`alert icmp any any -> any any (itype:7<>20; icode:!0; sid:1;)`);
  assert.deepEqual(i.itype, { op: "<>", a: 7, b: 20 });
  assert.deepEqual(i.icode, { op: "!=", a: 0, b: 0 });
  const b = one(`alert http any any -> any any (http.uri; bsize:<50; urilen:>3; sid:1;)`);
  assert.deepEqual(b.bsize.get("http.uri"), { op: "<", a: 50, b: 0 });
  assert.deepEqual(b.urilen, { op: ">", a: 3, b: 0 });
});

test("options: threshold, detection_filter, flowbits, noalert", () => {
  const r = one(`alert tcp any any -> any any (threshold: type both, track by_dst, count 3, seconds 60; detection_filter:track by_src, count 2, seconds 10; flowbits:set,a; flowbits:isset,b|c; flowbits:isnotset,d&e; flowbits:noalert; sid:1;)`);
  assert.deepEqual(r.threshold, { type: "both", track: "by_dst", count: 3, seconds: 60 });
  assert.deepEqual(r.detectionFilter, { type: "detection_filter", track: "by_src", count: 2, seconds: 10 });
  assert.deepEqual(r.flowbits.map((f) => [f.cmd, f.names.join(","), f.any]), [["set", "a", false], ["isset", "b,c", true], ["isnotset", "d,e", false], ["noalert", "", false]]);
  assert.equal(r.noalert, true);
});

test("rules over several lines, comments, blank lines; line numbers", () => {
  const { rules, errors } = parseRules(`# comment\n\nalert tcp any any -> any any ( \\\n  msg:"x"; \\\n  sid:1;)\n  alert udp any any -> any any (sid:2;)\n`);
  assert.equal(errors.length, 0);
  assert.deepEqual(rules.map((r) => [r.sid, r.line]), [[1, 3], [2, 6]]);
});

test("errors carry the line and column of the fault", () => {
  let e = errOf(`\n\nalert tcp any any -> any any (content:"a"; depth:0; sid:1;)`);
  assert.equal(e.line, 3);
  assert.equal(e.column, 50);
  assert.match(e.message, /^line 3, column 50: depth must be at least 1/);
  e = errOf(`alert tcp any any -> any any (content:"a"; distance:1; sid:1;)`);
  assert.match(e.reason, /distance needs a previous content/);
  e = errOf(`alert tcp 10.0.0.300 any -> any any (sid:1;)`);
  assert.deepEqual([e.line, e.column], [1, 11]);
  assert.match(e.reason, /bad address "10.0.0.300"/);
  e = errOf(`alert tcp any any => any any (sid:1;)`);
  assert.deepEqual([e.column, e.reason], [19, `direction must be -> or <>, not "=>"`]);
  e = errOf(`alert tcp any 70000 -> any any (sid:1;)`);
  assert.match(e.reason, /past 65535/);
  e = errOf(`alert tcp any any -> any any (msg:"x"; sid:1)`);
  assert.match(e.reason, /lacks its closing ";"/);
  e = errOf(`alert tcp any any -> any any (content:"a|4"; sid:1;)`);
  assert.match(e.reason, /unclosed \|/);
  e = errOf(`alert tcp any any -> any any (msg:"no sid";)`);
  assert.match(e.reason, /no sid/);
  e = errOf(`alert tcp any any -> $NOPE any (sid:1;)`);
  assert.match(e.reason, /unknown address variable \$NOPE/);
  e = errOf(`alert tcp any any -> any any (\\\n  content:"ab"; within:1; sid:1;)`);
  assert.equal(e.line, 2, "column and line inside a continued rule");
  e = errOf(`alert tcp any any -> any any (flow:sideways; sid:1;)`);
  assert.match(e.reason, /flow: unknown option "sideways"/);
  e = errOf(`alert tcp any any -> any any (threshold:type limit, count 1, seconds 1; sid:1;)`);
  assert.match(e.reason, /lacks "track"/);
  e = errOf(`alert tcp any any -> any any (pcre:"/a/q"; sid:1;)`);
  assert.match(e.reason, /unknown flag "q"/);
  assert.throws(() => load(`alert tcp any any -> any any (sid:x;)`, { strict: true }), RuleError);
});

test("unsupported keywords are reported per rule and the rule is skipped, never ignored", () => {
  const rs = load([
    `alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)`,
    `alert tcp any any -> any any (byte_test:4,>,1,0; sid:2;)`,
    `alert smb any any -> any any (sid:3;)`,
    `alert tcp any any -> any any (pcre:"/(?>a)/"; sid:4;)`,
    `alert tcp any any -> any any (content:"a"; sid:1;)`,
  ].join("\n"));
  assert.deepEqual(rs.active.map((r) => r.sid), [1]);
  assert.deepEqual(rs.unsupported.map((u) => [u.sid, u.line, u.keywords.join(",")]), [
    [2, 2, "byte_test"], [3, 3, "protocol smb"], [4, 4, "pcre (pcre atomic group (?>…) has no JavaScript equivalent)"],
  ]);
  assert.equal(rs.skipped, 4);
  assert.ok(rs.warnings.some((w) => /line 2: sid 2 skipped: unsupported byte_test/.test(w)));
  assert.ok(rs.warnings.some((w) => /sid 1 duplicates the rule at line 1/.test(w)));
});
