/**
 * ARP and RARP (EtherTypes 0x0806, 0x8035). Sender and target addresses get the typed fields
 * (arp.*.hw_mac, arp.*.proto_ipv4) only for Ethernet-sized hardware and IPv4 protocol addresses,
 * as Wireshark does; other sizes are skipped over. A cut fixed header shows the fields captured
 * whole; a cut address block shows no address (Wireshark reads all four before showing any).
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export const ARP = {
  hw_type: defineField("arp.hw.type", { storage: "u16", description: "Hardware type" }),
  proto_type: defineField("arp.proto.type", { display: "hex", storage: "u16", description: "Protocol type" }),
  hw_size: defineField("arp.hw.size", { storage: "u8", description: "Hardware address size" }),
  proto_size: defineField("arp.proto.size", { storage: "u8", description: "Protocol address size" }),
  opcode: defineField("arp.opcode", { storage: "u16", description: "Opcode (1 request, 2 reply, …)" }),
  src_hw_mac: defineField("arp.src.hw_mac", { display: "mac", description: "Sender MAC address" }),
  src_proto_ipv4: defineField("arp.src.proto_ipv4", { display: "ipv4", description: "Sender IP address" }),
  dst_hw_mac: defineField("arp.dst.hw_mac", { display: "mac", description: "Target MAC address" }),
  dst_proto_ipv4: defineField("arp.dst.proto_ipv4", { display: "ipv4", description: "Target IP address" }),
};

const ARPHRD_ETHER = 1, ARPHRD_IEEE802 = 6, ETHERTYPE_IP = 0x0800, AX25_P_IP = 0xcc;

/** A fixed header cut short: the fields captured whole (tshark shows them one by one). */
function partialHeader(p: Packet, b: Buffer, off: number, n: number): void {
  if (n >= 2) p.u(ARP.hw_type, (b[off] << 8) | b[off + 1]);
  if (n >= 4) p.u(ARP.proto_type, (b[off + 2] << 8) | b[off + 3]);
  if (n >= 5) p.u(ARP.hw_size, b[off + 4]);
  if (n >= 6) p.u(ARP.proto_size, b[off + 5]);
  p.bad();
}

export function decodeArp(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("arp")) return;
  if (end - off < 8) { partialHeader(p, b, off, end - off); return; }
  const hrd = (b[off] << 8) | b[off + 1], pro = (b[off + 2] << 8) | b[off + 3];
  const hln = b[off + 4], pln = b[off + 5];
  p.u(ARP.hw_type, hrd);
  p.u(ARP.proto_type, pro);
  p.u(ARP.hw_size, hln);
  p.u(ARP.proto_size, pln);
  p.u(ARP.opcode, (b[off + 6] << 8) | b[off + 7]);
  const mac = (hrd === ARPHRD_ETHER || hrd === ARPHRD_IEEE802) && hln === 6;
  const v4 = (pro === ETHERTYPE_IP || pro === AX25_P_IP) && pln === 4;
  let o = off + 8;
  // Wireshark reads all four addresses before it shows any: a cut address block shows none
  if (end - o < 2 * (hln + pln)) { p.bad(); return; }
  if (mac) p.mac(ARP.src_hw_mac, b, o);
  o += hln;
  if (v4) p.ipv4(ARP.src_proto_ipv4, b, o);
  o += pln;
  if (mac) p.mac(ARP.dst_hw_mac, b, o);
  o += hln;
  if (v4) p.ipv4(ARP.dst_proto_ipv4, b, o);
}

export const arp: Protocol = { name: "arp", etherTypes: [0x0806, 0x8035], decode: decodeArp };
