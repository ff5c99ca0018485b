import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";


test("pptp: a payload on tcp port 1723 is pptp; other ports are data", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("abcdef"), 50000, 1723), tcpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:pptp");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
});
