/**
 * ICMPv6 (IPv6 next header 58): type, code, checksum; echo identifier and sequence number;
 * neighbor solicitation/advertisement targets and flags; packet-too-big MTU; and for error
 * messages (1-4) the quoted IPv6 packet, decoded by the ordinary decoders (first occurrence keeps
 * the outer addresses; a quoted UDP/TCP header is the packet's first, so its ports show).
 */
import { defineField } from "../fields/registry";
import { PAYLOAD_ICMP, type Packet } from "./packet";
import { decodeIPv6 } from "./ipv6";
import type { Protocol } from "./protocol";

export const ICMPV6 = {
  type: defineField("icmpv6.type", { storage: "u8", description: "Type" }),
  code: defineField("icmpv6.code", { storage: "u8", description: "Code" }),
  checksum: defineField("icmpv6.checksum", { display: "hex", storage: "u16", description: "Checksum" }),
  mtu: defineField("icmpv6.mtu", { storage: "u32", description: "MTU (packet too big)" }),
  pointer: defineField("icmpv6.pointer", { storage: "u32", description: "Pointer (parameter problem)" }),
  echo_id: defineField("icmpv6.echo.identifier", { display: "hex", storage: "u16", description: "Echo identifier" }),
  echo_seq: defineField("icmpv6.echo.sequence_number", { storage: "u16", description: "Echo sequence number" }),
  ns_target: defineField("icmpv6.nd.ns.target_address", { display: "ipv6", description: "Neighbor solicitation target" }),
  na_flag: defineField("icmpv6.nd.na.flag", { display: "hex", storage: "u32", hexDigits: 8, description: "Neighbor advertisement flags" }),
  na_target: defineField("icmpv6.nd.na.target_address", { display: "ipv6", description: "Neighbor advertisement target" }),
};

const UNREACH = 1, TOO_BIG = 2, TIME_EXCEEDED = 3, PARAM_PROBLEM = 4, ECHO_REQUEST = 128, ECHO_REPLY = 129,
  NS = 135, NA = 136;

export function decodeIcmpv6(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("icmpv6")) return;
  if (end - off < 4) {
    if (end - off >= 1) p.u(ICMPV6.type, b[off]);
    if (end - off >= 2) p.u(ICMPV6.code, b[off + 1]);
    p.bad();
    return;
  }
  const type = b[off];
  p.u(ICMPV6.type, type);
  p.u(ICMPV6.code, b[off + 1]);
  p.u(ICMPV6.checksum, (b[off + 2] << 8) | b[off + 3]);
  p.payload(PAYLOAD_ICMP, Math.min(off + 8, end), end);
  switch (type) {
    case UNREACH: case TOO_BIG: case TIME_EXCEEDED: case PARAM_PROBLEM:
      if (end - off < 8) { p.bad(); return; }
      if (type === TOO_BIG) p.u(ICMPV6.mtu, b.readUInt32BE(off + 4));
      else if (type === PARAM_PROBLEM) p.u(ICMPV6.pointer, b.readUInt32BE(off + 4));
      if (end - off > 8) p.quoted(decodeIPv6, b, off + 8, end);
      return;
    case ECHO_REQUEST: case ECHO_REPLY:
      if (end - off < 8) { p.bad(); return; }
      p.u(ICMPV6.echo_id, (b[off + 4] << 8) | b[off + 5]);
      p.u(ICMPV6.echo_seq, (b[off + 6] << 8) | b[off + 7]);
      if (end - off > 8) p.enter("data");
      return;
    case NS: case NA:
      if (end - off < 24) { p.bad(); return; }
      if (type === NA) p.u(ICMPV6.na_flag, b.readUInt32BE(off + 4));
      p.ipv6(type === NS ? ICMPV6.ns_target : ICMPV6.na_target, b, off + 8);
      return;
  }
}

export const icmpv6: Protocol = { name: "icmpv6", ipProtos: [58], decode: decodeIcmpv6 };
