/**
 * What rules look at in a packet, read straight from the record bytes (the packet table keeps no
 * payload): link layer → IP (tunnels: IP-in-IP, GRE, VXLAN, innermost wins) → TCP/UDP/ICMP and the
 * payload's place. One reused object; IPv4/IPv6 fragments are reassembled with capped memory.
 */

export const LINK = { NULL: 0, ETHERNET: 1, PPP: 9, RAW: 101, RAW12: 12, RAW14: 14, CHDLC: 104, PPP_SERIAL: 50, LOOP: 108, SLL: 113, SLL2: 276, IPV4: 228, IPV6: 229, PPP_ETHER: 51 };

export class Decoded {
  /** 0: no IP header found */
  ipv = 0;
  buf: Buffer = Buffer.alloc(0);
  /** IPv4 addresses as numbers (-1 for IPv6) */
  src4 = -1;
  dst4 = -1;
  /** offsets of the 16-byte IPv6 addresses in buf */
  src6 = -1;
  dst6 = -1;
  /** transport protocol (after IPv6 extension headers), -1 unknown */
  proto = -1;
  ttl = 0;
  /** IP datagram: header offset, header length, end (clipped to captured bytes) */
  ipOff = 0;
  ipEnd = 0;
  /** a fragment that is not (yet) reassembled: no transport header */
  fragment = false;
  /** this packet is a datagram rebuilt from fragments */
  rebuilt = false;
  sport = -1;
  dport = -1;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  itype = -1;
  icode = -1;
  /** payload at buf[payOff, payOff + payLen) */
  payOff = 0;
  payLen = 0;
  /** transport header present and sane */
  l4ok = false;

  clear(): void {
    this.ipv = 0; this.src4 = -1; this.dst4 = -1; this.src6 = -1; this.dst6 = -1; this.proto = -1; this.ttl = 0;
    this.fragment = false; this.rebuilt = false; this.sport = -1; this.dport = -1; this.tcpFlags = 0; this.seq = 0; this.ack = 0;
    this.itype = -1; this.icode = -1; this.payOff = 0; this.payLen = 0; this.l4ok = false;
  }

  /** source address as bigint (IPv6) */
  srcBig(): bigint { return big(this.buf, this.src6); }
  dstBig(): bigint { return big(this.buf, this.dst6); }
  srcText(): string { return this.ipv === 4 ? v4Text(this.src4) : v6Text(this.buf, this.src6); }
  dstText(): string { return this.ipv === 4 ? v4Text(this.dst4) : v6Text(this.buf, this.dst6); }
}

function big(b: Buffer, off: number): bigint {
  return (b.readBigUInt64BE(off) << 64n) | b.readBigUInt64BE(off + 8);
}

export function v4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function v6Text(b: Buffer, off: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(off + i * 2));
  // longest run of zeros (≥ 2) becomes ::
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

const MAX_DEPTH = 8;

/** Fragment reassembly (first-wins overlaps), capped in datagrams and bytes. */
class Defrag {
  private readonly pending = new Map<string, { parts: { off: number; data: Buffer }[]; total: number; bytes: number; t: number }>();
  private held = 0;
  dropped = 0;
  constructor(private readonly maxDatagrams = 4096, private readonly maxBytes = 32 << 20) {}

  /** Adds a fragment; returns the whole transport payload when complete. */
  add(key: string, off: number, more: boolean, data: Buffer, t: number): Buffer | null {
    let e = this.pending.get(key);
    if (e === undefined) {
      if (this.pending.size >= this.maxDatagrams) this.evict();
      e = { parts: [], total: -1, bytes: 0, t };
      this.pending.set(key, e);
    }
    if (off + data.length > 65535 + 8 || e.bytes + data.length > 65535 * 2) { this.pending.delete(key); this.held -= e.bytes; this.dropped++; return null; }
    while (this.held + data.length > this.maxBytes && this.pending.size > 1) this.evict();
    e.parts.push({ off, data: Buffer.from(data) });
    e.bytes += data.length;
    this.held += data.length;
    if (!more) e.total = off + data.length;
    if (e.total < 0) return null;
    const parts = e.parts.slice().sort((a, b) => a.off - b.off);
    let have = 0;
    for (const p of parts) {
      if (p.off > have) return null;
      have = Math.max(have, p.off + p.data.length);
    }
    if (have < e.total) return null;
    const out = Buffer.alloc(e.total);
    // first fragment received wins on overlap: write in reverse arrival order
    for (let i = e.parts.length - 1; i >= 0; i--) {
      const p = e.parts[i];
      p.data.copy(out, p.off, 0, Math.min(p.data.length, e.total - p.off));
    }
    this.pending.delete(key);
    this.held -= e.bytes;
    return out;
  }

