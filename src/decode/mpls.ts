/**
 * MPLS label stacks (EtherTypes 0x8847 unicast, 0x8848 multicast; also carried by GRE). One
 * "mpls" layer for the whole stack; the top label's values win. After the bottom of stack the
 * payload is recognised as tshark does by default, by its first nibble (4: IPv4, 6: IPv6).
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import type { Protocol } from "./protocol";

export const MPLS = {
  label: defineField("mpls.label", { storage: "u32", description: "Label (top of the stack)" }),
  exp: defineField("mpls.exp", { storage: "u8", description: "Traffic class (experimental bits)" }),
  bottom: defineField("mpls.bottom", { storage: "u8", description: "Bottom of stack" }),
  ttl: defineField("mpls.ttl", { storage: "u8", description: "Time to live" }),
};

/** labels walked at most (a stack that never sets bottom-of-stack ends at the capture's end anyway) */
const MAX_LABELS = 64;

export function decodeMpls(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("mpls")) return;
  let o = off;
  for (let i = 0; ; i++) {
    if (end - o < 4 || i === MAX_LABELS) { p.bad(); return; }
    const w = b.readUInt32BE(o);
    o += 4;
    p.u(MPLS.label, w >>> 12);
    p.u(MPLS.exp, (w >>> 9) & 7);
    p.u(MPLS.bottom, (w >>> 8) & 1);
    p.u(MPLS.ttl, w & 0xff);
    if ((w >>> 8) & 1) break;
  }
  if (o >= end) return;
  const nib = b[o] >> 4;
  if (nib === 4) decodeIPv4(p, b, o, end);
  else if (nib === 6) decodeIPv6(p, b, o, end);
  else p.enter("data");
}

export const mpls: Protocol = { name: "mpls", etherTypes: [0x8847, 0x8848], decode: decodeMpls };
