/** UDP: ports, length, checksum; the payload goes by port. */
import { defineField } from "../fields/registry";
import { PAYLOAD_UDP, type Packet } from "./packet";
import { decodeUdpPayload } from "./dispatch";
import type { Protocol } from "./protocol";

export const UDP = {
  srcport: defineField("udp.srcport", { storage: "u16", description: "Source port" }),
  dstport: defineField("udp.dstport", { storage: "u16", description: "Destination port" }),
  length: defineField("udp.length", { storage: "u16", description: "Length (header and payload)" }),
  checksum: defineField("udp.checksum", { display: "hex", storage: "u16", description: "Checksum" }),
};

export function decodeUdp(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("udp")) return;
  if (end - off < 8) {
    if (end - off >= 4) {
      p.u(UDP.srcport, (b[off] << 8) | b[off + 1]);
      p.u(UDP.dstport, (b[off + 2] << 8) | b[off + 3]);
    }
    p.bad();
    return;
  }
  const sport = (b[off] << 8) | b[off + 1], dport = (b[off + 2] << 8) | b[off + 3];
  const len = (b[off + 4] << 8) | b[off + 5];
  p.u(UDP.srcport, sport);
  p.u(UDP.dstport, dport);
  p.u(UDP.length, len);
  p.u(UDP.checksum, (b[off + 6] << 8) | b[off + 7]);
  if (len < 8) { p.bad(); return; }
  if (off + len < end) end = off + len;
  p.payload(PAYLOAD_UDP, off + 8, end);
  if (end > off + 8 && !decodeUdpPayload(p, sport, dport, b, off + 8, end)) p.enter("data");
}

export const udp: Protocol = { name: "udp", ipProtos: [17], decode: decodeUdp };
