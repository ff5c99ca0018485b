/**
 * Where the length-like fields of a packet or a capture file are, so the mutator can make them lie:
 * a shallow walk of the layers the decoders read (link, IPv4/IPv6 and extension headers, TCP/UDP,
 * DNS counts and name pointers, TLS record/handshake/extension lengths, QUIC long-header lengths and
 * varints, HTTP header lines), and of pcap record headers and pcapng blocks. The walk itself is
 * defensive: it stops at the first field that does not fit.
 */

export type FieldKind =
  | "u8" | "u16" | "u24" | "u32" | "u32le"
  /** high or low nibble of a byte (IPv4 IHL, TCP data offset) */
  | "hi4" | "lo4"
  /** a QUIC variable-length integer (length from the two top bits) */
  | "varint"
  /** a DNS compression pointer (2 bytes, top bits 11) */
  | "ptr"
  /** a text header line of HTTP (offset of the line, size = its length) */
  | "line";

export interface LengthField {
  off: number;
  kind: FieldKind;
  /** for "line": the line's length; otherwise unused */
  size?: number;
  name: string;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

/** Length fields of one packet whose link type is `linkType`. */
export function packetFields(b: Uint8Array, linkType: number): LengthField[] {
  const out: LengthField[] = [];
  const end = b.length;
  let o = 0;
  let etype = -1;
  switch (linkType) {
    case 1: {
      o = 12;
      if (o + 2 > end) return out;
      etype = u16(b, o);
      o += 2;
      for (let i = 0; i < 4 && (etype === 0x8100 || etype === 0x88a8) && o + 4 <= end; i++) {
        etype = u16(b, o + 2);
        o += 4;
      }
      break;
    }
    case 101: case 12: case 14: case 228: case 229:
      etype = end > 0 && b[0] >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case 0: case 108:
      o = 4;
      etype = end > 4 && b[4] >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case 113:
      if (end < 16) return out;
      etype = u16(b, 14);
      o = 16;
      break;
    case 276:
      if (end < 20) return out;
      etype = u16(b, 0);
      o = 20;
      break;
    default:
      return out;
  }
  ip(b, o, end, etype, out, 0);
  return out;
}

function ip(b: Uint8Array, o: number, end: number, etype: number, out: LengthField[], depth: number): void {
  if (depth > 2) return;
  let proto = -1, next = -1;
  if (etype === 0x0800) {
    if (o + 20 > end) return;
    out.push({ off: o, kind: "lo4", name: "ip.hdr_len" }, { off: o + 2, kind: "u16", name: "ip.len" });
    const ihl = (b[o] & 15) * 4;
    proto = b[o + 9];
    next = o + Math.max(ihl, 20);
    // options: kind, length
    for (let q = o + 20; q + 1 < o + ihl && q + 1 < end;) {
      if (b[q] === 0 || b[q] === 1) { q++; continue; }
      out.push({ off: q + 1, kind: "u8", name: "ip.opt.len" });
      q += Math.max(b[q + 1], 2);
    }
  } else if (etype === 0x86dd) {
    if (o + 40 > end) return;
    out.push({ off: o + 4, kind: "u16", name: "ipv6.plen" });
    proto = b[o + 6];
    next = o + 40;
    for (let i = 0; i < 8 && (proto === 0 || proto === 43 || proto === 60 || proto === 51 || proto === 44) && next + 8 <= end; i++) {
      if (proto !== 44) out.push({ off: next + 1, kind: "u8", name: `ipv6.ext${proto}.len` });
      const len = proto === 44 ? 8 : proto === 51 ? (b[next + 1] + 2) * 4 : (b[next + 1] + 1) * 8;
      proto = b[next];
      next += len;
    }
  } else return;
  if (next > end) return;
  if (proto === 6) tcp(b, next, end, out);
  else if (proto === 17) udp(b, next, end, out);
  else if (proto === 4) ip(b, next, end, 0x0800, out, depth + 1);
  else if (proto === 41) ip(b, next, end, 0x86dd, out, depth + 1);
  else if (proto === 47 && next + 4 <= end) ip(b, next + 4, end, u16(b, next + 2), out, depth + 1);
}

function tcp(b: Uint8Array, o: number, end: number, out: LengthField[]): void {
  if (o + 20 > end) return;
  out.push({ off: o + 12, kind: "hi4", name: "tcp.hdr_len" });
  const doff = (b[o + 12] >> 4) * 4;
  for (let q = o + 20; q + 1 < o + doff && q + 1 < end;) {
    if (b[q] === 0 || b[q] === 1) { q++; continue; }
    out.push({ off: q + 1, kind: "u8", name: "tcp.option_len" });
    q += Math.max(b[q + 1], 2);
  }
  const pay = o + Math.max(doff, 20);
  if (pay >= end) return;
  const sp = u16(b, o), dp = u16(b, o + 2);
  if (sp === 53 || dp === 53 || sp === 5353 || dp === 5353) {
    if (pay + 2 <= end) out.push({ off: pay, kind: "u16", name: "dns.length" });
    dns(b, pay + 2, end, out);
  } else if (b[pay] >= 0x14 && b[pay] <= 0x18 && pay + 1 < end && b[pay + 1] === 3) tls(b, pay, end, out);
  else http(b, pay, end, out);
}

function udp(b: Uint8Array, o: number, end: number, out: LengthField[]): void {
  if (o + 8 > end) return;
  out.push({ off: o + 4, kind: "u16", name: "udp.length" });
  const sp = u16(b, o), dp = u16(b, o + 2), pay = o + 8;
  const port = (p: number): boolean => sp === p || dp === p;
  if (port(53) || port(5353) || port(5355) || port(137)) dns(b, pay, end, out);
  else if (port(4789) && pay + 8 <= end) {
    // VXLAN: inner Ethernet
    const e = pay + 8;
    if (e + 14 <= end) ip(b, e + 14, end, u16(b, e + 12), out, 1);
  } else if (pay < end && (b[pay] & 0x80) !== 0) quic(b, pay, end, out);
  else if (port(443) || port(80) || port(1900)) http(b, pay, end, out);
}

function dns(b: Uint8Array, msg: number, end: number, out: LengthField[]): void {
  if (msg + 12 > end) return;
  for (let i = 0; i < 4; i++) out.push({ off: msg + 4 + 2 * i, kind: "u16", name: "dns.count" });
  // every label length and compression pointer in the message (a byte-wise scan of the body)
  for (let q = msg + 12; q < end;) {
    const c = b[q];
    if ((c & 0xc0) === 0xc0 && q + 1 < end) {
      out.push({ off: q, kind: "ptr", name: "dns.name.pointer" });
      q += 2;
    } else if (c > 0 && c < 64 && q + 1 + c <= end) {
      out.push({ off: q, kind: "u8", name: "dns.name.label_len" });
      q += 1 + c;
    } else q++;
  }
}

function tls(b: Uint8Array, o: number, end: number, out: LengthField[]): void {
  for (let r = 0; r < 4 && o + 5 <= end; r++) {
    out.push({ off: o + 3, kind: "u16", name: "tls.record.length" });
    const type = b[o], len = u16(b, o + 3);
    if (type === 22 && o + 9 <= end) {
      out.push({ off: o + 6, kind: "u24", name: "tls.handshake.length" });
      const ht = b[o + 5];
      if (ht === 1 || ht === 2) hello(b, o + 9, Math.min(end, o + 5 + len), ht === 1, out);
    }
    o += 5 + len;
  }
}

function hello(b: Uint8Array, o: number, end: number, client: boolean, out: LengthField[]): void {
  o += 2 + 32;
  if (o >= end) return;
  out.push({ off: o, kind: "u8", name: "tls.handshake.session_id_length" });
  o += 1 + b[o];
  if (client) {
    if (o + 2 > end) return;
    out.push({ off: o, kind: "u16", name: "tls.handshake.cipher_suites_length" });
    o += 2 + u16(b, o);
    if (o >= end) return;
    out.push({ off: o, kind: "u8", name: "tls.handshake.comp_methods_length" });
    o += 1 + b[o];
  } else o += 3;
  if (o + 2 > end) return;
  out.push({ off: o, kind: "u16", name: "tls.handshake.extensions_length" });
  o += 2;
  for (let i = 0; i < 64 && o + 4 <= end; i++) {
    const type = u16(b, o), len = u16(b, o + 2);
    out.push({ off: o + 2, kind: "u16", name: `tls.handshake.extension.len(${type})` });
    const body = o + 4;
    if (type === 0 && body + 5 <= end) {
      out.push({ off: body, kind: "u16", name: "tls.sni.list_len" }, { off: body + 3, kind: "u16", name: "tls.sni.len" });
    } else if (type === 16 && body + 3 <= end) {
      out.push({ off: body, kind: "u16", name: "tls.alpn.list_len" }, { off: body + 2, kind: "u8", name: "tls.alpn.str_len" });
    } else if (type === 43 && body < end) {
      out.push({ off: body, kind: "u8", name: "tls.supported_versions_len" });
    }
    o = body + len;
  }
}

function quic(b: Uint8Array, o: number, end: number, out: LengthField[]): void {
  if (o + 7 > end || (b[o] & 0x80) === 0) return;
  const first = b[o];
  let q = o + 5;
  out.push({ off: q, kind: "u8", name: "quic.dcil" });
  q += 1 + b[q];
  if (q >= end) return;
  out.push({ off: q, kind: "u8", name: "quic.scil" });
  q += 1 + b[q];
  if (q >= end) return;
  const type = (first >> 4) & 3;
  if (type === 0) {
    out.push({ off: q, kind: "varint", name: "quic.token_length" });
    q += varintLen(b[q]) + varintValue(b, q, end);
    if (q >= end) return;
  }
  if (type !== 3) out.push({ off: q, kind: "varint", name: "quic.length" });
}

export function varintLen(first: number): number {
  return 1 << (first >> 6);
}

function varintValue(b: Uint8Array, o: number, end: number): number {
  const n = varintLen(b[o]);
  if (o + n > end) return end;
  let v = b[o] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + b[o + i];
  return v;
}

const METHOD = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE|HTTP\/1\.[01]|NOTIFY|M-SEARCH) /;

