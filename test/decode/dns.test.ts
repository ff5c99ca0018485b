import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf } from "../helpers/decode";

/** Ethernet / IPv4 / UDP (or TCP) frame around a payload. */
function frame(payload: Buffer, sport: number, dport: number, proto: "udp" | "tcp" = "udp"): Buffer {
  const l4 = proto === "udp" ? Buffer.alloc(8) : Buffer.alloc(20);
  l4.writeUInt16BE(sport, 0);
  l4.writeUInt16BE(dport, 2);
  if (proto === "udp") l4.writeUInt16BE(8 + payload.length, 4);
  else { l4.writeUInt32BE(1000, 4); l4[12] = 0x50; l4[13] = 0x18; l4.writeUInt16BE(65535, 14); }
  const ip = Buffer.from("4500000000014000" + "40" + (proto === "udp" ? "11" : "06") + "0000 0a000001 0a000002".replace(/ /g, ""), "hex");
  ip.writeUInt16BE(20 + l4.length + payload.length, 2);
  const eth = Buffer.from("00112233445566778899aabb0800", "hex");
  return Buffer.concat([eth, ip, l4, payload]);
}
function hdr(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): Buffer {
  const b = Buffer.alloc(12);
  [id, flags, qd, an, ns, ar].forEach((v, i) => b.writeUInt16BE(v, 2 * i));
  return b;
}
const u16 = (...v: number[]) => Buffer.from(v.flatMap((x) => [x >> 8, x & 255]));
const NAME = Buffer.from("03777777076578616d706c6503636f6d00", "hex"); // www.example.com
const F = ["dns.id", "dns.flags.response", "dns.flags.opcode", "dns.flags.rcode", "dns.count.queries", "dns.count.answers",
  "dns.qry.name", "dns.qry.type", "dns.qry.class", "dns.a", "dns.aaaa", "dns.cname", "dns.resp.ttl", "frame.protocols"];

function rr(name: Buffer, type: number, ttl: number, data: Buffer): Buffer {
  const f = Buffer.alloc(10);
  f.writeUInt16BE(type, 0); f.writeUInt16BE(1, 2); f.writeUInt32BE(ttl, 4); f.writeUInt16BE(data.length, 8);
  return Buffer.concat([name, f, data]);
}

test("dns: query and response with CNAME chain, A, AAAA, TTL", () => {
  const q = fieldsOf(frame(Buffer.concat([hdr(0x1234, 0x0100, 1), NAME, u16(1, 1)]), 40000, 53), F);
  assert.equal(q["dns.id"], "0x1234");
  assert.equal(q["dns.flags.response"], "0");
  assert.equal(q["dns.flags.rcode"], ""); // queries have no rcode
  assert.equal(q["dns.qry.name"], "www.example.com");
  assert.equal(q["dns.qry.class"], "0x0001");
  assert.equal(q["frame.protocols"], "eth:ethertype:ip:udp:dns");
  const r = fieldsOf(frame(Buffer.concat([hdr(0x1234, 0x8180, 1, 3), NAME, u16(1, 1),
    rr(u16(0xc00c), 5, 300, Buffer.from("0363646ec010", "hex")),
    rr(u16(0xc02b), 1, 60, Buffer.from([1, 2, 3, 4])),
    rr(u16(0xc02b), 28, 60, Buffer.from("20010db8000000000000000000000001", "hex"))]), 53, 40000), F);
  assert.equal(r["dns.cname"], "cdn.example.com");
  assert.equal(r["dns.a"], "1.2.3.4");
  assert.equal(r["dns.aaaa"], "2001:db8::1");
  assert.equal(r["dns.resp.ttl"], "300");
  assert.equal(r["dns.flags.rcode"], "0");
  assert.equal(r["dns.count.answers"], "3");
});

test("dns: names are escaped as tshark's format_text", () => {
  const name = Buffer.from("05612062c3a903000a7f00", "hex"); // "a b\xc3\xa9", "\0\n\x7f"
  const f = fieldsOf(frame(Buffer.concat([hdr(1, 0x0100, 1), name, u16(1, 1)]), 1, 53), ["dns.qry.name"]);
  assert.equal(f["dns.qry.name"], "a b\u00e9.\\000\\n\\177");
  const bad = Buffer.from("02c328038041ff00", "hex");
  assert.equal(fieldsOf(frame(Buffer.concat([hdr(1, 0x0100, 1), bad, u16(1, 1)]), 1, 53), ["dns.qry.name"])["dns.qry.name"],
    "\ufffd(.\ufffdA\ufffd");
});

