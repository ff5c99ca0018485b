import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LinkType, PcapngWriter, PcapWriter } from "../../src/io/writer";
import { Frame, PROTO_UDP, ip4, mac } from "../../src/gen/packet";

const HAVE_TSHARK = spawnSync("tshark", ["-v"]).status === 0;
const HAVE_CAPINFOS = spawnSync("capinfos", ["-h"]).status === 0;
const noTshark = HAVE_TSHARK && HAVE_CAPINFOS ? false : "tshark/capinfos not installed (apt-get install tshark)";

function tmp(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "wb-writer-"));
  return path.join(d, name);
}

function tshark(file: string, ...fields: string[]): string[][] {
  const out = execFileSync("tshark", ["-r", file, "-n", "-T", "fields", "-E", "separator=/t", ...fields.flatMap((f) => ["-e", f])], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

function capinfos(file: string): string {
  return execFileSync("capinfos", ["-M", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

/** a valid Ethernet/IPv4/UDP frame with n payload bytes */
function udpFrame(n: number, id = 1): Buffer {
  const f = new Frame();
  f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01"))
    .ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), PROTO_UDP, 64, id, true)
    .udp(40000, 9999)
    .zeros(n);
  f.finish();
  return Buffer.from(f.view());
}

test("pcap header: magics and byte orders", () => {
  const le = new PcapWriter({}).close()!;
  assert.equal(le.length, 24);
  assert.equal(le.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(le.readUInt16LE(4), 2);
  assert.equal(le.readUInt16LE(6), 4);
  assert.equal(le.readUInt32LE(16), 262144);
  assert.equal(le.readUInt32LE(20), 1);
  const beNs = new PcapWriter({ bigEndian: true, nanosecond: true, snaplen: 96, linkType: LinkType.RAW }).close()!;
  assert.equal(beNs.readUInt32BE(0), 0xa1b23c4d);
  assert.deepEqual([...beNs.subarray(0, 4)], [0xa1, 0xb2, 0x3c, 0x4d]);
  assert.equal(beNs.readUInt32BE(16), 96);
  assert.equal(beNs.readUInt32BE(20), 101);
});

test("pcap records: µs truncation, snaplen cut, orig_len", () => {
  const w = new PcapWriter({ snaplen: 64 });
  w.write(1700000000, 123456789, udpFrame(10));
  w.write(1700000001, 999, udpFrame(100), 500);
  const b = w.close()!;
  assert.equal(b.readUInt32LE(24), 1700000000);
  assert.equal(b.readUInt32LE(28), 123456);
  assert.equal(b.readUInt32LE(32), 60); // 14+20+8+10 = 52, padded to 60
  assert.equal(b.readUInt32LE(36), 60);
  const r2 = 24 + 16 + 60;
  assert.equal(b.readUInt32LE(r2 + 4), 0);
  assert.equal(b.readUInt32LE(r2 + 8), 64);
  assert.equal(b.readUInt32LE(r2 + 12), 500);
  assert.equal(b.length, r2 + 16 + 64);
  assert.equal(w.packets, 2);
});

test("pcapng timestamps split exactly into 32-bit halves", () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 1],
    [1700000000, 999999999],
    [4294967295, 999999999],
    [2 ** 33 + 7, 123],
    [1718000000, 187100123],
  ];
  for (const res of [6, 9, 3, 0]) {
    const w = new PcapngWriter({ interfaces: [{ tsresol: res }] });
    for (const [s, ns] of cases) w.write(s, ns, Buffer.alloc(4));
    const b = w.close()!;
    // skip SHB and IDB
    let p = b.readUInt32LE(4);
    p += b.readUInt32LE(p + 4);
    for (const [s, ns] of cases) {
      assert.equal(b.readUInt32LE(p), 6);
      const hi = BigInt(b.readUInt32LE(p + 12));
      const lo = BigInt(b.readUInt32LE(p + 16));
      const want = BigInt(s) * 10n ** BigInt(res) + BigInt(ns) / 10n ** BigInt(9 - res);
      assert.equal((hi << 32n) | lo, want, `res ${res} ${s}.${ns}`);
      p += b.readUInt32LE(p + 4);
    }
    assert.equal(p, b.length);
  }
});

test("pcapng block structure: lengths repeated, 32-bit aligned, options", () => {
  const w = new PcapngWriter({ comment: "hello", interfaces: [{ name: "eth0" }] });
  w.write(10, 0, Buffer.alloc(5, 1), undefined, { comment: "x", flags: 1 });
  w.write(11, 0, Buffer.alloc(7, 2), undefined, { simple: true });
  const b = w.close()!;
  let p = 0;
  const types: number[] = [];
  while (p < b.length) {
    const len = b.readUInt32LE(p + 4);
    assert.equal(len % 4, 0);
    assert.equal(b.readUInt32LE(p + len - 4), len);
    types.push(b.readUInt32LE(p));
    p += len;
  }
  assert.equal(p, b.length);
  assert.deepEqual(types, [0x0a0d0d0a, 1, 6, 3]);
  assert.equal(b.readUInt32LE(8), 0x1a2b3c4d);
});

test("classic pcap read back by tshark and capinfos (µs, LE)", { skip: noTshark }, () => {
  const file = tmp("a.pcap");
  const w = new PcapWriter({ path: file });
  w.write(1718000000, 187100000, udpFrame(10, 1));
  w.write(1718000000, 187100999, udpFrame(200, 2));
  w.write(1718000001, 5000, udpFrame(1400, 3));
  w.close();
  const rows = tshark(file, "frame.time_epoch", "frame.len", "frame.cap_len", "ip.id", "udp.length");
  assert.deepEqual(rows, [
    ["1718000000.187100000", "60", "60", "0x0001", "18"],
    ["1718000000.187100000", "242", "242", "0x0002", "208"],
    ["1718000001.000005000", "1442", "1442", "0x0003", "1408"],
  ]);
  const ci = capinfos(file);
  assert.match(ci, /Number of packets:\s+3\n/);
  assert.match(ci, /File encapsulation:\s+ether\n/);
  assert.match(ci, /microseconds/);
});

test("classic pcap, nanosecond big-endian, snaplen cut, raw IP link type", { skip: noTshark }, () => {
  const file = tmp("b.pcap");
  const w = new PcapWriter({ path: file, nanosecond: true, bigEndian: true, snaplen: 100, linkType: LinkType.RAW });
  w.write(1718000000, 123456789, udpFrame(10).subarray(14, 14 + 38));
  w.write(1718000002, 1, udpFrame(1000).subarray(14));
  w.close();
  const rows = tshark(file, "frame.time_epoch", "frame.len", "frame.cap_len", "ip.src", "frame.encap_type");
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].slice(0, 4), ["1718000000.123456789", "38", "38", "10.0.0.1"]);
  assert.deepEqual(rows[1].slice(0, 4), ["1718000002.000000001", "1028", "100", "10.0.0.1"]);
  const ci = capinfos(file);
  assert.match(ci, /nanoseconds/);
  assert.match(ci, /Raw IP/);
});

