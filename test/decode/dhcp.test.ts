import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, udpFrame } from "../helpers/decode";


function dhcp(op: number, opts: Buffer, yiaddr = "00000000"): Buffer {
  const h = Buffer.alloc(240);
  h[0] = op; h[1] = 1; h[2] = 6; h.writeUInt32BE(0x3d1d, 4);
  Buffer.from(yiaddr, "hex").copy(h, 16);
  Buffer.from("000b8201fc42", "hex").copy(h, 28);
  h.writeUInt32BE(0x63825363, 236);
  return Buffer.concat([h, opts, Buffer.from([255])]);
}
const F = ["dhcp.type", "dhcp.option.dhcp", "dhcp.hw.mac_addr", "dhcp.ip.your", "dhcp.option.hostname",
  "dhcp.option.requested_ip_address", "dhcp.id", "frame.protocols"];

test("dhcp: request with host name and requested address", () => {
  const opts = Buffer.from("350103" + "3204c0a80164" + "0c0468616c6f", "hex");
  assert.deepEqual(fieldsOf(udpFrame(dhcp(1, opts), 68, 67), F), {
    "dhcp.type": "1", "dhcp.option.dhcp": "3", "dhcp.hw.mac_addr": "00:0b:82:01:fc:42", "dhcp.ip.your": "0.0.0.0",
    "dhcp.option.hostname": "halo", "dhcp.option.requested_ip_address": "192.168.1.100", "dhcp.id": "0x00003d1d",
    "frame.protocols": "eth:ethertype:ip:udp:dhcp",
  });
});

test("dhcp: an offer to an Aruba AP (options 43 and 60) shows dhcp twice; cut input is malformed, not thrown", () => {
  const opts = Buffer.concat([Buffer.from("350102" + "2b040a000001", "hex"), Buffer.from([60, 7]), Buffer.from("ArubaAP")]);
  const c = decodeFrames([udpFrame(dhcp(2, opts, "c0a80102"), 67, 68), udpFrame(dhcp(2, opts).subarray(0, 100), 67, 68)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:udp:dhcp:dhcp");
  assert.equal(c.column("dhcp.ip.your").text(0), "192.168.1.2");
  assert.equal(c.column("dhcp.option.dhcp").text(1), "");
  assert.equal(c.column("dhcp.hw.mac_addr").text(1), "00:0b:82:01:fc:42");
});
