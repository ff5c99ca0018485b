import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, udpFrame } from "../helpers/decode";


test("ssdp: a payload on udp port 1900 is ssdp; other ports are data", () => {
  const c = decodeFrames([udpFrame(Buffer.from("abcdef"), 50000, 1900), udpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:udp:ssdp");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:udp:data");
});
