/**
 * The files table under hostile volume: many gzip bombs cost little each (the ratio is checked
 * from the start), extraction stops at its caps on files and bytes with a warning saying how many
 * bodies it did not write and why, and thousands of bodies in flight at once are all written
 * through a few descriptors (a process allowed 256 descriptors extracts 3,000 interleaved bodies).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { pcap, type Rec } from "../helpers/bytes";
import { CLI } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/files";
import { frame, response, request } from "./build";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-files-caps-"));
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * `n` HTTP connections in flight together: every handshake, request and response header first,
 * then the first half of every body, then the second halves, then the FINs (so all `n` bodies are
 * open at once).
 */
function interleaved(n: number, bodyOf: (i: number) => Buffer, headers: (i: number, b: Buffer) => [string, string][] = (_, b) => [["Content-Length", String(b.length)]]): Buffer {
  const recs: Rec[] = [];
  let t = 0;
  const add = (data: Buffer) => { recs.push({ sec: 1_700_000_000 + Math.floor(t / 1e6), frac: t % 1e6, data }); t += 10; };
  const cs = new Array<number>(n).fill(1001), ss = new Array<number>(n).fill(5001);
  const port = (i: number) => 10000 + i;
  for (let i = 0; i < n; i++) {
    add(frame(true, port(i), 80, 1000, 0, 0x02, Buffer.alloc(0)));
    add(frame(false, 80, port(i), 5000, 1001, 0x12, Buffer.alloc(0)));
    add(frame(true, port(i), 80, 1001, 5001, 0x10, Buffer.alloc(0)));
    const req = request(`/obj/${i}.bin`);
    add(frame(true, port(i), 80, cs[i], ss[i], 0x18, req));
    cs[i] += req.length;
    const head = response(headers(i, bodyOf(i)), Buffer.alloc(0));
    add(frame(false, 80, port(i), ss[i], cs[i], 0x18, head));
    ss[i] += head.length;
  }
  // each body in two halves: every body has started before the first one ends
  for (const half of [0, 1]) {
    for (let i = 0; i < n; i++) {
      const b = bodyOf(i), mid = b.length >> 1;
      const part = half === 0 ? b.subarray(0, mid) : b.subarray(mid);
      add(frame(false, 80, port(i), ss[i], cs[i], 0x18, part));
      ss[i] += part.length;
    }
  }
  for (let i = 0; i < n; i++) {
    add(frame(false, 80, port(i), ss[i], cs[i], 0x11, Buffer.alloc(0)));
    add(frame(true, port(i), 80, cs[i], ss[i] + 1, 0x11, Buffer.alloc(0)));
  }
  return pcap(recs);
}

function write(name: string, bytes: Buffer): string {
  const p = path.join(tmpDir(), name);
  fs.writeFileSync(p, bytes);
  return p;
}

test("2,000 gzip bombs: each stops after a few KiB of decoding (the ratio is checked from the start)", async () => {
  const bomb = zlib.gzipSync(Buffer.alloc(8 << 20)); // 8 MiB of zeros in ≈ 8 KB
  const file = write("bombs.pcap", interleaved(2000, () => bomb, (_, b) => [["Content-Length", String(b.length)], ["Content-Encoding", "gzip"]]));
  const t0 = Date.now();
  const t = await (await open(file)).files();
  const ms = Date.now() - t0;
  assert.equal(t.count, 2000);
  let seen = 0;
  for (let r = 0; r < t.count; r++) {
    assert.deepEqual(t.column("notes").get(r), ["decompression_bomb"]);
    seen += t.column("seen_bytes").get(r) as number;
  }
  // before: each body was decoded and hashed past 1 MiB (2 GiB in all)
  assert.ok(seen <= 2000 * 64 * 1024, `decoded ${seen} bytes in all`);
  assert.match(t.warnings.join("\n"), /2000 bodies stopped decoding at the decompression caps/);
  process.stdout.write(`# 2,000 bombs: ${seen} bytes decoded in all, ${ms} ms\n`);
});

test("extraction caps: maxFiles and maxTotalBytes; the warning says how many files were not written and why", async () => {
  const body = (i: number) => Buffer.from(`object ${i}\n`);
  const file = write("many.pcap", interleaved(30, body));
  const dir = path.join(tmpDir(), "out");
  const t = await (await open(file)).files({ extract: { dir, maxFiles: 10 } });
  assert.equal(fs.readdirSync(dir).length, 10);
  assert.match(t.warnings.join("\n"), /files: 20 files not extracted: the cap of 10 files \(maxFiles\) was reached/);
  let cut = 0;
  for (let r = 0; r < t.count; r++) if (t.column("extracted_cutoff").get(r) === true) cut++;
  assert.equal(cut, 20);
  // the byte budget, 50 bytes in all: the first halves (4 bytes for bodies 0–9, 5 after) fill it
  // at body 11, so 12 files are created and then cut, and the 18 others not written
  const dir2 = path.join(tmpDir(), "out");
  const t2 = await (await open(file)).files({ extract: { dir: dir2, maxTotalBytes: 50 } });
  const sizes = fs.readdirSync(dir2).map((n) => fs.statSync(path.join(dir2, n)).size);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 50);
  assert.equal(sizes.length, 12);
  assert.match(t2.warnings.join("\n"), /files: 18 files not extracted: the cap of 50 bytes in all \(maxTotalBytes\) was reached/);
  assert.match(t2.warnings.join("\n"), /files: 12 extracted files cut/);
});

test("3,000 bodies in flight at once are all extracted by a process limited to 256 descriptors", { skip: !fs.existsSync(CLI) ? "no CLI" : false }, () => {
  const body = (i: number) => Buffer.from(`body number ${i} `.repeat(1 + (i % 7)));
  const file = write("inflight.pcap", interleaved(3000, body));
  const dir = path.join(tmpDir(), "out");
  const r = spawnSync("sh", ["-c", `ulimit -n 256 && exec "${process.execPath}" "${CLI}" files "${file}" --extract "${dir}" --format json`], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /could not be created|extract_failed/);
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.direction === "resp");
  assert.equal(rows.length, 3000);
  const want = new Set(Array.from({ length: 3000 }, (_, i) => sha256(body(i))));
  const written = fs.readdirSync(dir).map((n) => sha256(fs.readFileSync(path.join(dir, n))));
  assert.equal(written.length, 3000);
  assert.deepEqual(new Set(written), want);
  for (const o of rows) assert.equal(o.complete, true);
});
