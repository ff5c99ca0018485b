/**
 * capture.quic(): one row per QUIC connection (a UDP flow whose originator's first datagram is a
 * long-header Initial packet of a version with known Initial keys), modelled on Zeek's quic.log.
 * The Initial packets of both sides are decrypted with the RFC 9001 §5.2 keys (derived from the
 * client's first Destination Connection ID, or the Retry's Source Connection ID after a Retry;
 * src/decode/quic.ts's key schedule and `unprotect`), their CRYPTO frames reassembled by offset
 * (at most MAX_CRYPTO bytes held per side), and the TLS ClientHello / ServerHello read from them:
 * SNI, ALPN, JA4 (prefix "q"), the chosen cipher suite.
 */
import { initialKeys, initialSalt, type QuicKeys, unprotect, unprotected, varint, varintValue } from "../../decode/quic";
import { cipherName, ja4, ja4r, parseHello } from "./hello";
import type { FlowInfo, PayloadSink } from "../payloads";
import { AppTableBuilder, type ColSpec } from "./table";
import { HandshakeReader } from "./tls";

const MAX_CRYPTO = 64 * 1024;
const MAX_PIECES = 64;

export const QUIC_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "version", kind: "string" }, { name: "client_initial_dcid", kind: "string" },
  { name: "client_scid", kind: "string" }, { name: "server_scid", kind: "string" }, { name: "server_name", kind: "string" },
  { name: "client_protocol", kind: "string" }, { name: "client_alpn", kind: "vector[string]" }, { name: "cipher", kind: "string" },
  { name: "ja4", kind: "string" }, { name: "ja4_r", kind: "string" }, { name: "retry", kind: "bool" },
];

const V1 = 0x00000001, V2 = 0x6b3343cf, V2_DRAFT = 0x709a50c4;

/** Zeek's QUIC::version_strings */
export function quicVersionName(v: number): string {
  if (v === V1) return "1";
  if (v === V2) return "quicv2";
  if (v === V2_DRAFT) return "quicv2-draft";
  if ((v >>> 8) === 0xff0000) return `draft-${v & 0xff}`;
  if (v === 0xfaceb001 || v === 0xfaceb002 || v === 0xfaceb00e) return "mvfst";
  return `unknown-${v.toString(16).padStart(8, "0")}`;
}

const hex = (b: Uint8Array, o: number, n: number) => Buffer.from(b.buffer, b.byteOffset + o, n).toString("hex");



/** One side's CRYPTO stream, reassembled by offset. */
class CryptoStream {
  next = 0;
  private pieces = new Map<number, Buffer>();
  private held = 0;
  overflow = false;
  done = false;
  constructor(private readonly reader: HandshakeReader) {}
  add(off: number, data: Uint8Array): void {
    if (this.done || data.length === 0) return;
    const e = off + data.length;
    if (e <= this.next) return;
    if (off > this.next) {
      if (this.held + data.length > MAX_CRYPTO || this.pieces.size >= MAX_PIECES) { this.overflow = true; return; }
      if (!this.pieces.has(off)) { this.pieces.set(off, Buffer.from(data)); this.held += data.length; }
      return;
    }
    this.feed(data.subarray(this.next - off));
    for (let again = true; again && !this.done;) {
      again = false;
      for (const [o, d] of this.pieces) {
        if (o > this.next) continue;
        this.pieces.delete(o);
        this.held -= d.length;
        if (o + d.length > this.next) this.feed(d.subarray(this.next - o));
        again = true;
        break;
      }
    }
  }
  private feed(d: Uint8Array): void {
    this.next += d.length;
    if (!this.reader.data(d, 0, d.length)) { this.done = true; this.pieces.clear(); }
  }
}

interface Conn {
  row: number;
  version: number;
  keysDcid: Uint8Array;
  keys: [QuicKeys | null, QuicKeys | null];
  largest: [number, number];
  crypto: [CryptoStream, CryptoStream];
  serverScid: boolean;
}

export class QuicApp implements PayloadSink {
  readonly t = new AppTableBuilder(QUIC_COLUMNS);
  private readonly conns = new Map<number, Conn | null>();
  private undecryptable = 0;
  private overflow = 0;

  wants(f: FlowInfo): boolean {
    return f.proto === "udp";
  }

  packet(f: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number): void {
    let c = this.conns.get(f.row);
    if (c === null) return;
    if (c === undefined) {
      // decide on the first datagram: the client's Initial
      const v = end - off >= 7 ? b.readUInt32BE(off + 1) : 0;
      if (!fromOrig || (b[off] & 0xc0) !== 0xc0 || initialSalt(v) === null || this.type(b[off], v) !== 0) { this.conns.set(f.row, null); return; }
      const dcil = b[off + 5];
      if (off + 6 + dcil > end || dcil > 20) { this.conns.set(f.row, null); return; }
      const dcid = Uint8Array.from(b.subarray(off + 6, off + 6 + dcil));
      const T = this.t;
      const row = T.row(f.row);
      T.num(row, "ts", t);
      T.str(row, "version", quicVersionName(v));
      T.str(row, "client_initial_dcid", hex(dcid, 0, dcil));
      T.bool(row, "retry", false);
      const cc: Conn = {
        row, version: v, keysDcid: dcid, keys: [initialKeys(v, dcid, false), initialKeys(v, dcid, true)], largest: [-1, -1],
        crypto: [
          new CryptoStream(new HandshakeReader((ty) => ty === 1, (ty, m, len) => this.hello(cc, ty, m, len))),
          new CryptoStream(new HandshakeReader((ty) => ty === 2, (ty, m, len) => this.hello(cc, ty, m, len))),
        ],
        serverScid: false,
      };
      c = cc;
      this.conns.set(f.row, c);
    }
    this.datagram(c, fromOrig ? 0 : 1, b, off, end);
  }

