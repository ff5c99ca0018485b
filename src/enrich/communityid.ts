/**
 * Community ID flow hashing, version 1 (corelight/community-id-spec): "1:" + base64(SHA-1(seed,
 * saddr, daddr, proto, 0, sport, dport)) over the flow tuple ordered so both directions give the same
 * id. ICMP and ICMPv6 use type and code as ports, with the reply type as the "destination port" of
 * the message kinds that have one (Zeek's model); other ICMP types are one-way and never reordered.
 *
 * The `communityid` packet field is computed from stored columns when read (nothing is stored per
 * packet), as tshark's post-dissector does: the packet's innermost IP addresses, ICMP type and code
 * first, then TCP/UDP/SCTP ports, else the outermost IP header's protocol number without ports.
 */
import { createHash } from "node:crypto";
import { defineField, fieldByName, type FieldDef } from "../fields/registry";
import { parseIPv6 } from "../fields/ipv6";
import { Capture, type Value } from "../table/capture";
import type { TableBuilder } from "../table/builder";

export const COMMUNITY_ID = defineField("communityid", {
  display: "string", storage: "derived",
  description: "Community ID flow hash (v1, base64) of the packet's flow, as tshark's communityid post-dissector",
});

const ICMP4_PAIRS = new Map<number, number>([[8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [9, 10], [17, 18], [18, 17]]);
const ICMP6_PAIRS = new Map<number, number>([[128, 129], [129, 128], [130, 131], [131, 130], [133, 134], [134, 133],
  [135, 136], [136, 135], [139, 140], [140, 139], [144, 145], [145, 144]]);

/** Checks a seed: an integer 0…65535. */
export function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 65535) throw new RangeError(`Community ID seed must be an integer 0…65535 (got ${seed})`);
  return seed;
}

