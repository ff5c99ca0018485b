import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "001122334455 66778899aabb 0800";

test("icmp: echo request: identifier and sequence in both byte orders", () => {
  const f = fieldsOf(hex(`${ETH} 45000020 0001 0000 4001 0000 0a000001 0a000002 | 08 00 f7fe 0500 3800 61626364`),
    ["icmp.type", "icmp.code", "icmp.checksum", "icmp.ident", "icmp.ident_le", "icmp.seq", "icmp.seq_le", "frame.protocols"]);
  assert.deepEqual(f, {
    "icmp.type": "8", "icmp.code": "0", "icmp.checksum": "0xf7fe", "icmp.ident": "1280", "icmp.ident_le": "5",
    "icmp.seq": "14336", "icmp.seq_le": "56", "frame.protocols": "eth:ethertype:ip:icmp:data",
  });
});

test("icmp: an error quotes an IP/UDP header: outer addresses win, the quoted ports show", () => {
  const quoted = "45000030 1234 0000 0111 0000 0a000002 08080808 | 9c40 0035 001c abcd";
  const f = fieldsOf(hex(`${ETH} 45c00038 0002 0000 4001 0000 c0a80001 0a000002 | 0b 00 1234 00000000 | ${quoted}`),
    ["ip.src", "ip.dst", "ip.ttl", "ip.proto", "icmp.type", "icmp.ident", "udp.srcport", "udp.dstport", "udp.length", "frame.protocols"]);
  assert.deepEqual(f, {
    "ip.src": "192.168.0.1", "ip.dst": "10.0.0.2", "ip.ttl": "64", "ip.proto": "1", "icmp.type": "11", "icmp.ident": "",
    "udp.srcport": "40000", "udp.dstport": "53", "udp.length": "28", "frame.protocols": "eth:ethertype:ip:icmp:ip:udp",
  });
});

test("icmp: fragmentation needed carries the next-hop MTU", () => {
  const f = fieldsOf(hex(`${ETH} 45000024 0001 0000 4001 0000 0a000001 0a000002 | 03 04 0000 0000 05dc | 45000030`),
    ["icmp.type", "icmp.code", "icmp.mtu"]);
  assert.deepEqual(f, { "icmp.type": "3", "icmp.code": "4", "icmp.mtu": "1500" });
});

test("icmp: a header shorter than 8 bytes shows nothing (as tshark mostly does) and flags the packet", () => {
  const ip = "45000020 0001 0000 4001 0000 0a000001 0a000002";
  const c = decodeFrames([hex(`${ETH} ${ip} 08`), hex(`${ETH} ${ip} 0800f7fe 0500`)]);
  assert.equal(c.column("icmp.type").get(0), undefined);
  assert.equal(c.column("icmp.checksum").get(1), undefined);
  assert.equal(c.column("icmp.ident").get(1), undefined);
  assert.equal(c.malformed, 2);
});
