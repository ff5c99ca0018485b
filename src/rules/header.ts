/**
 * What rules look at in a packet, taken from what the decoders found: the header facts from the
 * packet table's columns (pulled out once as typed arrays, src/stream/packets.ts: innermost IP
 * addresses and protocol, TTL, ports, TCP flags/seq/ack, ICMP type/code), the payload from the
 * replay pass (src/stream/replay.ts), so a rule sees every link type and tunnel the table decodes.
 * One reused object per pass.
 */
import { PAYLOAD_ICMP, PAYLOAD_TCP, PAYLOAD_UDP } from "../decode/packet";
import { Defragmenter } from "../stream/defrag";
import { sharedPacketsOf, FLOW_FIELDS, V6_BASE, type AddrTable, type PacketArrays } from "../stream/packets";
import type { Replayed } from "../stream/replay";
import type { Capture } from "../table/capture";
import { ipv6Big } from "./address";

/** the packet fields to load for rules (`open(file, { columns: RULE_FIELDS })`): flows' and the TTL */
export const RULE_FIELDS = [...FLOW_FIELDS, "ip.ttl", "ipv6.hlim"];

const EMPTY = Buffer.alloc(0);

export class Hdr {
  /** 4 or 6; 0: no IP header */
  ipv = 0;
  /** address numbers (AddrTable): IPv4 its value, IPv6 2^32 + an index */
  src = -1;
  dst = -1;
  /** transport protocol, -1 unknown */
  proto = -1;
  ttl = 0;
  /** an IP fragment not (yet) reassembled: no transport header */
  fragment = false;
  sport = -1;
  dport = -1;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  itype = -1;
  icode = -1;
  /** payload at buf[payOff, payOff + payLen) */
  buf: Buffer = EMPTY;
  payOff = 0;
  payLen = 0;
  /** transport header present and sane */
  l4ok = false;

  constructor(readonly addrs: AddrTable) {}

  clear(): void {
    this.ipv = 0; this.src = -1; this.dst = -1; this.proto = -1; this.ttl = 0; this.fragment = false;
    this.sport = -1; this.dport = -1; this.tcpFlags = 0; this.seq = 0; this.ack = 0; this.itype = -1; this.icode = -1;
    this.buf = EMPTY; this.payOff = 0; this.payLen = 0; this.l4ok = false;
  }

  /** IPv4 address values (-1 for IPv6), as the address matcher takes them */
  get src4(): number { return this.ipv === 4 ? this.src : -1; }
  get dst4(): number { return this.ipv === 4 ? this.dst : -1; }
  srcBig(): bigint { return this.big(this.src); }
  dstBig(): bigint { return this.big(this.dst); }
  srcText(): string { return this.addrs.text(this.src); }
  dstText(): string { return this.addrs.text(this.dst); }

  private readonly bigs = new Map<number, bigint>();
  private big(a: number): bigint {
    let v = this.bigs.get(a);
    if (v === undefined) {
      v = a >= V6_BASE ? ipv6Big(this.addrs.text(a)) ?? 0n : BigInt(a);
      this.bigs.set(a, v);
    }
    return v;
  }
}

/** The header facts of a capture's rows, and the payload of each replayed packet. */
export class Headers {
  readonly addrs: AddrTable;
  readonly P: PacketArrays;
  /** IP defragmentation with the fragments' bytes (the one defragmenter, src/stream/defrag.ts) */
  private readonly defrag: Defragmenter;

  /** whether the capture has a TTL column (ip.ttl or ipv6.hlim loaded) */
  readonly hasTtl: boolean;

  constructor(cap: Capture) {
    const loaded = (c: string) => { try { cap.column(c); return true; } catch { return false; } };
    this.hasTtl = loaded("ip.ttl") || loaded("ipv6.hlim");
    ({ P: this.P, addrs: this.addrs } = sharedPacketsOf(cap));
    this.defrag = new Defragmenter(this.P);
    // the columns the packet arrays are made of (the TTL aside: only ttl rules need it)
    const missing = FLOW_FIELDS.filter((c) => !loaded(c));
    if (missing.length > 0) {
      throw new Error(`${cap.path}: rules need the packet fields ${missing.join(", ")}: open the capture with them (RULE_FIELDS has them)`);
    }
  }

  /** Fills h from packet p; false when the packet has no IP header. */
  fill(h: Hdr, p: Replayed): boolean {
    h.clear();
    const P = this.P, r = p.base;
    const ipv = P.ipv[r];
    if (ipv === 0) return false;
    h.ipv = ipv;
    h.src = P.src[r];
    h.dst = P.dst[r];
    h.proto = P.proto[r];
    h.ttl = P.ttl[r];
    if (P.fragOff[r] >= 0) {
      if (p.fragOff < 0 || !this.defrag.add(r, p.row, p.b, p.fragOff, p.fragEnd)) { h.fragment = true; return true; }
      // a datagram rebuilt: its transport header's facts are in its first fragment's columns
      const first = this.defrag.firstRow, whole = this.defrag.datagram;
      const proto = P.proto[first];
      h.proto = proto;
      let start = 8, end = whole.length, kind = proto === 6 ? PAYLOAD_TCP : proto === 17 ? PAYLOAD_UDP : PAYLOAD_ICMP;
      if (proto === 6) start = P.tcpHdr[first];
      else if (proto === 17 && P.udpLen[first] >= 8) end = Math.min(end, P.udpLen[first]);
      if (start < 8 || start > end) kind = 0;
      this.transport(h, first, kind, whole, start, end);
      return true;
    }
    this.transport(h, r, p.payKind, p.b, p.payOff, p.payEnd);
    return true;
  }

  /** the transport facts of row r (its columns) and its payload b[off, end) */
  private transport(h: Hdr, r: number, kind: number, b: Buffer, off: number, end: number): void {
    const P = this.P;
    switch (h.proto) {
      case 6:
        if (kind !== PAYLOAD_TCP || P.tcpFlags[r] < 0) return;
        h.sport = P.tcpSport[r];
        h.dport = P.tcpDport[r];
        h.tcpFlags = P.tcpFlags[r] & 0xff;
        h.seq = P.tcpSeq[r];
        h.ack = P.tcpAck[r];
        break;
      case 17:
        if (kind !== PAYLOAD_UDP || P.udpSport[r] < 0) return;
        h.sport = P.udpSport[r];
        h.dport = P.udpDport[r];
        break;
      case 1: case 58:
        if (kind !== PAYLOAD_ICMP || P.icmpType[r] < 0) return;
        h.itype = P.icmpType[r];
        h.icode = P.icmpCode[r];
        break;
      default:
        return;
    }
    h.l4ok = true;
    h.buf = b;
    h.payOff = off;
    h.payLen = end - off;
  }

  warnings(): string[] {
    return this.defrag.warnings();
  }
}
