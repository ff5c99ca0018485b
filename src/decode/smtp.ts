/**
 * SMTP on TCP 25 and 587: every segment is "smtp" (packet-smtp.c); no fields. Not done: the message after DATA, which tshark also hands to "imf" (needs the conversation's command state).
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodeSmtp(p: Packet): boolean {
  p.enter("smtp");
  return true;
}

export const smtp: Protocol = { name: "smtp", tcpPorts: [25, 587], decodePayload: decodeSmtp };
