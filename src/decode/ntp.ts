/**
 * NTP on UDP/TCP 123 (packet-ntp.c): the flags byte's mode and, for the time-exchange modes
 * (not 6, control, nor 7, private), the stratum. frame.protocols: "ntp".
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

const FLAGS = defineField("ntp.flags", { display: "hex", hexDigits: 2, storage: "u8", description: "Flags: leap indicator, version, mode" });

export const NTP = {
  flags: FLAGS,
  mode: defineField("ntp.flags.mode", { storage: "u8", description: "Mode (3 client, 4 server, 5 broadcast, 6 control …)" }),
  version: defineField("ntp.flags.vn", { storage: "u8", description: "Version number" }),
  stratum: defineField("ntp.stratum", { storage: "u8", description: "Peer clock stratum (modes 0-5)" }),
};

export function decodeNtp(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("ntp")) return true;
  if (end - off < 1) { p.bad(); return true; }
  const f = b[off], mode = f & 7;
  p.u(NTP.flags, f);
  p.u(NTP.version, (f >> 3) & 7);
  p.u(NTP.mode, mode);
  if (mode === 6 || mode === 7) return true;
  if (end - off < 2) { p.bad(); return true; }
  p.u(NTP.stratum, b[off + 1]);
  return true;
}

export const ntp: Protocol = { name: "ntp", udpPorts: [123], tcpPorts: [123], decodePayload: decodeNtp };
