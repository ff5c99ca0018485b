/**
 * Packet builder: one reused buffer, layers written front to back, lengths and checksums patched
 * by `finish()`. Nothing is allocated per packet.
 */

export type Mac = Uint8Array; // 6 bytes
export type IPv6 = Uint8Array; // 16 bytes

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_IPV6 = 0x86dd;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export function mac(s: string): Mac {
  const parts = s.split(":");
  if (parts.length !== 6) throw new Error(`bad MAC ${s}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function ip4(s: string): number {
  const p = s.split(".").map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 ${s}`);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function ip4str(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function ip6(s: string): IPv6 {
  const out = new Uint8Array(16);
  const [head, tail] = s.includes("::") ? s.split("::") : [s, null];
  const hs = head === "" ? [] : head.split(":");
  const ts = tail === null || tail === "" ? [] : tail.split(":");
  const words = tail === null ? hs : [...hs, ...new Array(8 - hs.length - ts.length).fill("0"), ...ts];
  if (words.length !== 8) throw new Error(`bad IPv6 ${s}`);
  words.forEach((w, i) => {
    const v = parseInt(w, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 255;
  });
  return out;
}

/** Solicited-node multicast address ff02::1:ffXX:XXXX of an IPv6 address. */
export function solicitedNode(a: IPv6): IPv6 {
  const o = ip6("ff02::1:ff00:0");
  o[13] = a[13];
  o[14] = a[14];
  o[15] = a[15];
  return o;
}

/** Ethernet multicast MAC 33:33:xx:xx:xx:xx of an IPv6 multicast address. */
export function mcastMac6(a: IPv6): Mac {
  return Uint8Array.from([0x33, 0x33, a[12], a[13], a[14], a[15]]);
}

/** Modified EUI-64 link-local / SLAAC interface id from a MAC. */
export function eui64(prefix: string, m: Mac): IPv6 {
  const a = ip6(prefix);
  a[8] = m[0] ^ 2;
  a[9] = m[1];
  a[10] = m[2];
  a[11] = 0xff;
  a[12] = 0xfe;
  a[13] = m[3];
  a[14] = m[4];
  a[15] = m[5];
  return a;
}

export const BROADCAST: Mac = mac("ff:ff:ff:ff:ff:ff");
export const ZERO_MAC: Mac = mac("00:00:00:00:00:00");

/** one's-complement sum of 16-bit big-endian words of b[start, end), added to acc (not folded) */
export function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  let s = 0;
  const last = end - 1;
  for (; i < last; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < end) s += b[i] << 8;
  return acc + s;
}

export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc % 65536) + Math.floor(acc / 65536);
  return acc;
}

export class Frame {
  readonly buf: Buffer = Buffer.alloc(1 << 17);
  /** write position / final length */
  pos = 0;
  /** interface / pcapng options for the current frame */
  comment: string | undefined = undefined;
  vlan = 0;
  private ethTypeAt = 12;
  private l3 = -1;
  private l3kind = 0; // 4, 6 or 0
  private l4 = -1;
  private l4proto = 0;
  /** minimum frame length (Ethernet padding); 60 on the wire without FCS */
  minLength = 60;

  /** Start an Ethernet II frame (802.1Q tag when vlan > 0; QinQ when outerVlan > 0 too). */
  eth(dst: Mac, src: Mac, vlan = 0, outerVlan = 0, pcp = 0): this {
    const b = this.buf;
    b.set(dst, 0);
    b.set(src, 6);
    let p = 12;
    if (outerVlan > 0) {
      b.writeUInt16BE(ETH_QINQ, p);
      b.writeUInt16BE(outerVlan & 0xfff, p + 2);
      p += 4;
    }
    if (vlan > 0) {
      b.writeUInt16BE(ETH_VLAN, p);
      b.writeUInt16BE(((pcp & 7) << 13) | (vlan & 0xfff), p + 2);
      p += 4;
    }
    this.ethTypeAt = p;
    this.pos = p + 2;
    this.l3 = -1;
    this.l3kind = 0;
    this.l4 = -1;
    this.l4proto = 0;
    this.comment = undefined;
    this.vlan = vlan;
    this.minLength = 60 + (p - 12);
    return this;
  }

  arp(op: number, sha: Mac, spa: number, tha: Mac, tpa: number): this {
    const b = this.buf;
    b.writeUInt16BE(ETH_ARP, this.ethTypeAt);
    let p = this.pos;
    b.writeUInt16BE(1, p);
    b.writeUInt16BE(0x0800, p + 2);
    b[p + 4] = 6;
    b[p + 5] = 4;
    b.writeUInt16BE(op, p + 6);
    b.set(sha, p + 8);
    b.writeUInt32BE(spa >>> 0, p + 14);
    b.set(tha, p + 18);
    b.writeUInt32BE(tpa >>> 0, p + 24);
    this.pos = p + 28;
    return this;
  }

  ipv4(src: number, dst: number, proto: number, ttl: number, id: number, df: boolean, tos = 0): this {
    const b = this.buf;
    b.writeUInt16BE(ETH_IPV4, this.ethTypeAt);
    const p = this.pos;
    b[p] = 0x45;
    b[p + 1] = tos;
    b.writeUInt16BE(0, p + 2); // total length: finish()
    b.writeUInt16BE(id & 0xffff, p + 4);
    b.writeUInt16BE(df ? 0x4000 : 0, p + 6);
    b[p + 8] = ttl;
    b[p + 9] = proto;
    b.writeUInt16BE(0, p + 10);
    b.writeUInt32BE(src >>> 0, p + 12);
    b.writeUInt32BE(dst >>> 0, p + 16);
    this.l3 = p;
    this.l3kind = 4;
    this.l4proto = proto;
    this.pos = p + 20;
    return this;
  }