  private evict(): void {
    const k = this.pending.keys().next().value;
    if (k === undefined) return;
    this.held -= this.pending.get(k)!.bytes;
    this.pending.delete(k);
    this.dropped++;
  }
}

export class PacketDecoder {
  readonly d = new Decoded();
  private readonly defrag = new Defrag();
  /** decoding stopped on a bad header (counted, not thrown) */
  bad = 0;
  get fragmentsDropped(): number { return this.defrag.dropped; }

  /** Decodes one record; returns the reused Decoded (ipv 0 when there is no IP). */
  decode(b: Buffer, off: number, end: number, linkType: number, t: number): Decoded {
    const d = this.d;
    d.clear();
    d.buf = b;
    this.link(b, off, end, linkType, t, 0);
    return d;
  }

  private link(b: Buffer, off: number, end: number, lt: number, t: number, depth: number): void {
    switch (lt) {
      case LINK.ETHERNET: return this.ether(b, off, end, t, depth);
      case LINK.NULL: case LINK.LOOP: {
        if (end - off < 4) return;
        const fam = lt === LINK.LOOP ? b.readUInt32BE(off) : (b[off] !== 0 ? b.readUInt32LE(off) : b.readUInt32BE(off));
        if (fam === 2) return this.ip4(b, off + 4, end, t, depth);
        if (fam === 24 || fam === 28 || fam === 30 || fam === 10) return this.ip6(b, off + 4, end, t, depth);
        return;
      }
      case LINK.RAW: case LINK.RAW12: case LINK.RAW14: return this.ipAny(b, off, end, t, depth);
      case LINK.IPV4: return this.ip4(b, off, end, t, depth);
      case LINK.IPV6: return this.ip6(b, off, end, t, depth);
      case LINK.SLL: if (end - off >= 16) this.etherType(b.readUInt16BE(off + 14), b, off + 16, end, t, depth); return;
      case LINK.SLL2: if (end - off >= 20) this.etherType(b.readUInt16BE(off), b, off + 20, end, t, depth); return;
      case LINK.PPP: case LINK.PPP_SERIAL: return this.ppp(b, off, end, t, depth);
      case LINK.CHDLC: if (end - off >= 4) this.etherType(b.readUInt16BE(off + 2), b, off + 4, end, t, depth); return;
      default: return;
    }
  }

  private ppp(b: Buffer, off: number, end: number, t: number, depth: number): void {
    if (end - off >= 2 && b[off] === 0xff && b[off + 1] === 0x03) off += 2;
    if (end - off < 1) return;
    let proto: number;
    if (b[off] & 1) { proto = b[off]; off += 1; } else { if (end - off < 2) return; proto = b.readUInt16BE(off); off += 2; }
    if (proto === 0x21) return this.ip4(b, off, end, t, depth);
    if (proto === 0x57) return this.ip6(b, off, end, t, depth);
  }

  private ether(b: Buffer, off: number, end: number, t: number, depth: number): void {
    if (end - off < 14) return;
    const type = b.readUInt16BE(off + 12);
    if (type < 1536) {
      // 802.3 with LLC/SNAP
      if (end - off >= 22 && b[off + 14] === 0xaa && b[off + 15] === 0xaa) this.etherType(b.readUInt16BE(off + 20), b, off + 22, end, t, depth);
      return;
    }
    this.etherType(type, b, off + 14, end, t, depth);
  }

