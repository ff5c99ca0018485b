import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "333300000001 66778899aabb 86dd";
const A = "fe800000000000000000000000000001", B = "fe800000000000000000000000000002";
const v6 = (plen: number, nxt = "3a") => `60000000 ${plen.toString(16).padStart(4, "0")} ${nxt}ff ${A} ${B}`;

test("icmpv6: echo request identifier (hex) and sequence number", () => {
  const f = fieldsOf(hex(`${ETH} ${v6(12)} 80 00 1234 abcd 0007 61626364`),
    ["icmpv6.type", "icmpv6.code", "icmpv6.checksum", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "frame.protocols"]);
  assert.deepEqual(f, {
    "icmpv6.type": "128", "icmpv6.code": "0", "icmpv6.checksum": "0x1234", "icmpv6.echo.identifier": "0xabcd",
    "icmpv6.echo.sequence_number": "7", "frame.protocols": "eth:ethertype:ipv6:icmpv6:data",
  });
});

test("icmpv6: neighbor solicitation and advertisement targets", () => {
  const ns = fieldsOf(hex(`${ETH} ${v6(24)} 87 00 0000 00000000 ${B}`), ["icmpv6.nd.ns.target_address"]);
  assert.deepEqual(ns, { "icmpv6.nd.ns.target_address": "fe80::2" });
  const na = fieldsOf(hex(`${ETH} ${v6(24)} 88 00 0000 60000000 ${A}`), ["icmpv6.nd.na.target_address", "icmpv6.nd.na.flag"]);
  assert.deepEqual(na, { "icmpv6.nd.na.target_address": "fe80::1", "icmpv6.nd.na.flag": "0x60000000" });
});

test("icmpv6: an error quotes IPv6/UDP: outer addresses win, the quoted ports show", () => {
  const quoted = `60000000 000c 11 40 ${B} 20010db8000000000000000000000009 | 8235 0035 000c 0000`;
  const f = fieldsOf(hex(`${ETH} ${v6(8 + 40 + 8)} 01 04 0000 00000000 ${quoted}`),
    ["ipv6.src", "ipv6.nxt", "icmpv6.type", "icmpv6.code", "udp.srcport", "udp.dstport", "frame.protocols"]);
  assert.deepEqual(f, {
    "ipv6.src": "fe80::1", "ipv6.nxt": "58", "icmpv6.type": "1", "icmpv6.code": "4", "udp.srcport": "33333",
    "udp.dstport": "53", "frame.protocols": "eth:ethertype:ipv6:icmpv6:ipv6:udp",
  });
});

test("icmpv6: cut headers do not throw", () => {
  const c = decodeFrames([hex(`${ETH} ${v6(24)} 87`), hex(`${ETH} ${v6(24)} 87 00 0000 00000000 fe80`)]);
  assert.equal(c.column("icmpv6.type").text(0), "135");
  assert.equal(c.column("icmpv6.nd.ns.target_address").get(1), undefined);
  assert.equal(c.malformed, 2);
});
