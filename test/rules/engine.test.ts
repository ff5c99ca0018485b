/** The engine on hand-made conversations: flow direction and state, app buffers, thresholds, flowbits, pass, alert rows. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { load } from "../../src/rules";
import { open } from "../../src/table/load";
import "../../src/filter";
import { Conv, dnsQuery, F, fileOf } from "./build";

async function sids(rules: string, file: string, opts = {}): Promise<Record<number, number>> {
  const rs = load(rules);
  assert.deepEqual(rs.errors.map((e) => e.message), []);
  assert.deepEqual(rs.unsupported, []);
  const a = await rs.matchFile(file, opts);
  return Object.fromEntries(a.countsBySid());
}

const http = () => new Conv().handshake()
  .send(true, "GET /a/b.php?x=%41 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: evil-bot/1.0\r\nCookie: s=1\r\n\r\n")
  .send(false, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhello")
  .send(true, "POST /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nuser=secret")
  .send(false, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
  .tcp(true, F.FIN | F.ACK).tcp(false, F.FIN | F.ACK).tcp(true, F.ACK);

test("flow: to_server / to_client / established / not_established / stateless", async () => {
  const file = http().file();
  const got = await sids([
    `alert tcp any any -> any any (flow:to_server; sid:1;)`,
    `alert tcp any any -> any any (flow:to_client; sid:2;)`,
    `alert tcp any any -> any any (flow:established,to_server; sid:3;)`,
    `alert tcp any any -> any any (flow:not_established; sid:4;)`,
    `alert tcp any any -> any any (flow:stateless; sid:5;)`,
    `alert tcp any any -> any any (flow:to_server,established; content:"HTTP/1.1"; sid:6;)`,
  ].join("\n"), file);
  // 14 packets: client SYN, ACK, GET, ACK, POST, ACK, FIN, ACK; server SYN/ACK, ACK, 200, ACK, 404, FIN
  assert.equal(got[1], 8);
  assert.equal(got[2], 6);
  // established: from the packet after the handshake's ACK until both FINs are seen
  assert.equal(got[3], 5, "client packets from the GET through its FIN");
  assert.equal(got[4], 4, "SYN, SYN/ACK, the handshake's ACK, and the ACK after both FINs");
  assert.equal(got[5], 14);
  assert.equal(got[6], 2);
});

test("midstream pickup", async () => {
  const c = new Conv();
  c.tcp(false, F.SYN | F.ACK).tcp(true, F.ACK).send(true, "DATA");
  const file = c.file();
  const rules = `alert tcp any any -> any any (flow:to_server,established; content:"DATA"; sid:1;)\nalert tcp any any -> any any (flow:to_client; flags:SA; sid:2;)`;
  assert.deepEqual(await sids(rules, file), {});
  assert.deepEqual(await sids(rules, file, { midstream: true }), { 1: 1, 2: 1 });
});

test("http buffers: uri (normalized and raw), host, method, user agent, header, cookie, body, stat_code; once per transaction", async () => {
  const file = http().file();
  const got = await sids([
    `alert http any any -> any any (http.uri; content:"/a/b.php?x=A"; sid:1;)`,
    `alert http any any -> any any (http.uri.raw; content:"x=%41"; sid:2;)`,
    `alert http any any -> any any (http.host; content:"example.com"; bsize:11; sid:3;)`,
    `alert http any any -> any any (http.method; content:"POST"; sid:4;)`,
    `alert http any any -> any any (http.user_agent; content:"evil-bot"; startswith; sid:5;)`,
    `alert http any any -> any any (http.header; content:"Cookie|3a 20|s=1|0d 0a|"; sid:6;)`,
    `alert http any any -> any any (http.request_body; content:"secret"; endswith; sid:7;)`,
    `alert http any any -> any any (http.stat_code; content:"404"; sid:8;)`,
    `alert http any any -> any any (content:"GET"; http_method; content:".php"; http_uri; sid:9;)`,
    `alert http any any -> any any (pcre:"/^\\/up$/U"; sid:10;)`,
    `alert http any any -> any any (http.cookie; content:"s=1"; sid:11;)`,
    `alert http any any -> any any (http.uri; content:"/"; sid:12;)`,
    `alert tcp any any -> any any (http.server; content:"nginx"; sid:13;)`,
    `alert http any any -> any any (urilen:>10; sid:14;)`,
  ].join("\n"), file);
  assert.deepEqual(got, { 1: 1, 2: 1, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 13: 1, 14: 1 });
});

test("transaction alerts are oriented by their side, whatever packet completed them", async () => {
  const rs = load(`alert http $HOME_NET any -> any 80 (flow:to_server; http.uri; content:"/up"; sid:1;)`);
  const a = await rs.matchFile(http().file());
  assert.equal(a.count, 1);
  assert.deepEqual(a.rows(["src", "sport", "dst", "dport", "app_proto", "proto"])[0],
    { src: "10.0.0.1", sport: 40000, dst: "10.0.0.2", dport: 80, app_proto: "http", proto: "tcp" });
});

test("dns.query over UDP and TCP; tls.sni", async () => {
  const u = new Conv("10.0.0.1", "10.0.0.53", 5555, 53).udp(true, dnsQuery("www.evil.com")).udp(false, Buffer.from(dnsQuery("www.evil.com").map((x, i) => (i === 2 ? 0x81 : x))));
  const q = dnsQuery("a.evil.com");
  const t = new Conv("10.0.0.1", "10.0.0.53", 5556, 53).handshake().send(true, Buffer.concat([Buffer.from([0, q.length]), q]));
  const sni = Buffer.from("x.example.org");
  const ext = Buffer.concat([Buffer.from([0, 0, 0, sni.length + 5, 0, sni.length + 3, 0, 0, sni.length]), sni]);
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0, 0, 2, 0x13, 1, 1, 0]), Buffer.from([0, ext.length]), ext]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  const rec = Buffer.concat([Buffer.from([22, 3, 1, hs.length >> 8, hs.length & 255]), hs]);
  const s = new Conv("10.0.0.1", "10.0.0.9", 5557, 443).handshake().send(true, rec.subarray(0, 20)).send(true, rec.subarray(20));
  const file = fileOf([u, t, s, http()]);
  const got = await sids([
    `alert dns any any -> any any (dns.query; content:"evil.com"; endswith; sid:1;)`,
    `alert tls any any -> any any (tls.sni; content:"example.org"; sid:2;)`,
    `alert tls any any -> any any (tls.sni; content:"nope"; sid:3;)`,
    `alert dns any any -> any 53 (content:"|04|evil|03|com|00|"; sid:4;)`,
    `alert http any any -> any any (content:"GET /a/"; sid:5;)`,
  ].join("\n"), file);
  // sid 4/5: the TCP request's bytes are inspected when the server's ACK makes the protocol known
  assert.deepEqual(got, { 1: 2, 2: 1, 4: 2, 5: 1 });
});

test("thresholds: limit, threshold, both, detection_filter; tracks by_src, by_dst, by_rule", async () => {
  const c = new Conv("10.0.0.1", "10.0.0.2");
  for (let i = 0; i < 10; i++) c.icmp(true, 8, 0, 1000 + i);
  c.icmp(true, 8, 0, 2000); // past the 60 s window: a new window
  const d = new Conv("10.0.0.3", "10.0.0.2");
  for (let i = 0; i < 3; i++) d.icmp(true, 8, 0, 1100 + i);
  const file = fileOf([c, d]);
  const got = await sids([
    `alert icmp any any -> any any (itype:8; threshold:type limit, track by_src, count 2, seconds 60; sid:1;)`,
    `alert icmp any any -> any any (itype:8; threshold:type threshold, track by_src, count 3, seconds 60; sid:2;)`,
    `alert icmp any any -> any any (itype:8; threshold:type both, track by_dst, count 3, seconds 60; sid:3;)`,
    `alert icmp any any -> any any (itype:8; detection_filter:track by_src, count 4, seconds 60; sid:4;)`,
    `alert icmp any any -> any any (itype:8; threshold:type limit, track by_rule, count 1, seconds 3600; sid:5;)`,
  ].join("\n"), file);
  // sid 1: 2 per source per window: 2 (10.0.0.1) + 1 (second window) + 2 (10.0.0.3)
  // sid 2: every 3rd: 3 (of 10) + 0 + 1 (of 3)
  // sid 3: once per window per destination once 3 are seen: window 1 (13 pings) + window 2 (1 ping: none)
  // sid 4: after 4 per source per window: 6 + 0 + 0
  // sid 3's window for 10.0.0.2 expires before 10.0.0.3's pings (100 s later), which fill a second one
  assert.deepEqual(got, { 1: 5, 2: 4, 3: 2, 4: 6, 5: 1 });
});

test("flowbits: set, isset, isnotset, unset, toggle, noalert; setters run before checkers on a packet", async () => {
  const c = new Conv().handshake().send(true, "LOGIN bob").send(true, "CMD one").send(true, "LOGOUT").send(true, "CMD two");
  const file = c.file();
  const got = await sids([
    `alert tcp any any -> any any (content:"CMD"; flowbits:isset,auth; sid:1;)`,
    `alert tcp any any -> any any (content:"LOGIN"; flowbits:set,auth; flowbits:noalert; sid:2;)`,
    `alert tcp any any -> any any (content:"LOGOUT"; flowbits:unset,auth; sid:3;)`,
    `alert tcp any any -> any any (content:"CMD"; flowbits:isnotset,auth; sid:4;)`,
    `alert tcp any any -> any any (content:"CMD"; flowbits:toggle,t; sid:5;)`,
    `alert tcp any any -> any any (content:"CMD"; flowbits:isset,t; sid:6;)`,
    `alert tcp any any -> any any (content:"LOG"; flowbits:isset,auth|nothing; sid:7;)`,
  ].join("\n"), file);
  // sid 6 checks t after sid 5 toggled it on the same packet: on at "CMD one", off at "CMD two"
  assert.deepEqual(got, { 1: 1, 3: 1, 4: 1, 5: 2, 6: 1, 7: 1 });
});

test("pass rules silence later alerts on the packet; <> and negated headers; ttl, dsize, flags, ip_proto", async () => {
  const c = new Conv("10.0.0.1", "10.0.0.2", 40000, 80).handshake().send(true, "hello world").send(false, "bye");
  const file = c.file();
  const got = await sids([
    `pass tcp any any -> any any (content:"hello"; sid:1;)`,
    `alert tcp any any -> any any (content:"world"; sid:2;)`,
    `alert tcp 10.0.0.2 80 <> 10.0.0.1 any (content:"bye"; sid:3;)`,
    `alert tcp 10.0.0.1 any <> 10.0.0.2 80 (content:"bye"; sid:4;)`,
    `alert tcp !10.0.0.1 any -> any ![80,443] (sid:5;)`,
    `alert tcp any any -> any any (ttl:64; dsize:3; sid:6;)`,
    `alert tcp any any -> any any (flags:SA; sid:7;)`,
    `alert tcp any any -> any any (flags:S; sid:8;)`,
    `alert tcp any any -> any any (flags:*SF; sid:9;)`,
    `alert ip any any -> any any (ip_proto:6; dsize:>5; sid:10;)`,
    `alert udp any any -> any any (sid:11;)`,
  ].join("\n"), file);
  // pass (sid 1) alerts nothing and silences sid 2 and sid 10 on "hello world"; sid 5: the server's 3 packets
  assert.deepEqual(got, { 3: 1, 4: 1, 5: 3, 6: 1, 7: 1, 8: 1, 9: 2 });
});

test("ruleSet.match(capture): alert rows with uid, frame.number and an evidence filter that selects the packet", async () => {
  const file = http().file();
  const cap = await open(file);
  const rs = load(`alert http any any -> any any (msg:"post"; classtype:web-application-attack; http.method; content:"POST"; sid:42; rev:2;)`);
  const a = await rs.match(cap);
  assert.equal(a.count, 1);
  const row = a.rows()[0];
  assert.equal(row.msg, "post");
  assert.deepEqual([row.sid, row.rev, row.gid, row.priority, row.classtype], [42, 2, 1, 1, "web-application-attack"]);
  assert.equal(row.uid, cap.flows().column("uid").get(0));
  const ev = cap.filter(row.evidence as string);
  assert.equal(ev.count, 1);
  assert.equal(ev.baseRow(0) + 1, row["frame.number"]);
  // a view keeps only its own packets' alerts
  const none = await rs.match(cap.head(3));
  assert.equal(none.count, 0);
  assert.equal(a.inputs()[0].detector, "rules");
});

test("hostile input: truncated and garbage packets never throw; fragments are reassembled", async () => {
  const c = new Conv().handshake();
  c.recs.push({ sec: 1, frac: 0, data: Buffer.from([0x45, 0, 0, 10]) });
  c.recs.push({ sec: 2, frac: 0, data: Buffer.from([0x60]) });
  c.recs.push({ sec: 3, frac: 0, data: Buffer.alloc(0) });
  const t = c.recs[2].data;
  c.recs.push({ sec: 4, frac: 0, data: t.subarray(0, 30) });
  const a = await load(`alert ip any any -> any any (sid:1;)\nalert tcp any any -> any any (content:"x"; sid:2;)`).matchFile(c.file());
  assert.equal(a.countsBySid().get(1), 4, "IP packets whose headers are whole, even when the transport is cut");
});
