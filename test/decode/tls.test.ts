import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";

const u16 = (v: number) => Buffer.from([v >> 8, v & 255]);
const ext = (t: number, d: Buffer) => Buffer.concat([u16(t), u16(d.length), d]);
function sni(name: string): Buffer {
  const n = Buffer.from(name, "latin1");
  const e = Buffer.concat([Buffer.from([0]), u16(n.length), n]);
  return ext(0, Buffer.concat([u16(e.length), e]));
}
function alpn(...ps: string[]): Buffer {
  const l = Buffer.concat(ps.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])));
  return ext(16, Buffer.concat([u16(l.length), l]));
}
function hs(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, body.length >> 16, (body.length >> 8) & 255, body.length & 255]), body]);
}
function clientHello(exts: Buffer[], suites = [0x1301, 0xc02b]): Buffer {
  const e = Buffer.concat(exts);
  return hs(1, Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(2 * suites.length),
    ...suites.map(u16), Buffer.from([1, 0]), u16(e.length), e]));
}
function serverHello(suite: number, exts: Buffer[]): Buffer {
  const e = Buffer.concat(exts);
  return hs(2, Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(suite), Buffer.from([0]), u16(e.length), e]));
}
const rec = (ct: number, data: Buffer, ver = 0x0301, len = data.length) => Buffer.concat([Buffer.from([ct]), u16(ver), u16(len), data]);
const F = ["tls.record.content_type", "tls.record.opaque_type", "tls.record.version", "tls.handshake.type", "tls.handshake.version",
  "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str", "tls.handshake.ciphersuite", "frame.protocols"];
const CH = clientHello([sni("example.com"), alpn("h2", "http/1.1")]);

test("tls: ClientHello fields", () => {
  assert.deepEqual(fieldsOf(tcpFrame(rec(22, CH), 40000, 443), F), {
    "tls.record.content_type": "22", "tls.record.opaque_type": "", "tls.record.version": "0x0301", "tls.handshake.type": "1",
    "tls.handshake.version": "0x0303", "tls.handshake.extensions_server_name": "example.com",
    "tls.handshake.extensions_alpn_str": "h2", "tls.handshake.ciphersuite": "0x1301", "frame.protocols": "eth:ethertype:ip:tcp:tls",
  });
});

test("tls: a record or message that runs past the segment shows nothing; split messages are joined", () => {
  const cut = decodeFrames([tcpFrame(rec(22, CH).subarray(0, 60), 40001, 443), tcpFrame(rec(22, CH, 0x0301, CH.length + 50), 40002, 443),
    tcpFrame(rec(22, Buffer.concat([Buffer.from([11, 0, 16, 0]), Buffer.alloc(8)]), 0x0303), 40003, 443)]);
  assert.equal(cut.column("tls.record.content_type").text(0), "");
  assert.equal(cut.column("tls.handshake.type").text(1), "");
  assert.equal(cut.column("tls.record.content_type").text(2), "22");
  assert.equal(cut.column("tls.handshake.type").text(2), "");
  const split = fieldsOf(tcpFrame(Buffer.concat([rec(22, CH.subarray(0, 20)), rec(22, CH.subarray(20))]), 40004, 443), F);
  assert.equal(split["tls.handshake.extensions_server_name"], "example.com");
});

test("tls: ServerHello, TLS 1.3 opaque records, encrypted Finished after ChangeCipherSpec", () => {
  const c = decodeFrames([
    tcpFrame(Buffer.concat([rec(22, serverHello(0x1302, [ext(43, u16(0x0304))]), 0x0303), rec(23, Buffer.alloc(30), 0x0303)]), 443, 50000),
    tcpFrame(rec(23, Buffer.alloc(20), 0x0303), 50000, 443),
    tcpFrame(rec(22, serverHello(0xc02f, [alpn("h2")]), 0x0303), 443, 50001),
    tcpFrame(Buffer.concat([rec(20, Buffer.from([1]), 0x0303), rec(22, Buffer.alloc(40), 0x0303)]), 50001, 443),
  ]);
  assert.equal(c.column("tls.handshake.type").text(0), "2");
  assert.equal(c.column("tls.handshake.ciphersuite").text(0), "0x1302");
  assert.equal(c.column("tls.record.opaque_type").text(0), "23");
  assert.equal(c.column("tls.record.opaque_type").text(1), "23");
  assert.equal(c.column("tls.record.content_type").text(1), "");
  assert.equal(c.column("tls.handshake.extensions_alpn_str").text(2), "h2");
  assert.equal(c.column("tls.record.content_type").text(3), "20");
  assert.equal(c.column("tls.handshake.type").text(3), "");
});

test("tls: hostile lengths never throw", () => {
  const lying = Buffer.from(CH);
  lying.writeUInt16BE(0xffff, 4 + 2 + 32 + 1); // cipher suite length past the end
  const frames = [rec(22, lying), rec(22, clientHello([Buffer.from("0000ffff", "hex")])), Buffer.from([0x16, 3]),
    rec(22, Buffer.from([1, 0, 0, 3, 3, 3])), Buffer.alloc(3000, 0x16)].map((b) => tcpFrame(b, 40010, 443));
  const c = decodeFrames(frames);
  assert.equal(c.count, 5);
  assert.equal(c.column("tls.handshake.type").text(0), "1");
  assert.ok(c.malformed >= 2);
});

test("tls: a segment that does not start a record is still tls; 4 printable bytes are not (data)", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("909fd4301d0603551d0e", "hex"), 443, 40010), tcpFrame(Buffer.from("oogle Inc1"), 443, 40010)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:tls");
  assert.equal(c.column("tls.record.content_type").text(0), "");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
});
