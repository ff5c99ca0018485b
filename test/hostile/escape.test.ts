/**
 * Terminal escape sequences from packets (issue 18, item 7): `wirebook capture` lines escape
 * control characters as tshark 4.0 prints them in its packet lines (\033, \a, \177, \u009B), in
 * one place (src/cli/escape.ts); CSV/TSV tables carry none raw (the writers' \xHH rule).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { PcapWriter } from "../../src/io/writer";
import { Frame, ip4, mac } from "../../src/gen/packet";
import { escapeControls } from "../../src/cli/escape";
import { CLI, hasTool } from "../helpers/paths";
import { liveStatus } from "../../src/io/livecap";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-esc-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

/** every control a terminal may act on, in an HTTP request's URI and Host */
const URI = "/index.html?q=\x1b[31mred\x07\x7f\x00\x01\x08\x0b\x0c\\b\x1b]0;title\x07";
/** the controls the HTTP table keeps (a NUL in the request line makes it not HTTP) */
const TABLE_URI = "/index.html?q=\x1b[31mred\x07\x7f\x9b";
let n = 0;
function httpCapture(uri = URI): string {
  const file = path.join(dir, `esc${n++}.pcap`);
  const w = new PcapWriter({ path: file });
  const f = new Frame();
  f.eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")).ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), 6, 64, 1, true).tcp(40000, 80, 1, 1, 0x18, 65535)
    .bytes(Buffer.from(`GET ${uri} HTTP/1.1\r\nHost: ev\x1b[2Jil.example\r\n\r\n`, "latin1"));
  w.write(1700000000, 0, f.buf.subarray(0, f.finish()));
  w.close();
  return file;
}

test("escapeControls() writes controls as tshark's packet line does", { skip: hasTool("tshark") ? false : "tshark is missing" }, () => {
  const file = httpCapture();
  const line = execFileSync("tshark", ["-r", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const info = line.slice(line.indexOf("GET ") + 4, line.lastIndexOf(" HTTP/1.1"));
  assert.equal(escapeControls(URI), info);
  assert.ok(!/[\x00-\x1f\x7f]/.test(info));
  assert.equal(escapeControls("\u009b\u0085é\u2028"), "\\u009B\\u0085é\u2028");
});

test("CSV and TSV tables carry no raw control characters from packets", () => {
  const file = httpCapture(TABLE_URI);
  for (const format of ["csv", "tsv"]) {
    const r = spawnSync(process.execPath, [CLI, "http", file, "--format", format], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const body = r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).slice(format === "csv" ? 1 : 0).join("\n");
    // the table writers' one rule (src/result/format, docs/tables.md): a control character as \xHH
    assert.ok(body.includes("ev\\x1b[2Jil.example"), body);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(body), `${format}: ${JSON.stringify(body)}`);
  }
});

const live = liveStatus("lo");
test("wirebook capture: a DNS name with ESC and BEL is printed escaped", { skip: live.ok ? false : `no live capture here: ${"reason" in live ? live.reason : ""}`, timeout: 60_000 }, async () => {
  const port = 20000 + (process.pid % 20000);
  const p = spawn(process.execPath, [CLI, "capture", "-i", "lo", "-c", "1", "-a", "duration:20", "-f", `udp src port ${port} and dst port 53`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (err += d));
  while (!err.includes("Capturing on")) await new Promise((r) => setTimeout(r, 50));
  // a DNS query for "a<ESC>[2J<BEL>b.example" to port 53 (nothing need answer: the line shows the name)
  const label = Buffer.from("a\x1b[2J\x07b", "latin1");
  const q = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([label.length]), label, Buffer.from([7]), Buffer.from("example"), Buffer.from([0, 0, 1, 0, 1])]);
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(port, "127.0.0.1", () => r()));
  const timer = setInterval(() => s.send(q, 53, "127.0.0.1"), 200);
  const code = await new Promise<number | null>((r) => p.on("exit", r));
  clearInterval(timer);
  s.close();
  assert.equal(code, 0, err);
  assert.ok(out.trim() !== "", err);
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(out), JSON.stringify(out));
  assert.ok(out.includes("a\\033[2J\\ab.example"), JSON.stringify(out));
});
