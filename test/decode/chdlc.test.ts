/** Cisco HDLC (104) and PPP (9, 50) as capture link types; expectations as tshark 4 shows the same bytes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";
import { hasTool } from "../helpers/paths";
import { pcap, tmpFile } from "../helpers/bytes";

const IP_TCP = "45000028 0001 0000 4006 0000 0a000001 0a000002 04d2 0050 00000001 00000000 5002 ffff 0000 0000";
const IP6_UDP = "60000000 000c 1140 20010db8000000000000000000000001 20010db8000000000000000000000002 04d2 162e 000c 0000 deadbeef";

test("chdlc: address, control, protocol, then the payload straight after (no ethertype layer)", () => {
  const f = fieldsOf(hex(`0f00 0800 ${IP_TCP}`), ["chdlc.address", "chdlc.control", "chdlc.protocol", "ip.src", "tcp.dstport", "frame.protocols"], 104);
  assert.deepEqual(f, { "chdlc.address": "0x0f", "chdlc.control": "0x00", "chdlc.protocol": "0x0800", "ip.src": "10.0.0.1",
    "tcp.dstport": "80", "frame.protocols": "chdlc:ip:tcp" });
  const c = decodeFrames([hex("0f00 08")], 104);
  assert.equal(c.malformed, 1);
});

test("ppp as a link type: with and without address/control", () => {
  assert.deepEqual(fieldsOf(hex(`ff03 0057 ${IP6_UDP}`), ["ppp.address", "ppp.protocol", "ipv6.dst", "frame.protocols"], 9),
    { "ppp.address": "0xff", "ppp.protocol": "0x0057", "ipv6.dst": "2001:db8::2", "frame.protocols": "ppp:ipv6:udp:data" });
  assert.deepEqual(fieldsOf(hex(`0021 ${IP_TCP}`), ["ppp.protocol", "ip.dst", "frame.protocols"], 50),
    { "ppp.protocol": "0x0021", "ip.dst": "10.0.0.2", "frame.protocols": "ppp:ip:tcp" });
});

test("chdlc and ppp link types: the same fields as tshark", { skip: hasTool("tshark") ? false : "tshark is not installed" }, () => {
  const fields = ["frame.protocols", "chdlc.protocol", "ppp.protocol", "ip.src", "ipv6.dst", "tcp.dstport", "udp.dstport"];
  for (const [lt, frame] of [[104, `0f00 0800 ${IP_TCP}`], [9, `ff03 0057 ${IP6_UDP}`], [50, `0021 ${IP_TCP}`]] as const) {
    const file = tmpFile(`lt${lt}.pcap`, pcap([{ sec: 1, frac: 0, data: hex(frame) }], { linkType: lt }));
    const out = spawnSync("tshark", ["-r", file, "-n", "-T", "fields", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8" });
    const want = out.stdout.replace(/\r?\n$/, "").split("\t");
    const got = fieldsOf(hex(frame), fields, lt);
    assert.deepEqual(fields.map((f) => got[f]), want, `link type ${lt}`);
  }
});
