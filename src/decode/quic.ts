/**
 * QUIC (RFC 9000) as tshark 4.0 shows it without key logs: every packet's header, and for Initial
 * packets (whose keys come from the client's first Destination Connection ID, RFC 9001 §5.2) the
 * header protection removed, the payload decrypted (AEAD_AES_128_GCM), the frames (PADDING, PING,
 * ACK, CRYPTO, CONNECTION_CLOSE …) and the TLS handshake messages of the CRYPTO stream handed to
 * the TLS decoder (ClientHello / ServerHello fields, as for TLS over TCP).
 *
 * Checked against tshark (packet-quic.c):
 *  - recognition: tshark has no QUIC port; its UDP heuristic takes a long header with a known
 *    version (IETF drafts ≥ 11, v1, v2, mvfst, forcing-negotiation 0x?a?a?a?a), a short header
 *    whose DCID is a known connection ID, and then everything of that conversation. Here the
 *    decoder is tried on UDP ports (see QUIC_UDP_PORTS) and applies the same test; conversations are
 *    keyed by connection (addresses and ports: p.connection). gQUIC versions (Q0xx, T0xx) are left
 *    alone (tshark's gquic dissector takes them on 443);
 *  - coalesced packets: after a long-header packet, the next one is read when its fixed bit is set
 *    and its DCID equals the first packet's, else the rest is padding;
 *  - without keys (Handshake, 0-RTT, 1-RTT) a packet shows its header up to `quic.length`; the
 *    reserved bits, packet number length and packet number only appear once header protection is
 *    removed (Initial);
 *  - connections: Initial DCID → connection, and the CIDs each side chose (Initial/Retry/Handshake
 *    SCIDs); a Retry changes the DCID the Initial keys come from; the CRYPTO stream of each side is
 *    reassembled in order (out-of-order pieces kept until the gap is filled), data already seen
 *    (a retransmission) shows no TLS, and a TLS message is shown in the packet that completes it.
 * State is per capture (per table builder), bounded: at most MAX_CIDS entries per map, the oldest
 * dropped first.
 */
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";
import { decodeHandshakeMessages } from "./tls";

export const QUIC = {
  connection_number: defineField("quic.connection.number", { storage: "u32", description: "Connection number within the capture" }),
  packet_length: defineField("quic.packet_length", { storage: "u32", description: "Length of the QUIC packet in the datagram" }),
  header_form: defineField("quic.header_form", { storage: "u8", description: "Header form (1 long, 0 short)" }),
  fixed_bit: defineField("quic.fixed_bit", { display: "bool", description: "Fixed bit" }),
  spin_bit: defineField("quic.spin_bit", { display: "bool", description: "Spin bit (short header)" }),
  long_packet_type: defineField("quic.long.packet_type", { storage: "u8", description: "Long header packet type (v1 and drafts)" }),
  long_packet_type_v2: defineField("quic.long.packet_type_v2", { storage: "u8", description: "Long header packet type (v2)" }),
  long_reserved: defineField("quic.long.reserved", { storage: "u8", description: "Reserved bits (after header protection removal)" }),
  packet_number_length: defineField("quic.packet_number_length", { storage: "u8", description: "Packet number length - 1 (after header protection removal)" }),
  version: defineField("quic.version", { display: "hex", storage: "u32", hexDigits: 8, description: "Version" }),
  dcil: defineField("quic.dcil", { storage: "u8", description: "Destination Connection ID length" }),
  dcid: defineField("quic.dcid", { display: "string", description: "Destination Connection ID (hex)" }),
  scil: defineField("quic.scil", { storage: "u8", description: "Source Connection ID length" }),
  scid: defineField("quic.scid", { display: "string", description: "Source Connection ID (hex)" }),
  token_length: defineField("quic.token_length", { storage: "f64", description: "Token length (Initial)" }),
  length: defineField("quic.length", { storage: "f64", description: "Length of packet number and payload" }),
  packet_number: defineField("quic.packet_number", { storage: "f64", description: "Packet number (decrypted packets)" }),
  frame_type: defineField("quic.frame_type", { storage: "f64", description: "Frame type (first frame)" }),
  padding_length: defineField("quic.padding_length", { storage: "u32", description: "PADDING length" }),
  ack_largest: defineField("quic.ack.largest_acknowledged", { storage: "f64", description: "ACK: largest acknowledged" }),
  ack_delay: defineField("quic.ack.ack_delay", { storage: "f64", description: "ACK: delay" }),
  ack_range_count: defineField("quic.ack.ack_range_count", { storage: "f64", description: "ACK: range count" }),
  ack_first_range: defineField("quic.ack.first_ack_range", { storage: "f64", description: "ACK: first range" }),
  crypto_offset: defineField("quic.crypto.offset", { storage: "f64", description: "CRYPTO: offset" }),
  crypto_length: defineField("quic.crypto.length", { storage: "f64", description: "CRYPTO: length" }),
  cc_error_code: defineField("quic.cc.error_code", { storage: "f64", description: "CONNECTION_CLOSE: error code" }),
};

