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

test("nbss: session message carrying SMB, SMB2 or an SMB2 transform header; keep-alive", () => {
  const msg = (magic: string) => Buffer.concat([Buffer.from("00000040", "hex"), Buffer.from(magic + "534d42", "hex"), Buffer.alloc(60)]);
  const c = decodeFrames([tcpFrame(msg("ff"), 1025, 139), tcpFrame(msg("fe"), 445, 50000), tcpFrame(msg("fd"), 445, 50000),
    tcpFrame(Buffer.from("85000000", "hex"), 50000, 139)]);
  const P = c.column("frame.protocols");
  assert.equal(P.text(0), "eth:ethertype:ip:tcp:nbss:smb");
  assert.equal(P.text(1), "eth:ethertype:ip:tcp:nbss:smb2");
  assert.equal(P.text(2), "eth:ethertype:ip:tcp:nbss:smb2");
  assert.equal(P.text(3), "eth:ethertype:ip:tcp:nbss");
  assert.equal(c.column("nbss.type").text(3), "0x85");
  assert.equal(c.column("nbss.length").text(0), "64");
});
