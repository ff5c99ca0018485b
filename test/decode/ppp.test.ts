import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const PFX = "001122334455 66778899aabb 0800 45000000 0001 0000 402f 0000 c0a80001 c0a80002 3001 880b 0020 0001 00000001";
const INNER = "45000020 0007 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";

test("ppp: protocol field compression (one byte) and no address/control", () => {
  const f = fieldsOf(hex(`${PFX} 21 ${INNER}`), ["ppp.address", "ppp.protocol", "udp.srcport", "frame.protocols"]);
  assert.deepEqual(f, { "ppp.address": "", "ppp.protocol": "0x0021", "udp.srcport": "1234", "frame.protocols": "eth:ethertype:ip:gre:ppp:ip:udp:data" });
});

test("ppp: a cut protocol field is malformed", () => {
  const c = decodeFrames([hex(`${PFX} ff03 00`)]);
  assert.equal(c.column("ppp.address").text(0), "0xff");
  assert.equal(c.column("ppp.protocol").get(0), undefined);
  assert.equal(c.malformed, 1);
});
