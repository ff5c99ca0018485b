/**
 * The per-packet inputs of connection tracking, pulled out of the packet table once as flat typed
 * arrays (one `forEach` scan per column: no per-row chunk lookups, no per-packet objects).
 *
 * Addresses become one number each: an IPv4 address is its 32-bit value, an IPv6 address is
 * 2^32 + its index in an address table shared by all IPv6 columns (each dictionary column numbers
 * its values on its own, so codes are mapped once per distinct value).
 */
import { formatIPv4 } from "../fields/registry";
import type { TableBuilder } from "../table/builder";
import { copyCodes, copyNumbers, copyTimes, type NumericArray } from "../table/bulk";
import type { Capture } from "../table/capture";

export const V6_BASE = 2 ** 32;

/**
 * Address numbers ↔ text: the project's one numbering of addresses. An IPv4 address is its 32-bit
 * value; an address given as text (IPv6; a MAC for Ethernet endpoints) is 2^32 + the order it was
 * first seen in. Numbers are exact in a double, also times 65 537 (an endpoint key with a port).
 * Connection tracking, the detectors, the statistics taps and the charts number addresses here.
 */
export class AddrTable {
  private readonly v6: string[] = [];
  private readonly index = new Map<string, number>();
  /** the number of an address given as text (IPv6, MAC) */
  v6Id(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.v6.length;
      this.v6.push(text);
      this.index.set(text, i);
    }
    return V6_BASE + i;
  }
  /** the numbers of a dictionary column's values (code → number; code 0, never a value, is NaN) */
  idsOf(values: readonly string[]): Float64Array {
    const ids = new Float64Array(values.length);
    ids[0] = NaN;
    for (let k = 1; k < values.length; k++) ids[k] = this.v6Id(values[k]);
    return ids;
  }
  text(a: number): string {
    return a >= V6_BASE ? this.v6[a - V6_BASE] : formatIPv4(a);
  }
  isV6(a: number): boolean {
    return a >= V6_BASE;
  }
}

/** Flat per-row inputs (rows of the full table). -1 marks "absent" in signed arrays. */
export interface PacketArrays {
  n: number;
  /** timestamp in seconds (NaN when the record has none) */
  t: Float64Array;
  /** innermost IP source/destination (address numbers), NaN when the packet has no IP */
  src: Float64Array;
  dst: Float64Array;
  /** 4 or 6 (innermost header), 0 when no IP */
  ipv: Uint8Array;
  /** transport protocol of the innermost IP header (after IPv6 extension headers when known), -1 unknown */
  proto: Int16Array;
  /** IP total length of the innermost header (IPv6: payload length + 40) */
  ipLen: Int32Array;
  /** IPv4 header length (IPv6: 40) */
  ipHdr: Int32Array;
  /** whether the packet was tunnelled (inner.* fields present) */
  inner: Uint8Array;
  /** outer IPv4 header of a tunnelled packet: addresses, protocol, total length */
  outSrc: Float64Array;
  outDst: Float64Array;
  outProto: Int16Array;
  outLen: Int32Array;
  tcpSport: Int32Array;
  tcpDport: Int32Array;
  tcpFlags: Int32Array;
  tcpSeq: Uint32Array;
  tcpAck: Uint32Array;
  tcpLen: Int32Array;
  tcpHdr: Int32Array;
  tcpWin: Int32Array;
  udpSport: Int32Array;
  udpDport: Int32Array;
  udpLen: Int32Array;
  icmpType: Int16Array;
  icmpCode: Int16Array;
  /** fragment offset in bytes (-1: not a fragment), more-fragments bit, identification */
  fragOff: Int32Array;
  fragMore: Uint8Array;
  fragId: Float64Array;
  frameLen: Int32Array;
  /** TTL / hop limit of the first IP header (-1: none) */
  ttl: Int16Array;
  /** whether the snaplen cut the packet (frame.cap_len < frame.len) */
  cut: Uint8Array;
  vlan: Int32Array;
}

