import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const IP_UDP = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";

test("vlan: one 802.1Q tag: priority, id, EtherType, then IPv4", () => {
  const f = fieldsOf(hex(`001122334455 66778899aabb 8100 | a00a 0800 | ${IP_UDP}`),
    ["eth.type", "vlan.priority", "vlan.dei", "vlan.id", "vlan.etype", "ip.src", "udp.dstport", "frame.protocols"]);
  assert.deepEqual(f, {
    "eth.type": "0x8100", "vlan.priority": "5", "vlan.dei": "0", "vlan.id": "10", "vlan.etype": "0x0800",
    "ip.src": "10.0.0.1", "udp.dstport": "5678", "frame.protocols": "eth:ethertype:vlan:ethertype:ip:udp:data",
  });
});

test("vlan: 802.1ad S-tag then C-tag: vlan.id is the C-tag, the S-tag has its own layer", () => {
  const f = fieldsOf(hex(`001122334455 66778899aabb 88a8 | 00c8 8100 | 17d1 0800 | ${IP_UDP}`),
    ["eth.type", "ieee8021ad.id", "vlan.id", "vlan.etype", "ip.dst", "frame.protocols"]);
  assert.deepEqual(f, {
    "eth.type": "0x88a8", "ieee8021ad.id": "200", "vlan.id": "2001", "vlan.etype": "0x0800", "ip.dst": "10.0.0.2",
    "frame.protocols": "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:udp:data",
  });
});

test("vlan: stacked tags: the first (outer) tag's id wins", () => {
  const f = fieldsOf(hex(`001122334455 66778899aabb 8100 | 001e 8100 | 0014 8100 | 000a 0800 | ${IP_UDP}`),
    ["vlan.id", "vlan.etype", "frame.protocols"]);
  assert.equal(f["vlan.id"], "30");
  assert.equal(f["vlan.etype"], "0x8100");
  assert.equal(f["frame.protocols"], "eth:ethertype:vlan:ethertype:vlan:ethertype:vlan:ethertype:ip:udp:data");
});

test("vlan: a tag cut short keeps what it could read and flags the packet", () => {
  const c = decodeFrames([hex("001122334455 66778899aabb 8100 a00a"), hex("001122334455 66778899aabb 8100 a0")]);
  assert.equal(c.column("vlan.id").text(0), "10");
  assert.equal(c.column("vlan.etype").get(0), undefined);
  assert.equal(c.column("vlan.id").get(1), undefined);
  assert.equal(c.malformed, 2);
});
