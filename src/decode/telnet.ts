/**
 * Telnet on TCP 23: every segment is "telnet" in tshark (packet-telnet.c takes any payload); no fields.
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodeTelnet(p: Packet): boolean {
  p.enter("telnet");
  return true;
}

export const telnet: Protocol = { name: "telnet", tcpPorts: [23], decodePayload: decodeTelnet };
