/**
 * SSH on TCP 22 (packet-ssh.c): every segment is "ssh"; a segment that starts with the
 * identification string ("SSH-2.0-…") shows it as ssh.protocol (the line without CR LF).
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";
import { asciiText } from "./tsharktext";

export const SSH = {
  protocol: defineField("ssh.protocol", { display: "string", description: "Identification string (banner)" }),
};

export function decodeSsh(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("ssh")) return true;
  if (end - off >= 4 && b[off] === 0x53 && b[off + 1] === 0x53 && b[off + 2] === 0x48 && b[off + 3] === 0x2d) {
    let e = off;
    while (e < end && b[e] !== 0x0d && b[e] !== 0x0a) e++;
    p.s(SSH.protocol, asciiText(b, off, e));
  }
  return true;
}

export const ssh: Protocol = { name: "ssh", tcpPorts: [22], decodePayload: decodeSsh };