// ---------------------------------------------------------------------------------------------
// Versions and Initial keys (RFC 9001 §5.2, RFC 9369 §3.3)

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
const QUIC_V2_DRAFT = 0x709a50c4;

const SALT_V1 = Buffer.from("38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "hex");
const SALT_D29 = Buffer.from("afbfec289993d24c9e9786f19c6111e04390a899", "hex"); // drafts 29–32
const SALT_D23 = Buffer.from("c3eef712c72ebb5a11a7d2432bb46365bef9f502", "hex"); // drafts 23–28
const SALT_D21 = Buffer.from("7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a", "hex"); // drafts 21–22
const SALT_V2 = Buffer.from("0dede3def700a6db819381be6e269dcbf9bd2ed9", "hex");
const SALT_V2_DRAFT = Buffer.from("a707c203a59b47184a1d62ca570406ea7ae3e5d3", "hex");

/** tshark's quic_draft_version: the draft a version follows, or 0 when not an IETF QUIC version. */
function draftOf(v: number): number {
  if ((v >>> 8) === 0xff0000) return v & 0xff;
  if (v === 0xfaceb001) return 22;
  if (v === 0xfaceb002 || v === 0xfaceb00e) return 27;
  if ((v & 0x0f0f0f0f) === 0x0a0a0a0a) return 29;
  if (v === QUIC_V1) return 34;
  if (v === QUIC_V2_DRAFT || v === QUIC_V2) return 100;
  return 0;
}

function isV2(v: number): boolean {
  return v === QUIC_V2 || v === QUIC_V2_DRAFT;
}

/** The Initial salt of a version, or null when its Initial packets cannot be decrypted here. */
export function initialSalt(v: number): Buffer | null {
  if (v === QUIC_V2) return SALT_V2;
  if (v === QUIC_V2_DRAFT) return SALT_V2_DRAFT;
  const d = draftOf(v);
  if (d >= 33) return SALT_V1;
  if (d >= 29) return SALT_D29;
  if (d >= 23) return SALT_D23;
  if (d >= 21) return SALT_D21;
  return null;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256 and an empty context, for lengths ≤ 32. */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number): Buffer {
  const full = "tls13 " + label;
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  info.write(full, 3, "latin1");
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand counter: T(1)
  return createHmac("sha256", secret).update(info).digest().subarray(0, length);
}

export interface QuicKeys {
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly hp: Buffer;
}

/** Initial keys of one side for a version and the client's first DCID (null: unknown version). */
export function initialKeys(version: number, dcid: Uint8Array, server: boolean): QuicKeys | null {
  const salt = initialSalt(version);
  if (salt === null) return null;
  const initial = createHmac("sha256", salt).update(dcid).digest();
  const secret = hkdfExpandLabel(initial, server ? "server in" : "client in", 32);
  const v2 = isV2(version);
  return {
    key: hkdfExpandLabel(secret, v2 ? "quicv2 key" : "quic key", 16),
    iv: hkdfExpandLabel(secret, v2 ? "quicv2 iv" : "quic iv", 12),
    hp: hkdfExpandLabel(secret, v2 ? "quicv2 hp" : "quic hp", 16),
  };
}

/** The header-protection mask (AES-128-ECB of the 16-byte sample); the first 5 bytes are used. */
export function headerMask(hp: Buffer, sample: Uint8Array): Buffer {
  const c = createCipheriv("aes-128-ecb", hp, null);
  c.setAutoPadding(false);
  return c.update(sample);
}

/** Full packet number from a truncated one (RFC 9000 §A.3); largest = -1 before any packet. */
export function fullPacketNumber(largest: number, truncated: number, pnLen: number): number {
  const expected = largest + 1;
  const win = 2 ** (8 * pnLen), hwin = win / 2;
  let c = Math.floor(expected / win) * win + truncated;
  if (c <= expected - hwin && c < 2 ** 62 - win) c += win;
  else if (c > expected + hwin && c >= win) c -= win;
  return c;
}

/** result of unprotect(): the unmasked first byte, packet number length and packet number */
export const unprotected = { first: 0, pnLen: 0, pn: 0 };

/**
 * Removes header protection from the packet [start, pktEnd) whose packet number starts at pnOff,
 * and decrypts its payload. Returns the plaintext (fields in `unprotected`), or null when the
 * packet is too short or the tag does not verify. Never throws.
 */
export function unprotect(b: Uint8Array, start: number, pnOff: number, pktEnd: number, keys: QuicKeys, largest: number): Buffer | null {
  if (pnOff + 4 + 16 > pktEnd) return null;
  try {
    const mask = headerMask(keys.hp, b.subarray(pnOff + 4, pnOff + 20));
    const first = b[start] ^ (mask[0] & ((b[start] & 0x80) !== 0 ? 0x0f : 0x1f));
    const pnLen = (first & 3) + 1;
    const payload = pnOff + pnLen;
    if (pktEnd - payload < 16) return null;
    const header = Buffer.from(b.subarray(start, payload));
    header[0] = first;
    let tpn = 0;
    for (let i = 0; i < pnLen; i++) {
      header[pnOff - start + i] ^= mask[1 + i];
      tpn = tpn * 256 + header[pnOff - start + i];
    }
    const pn = fullPacketNumber(largest, tpn, pnLen);
    const nonce = Buffer.from(keys.iv);
    const hi = Math.floor(pn / 2 ** 32), lo = pn >>> 0;
    nonce.writeUInt32BE((nonce.readUInt32BE(4) ^ hi) >>> 0, 4);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ lo) >>> 0, 8);
    const d = createDecipheriv("aes-128-gcm", keys.key, nonce);
    d.setAAD(header);
    d.setAuthTag(b.subarray(pktEnd - 16, pktEnd));
    const out = d.update(b.subarray(payload, pktEnd - 16));
    d.final(); // throws when the tag does not verify
    unprotected.first = first;
    unprotected.pnLen = pnLen;
    unprotected.pn = pn;
    return out.length === 0 ? Buffer.alloc(0) : out;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Connection state

/** per-map entry cap (connections, connection IDs, conversations) */
export const MAX_CIDS = 4096;
/** bytes of CRYPTO data kept per side while a message or a gap is incomplete */
const MAX_CRYPTO_BUFFER = 65536;
const MAX_OUT_OF_ORDER = 32;

interface Side {
  keys: QuicKeys | null | undefined; // undefined: not derived yet
  largestPn: number;
  /** CRYPTO stream (Initial space): bytes delivered in order so far */
  next: number;
  /** bytes of the incomplete message(s) since the last message boundary */
  buf: Buffer | null;
  /** pieces beyond `next` */
  ooo: { off: number; data: Buffer }[];
  /** stream given up (buffer cap exceeded) */
  dead: boolean;
}

interface Conn {
  number: number;
  version: number;
  /** the DCID the Initial keys come from (the client's first, or a Retry's SCID) */
  initialDcid: Buffer;
  /** the client chose a zero-length CID: zero-length DCIDs on its port pair are to the client */
  clientZero: boolean;
  sides: [Side, Side]; // client, server
}

interface State {
  initial: Map<string, Conn>;
  client: Map<string, Conn>; // CIDs the client chose (the server sends to them)
  server: Map<string, Conn>; // CIDs the server chose
  convs: Map<number, Conn | null>; // connection id (p.connection: addresses and ports) → QUIC conversation
  /** bit L set when a connection ID of length L is known */
  cidLens: number;
  count: number;
}

const states = new WeakMap<Packet, State>();

function side(): Side {
  return { keys: undefined, largestPn: -1, next: 0, buf: null, ooo: [], dead: false };
}

function put<K, V>(m: Map<K, V>, k: K, v: V): void {
  if (!m.has(k) && m.size >= MAX_CIDS) {
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
  }
  m.set(k, v);
}

function cidKey(b: Uint8Array, o: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[o + i]);
  return s;
}

