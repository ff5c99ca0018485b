import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";


test("telnet: a payload on tcp port 23 is telnet; other ports are data", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("abcdef"), 50000, 23), tcpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:telnet");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
});
