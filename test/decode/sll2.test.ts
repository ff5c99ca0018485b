import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const SLL2 = 276;
const ARP = "0001 0800 06 04 0001 66778899aabb c0a80001 000000000000 c0a80002";

test("sll2: protocol first, interface index, address type, packet type, address; shown as sll", () => {
  const f = fieldsOf(hex(`0806 0000 00000003 0001 01 06 66778899aabb 0000 | ${ARP}`),
    ["sll.etype", "sll.ifindex", "sll.hatype", "sll.pkttype", "sll.src.eth", "arp.opcode", "frame.protocols"], SLL2);
  assert.deepEqual(f, {
    "sll.etype": "0x0806", "sll.ifindex": "3", "sll.hatype": "1", "sll.pkttype": "1", "sll.src.eth": "66:77:88:99:aa:bb",
    "arp.opcode": "1", "frame.protocols": "sll:ethertype:arp",
  });
});

test("sll2: a header cut short: nothing below 12 bytes (as tshark), then field by field", () => {
  const c = decodeFrames([hex("0800 0000 0000"), hex("0800 0000 00000003 0001 01 06 6677")], SLL2);
  assert.equal(c.column("sll.etype").get(0), undefined);
  assert.equal(c.column("sll.etype").text(1), "0x0800");
  assert.equal(c.column("sll.halen").text(1), "6");
  assert.equal(c.column("sll.src.eth").get(1), undefined);
  assert.equal(c.malformed, 2);
});
