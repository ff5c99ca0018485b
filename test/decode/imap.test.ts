import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";


test("imap: a payload on tcp port 143 is imap; other ports are data", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("abcdef"), 50000, 143), tcpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:imap");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
});
