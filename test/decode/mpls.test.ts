import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const IP_UDP = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";

test("mpls: two labels, the top one wins; IPv4 after the bottom of stack", () => {
  // label 29, exp 3, not bottom, ttl 255 | label 16, exp 0, bottom, ttl 64
  const f = fieldsOf(hex(`001122334455 66778899aabb 8847 | 0001d6ff | 00010140 | ${IP_UDP}`),
    ["mpls.label", "mpls.exp", "mpls.bottom", "mpls.ttl", "ip.src", "udp.srcport", "frame.protocols"]);
  assert.deepEqual(f, {
    "mpls.label": "29", "mpls.exp": "3", "mpls.bottom": "0", "mpls.ttl": "255", "ip.src": "10.0.0.1",
    "udp.srcport": "1234", "frame.protocols": "eth:ethertype:mpls:ip:udp:data",
  });
});

test("mpls: IPv6 payload by its version nibble", () => {
  const v6 = "60000000 0000 3b40 " + "20010db8000000000000000000000001" + "20010db8000000000000000000000002";
  const f = fieldsOf(hex(`001122334455 66778899aabb 8847 | 00010140 | ${v6}`), ["ipv6.src", "frame.protocols"]);
  assert.deepEqual(f, { "ipv6.src": "2001:db8::1", "frame.protocols": "eth:ethertype:mpls:ipv6" });
});

test("mpls: a stack that never reaches the bottom is malformed, not a crash", () => {
  const c = decodeFrames([hex("001122334455 66778899aabb 8847 0001d6ff 0002d6ff 00"), hex("001122334455 66778899aabb 8847 0001")]);
  assert.equal(c.column("mpls.label").text(0), "29");
  assert.equal(c.column("mpls.label").get(1), undefined);
  assert.equal(c.malformed, 2);
});
