/** TCP: ports, raw sequence numbers, flags, window, options, payload length; payload by port. */
import { bit, defineField } from "../fields/registry";
import { PAYLOAD_TCP, type Packet } from "./packet";
import { decodeTcpPayload } from "./dispatch";
import type { Protocol } from "./protocol";

const FLAGS = defineField("tcp.flags", { display: "hex", storage: "u16", description: "Flags (12 bits)" });

export const TCP = {
  srcport: defineField("tcp.srcport", { storage: "u16", description: "Source port" }),
  dstport: defineField("tcp.dstport", { storage: "u16", description: "Destination port" }),
  seq_raw: defineField("tcp.seq_raw", { storage: "u32", description: "Sequence number (raw)" }),
  ack_raw: defineField("tcp.ack_raw", { storage: "u32", description: "Acknowledgment number (raw)" }),
  hdr_len: defineField("tcp.hdr_len", { storage: "u8", description: "Header length in bytes" }),
  flags: FLAGS,
  flags_fin: defineField("tcp.flags.fin", bit(FLAGS, 0, "FIN")),
  flags_syn: defineField("tcp.flags.syn", bit(FLAGS, 1, "SYN")),
  flags_reset: defineField("tcp.flags.reset", bit(FLAGS, 2, "RST")),
  flags_push: defineField("tcp.flags.push", bit(FLAGS, 3, "PSH")),
  flags_ack: defineField("tcp.flags.ack", bit(FLAGS, 4, "ACK")),
  flags_urg: defineField("tcp.flags.urg", bit(FLAGS, 5, "URG")),
  flags_ece: defineField("tcp.flags.ece", bit(FLAGS, 6, "ECN-Echo")),
  flags_cwr: defineField("tcp.flags.cwr", bit(FLAGS, 7, "Congestion window reduced")),
  window_size_value: defineField("tcp.window_size_value", { storage: "u16", description: "Window (unscaled)" }),
  checksum: defineField("tcp.checksum", { display: "hex", storage: "u16", description: "Checksum" }),
  urgent_pointer: defineField("tcp.urgent_pointer", { storage: "u16", description: "Urgent pointer" }),
  len: defineField("tcp.len", { storage: "u32", description: "Payload length (TCP segment length)" }),
  mss_val: defineField("tcp.options.mss_val", { storage: "u16", description: "Maximum segment size option" }),
  wscale_shift: defineField("tcp.options.wscale.shift", { storage: "u8", description: "Window scale option: shift" }),
  sack_perm: defineField("tcp.options.sack_perm", { display: "string", description: "SACK permitted option: its bytes in hex, as tshark prints it (\"0402\")" }),
  tsval: defineField("tcp.options.timestamp.tsval", { storage: "u32", description: "Timestamp value" }),
  tsecr: defineField("tcp.options.timestamp.tsecr", { storage: "u32", description: "Timestamp echo reply" }),
};

function options(p: Packet, b: Buffer, o: number, end: number): void {
  while (o < end) {
    const kind = b[o];
    if (kind === 0) return;
    if (kind === 1) { o++; continue; }
    if (o + 1 >= end) return;
    const n = b[o + 1];
    if (kind === 8 && n === 10 && o + 6 <= end) p.u(TCP.tsval, b.readUInt32BE(o + 2)); // shown even if tsecr is cut
    if (n < 2 || o + n > end) return;
    switch (kind) {
      case 2: if (n === 4) p.u(TCP.mss_val, (b[o + 2] << 8) | b[o + 3]); break;
      case 3: if (n === 3) p.u(TCP.wscale_shift, b[o + 2]); break;
      case 4: p.s(TCP.sack_perm, n === 2 ? "0402" : b.toString("hex", o, o + n)); break;
      case 8:
        if (n === 10) {
          p.u(TCP.tsval, b.readUInt32BE(o + 2));
          p.u(TCP.tsecr, b.readUInt32BE(o + 6));
        }
        break;
    }
    o += n;
  }
}

export function decodeTcp(p: Packet, b: Buffer, off: number, end: number): void {
  if (!p.enter("tcp")) return;
  const reported = p.ipPayloadLen;
  if (end - off < 4) { p.bad(); return; }
  const sport = (b[off] << 8) | b[off + 1], dport = (b[off + 2] << 8) | b[off + 3];
  p.u(TCP.srcport, sport);
  p.u(TCP.dstport, dport);
  // Wireshark reads sequence, acknowledgment, flags and window before it shows any of them
  if (end - off < 16) { p.bad(); return; }
  p.u(TCP.seq_raw, b.readUInt32BE(off + 4));
  p.u(TCP.ack_raw, b.readUInt32BE(off + 8));
  const hl = (b[off + 12] >> 4) * 4;
  const flags = ((b[off + 12] & 0x0f) << 8) | b[off + 13];
  p.u(TCP.hdr_len, hl);
  p.u(TCP.flags, flags);
  if (hl < 20) { p.bad(); return; }
  p.u(TCP.window_size_value, (b[off + 14] << 8) | b[off + 15]);
  if (reported >= 0) {
    if (reported < hl) { p.bad(); return; }
    p.u(TCP.len, reported - hl);
  }
  if (end - off < 18) { p.bad(); return; }
  p.u(TCP.checksum, (b[off + 16] << 8) | b[off + 17]);
  if (end - off < 20) { p.bad(); return; }
  p.u(TCP.urgent_pointer, (b[off + 18] << 8) | b[off + 19]);
  if (end - off < hl) { // options cut by the snaplen: tshark shows those that fit
    options(p, b, off + 20, end);
    p.bad();
    return;
  }
  options(p, b, off + 20, off + hl);
  const payload = off + hl;
  p.payload(PAYLOAD_TCP, payload, end);
  // no port decoder took the payload: tshark hands it to "data"
  if (payload < end && reported !== hl && !decodeTcpPayload(p, sport, dport, b, payload, end)) p.enter("data");
}

export const tcp: Protocol = { name: "tcp", ipProtos: [6], decode: decodeTcp };