  /** long-header packet type as v1 numbers it (0 Initial, 1 0-RTT, 2 Handshake, 3 Retry) */
  private type(first: number, v: number): number {
    const t = (first >> 4) & 3;
    if (v === V2 || v === V2_DRAFT) return [3, 0, 1, 2][t];
    return t;
  }

  private hello(c: Conn, type: number, m: Buffer, len: number): boolean {
    const h = parseHello(type, m, 0, len);
    if (h === null) return false;
    const T = this.t, r = c.row;
    if (type === 1) {
      T.str(r, "server_name", h.sni);
      if (h.alpn.length > 0) T.str(r, "client_protocol", h.alpn[0]);
      T.list(r, "client_alpn", h.alpn);
      T.str(r, "ja4", ja4(h, "q"));
      T.str(r, "ja4_r", ja4r(h, "q"));
    } else if (type === 2) {
      T.str(r, "cipher", cipherName(h.ciphers[0]));
    }
    return false;
  }

  private datagram(c: Conn, side: 0 | 1, b: Buffer, o: number, end: number): void {
    const T = this.t;
    while (o < end) {
      const first = b[o];
      if ((first & 0x80) === 0 || o + 7 > end) return; // short header (1-RTT): no keys
      const v = b.readUInt32BE(o + 1);
      if (v === 0 || v !== c.version) return; // version negotiation, or another version
      const dcil = b[o + 5];
      let p = o + 6 + dcil;
      if (dcil > 20 || p + 1 > end) return;
      const scil = b[p];
      if (scil > 20 || p + 1 + scil > end) return;
      const scid = b.subarray(p + 1, p + 1 + scil);
      p += 1 + scil;
      if (side === 0 && !T.has(c.row, "client_scid")) T.str(c.row, "client_scid", hex(scid, 0, scil));
      if (side === 1 && !c.serverScid) { c.serverScid = true; T.str(c.row, "server_scid", hex(scid, 0, scil)); }
      const type = this.type(first, v);
      if (type === 3) {
        // Retry: the client's next Initial keys come from the server's new connection ID
        if (side === 1) {
          c.keysDcid = Uint8Array.from(scid);
          c.keys = [initialKeys(v, c.keysDcid, false), initialKeys(v, c.keysDcid, true)];
          c.largest = [-1, -1];
          T.bool(c.row, "retry", true);
        }
        return;
      }
      if (type === 0) {
        if ((p = varint(b, p, end)) < 0) return;
        p += varintValue(); // token
      }
      if ((p = varint(b, p, end)) < 0) return;
      const pktEnd = p + varintValue();
      if (pktEnd > end) return;
      if (type === 0) {
        const keys = c.keys[side];
        const plain = keys === null ? null : unprotect(b, o, p, pktEnd, keys, c.largest[side]);
        if (plain === null) this.undecryptable++;
        else {
          if (unprotected.pn > c.largest[side]) c.largest[side] = unprotected.pn;
          this.frames(c.crypto[side], plain);
        }
      }
      o = pktEnd;
    }
  }

  private frames(cs: CryptoStream, b: Buffer): void {
    let o = 0;
    const end = b.length;
    while (o < end) {
      if ((o = varint(b, o, end)) < 0) return;
      const type = varintValue();
      switch (type) {
        case 0x00: while (o < end && b[o] === 0) o++; break;
        case 0x01: case 0x1e: break;
        case 0x02: case 0x03: {
          for (let i = 0; i < 3; i++) if ((o = varint(b, o, end)) < 0) return;
          if ((o = varint(b, o, end)) < 0) return;
          for (let i = 0, n = varintValue(); i < n; i++) if ((o = varint(b, o, end)) < 0 || (o = varint(b, o, end)) < 0) return;
          if (type === 0x03) for (let i = 0; i < 3; i++) if ((o = varint(b, o, end)) < 0) return;
          break;
        }
        case 0x06: {
          if ((o = varint(b, o, end)) < 0) return;
          const off = varintValue();
          if ((o = varint(b, o, end)) < 0) return;
          const len = varintValue();
          if (len > end - o) return;
          cs.add(off, b.subarray(o, o + len));
          o += len;
          break;
        }
        case 0x1c: case 0x1d: {
          if ((o = varint(b, o, end)) < 0) return;
          if (type === 0x1c && (o = varint(b, o, end)) < 0) return;
          if ((o = varint(b, o, end)) < 0 || varintValue() > end - o) return;
          o += varintValue();
          break;
        }
        default: return;
      }
    }
  }

  finish(): void {
    for (const c of this.conns.values()) if (c !== null && (c.crypto[0].overflow || c.crypto[1].overflow)) this.overflow++;
    if (this.undecryptable > 0) this.t.warnings.push(`quic: ${this.undecryptable} Initial packets did not decrypt (damaged, or keys unknown)`);
    if (this.overflow > 0) this.t.warnings.push(`quic: ${this.overflow} connections held more than ${MAX_CRYPTO} bytes of out-of-order CRYPTO data (the rest dropped)`);
  }
}