  private etherType(type: number, b: Buffer, off: number, end: number, t: number, depth: number): void {
    for (let i = 0; i < 8; i++) {
      if (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
        if (end - off < 4) return;
        type = b.readUInt16BE(off + 2);
        off += 4;
        continue;
      }
      break;
    }
    switch (type) {
      case 0x0800: return this.ip4(b, off, end, t, depth);
      case 0x86dd: return this.ip6(b, off, end, t, depth);
      case 0x8847: case 0x8848: {
        for (let i = 0; i < 16; i++) {
          if (end - off < 4) return;
          const bos = b[off + 2] & 1;
          off += 4;
          if (bos) break;
        }
        return this.ipAny(b, off, end, t, depth);
      }
      case 0x8864: // PPPoE session
        if (end - off < 8) return;
        return this.ppp(b, off + 6, end, t, depth);
      default: return;
    }
  }

  private ipAny(b: Buffer, off: number, end: number, t: number, depth: number): void {
    if (end - off < 1) return;
    const v = b[off] >> 4;
    if (v === 4) this.ip4(b, off, end, t, depth);
    else if (v === 6) this.ip6(b, off, end, t, depth);
  }

  private ip4(b: Buffer, off: number, end: number, t: number, depth: number): void {
    if (end - off < 20 || b[off] >> 4 !== 4) return;
    const hl = (b[off] & 15) * 4;
    const tot = b.readUInt16BE(off + 2);
    if (hl < 20 || tot < hl || end - off < hl) { this.bad++; return; }
    const d = this.d;
    d.ipv = 4;
    d.src4 = b.readUInt32BE(off + 12);
    d.dst4 = b.readUInt32BE(off + 16);
    d.src6 = d.dst6 = -1;
    d.ttl = b[off + 8];
    d.proto = b[off + 9];
    d.ipOff = off;
    const e = Math.min(end, off + tot);
    d.ipEnd = e;
    d.fragment = false;
    const fl = b.readUInt16BE(off + 6);
    const more = (fl & 0x2000) !== 0, foff = (fl & 0x1fff) * 8;
    if (more || foff !== 0) {
      const key = `4|${d.src4}|${d.dst4}|${b.readUInt16BE(off + 4)}|${d.proto}`;
      const whole = this.defrag.add(key, foff, more, b.subarray(off + hl, e), t);
      if (whole === null) { d.fragment = true; return; }
      d.rebuilt = true;
      d.buf = whole;
      return this.transport(whole, 0, whole.length, d.proto, t, depth);
    }
    this.transport(b, off + hl, e, d.proto, t, depth);
  }

  private ip6(b: Buffer, off: number, end: number, t: number, depth: number): void {
    if (end - off < 40 || b[off] >> 4 !== 6) return;
    const d = this.d;
    d.ipv = 6;
    d.src4 = d.dst4 = -1;
    d.src6 = off + 8;
    d.dst6 = off + 24;
    d.ttl = b[off + 7];
    d.ipOff = off;
    const e = Math.min(end, off + 40 + b.readUInt16BE(off + 4));
    d.ipEnd = e;
    d.fragment = false;
    let nxt = b[off + 6], o = off + 40;
    for (let i = 0; i < 16; i++) {
      if (nxt === 0 || nxt === 43 || nxt === 60 || nxt === 51) {
        if (e - o < 8) { d.proto = nxt; return; }
        const len = nxt === 51 ? (b[o + 1] + 2) * 4 : (b[o + 1] + 1) * 8;
        nxt = b[o];
        o += len;
        continue;
      }
      if (nxt === 44) {
        if (e - o < 8) { d.proto = nxt; return; }
        const inner = b[o];
        const fo = b.readUInt16BE(o + 2);
        const foff = fo & 0xfff8, more = (fo & 1) !== 0;
        d.proto = inner;
        if (foff === 0 && !more) { nxt = inner; o += 8; continue; } // atomic fragment
        // addresses must outlive the record buffer once rebuilt: copy them into the datagram's header
        const key = `6|${b.toString("latin1", off + 8, off + 40)}|${b.readUInt32BE(o + 4)}`;
        const whole = this.defrag.add(key, foff, more, b.subarray(o + 8, e), t);
        if (whole === null) { d.fragment = true; return; }
        const buf = Buffer.alloc(32 + whole.length);
        b.copy(buf, 0, off + 8, off + 40);
        whole.copy(buf, 32);
        d.buf = buf;
        d.src6 = 0;
        d.dst6 = 16;
        d.rebuilt = true;
        return this.transport(buf, 32, buf.length, inner, t, depth);
      }
      break;
    }
    d.proto = nxt;
    this.transport(b, o, e, nxt, t, depth);
  }