test("dns: root, pointer loops and over-long names", () => {
  const one = (name: Buffer) => fieldsOf(frame(Buffer.concat([hdr(1, 0x0100, 1), name, u16(1, 1)]), 1, 53), ["dns.qry.name", "dns.qry.type"]);
  assert.equal(one(Buffer.from([0]))["dns.qry.name"], "<Root>");
  assert.equal(one(u16(0xc00c))["dns.qry.name"], "<Name contains a pointer that loops>");
  assert.equal(one(Buffer.concat([Buffer.from("03616263", "hex"), u16(0xc00c)]))["dns.qry.name"], "<Name contains a pointer that loops>");
  const long = Buffer.concat([...Array(4)].map(() => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x79)])).concat([Buffer.from([0])]));
  assert.deepEqual(one(long), { "dns.qry.name": "<Name too long>", "dns.qry.type": "1" });
});

test("dns: hostile input never throws and flags the packet", () => {
  const frames = [
    Buffer.concat([hdr(1, 0x8183, 65535, 65535, 65535, 65535), NAME, u16(1, 1)]), // huge counts
    Buffer.concat([hdr(1, 0x0100, 1), Buffer.from("03616263c0ff", "hex")]),   // pointer past the end
    Buffer.concat([hdr(1, 0x0100, 1), Buffer.from("0361628000", "hex")]),     // 0x80 label
    Buffer.concat([hdr(1, 0x0100, 1), Buffer.from("3f6162", "hex")]),         // label past the end
    Buffer.from("585858", "hex"),                                              // shorter than id + flags
  ].map((p) => frame(p, 1, 53));
  const c = decodeFrames(frames);
  assert.equal(c.malformed, 5);
  assert.equal(c.column("dns.count.answers").text(0), "65535");
  assert.equal(c.column("dns.qry.name").text(0), "www.example.com");
  assert.equal(c.column("dns.qry.name").text(1), "");
  assert.equal(c.column("dns.id").text(4), "");
});

test("dns: a record cut inside shows nothing of that record", () => {
  const full = Buffer.concat([hdr(7, 0x8180, 1, 1), NAME, u16(1, 1), rr(u16(0xc00c), 1, 300, Buffer.from([9, 9, 9, 9]))]);
  const c = decodeFrames([frame(full.subarray(0, full.length - 2), 53, 1)]);
  assert.equal(c.column("dns.resp.ttl").text(0), "");
  assert.equal(c.column("dns.qry.name").text(0), "www.example.com");
});

test("dns: mDNS and LLMNR ports, TCP length prefix, several messages per segment", () => {
  const m = fieldsOf(frame(Buffer.concat([hdr(0, 0x0000, 1), NAME, u16(1, 0x8001)]), 5353, 5353), ["dns.qry.class", "frame.protocols"]);
  assert.deepEqual(m, { "dns.qry.class": "0x0001", "frame.protocols": "eth:ethertype:ip:udp:mdns" });
  assert.equal(fieldsOf(frame(Buffer.concat([hdr(0, 0, 1), NAME, u16(1, 1)]), 5355, 999), ["frame.protocols"])["frame.protocols"],
    "eth:ethertype:ip:udp:llmnr");
  const msg1 = Buffer.concat([hdr(0x1111, 0x0100, 0)]), msg2 = Buffer.concat([hdr(0x2222, 0x0100, 1), NAME, u16(28, 1)]);
  const t = fieldsOf(frame(Buffer.concat([u16(msg1.length), msg1, u16(msg2.length), msg2]), 40000, 53, "tcp"),
    ["dns.id", "dns.qry.name", "dns.qry.type", "dns.length", "frame.protocols"]);
  assert.deepEqual(t, { "dns.id": "0x1111", "dns.qry.name": "www.example.com", "dns.qry.type": "28", "dns.length": "12",
    "frame.protocols": "eth:ethertype:ip:tcp:dns" });
});
