import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, hex, udpFrame } from "../helpers/decode";
import { headerMask, initialKeys, QUIC_V1, QUIC_V2, unprotect, unprotected, type QuicKeys } from "../../src/decode/quic";
import { protect } from "../../src/fuzz/quic";


// RFC 9001 Appendix A
const DCID = hex("8394c8f03e515708");
const A2_PROTECTED = hex(`
c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399
1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212
30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208
4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3
485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c
7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556
be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a
c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632
291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd
14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198
e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009ddc324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73
203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e
fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047
90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4
40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e
8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400
54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9
f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064
7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934`);
// A.3: the server's Initial (ACK + CRYPTO ServerHello), to a zero-length client CID
const A3_PROTECTED = hex(`cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
2158407dd074ee`);

const keyHex = (k: QuicKeys | null) => k && { key: k.key.toString("hex"), iv: k.iv.toString("hex"), hp: k.hp.toString("hex") };

test("quic: RFC 9001 A.1 Initial keys (v1) and RFC 9369 A.1 (v2)", () => {
  assert.deepEqual(keyHex(initialKeys(QUIC_V1, DCID, false)),
    { key: "1f369613dd76d5467730efcbe3b1a22d", iv: "fa044b2f42a3fd3b46fb255c", hp: "9f50449e04a0e810283a1e9933adedd2" });
  assert.deepEqual(keyHex(initialKeys(QUIC_V1, DCID, true)),
    { key: "cf3a5331653c364c88f0f379b6067e37", iv: "0ac1493ca1905853b0bba03e", hp: "c206b8d9b9f0f37644430b490eeaa314" });
  assert.deepEqual(keyHex(initialKeys(QUIC_V2, DCID, false)),
    { key: "8b1a0bc121284290a29e0971b5cd045d", iv: "91f73e2351d8fa91660e909f", hp: "45b95e15235d6f45a6b19cbcb0294ba9" });
  assert.equal(initialKeys(0x12345678, DCID, false), null);
});

test("quic: RFC 9001 A.2 header protection and payload of the client Initial", () => {
  const k = initialKeys(QUIC_V1, DCID, false)!;
  assert.equal(headerMask(k.hp, hex("d1b1c98dd7689fb8ec11d242b123dc9b")).subarray(0, 5).toString("hex"), "437b9aec36");
  const plain = unprotect(A2_PROTECTED, 0, 18, A2_PROTECTED.length, k, -1);
  assert.ok(plain);
  assert.deepEqual({ ...unprotected }, { first: 0xc3, pnLen: 4, pn: 2 });
  assert.equal(plain.subarray(0, 12).toString("hex"), "060040f1010000ed0303ebf8");
  assert.equal(plain.length, 0x049e - 4 - 16); // Length 0x449e (varint) covers pn and tag
  // a damaged tag: no plaintext, no throw
  const bad = Buffer.from(A2_PROTECTED);
  bad[bad.length - 1] ^= 1;
  assert.equal(unprotect(bad, 0, 18, bad.length, k, -1), null);
});

const F = ["quic.header_form", "quic.fixed_bit", "quic.long.packet_type", "quic.long.reserved", "quic.packet_number_length", "quic.version",
  "quic.dcil", "quic.dcid", "quic.scil", "quic.scid", "quic.token_length", "quic.length", "quic.packet_number", "quic.packet_length",
  "quic.frame_type", "quic.crypto.offset", "quic.crypto.length", "tls.handshake.type", "tls.handshake.extensions_server_name",
  "tls.handshake.extensions_alpn_str", "tls.handshake.ciphersuite", "tls.handshake.version", "tls.record.content_type", "frame.protocols"];

test("quic: the RFC 9001 client Initial decoded to its ClientHello", () => {
  assert.deepEqual(fieldsOf(udpFrame(A2_PROTECTED, 50000, 443), F), {
    "quic.header_form": "1", "quic.fixed_bit": "1", "quic.long.packet_type": "0", "quic.long.reserved": "0",
    "quic.packet_number_length": "3", "quic.version": "0x00000001", "quic.dcil": "8", "quic.dcid": "8394c8f03e515708",
    "quic.scil": "0", "quic.scid": "", "quic.token_length": "0", "quic.length": "1182", "quic.packet_number": "2",
    "quic.packet_length": "1200", "quic.frame_type": "6", "quic.crypto.offset": "0", "quic.crypto.length": "241",
    "tls.handshake.type": "1", "tls.handshake.extensions_server_name": "example.com", "tls.handshake.extensions_alpn_str": "alpn",
    "tls.handshake.ciphersuite": "0x1301", "tls.handshake.version": "0x0303", "tls.record.content_type": "",
    "frame.protocols": "eth:ethertype:ip:udp:quic:tls",
  });
});