  private transport(b: Buffer, off: number, end: number, proto: number, t: number, depth: number): void {
    const d = this.d;
    d.buf = b;
    switch (proto) {
      case 6: {
        if (end - off < 20) { this.bad++; return; }
        const hl = (b[off + 12] >> 4) * 4;
        d.sport = b.readUInt16BE(off);
        d.dport = b.readUInt16BE(off + 2);
        d.seq = b.readUInt32BE(off + 4);
        d.ack = b.readUInt32BE(off + 8);
        d.tcpFlags = b[off + 13];
        if (hl < 20 || end - off < hl) { this.bad++; return; }
        d.payOff = off + hl;
        d.payLen = end - off - hl;
        d.l4ok = true;
        return;
      }
      case 17: {
        if (end - off < 8) { this.bad++; return; }
        d.sport = b.readUInt16BE(off);
        d.dport = b.readUInt16BE(off + 2);
        const ulen = b.readUInt16BE(off + 4);
        const e = ulen >= 8 && off + ulen < end ? off + ulen : end;
        d.payOff = off + 8;
        d.payLen = e - off - 8;
        d.l4ok = true;
        if ((d.dport === 4789 || d.sport === 4789) && depth < MAX_DEPTH && d.payLen >= 8 + 14 && (b[off + 8] & 0x08) !== 0) {
          const save = this.snapshot();
          this.ether(b, off + 16, e, t, depth + 1);
          if (this.d.ipv === 0 || !this.d.l4ok) this.restore(save);
        }
        return;
      }
      case 1: case 58: {
        if (end - off < 4) { this.bad++; return; }
        d.itype = b[off];
        d.icode = b[off + 1];
        const hdr = Math.min(8, end - off);
        d.payOff = off + hdr;
        d.payLen = end - off - hdr;
        d.l4ok = true;
        return;
      }
      case 4: case 41:
        if (depth < MAX_DEPTH) return proto === 4 ? this.ip4(b, off, end, t, depth + 1) : this.ip6(b, off, end, t, depth + 1);
        return;
      case 47: {
        if (depth >= MAX_DEPTH || end - off < 4) return;
        const fl = b.readUInt16BE(off), type = b.readUInt16BE(off + 2);
        const ver = fl & 7;
        let o = off + 4;
        if (ver === 0) {
          if (fl & 0x8000) o += 4;
          if (fl & 0x2000) o += 4;
          if (fl & 0x1000) o += 4;
        } else if (ver === 1) {
          o += 4;
          if (fl & 0x1000) o += 4;
          if (fl & 0x0080) o += 4;
          if (type === 0x880b) return this.ppp(b, o, end, t, depth + 1);
        } else return;
        if (type === 0x6558) return this.ether(b, o, end, t, depth + 1);
        return this.etherType(type, b, o, end, t, depth + 1);
      }
      default:
        d.payOff = off;
        d.payLen = end - off;
    }
  }

  private snapshot(): number[] {
    const d = this.d;
    return [d.ipv, d.src4, d.dst4, d.src6, d.dst6, d.proto, d.ttl, d.ipOff, d.ipEnd, d.sport, d.dport, d.payOff, d.payLen, d.l4ok ? 1 : 0];
  }

  private restore(s: number[]): void {
    const d = this.d;
    [d.ipv, d.src4, d.dst4, d.src6, d.dst6, d.proto, d.ttl, d.ipOff, d.ipEnd, d.sport, d.dport, d.payOff, d.payLen] = s;
    d.l4ok = s[13] === 1;
    d.tcpFlags = 0; d.itype = -1; d.icode = -1; d.fragment = false;
  }
}
