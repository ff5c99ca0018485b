/**
 * NetBIOS session service on TCP 139 and 445 (packet-nbss.c): the 4-byte header (type, length)
 * and, for a session message, the SMB (0xff "SMB") or SMB2 (0xfe "SMB"; 0xfd transform and 0xfc
 * compression headers too) header that follows it.
 * frame.protocols: "nbss", then "smb" or "smb2". The SMB layers' payloads (DCE/RPC over pipes,
 * GSS-API / SPNEGO / NTLMSSP security blobs) are not dissected: tshark shows more layers there.
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

export const NBSS = {
  type: defineField("nbss.type", { display: "hex", hexDigits: 2, storage: "u8", description: "Message type (0 session message)" }),
  length: defineField("nbss.length", { storage: "u32", description: "Length" }),
};

const SMB = defineProtocol("smb"), SMB2 = defineProtocol("smb2");

function smbMagic(b: Uint8Array, o: number, first: number): boolean {
  return b[o] === first && b[o + 1] === 0x53 && b[o + 2] === 0x4d && b[o + 3] === 0x42;
}

export function decodeNbss(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("nbss")) return true;
  if (end - off < 4) return true;
  const type = b[off];
  p.u(NBSS.type, type);
  p.u(NBSS.length, ((b[off + 1] & 1) << 16) | (b[off + 2] << 8) | b[off + 3]);
  const o = off + 4;
  if (type !== 0 || end - o < 4) return true;
  if (smbMagic(b, o, 0xff)) p.enter(SMB);
  else if (smbMagic(b, o, 0xfe) || smbMagic(b, o, 0xfd) || smbMagic(b, o, 0xfc)) p.enter(SMB2); // header, transform, compression
  return true;
}

export const nbss: Protocol = { name: "nbss", tcpPorts: [139, 445], decodePayload: decodeNbss };
