/**
 * 802.11 with a radiotap header (LINKTYPE_IEEE802_11_RADIOTAP, 127) and plain 802.11
 * (LINKTYPE_IEEE802_11, 105). From radiotap only the length and the flags (whether an FCS ends the
 * frame) are needed; tshark then shows a "wlan_radio" pseudo-layer. Of 802.11: the frame type, the
 * addresses by their role (receiver, transmitter, source, destination, BSSID — which address is
 * which depends on the To-DS/From-DS bits) and, for unprotected data frames, the LLC/SNAP payload.
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeLlc } from "./llc";
import type { Protocol } from "./protocol";

export const RADIOTAP = {
  version: defineField("radiotap.version", { storage: "u8", description: "Header revision" }),
  length: defineField("radiotap.length", { storage: "u16", description: "Header length" }),
  flags: defineField("radiotap.flags", { display: "hex", storage: "u8", hexDigits: 2, description: "Flags" }),
};

export const WLAN = {
  type_subtype: defineField("wlan.fc.type_subtype", { display: "hex", storage: "u16", description: "Type and subtype (type << 4 | subtype)" }),
  ra: defineField("wlan.ra", { display: "mac", description: "Receiver address" }),
  ta: defineField("wlan.ta", { display: "mac", description: "Transmitter address" }),
  da: defineField("wlan.da", { display: "mac", description: "Destination address" }),
  sa: defineField("wlan.sa", { display: "mac", description: "Source address" }),
  bssid: defineField("wlan.bssid", { display: "mac", description: "BSS identifier" }),
};

export const LINKTYPE_IEEE802_11 = 105, LINKTYPE_IEEE802_11_RADIOTAP = 127;
const RT_FLAGS_FCS = 0x10;
/** the radio information layer tshark puts between radiotap and wlan */
const WLAN_RADIO = defineProtocol("wlan_radio");
/** presence words read at most */
const MAX_PRESENT = 16;

export function decodeRadiotap(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("radiotap")) return;
  if (end - off < 8) { p.bad(); return; }
  const len = b[off + 2] | (b[off + 3] << 8);
  p.u(RADIOTAP.version, b[off]);
  p.u(RADIOTAP.length, len);
  if (len < 8 || end - off < len) { p.bad(); return; }
  const present = b.readUInt32LE(off + 4);
  // the fields follow the last presence word (bit 31: another word follows)
  let o = off + 4;
  for (let i = 0; ; i++) {
    if (o + 4 > off + len || i === MAX_PRESENT) { p.bad(); return; }
    const w = b.readUInt32LE(o);
    o += 4;
    if ((w & 0x80000000) === 0) break;
  }
  if (present & 1) { // TSFT: 8 bytes, 8-aligned from the header start
    o = off + (((o - off) + 7) & ~7) + 8;
  }
  if (present & 2) {
    if (o >= off + len) { p.bad(); return; }
    const flags = b[o];
    p.u(RADIOTAP.flags, flags);
    if (flags & RT_FLAGS_FCS) {
      if (end - (off + len) < 4) { p.bad(); return; }
      end -= 4;
    }
  }
  if (!p.enter(WLAN_RADIO)) return;
  decodeWlan(p, b, off + len, end);
}

export function decodeWlan(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("wlan")) return;
  if (end - off < 2) { p.bad(); return; }
  const fc0 = b[off], fc1 = b[off + 1];
  const type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
  // Wireshark reads the addresses before it shows the frame control: a cut header shows nothing
  if (end - off < (type === 1 ? 10 : 24)) { p.bad(); return; }
  p.u(WLAN.type_subtype, (type << 4) | subtype);
  p.mac(WLAN.ra, b, off + 4);
  if (type === 1) { // control: RTS, PS-Poll, CF-End, block ack (request) carry a transmitter address
    if (end - off >= 16 && (subtype === 8 || subtype === 9 || subtype === 10 || subtype === 11 || subtype === 14 || subtype === 15)) {
      p.mac(WLAN.ta, b, off + 10);
    }
    return;
  }
  const a1 = off + 4, a2 = off + 10, a3 = off + 16;
  if (type === 0) { // management
    p.mac(WLAN.ta, b, a2);
    p.mac(WLAN.da, b, a1);
    p.mac(WLAN.sa, b, a2);
    p.mac(WLAN.bssid, b, a3);
    return;
  }
  if (type !== 2) return;
  const ds = fc1 & 3;
  let hl = 24;
  p.mac(WLAN.ta, b, a2);
  switch (ds) {
    case 0: p.mac(WLAN.da, b, a1); p.mac(WLAN.sa, b, a2); p.mac(WLAN.bssid, b, a3); break;
    case 1: p.mac(WLAN.bssid, b, a1); p.mac(WLAN.sa, b, a2); p.mac(WLAN.da, b, a3); break;
    case 2: p.mac(WLAN.da, b, a1); p.mac(WLAN.bssid, b, a2); p.mac(WLAN.sa, b, a3); break;
    case 3:
      if (end - off < 30) { p.bad(); return; }
      p.mac(WLAN.da, b, a3); p.mac(WLAN.sa, b, off + 24);
      hl = 30;
      break;
  }
  const qos = (subtype & 8) !== 0;
  let amsdu = false;
  if (qos) {
    if (end - off < hl + 2) { p.bad(); return; }
    amsdu = (b[off + hl] & 0x80) !== 0;
    hl += 2;
    if (fc1 & 0x80) hl += 4; // +HTC
  }
  if (subtype & 4) return; // null function: no body
  if (end - off < hl) { p.bad(); return; }
  const body = off + hl;
  if (body >= end) return;
  if ((fc1 & 0x40) !== 0 || amsdu) { p.enter("data"); return; } // protected (encrypted) or A-MSDU
  decodeLlc(p, b, body, end);
}

export const radiotap: Protocol = { name: "radiotap", linkTypes: [LINKTYPE_IEEE802_11_RADIOTAP], decode: decodeRadiotap };
export const wlan: Protocol = { name: "wlan", linkTypes: [LINKTYPE_IEEE802_11], decode: decodeWlan };
