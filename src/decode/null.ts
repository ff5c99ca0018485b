/**
 * BSD loopback: LINKTYPE_NULL (0), a 4-byte address family in the capturing host's byte order,
 * and LINKTYPE_LOOP (108), the same in network byte order. As Wireshark does, a value whose upper
 * 16 bits are set is taken as the other byte order, and a value above 1500 as an EtherType.
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEthertype } from "./ethernet";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import type { Protocol } from "./protocol";

export const NULL = {
  family: defineField("null.family", { storage: "u32", description: "Address family (BSD AF_*)" }),
  type: defineField("null.type", { display: "hex", storage: "u16", description: "EtherType (when the header holds one)" }),
};

export const LINKTYPE_NULL = 0, LINKTYPE_LOOP = 108;
const AF_INET = 2, AF_INET6_BSD = 24, AF_INET6_FREEBSD = 28, AF_INET6_DARWIN = 30;

function body(p: Packet, family: number, b: Buffer, off: number, end: number): void {
  if (family > 1500) {
    p.u(NULL.type, family & 0xffff);
    decodeEthertype(p, family & 0xffff, b, off, end);
    return;
  }
  p.u(NULL.family, family);
  if (family === AF_INET) decodeIPv4(p, b, off, end);
  else if (family === AF_INET6_BSD || family === AF_INET6_FREEBSD || family === AF_INET6_DARWIN) decodeIPv6(p, b, off, end);
  else if (off < end) p.enter("data");
}

export function decodeNull(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("null")) return;
  if (end - off < 4) { p.bad(); return; }
  let v = b.readUInt32LE(off);
  if ((v & 0xffff0000) !== 0) v = b.readUInt32BE(off);
  body(p, v, b, off + 4, end);
}

export function decodeLoop(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("null")) return;
  if (end - off < 4) { p.bad(); return; }
  body(p, b.readUInt32BE(off), b, off + 4, end);
}

export const nullLoopback: Protocol = { name: "null", linkTypes: [LINKTYPE_NULL], decode: decodeNull };
export const loop: Protocol = { name: "null", linkTypes: [LINKTYPE_LOOP], decode: decodeLoop };
