import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";


test("pop: a payload on tcp port 110 is pop; other ports are data", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("abcdef"), 50000, 110), tcpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:pop");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
});