type Table = TableBuilder;

/** The packet fields connection tracking reads (load only these: `open(file, { columns: FLOW_FIELDS })`). */
export const FLOW_FIELDS = ["frame.len", "frame.cap_len", "vlan.id", "ip.src", "ip.dst", "ip.proto", "ip.len", "ip.hdr_len",
  "ip.flags", "ip.frag_offset", "ip.id", "ipv6.src", "ipv6.dst", "ipv6.plen", "ipv6.nxt", "ipv6.fraghdr.offset",
  "ipv6.fraghdr.more", "ipv6.fraghdr.ident", "inner.ip.src", "inner.ip.dst", "inner.ipv6.src", "inner.ipv6.dst",
  "inner.ip.proto", "inner.ip.len", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len",
  "tcp.hdr_len", "tcp.window_size_value", "udp.srcport", "udp.dstport", "udp.length", "icmp.type", "icmp.code",
  "icmpv6.type", "icmpv6.code"];

/** Copies a numeric field into out[row] (absent rows keep the fill); a field not loaded leaves `out` as it is. */
function fillNum(t: Table, name: string, out: NumericArray): boolean {
  return copyNumbers(t, name, out);
}

/** Fills `out` with IPv6 address numbers for rows where the text column `name` has a value. */
function fillV6(t: Table, name: string, addrs: AddrTable, out: Float64Array, onlyIfNaN: boolean): void {
  const codes = new Int32Array(t.count);
  const values = copyCodes(t, name, codes);
  if (values === null) return;
  // numbered on first use, so the table holds only addresses of packets
  const ids = new Float64Array(values.length).fill(NaN);
  for (let r = 0; r < codes.length; r++) {
    const code = codes[r];
    if (code === 0 || (onlyIfNaN && !Number.isNaN(out[r]))) continue;
    let id = ids[code];
    if (Number.isNaN(id)) id = ids[code] = addrs.v6Id(values[code]);
    out[r] = id;
  }
}

/** The packet arrays of a capture's table, and the view's rows of it (null: every row). */
/**
 * The packet arrays of a table and the address table numbering them, extracted once and shared by
 * every consumer (flows of the capture and of its views, nfstream, rules) while they are in use:
 * held by a WeakRef, so they cost no memory once nobody holds them (then they are extracted again).
 * Consumers read them, never write them.
 */
const sharedArrays = new WeakMap<Table, WeakRef<{ P: PacketArrays; addrs: AddrTable }>>();
export function sharedPackets(t: Table): { P: PacketArrays; addrs: AddrTable } {
  const hit = sharedArrays.get(t)?.deref();
  if (hit !== undefined && hit.P.n === t.count) return hit;
  const addrs = new AddrTable();
  const v = { P: extractPackets(t, addrs), addrs };
  sharedArrays.set(t, new WeakRef(v));
  return v;
}

/** The shared packet arrays of a capture's table (see sharedPackets) and the view's rows of it. */
export function sharedPacketsOf(cap: Capture): { P: PacketArrays; addrs: AddrTable; index: Uint32Array | null } {
  const { table, index } = cap.storage;
  return { ...sharedPackets(table), index };
}

export function packetsOf(cap: Capture, addrs: AddrTable): { P: PacketArrays; index: Uint32Array | null } {
  const { table, index } = cap.storage;
  return { P: extractPackets(table, addrs), index };
}