test("pcapng read back: comments, two interfaces, link types, ns/µs resolution, SPB", { skip: noTshark }, () => {
  const file = tmp("c.pcapng");
  const w = new PcapngWriter({
    path: file,
    comment: "section comment ü",
    interfaces: [
      { name: "eth0", linkType: LinkType.ETHERNET, tsresol: 6 },
      { name: "tun0", linkType: LinkType.RAW, tsresol: 9, snaplen: 65535 },
    ],
  });
  w.write(1718000000, 123456789, udpFrame(10), undefined, { interfaceId: 0, comment: "first packet" });
  w.write(1718000000, 123456789, udpFrame(20).subarray(14), undefined, { interfaceId: 1 });
  w.write(1718000003, 999999999, udpFrame(30), undefined, { interfaceId: 0, flags: 1 });
  w.write(0, 0, udpFrame(40), undefined, { simple: true });
  w.close();
  const rows = tshark(file, "frame.interface_id", "frame.interface_name", "frame.time_epoch", "frame.len", "frame.comment", "ip.id");
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[0], ["0", "eth0", "1718000000.123456000", "60", "first packet", "0x0001"]);
  assert.deepEqual(rows[1], ["1", "tun0", "1718000000.123456789", "48", "", "0x0001"]);
  assert.deepEqual(rows[2], ["0", "eth0", "1718000003.999999000", "72", "", "0x0001"]);
  assert.equal(rows[3][3], "82");
  const ci = capinfos(file);
  assert.match(ci, /Capture comment:\s+section comment ü/);
  assert.match(ci, /Number of interfaces in file: 2/);
  assert.match(ci, /Number of packets:\s+4\n/);
});

test("streaming a large file: one buffer, big writes, exact size", () => {
  const file = tmp("big.pcap");
  const frame = udpFrame(400);
  const n = 300000;
  const t0 = process.hrtime.bigint();
  const w = new PcapWriter({ path: file, bufferSize: 1 << 20 });
  for (let i = 0; i < n; i++) w.write(1718000000 + (i >> 10), (i & 1023) * 1000, frame);
  w.close();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  assert.equal(fs.statSync(file).size, 24 + n * (16 + frame.length));
  assert.equal(w.bytesWritten, 24 + n * (16 + frame.length));
  assert.ok(secs < 10, `300k records took ${secs.toFixed(2)} s`);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

test("writing after close throws; close twice is harmless", () => {
  const w = new PcapWriter();
  assert.ok(w.close());
  assert.equal(w.close(), undefined);
  assert.throws(() => w.write(0, 0, Buffer.alloc(1)));
});
