/**
 * Resource caps on hostile input: a gzip bomb stops at the ratio or size limit with a warning
 * (packets before it kept), string values are cut at maxStringLength and counted, and a record
 * length larger than the file never sizes the read buffer.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as zlib from "node:zlib";
import * as wb from "../../src/index";
import { CaptureError } from "../../src/io/errors";
import { readCapture } from "../../src/io/reader";
import { STRING_CUT_MARK } from "../../src/table/builder";
import { Frame, ip4, mac, PROTO_TCP, TCP_ACK, TCP_PSH } from "../../src/gen/packet";
import { PcapWriter } from "../../src/io/writer";
import { pcap, frame, tmpFile } from "../helpers/bytes";

/** A gzipped pcap of `records` zero-filled 65535-byte packets (≈ 1000:1). */
function bomb(records: number): Promise<Buffer> {
  const h = pcap([]);
  const rec = Buffer.alloc(16 + 65535);
  rec.writeUInt32LE(65535, 8);
  rec.writeUInt32LE(65535, 12);
  const z = zlib.createGzip({ level: 9 });
  const parts: Buffer[] = [];
  z.on("data", (c: Buffer) => parts.push(c));
  z.write(h);
  for (let i = 0; i < records; i++) z.write(rec);
  z.end();
  return new Promise<Buffer>((resolve) => z.on("end", () => resolve(Buffer.concat(parts))));
}

test("a gzip bomb stops at the ratio limit with a warning, keeping the packets before it", async () => {
  const gz = await bomb(3000); // 197 MB inside, ≈ 200 KB outside
  assert.ok(gz.length < 1 << 20, `bomb is ${gz.length} bytes`);
  const file = tmpFile("bomb.pcap.gz", gz);
  const t = Date.now();
  const cap = await wb.open(file);
  const ms = Date.now() - t;
  const w = cap.warnings.find((x) => /gzip expands more than 100×/.test(x));
  assert.ok(w, `warning: ${cap.warnings.join(" | ")}`);
  assert.match(w!, /kept the \d+ packets before it/);
  // the ratio holds from the start: the output stops within a 1 MiB chunk of max(1 MiB, 100 × compressed
  // bytes consumed), ≈ 2 MiB here (before: past 64 MiB, ≈ 1,000 of these 64 KiB packets)
  assert.ok(cap.count > 0 && cap.count * 65551 <= 3 << 20, `${cap.count} packets kept`);
  assert.ok(ms < 20_000, `took ${ms} ms`);
  // strict rejects, naming the compressed offset
  await assert.rejects(wb.open(file, { strict: true }), (e: unknown) => e instanceof CaptureError && /gzip expands/.test(e.message) && /at byte offset \d+/.test(e.message));
  // a higher ratio lets it through (the file is what it claims)
  const all = await wb.open(file, { gzipMaxRatio: 5000 });
  assert.equal(all.count, 3000);
  assert.deepEqual(all.warnings, []);
});

/** A gzipped pcap of 65535-byte packets, each `random` random bytes then zeros: ≈ 200× for 260 */
function mixed(records: number, random: number): Buffer {
  const recs = [];
  let x = 12345;
  for (let i = 0; i < records; i++) {
    const data = Buffer.alloc(65535);
    for (let k = 0; k < random; k++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; data[k] = x >>> 24; }
    recs.push({ sec: i, frac: 0, data });
  }
  return zlib.gzipSync(pcap(recs), { level: 9 });
}

test("a gzip capture just under the old 250× rule is stopped from its first MiB (100×)", async () => {
  const gz = mixed(1000, 260);
  const ratio = 65_551_024 / gz.length;
  assert.ok(ratio > 120 && ratio < 250, `ratio ${ratio}`);
  const cap = await wb.open(tmpFile("under250.pcap.gz", gz));
  assert.ok(cap.warnings.some((w) => /gzip expands more than 100×/.test(w)), cap.warnings.join(" | "));
  assert.ok(cap.count > 0 && cap.count * 65551 <= 3 << 20, `${cap.count} packets kept`);
  // with the ratio raised it is all there
  assert.equal((await wb.open(tmpFile("under250.pcap.gz", gz), { gzipMaxRatio: 250 })).count, 1000);
});

test("gzipMaxBytes stops a gzip file at its total output", async () => {
  const recs = Array.from({ length: 200 }, (_, i) => ({ sec: i, frac: 0, data: frame(i, 1000) }));
  const file = tmpFile("big.pcap.gz", zlib.gzipSync(pcap(recs)));
  const cap = await wb.open(file, { gzipMaxBytes: 50_000 });
  assert.ok(cap.count > 0 && cap.count < 200, `${cap.count}`);
  assert.ok(cap.warnings.some((w) => /gzip output exceeds the 50000-byte limit \(gzipMaxBytes\)/.test(w)), cap.warnings.join(" | "));
  // the reader alone: the same limit
  let n = 0;
  await readCapture(file, { record() { n++; } }, { gzipMaxBytes: 50_000 });
  assert.equal(n, cap.count);
});

test("a gzip limit that trips before the first packet rejects the file", async () => {
  const file = tmpFile("tiny.pcap.gz", zlib.gzipSync(pcap([{ sec: 1, frac: 0, data: frame(1, 1000) }])));
  await assert.rejects(wb.open(file, { gzipMaxBytes: 100 }), (e: unknown) => e instanceof CaptureError && /gzipMaxBytes/.test(e.message));
});

test("string values longer than maxStringLength are cut with a mark and counted in warnings", async () => {
  const f = new Frame();
  const w = new PcapWriter({});
  const ua = "A".repeat(10_000);
  for (let i = 0; i < 3; i++) {
    f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")).ipv4(ip4("192.0.2.1"), ip4("192.0.2.2"), PROTO_TCP, 64, i, true)
      .tcp(40000 + i, 80, 1, 1, TCP_PSH | TCP_ACK, 1000).ascii(`GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${ua}${i}\r\n\r\n`);
    f.finish();
    w.write(1700000000 + i, 0, f.view());
  }
  const file = tmpFile("long.pcap", w.close()!);
  const cap = await wb.open(file);
  const v = String(cap.column("http.user_agent").get(0));
  assert.equal(v.length, 4096 + STRING_CUT_MARK.length);
  assert.ok(v.endsWith(STRING_CUT_MARK));
  assert.ok(cap.warnings.some((x) => /^3 string values longer than 4096 characters were cut \(maxStringLength\)$/.test(x)), cap.warnings.join(" | "));
  const wide = await wb.open(file, { maxStringLength: 20_000 });
  assert.equal(String(wide.column("http.user_agent").get(2)).length, 10_001);
  assert.deepEqual(wide.warnings, []);
});

test("a record claiming more bytes than the file holds is a truncation, and no buffer is sized from it", async () => {
  const ok = pcap([{ sec: 1, frac: 0, data: frame(1) }]);
  const rh = Buffer.alloc(16);
  rh.writeUInt32LE(200_000, 8);
  rh.writeUInt32LE(200_000, 12);
  const file = tmpFile("lie.pcap", Buffer.concat([ok, rh, Buffer.alloc(100)]));
  const before = process.memoryUsage().arrayBuffers;
  const cap = await wb.open(file);
  assert.ok(process.memoryUsage().arrayBuffers - before < 8 << 20);
  assert.equal(cap.count, 1);
  assert.ok(cap.warnings.some((w) => /file ends inside a record/.test(w) && /byte offset 100/.test(w)), cap.warnings.join(" | "));
});