  ipv6(src: IPv6, dst: IPv6, nextHeader: number, hopLimit: number, flowLabel = 0, tclass = 0): this {
    const b = this.buf;
    b.writeUInt16BE(ETH_IPV6, this.ethTypeAt);
    const p = this.pos;
    b.writeUInt32BE(((6 << 28) | ((tclass & 0xff) << 20) | (flowLabel & 0xfffff)) >>> 0, p);
    b.writeUInt16BE(0, p + 4); // payload length: finish()
    b[p + 6] = nextHeader;
    b[p + 7] = hopLimit;
    b.set(src, p + 8);
    b.set(dst, p + 24);
    this.l3 = p;
    this.l3kind = 6;
    this.l4proto = nextHeader;
    this.pos = p + 40;
    return this;
  }

  /** IPv6 hop-by-hop header with a Router Alert option (MLD) — next header given */
  hopByHopRouterAlert(next: number): this {
    const b = this.buf;
    const p = this.pos;
    b[p] = next;
    b[p + 1] = 0;
    b[p + 2] = 5; // router alert
    b[p + 3] = 2;
    b[p + 4] = 0;
    b[p + 5] = 0;
    b[p + 6] = 1; // PadN
    b[p + 7] = 0;
    this.l4proto = next;
    this.pos = p + 8;
    return this;
  }

  udp(sport: number, dport: number): this {
    const b = this.buf;
    const p = this.pos;
    b.writeUInt16BE(sport, p);
    b.writeUInt16BE(dport, p + 2);
    b.writeUInt32BE(0, p + 4);
    this.l4 = p;
    this.l4proto = PROTO_UDP;
    this.pos = p + 8;
    return this;
  }

  /** TCP header; `opts` are raw option bytes (padded here to 32 bits with NOPs… EOL). */
  tcp(sport: number, dport: number, seq: number, ack: number, flags: number, window: number, opts?: Uint8Array, optLen = opts ? opts.length : 0): this {
    const b = this.buf;
    const p = this.pos;
    const olen = (optLen + 3) & ~3;
    b.writeUInt16BE(sport, p);
    b.writeUInt16BE(dport, p + 2);
    b.writeUInt32BE(seq >>> 0, p + 4);
    b.writeUInt32BE(flags & TCP_ACK ? ack >>> 0 : 0, p + 8);
    b[p + 12] = ((20 + olen) / 4) << 4;
    b[p + 13] = flags;
    b.writeUInt16BE(window & 0xffff, p + 14);
    b.writeUInt32BE(0, p + 16); // checksum, urgent pointer
    if (opts !== undefined && optLen > 0) b.set(opts.subarray(0, optLen), p + 20);
    for (let i = optLen; i < olen; i++) b[p + 20 + i] = 0;
    this.l4 = p;
    this.l4proto = PROTO_TCP;
    this.pos = p + 20 + olen;
    return this;
  }

  /** ICMP / ICMPv6 header: type, code, checksum (finish), 32-bit rest */
  icmp(type: number, code: number, rest: number): this {
    const b = this.buf;
    const p = this.pos;
    b[p] = type;
    b[p + 1] = code;
    b.writeUInt16BE(0, p + 2);
    b.writeUInt32BE(rest >>> 0, p + 4);
    this.l4 = p;
    this.pos = p + 8;
    return this;
  }

  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  bytes(v: Uint8Array): this {
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }
  ascii(s: string): this {
    this.pos += this.buf.write(s, this.pos, "latin1");
    return this;
  }
  zeros(n: number): this {
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Patch lengths and checksums, pad to the Ethernet minimum; returns the frame length. */
  finish(): number {
    const b = this.buf;
    const end = this.pos;
    if (this.l3kind === 4) {
      const p = this.l3;
      b.writeUInt16BE(end - p, p + 2);
      b.writeUInt16BE(0, p + 10);
      b.writeUInt16BE(~fold(sum16(b, p, p + 20, 0)) & 0xffff, p + 10);
    } else if (this.l3kind === 6) {
      b.writeUInt16BE(end - this.l3 - 40, this.l3 + 4);
    }
    if (this.l4 >= 0 && this.l3kind !== 0) {
      const p = this.l4;
      const len = end - p;
      const proto = this.l4proto;
      let csAt: number;
      if (proto === PROTO_UDP) {
        b.writeUInt16BE(len, p + 4);
        csAt = p + 6;
      } else if (proto === PROTO_TCP) csAt = p + 16;
      else csAt = p + 2; // ICMP, ICMPv6
      b.writeUInt16BE(0, csAt);
      let acc = 0;
      if (proto !== PROTO_ICMP) {
        // pseudo header
        if (this.l3kind === 4) acc = sum16(b, this.l3 + 12, this.l3 + 20, 0) + proto + len;
        else acc = sum16(b, this.l3 + 8, this.l3 + 40, 0) + proto + len;
      }
      acc = sum16(b, p, end, acc);
      let cs = ~fold(acc) & 0xffff;
      if (cs === 0 && proto === PROTO_UDP) cs = 0xffff;
      b.writeUInt16BE(cs, csAt);
    }
    if (end < this.minLength) {
      b.fill(0, end, this.minLength);
      this.pos = this.minLength;
    }
    return this.pos;
  }

  /** the finished frame (a view into the reused buffer) */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