function lessThan(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/**
 * The v1 Community ID of a tuple given as address bytes (4 or 16 each, network order). `sport` and
 * `dport` are ports, or for ICMP (proto 1) / ICMPv6 (58) the type and code; leave them undefined
 * for a protocol without ports.
 */
export function communityIdBytes(saddr: Uint8Array, daddr: Uint8Array, proto: number, sport?: number, dport?: number, seed = 0): string {
  if (saddr.length !== daddr.length || (saddr.length !== 4 && saddr.length !== 16)) throw new RangeError("Community ID needs two IPv4 or two IPv6 addresses");
  const ports = sport !== undefined && dport !== undefined;
  let sp = sport ?? 0, dp = dport ?? 0, oneWay = false;
  if (ports && (proto === 1 || proto === 58)) {
    const peer = (proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS).get(sp);
    if (peer === undefined) oneWay = true; else dp = peer;
  }
  let a = saddr, b = daddr;
  if (!oneWay) {
    const c = lessThan(a, b);
    const ordered = c < 0 || (c === 0 && (!ports || sp < dp));
    if (!ordered) { a = daddr; b = saddr; const t = sp; sp = dp; dp = t; }
  }
  const n = 2 + 2 * a.length + 2 + (ports ? 4 : 0);
  const buf = Buffer.allocUnsafe(n);
  buf.writeUInt16BE(seed & 0xffff, 0);
  buf.set(a, 2);
  buf.set(b, 2 + a.length);
  let o = 2 + 2 * a.length;
  buf[o++] = proto & 255;
  buf[o++] = 0;
  if (ports) { buf.writeUInt16BE(sp & 0xffff, o); buf.writeUInt16BE(dp & 0xffff, o + 2); }
  return "1:" + createHash("sha1").update(buf).digest("base64");
}

function addrBytes(a: string): Uint8Array {
  if (a.includes(":")) {
    const v = parseIPv6(a);
    if (v === undefined) throw new RangeError(`not an IP address: ${a}`);
    return v;
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new RangeError(`not an IP address: ${a}`);
  return Uint8Array.from(m.slice(1), Number);
}

/**
 * The v1 Community ID of a flow: `communityId("10.0.0.1", "10.0.0.2", 6, 1234, 80)`. Addresses are
 * text (IPv4 dotted or IPv6); proto is the IP protocol number.
 */
export function communityId(src: string, dst: string, proto: number, sport?: number, dport?: number, seed = 0): string {
  return communityIdBytes(addrBytes(src), addrBytes(dst), proto, sport, dport, checkSeed(seed));
}

const v4 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);

// ---- the packet field ------------------------------------------------------------------------

/** Seeds per table (set by open()'s communityIdSeed; views share their table's). */
const seeds = new WeakMap<TableBuilder, number>();

/** Sets the seed the `communityid` field of a capture (or its table) uses (default 0). */
export function setCommunityIdSeed(c: Capture | TableBuilder, seed: number): void {
  seeds.set(c instanceof Capture ? c.storage.table : c, checkSeed(seed));
}

export function communityIdSeed(c: Capture): number {
  return seeds.get(c.storage.table) ?? 0;
}

const F = (n: string): FieldDef => fieldByName(n) as FieldDef;

/**
 * IP fragments as tshark's reassembly sees them: the row that completes a datagram (all its bytes
 * from 0 to the end seen) hashes the transport header of the datagram's first fragment; every
 * other fragment row hashes the IP header only. Built on first use from the stored fragment rows.
 */
interface Fragments { transportRow: Map<number, number>; ipOnly: Set<number> }

function fragments(t: TableBuilder): Fragments {
  const transportRow = new Map<number, number>(), ipOnly = new Set<number>();
  const num = (n: string) => t.num[F(n).id];
  const dict = (n: string) => t.dict[F(n).id];
  const off4 = num("ip.frag_offset"), flags4 = num("ip.flags"), id4 = num("ip.id"), src4 = num("ip.src"), dst4 = num("ip.dst"), proto4 = num("ip.proto");
  const off6 = num("ipv6.fraghdr.offset"), more6 = num("ipv6.fraghdr.more"), id6 = num("ipv6.fraghdr.ident");
  const src6 = dict("ipv6.src"), dst6 = dict("ipv6.dst");
  interface Open { first: number; covered: [number, number][]; end: number }
  const open = new Map<string, Open>();
  t.layers.frag.forEach((r, start) => {
    const len = (t.layers.fragEnd.get(r) ?? start) - start;
    let key: string, off: number, more: boolean;
    const o6 = off6?.get(r);
    if (o6 !== undefined) {
      key = `6 ${src6?.get(r)} ${dst6?.get(r)} ${id6?.get(r)}`;
      off = o6 * 8; more = (more6?.get(r) ?? 0) !== 0;
    } else {
      key = `4 ${src4?.get(r)} ${dst4?.get(r)} ${id4?.get(r)} ${proto4?.get(r)}`;
      off = (off4?.get(r) ?? 0) * 8; more = ((flags4?.get(r) ?? 0) & 1) !== 0;
    }
    let g = open.get(key);
    if (g === undefined) { g = { first: -1, covered: [], end: -1 }; open.set(key, g); }
    if (off === 0) g.first = r;
    if (!more) g.end = off + len;
    g.covered.push([off, off + len]);
    ipOnly.add(r);
    if (g.first < 0 || g.end < 0) return;
    g.covered.sort((a, b) => a[0] - b[0]);
    let reach = 0;
    for (const [a, b] of g.covered) { if (a > reach) break; reach = Math.max(reach, b); }
    if (reach >= g.end) {
      ipOnly.delete(r);
      transportRow.set(r, g.first);
      open.delete(key);
    }
  });
  return { transportRow, ipOnly };
}

/** The reader of the `communityid` column over a table (full-table rows). */
export function communityIdReader(t: TableBuilder): (r: number) => string | undefined {
  const num = (n: string) => t.num[F(n).id];
  const dict = (n: string) => t.dict[F(n).id];
  const src4 = num("ip.src"), dst4 = num("ip.dst"), isrc4 = num("inner.ip.src"), idst4 = num("inner.ip.dst");
  const src6 = dict("ipv6.src"), dst6 = dict("ipv6.dst"), isrc6 = dict("inner.ipv6.src"), idst6 = dict("inner.ipv6.dst");
  const ipProto = num("ip.proto");
  const qt4 = num("inner.icmp.type"), qc4 = num("inner.icmp.code");
  const it4 = num("icmp.type"), ic4 = num("icmp.code"), it6 = num("icmpv6.type"), ic6 = num("icmpv6.code");
  const tsp = num("tcp.srcport"), tdp = num("tcp.dstport"), usp = num("udp.srcport"), udp = num("udp.dstport");
  const ssp = fieldByName("sctp.srcport") ? num("sctp.srcport") : null, sdp = fieldByName("sctp.dstport") ? num("sctp.dstport") : null;
  const v6cache = new Map<string, Uint8Array>();
  const six = (s: string): Uint8Array => {
    let b = v6cache.get(s);
    if (b === undefined) { b = addrBytes(s); if (v6cache.size < 1 << 16) v6cache.set(s, b); }
    return b;
  };
  const quotedBytes = (r: number): number => {
    const p = t.layers.pay.get(r), e = t.layers.payEnd.get(r);
    return p === undefined || e === undefined ? 0 : e - Math.floor(p / 4);
  };
  let frags: Fragments | undefined;
  // packets of a flow share their id: one SHA-1 per distinct tuple (a bounded memo)
  let pair = "";
  const memo = new Map<string, string>();
  const hash = (a: Uint8Array, b: Uint8Array, proto: number, sp: number | undefined, dp: number | undefined, seed: number): string => {
    const key = `${pair} ${proto} ${sp} ${dp} ${seed}`;
    let v = memo.get(key);
    if (v === undefined) {
      v = communityIdBytes(a, b, proto, sp, dp, seed);
      if (memo.size >= 1 << 16) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
  const anyFrag = t.layers.frag.any();
  return (r) => {
    let a: Uint8Array | undefined, b: Uint8Array | undefined;
    let x: number | undefined, y: number | undefined, s: string | undefined, d: string | undefined;
    if ((x = isrc4?.get(r)) !== undefined && (y = idst4?.get(r)) !== undefined) { a = v4(x); b = v4(y); pair = `${x} ${y}`; }
    else if ((s = isrc6?.get(r)) !== undefined && (d = idst6?.get(r)) !== undefined) { a = six(s); b = six(d); pair = `${s} ${d}`; }
    else if ((x = src4?.get(r)) !== undefined && (y = dst4?.get(r)) !== undefined) { a = v4(x); b = v4(y); pair = `${x} ${y}`; }
    else if ((s = src6?.get(r)) !== undefined && (d = dst6?.get(r)) !== undefined) { a = six(s); b = six(d); pair = `${s} ${d}`; }
    else return undefined;
    const seed = seeds.get(t) ?? 0;
    if (anyFrag && t.layers.frag.has(r)) {
      frags ??= fragments(t);
      const first = frags.transportRow.get(r);
      if (first === undefined) return ipOnlyId(a, b, r, seed);
      r = first; // the reassembled datagram's transport header is in its first fragment
    }
    // an ICMP message quoted in an ICMP error: tshark 4.0 reads more than 128 quoted bytes as RFC 4884
    // extensions; when they don't parse, the outer ICMP's state is lost and it hashes the quoted type and code
    if (a.length === 4 && (x = qt4?.get(r)) !== undefined && quotedBytes(r) > 128) return hash(a, b, 1, x, qc4?.get(r) ?? 0, seed);
    if (a.length === 4 && (x = it4?.get(r)) !== undefined) return hash(a, b, 1, x, ic4?.get(r) ?? 0, seed);
    if (a.length === 16 && (x = it6?.get(r)) !== undefined) return hash(a, b, 58, x, ic6?.get(r) ?? 0, seed);
    if ((x = tsp?.get(r)) !== undefined && (y = tdp?.get(r)) !== undefined) return hash(a, b, 6, x, y, seed);
    if ((x = usp?.get(r)) !== undefined && (y = udp?.get(r)) !== undefined) return hash(a, b, 17, x, y, seed);
    if ((x = ssp?.get(r)) !== undefined && (y = sdp?.get(r)) !== undefined) return hash(a, b, 132, x, y, seed);
    return ipOnlyId(a, b, r, seed);
  };
  /**
   * tshark hashes the outermost IPv4 header's protocol without ports; for IPv6 it finds no
   * protocol number (its IPv6 dissector keeps it under another key) and shows no Community ID.
   */
  function ipOnlyId(a: Uint8Array, b: Uint8Array, r: number, seed: number): string | undefined {
    if (a.length !== 4) return undefined;
    const p = ipProto?.get(r);
    return p === undefined || p === 0 ? undefined : hash(a, b, p, undefined, undefined, seed);
  }
}

Capture.derivedReaders.set(COMMUNITY_ID.name, {
  has: (t) => hasIp(t),
  reader: (t) => {
    const read = communityIdReader(t);
    return { get: read as (r: number) => Value, text: (r: number) => read(r) ?? "" };
  },
});

/** Whether any row of the table has an IPv4 or IPv6 address. */
export function hasIp(t: TableBuilder): boolean {
  const a = t.num[F("ip.src").id], b = t.dict[F("ipv6.src").id];
  return (a != null && a.any()) || (b != null && b.codes.any());
}
