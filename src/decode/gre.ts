/**
 * GRE (IP protocol 47), version 0 (RFC 2784/2890: checksum, key, sequence number; the legacy
 * routing field is walked over) and version 1, PPTP's enhanced GRE (RFC 2637: the key holds
 * payload length and call id, optional acknowledgment number). The payload goes by protocol type
 * through the EtherType table without an "ethertype" layer ("ip:gre:ip" in frame.protocols), with
 * transparent Ethernet bridging (0x6558) to Ethernet and 0x880b to PPP.
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeEther } from "./dispatch";
import { decodeEthernet } from "./ethernet";
import { decodePpp } from "./ppp";
import type { Protocol } from "./protocol";

export const GRE = {
  flags_and_version: defineField("gre.flags_and_version", { display: "hex", storage: "u16", description: "Flags and version" }),
  flags_checksum: defineField("gre.flags.checksum", { display: "bool", description: "Checksum present" }),
  flags_routing: defineField("gre.flags.routing", { display: "bool", description: "Routing present" }),
  flags_key: defineField("gre.flags.key", { display: "bool", description: "Key present" }),
  flags_sequence_number: defineField("gre.flags.sequence_number", { display: "bool", description: "Sequence number present" }),
  flags_strict_source_route: defineField("gre.flags.strict_source_route", { display: "bool", description: "Strict source route" }),
  flags_recursion_control: defineField("gre.flags.recursion_control", { storage: "u8", description: "Recursion control" }),
  flags_ack: defineField("gre.flags.ack", { display: "bool", description: "Acknowledgment number present (version 1)" }),
  flags_version: defineField("gre.flags.version", { storage: "u8", description: "Version" }),
  proto: defineField("gre.proto", { display: "hex", storage: "u16", description: "Protocol type" }),
  checksum: defineField("gre.checksum", { display: "hex", storage: "u16", description: "Checksum" }),
  offset: defineField("gre.offset", { storage: "u16", description: "Routing offset" }),
  key: defineField("gre.key", { display: "hex", storage: "u32", hexDigits: 8, description: "Key" }),
  key_payload_length: defineField("gre.key.payload_length", { storage: "u16", description: "Payload length (version 1 key)" }),
  key_call_id: defineField("gre.key.call_id", { storage: "u16", description: "Call id (version 1 key)" }),
  sequence_number: defineField("gre.sequence_number", { storage: "u32", description: "Sequence number" }),
  ack_number: defineField("gre.ack_number", { storage: "u32", description: "Acknowledgment number (version 1)" }),
};

const F_CSUM = 0x8000, F_ROUTING = 0x4000, F_KEY = 0x2000, F_SEQ = 0x1000, F_ACK = 0x0080;
const GRE_PPP = 0x880b, GRE_TEB = 0x6558;
/** routing entries walked at most */
const MAX_SRE = 64;

/** Hands a GRE payload of protocol type `proto` on (also used by SLL on GRE devices). */
export function decodeGreProto(p: Packet, proto: number, b: Buffer, off: number, end: number): void {
  if (proto === GRE_PPP) decodePpp(p, b, off, end);
  else if (proto === GRE_TEB) decodeEthernet(p, b, off, end);
  else decodeEther(p, proto, b, off, end);
}

export function decodeGre(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("gre")) return;
  if (end - off < 4) { p.bad(); return; }
  const fv = (b[off] << 8) | b[off + 1];
  const proto = (b[off + 2] << 8) | b[off + 3];
  const ver = fv & 7;
  p.u(GRE.flags_and_version, fv);
  p.u(GRE.flags_checksum, (fv >> 15) & 1);
  p.u(GRE.flags_routing, (fv >> 14) & 1);
  p.u(GRE.flags_key, (fv >> 13) & 1);
  p.u(GRE.flags_sequence_number, (fv >> 12) & 1);
  p.u(GRE.flags_strict_source_route, (fv >> 11) & 1);
  p.u(GRE.flags_recursion_control, (fv >> 8) & 7);
  if (ver === 1) p.u(GRE.flags_ack, (fv >> 7) & 1);
  p.u(GRE.flags_version, ver);
  p.u(GRE.proto, proto);
  let o = off + 4;
  if (fv & (F_CSUM | F_ROUTING)) {
    if (end - o < 4) { p.bad(); return; }
    p.u(GRE.checksum, (b[o] << 8) | b[o + 1]);
    p.u(GRE.offset, (b[o + 2] << 8) | b[o + 3]);
    o += 4;
  }
  if (fv & F_KEY) {
    if (end - o < 4) { p.bad(); return; }
    if (ver === 1 && proto === GRE_PPP) {
      p.u(GRE.key_payload_length, (b[o] << 8) | b[o + 1]);
      p.u(GRE.key_call_id, (b[o + 2] << 8) | b[o + 3]);
    } else {
      p.u(GRE.key, b.readUInt32BE(o));
    }
    o += 4;
  }
  if (fv & F_SEQ) {
    if (end - o < 4) { p.bad(); return; }
    p.u(GRE.sequence_number, b.readUInt32BE(o));
    o += 4;
  }
  if (ver === 1 && fv & F_ACK) {
    if (end - o < 4) { p.bad(); return; }
    p.u(GRE.ack_number, b.readUInt32BE(o));
    o += 4;
  }
  if (fv & F_ROUTING) {
    // source route entries: address family (2), SRE offset (1), SRE length (1), information; a
    // zero-length entry ends the list
    for (let i = 0; ; i++) {
      if (end - o < 4 || i === MAX_SRE) { p.bad(); return; }
      const len = b[o + 3];
      o += 4;
      if (len === 0) break;
      if (end - o < len) { p.bad(); return; }
      o += len;
    }
  }
  if (o >= end) return;
  p.tunnel++;
  decodeGreProto(p, proto, b, o, end);
}

export const gre: Protocol = { name: "gre", ipProtos: [47], decode: decodeGre };
