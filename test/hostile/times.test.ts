/**
 * Hostile packet times (issue 18, item 3): packets with no time (pcapng Simple Packet Blocks), a
 * negative interface offset (times before 1970: unset), all 0, the largest 64-bit timestamps and
 * times that go backwards. Every command that runs timers or time windows must return; where no
 * packet has a time, no timer fires, so each TCP/UDP 5-tuple is one connection, as many as
 * tshark's distinct conversations.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { readCapture } from "../../src/io/reader";
import { Rng } from "../../src/gen/prng";
import { later, nextUp } from "../../src/flows/time";
import { timedCapture, TIME_SCHEMES, type TimeScheme } from "../../src/fuzz/times";
import { CLI, DATA, ROOT, hasTool } from "../helpers/paths";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-times-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

let frames: Buffer[] | undefined;
async function capture(scheme: TimeScheme, count = 400): Promise<string> {
  if (frames === undefined) {
    const got: Buffer[] = [];
    await readCapture(path.join(DATA, "office.pcap"), { record(b, off, caplen) { if (got.length < 400) got.push(Buffer.from(b.subarray(off, off + caplen))); } });
    frames = got;
  }
  const file = path.join(dir, `${scheme}-${count}.pcapng`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, timedCapture(frames.slice(0, count), 1, scheme, new Rng(7)));
  return file;
}

/** Runs the CLI; a run past the timeout is a hang. */
function cli(args: string[], timeout = 30_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout, maxBuffer: 64 << 20 });
  assert.equal(r.signal, null, `wirebook ${args.join(" ")} did not return within ${timeout / 1000} s (a loop over time that never advances)`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("later() and nextUp() always advance: tiny steps at huge times, -Infinity, 0, negative", () => {
  const big = 18446744073709549568; // 2^64 - 2048 s: + 6 s is lost to rounding
  assert.equal(big + 6, big);
  assert.ok(later(big, 6) > big);
  assert.equal(later(100, 6), 106);
  assert.equal(later(-Infinity, 6), -Number.MAX_VALUE);
  assert.equal(nextUp(0), Number.MIN_VALUE);
  assert.ok(nextUp(-1) > -1 && nextUp(-1) < -0.9999999);
  assert.equal(nextUp(NaN), Infinity);
  assert.equal(nextUp(Number.MAX_VALUE), Infinity);
});

for (const scheme of ["spb", "negative-offset"] as const) {
  test(`no time (${scheme}): flows, report, http, files, alerts return; one connection per 5-tuple`, { timeout: 240_000 }, async () => {
    const file = await capture(scheme);
    for (const args of [["http", file], ["files", file], ["alerts", file], ["report", file, "-o", path.join(dir, `${scheme}.html`)]]) {
      const r = cli(args);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    }
    const r = cli(["flows", file]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split("\t"));
    if (hasTool("tshark")) {
      const out = execFileSync("tshark", ["-r", file, "-T", "fields", "-E", "separator=/t", "-Y", "(tcp or udp) and not icmp and not icmpv6 and not ip.flags.mf == 1 and not ip.frag_offset > 0",
        "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const tuples = new Set<string>();
      for (const line of out.split("\n")) {
        if (line === "") continue;
        const [s4, s6, d4, d6, ts, td, us, ud] = line.split("\t");
        const a = `${s4}${s6}|${ts}${us}`, b = `${d4}${d6}|${td}${ud}`;
        tuples.add(`${ts !== "" ? "tcp" : "udp"} ${a < b ? a + " " + b : b + " " + a}`);
      }
      const ours = rows.filter((c) => c[6] === "tcp" || c[6] === "udp");
      assert.equal(ours.length, tuples.size, "TCP/UDP connections = tshark's distinct 5-tuples");
    }
    // the library: cap.flows() returns too
    const lib = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(ROOT, "dist", "src", "index.js"))}).open(${JSON.stringify(file)}).then((c) => console.log(c.flows().count))`], { encoding: "utf8", timeout: 30_000 });
    assert.equal(lib.signal, null, "cap.flows() did not return");
    assert.equal(Number(lib.stdout), rows.length);
  });
}

test("every hostile time scheme: flows (Zeek and nfstream) and alerts return", { timeout: 300_000 }, async () => {
  for (const scheme of TIME_SCHEMES) {
    const file = await capture(scheme, 120);
    for (const args of [["flows", file], ["flows", "--nfstream", file], ["alerts", file]]) {
      const r = cli(args);
      assert.equal(r.code, 0, `${scheme} ${args.join(" ")}: ${r.stderr}`);
    }
  }
});
