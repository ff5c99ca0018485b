/**
 * The interface decoders write through. `src/decode` owns it; the packet table's builder
 * (src/table/builder.ts) implements it, so decoders know nothing of storage. Writes are first
 * occurrence wins unless the method says otherwise.
 */
import type { FieldDef } from "../fields/registry";
import type { ConnectionIds } from "./connections";

/** Tunnel and nesting depth beyond which decoders stop (GRE in GRE in …). */
export const MAX_DEPTH = 32;

export interface Packet {
  /** the row being written (frame.number - 1) */
  readonly row: number;
  /** nesting depth of the layers entered so far (see `enter`) */
  depth: number;
  /** how many tunnels (GRE, VXLAN, IP-in-IP …) the decoders have entered in this packet */
  tunnel: number;
  /**
   * Scratch for the current packet: the reported length of the innermost IP payload (from the IP
   * header, not the captured bytes), so TCP can compute tcp.len on snaplen-cut packets.
   */
  ipPayloadLen: number;
  /** the innermost IP header decoded so far: offset in the record's buffer, version (0: none) */
  ipOff: number;
  ipVersion: number;
  /** connection ids for decoders with per-connection state; `fromLower` tells the direction */
  readonly connections: ConnectionIds;

  /** the record's time (seconds, nanoseconds) and capture interface */
  frameTime(sec: number, nsec: number): void;
  frameInterface(iface: number): void;
  /** a numeric field */
  u(f: FieldDef, v: number): void;
  /** a numeric field where the last occurrence wins (innermost header of a tunnel) */
  uLast(f: FieldDef, v: number): void;
  /** a string field (cut to the table's longest string) */
  s(f: FieldDef, v: string): void;
  /** address fields from the bytes at `off` */
  mac(f: FieldDef, b: Uint8Array, off: number): void;
  ipv4(f: FieldDef, b: Uint8Array, off: number): void;
  ipv6(f: FieldDef, b: Uint8Array, off: number): void;
  ipv4Last(f: FieldDef, b: Uint8Array, off: number): void;
  ipv6Last(f: FieldDef, b: Uint8Array, off: number): void;
  /** whether the packet already has a value for `f` */
  has(f: FieldDef): boolean;
  /** enters a protocol layer (extends frame.protocols); false past MAX_DEPTH */
  enter(name: string): boolean;
  /** marks the packet malformed */
  bad(): void;
  /** a layer too short for the fields its spec declares (user-defined protocols): counted in the warnings */
  short(protocol: string): void;
  /** the current packet's connection id (innermost IP addresses and these ports, direction-free) */
  connection(b: Uint8Array, srcport: number, dstport: number): number;
  /** decodes a packet quoted inside this one (an ICMP error's copy); its headers are no tunnel, no payload */
  quoted(decode: (p: Packet, b: Buffer, off: number, end: number) => void, b: Buffer, off: number, end: number): void;
  /**
   * Where the transport payload is: [off, end) of the record's buffer, from the TCP or UDP header
   * whose fields the packet keeps (a TCP header takes the place of an earlier UDP one: VXLAN). The
   * replay pass (src/stream) hands these bytes to flows, application tables, files and rules.
   */
  payload(kind: PayloadKind, off: number, end: number): void;
  /** an IP fragment's data: [off, end) of the record's buffer (the defragmenter's input) */
  fragment(off: number, end: number): void;
}

/** which transport header a packet's payload follows (0: none) */
export type PayloadKind = 0 | 1 | 2 | 3;
export const PAYLOAD_NONE = 0, PAYLOAD_UDP = 1, PAYLOAD_TCP = 2, PAYLOAD_ICMP = 3;
