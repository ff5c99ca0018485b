/** `wirebook capture`: summary lines, -w to pcap and pcapng (read back by tshark), -a duration:, usage errors. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import * as wb from "../../src/index";
import { CLI, hasTool } from "../helpers/paths";
import { NO_CAPTURE, sendUdp, sleep, udpReceiver } from "./helpers";

const skip = NO_CAPTURE;

/** Runs `wirebook capture …` while sending `n` datagrams once it says "Capturing on". */
async function captureWhileSending(args: string[], port: number, n: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "capture", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c) => { stdout += c; });
  child.stderr.on("data", (c) => { stderr += c; });
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  for (let i = 0; i < 200 && !stderr.includes("Capturing on") && child.exitCode === null; i++) await sleep(25);
  if (n > 0) await sendUdp(port, n, 10);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.once("exit", (c, s) => r([c, s])));
  clearTimeout(killer);
  return { code, signal, stdout, stderr };
}

test("wirebook capture -i lo -c N -f BPF: one summary line per packet, the count on stderr", { skip, timeout: 30_000 }, async () => {
  const rx = await udpReceiver();
  try {
    const r = await captureWhileSending(["-i", "lo", "-c", "7", "-f", `udp dst port ${rx.port}`], rx.port, 7);
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 7);
    lines.forEach((l, i) => assert.match(l, new RegExp(`^\\s+${i + 1}\\s+\\d+\\.\\d{6} 127\\.0\\.0\\.1 → 127\\.0\\.0\\.1 UDP 56 \\d+ → ${rx.port} Len=14$`)));
    assert.equal(r.stderr, "Capturing on 'lo'\n7 packets captured\n");
  } finally {
    await rx.close();
  }
});

test("wirebook capture -w FILE writes pcapng (or pcap for .pcap) with kernel timestamps that tshark reads", { skip, timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-capcli-"));
  const rx = await udpReceiver();
  try {
    for (const [name, format] of [["a.pcapng", "pcapng"], ["b.pcap", "pcap"]] as const) {
      const file = path.join(dir, name);
      const t0 = Date.now() / 1000;
      const r = await captureWhileSending(["-i", "lo", "-c", "25", "-f", `udp dst port ${rx.port}`, "-w", file], rx.port, 25);
      const t1 = Date.now() / 1000;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /25 packets captured/);
      const cap = await wb.open(file);
      assert.equal(cap.info.format, format);
      assert.equal(cap.count, 25);
      assert.equal(cap.info.interfaces[0].linkType, 1);
      for (let i = 0; i < 25; i++) {
        const t = cap.column("frame.time_epoch").get(i) as number;
        assert.ok(t >= t0 - 0.001 && t <= t1 + 0.001);
        assert.equal(cap.column("udp.dstport").get(i), rx.port);
      }
      if (hasTool("tshark")) {
        const out = spawnSync("tshark", ["-r", file, "-n", "-T", "fields", "-e", "frame.time_epoch", "-e", "udp.dstport"], { encoding: "utf8" });
        assert.equal(out.status, 0, out.stderr);
        const rows = out.stdout.trim().split("\n");
        assert.equal(rows.length, 25);
        rows.forEach((row, i) => assert.equal(row, `${cap.column("frame.time_epoch").text(i)}\t${rx.port}`));
      }
    }
  } finally {
    await rx.close();
  }
});

test("wirebook capture -a duration:0.4 stops on time with nothing captured", { skip, timeout: 30_000 }, async () => {
  const t = Date.now();
  const r = await captureWhileSending(["-i", "lo", "-a", "duration:0.4", "-f", "udp port 9 and host 127.0.0.254"], 0, 0);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "Capturing on 'lo'\n0 packets captured\n");
  assert.ok(Date.now() - t < 10_000);
});

test("wirebook capture: SIGINT stops it and keeps what was captured", { skip, timeout: 30_000 }, async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-capcli-")), "int.pcap");
  const child = spawn(process.execPath, [CLI, "capture", "-i", "lo", "-f", "udp port 9 and host 127.0.0.254", "-w", file], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  for (let i = 0; i < 200 && !stderr.includes("Capturing on"); i++) await sleep(25);
  child.kill("SIGINT");
  const code = await new Promise((r) => child.once("exit", (c) => r(c)));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /0 packets captured/);
  assert.equal((await wb.open(file)).count, 0);
});

test("wirebook capture: usage errors exit 2", () => {
  for (const args of [["-c", "x"], ["-a", "5"], ["-a", "duration:-1"], ["-F", "json"], ["--bogus"]]) {
    const r = spawnSync(process.execPath, [CLI, "capture", ...args], { encoding: "utf8" });
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, /^wirebook: /);
  }
});
