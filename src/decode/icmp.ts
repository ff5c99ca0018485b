/**
 * ICMP (IP protocol 1): type, code, checksum; identifier and sequence number of echo, timestamp,
 * information and address-mask messages (tshark shows both byte orders: icmp.ident is big-endian,
 * icmp.ident_le little-endian); and for error messages (unreachable, source quench, redirect, time
 * exceeded, parameter problem) the quoted IP header and the start of its payload, decoded by the
 * ordinary decoders. Being later in the packet, the quoted headers never override the outer ones
 * (first occurrence wins), but a quoted UDP/TCP header is the packet's first, so its ports show.
 */
import { defineField } from "../fields/registry";
import { PAYLOAD_ICMP, type Packet } from "./packet";
import { decodeIPv4 } from "./ipv4";
import type { Protocol } from "./protocol";

export const ICMP = {
  type: defineField("icmp.type", { storage: "u8", description: "Type" }),
  code: defineField("icmp.code", { storage: "u8", description: "Code" }),
  checksum: defineField("icmp.checksum", { display: "hex", storage: "u16", description: "Checksum" }),
  ident: defineField("icmp.ident", { storage: "u16", description: "Identifier (big-endian)" }),
  ident_le: defineField("icmp.ident_le", { storage: "u16", description: "Identifier (little-endian)" }),
  seq: defineField("icmp.seq", { storage: "u16", description: "Sequence number (big-endian)" }),
  seq_le: defineField("icmp.seq_le", { storage: "u16", description: "Sequence number (little-endian)" }),
  mtu: defineField("icmp.mtu", { storage: "u16", description: "MTU of next hop (fragmentation needed)" }),
  redir_gw: defineField("icmp.redir_gw", { display: "ipv4", description: "Gateway address (redirect)" }),
  pointer: defineField("icmp.pointer", { storage: "u8", description: "Pointer (parameter problem)" }),
};

const ECHO_REPLY = 0, UNREACH = 3, SOURCE_QUENCH = 4, REDIRECT = 5, ECHO = 8, TIME_EXCEEDED = 11, PARAM_PROBLEM = 12,
  TSTAMP = 13, TSTAMP_REPLY = 14, INFO = 15, INFO_REPLY = 16, MASK = 17, MASK_REPLY = 18;

/** Wirebook's: the type and code of an ICMP message quoted in an ICMP error (tshark's Community ID hashes these). */
export const QUOTED_ICMP = {
  type: defineField("inner.icmp.type", { storage: "u8", description: "Type of the ICMP message quoted in an ICMP error" }),
  code: defineField("inner.icmp.code", { storage: "u8", description: "Code of the ICMP message quoted in an ICMP error" }),
};

export function decodeIcmp(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("icmp")) return;
  // Wireshark reads the first 8 bytes (identifier and sequence number for request/response
  // matching) before it shows any field: a shorter header shows nothing
  if (end - off < 8) { p.bad(); return; }
  const type = b[off];
  if (p.has(ICMP.type)) { p.uLast(QUOTED_ICMP.type, type); p.uLast(QUOTED_ICMP.code, b[off + 1]); } // an ICMP quoted in an ICMP error
  p.u(ICMP.type, type);
  p.u(ICMP.code, b[off + 1]);
  p.u(ICMP.checksum, (b[off + 2] << 8) | b[off + 3]);
  p.payload(PAYLOAD_ICMP, off + 8, end);
  switch (type) {
    case ECHO_REPLY: case ECHO: case TSTAMP: case TSTAMP_REPLY: case INFO: case INFO_REPLY: case MASK: case MASK_REPLY:
      if (end - off < 8) { p.bad(); return; }
      p.u(ICMP.ident, (b[off + 4] << 8) | b[off + 5]);
      p.u(ICMP.ident_le, b[off + 4] | (b[off + 5] << 8));
      p.u(ICMP.seq, (b[off + 6] << 8) | b[off + 7]);
      p.u(ICMP.seq_le, b[off + 6] | (b[off + 7] << 8));
      if ((type === ECHO || type === ECHO_REPLY) && end - off > 8) p.enter("data");
      return;
    case UNREACH: case SOURCE_QUENCH: case REDIRECT: case TIME_EXCEEDED: case PARAM_PROBLEM:
      if (end - off < 8) { p.bad(); return; }
      if (type === UNREACH && b[off + 1] === 4) p.u(ICMP.mtu, (b[off + 6] << 8) | b[off + 7]);
      else if (type === REDIRECT) p.ipv4(ICMP.redir_gw, b, off + 4);
      else if (type === PARAM_PROBLEM) p.u(ICMP.pointer, b[off + 4]);
      if (end - off > 8) p.quoted(decodeIPv4, b, off + 8, end);
      return;
  }
}

export const icmp: Protocol = { name: "icmp", ipProtos: [1], decode: decodeIcmp };
