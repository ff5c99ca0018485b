import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "001122334455 66778899aabb 0800";
const outer = (len: number) => `45000000`.slice(0, 4) + len.toString(16).padStart(4, "0") + " 0001 0000 402f 0000 c0a80001 c0a80002";
const INNER = "45000020 0007 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";

test("gre: version 0 with key and sequence number, IPv4 inside; outer addresses win", () => {
  const f = fieldsOf(hex(`${ETH} ${outer(20 + 12 + 32)} | 3000 0800 0000002a 00000005 | ${INNER}`),
    ["gre.flags_and_version", "gre.flags.key", "gre.proto", "gre.key", "gre.sequence_number", "ip.src", "ip.id",
      "udp.dstport", "frame.protocols"]);
  assert.deepEqual(f, {
    "gre.flags_and_version": "0x3000", "gre.flags.key": "1", "gre.proto": "0x0800", "gre.key": "0x0000002a",
    "gre.sequence_number": "5", "ip.src": "192.168.0.1", "ip.id": "0x0001", "udp.dstport": "5678",
    "frame.protocols": "eth:ethertype:ip:gre:ip:udp:data",
  });
});

test("gre: version 1 (PPTP): key is payload length and call id, then PPP LCP", () => {
  const f = fieldsOf(hex(`${ETH} ${outer(20 + 12 + 8)} | 3001 880b 0008 0000 00000000 | ff03 c021 01010004`),
    ["gre.flags_and_version", "gre.key", "gre.key.payload_length", "gre.key.call_id", "gre.sequence_number",
      "ppp.address", "ppp.control", "ppp.protocol", "frame.protocols"]);
  assert.deepEqual(f, {
    "gre.flags_and_version": "0x3001", "gre.key": "", "gre.key.payload_length": "8", "gre.key.call_id": "0",
    "gre.sequence_number": "0", "ppp.address": "0xff", "ppp.control": "0x03", "ppp.protocol": "0xc021",
    "frame.protocols": "eth:ethertype:ip:gre:ppp:lcp",
  });
});

test("gre: transparent Ethernet bridging carries a whole Ethernet frame", () => {
  const f = fieldsOf(hex(`${ETH} ${outer(20 + 4 + 14 + 32)} | 0000 6558 | aabbccddeeff 112233445566 0800 ${INNER}`),
    ["eth.src", "gre.proto", "frame.protocols"]);
  assert.deepEqual(f, { "eth.src": "66:77:88:99:aa:bb", "gre.proto": "0x6558", "frame.protocols": "eth:ethertype:ip:gre:eth:ethertype:ip:udp:data" });
});

test("gre: optional fields cut short, and a routing list that never ends, are malformed", () => {
  const c = decodeFrames([
    hex(`${ETH} ${outer(20 + 6)} | 3000 0800 0000`),
    hex(`${ETH} ${outer(20 + 16)} | 4000 0800 0000 0000 | 0800 00 04 01020304 0800 00`),
  ]);
  assert.equal(c.column("gre.proto").text(0), "0x0800");
  assert.equal(c.column("gre.key").get(0), undefined);
  assert.equal(c.column("gre.flags.routing").text(1), "1");
  assert.equal(c.malformed, 2);
});
