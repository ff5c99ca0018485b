import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "001122334455 66778899aabb 0800";
const INNER_ETH = "aabbccddeeff 112233445566 0800 45000020 0007 0000 4006 0000 ac100001 ac100002";

test("vxlan: flags and VNI, then the inner Ethernet frame; outer fields win, inner TCP shows", () => {
  const tcp = "c350 0050 00000001 00000000 5002 ffff 0000 0000";
  const inner = `${INNER_ETH.replace("45000020", "45000028")} ${tcp}`;
  const udpLen = 8 + 8 + 14 + 40;
  const f = fieldsOf(hex(`${ETH} 45000000`.slice(0, -4) + (20 + udpLen).toString(16).padStart(4, "0") +
    ` 0001 0000 4011 0000 c0a80001 c0a80002 | d431 12b5 ${udpLen.toString(16).padStart(4, "0")} 0000 | 08000000 00000100 | ${inner}`),
  ["eth.src", "ip.src", "udp.dstport", "vxlan.flags", "vxlan.vni", "tcp.dstport", "frame.protocols"]);
  assert.deepEqual(f, {
    "eth.src": "66:77:88:99:aa:bb", "ip.src": "192.168.0.1", "udp.dstport": "4789", "vxlan.flags": "0x0800", "vxlan.vni": "1",
    "tcp.dstport": "80", "frame.protocols": "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:tcp",
  });
});

test("vxlan: a header cut short is malformed", () => {
  const c = decodeFrames([hex(`${ETH} 45000022 0001 0000 4011 0000 c0a80001 c0a80002 d431 12b5 000e 0000 0800 0000 0000`)]);
  assert.equal(c.column("vxlan.flags").text(0), "0x0800");
  assert.equal(c.column("vxlan.vni").get(0), undefined);
  assert.equal(c.malformed, 1);
});
