import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf } from "../helpers/decode";

function ipFrame(proto: number, l4: Buffer): Buffer {
  const ip = Buffer.from("450000000001400040000000" + "0a000001" + "0a000002", "hex");
  ip[9] = proto;
  ip.writeUInt16BE(20 + l4.length, 2);
  return Buffer.concat([Buffer.from("00112233445566778899aabb0800", "hex"), ip, l4]);
}
function udpFrame(p: Buffer, sport: number, dport: number): Buffer {
  const l4 = Buffer.alloc(8);
  l4.writeUInt16BE(sport, 0); l4.writeUInt16BE(dport, 2); l4.writeUInt16BE(8 + p.length, 4);
  return ipFrame(17, Buffer.concat([l4, p]));
}
function tcpFrame(p: Buffer, sport: number, dport: number): Buffer {
  const l4 = Buffer.alloc(20);
  l4.writeUInt16BE(sport, 0); l4.writeUInt16BE(dport, 2); l4[12] = 0x50; l4[13] = 0x18;
  return ipFrame(6, Buffer.concat([l4, p]));
}
void udpFrame; void tcpFrame; void decodeFrames;

test("telnet: a payload on tcp port 23 is telnet; other ports are data", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("abcdef"), 50000, 23), tcpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:telnet");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
});
