/**
 * The frame: what the capture file says of each record (time, lengths, interface), and the entry
 * point that hands the record's bytes to the link-layer decoder.
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeLink } from "./dispatch";

/** the layer tshark names for bytes no decoder claims; every decoder may enter it */
defineProtocol("data");

export const F = {
  number: defineField("frame.number", { storage: "derived", description: "Frame number, from 1" }),
  time_epoch: defineField("frame.time_epoch", { display: "time", description: "Arrival time, seconds since 1970-01-01 UTC" }),
  time_relative: defineField("frame.time_relative", { display: "time", description: "Seconds since the first frame" }),
  time_delta: defineField("frame.time_delta", { display: "time", description: "Seconds since the previous frame" }),
  len: defineField("frame.len", { storage: "u32", description: "Frame length on the wire" }),
  // stored only where it differs from frame.len (a snaplen cut): see Capture
  cap_len: defineField("frame.cap_len", { storage: "u32", description: "Bytes captured" }),
  interface_id: defineField("frame.interface_id", { storage: "derived", description: "Capture interface (pcapng)" }),
  protocols: defineField("frame.protocols", { display: "string", storage: "derived", description: "Protocols in the frame, outermost first" }),
  comment: defineField("frame.comment", { display: "string", storage: "derived", description: "Record comment (pcapng)" }),
};

/** Decodes one record into the packet's current row (the caller calls begin/end). */
export function decodeFrame(p: Packet, linkType: number, b: Buffer, off: number, caplen: number, len: number,
  sec: number, nsec: number, iface: number): void {
  if (sec >= 0) p.frameTime(sec, nsec);
  if (iface !== 0) p.frameInterface(iface);
  p.u(F.len, len);
  if (caplen !== len) p.u(F.cap_len, caplen);
  decodeLink(p, linkType, b, off, off + caplen);
}
