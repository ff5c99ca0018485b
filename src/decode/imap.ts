/**
 * IMAP on TCP 143: every segment is "imap" (packet-imap.c); no fields.
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodeImap(p: Packet): boolean {
  p.enter("imap");
  return true;
}

export const imap: Protocol = { name: "imap", tcpPorts: [143], decodePayload: decodeImap };
