import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex } from "../helpers/decode";

const RADIOTAP = 127;
const IP_UDP = "45000020 0001 0000 4011 0000 0a000001 0a000002 04d2 162e 000c 0000 deadbeef";
// radiotap: version 0, length 20, present = TSFT | Flags; TSFT (8 bytes, 8-aligned), flags, 3 bytes of padding
const rt = (flags: string) => `00 00 1400 03000000 0102030405060708 ${flags} 000000`;

test("radiotap: 802.11 QoS data to the AP, LLC/SNAP, IPv4; the FCS is not payload", () => {
  // FC 0x88 (QoS data) flags 0x01 (to DS); addr1 = BSSID, addr2 = SA, addr3 = DA
  const wlan = "8801 0000 8a15149b5ae0 907240 97b6f5 442b03aaab8d 0000 0000";
  const f = fieldsOf(hex(`${rt("10")} ${wlan} aaaa03 000000 0800 ${IP_UDP} 11223344`),
    ["radiotap.length", "radiotap.flags", "wlan.fc.type_subtype", "wlan.ra", "wlan.ta", "wlan.sa", "wlan.da", "wlan.bssid",
      "llc.type", "ip.src", "udp.length", "frame.protocols"], RADIOTAP);
  assert.deepEqual(f, {
    "radiotap.length": "20", "radiotap.flags": "0x10", "wlan.fc.type_subtype": "0x0028", "wlan.ra": "8a:15:14:9b:5a:e0",
    "wlan.ta": "90:72:40:97:b6:f5", "wlan.sa": "90:72:40:97:b6:f5", "wlan.da": "44:2b:03:aa:ab:8d",
    "wlan.bssid": "8a:15:14:9b:5a:e0", "llc.type": "0x0800", "ip.src": "10.0.0.1", "udp.length": "12",
    "frame.protocols": "radiotap:wlan_radio:wlan:llc:ip:udp:data",
  });
});

test("radiotap: from-DS data frame: addr2 is the BSSID, addr3 the source", () => {
  const wlan = "0802 0000 333300000001 8a15149b5ae0 a46706f7ec54 0000";
  const f = fieldsOf(hex(`${rt("00")} ${wlan} aaaa03 000000 0800 ${IP_UDP}`), ["wlan.da", "wlan.bssid", "wlan.sa", "ip.dst"], RADIOTAP);
  assert.deepEqual(f, { "wlan.da": "33:33:00:00:00:01", "wlan.bssid": "8a:15:14:9b:5a:e0", "wlan.sa": "a4:67:06:f7:ec:54", "ip.dst": "10.0.0.2" });
});

test("radiotap: a length beyond the capture, and a cut 802.11 header, are malformed", () => {
  const c = decodeFrames([hex("00 00 4000 00000000 0000"), hex(`${rt("00")} 0802 0000 3333`)], RADIOTAP);
  assert.equal(c.column("radiotap.length").text(0), "64");
  assert.equal(c.column("wlan.fc.type_subtype").get(1), undefined); // tshark shows nothing of a cut header
  assert.equal(c.column("wlan.sa").get(1), undefined);
  assert.equal(c.malformed, 2);
});
