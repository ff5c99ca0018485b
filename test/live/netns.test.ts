/**
 * Two hosts: two network namespaces made here, joined by a veth pair, addressed from TEST-NET-2
 * (198.51.100.0/30) inside the namespaces only, so no packet can leave them. A capture inside one
 * namespace sees the other host's datagrams on a real Ethernet device: distinct MACs, the peer's
 * address. The namespaces (and with them the veth pair) are deleted in a finally.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { hasTool } from "../helpers/paths";
import { NO_CAPTURE } from "./helpers";

const INDEX = path.resolve(__dirname, "../../src/index.js");
const tag = `wb${process.pid % 100000}`;
const NS_A = `${tag}a`, NS_B = `${tag}b`, IF_A = `${tag}va`, IF_B = `${tag}vb`;
const ADDR_A = "198.51.100.1", ADDR_B = "198.51.100.2";

function ip(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const skip: string | false = NO_CAPTURE || (process.getuid?.() !== 0 ? "needs root to make network namespaces" : !hasTool("ip") ? "needs iproute2 (ip)" : false);

function mac(ns: string, dev: string): string {
  const m = /link\/ether ([0-9a-f:]{17})/.exec(ip("-n", ns, "link", "show", dev).out);
  assert.ok(m, `MAC of ${dev}`);
  return m[1];
}

test("a capture in one namespace sees the other host's datagrams over a veth pair", { skip, timeout: 60_000 }, async (t) => {
  const made = ip("netns", "add", NS_A);
  if (!made.ok) {
    t.skip(`cannot make a network namespace here: ${made.out.trim()}`);
    return;
  }
  try {
    const steps: string[][] = [
      ["netns", "add", NS_B],
      ["link", "add", IF_A, "netns", NS_A, "type", "veth", "peer", "name", IF_B, "netns", NS_B],
      ["-n", NS_A, "addr", "add", `${ADDR_A}/30`, "dev", IF_A],
      ["-n", NS_B, "addr", "add", `${ADDR_B}/30`, "dev", IF_B],
      ["-n", NS_A, "link", "set", IF_A, "up"],
      ["-n", NS_B, "link", "set", IF_B, "up"],
      ["-n", NS_A, "link", "set", "lo", "up"],
      ["-n", NS_B, "link", "set", "lo", "up"],
    ];
    for (const s of steps) {
      const r = ip(...s);
      assert.ok(r.ok, `ip ${s.join(" ")}: ${r.out}`);
    }
    const macA = mac(NS_A, IF_A), macB = mac(NS_B, IF_B);
    const N = 40;
    // host A: capture on its veth end; prints "ready", then the packets as JSON
    const capture = `
      const wb = require(${JSON.stringify(INDEX)});
      const devs = wb.devices().map((d) => d.name);
      const p = wb.live({ device: ${JSON.stringify(IF_A)}, filter: "udp dst port 7777", count: ${N}, seconds: 20 });
      console.log("ready");
      p.then((c) => {
        const col = (f) => Array.from({ length: c.count }, (_, r) => c.column(f).get(r));
        console.log(JSON.stringify({ devs, count: c.count, linkType: c.info.interfaces[0].linkType, src: col("ip.src"), dst: col("ip.dst"),
          ethSrc: col("eth.src"), ethDst: col("eth.dst"), ports: col("udp.dstport"), t: col("frame.time_epoch"), stats: c.liveStats }));
      }, (e) => { console.log(JSON.stringify({ error: e.message })); });`;
    const child = spawn("ip", ["netns", "exec", NS_A, process.execPath, "-e", capture], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (c) => { out += c; });
    child.stderr.on("data", (c) => { err += c; });
    for (let i = 0; i < 400 && !out.includes("ready") && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(out.includes("ready"), `the capture started: ${err}`);
    // host B: N datagrams to A
    const send = `
      const s = require("dgram").createSocket("udp4");
      let n = 0;
      (function next() { if (n === ${N}) return s.close(); s.send("from b " + n++, 7777, ${JSON.stringify(ADDR_A)}, next); })();`;
    const t0 = Date.now() / 1000;
    const snd = spawnSync("ip", ["netns", "exec", NS_B, process.execPath, "-e", send], { encoding: "utf8", timeout: 20_000 });
    assert.equal(snd.status, 0, snd.stderr);
    const code = await new Promise((r) => child.once("exit", r));
    const t1 = Date.now() / 1000;
    assert.equal(code, 0, err);
    const res = JSON.parse(out.slice(out.indexOf("ready") + 5));
    assert.equal(res.error, undefined);
    assert.ok(res.devs.includes(IF_A) && !res.devs.includes("eth0"), "inside the namespace: its own devices only");
    assert.equal(res.count, N);
    assert.equal(res.linkType, 1);
    assert.ok(res.src.every((v: string) => v === ADDR_B));
    assert.ok(res.dst.every((v: string) => v === ADDR_A));
    assert.ok(res.ethSrc.every((v: string) => v === macB), "from B's MAC");
    assert.ok(res.ethDst.every((v: string) => v === macA), "to A's MAC");
    assert.ok(res.ports.every((v: number) => v === 7777));
    for (let i = 1; i < N; i++) assert.ok(res.t[i] >= res.t[i - 1]);
    assert.ok(res.t[0] >= t0 - 0.001 && res.t[N - 1] <= t1 + 0.001);
    assert.equal(res.stats.dropped, 0);
  } finally {
    ip("netns", "del", NS_B);
    ip("netns", "del", NS_A);
    assert.ok(!ip("netns", "list").out.includes(tag), "namespaces removed");
  }
});
