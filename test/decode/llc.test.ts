import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

test("llc: 802.3 length frame with spanning-tree SAPs", () => {
  const f = fieldsOf(hex("0180c2000000 66778899aabb 0026 424203 0000 00 00 000000000000 00000000 00 00 00"),
    ["eth.len", "eth.type", "llc.dsap", "llc.ssap", "llc.control", "frame.protocols"]);
  assert.deepEqual(f, { "eth.len": "38", "eth.type": "", "llc.dsap": "0x42", "llc.ssap": "0x42", "llc.control": "0x0003", "frame.protocols": "eth:llc:stp" });
});

test("llc: SNAP with the Ethernet OUI goes to the EtherType table", () => {
  const ip = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";
  const f = fieldsOf(hex(`ffffffffffff 66778899aabb 0028 aaaa03 000000 0800 ${ip}`), ["llc.oui", "llc.type", "ip.src", "frame.protocols"]);
  assert.deepEqual(f, { "llc.oui": "0", "llc.type": "0x0800", "ip.src": "10.0.0.1", "frame.protocols": "eth:llc:ip:udp:data" });
});

test("llc: a cut SNAP header is malformed", () => {
  const c = decodeFrames([hex("ffffffffffff 66778899aabb 0008 aaaa03 0000")]);
  assert.equal(c.column("llc.dsap").text(0), "0xaa");
  assert.equal(c.column("llc.type").get(0), undefined);
  assert.equal(c.malformed, 1);
});
