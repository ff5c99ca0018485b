import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

// Ethernet / IPv4 / TCP SYN with MSS, SACK-permitted, timestamps and window scale options
const SYN = hex(`
  001122334455 66778899aabb 0800
  4500003c 1c2b 4000 4006 0000 0a000001 0a000002
  c4d2 0050 00000064 00000000 a002 ffff 0000 0000
  020405b4 0402 080a 0000000a 00000000 01 030307
`);

test("tcp: ports, raw sequence numbers, flags, window, options", () => {
  const f = fieldsOf(SYN, ["tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.flags.syn",
    "tcp.flags.ack", "tcp.window_size_value", "tcp.hdr_len", "tcp.len", "tcp.options.mss_val",
    "tcp.options.wscale.shift", "tcp.options.sack_perm", "tcp.options.timestamp.tsval", "frame.protocols"]);
  assert.deepEqual(f, {
    "tcp.srcport": "50386", "tcp.dstport": "80", "tcp.seq_raw": "100", "tcp.ack_raw": "0", "tcp.flags": "0x0002",
    "tcp.flags.syn": "1", "tcp.flags.ack": "0", "tcp.window_size_value": "65535", "tcp.hdr_len": "40", "tcp.len": "0",
    "tcp.options.mss_val": "1460", "tcp.options.wscale.shift": "7", "tcp.options.sack_perm": "0402",
    "tcp.options.timestamp.tsval": "10", "frame.protocols": "eth:ethertype:ip:tcp",
  });
});

test("tcp: a header cut before the window shows only the ports (as tshark) and flags the packet", () => {
  const cut = SYN.subarray(0, 14 + 20 + 10); // ports and sequence number, cut in the acknowledgment number
  const c = decodeFrames([cut]);
  assert.equal(c.column("tcp.srcport").text(0), "50386");
  // Wireshark reads sequence, acknowledgment, flags and window before showing any of them
  assert.equal(c.column("tcp.seq_raw").get(0), undefined);
  assert.equal(c.column("tcp.flags").get(0), undefined);
  assert.equal(c.malformed, 1);
});

test("tcp: a data offset below 20 bytes is malformed, not a crash", () => {
  const bad = Buffer.from(SYN);
  bad[14 + 20 + 12] = 0x10; // 4-byte header
  const c = decodeFrames([bad]);
  assert.equal(c.column("tcp.flags").text(0), "0x0002");
  assert.equal(c.column("tcp.len").get(0), undefined);
  assert.equal(c.malformed, 1);
});
