/**
 * POP3 on TCP 110: every segment is "pop" (packet-pop.c); no fields. Not done: "imf" for a retrieved message (needs reassembly).
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodePop(p: Packet): boolean {
  p.enter("pop");
  return true;
}

export const pop: Protocol = { name: "pop", tcpPorts: [110], decodePayload: decodePop };
