/**
 * Cisco HDLC (LINKTYPE_C_HDLC, 104): address, control, and an EtherType-valued protocol field;
 * tshark shows it as "chdlc" with the payload straight after it ("chdlc:ip:…").
 */
import { defineField } from "../fields/registry";
import { decodeEther } from "./dispatch";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export const LINKTYPE_C_HDLC = 104;

export const CHDLC = {
  address: defineField("chdlc.address", { display: "hex", storage: "u8", hexDigits: 2, description: "Address" }),
  control: defineField("chdlc.control", { display: "hex", storage: "u8", hexDigits: 2, description: "Control" }),
  protocol: defineField("chdlc.protocol", { display: "hex", storage: "u16", description: "Protocol" }),
};

export function decodeChdlc(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("chdlc")) return;
  if (end - off < 4) { p.bad(); return; }
  p.u(CHDLC.address, b[off]);
  p.u(CHDLC.control, b[off + 1]);
  const proto = (b[off + 2] << 8) | b[off + 3];
  p.u(CHDLC.protocol, proto);
  decodeEther(p, proto, b, off + 4, end);
}

export const chdlc: Protocol = { name: "chdlc", linkTypes: [LINKTYPE_C_HDLC], decode: decodeChdlc };
