import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PcapWriter, type PcapngPacketOptions } from "../../src/io/writer";
import { DATA_FILES, writeDataFiles } from "../../src/gen/data";
import { generateOffice } from "../../src/gen/office";
import { Rng } from "../../src/gen/prng";
import { Frame, PROTO_TCP, PROTO_UDP, fold, ip4, ip6, mac, sum16 } from "../../src/gen/packet";

const DATA = path.join(__dirname, "..", "..", "..", "data");
const HAVE_TSHARK = spawnSync("tshark", ["-v"]).status === 0;
const noTshark = HAVE_TSHARK ? false : "tshark not installed (apt-get install tshark)";

function tshark(args: string[]): string {
  return execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
}

test("PRNG is deterministic and roughly uniform", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.u32());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.u32()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => new Rng(43).u32()));
  const r = new Rng(7);
  let sum = 0;
  for (let i = 0; i < 100000; i++) sum += r.float();
  assert.ok(Math.abs(sum / 100000 - 0.5) < 0.01);
});

test("IPv4 header, UDP and TCP checksums verify to zero", () => {
  const f = new Frame();
  f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")).ipv4(ip4("192.168.1.2"), ip4("198.51.100.10"), PROTO_TCP, 64, 0x1c2b, true)
    .tcp(50000, 443, 0xfffffff0, 12345, 0x18, 501).ascii("hello, odd length");
  const len = f.finish();
  const b = f.buf;
  assert.equal(fold(sum16(b, 14, 34, 0)), 0xffff);
  const tcpLen = len - 34;
  const pseudo = sum16(b, 26, 34, 0) + PROTO_TCP + tcpLen;
  assert.equal(fold(sum16(b, 34, len, pseudo)), 0xffff);
  f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")).ipv6(ip6("2001:db8::1"), ip6("2001:db8::2"), PROTO_UDP, 64).udp(5353, 53).ascii("abc");
  const l6 = f.finish();
  const udpLen = l6 - 54;
  assert.equal(b.readUInt16BE(58), udpLen);
  assert.equal(fold(sum16(b, 54, l6, sum16(b, 22, 54, 0) + PROTO_UDP + udpLen)), 0xffff);
  assert.equal(f.finish() >= 60, true);
});

class Collect {
  hash = crypto.createHash("sha256");
  n = 0;
  last = -1;
  sorted = true;
  write(sec: number, nsec: number, data: Uint8Array, _orig?: number, o?: PcapngPacketOptions): void {
    const t = sec * 1e9 + nsec;
    if (t < this.last) this.sorted = false;
    this.last = t;
    const h = Buffer.alloc(12);
    h.writeUInt32LE(sec, 0);
    h.writeUInt32LE(nsec, 4);
    h.writeUInt32LE(o?.interfaceId ?? 0, 8);
    this.hash.update(h);
    this.hash.update(data);
    this.n++;
  }
}

test("generator: same seed, same packets; other seed, other packets; sorted; bounded", () => {
  const a = new Collect();
  const b = new Collect();
  const c = new Collect();
  const sa = generateOffice({ seed: 9, packets: 5000, sink: a });
  generateOffice({ seed: 9, packets: 5000, sink: b });
  generateOffice({ seed: 10, packets: 5000, sink: c });
  assert.equal(sa.packets, 5000);
  assert.equal(sa.clamped, 0);
  assert.equal(a.n, 5000);
  const ha = a.hash.digest("hex");
  assert.equal(ha, b.hash.digest("hex"));
  assert.notEqual(ha, c.hash.digest("hex"));
  assert.ok(a.sorted && c.sorted);
});

test("generator: 200k packets stream fast without holding them", () => {
  const sink = { n: 0, bytes: 0, write(_s: number, _ns: number, d: Uint8Array) { this.n++; this.bytes += d.length; } };
  const before = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const s = generateOffice({ seed: 1, packets: 200000, sink });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  assert.equal(sink.n, 200000);
  assert.equal(s.clamped, 0);
  assert.ok(secs < 20, `200k packets took ${secs.toFixed(1)} s`);
  const grew = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(grew < 200, `RSS grew ${grew.toFixed(0)} MiB`);
});

