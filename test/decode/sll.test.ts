import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const IP_UDP = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";
const SLL = 113;

test("sll: packet type, address type, 6-byte source address, EtherType, then IPv4", () => {
  const f = fieldsOf(hex(`0004 0001 0006 66778899aabb 0000 0800 | ${IP_UDP}`),
    ["sll.pkttype", "sll.hatype", "sll.halen", "sll.src.eth", "sll.etype", "ip.dst", "frame.protocols"], SLL);
  assert.deepEqual(f, {
    "sll.pkttype": "4", "sll.hatype": "1", "sll.halen": "6", "sll.src.eth": "66:77:88:99:aa:bb", "sll.etype": "0x0800",
    "ip.dst": "10.0.0.2", "frame.protocols": "sll:ethertype:ip:udp:data",
  });
});

test("sll: a protocol value of 1536 or less is a Linux protocol type (sll.ltype)", () => {
  const f = fieldsOf(hex("0000 0200 0000 0000000000000000 0004 424203 00"), ["sll.ltype", "sll.etype", "llc.dsap", "frame.protocols"], SLL);
  assert.deepEqual(f, { "sll.ltype": "0x0004", "sll.etype": "", "llc.dsap": "0x42", "frame.protocols": "sll:llc:stp" });
});

test("sll: a header cut short is malformed", () => {
  const c = decodeFrames([hex("0004 0001 0006 6677")], SLL);
  assert.equal(c.column("sll.pkttype").text(0), "4");
  assert.equal(c.column("sll.etype").get(0), undefined);
  assert.equal(c.malformed, 1);
});
