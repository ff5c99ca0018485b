/**
 * Live-capture bench: a child process sends UDP datagrams to 127.0.0.1 at a fixed rate (default
 * 50 000 packets/s for 10 s) while this process captures them on lo with `wb.live()` (decoding
 * every packet into the table) — and then with `wb.sniff()` (a decoded packet object each) and
 * `wirebook capture -w` (straight to a file). Reports packets sent, captured, and dropped by the
 * kernel (pcap_stats), the rate reached and the capturing process's CPU time.
 *
 *   node dist/bench/live.js            (root or CAP_NET_RAW; builds nothing)
 *
 * Environment: LIVE_RATE packets/s (50000), LIVE_SECONDS (10), LIVE_SIZE payload bytes (64),
 * LIVE_MODES comma-separated of live,sniff,cli (all). Writes bench/out/live.md.
 */
import { spawn } from "child_process";
import * as dgram from "dgram";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import * as wb from "../src/index";

const ROOT = path.join(__dirname, "..", "..");
const OUT = path.join(ROOT, "bench", "out");
const RATE = Number(process.env.LIVE_RATE ?? 50_000);
const SECONDS = Number(process.env.LIVE_SECONDS ?? 10);
const SIZE = Number(process.env.LIVE_SIZE ?? 64);
const MODES = (process.env.LIVE_MODES ?? "live,sniff,cli").split(",");

/** The sender: paced to RATE with a running target (rate × elapsed), in bursts per event-loop turn. */
const SENDER = `
const dgram = require("dgram");
const [port, rate, seconds, size] = process.argv.slice(1).map(Number);
const s = dgram.createSocket("udp4");
const payload = Buffer.alloc(size, 0x61);
const total = Math.round(rate * seconds);
let sent = 0, errors = 0, inflight = 0;
const t0 = process.hrtime.bigint();
function tick() {
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const target = Math.min(total, Math.floor(rate * elapsed));
  while (sent < target && inflight < 2000) {
    inflight++;
    s.send(payload, port, "127.0.0.1", (e) => { inflight--; if (e) errors++; });
    sent++;
  }
  if (sent < total) setImmediate(tick);
  else { const secs = Number(process.hrtime.bigint() - t0) / 1e9; const wait = () => inflight > 0 ? setImmediate(wait) : (s.close(), console.log(JSON.stringify({ sent, errors, seconds: secs }))); wait(); }
}
tick();
`;

interface SenderResult { sent: number; errors: number; seconds: number }

function startSender(port: number): Promise<SenderResult> {
  const child = spawn(process.execPath, ["-e", SENDER, String(port), String(RATE), String(SECONDS), String(SIZE)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (c) => { out += c; });
  return new Promise((resolve, reject) => child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited with ${code}`)))));
}

async function sink(): Promise<{ port: number; close: () => void }> {
  // a receiver so the datagrams are delivered (it drops what it cannot hold: only capture counts)
  const rx = dgram.createSocket("udp4");
  await new Promise<void>((r) => rx.bind(0, "127.0.0.1", r));
  rx.on("message", () => { /* discard */ });
  return { port: (rx.address() as AddressInfo).port, close: () => rx.close() };
}

interface Row { mode: string; sent: number; captured: number; dropped: number; ifDropped: number; rate: number; cpu: number; seconds: number }

async function run(mode: string): Promise<Row> {
  const rx = await sink();
  const filter = `udp dst port ${rx.port}`;
  const expect = Math.round(RATE * SECONDS);
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let captured = 0, dropped = 0, ifDropped = 0;
  let sender: Promise<SenderResult>;
  if (mode === "live") {
    const p = wb.live({ device: "lo", filter, count: expect, seconds: SECONDS + 5, keepRecords: true });
    sender = startSender(rx.port);
    const cap = await p;
    captured = cap.count;
    dropped = cap.liveStats?.dropped ?? 0;
    ifDropped = cap.liveStats?.ifDropped ?? 0;
  } else if (mode === "sniff") {
    let bytes = 0;
    const s = wb.sniff({ device: "lo", filter, count: expect, seconds: SECONDS + 5, onPacket: (pk) => { bytes += pk.len; } });
    sender = startSender(rx.port);
    const st = await s;
    captured = st.packets;
    dropped = st.dropped;
    ifDropped = st.ifDropped;
  } else {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-livebench-")), "bench.pcap");
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "wirebook"), "capture", "-i", "lo", "-f", filter, "-c", String(expect), "-a", `duration:${SECONDS + 5}`, "-w", file], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c) => { err += c; });
    for (let i = 0; i < 400 && !err.includes("Capturing on"); i++) await new Promise((r) => setTimeout(r, 25));
    sender = startSender(rx.port);
    await new Promise((r) => child.once("exit", r));
    const m = /(\d+) packets? captured(?: \((\d+) dropped)?/.exec(err);
    captured = m ? Number(m[1]) : 0;
    dropped = m?.[2] ? Number(m[2]) : 0;
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const s = await sender;
  const secs = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  rx.close();
  return { mode, sent: s.sent, captured, dropped, ifDropped, rate: s.sent / s.seconds, cpu: (cpu.user + cpu.system) / 1e6, seconds: secs };
}

async function main(): Promise<void> {
  const st = wb.liveStatus("lo");
  if (!st.ok) {
    console.error(`bench/live: skipped: ${st.reason}`);
    return;
  }
  console.error(`bench/live: ${RATE} packets/s for ${SECONDS} s, ${SIZE}-byte UDP payloads to 127.0.0.1, captured on lo (${st.version})`);
  const rows: Row[] = [];
  for (const mode of MODES) {
    const r = await run(mode);
    rows.push(r);
    console.error(`  ${mode}: sent ${r.sent}, captured ${r.captured}, dropped ${r.dropped}`);
  }
  const table = [
    `Live capture on lo: ${RATE} packets/s for ${SECONDS} s (${SIZE}-byte UDP payloads, ${14 + 20 + 8 + SIZE}-byte frames), ${os.cpus().length} cores, ${st.version}`,
    "",
    "| mode | sent | captured | dropped (kernel) | send rate (packets/s) | capture CPU (s) |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.mode === "live" ? "wb.live() (decoded table)" : r.mode === "sniff" ? "wb.sniff() (packet objects)" : "wirebook capture -w (file)"} | ${r.sent} | ${r.captured} | ${r.dropped + r.ifDropped} | ${Math.round(r.rate)} | ${r.mode === "cli" ? "(child)" : r.cpu.toFixed(2)} |`),
  ].join("\n");
  console.log(table);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, "live.md"), table + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
