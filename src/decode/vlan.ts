/**
 * 802.1Q VLAN tags (EtherType 0x8100, and 0x9100 as Wireshark's default "QinQ EtherType") and the
 * 802.1ad service tag (0x88a8, its own "ieee8021ad" layer in tshark). Each tag is one layer, so a
 * stack of tags shows as "vlan:ethertype:vlan:ethertype:…"; the first tag's values win.
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEthertype } from "./ethernet";
import { decodeLlc } from "./llc";
import type { Protocol } from "./protocol";

export const VLAN = {
  priority: defineField("vlan.priority", { storage: "u8", description: "Priority code point" }),
  dei: defineField("vlan.dei", { display: "bool", description: "Drop eligible indicator" }),
  id: defineField("vlan.id", { storage: "u16", description: "VLAN identifier" }),
  etype: defineField("vlan.etype", { display: "hex", storage: "u16", description: "EtherType of the payload" }),
  len: defineField("vlan.len", { storage: "u16", description: "802.3 length of the payload" }),
};

export const IEEE8021AD = {
  priority: defineField("ieee8021ad.priority", { storage: "u8", description: "Priority code point (S-tag)" }),
  dei: defineField("ieee8021ad.dei", { storage: "u8", description: "Drop eligible indicator (S-tag)" }),
  id: defineField("ieee8021ad.id", { storage: "u16", description: "Service VLAN identifier" }),
};

export function decodeVlan(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("vlan")) return;
  if (end - off < 4) {
    if (end - off >= 2) tci(p, b, off);
    p.bad();
    return;
  }
  tci(p, b, off);
  const type = (b[off + 2] << 8) | b[off + 3];
  if (type > 1500) {
    p.u(VLAN.etype, type);
    decodeEthertype(p, type, b, off + 4, end);
  } else {
    p.u(VLAN.len, type);
    if (off + 4 + type < end) end = off + 4 + type;
    decodeLlc(p, b, off + 4, end);
  }
}

function tci(p: Packet, b: Buffer, off: number): void {
  const t = (b[off] << 8) | b[off + 1];
  p.u(VLAN.priority, t >> 13);
  p.u(VLAN.dei, (t >> 12) & 1);
  p.u(VLAN.id, t & 0xfff);
}

export function decodeIeee8021ad(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("ieee8021ad")) return;
  if (end - off < 4) { p.bad(); return; }
  const t = (b[off] << 8) | b[off + 1];
  p.u(IEEE8021AD.priority, t >> 13);
  p.u(IEEE8021AD.dei, (t >> 12) & 1);
  p.u(IEEE8021AD.id, t & 0xfff);
  const type = (b[off + 2] << 8) | b[off + 3];
  decodeEthertype(p, type, b, off + 4, end);
}

export const vlan: Protocol = { name: "vlan", etherTypes: [0x8100, 0x9100], decode: decodeVlan };
export const ieee8021ad: Protocol = { name: "ieee8021ad", etherTypes: [0x88a8], decode: decodeIeee8021ad };
