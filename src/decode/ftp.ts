/**
 * FTP control on TCP 21: every segment is "ftp" (packet-ftp.c takes any payload); no fields. The data connection (ftp-data) is not followed.
 */
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export function decodeFtp(p: Packet): boolean {
  p.enter("ftp");
  return true;
}

export const ftp: Protocol = { name: "ftp", tcpPorts: [21], decodePayload: decodeFtp };