test("quic: the server Initial uses the server keys of the client's DCID; retransmitted CRYPTO shows no TLS", () => {
  const c = decodeFrames([udpFrame(A2_PROTECTED, 50000, 443), udpFrame(A3_PROTECTED, 443, 50000), udpFrame(A2_PROTECTED, 50000, 443)]);
  assert.equal(c.column("quic.scid").text(1), "f067a5502a4262b5");
  assert.equal(c.column("quic.packet_number").text(1), "1");
  assert.equal(c.column("quic.frame_type").text(1), "2");
  assert.equal(c.column("tls.handshake.type").text(1), "2");
  assert.equal(c.column("tls.handshake.ciphersuite").text(1), "0x1301");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:udp:quic:tls");
  // the same ClientHello again: a retransmission
  assert.equal(c.column("quic.packet_number").text(2), "2");
  assert.equal(c.column("tls.handshake.type").text(2), "");
  assert.equal(c.column("frame.protocols").text(2), "eth:ethertype:ip:udp:quic");
});

function initial(version: number, dcid: Buffer, scid: Buffer, pn: number, payload: Buffer, server = false, odcid = dcid): Buffer {
  const len = 1 + payload.length + 16;
  const h = Buffer.concat([Buffer.from([0xc0]), Buffer.from([version >>> 24, (version >> 16) & 255, (version >> 8) & 255, version & 255]),
    Buffer.from([dcid.length]), dcid, Buffer.from([scid.length]), scid, Buffer.from([0]), Buffer.from([0x40 | (len >> 8), len & 255]), Buffer.from([pn])]);
  return protect(initialKeys(version, odcid, server)!, h, 1, pn, payload);
}
const crypto = (off: number, d: Buffer) => Buffer.concat([Buffer.from([6, 0x40 | (off >> 8), off & 255, 0x40 | (d.length >> 8), d.length & 255]), d]);
const hello = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 0, body.length >> 8, body.length & 255]), body]);
const CH = hello(1, Buffer.concat([hex("0303"), Buffer.alloc(32), hex("00 0002 1302 0100"), hex("0012 0000 000e 000c 0000 09 71756963 2e74657374")]));

test("quic: draft-29 keys, a ClientHello split over two Initials and out of order, coalesced padding", () => {
  const D29 = 0xff00001d;
  const dcid = hex("0102030405060708"), scid = hex("aabbccdd");
  const p1 = initial(D29, dcid, scid, 0, Buffer.concat([crypto(40, CH.subarray(40)), Buffer.alloc(30)]));
  const p2 = initial(D29, dcid, scid, 1, Buffer.concat([crypto(0, CH.subarray(0, 40)), Buffer.alloc(30)]));
  const c = decodeFrames([udpFrame(Buffer.concat([p1, Buffer.alloc(100)]), 40000, 443), udpFrame(p2, 40000, 443)]);
  assert.equal(c.column("quic.version").text(0), "0xff00001d");
  assert.equal(c.column("quic.crypto.offset").text(0), "40");
  assert.equal(c.column("quic.packet_length").text(0), String(p1.length));
  assert.equal(c.column("tls.handshake.type").text(0), "");
  assert.equal(c.column("tls.handshake.type").text(1), "1");
  assert.equal(c.column("tls.handshake.extensions_server_name").text(1), "quic.test");
  assert.equal(c.column("tls.handshake.ciphersuite").text(1), "0x1302");
});

