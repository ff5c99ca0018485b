import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "001122334455 66778899aabb 0800";

test("udp: ports, length and checksum in header order", () => {
  const f = fieldsOf(hex(`${ETH} 45000020 0001 0000 4011 0000 0a000001 0a000002 | 04d2 162e 000c beef | deadbeef`),
    ["udp.srcport", "udp.dstport", "udp.length", "udp.checksum", "frame.protocols"]);
  assert.deepEqual(f, { "udp.srcport": "1234", "udp.dstport": "5678", "udp.length": "12", "udp.checksum": "0xbeef", "frame.protocols": "eth:ethertype:ip:udp:data" });
});

test("udp: a header cut short keeps the ports and flags the packet; a length below 8 is malformed", () => {
  const ip = "45000020 0001 0000 4011 0000 0a000001 0a000002";
  const c = decodeFrames([hex(`${ETH} ${ip} 04d2 162e 00`), hex(`${ETH} ${ip} 04d2 162e 0004 0000 deadbeef`)]);
  assert.equal(c.column("udp.dstport").text(0), "5678");
  assert.equal(c.column("udp.length").get(0), undefined);
  assert.equal(c.column("udp.length").text(1), "4");
  assert.equal(c.malformed, 2);
});
