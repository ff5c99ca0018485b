/**
 * QUIC Initial packets whose *plaintext* is mutated and then encrypted with the real Initial keys
 * (RFC 9001 §5), so the decoder's frame parser, CRYPTO reassembly and the TLS handshake parser
 * behind it see hostile input (a mutation of the bytes on the wire almost always just fails the
 * AEAD tag). Frames: CRYPTO pieces of a ClientHello (offsets and lengths that may lie, out of
 * order, overlapping), PADDING, PING, ACK with ranges, CONNECTION_CLOSE, unknown types.
 */
import { createCipheriv } from "node:crypto";
import type { Rng } from "../gen/prng";
import { Frame, ip4, mac, PROTO_UDP } from "../gen/packet";
import { tlsClientHello } from "../gen/apps";
import { headerMask, initialKeys, QUIC_V1, QUIC_V2, type QuicKeys } from "../decode/quic";
import { mutate } from "./mutate";
import type { LengthField } from "./lengths";

function varint(v: number, width = v < 64 ? 1 : v < 16384 ? 2 : v < 2 ** 30 ? 4 : 8): Buffer {
  const b = Buffer.alloc(width);
  let x = v;
  for (let i = width - 1; i >= 0; i--) { b[i] = x % 256; x = Math.floor(x / 256); }
  b[0] = (b[0] & 0x3f) | ([0, 0x40, 0, 0x80, 0, 0, 0, 0xc0][width - 1] ?? 0);
  return b;
}

/**
 * Protects a long-header packet as a sender does (RFC 9001 §5): AES-128-GCM over the payload with
 * the header as associated data, then header protection. `header` ends with the packet number.
 */
export function protect(k: QuicKeys, header: Buffer, pnLen: number, pn: number, payload: Buffer): Buffer {
  const nonce = Buffer.from(k.iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ pn) >>> 0, 8);
  const c = createCipheriv("aes-128-gcm", k.key, nonce);
  c.setAAD(header);
  const body = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const out = Buffer.concat([header, body]);
  const pnOff = header.length - pnLen;
  if (out.length >= pnOff + 20) {
    const mask = headerMask(k.hp, out.subarray(pnOff + 4, pnOff + 20));
    out[0] ^= mask[0] & 0x0f;
    for (let i = 0; i < pnLen; i++) out[pnOff + i] ^= mask[1 + i];
  }
  return out;
}

const FRAME = new Frame();
const CLIENT = mac("02:00:00:00:00:01"), SERVER = mac("02:00:00:00:00:02");

/** One mutated, encrypted QUIC Initial in an Ethernet/IPv4/UDP frame; `what` says how. */
export function quicCase(rng: Rng): { bytes: Buffer; what: string[] } {
  const version = rng.chance(0.8) ? QUIC_V1 : rng.chance(0.5) ? QUIC_V2 : 0xff00001d;
  // a few connection ids, so that pieces of one "connection" meet across cases
  const dcid = Buffer.alloc(8, rng.int(4));
  const scid = Buffer.alloc(rng.int(3) * 4, 0xab);
  const ch = tlsClientHello(rng, { sni: rng.chance(0.5) ? "quic.example" : "<x>".repeat(rng.int(40)), alpn: ["h3"], tls13: true, sessionId: [] }).subarray(5);
  const frames: Buffer[] = [];
  const fields: LengthField[] = [];
  let at = 0;
  const push = (b: Buffer, f: LengthField[] = []): void => {
    for (const x of f) fields.push({ ...x, off: x.off + at });
    frames.push(b);
    at += b.length;
  };
  // CRYPTO pieces of the ClientHello, in some order
  const cuts = [0, ch.length];
  for (let i = rng.int(3); i > 0; i--) cuts.push(rng.int(ch.length));
  cuts.sort((a, b) => a - b);
  const pieces = cuts.slice(1).map((e, i) => [cuts[i], e]).filter(([s, e]) => e > s);
  if (rng.chance(0.5)) pieces.reverse();
  for (const [s, e] of pieces) {
    if (rng.chance(0.15)) continue; // a piece lost
    const off = varint(s), len = varint(e - s, 2);
    const head = Buffer.concat([Buffer.from([6]), off, len]);
    push(Buffer.concat([head, ch.subarray(s, e)]), [
      { off: 1, kind: "varint", name: "quic.crypto.offset" },
      { off: 1 + off.length, kind: "varint", name: "quic.crypto.length" },
      { off: head.length + 1, kind: "u24", name: "tls.handshake.length" },
    ]);
  }
  const extra = rng.int(4);
  for (let i = 0; i < extra; i++) {
    switch (rng.int(4)) {
      case 0: push(Buffer.from([1])); break; // PING
      case 1: push(Buffer.concat([Buffer.from([2]), varint(rng.int(100)), varint(rng.int(1000)), varint(2), varint(0), varint(1), varint(0), varint(3), varint(2)]),
        [{ off: 5, kind: "varint", name: "quic.ack.range_count" }]); break;
      case 2: push(Buffer.concat([Buffer.from([0x1c]), varint(rng.int(0x1000)), varint(6), varint(5), Buffer.from("<b>x")]),
        [{ off: 3, kind: "varint", name: "quic.cc.reason_len" }]); break;
      default: push(Buffer.from([rng.pick([0x30, 0x08, 0x1e, 0x40, 0xff]), rng.int(256), rng.int(256)])); break;
    }
  }
  push(Buffer.alloc(rng.int(40))); // PADDING
  const plain = Buffer.concat(frames);
  const m = mutate(rng, plain, fields, ch);
  const pn = rng.int(4);
  const len = 1 + m.bytes.length + 16;
  const type = version === QUIC_V2 ? 0x10 : 0x00;
  const h = Buffer.concat([
    Buffer.from([0xc0 | type, version >>> 24, (version >> 16) & 255, (version >> 8) & 255, version & 255, dcid.length]), dcid,
    Buffer.from([scid.length]), scid, Buffer.from([0]), varint(len, 2), Buffer.from([pn]),
  ]);
  const keys = initialKeys(version, dcid, false);
  const pkt = keys === null ? Buffer.concat([h, m.bytes]) : protect(keys, h, 1, pn, m.bytes);
  FRAME.eth(SERVER, CLIENT).ipv4(ip4("192.0.2.7"), ip4("198.51.100.9"), PROTO_UDP, 64, rng.int(65536), false).udp(50000 + rng.int(4), 443).bytes(pkt);
  FRAME.finish();
  return { bytes: Buffer.from(FRAME.view()), what: [`QUIC Initial v${version.toString(16)} dcid ${dcid.toString("hex")}: ${pieces.length} CRYPTO pieces, plaintext: ${m.what.join("; ")}`] };
}