test("quic: v2 Initial packet type bits and keys", () => {
  const dcid = hex("1112131415161718");
  // v2: Initial is long packet type 1 (RFC 9369 §3.2)
  const len = 1 + CH.length + 5 + 20 + 16;
  const h = Buffer.concat([Buffer.from([0xd0]), hex("6b3343cf"), Buffer.from([8]), dcid, Buffer.from([0, 0]), Buffer.from([0x40 | (len >> 8), len & 255, 0])]);
  const v2 = protect(initialKeys(QUIC_V2, dcid, false)!, h, 1, 0, Buffer.concat([crypto(0, CH), Buffer.alloc(20)]));
  const f = fieldsOf(udpFrame(v2, 40001, 443), ["quic.long.packet_type", "quic.long.packet_type_v2", "quic.version", "tls.handshake.type"]);
  assert.deepEqual(f, { "quic.long.packet_type": "", "quic.long.packet_type_v2": "1", "quic.version": "0x6b3343cf", "tls.handshake.type": "1" });
});

test("quic: not QUIC stays data; short headers of known connections; Handshake packets show the header only", () => {
  const dcid = hex("0102030405060709"), scid = hex("a1a2a3a4");
  const c = decodeFrames([
    udpFrame(Buffer.from("hello world, not quic", "latin1"), 40002, 443),
    udpFrame(Buffer.concat([hex("c0 51303530 08"), Buffer.alloc(30)]), 40003, 443), // gQUIC Q050: gquic's
    udpFrame(initial(QUIC_V1, dcid, scid, 0, Buffer.concat([crypto(0, CH), Buffer.alloc(20)])), 40004, 443),
    udpFrame(Buffer.concat([hex("e0 00000001 04 a1a2a3a4 04 b1b2b3b4 4020"), Buffer.alloc(32)]), 443, 40004), // Handshake
    udpFrame(Buffer.concat([hex("41 a1a2a3a4"), Buffer.alloc(30)]), 443, 40004),
  ]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:udp:data");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:udp:data");
  assert.equal(c.column("tls.handshake.type").text(2), "1");
  assert.equal(c.column("quic.long.packet_type").text(3), "2");
  assert.equal(c.column("quic.length").text(3), "32");
  assert.equal(c.column("quic.packet_number").text(3), "");
  assert.equal(c.column("quic.header_form").text(4), "0");
  assert.equal(c.column("quic.dcid").text(4), "a1a2a3a4");
  assert.equal(c.column("quic.spin_bit").text(4), "0");
});

test("quic: hostile input never throws", () => {
  const dcid = hex("0102030405060710");
  const good = initial(QUIC_V1, dcid, Buffer.alloc(0), 0, Buffer.concat([crypto(0, CH), Buffer.alloc(20)]));
  const badTag = Buffer.from(good); badTag[badTag.length - 3] ^= 0x55;
  const lyingCrypto = initial(QUIC_V1, hex("0102030405060711"), Buffer.alloc(0), 0, Buffer.concat([hex("06 00 7fff"), Buffer.alloc(40)]));
  const lyingHello = initial(QUIC_V1, hex("0102030405060712"), Buffer.alloc(0), 0,
    Buffer.concat([crypto(0, Buffer.concat([hex("01ffffff"), Buffer.alloc(30)])), Buffer.alloc(20)]));
  const hugeAck = initial(QUIC_V1, hex("0102030405060713"), Buffer.alloc(0), 0, Buffer.concat([hex("02 00 00 bfffffffffffffff 00"), Buffer.alloc(30)]));
  const payloads = [
    good.subarray(0, 40), // length past the end
    badTag,
    lyingCrypto, lyingHello, hugeAck,
    Buffer.concat([hex("c0 00000001 ff"), Buffer.alloc(20)]), // DCID length 255
    Buffer.concat([hex("c0 00000001 04 01020304 15"), Buffer.alloc(10)]), // SCID past the end
    Buffer.concat([hex("c0 00000001 00 00 ff"), Buffer.alloc(10)]), // token length varint past the end
    Buffer.concat([hex("c0 00000001 00 00 00 bfffffffffffffff"), Buffer.alloc(10)]), // huge length
    hex("c0 00000001 00 00 00 00"),
    Buffer.alloc(1300, 0xc0),
  ];
  const c = decodeFrames(payloads.map((b, i) => udpFrame(b, 41000 + i, 443)));
  assert.equal(c.count, payloads.length);
  assert.equal(c.column("quic.version").text(1), "0x00000001");
  assert.equal(c.column("quic.packet_number").text(1), "");
  assert.equal(c.column("tls.handshake.type").text(1), "");
  assert.equal(c.column("tls.handshake.type").text(3), "");
  assert.ok(c.malformed >= 5);
});