export function extractPackets(t: Table, addrs: AddrTable): PacketArrays {
  const n = t.count;
  const i32 = () => new Int32Array(n).fill(-1);
  const i16 = () => new Int16Array(n).fill(-1);
  const f64 = () => new Float64Array(n).fill(NaN);
  const p: PacketArrays = {
    n, t: f64(), src: f64(), dst: f64(), ipv: new Uint8Array(n), proto: i16(), ipLen: i32(), ipHdr: i32(),
    inner: new Uint8Array(n), outSrc: f64(), outDst: f64(), outProto: i16(), outLen: i32(),
    tcpSport: i32(), tcpDport: i32(), tcpFlags: i32(), tcpSeq: new Uint32Array(n), tcpAck: new Uint32Array(n),
    tcpLen: i32(), tcpHdr: i32(), tcpWin: i32(), udpSport: i32(), udpDport: i32(), udpLen: i32(),
    icmpType: i16(), icmpCode: i16(), fragOff: i32(), fragMore: new Uint8Array(n), fragId: f64(),
    frameLen: i32(), ttl: i16(), cut: new Uint8Array(n), vlan: i32(),
  };
  // time, truncated to microseconds as libpcap hands it to Zeek (and nfstream)
  const { sec, nsec } = copyTimes(t);
  for (let r = 0; r < n; r++) p.t[r] = sec[r] + Math.floor(nsec[r] / 1000) / 1e6;
  fillNum(t, "frame.len", p.frameLen);
  const capLen = new Float64Array(n).fill(NaN);
  fillNum(t, "frame.cap_len", capLen);
  for (let r = 0; r < n; r++) if (capLen[r] < p.frameLen[r]) p.cut[r] = 1;
  fillNum(t, "vlan.id", p.vlan);
  // the TTL of the first IP header (IPv4's, else IPv6's hop limit), when those columns are loaded
  const hlim = i16();
  fillNum(t, "ip.ttl", p.ttl);
  if (fillNum(t, "ipv6.hlim", hlim)) for (let r = 0; r < n; r++) if (p.ttl[r] < 0) p.ttl[r] = hlim[r];

  // outer (first) IPv4 header
  const ip4src = f64(), ip4dst = f64();
  fillNum(t, "ip.src", ip4src);
  fillNum(t, "ip.dst", ip4dst);
  const ip4proto = i16(), ip4len = i32(), ip4hdr = i32(), ip4flags = i32(), ip4off = i32(), ip4id = i32();
  fillNum(t, "ip.proto", ip4proto);
  fillNum(t, "ip.len", ip4len);
  fillNum(t, "ip.hdr_len", ip4hdr);
  fillNum(t, "ip.flags", ip4flags);
  fillNum(t, "ip.frag_offset", ip4off);
  fillNum(t, "ip.id", ip4id);
  // outer (first) IPv6 header
  const v6src = f64(), v6dst = f64(), v6plen = i32(), v6nxt = i32(), v6off = i32(), v6more = i32(), v6id = f64();
  fillV6(t, "ipv6.src", addrs, v6src, false);
  fillV6(t, "ipv6.dst", addrs, v6dst, false);
  fillNum(t, "ipv6.plen", v6plen);
  fillNum(t, "ipv6.nxt", v6nxt);
  fillNum(t, "ipv6.fraghdr.offset", v6off);
  fillNum(t, "ipv6.fraghdr.more", v6more);
  fillNum(t, "ipv6.fraghdr.ident", v6id);
  // innermost header of tunnelled packets
  const inSrc = f64(), inDst = f64(), inProto = i16(), inLen = i32();
  fillNum(t, "inner.ip.src", inSrc);
  fillNum(t, "inner.ip.dst", inDst);
  fillV6(t, "inner.ipv6.src", addrs, inSrc, true);
  fillV6(t, "inner.ipv6.dst", addrs, inDst, true);
  fillNum(t, "inner.ip.proto", inProto);
  fillNum(t, "inner.ip.len", inLen);
  // transport
  fillNum(t, "tcp.srcport", p.tcpSport);
  fillNum(t, "tcp.dstport", p.tcpDport);
  fillNum(t, "tcp.flags", p.tcpFlags);
  fillNum(t, "tcp.seq_raw", p.tcpSeq);
  fillNum(t, "tcp.ack_raw", p.tcpAck);
  fillNum(t, "tcp.len", p.tcpLen);
  fillNum(t, "tcp.hdr_len", p.tcpHdr);
  fillNum(t, "tcp.window_size_value", p.tcpWin);
  fillNum(t, "udp.srcport", p.udpSport);
  fillNum(t, "udp.dstport", p.udpDport);
  fillNum(t, "udp.length", p.udpLen);
  const icmpT = i16(), icmpC = i16(), icmp6T = i16(), icmp6C = i16();
  fillNum(t, "icmp.type", icmpT);
  fillNum(t, "icmp.code", icmpC);
  fillNum(t, "icmpv6.type", icmp6T);
  fillNum(t, "icmpv6.code", icmp6C);

  for (let r = 0; r < n; r++) {
    // a header cut before its destination address is no IP header for connection tracking
    const tunnelled = !Number.isNaN(inSrc[r]) && !Number.isNaN(inDst[r]);
    if (tunnelled) {
      p.inner[r] = 1;
      p.src[r] = inSrc[r];
      p.dst[r] = inDst[r];
      const v6 = inSrc[r] >= V6_BASE;
      p.ipv[r] = v6 ? 6 : 4;
      p.ipLen[r] = inLen[r];
      p.ipHdr[r] = v6 ? 40 : 20;
      let pr = inProto[r];
      if (pr < 0) pr = v6 ? v6Transport(r, p, icmp6T) : -1;
      p.proto[r] = pr;
      // the outer header (kept for UDP tunnels, which are connections of their own)
      if (!Number.isNaN(ip4src[r])) {
        p.outSrc[r] = ip4src[r];
        p.outDst[r] = ip4dst[r];
        p.outProto[r] = ip4proto[r];
        p.outLen[r] = ip4len[r];
      } else if (!Number.isNaN(v6src[r])) {
        p.outSrc[r] = v6src[r];
        p.outDst[r] = v6dst[r];
        p.outProto[r] = p.udpSport[r] >= 0 ? 17 : -1;
        p.outLen[r] = v6plen[r] + 40;
      }
    } else if (!Number.isNaN(ip4src[r]) && !Number.isNaN(ip4dst[r])) {
      p.src[r] = ip4src[r];
      p.dst[r] = ip4dst[r];
      p.ipv[r] = 4;
      p.proto[r] = ip4proto[r];
      p.ipLen[r] = ip4len[r];
      p.ipHdr[r] = ip4hdr[r] < 0 ? 20 : ip4hdr[r];
      const fl = ip4flags[r] < 0 ? 0 : ip4flags[r];
      const off = ip4off[r] < 0 ? 0 : ip4off[r];
      if ((fl & 1) !== 0 || off !== 0) {
        p.fragOff[r] = off * 8;
        p.fragMore[r] = fl & 1;
        p.fragId[r] = ip4id[r];
      }
    } else if (!Number.isNaN(v6src[r]) && !Number.isNaN(v6dst[r])) {
      p.src[r] = v6src[r];
      p.dst[r] = v6dst[r];
      p.ipv[r] = 6;
      p.ipLen[r] = v6plen[r] + 40;
      p.ipHdr[r] = 40;
      if (v6id[r] === v6id[r]) {
        p.fragOff[r] = v6off[r] * 8;
        p.fragMore[r] = v6more[r] > 0 ? 1 : 0;
        p.fragId[r] = v6id[r];
      }
      p.proto[r] = v6off[r] > 0 ? -1 : v6Transport(r, p, icmp6T, v6nxt[r]);
    } else continue;
    const pr = p.proto[r];
    if (pr === 1) { p.icmpType[r] = icmpT[r]; p.icmpCode[r] = icmpC[r]; }
    else if (pr === 58) { p.icmpType[r] = icmp6T[r]; p.icmpCode[r] = icmp6C[r]; }
  }
  return p;
}

/** IPv6 carries the transport protocol after its extension headers: take it from the decoded layer. */
function v6Transport(r: number, p: PacketArrays, icmp6T: Int16Array, nxt = -1): number {
  if (icmp6T[r] >= 0) return 58;
  if (p.tcpFlags[r] >= 0) return 6;
  if (p.udpSport[r] >= 0) return 17;
  return nxt;
}
