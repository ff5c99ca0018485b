/**
 * TLS on tshark's TLS TCP ports: record layer and the first ClientHello / ServerHello fields of a
 * segment, as tshark 4.0 prints them with TCP desegmentation off.
 *
 * Checked against tshark (packet-tls.c, packet-tls-utils.c):
 *  - records are read from the segment start while their header is valid (content type 20–24,
 *    version SSL 3.0 … TLS 1.2 or GM/TLS) and the whole record is in the segment; a record that
 *    runs past the segment end shows nothing (no reassembly), nor does anything after it;
 *  - a handshake message split over records of the same segment is put back together; a message
 *    longer than what the segment holds shows nothing (not even its type);
 *  - after a ChangeCipherSpec from the same side, a handshake record is "encrypted" (no fields)
 *    unless one message exactly fills it;
 *  - once a ServerHello selected TLS 1.3 (supported_versions), application-data records of that
 *    connection are tls.record.opaque_type, not tls.record.content_type;
 *  - tls.handshake.ciphersuite is the first suite of a ClientHello's list, or the ServerHello's.
 * Connection state (TLS 1.3, ChangeCipherSpec seen per side) is kept per capture, by connection
 * (addresses and ports: `p.connection`).
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { ConnectionBytes } from "./connections";
import type { Protocol } from "./protocol";
import { asciiText } from "./tsharktext";

export const TLS = {
  content_type: defineField("tls.record.content_type", { storage: "u8", description: "Record content type" }),
  opaque_type: defineField("tls.record.opaque_type", { storage: "u8", description: "Record opaque type (TLS 1.3 protected records)" }),
  record_version: defineField("tls.record.version", { display: "hex", storage: "u16", description: "Record version" }),
  hs_type: defineField("tls.handshake.type", { storage: "u8", description: "First handshake message type" }),
  hs_version: defineField("tls.handshake.version", { display: "hex", storage: "u16", description: "Hello version" }),
  sni: defineField("tls.handshake.extensions_server_name", { display: "string", description: "ClientHello server name (SNI)" }),
  alpn: defineField("tls.handshake.extensions_alpn_str", { display: "string", description: "First ALPN protocol" }),
  ciphersuite: defineField("tls.handshake.ciphersuite", { display: "hex", storage: "u16", description: "Cipher suite (first offered, or chosen)" }),
};

/** connection state bits */
const TLS13 = 1, CCS_LO = 2, CCS_HI = 4;
/** per-capture connection state (bits above), indexed by the packet's connection id */
const states = new WeakMap<Packet, ConnectionBytes>();

function validVersion(v: number): boolean {
  return v === 0x0300 || v === 0x0301 || v === 0x0302 || v === 0x0303 || v === 0x0101;
}

/** Scratch for a handshake message split over records (grown on demand, reused). */
let scratch = new Uint8Array(4096);
let scratchLen = 0;

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Extensions of a hello in [o, end); returns false on a length that runs past the end. */
function extensions(p: Packet, b: Uint8Array, o: number, end: number, client: boolean): boolean {
  let tls13 = false;
  while (o < end) {
    if (o + 4 > end) return false;
    const type = u16(b, o), len = u16(b, o + 2);
    const d = o + 4, e = d + len;
    if (e > end) return false;
    if (type === 0 && client) {
      // server_name: list length, then (type, length, name) entries
      if (d + 2 <= e) {
        let q = d + 2;
        const le = Math.min(e, d + 2 + u16(b, d));
        while (q + 3 <= le) {
          const nl = u16(b, q + 1);
          if (q + 3 + nl > le) return false;
          if (b[q] === 0) { p.s(TLS.sni, asciiText(b, q + 3, q + 3 + nl)); break; }
          q += 3 + nl;
        }
      }
    } else if (type === 16) {
      if (d + 2 <= e) {
        const q = d + 2;
        const le = Math.min(e, q + u16(b, d));
        if (q < le) {
          const pl = b[q];
          if (q + 1 + pl > le) return false;
          p.s(TLS.alpn, asciiText(b, q + 1, q + 1 + pl));
        }
      }
    } else if (type === 43 && !client && len >= 2) {
      const v = u16(b, d);
      if (v === 0x0304 || (v >> 8) === 0x7f) tls13 = true;
    }
    o = e;
  }
  if (tls13) helloTls13 = true;
  return true;
}

let helloTls13 = false;

