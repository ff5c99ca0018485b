import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";


test("ssh: banner as ssh.protocol; every segment on port 22 is ssh", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("SSH-2.0-OpenSSH_3.6.1p1\r\n"), 22, 40264), tcpFrame(Buffer.from("000001e40914", "hex"), 40264, 22)]);
  assert.equal(c.column("ssh.protocol").text(0), "SSH-2.0-OpenSSH_3.6.1p1");
  assert.equal(c.column("ssh.protocol").text(1), "");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:ssh");
});
