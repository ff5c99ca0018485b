/**
 * Application tables: published fingerprint vectors, the table API, hostile input (bounded, no
 * throw), and the CLI.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { CLI, NO_SHARED, SHARED } from "../../helpers/paths";
import { open } from "../../../src/table/load";
import "../../../src/flows/apps";
import { ja3, ja3String, ja4, ja4r, parseHello } from "../../../src/flows/apps/hello";
import { parseDns } from "../../../src/flows/apps/dns";
import { HttpApp, MAX_HEADER } from "../../../src/flows/apps/http";
import { TlsApp } from "../../../src/flows/apps/tls";
import { DnsApp } from "../../../src/flows/apps/dns";
import { QuicApp } from "../../../src/flows/apps/quic";
import { TcpStream, MAX_HELD_BYTES } from "../../../src/stream/reassembly";
import type { FlowInfo } from "../../../src/flows/payloads";

const pcap = (name: string) => path.join(SHARED ?? "", "pcaps", name);

/** A ClientHello body from its parts (extension bodies given raw). */
function clientHello(version: number, ciphers: number[], exts: [number, Buffer][]): Buffer {
  const u16 = (v: number) => Buffer.from([v >> 8, v & 255]);
  const extBytes = Buffer.concat(exts.map(([t, d]) => Buffer.concat([u16(t), u16(d.length), d])));
  return Buffer.concat([u16(version), Buffer.alloc(32), Buffer.from([0]), u16(ciphers.length * 2), ...ciphers.map(u16),
    Buffer.from([1, 0]), u16(extBytes.length), extBytes]);
}
const list16 = (vs: number[], lenBytes = 2) => {
  const body = Buffer.concat(vs.map((v) => Buffer.from([v >> 8, v & 255])));
  return Buffer.concat([lenBytes === 2 ? Buffer.from([body.length >> 8, body.length & 255]) : Buffer.from([body.length]), body]);
};

test("JA3 and JA4 of a ClientHello built from a published JA4 vector (Chrome 143: ja4_ro / ja3_text)", () => {
  // ciphers and extensions in the order of the vector's ja4_ro, ALPN h2, SNI, supported_versions 1.3
  const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const sig = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  const sni = Buffer.from([0, 14, 0, 0, 11, ...Buffer.from("example.com")]);
  const alpn = Buffer.from([0, 3, 2, ...Buffer.from("h2")]);
  const exts: [number, Buffer][] = [[0x002d, Buffer.from([1, 1])], [0x0033, Buffer.alloc(2)], [0x0010, alpn], [0xfe0d, Buffer.alloc(0)],
    [0x0017, Buffer.alloc(0)], [0x44cd, Buffer.alloc(0)], [0x0000, sni], [0x000b, Buffer.from([1, 0])], [0x000a, list16([4588, 29, 23, 24])],
    [0x002b, list16([0x0a0a, 0x0304, 0x0303], 1)], [0xff01, Buffer.from([0])], [0x0023, Buffer.alloc(0)], [0x0012, Buffer.alloc(0)],
    [0x0005, Buffer.alloc(0)], [0x000d, list16(sig)], [0x001b, Buffer.alloc(0)]];
  const body = clientHello(0x0303, [0x2a2a, ...ciphers], [[0x3a3a, Buffer.alloc(0)], ...exts]);
  const h = parseHello(1, body, 0, body.length);
  assert.ok(h !== null);
  assert.equal(ja3String(h), "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
  assert.equal(ja3(h), "98487aa16281980e7d1120d399efb6a4");
  assert.equal(ja4r(h), "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_0403,0804,0401,0503,0805,0501,0806,0601");
  assert.equal(ja4(h), "t13d1516h2_8daaf6152771_d8a2da3f94cd");
});

test("JA3, JA3S and JA4 on Zeek's TLS and QUIC traces (tshark's ja3, the zeek ja4 package's baselines)", { skip: SHARED === undefined ? NO_SHARED : false }, async () => {
  const chrome34 = await (await open(pcap("zeek__chrome-34-google.pcap"))).tls();
  assert.equal(chrome34.count, 1);
  assert.deepEqual(chrome34.rows(["server_name", "version", "cipher", "curve", "next_protocol", "ja3", "ja4"])[0], {
    server_name: "google.de", version: "TLSv12", cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", curve: "secp256r1",
    next_protocol: "spdy/3.1", ja3: "a607f3a5c94c2ee592af1456f36c8367", ja4: "t12d2011s3_8dd61975155f_06a4338d0495",
  });
  const kyber = await (await open(pcap("zeek__chrome-1250-tls-x25519-kyber.pcap"))).tls();
  assert.equal(kyber.column("ja3").get(0), "9d33d8206d4fec4c8b1423c728f4cd3c");
  assert.equal(kyber.column("server_name").get(0), "lh3.google.com");
  assert.equal(kyber.column("version").get(0), "TLSv13");
  // anthonykasza/ja4 testing/Baseline/tests.curl-8_btest (same ClientHello; that test's connection is TCP: "t")
  const quic = await (await open(pcap("zeek__curl-8.1.2-dev-http3-www-google-de.pcap"))).quic();
  assert.equal(quic.count, 1);
  assert.deepEqual(quic.rows(["version", "server_name", "client_protocol", "ja4"])[0],
    { version: "1", server_name: "www.google.de", client_protocol: "h3", ja4: "q13d0308h3_55b375c5d22e_f0736a66fa6b" });
});

test("AppTable API: uids of the flow table, rows, rowsOf, text, toDataFrame", { skip: SHARED === undefined ? NO_SHARED : false }, async () => {
  const cap = await open(pcap("zeek__long-connection.pcap"));
  const ft = cap.flows();
  const dns = await cap.dns({ flows: ft });
  assert.ok(dns.count > 5);
  assert.equal(await cap.dns({ flows: ft }), dns, "cached per flow table");
  assert.deepEqual(dns.columns.slice(0, 6), ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]);
  const uid = dns.column("uid").get(0) as string;
  assert.ok(ft.rowOf(uid) >= 0);
  assert.ok(dns.rowsOf(uid).includes(0));
  const mx = dns.rows(["qtype_name", "answers", "TTLs"], 0, 1)[0];
  assert.equal(mx.qtype_name, "MX");
  assert.equal(dns.column("TTLs").text(0), (mx.TTLs as number[]).map((x) => x.toFixed(6)).join(","));
  const df = dns.toDataFrame(["uid", "query", "rtt"]);
  assert.equal(df.shape[0], dns.count);
});

