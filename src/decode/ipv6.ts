/**
 * IPv6 and its extension headers (hop-by-hop, routing, fragment, destination options, and the
 * authentication header's length); the payload after the last extension header goes by protocol.
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeIpProto } from "./dispatch";
import { INNER, IP, isIpInIp } from "./ipv4";
import type { Protocol } from "./protocol";

export const IPV6 = {
  version: defineField("ipv6.version", { storage: "u8", description: "Version" }),
  tclass: defineField("ipv6.tclass", { display: "hex", storage: "u8", hexDigits: 8, description: "Traffic class" }),
  flow: defineField("ipv6.flow", { display: "hex", storage: "u32", hexDigits: 6, description: "Flow label" }),
  plen: defineField("ipv6.plen", { storage: "u16", description: "Payload length" }),
  nxt: defineField("ipv6.nxt", { storage: "u8", description: "Next header (of the fixed header)" }),
  hlim: defineField("ipv6.hlim", { storage: "u8", description: "Hop limit" }),
  src: defineField("ipv6.src", { display: "ipv6", description: "Source address" }),
  dst: defineField("ipv6.dst", { display: "ipv6", description: "Destination address" }),
  frag_offset: defineField("ipv6.fraghdr.offset", { storage: "u16", description: "Fragment offset (8-byte units)" }),
  frag_more: defineField("ipv6.fraghdr.more", { display: "bool", description: "More fragments" }),
  frag_id: defineField("ipv6.fraghdr.ident", { display: "hex", storage: "u32", hexDigits: 8, description: "Fragment identification" }),
};

const HOPOPTS = 0, ROUTING = 43, FRAGMENT = 44, ESP = 50, AH = 51, NONE = 59, DSTOPTS = 60, MOBILITY = 135;
/**
 * extension headers walked at most. Each is at least 8 bytes, so the captured length bounds the
 * walk already; tshark has no lower limit (libpcap's ipv6_ext_headers.pcap chains 100).
 */
const MAX_EXT = 8192;

// each extension header's layer name in frame.protocols
const EXT_HOPOPTS = defineProtocol("ipv6.hopopts"), EXT_ROUTING = defineProtocol("ipv6.routing");
const EXT_FRAGMENT = defineProtocol("ipv6.fraghdr"), EXT_DSTOPTS = defineProtocol("ipv6.dstopts");
const EXT_AH = defineProtocol("ah"), EXT_MOBILITY = defineProtocol("mipv6");

function extName(nxt: number): string {
  switch (nxt) {
    case HOPOPTS: return EXT_HOPOPTS;
    case ROUTING: return EXT_ROUTING;
    case FRAGMENT: return EXT_FRAGMENT;
    case DSTOPTS: return EXT_DSTOPTS;
    case AH: return EXT_AH;
    default: return EXT_MOBILITY;
  }
}

/** A header cut by the snaplen: as tshark, the fields that were captured whole, then malformed. */
function partialHeader(p: Packet, b: Buffer, off: number, n: number): void {
  if (n >= 1) {
    p.u(IPV6.version, b[off] >> 4);
    p.u(IP.version, b[off] >> 4);
  }
  if (n >= 4) p.u(IPV6.tclass, ((b[off] << 4) | (b[off + 1] >> 4)) & 0xff); // a 32-bit masked field
  if (n >= 4) p.u(IPV6.flow, ((b[off + 1] & 15) << 16) | (b[off + 2] << 8) | b[off + 3]);
  if (n >= 6) p.u(IPV6.plen, (b[off + 4] << 8) | b[off + 5]);
  if (n >= 7) p.u(IPV6.nxt, b[off + 6]);
  if (n >= 8) p.u(IPV6.hlim, b[off + 7]);
  if (n >= 24) p.ipv6(IPV6.src, b, off + 8);
  p.bad();
}

export function decodeIPv6(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("ipv6")) return;
  if (end - off < 40) { partialHeader(p, b, off, end - off); return; }
  const w = b.readUInt32BE(off);
  p.u(IPV6.version, w >>> 28);
  p.u(IP.version, w >>> 28);
  if (w >>> 28 !== 6) { p.bad(); return; }
  p.u(IPV6.tclass, (w >>> 20) & 0xff);
  p.u(IPV6.flow, w & 0xfffff);
  const plen = (b[off + 4] << 8) | b[off + 5];
  let nxt = b[off + 6];
  p.u(IPV6.plen, plen);
  p.u(IPV6.nxt, nxt);
  p.u(IPV6.hlim, b[off + 7]);
  p.ipv6(IPV6.src, b, off + 8);
  p.ipv6(IPV6.dst, b, off + 24);
  const inner = p.tunnel > 0;
  if (inner) {
    p.ipv6Last(INNER.src6, b, off + 8);
    p.ipv6Last(INNER.dst6, b, off + 24);
  }
  let o = off + 40;
  if (plen !== 0 && o + plen < end) end = o + plen;
  let remaining = plen !== 0 ? plen : end - o; // reported bytes after the headers walked so far
  for (let i = 0; i < MAX_EXT; i++) {
    if (nxt === HOPOPTS || nxt === ROUTING || nxt === DSTOPTS || nxt === MOBILITY || nxt === AH || nxt === FRAGMENT) {
      if (end - o < 8) { p.bad(); return; }
      const hlen = nxt === FRAGMENT ? 8 : nxt === AH ? (b[o + 1] + 2) * 4 : (b[o + 1] + 1) * 8;
      if (end - o < hlen) { p.bad(); return; }
      const next = b[o];
      // each extension header is a layer of its own in frame.protocols ("ipv6:ipv6.hopopts:…"); a
      // long chain is a loop here, not nesting, so it does not count against the tunnel depth
      if (!p.enter(extName(nxt))) return;
      p.depth--;
      if (nxt === FRAGMENT) {
        const fo = (b[o + 2] << 8) | b[o + 3];
        p.u(IPV6.frag_offset, fo >> 3);
        p.u(IPV6.frag_more, fo & 1);
        p.u(IPV6.frag_id, b.readUInt32BE(o + 4));
        if ((fo & 0xfff9) !== 0) p.fragment(o + 8, end); // not an atomic fragment
        if (fo >> 3 !== 0) {
          p.enter("data");
          return;
        }
      }
      o += hlen;
      remaining -= hlen;
      nxt = next;
      continue;
    }
    break;
  }
  if (nxt === NONE || nxt === ESP) return;
  p.ipPayloadLen = remaining;
  p.ipOff = off;
  p.ipVersion = 6;
  if (inner) {
    p.uLast(INNER.proto, nxt);
    p.uLast(INNER.len, plen + 40);
  }
  if (isIpInIp(nxt)) p.tunnel++;
  decodeIpProto(p, nxt, b, o, end);
}

export const ipv6: Protocol = { name: "ipv6", etherTypes: [0x86dd], linkTypes: [229], ipProtos: [41], decode: decodeIPv6 };
