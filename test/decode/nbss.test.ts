import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";


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