/** One complete handshake message in [o, end) of `b` (end = o + 4 + length). */
function handshake(p: Packet, b: Uint8Array, o: number, end: number): void {
  const type = b[o];
  p.u(TLS.hs_type, type);
  if (type !== 1 && type !== 2) return;
  let q = o + 4;
  if (q + 2 > end) { p.bad(); return; }
  p.u(TLS.hs_version, u16(b, q));
  q += 2 + 32;
  if (q + 1 > end) { p.bad(); return; }
  q += 1 + b[q]; // session id
  if (type === 1) {
    if (q + 2 > end) { p.bad(); return; }
    const sl = u16(b, q);
    q += 2;
    if (sl >= 2 && q + 2 <= end) p.u(TLS.ciphersuite, u16(b, q));
    q += sl;
    if (q + 1 > end) { if (q !== end) p.bad(); return; }
    q += 1 + b[q]; // compression methods
  } else {
    if (q + 2 > end) { p.bad(); return; }
    p.u(TLS.ciphersuite, u16(b, q));
    q += 3; // suite, compression method
  }
  if (q >= end) { if (q > end) p.bad(); return; }
  if (q + 2 > end) { p.bad(); return; }
  const el = u16(b, q);
  q += 2;
  if (!extensions(p, b, q, Math.min(end, q + el), type === 1) || q + el > end) p.bad();
}

/**
 * TLS handshake messages without a record layer (QUIC CRYPTO data) in [off, end): each complete
 * message is shown as in a handshake record. Returns the offset after the last complete message.
 */
export function decodeHandshakeMessages(p: Packet, b: Uint8Array, off: number, end: number): number {
  while (end - off >= 4) {
    const need = 4 + ((b[off + 1] << 16) | u16(b, off + 2));
    if (off + need > end) break;
    handshake(p, b, off, off + need);
    off += need;
  }
  return off;
}

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

export function decodeTls(p: Packet, b: Buffer, off: number, end: number, sport: number, dport: number): boolean {
  // dissect_ssl: more than 4 bytes whose first 4 are printable ASCII are not TLS (the port's
  // other decoder, else "data"); anything else is "tls", a segment that does not start a record
  // included ("Continuation Data", no fields)
  if (end - off > 4 && isPrint(b[off]) && isPrint(b[off + 1]) && isPrint(b[off + 2]) && isPrint(b[off + 3])) return false;
  if (!p.enter("tls")) return true;
  const c0 = b[off];
  if (c0 < 20 || c0 > 24) return true;
  let map = states.get(p);
  const conn = p.connection(b, sport, dport);
  let st = map === undefined ? 0 : map.get(conn);
  const ccsBit = p.connections.fromLower ? CCS_LO : CCS_HI;
  const st0 = st;
  scratchLen = 0;
  helloTls13 = false;
  while (end - off >= 5) {
    const ct = b[off], ver = u16(b, off + 1), len = u16(b, off + 3);
    if (ct < 20 || ct > 24 || !validVersion(ver)) break;
    const rs = off + 5, re = rs + len;
    if (re > end) break;
    if (ct === 23 && (st & TLS13) !== 0) p.u(TLS.opaque_type, ct);
    else p.u(TLS.content_type, ct);
    p.u(TLS.record_version, ver);
    off = re;
    if (ct === 20) { st |= ccsBit; scratchLen = 0; continue; }
    if (ct !== 22) { scratchLen = 0; continue; }
    if (scratchLen === 0 && (st & ccsBit) !== 0 && (len < 4 || 4 + (b[rs + 1] << 16 | u16(b, rs + 2)) !== len)) {
      continue; // encrypted handshake message (Finished)
    }
    let o = rs;
    if (scratchLen > 0) {
      // continue a message begun in an earlier record of this segment
      if (scratchLen + len > scratch.length) {
        const n = new Uint8Array(Math.max(scratch.length * 2, scratchLen + len));
        n.set(scratch.subarray(0, scratchLen));
        scratch = n;
      }
      scratch.set(b.subarray(rs, re), scratchLen);
      scratchLen += len;
      if (scratchLen < 4) continue;
      const need = 4 + ((scratch[1] << 16) | u16(scratch, 2));
      if (scratchLen < need) continue;
      handshake(p, scratch, 0, need);
      // the rest of this record (after the reassembled message) holds further messages
      o = re - (scratchLen - need);
      scratchLen = 0;
    }
    while (o < re) {
      if (re - o >= 4) {
        const need = 4 + ((b[o + 1] << 16) | u16(b, o + 2));
        if (o + need <= re) { handshake(p, b, o, o + need); o += need; continue; }
      }
      // a message that goes on in the next record
      if (re - o > scratch.length) scratch = new Uint8Array(Math.max(scratch.length * 2, re - o));
      scratch.set(b.subarray(o, re), 0);
      scratchLen = re - o;
      break;
    }
    if (helloTls13) st |= TLS13; // later records of this segment are already TLS 1.3
  }
  if (st !== st0) {
    if (map === undefined) { map = new ConnectionBytes(); states.set(p, map); }
    map.set(conn, st);
  }
  return true;
}

/** tshark 4.0's tls.port range (TCP) */
export const TLS_TCP_PORTS = [324, 443, 465, 636, 802, 853, 993, 995, 1300, 2221, 2443, 3249, 3250, 3251, 3252, 3496,
  5061, 5671, 5684, 5868, 8883, 11207, 19999, 27017];

export const tls: Protocol = { name: "tls", tcpPorts: TLS_TCP_PORTS, decodePayload: decodeTls };
