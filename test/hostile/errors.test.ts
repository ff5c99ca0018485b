/**
 * The README's error contract ("Errors and bad input"), through the CLI and open(): what is
 * rejected (exit 2, one line naming the file and byte offset), what loads partially (exit 0,
 * warnings on stderr), bad usage (exit 2).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import * as wb from "../../src/index";
import { CaptureError } from "../../src/io/errors";
import { CLI } from "../helpers/paths";
import { frame, Ng, pcap, tmpFile } from "../helpers/bytes";

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const recs = Array.from({ length: 5 }, (_, i) => ({ sec: 1700000000 + i, frac: 0, data: frame(i) }));
const good = pcap(recs);

const REJECTED: [string, Buffer | null, RegExp, number][] = [
  ["empty.pcap", Buffer.alloc(0), /empty file: not a capture/, 0],
  ["text.pcap", Buffer.from("hello world, not a capture"), /not a pcap or pcapng capture: unknown magic bytes 68656c6c/, 0],
  ["text.pcap.gz", zlib.gzipSync(Buffer.from("hello world, not a capture")), /unknown magic bytes .*|inside gzip/, 0],
  ["short.pcap", good.subarray(0, 10), /file ends inside the capture header/, 0],
  ["version.pcap", Buffer.concat([good.subarray(0, 4), Buffer.from([9, 0]), good.subarray(6)]), /unsupported pcap version 9/, 4],
  ["bom.pcapng", (() => { const b = new Ng().shb().idb(1).epb(0, 1n, frame(1)).bytes(); b.writeUInt32LE(0x11223344, 8); return b; })(), /byte-order magic/, 8],
  ["missing.pcap", null, /no such file/, 0],
];

for (const [name, bytes, reason, offset] of REJECTED) {
  test(`rejected: ${name}`, async () => {
    const file = bytes === null ? path.join(path.dirname(tmpFile("x", Buffer.alloc(0))), name) : tmpFile(name, bytes);
    await assert.rejects(wb.open(file), (e: unknown) => {
      assert.ok(e instanceof CaptureError, String(e));
      assert.equal(e.file, file);
      assert.equal(e.offset, offset);
      assert.match(e.reason, reason);
      assert.equal(e.message, `${file}: ${e.reason} (at byte offset ${offset})`);
      return true;
    });
    const r = cli("summary", file);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^wirebook: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .+ \\(at byte offset ${offset}\\)$`));
  });
}

test("rejected: a directory", () => {
  const dir = path.dirname(tmpFile("x", Buffer.alloc(0)));
  const r = cli("fields", dir, "-e", "frame.number");
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `wirebook: ${dir}: is a directory (at byte offset 0)\n`);
});

test("partial: a truncated file loads the packets before the cut, warns, exits 0", async () => {
  const file = tmpFile("cut.pcap", good.subarray(0, good.length - 20));
  const cap = await wb.open(file);
  assert.equal(cap.count, 4);
  assert.deepEqual(cap.warnings, [`file ends inside a record (${recs[4].data.length + 16 - 20} of ${recs[4].data.length + 16} bytes) at byte offset ${good.length - recs[4].data.length - 16}; kept the 4 packets before it`]);
  await assert.rejects(wb.open(file, { strict: true }), CaptureError);
  const r = cli("fields", file, "-e", "frame.number");
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "frame.number\n1\n2\n3\n4\n");
  assert.equal(r.stderr, `wirebook: warning: ${cap.warnings[0]}\n`);
  const s = cli("summary", file);
  assert.equal(s.code, 0);
  assert.ok(s.stdout.includes(`warning: ${cap.warnings[0]}`));
});

test("partial: corrupt gzip keeps the packets before it with a warning naming the compressed offset", async () => {
  const big = pcap(Array.from({ length: 300 }, (_, i) => ({ sec: 1700000000 + i, frac: 0, data: frame(i, 400 + (i * 37) % 900) })));
  const gz = zlib.gzipSync(big);
  const cut = Buffer.from(gz.subarray(0, Math.floor(gz.length / 2)));
  const file = tmpFile("corrupt.pcap.gz", cut);
  const cap = await wb.open(file);
  assert.ok(cap.count > 0 && cap.count < 300);
  assert.ok(cap.warnings.some((w) => /^gzip data is corrupt: .* \(at compressed byte offset \d+\); kept the \d+ packets before it$/.test(w)), cap.warnings.join(" | "));
  assert.equal(cli("summary", file).code, 0);
});

test("partial: a record longer than 256 KiB stops reading there", async () => {
  const b = Buffer.from(good);
  const second = 24 + 16 + recs[0].data.length;
  b.writeUInt32LE(300_000, second + 8);
  const file = tmpFile("huge.pcap", b);
  const cap = await wb.open(file);
  assert.equal(cap.count, 1);
  assert.deepEqual(cap.warnings, [`record 2 claims 300000 captured bytes (more than the 262144-byte maximum) at byte offset ${second}; kept the 1 packets before it`]);
  // …and with nothing before it, the file is rejected
  const only = Buffer.from(good);
  only.writeUInt32LE(300_000, 24 + 8);
  await assert.rejects(wb.open(tmpFile("huge1.pcap", only)), (e: unknown) => e instanceof CaptureError && e.offset === 24);
});

test("a lying header inside a packet marks it malformed; nothing throws", async () => {
  const bad = frame(7);
  bad[14] = 0x4f; // IHL 60 bytes in a 60-byte frame
  const file = tmpFile("lie.pcap", pcap([{ sec: 1, frac: 0, data: bad }, ...recs]));
  const cap = await wb.open(file);
  assert.equal(cap.count, 6);
  assert.equal(cap.malformed, 1);
  assert.deepEqual(cap.warnings, []);
});

test("bad usage exits 2", () => {
  const file = tmpFile("ok.pcap", good);
  for (const args of [["bogus"], [], ["fields", file, "-e", "no.such.field"], ["fields", file, "-e", "frame.number", "-Y", "ip.src =="]]) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith("wirebook: ") || args.length === 0, `${args.join(" ")}: ${r.stderr}`);
  }
  assert.equal(cli("summary", file).code, 0);
  assert.ok(fs.existsSync(file));
});
