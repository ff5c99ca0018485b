import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const ETH = "001122334455 66778899aabb 86dd";
const A = "20010db8000000000000000000000001", B = "20010db8000000000000000000000002";
const hdr = (plen: number, nxt: string) => `6000abcd ${plen.toString(16).padStart(4, "0")} ${nxt}40 ${A} ${B}`;
const UDP = "04d2 162e 000c 0000 deadbeef";

test("ipv6: fixed header, hop-by-hop and fragment headers, then UDP", () => {
  const f = fieldsOf(hex(`${ETH} ${hdr(8 + 8 + 12, "00")} | 2c00 0104 00000000 | 1100 0001 12345678 | ${UDP}`),
    ["ipv6.flow", "ipv6.plen", "ipv6.nxt", "ipv6.src", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.fraghdr.ident",
      "udp.srcport", "frame.protocols"]);
  assert.deepEqual(f, {
    "ipv6.flow": "0x00abcd", "ipv6.plen": "28", "ipv6.nxt": "0", "ipv6.src": "2001:db8::1", "ipv6.fraghdr.offset": "0",
    "ipv6.fraghdr.more": "1", "ipv6.fraghdr.ident": "0x12345678", "udp.srcport": "1234",
    "frame.protocols": "eth:ethertype:ipv6:ipv6.hopopts:ipv6.fraghdr:udp:data",
  });
});

test("ipv6: a later fragment carries no transport header", () => {
  const f = fieldsOf(hex(`${ETH} ${hdr(8 + 12, "2c")} | 1100 00b8 12345678 | ${UDP}`), ["ipv6.fraghdr.offset", "udp.srcport", "frame.protocols"]);
  assert.deepEqual(f, { "ipv6.fraghdr.offset": "23", "udp.srcport": "", "frame.protocols": "eth:ethertype:ipv6:ipv6.fraghdr:data" });
});

test("ipv6: a chain of 100 extension headers is walked to the UDP header (tshark has no cap)", () => {
  let ext = "";
  for (let i = 0; i < 99; i++) ext += "3c00 0000 00000000 ";
  ext += "1100 0000 00000000 ";
  const f = fieldsOf(hex(`${ETH} ${hdr(800 + 12, "3c")} ${ext} ${UDP}`), ["udp.dstport"]);
  assert.equal(f["udp.dstport"], "5678");
});

test("ipv6: an extension header longer than the capture is malformed", () => {
  const c = decodeFrames([hex(`${ETH} ${hdr(16, "00")} 1105 00000000`)]);
  assert.equal(c.column("ipv6.src").text(0), "2001:db8::1");
  assert.equal(c.column("udp.srcport").get(0), undefined);
  assert.equal(c.malformed, 1);
});