const HEXD = "0123456789abcdef";
function hexText(b: Uint8Array, o: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += HEXD[b[o + i] >> 4] + HEXD[b[o + i] & 15];
  return s;
}

function learnCid(st: State, map: Map<string, Conn>, b: Uint8Array, o: number, n: number, c: Conn): void {
  if (n === 0) return;
  put(map, cidKey(b, o, n), c);
  st.cidLens |= 1 << n;
}

function keysOf(c: Conn, s: number): QuicKeys | null {
  const sd = c.sides[s];
  if (sd.keys === undefined) sd.keys = initialKeys(c.version, c.initialDcid, s === 1);
  return sd.keys;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** result of varint(): the value */
let vv = 0;

/** The value of the last varint() read (a module variable: no allocation per read). */
export function varintValue(): number {
  return vv;
}

/**
 * A variable-length integer at o (RFC 9000 §16); returns the offset after it, or -1 past end.
 * The value is in `varintValue()`.
 */
export function varint(b: Uint8Array, o: number, end: number): number {
  if (o >= end) return -1;
  const n = 1 << (b[o] >> 6);
  if (o + n > end) return -1;
  let v = b[o] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + b[o + i];
  vv = v;
  return o + n;
}

/** tshark's heuristic version test (gQUIC versions excluded: the gquic dissector takes them). */
function knownVersion(v: number): boolean {
  if ((v >>> 24) === 0x51 || (v >>> 24) === 0x54) return false; // Q0xx, T0xx
  return draftOf(v) >= 11;
}

/** per-datagram: whether "tls" was entered */
let tlsEntered = false;

function deliver(p: Packet, sd: Side, data: Buffer): void {
  if (sd.buf === null || sd.buf.length === 0) sd.buf = Buffer.from(data);
  else sd.buf = Buffer.concat([sd.buf, data]);
  sd.next += data.length;
  // pieces that now connect
  for (let again = true; again;) {
    again = false;
    for (let i = 0; i < sd.ooo.length; i++) {
      const q = sd.ooo[i];
      if (q.off > sd.next) continue;
      sd.ooo.splice(i, 1);
      if (q.off + q.data.length > sd.next) {
        const rest = q.data.subarray(sd.next - q.off);
        sd.buf = Buffer.concat([sd.buf, rest]);
        sd.next += rest.length;
      }
      again = true;
      break;
    }
  }
  if (sd.buf.length >= 4) {
    const need = 4 + ((sd.buf[1] << 16) | (sd.buf[2] << 8) | sd.buf[3]);
    if (need <= sd.buf.length) {
      if (!tlsEntered) {
        tlsEntered = true;
        if (!p.enter("tls")) { sd.buf = null; return; }
      }
      const used = decodeHandshakeMessages(p, sd.buf, 0, sd.buf.length);
      sd.buf = used === sd.buf.length ? null : sd.buf.subarray(used);
    }
  }
  if (sd.buf !== null && sd.buf.length > MAX_CRYPTO_BUFFER) { sd.buf = null; sd.ooo = []; sd.dead = true; }
}

function cryptoData(p: Packet, sd: Side, off: number, data: Buffer): void {
  if (sd.dead || data.length === 0) return;
  const e = off + data.length;
  if (e <= sd.next) return; // retransmission
  if (off <= sd.next) { deliver(p, sd, data.subarray(sd.next - off)); return; }
  let held = 0;
  for (const q of sd.ooo) held += q.data.length;
  if (sd.ooo.length >= MAX_OUT_OF_ORDER || held + data.length > MAX_CRYPTO_BUFFER) return;
  sd.ooo.push({ off, data: Buffer.from(data) });
}

/** The frames of a decrypted packet; returns false on a frame cut short (malformed). */
function frames(p: Packet, b: Buffer, sd: Side | null): boolean {
  let o = 0;
  const end = b.length;
  while (o < end) {
    const t0 = o;
    if ((o = varint(b, o, end)) < 0) return false;
    const type = vv;
    p.u(QUIC.frame_type, type);
    switch (type) {
      case 0x00: {
        let q = o;
        while (q < end && b[q] === 0) q++;
        p.u(QUIC.padding_length, q - t0);
        o = q;
        break;
      }
      case 0x01: case 0x1e: break; // PING, HANDSHAKE_DONE
      case 0x02: case 0x03: {
        if ((o = varint(b, o, end)) < 0) return false;
        p.u(QUIC.ack_largest, vv);
        if ((o = varint(b, o, end)) < 0) return false;
        p.u(QUIC.ack_delay, vv);
        if ((o = varint(b, o, end)) < 0) return false;
        const ranges = vv;
        p.u(QUIC.ack_range_count, ranges);
        if ((o = varint(b, o, end)) < 0) return false;
        p.u(QUIC.ack_first_range, vv);
        // each gap and range takes at least 2 bytes: a huge count ends at `end`
        for (let i = 0; i < ranges; i++) {
          if ((o = varint(b, o, end)) < 0 || (o = varint(b, o, end)) < 0) return false;
        }
        if (type === 0x03) {
          for (let i = 0; i < 3; i++) if ((o = varint(b, o, end)) < 0) return false;
        }
        break;
      }
      case 0x06: {
        if ((o = varint(b, o, end)) < 0) return false;
        const off = vv;
        if ((o = varint(b, o, end)) < 0) return false;
        const len = vv;
        p.u(QUIC.crypto_offset, off);
        p.u(QUIC.crypto_length, len);
        if (len > end - o) return false;
        if (sd !== null) cryptoData(p, sd, off, b.subarray(o, o + len));
        o += len;
        break;
      }
      case 0x1c: case 0x1d: {
        if ((o = varint(b, o, end)) < 0) return false;
        p.u(QUIC.cc_error_code, vv);
        if (type === 0x1c && (o = varint(b, o, end)) < 0) return false;
        if ((o = varint(b, o, end)) < 0) return false;
        if (vv > end - o) return false;
        o += vv;
        break;
      }
      default:
        return true; // not expected in Initial packets: stop here
    }
  }
  return true;
}

/**
 * One long-header packet at `off`; returns its end (the next packet's start), or -1 when the
 * datagram is malformed.
 */
function longPacket(p: Packet, st: State, conv: number, b: Buffer, off: number, end: number): number {
  const first = b[off];
  p.u(QUIC.header_form, 1);
  if (end - off < 7) { p.bad(); return -1; }
  const version = ((b[off + 1] << 24) | (b[off + 2] << 16) | (b[off + 3] << 8) | b[off + 4]) >>> 0;
  const dcil = b[off + 5];
  const dcidOff = off + 6;
  p.u(QUIC.version, version);
  p.u(QUIC.dcil, dcil);
  if (dcil > 20 || dcidOff + dcil + 1 > end) { p.u(QUIC.packet_length, end - off); p.bad(); return -1; }
  p.s(QUIC.dcid, hexText(b, dcidOff, dcil));
  const scil = b[dcidOff + dcil];
  const scidOff = dcidOff + dcil + 1;
  p.u(QUIC.scil, scil);
  if (scil > 20 || scidOff + scil > end) { p.u(QUIC.packet_length, end - off); p.bad(); return -1; }
  p.s(QUIC.scid, hexText(b, scidOff, scil));
  let o = scidOff + scil;
  if (version === 0) { p.u(QUIC.packet_length, end - off); return end; } // Version Negotiation

  const bits = (first >> 4) & 3;
  const v2 = isV2(version);
  if (v2) p.u(QUIC.long_packet_type_v2, bits);
  else p.u(QUIC.long_packet_type, bits);
  // internal type: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry
  const type = v2 ? (bits === 0 ? 3 : bits - 1) : bits;
  if (type !== 3) p.u(QUIC.fixed_bit, (first >> 6) & 1); // tshark shows none for Retry

  // connection lookup
  const dk = cidKey(b, dcidOff, dcil);
  let c: Conn | undefined, from = -1;
  if ((c = st.server.get(dk)) !== undefined) from = 0;
  else if ((c = st.client.get(dk)) !== undefined) from = 1;
  else if ((c = st.initial.get(dk)) !== undefined) from = 0;
  else if (dcil === 0 && (c = st.convs.get(conv) ?? undefined) !== undefined) from = c.clientZero ? 1 : 0;
  else if (type === 0 && initialSalt(version) !== null) {
    c = {
      number: st.count++, version, initialDcid: Buffer.from(b.subarray(dcidOff, dcidOff + dcil)),
      clientZero: scil === 0, sides: [side(), side()],
    };
    put(st.initial, dk, c);
    put(st.convs, conv, c);
    from = 0;
  }
  if (c !== undefined) {
    p.u(QUIC.connection_number, c.number);
    if (from === 0) learnCid(st, st.client, b, scidOff, scil, c);
    else learnCid(st, st.server, b, scidOff, scil, c);
  }

  if (type === 3) {
    // Retry: the client's next Initial goes to the Retry's SCID, whose keys it uses
    if (c !== undefined && from === 1 && scil > 0) {
      c.initialDcid = Buffer.from(b.subarray(scidOff, scidOff + scil));
      c.sides[0].keys = undefined;
      c.sides[1].keys = undefined;
    }
    p.u(QUIC.packet_length, end - off);
    return end;
  }
  if (type === 0) {
    if ((o = varint(b, o, end)) < 0) { p.u(QUIC.packet_length, end - off); p.bad(); return -1; }
    p.u(QUIC.token_length, vv);
    if (vv > end - o) { p.u(QUIC.packet_length, end - off); p.bad(); return -1; }
    o += vv;
  }
  if ((o = varint(b, o, end)) < 0) { p.u(QUIC.packet_length, end - off); p.bad(); return -1; }
  const length = vv;
  p.u(QUIC.length, length);
  let pktEnd = o + length;
  if (length > end - o) { pktEnd = end; p.bad(); }
  p.u(QUIC.packet_length, pktEnd - off);
  if (type !== 0 || c === undefined || from < 0 || pktEnd < o + length) return pktEnd;

  const keys = keysOf(c, from);
  if (keys === null) return pktEnd;
  const sd = c.sides[from];
  const plain = unprotect(b, off, o, pktEnd, keys, sd.largestPn);
  if (plain === null) return pktEnd;
  if (unprotected.pn > sd.largestPn) sd.largestPn = unprotected.pn;
  p.u(QUIC.long_reserved, (unprotected.first >> 2) & 3);
  p.u(QUIC.packet_number_length, unprotected.first & 3);
  p.u(QUIC.packet_number, unprotected.pn);
  if (!frames(p, plain, sd)) p.bad();
  return pktEnd;
}

/** A short-header packet (the rest of the datagram). */
function shortPacket(p: Packet, st: State, b: Buffer, off: number, end: number): void {
  const first = b[off];
  p.u(QUIC.packet_length, end - off);
  p.u(QUIC.header_form, 0);
  p.u(QUIC.fixed_bit, (first >> 6) & 1);
  p.u(QUIC.spin_bit, (first >> 5) & 1);
  const c = findShort(st, b, off, end);
  if (c !== undefined) {
    p.u(QUIC.connection_number, c.number);
    p.s(QUIC.dcid, hexText(b, off + 1, shortLen));
  }
}

let shortLen = 0;

/** The connection whose CID the short header at `off` carries (its length in shortLen). */
function findShort(st: State, b: Uint8Array, off: number, end: number): Conn | undefined {
  if (st.cidLens === 0) return undefined;
  for (let n = 1; n <= 20 && off + 1 + n <= end; n++) {
    if ((st.cidLens & (1 << n)) === 0) continue;
    const k = cidKey(b, off + 1, n);
    const c = st.server.get(k) ?? st.client.get(k);
    if (c !== undefined) { shortLen = n; return c; }
  }
  return undefined;
}

function stateOf(p: Packet): State {
  let st = states.get(p);
  if (st === undefined) {
    st = { initial: new Map(), client: new Map(), server: new Map(), convs: new Map(), cidLens: 0, count: 0 };
    states.set(p, st);
  }
  return st;
}

export function decodeQuic(p: Packet, b: Buffer, off: number, end: number, sport: number, dport: number): boolean {
  // cheap checks first: most UDP payloads are not QUIC long-header packets
  if (end - off < 1) return false;
  const b0 = b[off];
  const st0 = states.get(p);
  const conv = p.connection(b, sport, dport);
  const known = st0 !== undefined && st0.convs.has(conv);
  if (!known) {
    if ((b0 & 0x80) !== 0) {
      if (end - off < 13) return false;
      const v = ((b[off + 1] << 24) | (b[off + 2] << 16) | (b[off + 3] << 8) | b[off + 4]) >>> 0;
      if (!knownVersion(v)) return false;
    } else {
      if (st0 === undefined || end - off < 22 || findShort(st0, b, off, end) === undefined) return false;
    }
  }
  const st = st0 ?? stateOf(p);
  if (!p.enter("quic")) return true;
  if (!known) put(st.convs, conv, null);
  tlsEntered = false;
  let o = off;
  let firstDcid = -1, firstDcil = 0;
  while (o < end) {
    const f = b[o];
    if (o > off) {
      // a coalesced packet: fixed bit set and the first packet's DCID, else padding
      if ((f & 0x40) === 0) break;
      const d = (f & 0x80) !== 0 ? o + 6 : o + 1;
      if ((f & 0x80) !== 0 && (o + 5 >= end || b[o + 5] !== firstDcil)) break;
      if (d + firstDcil > end || b.compare(b, firstDcid, firstDcid + firstDcil, d, d + firstDcil) !== 0) break;
    }
    if ((f & 0x80) === 0) { shortPacket(p, st, b, o, end); break; }
    if (o === off && end - o >= 6) { firstDcid = o + 6; firstDcil = Math.min(b[o + 5], end - o - 6); }
    const next = longPacket(p, st, conv, b, o, end);
    if (next < 0 || next <= o) break;
    o = next;
  }
  return true;
}

/** UDP ports the decoder is tried on (tshark: any port, by heuristic; see the header). */
export const QUIC_UDP_PORTS = [443, 4433, 8443];

export const quic: Protocol = { name: "quic", udpPorts: QUIC_UDP_PORTS, decodePayload: decodeQuic };
