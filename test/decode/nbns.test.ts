import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, udpFrame } from "../helpers/decode";


test("nbns: id and flags on UDP 137", () => {
  const q = Buffer.from("8a2b0110000100000000000020", "hex");
  assert.deepEqual(fieldsOf(udpFrame(q, 137, 137), ["nbns.id", "nbns.flags.response", "nbns.flags.opcode", "frame.protocols"]),
    { "nbns.id": "0x8a2b", "nbns.flags.response": "0", "nbns.flags.opcode": "0", "frame.protocols": "eth:ethertype:ip:udp:nbns" });
});