const flow = (proto: string): FlowInfo => ({ row: 0, proto, origP: 40000, respP: 80, origH: "10.0.0.1", respH: "10.0.0.2" });

test("hostile DNS: compression loops, lying counts and lengths end, bounded", () => {
  // header: 1 question, 65535 answers; the question's name is a pointer to itself
  const loop = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0xff, 0xff, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  const m = parseDns(loop, 0, loop.length);
  assert.ok(m !== null && m.damaged);
  // a chain of pointers forward and back
  const chain = Buffer.from([0, 2, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12]);
  assert.ok(parseDns(chain, 0, chain.length)?.damaged);
  // a record whose rdlength runs past the end
  const lie = Buffer.from([0, 3, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0xff, 0xff, 1, 2]);
  assert.ok(parseDns(lie, 0, lie.length)?.damaged);
  const app = new DnsApp();
  for (const b of [loop, chain, lie, Buffer.alloc(3)]) app.packet({ ...flow("udp"), respP: 53 }, true, 1, b, 0, b.length, b.length, -1, -1);
  app.finish();
  assert.ok(app.t.warnings.some((w) => /damaged/.test(w)));
});

test("HTTP: headers split across segments are parsed whole; a huge header block stops at the cap", () => {
  const app = new HttpApp();
  const f = flow("tcp");
  const req = Buffer.from("GET /a/b?c=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: t/1\r\n\r\n");
  const resp = Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  app.packet(f, true, 1, Buffer.alloc(0), 0, 0, 0, 1000, 2, 1);
  app.packet(f, false, 1.1, Buffer.alloc(0), 0, 0, 0, 5000, 0x12, 2);
  // the request in three segments, the second arriving first (out of order)
  app.packet(f, true, 1.3, req, 20, 40, 20, 1001 + 20, 0x18, 4);
  app.packet(f, true, 1.2, req, 0, 20, 20, 1001, 0x18, 3);
  app.packet(f, true, 1.4, req, 40, req.length, req.length - 40, 1001 + 40, 0x18, 5);
  app.packet(f, false, 1.5, resp, 0, 30, 30, 5001, 0x18, 6);
  app.packet(f, false, 1.6, resp, 30, resp.length, resp.length - 30, 5031, 0x18, 7);
  app.finish();
  const T = app.t;
  assert.equal(T.count, 1);
  assert.equal(T.getNum(0, "status_code"), 200);
  assert.equal(T.getNum(0, "response_body_len"), 5);
  assert.ok(T.has(0, "user_agent"));

  const big = new HttpApp();
  const huge = Buffer.concat([Buffer.from("GET / HTTP/1.1\r\nX: "), Buffer.alloc(MAX_HEADER * 4, 0x61)]);
  big.packet(f, true, 1, Buffer.alloc(0), 0, 0, 0, 0, 2, 1);
  for (let o = 0; o < huge.length; o += 1400) big.packet(f, true, 2, huge, o, Math.min(huge.length, o + 1400), Math.min(1400, huge.length - o), 1 + o, 0x18, 2);
  big.finish();
  assert.equal(big.t.count, 0);
  assert.ok(big.t.warnings.some((w) => /header block over/.test(w)), big.t.warnings.join());
});