test("data/: regenerating gives identical bytes", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-gen-"));
  try {
    writeDataFiles(dir);
    for (const d of DATA_FILES) {
      const want = fs.readFileSync(path.join(DATA, d.name));
      const got = fs.readFileSync(path.join(dir, d.name));
      assert.ok(want.equals(got), `${d.name} differs from a fresh generation: run npm run gen:data`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("data/ stays small", () => {
  let total = 0;
  for (const d of DATA_FILES) total += fs.statSync(path.join(DATA, d.name)).size;
  assert.ok(total < 2.5 * 2 ** 20, `data/ captures total ${total} bytes`);
});

for (const d of DATA_FILES) {
  test(`tshark finds no malformed packets or errors in data/${d.name}`, { skip: noTshark }, () => {
    const file = path.join(DATA, d.name);
    const out = tshark(["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-q", "-z", "expert"]);
    assert.doesNotMatch(out, /Malformed/);
    assert.doesNotMatch(out, /^Errors/m);
    assert.doesNotMatch(out, /checksum/i);
    // the only warnings are resets the scenario makes on purpose
    const warns = out.split(/\n\n/).find((s) => /^\s*Warns/.test(s)) ?? "";
    // (attacks.pcap: also the ARP spoof's duplicate address, on purpose — src/gen/attacks.ts)
    const onPurpose = d.name === "attacks.pcap" ? /Connection reset \(RST\)|Duplicate IP address configured/ : /Connection reset \(RST\)/;
    for (const line of warns.split("\n")) if (/^\s+\d+\s/.test(line)) assert.match(line, onPurpose);
    const text = tshark(["-r", file, "-q", "-z", "expert,error"]);
    assert.doesNotMatch(text, /Expert Info \(Error/);
  });
}

function protocols(file: string): Set<string> {
  const out = tshark(["-r", file, "-q", "-z", "io,phs"]);
  const set = new Set<string>();
  for (const m of out.matchAll(/^\s+([a-z0-9_.-]+)\s+frames:/gm)) set.add(m[1]);
  return set;
}

test("data/office.pcap has every protocol of the mix", { skip: noTshark }, () => {
  const p = protocols(path.join(DATA, "office.pcap"));
  for (const want of ["dns", "http", "tls", "arp", "icmp", "vlan", "ipv6", "icmpv6", "dhcp", "ntp", "tcp", "udp"]) assert.ok(p.has(want), `no ${want} in office.pcap: ${[...p].join(" ")}`);
});

test("data/ captures together cover VLAN, IPv6 and both file formats", { skip: noTshark }, () => {
  const all = new Set<string>();
  for (const d of DATA_FILES) for (const x of protocols(path.join(DATA, d.name))) all.add(x);
  for (const want of ["dns", "http", "tls", "arp", "icmp", "vlan", "ipv6", "icmpv6", "dhcp", "ntp"]) assert.ok(all.has(want), want);
  const ng = tshark(["-r", path.join(DATA, "office.pcapng"), "-T", "fields", "-e", "frame.interface_id", "-e", "frame.comment"]);
  assert.match(ng, /^1\t/m);
  assert.match(ng, /^0\t/m);
  assert.match(ng, /ClientHello/);
  const qinq = tshark(["-r", path.join(DATA, "office-vlan-ipv6.pcap"), "-T", "fields", "-e", "ieee8021ad.id", "-e", "vlan.id"]);
  assert.match(qinq, /^100\t30$/m);
  assert.match(qinq, /^\t20$/m);
});

test("TCP conversations are complete and sequence numbers consistent", { skip: noTshark }, () => {
  const file = path.join(DATA, "office.pcap");
  const out = tshark(["-r", file, "-Y", "tcp.analysis.flags && !tcp.analysis.window_update", "-T", "fields", "-e", "frame.number", "-e", "tcp.analysis.flags"]);
  // nothing lost, retransmitted, out of order or duplicate-acked
  const bad = tshark(["-r", file, "-Y", "tcp.analysis.lost_segment || tcp.analysis.retransmission || tcp.analysis.out_of_order || tcp.analysis.duplicate_ack || tcp.analysis.ack_lost_segment", "-T", "fields", "-e", "frame.number"]);
  assert.equal(bad.trim(), "", `suspicious TCP frames: ${bad.slice(0, 200)}`);
  void out;
});

test("a µs pcap of the scenario reads back with the same packet count (capinfos)", { skip: noTshark }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-gen-"));
  try {
    const file = path.join(dir, "x.pcap");
    const w = new PcapWriter({ path: file });
    const s = generateOffice({ seed: 5, packets: 3000, sink: w });
    w.close();
    const ci = execFileSync("capinfos", ["-M", "-c", "-o", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    assert.match(ci, /Number of packets:\s+3000\n/);
    assert.match(ci, /Strict time order:\s+True/);
    assert.equal(s.packets, 3000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
