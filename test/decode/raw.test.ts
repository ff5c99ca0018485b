import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const IP_UDP = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";
const V6 = "60000000 0000 3b40 00000000000000000000000000000001 00000000000000000000000000000002";

test("raw: IPv4 or IPv6 by the version nibble", () => {
  assert.deepEqual(fieldsOf(hex(IP_UDP), ["ip.src", "frame.protocols"], 101), { "ip.src": "10.0.0.1", "frame.protocols": "raw:ip:udp:data" });
  assert.deepEqual(fieldsOf(hex(V6), ["ipv6.dst", "frame.protocols"], 101), { "ipv6.dst": "::2", "frame.protocols": "raw:ipv6" });
});

test("raw: LINKTYPE_IPV4 and LINKTYPE_IPV6 start at the IP layer", () => {
  assert.equal(fieldsOf(hex(IP_UDP), ["frame.protocols"], 228)["frame.protocols"], "ip:udp:data");
  assert.equal(fieldsOf(hex(V6), ["frame.protocols"], 229)["frame.protocols"], "ipv6");
});

test("raw: an empty or cut IP header does not throw", () => {
  const c = decodeFrames([hex(""), hex("4500")], 101);
  assert.equal(c.column("ip.src").get(1), undefined);
  assert.equal(c.malformed, 2);
});
