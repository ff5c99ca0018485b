import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, udpFrame } from "../helpers/decode";


test("dblsp: a payload on udp port 17500 is db-lsp-disc:json; other ports are data", () => {
  const c = decodeFrames([udpFrame(Buffer.from("abcdef"), 50000, 17500), udpFrame(Buffer.from("abcdef"), 50000, 50001)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:udp:db-lsp-disc:json");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:udp:data");
});
