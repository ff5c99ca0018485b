/**
 * Linux cooked capture version 2 (LINKTYPE_LINUX_SLL2, 276): a 20-byte header with the protocol
 * first and an interface index. tshark shows it as the same "sll" layer with the same fields.
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";
import { address, ARPHRD_NETLINK, LINKTYPE_LINUX_SLL2, NETLINK, payload, protocolField, SLL } from "./sll";

export function decodeSll2(p: Packet, b: Buffer, off: number, end: number): void {
  if (end - off >= 10 && ((b[off + 8] << 8) | b[off + 9]) === ARPHRD_NETLINK) { p.enter(NETLINK); return; }
  if (!p.enter("sll")) return;
  if (end - off < 20) {
    // Wireshark reads the packet type (as 16 bits at offset 10) and address type first: below 12
    // bytes it shows nothing
    if (end - off >= 12) {
      const hatype = (b[off + 8] << 8) | b[off + 9];
      protocolField(p, (b[off] << 8) | b[off + 1], hatype);
      p.u(SLL.ifindex, b.readUInt32BE(off + 4));
      p.u(SLL.hatype, hatype);
      p.u(SLL.pkttype, b[off + 10]);
      const halen = b[off + 11];
      p.u(SLL.halen, halen);
      if ((halen === 6 || halen === 4) && end - off >= 12 + halen) address(p, b, halen, off + 12);
    }
    p.bad();
    return;
  }
  const protocol = (b[off] << 8) | b[off + 1];
  const hatype = (b[off + 8] << 8) | b[off + 9];
  protocolField(p, protocol, hatype);
  p.u(SLL.ifindex, b.readUInt32BE(off + 4));
  p.u(SLL.hatype, hatype);
  p.u(SLL.pkttype, b[off + 10]);
  address(p, b, b[off + 11], off + 12);
  payload(p, protocol, hatype, b, off + 20, end);
}

export const sll2: Protocol = { name: "sll", linkTypes: [LINKTYPE_LINUX_SLL2], decode: decodeSll2 };
