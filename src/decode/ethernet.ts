/** Ethernet II, and the IEEE 802.3 length form whose payload is LLC. */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEther } from "./dispatch";
import { decodeLlc } from "./llc";
import type { Protocol } from "./protocol";

export const ETH = {
  dst: defineField("eth.dst", { display: "mac", description: "Destination MAC address" }),
  src: defineField("eth.src", { display: "mac", description: "Source MAC address" }),
  type: defineField("eth.type", { display: "hex", storage: "u16", description: "EtherType" }),
  len: defineField("eth.len", { storage: "u16", description: "IEEE 802.3 length" }),
};

export const LINKTYPE_ETHERNET = 1;
const ETHERTYPE = defineProtocol("ethertype", { matches: false });

/**
 * Hands a payload to the EtherType table as Wireshark's "ethertype" dissector does (it shows in
 * frame.protocols: "eth:ethertype:ip"). Used by Ethernet, VLAN tags and Linux SLL.
 */
export function decodeEthertype(p: Packet, type: number, b: Buffer, off: number, end: number): void {
  if (p.enter(ETHERTYPE)) decodeEther(p, type, b, off, end);
}

export function decodeEthernet(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("eth")) return;
  if (end - off < 14) { p.bad(); return; }
  p.mac(ETH.dst, b, off);
  p.mac(ETH.src, b, off + 6);
  const type = (b[off + 12] << 8) | b[off + 13];
  if (type >= 0x600) {
    p.u(ETH.type, type);
    decodeEthertype(p, type, b, off + 14, end);
  } else {
    p.u(ETH.len, type);
    // 802.3: the length covers the LLC payload; what follows is padding
    if (off + 14 + type < end) end = off + 14 + type;
    decodeLlc(p, b, off + 14, end);
  }
}

export const ethernet: Protocol = { name: "eth", linkTypes: [LINKTYPE_ETHERNET], decode: decodeEthernet };
