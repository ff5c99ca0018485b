/** Ethernet II (and the IEEE 802.3 length form, whose LLC payload is not decoded further). */
import { defineField } from "../fields/registry";
import type { Packet } from "../table/builder";
import { decodeEther } from "./dispatch";
import type { Protocol } from "./protocol";

export const ETH = {
  dst: defineField("eth.dst", { display: "mac", description: "Destination MAC address" }),
  src: defineField("eth.src", { display: "mac", description: "Source MAC address" }),
  type: defineField("eth.type", { display: "hex", storage: "u16", description: "EtherType" }),
  len: defineField("eth.len", { storage: "u16", description: "IEEE 802.3 length" }),
};

export const LINKTYPE_ETHERNET = 1;

export function decodeEthernet(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("eth")) return;
  if (end - off < 14) { p.bad(); return; }
  p.mac(ETH.dst, b, off);
  p.mac(ETH.src, b, off + 6);
  const type = (b[off + 12] << 8) | b[off + 13];
  if (type >= 0x600) {
    p.u(ETH.type, type);
    if (p.enter("ethertype")) decodeEther(p, type, b, off + 14, end);
  } else {
    p.u(ETH.len, type);
    p.enter("llc");
  }
}

export const ethernet: Protocol = { name: "eth", linkTypes: [LINKTYPE_ETHERNET], decode: decodeEthernet };
