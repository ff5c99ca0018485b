/**
 * PPTP control on TCP 1723: every segment is "pptp" (packet-pptp.c); no fields. (tshark skips the payload of a segment its sequence analysis calls a retransmission: frame.protocols ends at "tcp" there; we do not track sequence numbers.)
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodePptp(p: Packet): boolean {
  p.enter("pptp");
  return true;
}

export const pptp: Protocol = { name: "pptp", tcpPorts: [1723], decodePayload: decodePptp };
