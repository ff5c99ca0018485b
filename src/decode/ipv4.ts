/** IPv4: header with options, fragment flags and offset; the payload goes by protocol number. */
import { defineField } from "../fields/registry";
import type { Packet } from "../table/builder";
import { decodeIpProto } from "./dispatch";
import type { Protocol } from "./protocol";

export const IP = {
  version: defineField("ip.version", { storage: "u8", description: "Version" }),
  hdr_len: defineField("ip.hdr_len", { storage: "u8", description: "Header length in bytes" }),
  dsfield: defineField("ip.dsfield", { display: "hex", storage: "u8", hexDigits: 2, description: "Differentiated services field" }),
  len: defineField("ip.len", { storage: "u16", description: "Total length" }),
  id: defineField("ip.id", { display: "hex", storage: "u16", description: "Identification" }),
  flags: defineField("ip.flags", { display: "hex", storage: "u8", hexDigits: 2, description: "Flags" }),
  flags_df: defineField("ip.flags.df", { display: "bool", description: "Don't fragment" }),
  flags_mf: defineField("ip.flags.mf", { display: "bool", description: "More fragments" }),
  frag_offset: defineField("ip.frag_offset", { storage: "u16", description: "Fragment offset (8-byte units, as tshark prints it)" }),
  ttl: defineField("ip.ttl", { storage: "u8", description: "Time to live" }),
  proto: defineField("ip.proto", { storage: "u8", description: "Protocol" }),
  checksum: defineField("ip.checksum", { display: "hex", storage: "u16", description: "Header checksum" }),
  src: defineField("ip.src", { display: "ipv4", description: "Source address" }),
  dst: defineField("ip.dst", { display: "ipv4", description: "Destination address" }),
};

export function decodeIPv4(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("ip")) return;
  if (end - off < 20) { p.bad(); return; }
  const vihl = b[off];
  const hl = (vihl & 15) * 4;
  p.u(IP.version, vihl >> 4);
  p.u(IP.hdr_len, hl);
  if (vihl >> 4 !== 4 || hl < 20) { p.bad(); return; }
  const total = (b[off + 2] << 8) | b[off + 3];
  const fo = (b[off + 6] << 8) | b[off + 7];
  const proto = b[off + 9];
  p.u(IP.dsfield, b[off + 1]);
  p.u(IP.len, total);
  p.u(IP.id, (b[off + 4] << 8) | b[off + 5]);
  p.u(IP.flags, fo >> 13);
  p.u(IP.flags_df, (fo >> 14) & 1);
  p.u(IP.flags_mf, (fo >> 13) & 1);
  p.u(IP.frag_offset, fo & 0x1fff);
  p.u(IP.ttl, b[off + 8]);
  p.u(IP.proto, proto);
  p.u(IP.checksum, (b[off + 10] << 8) | b[off + 11]);
  p.ipv4(IP.src, b, off + 12);
  p.ipv4(IP.dst, b, off + 16);
  // a total length shorter than the header is bogus; 0 is TCP segmentation offload: trust the capture
  if (total !== 0 && total < hl) { p.bad(); return; }
  if (end - off < hl) { p.bad(); return; }
  const reported = total === 0 ? end - off : total;
  if (total !== 0 && off + total < end) end = off + total; // drop Ethernet padding and trailers
  if ((fo & 0x1fff) !== 0) { p.enter("data"); return; } // a later fragment: no transport header here
  p.ipPayloadLen = reported - hl;
  decodeIpProto(p, proto, b, off + hl, end);
}

export const ipv4: Protocol = { name: "ip", etherTypes: [0x0800], linkTypes: [228], ipProtos: [4], decode: decodeIPv4 };
