/**
 * Memory per connection: two million one-packet TCP connections (lone SYNs, a 140 MB capture made
 * here) finish with a bounded peak RSS (before: 4 GiB for `flows`), every connection S0 as Zeek
 * logs a SYN nobody answered; past the connection cap (maxConnections) the least recently active
 * connections are evicted and the CLI says how many on stderr.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { CLI, ROOT } from "../helpers/paths";

/** n Ethernet/IPv4/TCP SYNs, each its own connection; `perSecond` of them per second of capture time */
function synCapture(file: string, n: number, perSecond: number): void {
  const fd = fs.openSync(file, "w");
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(65535, 16); h.writeUInt32LE(1, 20);
  fs.writeSync(fd, h);
  const REC = 16 + 54, B = 65536;
  const buf = Buffer.alloc(REC * B);
  for (let base = 0; base < n; base += B) {
    const m = Math.min(B, n - base);
    for (let k = 0; k < m; k++) {
      const i = base + k, o = k * REC, f = o + 16;
      buf.writeUInt32LE(1_700_000_000 + Math.floor(i / perSecond), o);
      buf.writeUInt32LE(Math.floor(((i % perSecond) * 1e6) / perSecond), o + 4);
      buf.writeUInt32LE(54, o + 8); buf.writeUInt32LE(54, o + 12);
      buf.writeUIntBE(0x020000000001, f, 6); buf.writeUIntBE(0x020000000002, f + 6, 6); buf.writeUInt16BE(0x0800, f + 12);
      buf[f + 14] = 0x45; buf.writeUInt16BE(40, f + 16); buf.writeUInt16BE(i & 0xffff, f + 18); buf[f + 22] = 64; buf[f + 23] = 6;
      buf.writeUInt32BE((0x0a000000 + Math.floor(i / 60000)) >>> 0, f + 26); buf.writeUInt32BE(0xc0a80001, f + 30);
      buf.writeUInt16BE(1024 + (i % 60000), f + 34); buf.writeUInt16BE(80, f + 36); buf.writeUInt32BE((i * 7919) >>> 0, f + 38);
      buf[f + 46] = 0x50; buf[f + 47] = 0x02; buf.writeUInt16BE(65535, f + 48);
    }
    fs.writeSync(fd, buf, 0, m * REC);
  }
  fs.closeSync(fd);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-mem-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

test("2M one-packet connections: flows() finishes in bounded memory, every connection S0", { timeout: 180_000 }, () => {
  const file = path.join(dir, "syn2m.pcap");
  synCapture(file, 2_000_000, 10_000);
  // a child process, so that its peak RSS is this work's alone
  const script = `
    const { open } = require(${JSON.stringify(path.join(ROOT, "dist/src/table/load"))});
    const { FLOW_FIELDS } = require(${JSON.stringify(path.join(ROOT, "dist/src/flows"))});
    (async () => {
      const t0 = Date.now();
      const cap = await open(process.argv[1], { columns: FLOW_FIELDS });
      const ft = cap.flows();
      const state = ft.column("conn_state"), hist = ft.column("history");
      let s0 = 0;
      for (let r = 0; r < ft.count; r++) if (state.get(r) === "S0" && hist.get(r) === "S") s0++;
      console.log(JSON.stringify({ count: ft.count, s0, warnings: ft.warnings, maxRssKiB: process.resourceUsage().maxRSS, ms: Date.now() - t0 }));
    })();`;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script, file], { encoding: "utf8" }));
  assert.equal(out.count, 2_000_000);
  assert.equal(out.s0, 2_000_000);
  assert.deepEqual(out.warnings, []);
  const gib = out.maxRssKiB / 2 ** 20;
  // before: 4 GiB (about 2 KB per connection); now ≈ 1.3 GiB, most of it the per-packet inputs and the rows
  assert.ok(gib < 1.6, `peak RSS ${gib.toFixed(2)} GiB`);
  process.stdout.write(`# 2M connections: peak RSS ${gib.toFixed(2)} GiB, ${out.ms} ms\n`);
});

test("past --max-connections the least recently active connections are evicted, counted on stderr", { timeout: 120_000 }, () => {
  // 300,000 SYNs within one second: no timer lets any go, so a cap of 100,000 evicts exactly 200,000
  const file = path.join(dir, "burst.pcap");
  synCapture(file, 300_000, 1_000_000);
  const r = spawnSync(process.execPath, [CLI, "flows", file, "--max-connections", "100000"], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /wirebook: warning: flows: 200000 connections evicted at the 100000-connection cap \(maxConnections\)/);
  const rows = r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.equal(rows.length, 300_000, "an evicted connection keeps its row");
  assert.ok(rows.every((l) => l.split("\t")[11] === "S0"));
});
