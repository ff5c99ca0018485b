import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const IP_UDP = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";
const V6 = "60000000 0000 3b40 00000000000000000000000000000001 00000000000000000000000000000001";

test("null: family in host (little-endian) order: 2 is IPv4, 30 IPv6", () => {
  const a = fieldsOf(hex(`02000000 ${IP_UDP}`), ["null.family", "ip.src", "frame.protocols"], 0);
  assert.deepEqual(a, { "null.family": "2", "ip.src": "10.0.0.1", "frame.protocols": "null:ip:udp:data" });
  const b = fieldsOf(hex(`1e000000 ${V6}`), ["null.family", "ipv6.src", "frame.protocols"], 0);
  assert.deepEqual(b, { "null.family": "30", "ipv6.src": "::1", "frame.protocols": "null:ipv6" });
});

test("null: a big-endian family is recognised; LINKTYPE_LOOP is always big-endian", () => {
  assert.equal(fieldsOf(hex(`00000018 ${V6}`), ["null.family"], 0)["null.family"], "24");
  assert.equal(fieldsOf(hex(`00000002 ${IP_UDP}`), ["null.family", "ip.dst"], 108)["ip.dst"], "10.0.0.2");
});

test("null: fewer than 4 bytes is malformed", () => {
  const c = decodeFrames([hex("0200")], 0);
  assert.equal(c.column("null.family").get(0), undefined);
  assert.equal(c.malformed, 1);
});
