/**
 * Linux "cooked" captures, version 1 (LINKTYPE_LINUX_SLL, 113, 16-byte header); version 2 is in
 * ./sll2.ts. tshark names both layers "sll" and shares the
 * fields. The protocol field is an EtherType above 1536 (sll.etype, or sll.gretype on GRE
 * devices), a Linux protocol number otherwise (sll.ltype).
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEthertype } from "./ethernet";
import { decodeGreProto } from "./gre";
import { decodeLlc } from "./llc";
import type { Protocol } from "./protocol";
import { decodeRadiotap } from "./radiotap";

export const SLL = {
  pkttype: defineField("sll.pkttype", { storage: "u16", description: "Packet type (0 to us, 4 sent by us, …)" }),
  hatype: defineField("sll.hatype", { storage: "u16", description: "Link-layer address type (ARPHRD_*)" }),
  halen: defineField("sll.halen", { storage: "u16", description: "Link-layer address length" }),
  src_eth: defineField("sll.src.eth", { display: "mac", description: "Source link-layer address (6 bytes)" }),
  src_ipv4: defineField("sll.src.ipv4", { display: "ipv4", description: "Source link-layer address (4 bytes)" }),
  ltype: defineField("sll.ltype", { display: "hex", storage: "u16", description: "Linux protocol type" }),
  gretype: defineField("sll.gretype", { display: "hex", storage: "u16", description: "GRE protocol type" }),
  etype: defineField("sll.etype", { display: "hex", storage: "u16", description: "EtherType" }),
  ifindex: defineField("sll.ifindex", { storage: "u32", description: "Interface index (SLL2)" }),
};

export const LINKTYPE_LINUX_SLL = 113, LINKTYPE_LINUX_SLL2 = 276;
const ARPHRD_IPGRE = 778, ARPHRD_IEEE80211_RADIOTAP = 803;
export const ARPHRD_NETLINK = 824;
const LINUX_SLL_P_802_2 = 4;

export function address(p: Packet, b: Buffer, halen: number, o: number): void {
  p.u(SLL.halen, halen);
  if (halen === 6) p.mac(SLL.src_eth, b, o);
  else if (halen === 4) p.ipv4(SLL.src_ipv4, b, o);
}

export function protocolField(p: Packet, protocol: number, hatype: number): void {
  if (protocol <= 1536) p.u(SLL.ltype, protocol);
  else if (hatype === ARPHRD_IPGRE) p.u(SLL.gretype, protocol);
  else p.u(SLL.etype, protocol);
}

/** a netlink capture (ARPHRD_NETLINK): named, not decoded */
export const NETLINK = defineProtocol("netlink");

export function payload(p: Packet, protocol: number, hatype: number, b: Buffer, off: number, end: number): void {
  if (protocol <= 1536) {
    if (hatype === ARPHRD_IEEE80211_RADIOTAP) decodeRadiotap(p, b, off, end);
    else if (protocol === LINUX_SLL_P_802_2) decodeLlc(p, b, off, end);
    else if (off < end) p.enter("data");
  } else if (hatype === ARPHRD_IPGRE) {
    decodeGreProto(p, protocol, b, off, end);
  } else {
    decodeEthertype(p, protocol, b, off, end);
  }
}

export function decodeSll(p: Packet, b: Buffer, off: number, end: number): void {
  if (end - off >= 4 && ((b[off + 2] << 8) | b[off + 3]) === ARPHRD_NETLINK) { p.enter(NETLINK); return; }
  if (!p.enter("sll")) return;
  if (end - off < 16) {
    // Wireshark reads packet type and address type first: below 4 bytes it shows nothing
    if (end - off >= 4) {
      p.u(SLL.pkttype, (b[off] << 8) | b[off + 1]);
      p.u(SLL.hatype, (b[off + 2] << 8) | b[off + 3]);
      if (end - off >= 6) {
        const halen = (b[off + 4] << 8) | b[off + 5];
        p.u(SLL.halen, halen);
        if ((halen === 6 || halen === 4) && end - off >= 6 + halen) address(p, b, halen, off + 6);
      }
    }
    p.bad();
    return;
  }
  const hatype = (b[off + 2] << 8) | b[off + 3];
  const protocol = (b[off + 14] << 8) | b[off + 15];
  p.u(SLL.pkttype, (b[off] << 8) | b[off + 1]);
  p.u(SLL.hatype, hatype);
  address(p, b, (b[off + 4] << 8) | b[off + 5], off + 6);
  protocolField(p, protocol, hatype);
  payload(p, protocol, hatype, b, off + 16, end);
}

export const sll: Protocol = { name: "sll", linkTypes: [LINKTYPE_LINUX_SLL], decode: decodeSll };
