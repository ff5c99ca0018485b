/**
 * Raw IP link types: LINKTYPE_RAW (101, and the BSD DLT values 12 and 14 that some files carry),
 * where the version nibble tells IPv4 from IPv6 ("raw:ip" in frame.protocols). LINKTYPE_IPV4 (228)
 * and LINKTYPE_IPV6 (229) start at the IP layer directly (see ./ipv4.ts and ./ipv6.ts).
 */
import type { Packet } from "./packet";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import type { Protocol } from "./protocol";

export const LINKTYPE_RAW = 101;

export function decodeRaw(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("raw")) return;
  if (off >= end) { p.bad(); return; }
  const v = b[off] >> 4;
  if (v === 4) decodeIPv4(p, b, off, end);
  else if (v === 6) decodeIPv6(p, b, off, end);
  else p.enter("data");
}

export const raw: Protocol = { name: "raw", linkTypes: [LINKTYPE_RAW, 12, 14], decode: decodeRaw };
