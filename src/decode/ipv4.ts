/** IPv4: header with options, fragment flags and offset; the payload goes by protocol number. */
import { bit, defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeIpProto } from "./dispatch";
import type { Protocol } from "./protocol";

const FLAGS = defineField("ip.flags", { display: "hex", storage: "u8", hexDigits: 2, description: "Flags (3 bits)" });
const HDR_LEN = defineField("ip.hdr_len", { storage: "u8", description: "Header length in bytes" });

export const IP = {
  // tshark's IPv6 dissector writes ip.version too (6), so it is stored, not computed
  version: defineField("ip.version", { storage: "u8", description: "IP version (4, or 6 for IPv6 packets, as tshark)" }),
  hdr_len: HDR_LEN,
  dsfield: defineField("ip.dsfield", { display: "hex", storage: "u8", hexDigits: 2, description: "Differentiated services field" }),
  len: defineField("ip.len", { storage: "u16", description: "Total length" }),
  id: defineField("ip.id", { display: "hex", storage: "u16", description: "Identification" }),
  flags: FLAGS,
  flags_rb: defineField("ip.flags.rb", bit(FLAGS, 2, "Reserved bit")),
  flags_df: defineField("ip.flags.df", bit(FLAGS, 1, "Don't fragment")),
  flags_mf: defineField("ip.flags.mf", bit(FLAGS, 0, "More fragments")),
  frag_offset: defineField("ip.frag_offset", { storage: "u16", description: "Fragment offset (8-byte units, as tshark prints it)" }),
  ttl: defineField("ip.ttl", { storage: "u8", description: "Time to live" }),
  proto: defineField("ip.proto", { storage: "u8", description: "Protocol" }),
  checksum: defineField("ip.checksum", { display: "hex", storage: "u16", description: "Header checksum" }),
  src: defineField("ip.src", { display: "ipv4", description: "Source address" }),
  dst: defineField("ip.dst", { display: "ipv4", description: "Destination address" }),
};

/**
 * Wirebook's own fields (not Wireshark's): the innermost IP header of a tunnelled packet (GRE,
 * VXLAN, IP in IP …), where ip.src/ip.dst keep the outer one as tshark's first occurrence does.
 * Connection tracking keys tunnelled packets by these, as Zeek does.
 */
export const INNER = {
  src: defineField("inner.ip.src", { display: "ipv4", description: "Innermost IPv4 source of a tunnelled packet" }),
  dst: defineField("inner.ip.dst", { display: "ipv4", description: "Innermost IPv4 destination of a tunnelled packet" }),
  src6: defineField("inner.ipv6.src", { display: "ipv6", description: "Innermost IPv6 source of a tunnelled packet" }),
  dst6: defineField("inner.ipv6.dst", { display: "ipv6", description: "Innermost IPv6 destination of a tunnelled packet" }),
  proto: defineField("inner.ip.proto", { storage: "u8", description: "Innermost IP protocol of a tunnelled packet" }),
  len: defineField("inner.ip.len", { storage: "u16", description: "Innermost IP total length of a tunnelled packet" }),
};

/** IP protocols that carry another IP packet: IPv4 in IP, IPv6 in IP. */
export function isIpInIp(proto: number): boolean {
  return proto === 4 || proto === 41;
}

/** A header cut by the snaplen: as tshark, the fields that were captured whole, then malformed. */
function partialHeader(p: Packet, b: Buffer, off: number, n: number): void {
  if (n >= 2) p.u(IP.dsfield, b[off + 1]);
  if (n >= 4) p.u(IP.len, (b[off + 2] << 8) | b[off + 3]);
  if (n >= 6) p.u(IP.id, (b[off + 4] << 8) | b[off + 5]);
  if (n >= 8) p.u(IP.flags, b[off + 6] >> 5); // Wireshark reads flags and offset as one 16-bit word
  if (n >= 8) p.u(IP.frag_offset, ((b[off + 6] << 8) | b[off + 7]) & 0x1fff);
  if (n >= 9) p.u(IP.ttl, b[off + 8]);
  if (n >= 10) p.u(IP.proto, b[off + 9]);
  if (n >= 12) p.u(IP.checksum, (b[off + 10] << 8) | b[off + 11]);
  if (n >= 16) p.ipv4(IP.src, b, off + 12);
  p.bad();
}

export function decodeIPv4(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("ip")) return;
  if (off >= end) { p.bad(); return; }
  const vihl = b[off];
  const hl = (vihl & 15) * 4;
  p.u(IP.version, vihl >> 4);
  if (vihl >> 4 !== 4) { p.bad(); return; }
  p.u(IP.hdr_len, hl);
  if (hl < 20) { p.bad(); return; }
  if (end - off < 20) { partialHeader(p, b, off, end - off); return; }
  const total = (b[off + 2] << 8) | b[off + 3];
  const fo = (b[off + 6] << 8) | b[off + 7];
  const proto = b[off + 9];
  p.u(IP.dsfield, b[off + 1]);
  p.u(IP.len, total);
  p.u(IP.id, (b[off + 4] << 8) | b[off + 5]);
  p.u(IP.flags, fo >> 13);
  p.u(IP.frag_offset, fo & 0x1fff);
  p.u(IP.ttl, b[off + 8]);
  p.u(IP.proto, proto);
  p.u(IP.checksum, (b[off + 10] << 8) | b[off + 11]);
  p.ipv4(IP.src, b, off + 12);
  p.ipv4(IP.dst, b, off + 16);
  if (p.tunnel > 0) {
    p.ipv4Last(INNER.src, b, off + 12);
    p.ipv4Last(INNER.dst, b, off + 16);
    p.uLast(INNER.proto, proto);
    p.uLast(INNER.len, total);
  }
  // a total length shorter than the header is bogus; 0 is TCP segmentation offload: trust the capture
  if (total !== 0 && total < hl) { p.bad(); return; }
  if (end - off < hl) { p.bad(); return; }
  const reported = total === 0 ? end - off : total;
  if (total !== 0 && off + total < end) end = off + total; // drop Ethernet padding and trailers
  if ((fo & 0x1fff) !== 0 || (fo & 0x2000) !== 0) p.fragment(off + hl, end);
  if ((fo & 0x1fff) !== 0) { p.enter("data"); return; } // a later fragment: no transport header here
  p.ipPayloadLen = reported - hl;
  p.ipOff = off;
  p.ipVersion = 4;
  if (isIpInIp(proto)) p.tunnel++;
  decodeIpProto(p, proto, b, off + hl, end);
}

export const ipv4: Protocol = { name: "ip", etherTypes: [0x0800], linkTypes: [228], ipProtos: [4], decode: decodeIPv4 };