test("TCP reassembly: held out-of-order bytes are capped, gaps reported, no throw", () => {
  let got = 0, gaps = 0;
  const s = new TcpStream({ data: (_b, o, e) => { got += e - o; return true; }, gap: (n) => { gaps += n; return true; } });
  const seg = Buffer.alloc(1000, 1);
  s.segment(0, 2, seg, 0, 0, 0);
  // never the first segment: everything is held until the cap forces gaps
  for (let i = 1; i <= 600; i++) s.segment(1 + i * 1000, 0x10, seg, 0, 1000, 1000);
  assert.ok(got > 0 && gaps >= 1000, `${got} ${gaps}`);
  s.finish();
  assert.equal(got, 600 * 1000);
  assert.ok(s.capped > 0 && MAX_HELD_BYTES < 600 * 1000);
  // sequence numbers that wrap around 2^32
  let text = "";
  const w = new TcpStream({ data: (b, o, e) => { text += Buffer.from(b.subarray(o, e)).toString(); return true; }, gap: () => true });
  w.segment(0xfffffffe, 2, Buffer.alloc(0), 0, 0, 0);
  w.segment(0xffffffff, 0x18, Buffer.from("ab"), 0, 2, 2);
  w.segment(1, 0x18, Buffer.from("cd"), 0, 2, 2);
  assert.equal(text, "abcd");
});

test("hostile TLS and QUIC: lying record and message lengths, garbage Initials: bounded, no throw", () => {
  const tls = new TlsApp();
  const f = { ...flow("tcp"), respP: 443 };
  // a handshake record claiming 16 MB messages, then garbage
  const rec = Buffer.from([22, 3, 1, 0x48, 0x00, 1, 0xff, 0xff, 0xff, ...Buffer.alloc(100, 7)]);
  tls.packet(f, true, 1, rec, 0, rec.length, rec.length, 1, 0x18, 1);
  for (let i = 0; i < 200; i++) tls.packet(f, true, 2, rec, 0, rec.length, rec.length, 1 + rec.length * (i + 1), 0x18, 2);
  tls.finish();
  assert.equal(tls.t.count, 0);
  const quic = new QuicApp();
  const q = { ...flow("udp"), respP: 443 };
  const init = Buffer.alloc(1200, 0x55);
  init[0] = 0xc0; init.writeUInt32BE(1, 1); init[5] = 8; // v1 Initial, DCID of 8 bytes, then garbage lengths
  quic.packet(q, true, 1, init, 0, init.length);
  quic.packet(q, false, 1, init, 0, init.length);
  quic.finish();
  assert.equal(quic.t.count, 1); // the connection is seen; nothing decrypts
  assert.ok(!quic.t.has(0, "server_name"));
});

test("wirebook dns|http|tls|dhcp|quic print tsv, csv and json", { skip: SHARED === undefined ? NO_SHARED : false }, () => {
  const run = (...a: string[]) => execFileSync(process.execPath, [CLI, ...a], { encoding: "utf8" });
  const tsv = run("tls", pcap("zeek__chrome-34-google.pcap"));
  assert.match(tsv, /^#separator \\x09\n/);
  assert.match(tsv, /#path\tssl\n/);
  assert.match(tsv, /\tgoogle\.de\t/);
  const csv = run("dns", pcap("zeek__long-connection.pcap"), "--format", "csv").split("\n");
  assert.ok(csv[0].startsWith("ts,uid,id.orig_h"));
  const json = run("dhcp", pcap("zeek__dhcp.pcap"), "--format", "json").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(json[0].msg_types, ["DISCOVER", "OFFER", "REQUEST", "NAK", "REQUEST", "ACK", "DECLINE"]);
  assert.match(run("quic", pcap("zeek__curl-8.1.2-dev-http3-www-google-de.pcap")), /www\.google\.de/);
  assert.match(run("http", pcap("zeek__wikipedia.pcap"), "--format", "json"), /"method":"GET"/);
});