function http(b: Uint8Array, o: number, end: number, out: LengthField[]): void {
  const head = Buffer.from(b.buffer, b.byteOffset + o, Math.min(end - o, 16)).toString("latin1");
  if (!METHOD.test(head)) return;
  for (let q = o, line = o; q + 1 < end; q++) {
    if (b[q] === 13 && b[q + 1] === 10) {
      if (q === line) break; // end of headers
      out.push({ off: line, kind: "line", size: q - line, name: "http.line" });
      line = q + 2;
      q++;
    }
  }
}

/** Length fields of a whole capture file (pcap record headers, pcapng blocks and options). */
export function fileFields(b: Uint8Array): LengthField[] {
  const out: LengthField[] = [];
  if (b.length < 24) return out;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const m = dv.getUint32(0, true);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xa1b2cd34 || m === 0xd4c3b2a1 || m === 0x4d3cb2a1 || m === 0x34cdb2a1) {
    const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xa1b2cd34;
    const k: FieldKind = le ? "u32le" : "u32";
    const rh = m === 0xa1b2cd34 || m === 0x34cdb2a1 ? 24 : 16;
    out.push({ off: 16, kind: k, name: "pcap.snaplen" }, { off: 20, kind: k, name: "pcap.linktype" }, { off: 4, kind: "u16", name: "pcap.version" });
    for (let o = 24, i = 0; o + rh <= b.length && i < 4096; i++) {
      out.push({ off: o + 8, kind: k, name: "pcap.caplen" }, { off: o + 12, kind: k, name: "pcap.len" });
      o += rh + dv.getUint32(o + 8, le);
    }
  } else if (m === 0x0a0d0d0a) {
    let le = true;
    for (let o = 0, i = 0; o + 12 <= b.length && i < 4096; i++) {
      const type = dv.getUint32(o, le);
      if (type === 0x0a0d0d0a && o + 12 <= b.length) le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
      const k: FieldKind = le ? "u32le" : "u32";
      const len = dv.getUint32(o + 4, le);
      out.push({ off: o + 4, kind: k, name: "pcapng.block_len" });
      if (len >= 12 && o + len <= b.length) out.push({ off: o + len - 4, kind: k, name: "pcapng.block_len_trailer" });
      if (type === 6 && o + 28 <= b.length) {
        out.push({ off: o + 8, kind: k, name: "pcapng.epb.interface" }, { off: o + 20, kind: k, name: "pcapng.epb.caplen" }, { off: o + 24, kind: k, name: "pcapng.epb.len" });
      } else if (type === 1 && o + 16 <= b.length) {
        out.push({ off: o + 8, kind: "u16", name: "pcapng.idb.linktype" }, { off: o + 12, kind: k, name: "pcapng.idb.snaplen" });
      } else if (type === 3 && o + 12 <= b.length) {
        out.push({ off: o + 8, kind: k, name: "pcapng.spb.len" });
      } else if (type === 0x0a0d0d0a && o + 24 <= b.length) {
        out.push({ off: o + 8, kind: k, name: "pcapng.shb.bom" }, { off: o + 16, kind: k, name: "pcapng.shb.section_len" });
      }
      if (len < 12) break;
      o += len;
    }
  }
  return out;
}
