/**
 * PPP frames as GRE carries them (PPTP), or as a capture's link layer: optional address/control bytes (0xff 0x03), a one- or
 * two-byte protocol field, and the payload: IPv4, IPv6, or a control protocol (LCP, IPCP, …),
 * which is named in frame.protocols but not decoded further.
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import type { Protocol } from "./protocol";

export const PPP = {
  address: defineField("ppp.address", { display: "hex", storage: "u8", hexDigits: 2, description: "Address" }),
  control: defineField("ppp.control", { display: "hex", storage: "u8", hexDigits: 2, description: "Control" }),
  protocol: defineField("ppp.protocol", { display: "hex", storage: "u16", description: "Protocol" }),
};

// the control protocols named in frame.protocols (no fields)
const LCP = defineProtocol("lcp"), IPCP = defineProtocol("ipcp"), IPV6CP = defineProtocol("ipv6cp");
const CCP = defineProtocol("ccp"), PAP = defineProtocol("pap"), CHAP = defineProtocol("chap");

export function decodePpp(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("ppp")) return;
  let o = off;
  if (end - o >= 2 && b[o] === 0xff && b[o + 1] === 0x03) {
    p.u(PPP.address, 0xff);
    p.u(PPP.control, 0x03);
    o += 2;
  }
  if (o >= end) { p.bad(); return; }
  let proto = b[o];
  if (proto & 1) {
    o += 1; // protocol field compression: one byte
  } else {
    if (end - o < 2) { p.bad(); return; }
    proto = (proto << 8) | b[o + 1];
    o += 2;
  }
  p.u(PPP.protocol, proto);
  switch (proto) {
    case 0x0021: decodeIPv4(p, b, o, end); return;
    case 0x0057: decodeIPv6(p, b, o, end); return;
    case 0xc021: p.enter(LCP); return;
    case 0x8021: p.enter(IPCP); return;
    case 0x8057: p.enter(IPV6CP); return;
    case 0x80fd: p.enter(CCP); return;
    case 0xc023: p.enter(PAP); return;
    case 0xc223: p.enter(CHAP); return;
    default: if (o < end) p.enter("data");
  }
}

/** also a link type of its own: LINKTYPE_PPP (9) and LINKTYPE_PPP_HDLC (50) */
export const ppp: Protocol = { name: "ppp", linkTypes: [9, 50], decode: decodePpp };
