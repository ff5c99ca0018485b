import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { CaptureError, open } from "../../src";
import { frame, gzip, Ng, pcap, tmpFile } from "../helpers/bytes";
import { CLI } from "../helpers/paths";

const good = pcap([
  { sec: 1, frac: 0, data: frame(1) },
  { sec: 2, frac: 0, data: frame(2) },
  { sec: 3, frac: 0, data: frame(3) },
]);

test("a file cut inside a record keeps the packets before it, with a warning naming the offset", async () => {
  for (const cut of [good.length - 1, good.length - 30, good.length - 60 - 16 + 5]) {
    const c = await open(tmpFile("cut.pcap", good.subarray(0, cut)));
    assert.equal(c.count, 2, `cut at ${cut}`);
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], /ends inside a record .* at byte offset 176; kept the 2 packets/);
  }
});

test("strict mode rejects a truncated file", async () => {
  await assert.rejects(open(tmpFile("cut.pcap", good.subarray(0, good.length - 1)), { strict: true }),
    (e: unknown) => e instanceof CaptureError && e.offset === 176 && /cut\.pcap/.test(e.message));
});

test("garbage magic, empty files and cut headers are rejected with file and offset", async () => {
  const cases: [string, Buffer, RegExp][] = [
    ["garbage.pcap", Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), /unknown magic bytes 47455420.*offset 0/],
    ["empty.pcap", Buffer.alloc(0), /empty file/],
    ["short.pcap", good.subarray(0, 10), /capture header/],
    ["gz-garbage.gz", gzip(Buffer.from("not a capture at all")), /inside gzip/],
  ];
  for (const [name, bytes, re] of cases) {
    await assert.rejects(open(tmpFile(name, bytes)), (e: unknown) => e instanceof CaptureError && re.test(e.message), name);
  }
});

test("a record claiming 16 MB stops the read there: earlier packets kept, no huge allocation", async () => {
  const bad = Buffer.concat([good, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1])]);
  const before = process.memoryUsage().arrayBuffers;
  const c = await open(tmpFile("huge.pcap", bad));
  assert.equal(c.count, 3);
  assert.match(c.warnings[0], /claims 16777216 captured bytes.*offset 252/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
});

test("pcapng blocks with lying lengths: stop with the offset, never hang", async () => {
  const ok = new Ng().shb().idb(1).epb(0, 1n, frame(1));
  const lying = [
    Buffer.from([6, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]), // 2 GB block
    Buffer.from([6, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]), // not a multiple of 4
    Buffer.from([6, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]), // shorter than a block
  ];
  for (const l of lying) {
    const c = await open(tmpFile("lie.pcapng", Buffer.concat([ok.bytes(), l])));
    assert.equal(c.count, 1);
    assert.match(c.warnings[0], /impossible length .* at byte offset \d+/);
  }
  // an EPB whose captured length runs past its block
  const epb = new Ng().shb().idb(1).epb(0, 1n, frame(1)).bytes();
  const b = Buffer.from(epb);
  const epbAt = b.length - (12 + 20 + 60);
  b.writeUInt32LE(5000, epbAt + 20); // caplen
  // … with no packet before the damage, there is nothing to keep: the file is rejected
  await assert.rejects(open(tmpFile("lie2.pcapng", b)),
    (e: unknown) => e instanceof CaptureError && e.offset === epbAt && /claims 5000 captured bytes/.test(e.message));
  const two = Buffer.concat([ok.bytes(), b.subarray(epbAt)]);
  const c2 = await open(tmpFile("lie2b.pcapng", two));
  assert.equal(c2.count, 1);
  assert.match(c2.warnings[0], /claims 5000 captured bytes/);
  // trailing length differs
  const t = Buffer.from(epb);
  t.writeUInt32LE(12, t.length - 4);
  await assert.rejects(open(tmpFile("lie3.pcapng", t)), /trailing length/);
  // a packet naming an interface that does not exist
  const noIf = new Ng().shb().idb(1).epb(3, 1n, frame(1)).bytes();
  await assert.rejects(open(tmpFile("noif.pcapng", noIf)), /names interface 3, but the section describes 1/);
});

test("the CLI exits 2 with one clear line for a rejected file, never a stack trace", () => {
  const f = tmpFile("garbage.pcap", Buffer.from("hello world, not a capture"));
  const r = spawnSync(process.execPath, [CLI, "summary", f], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /^wirebook: .*garbage\.pcap: not a pcap or pcapng capture.*byte offset 0\)\n$/);
  const missing = spawnSync(process.execPath, [CLI, "fields", "/nonexistent.pcap", "-e", "ip.src"], { encoding: "utf8" });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  const usage = spawnSync(process.execPath, [CLI, "fields", f, "-e", "nope.field"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /unknown field "nope.field"/);
});

test("a truncated file still prints its packets from the CLI, warning on stderr", () => {
  const f = tmpFile("cut.pcap", good.subarray(0, good.length - 1));
  const out = execFileSync(process.execPath, [CLI, "fields", f, "-e", "udp.srcport"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  assert.equal(out, "udp.srcport\n1\n2\n");
});

test("decoders survive every truncation of a real frame", async () => {
  const f = frame(9, 120);
  const recs = Array.from({ length: f.length + 1 }, (_, i) => ({ sec: 1, frac: 0, data: f.subarray(0, i), origLen: f.length }));
  const c = await open(tmpFile("trunc.pcap", pcap(recs)));
  assert.equal(c.count, f.length + 1);
  assert.equal(c.warnings.length, 0);
  assert.equal(c.column("udp.srcport").text(f.length), "9");
  assert.equal(c.column("ip.src").text(13), "");
});
