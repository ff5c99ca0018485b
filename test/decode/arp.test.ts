import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "ffffffffffff 66778899aabb 0806";

test("arp: request with Ethernet and IPv4 addresses", () => {
  const f = fieldsOf(hex(`${ETH} 0001 0800 06 04 0001 66778899aabb c0a80001 000000000000 c0a80002`),
    ["arp.hw.type", "arp.proto.type", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac",
      "arp.dst.proto_ipv4", "frame.protocols"]);
  assert.deepEqual(f, {
    "arp.hw.type": "1", "arp.proto.type": "0x0800", "arp.opcode": "1", "arp.src.hw_mac": "66:77:88:99:aa:bb",
    "arp.src.proto_ipv4": "192.168.0.1", "arp.dst.hw_mac": "00:00:00:00:00:00", "arp.dst.proto_ipv4": "192.168.0.2",
    "frame.protocols": "eth:ethertype:arp",
  });
});

test("arp: other address sizes get no typed address fields", () => {
  const f = fieldsOf(hex(`${ETH} 0001 0800 08 04 0002 66778899aabbccdd c0a80001 0000000000000000 c0a80002`),
    ["arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"]);
  assert.deepEqual(f, { "arp.opcode": "2", "arp.src.hw_mac": "", "arp.src.proto_ipv4": "192.168.0.1", "arp.dst.proto_ipv4": "192.168.0.2" });
});

test("arp: a cut address block shows no address (as tshark); a cut fixed header the fields captured whole", () => {
  const c = decodeFrames([hex(`${ETH} 0001 0800 06 04 0001 66778899aabb c0a80001 0000`), hex(`${ETH} 0001 08`)]);
  assert.equal(c.column("arp.opcode").text(0), "1");
  assert.equal(c.column("arp.src.proto_ipv4").get(0), undefined);
  assert.equal(c.column("arp.hw.type").text(1), "1");
  assert.equal(c.column("arp.proto.type").get(1), undefined);
  assert.equal(c.column("arp.opcode").get(1), undefined);
  assert.equal(c.malformed, 2);
});
