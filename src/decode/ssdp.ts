/**
 * SSDP on UDP 1900: "ssdp" (tshark dissects it with its HTTP code under the SSDP protocol); no fields.
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodeSsdp(p: Packet): boolean {
  p.enter("ssdp");
  return true;
}

export const ssdp: Protocol = { name: "ssdp", udpPorts: [1900], decodePayload: decodeSsdp };
