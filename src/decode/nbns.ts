/**
 * NetBIOS name service on UDP 137 (packet-nbns.c): transaction id and the response flag.
 * frame.protocols: "nbns".
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export const NBNS = {
  id: defineField("nbns.id", { display: "hex", storage: "u16", description: "Transaction ID" }),
  response: defineField("nbns.flags.response", { display: "bool", description: "Response flag" }),
  opcode: defineField("nbns.flags.opcode", { storage: "u8", description: "Opcode (0 query, 5 registration …)" }),
};

export function decodeNbns(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("nbns")) return true;
  if (end - off < 4) { p.bad(); return true; }
  p.u(NBNS.id, (b[off] << 8) | b[off + 1]);
  p.u(NBNS.response, b[off + 2] >> 7);
  p.u(NBNS.opcode, (b[off + 2] >> 3) & 15);
  return true;
}

export const nbns: Protocol = { name: "nbns", udpPorts: [137], decodePayload: decodeNbns };
