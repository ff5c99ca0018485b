import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, udpFrame } from "../helpers/decode";


test("ntp: mode and stratum; control messages have no stratum", () => {
  const F = ["ntp.flags", "ntp.flags.mode", "ntp.stratum", "frame.protocols"];
  const c = Buffer.alloc(48); c[0] = 0x24; c[1] = 2;
  assert.deepEqual(fieldsOf(udpFrame(c, 123, 123), F), { "ntp.flags": "0x24", "ntp.flags.mode": "4", "ntp.stratum": "2", "frame.protocols": "eth:ethertype:ip:udp:ntp" });
  const ctl = Buffer.alloc(12); ctl[0] = 0x16; ctl[1] = 2;
  assert.deepEqual(fieldsOf(udpFrame(ctl, 40000, 123), F), { "ntp.flags": "0x16", "ntp.flags.mode": "6", "ntp.stratum": "", "frame.protocols": "eth:ethertype:ip:udp:ntp" });
});
