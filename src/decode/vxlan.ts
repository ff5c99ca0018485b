/** VXLAN (UDP port 4789, RFC 7348): flags and VNI, then the inner Ethernet frame. */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEthernet } from "./ethernet";
import type { Protocol } from "./protocol";

export const VXLAN = {
  flags: defineField("vxlan.flags", { display: "hex", storage: "u16", description: "Flags" }),
  vni: defineField("vxlan.vni", { storage: "u32", description: "VXLAN network identifier" }),
};

export function decodeVxlan(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("vxlan")) return true;
  if (end - off < 8) {
    if (end - off >= 2) p.u(VXLAN.flags, (b[off] << 8) | b[off + 1]);
    p.bad();
    return true;
  }
  p.u(VXLAN.flags, (b[off] << 8) | b[off + 1]);
  p.u(VXLAN.vni, (b[off + 4] << 16) | (b[off + 5] << 8) | b[off + 6]);
  if (off + 8 < end) {
    p.tunnel++;
    decodeEthernet(p, b, off + 8, end);
  }
  return true;
}

export const vxlan: Protocol = { name: "vxlan", udpPorts: [4789], decodePayload: decodeVxlan };
