/**
 * IEEE 802.2 LLC and SNAP (the payload of 802.3 length frames and of 802.11 data frames). SNAP
 * with an encapsulated-Ethernet OUI goes to the EtherType table directly (tshark shows "llc:ip",
 * with no "ethertype" layer between).
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEther } from "./dispatch";
import type { Protocol } from "./protocol";

export const LLC = {
  dsap: defineField("llc.dsap", { display: "hex", storage: "u8", hexDigits: 2, description: "DSAP" }),
  ssap: defineField("llc.ssap", { display: "hex", storage: "u8", hexDigits: 2, description: "SSAP" }),
  control: defineField("llc.control", { display: "hex", storage: "u16", description: "Control field" }),
  oui: defineField("llc.oui", { storage: "u32", description: "SNAP organization code" }),
  type: defineField("llc.type", { display: "hex", storage: "u16", description: "SNAP EtherType (OUI 00-00-00 or 00-00-f8)" }),
  pid: defineField("llc.pid", { display: "hex", storage: "u16", description: "SNAP protocol id (other OUIs)" }),
};

const SAP_SNAP = 0xaa, SAP_STP = 0x42;
const STP = defineProtocol("stp");

export function decodeLlc(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("llc")) return;
  if (end - off < 3) {
    if (end - off >= 1) p.u(LLC.dsap, b[off]);
    if (end - off >= 2) p.u(LLC.ssap, b[off + 1]);
    p.bad();
    return;
  }
  const dsap = b[off], ssap = b[off + 1];
  p.u(LLC.dsap, dsap);
  p.u(LLC.ssap, ssap);
  let ctl = b[off + 2];
  let o = off + 3;
  if ((ctl & 3) !== 3) { // I and S frames have a 2-byte control field
    if (end - off < 4) { p.bad(); return; }
    ctl = b[off + 2] | (b[off + 3] << 8); // little-endian, as Wireshark reads the extended form
    o++;
  }
  p.u(LLC.control, ctl);
  if (dsap === SAP_SNAP && ssap === SAP_SNAP && (ctl & 3) === 3 && o === off + 3) {
    if (end - o < 5) { p.bad(); return; }
    const oui = (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
    const pid = (b[o + 3] << 8) | b[o + 4];
    p.u(LLC.oui, oui);
    if (oui === 0 || oui === 0xf8) {
      p.u(LLC.type, pid);
      decodeEther(p, pid, b, o + 5, end);
    } else {
      p.u(LLC.pid, pid);
    }
    return;
  }
  if (dsap === SAP_STP && ssap === SAP_STP) p.enter(STP);
}

export const llc: Protocol = { name: "llc", decode: decodeLlc };
