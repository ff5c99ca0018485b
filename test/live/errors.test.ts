/**
 * Live capture fails cleanly (an error naming the cause, never an abort or a hang) for: no
 * permission (CAP_NET_RAW dropped), an unknown device, a BPF that does not compile, bad options,
 * and the binding not built — in which case everything else in Wirebook still works.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as wb from "../../src/index";
import { CLI, DATA, hasTool } from "../helpers/paths";
import { NO_CAPTURE } from "./helpers";

const INDEX = path.resolve(__dirname, "../../src/index.js");

test("an unknown device: LiveCaptureError ENODEV naming it and the devices there are", { skip: NO_CAPTURE }, async () => {
  await assert.rejects(wb.live({ device: "wb-nosuch0", count: 1 }), (e: unknown) => {
    assert.ok(e instanceof wb.LiveCaptureError);
    assert.equal(e.code, "ENODEV");
    assert.match(e.message, /no such capture device "wb-nosuch0" \(.*No such device.*\); devices: .*\blo\b/);
    return true;
  });
  assert.throws(() => wb.sniff({ device: "wb-nosuch0", count: 1 }), { code: "ENODEV" });
});

test("a BPF filter that does not compile: EBPF with libpcap's message", { skip: NO_CAPTURE }, async () => {
  await assert.rejects(wb.live({ device: "lo", filter: "tcp and (", count: 1 }),
    { name: "LiveCaptureError", code: "EBPF", message: 'capture filter "tcp and (" does not compile: can\'t parse filter expression: syntax error' });
  await assert.rejects(wb.live({ device: "lo", filter: "port 99999", count: 1 }), { code: "EBPF", message: /port 99999.*illegal port number 99999 > 65535/ });
  // and the next capture works: nothing was left open
  assert.equal((await wb.live({ device: "lo", filter: "udp port 9 and host 127.0.0.254", seconds: 0.05 })).count, 0);
});

test("bad options: EINVAL before anything is opened", async () => {
  await assert.rejects(wb.live({ device: "lo" }), { code: "EINVAL", message: /needs a stop condition: count, seconds or signal/ });
  await assert.rejects(wb.live({ device: "lo", count: 0 }), { code: "EINVAL", message: /count must be a positive integer/ });
  await assert.rejects(wb.live({ device: "lo", seconds: -1 }), { code: "EINVAL" });
  await assert.rejects(wb.live({ device: "lo", count: 1, snaplen: 1e9 }), { code: "EINVAL", message: /snaplen/ });
});

const capsh = process.getuid?.() === 0 && hasTool("capsh");

test("no permission (CAP_NET_RAW dropped): EPERM with libpcap's message and a hint, exit code 2, no abort", { skip: NO_CAPTURE || (!capsh && "needs root and capsh to drop CAP_NET_RAW") }, () => {
  const script = `
    const wb = require(${JSON.stringify(INDEX)});
    wb.live({ device: "lo", count: 1 }).then(() => console.log("captured?!"), (e) => { console.log(e.name, e.code, e.message); process.exitCode = 3; });`;
  const r = spawnSync("capsh", ["--drop=cap_net_raw", "--", "-c", `exec "${process.execPath}" -e '${script.replace(/'/g, "'\\''")}'`], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.signal, null, `exited by itself: ${r.stderr}`);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /^LiveCaptureError EPERM lo: .*Operation not permitted: live capture needs root or CAP_NET_RAW/);
  assert.equal(wb.liveStatus("lo").ok, true, "this process still can");

  const c = spawnSync("capsh", ["--drop=cap_net_raw", "--", "-c", `exec "${process.execPath}" "${CLI}" capture -i lo -c 1`], { encoding: "utf8", timeout: 20_000 });
  assert.equal(c.signal, null);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /^wirebook: lo: .*Operation not permitted: live capture needs root or CAP_NET_RAW/);
  // the hint names a dedicated copy of node, never setcap on node itself (issue 18)
  assert.match(c.stderr, /dedicated copy of node/);
  assert.doesNotMatch(c.stderr + r.stdout, /setcap/);
  // liveStatus says so too, without throwing
  const s = spawnSync("capsh", ["--drop=cap_net_raw", "--", "-c", `exec "${process.execPath}" -e 'console.log(JSON.stringify(require(${JSON.stringify(INDEX)}).liveStatus("lo")))'`], { encoding: "utf8", timeout: 20_000 });
  const st = JSON.parse(s.stdout);
  assert.equal(st.ok, false);
  assert.equal(st.code, "EPERM");
});

/** A preload that makes loading any native addon fail, as on a machine where it was never built. */
function noNativePreload(): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-nonative-")), "no-native.js");
  fs.writeFileSync(f, `
    const Module = require("module");
    Module._extensions[".node"] = function (m, filename) {
      throw new Error(filename + ": cannot open shared object file: No such file or directory");
    };`);
  return f;
}

test("the binding not built: live()/sniff()/devices() throw ENOTBUILT with what to do; opening files, filters, flows and the CLI still work", { timeout: 60_000 }, () => {
  const pre = noNativePreload();
  const office = path.join(DATA, "office.pcap");
  const script = `
    const wb = require(${JSON.stringify(INDEX)});
    (async () => {
      const out = {};
      try { await wb.live({ device: "lo", count: 1 }); out.live = "captured?!"; } catch (e) { out.live = [e.code, e.message]; }
      try { wb.sniff({ device: "lo", count: 1 }); out.sniff = "sniffing?!"; } catch (e) { out.sniff = e.code; }
      try { wb.devices(); out.devices = "listed?!"; } catch (e) { out.devices = e.code; }
      out.status = wb.liveStatus();
      out.version = wb.pcapVersion() ?? null;
      const cap = await wb.open(${JSON.stringify(office)}, { limit: 500 });
      out.count = cap.count;
      out.udp = cap.filter("udp").count;
      out.flows = cap.flows().count;
      console.log(JSON.stringify(out));
    })();`;
  for (const how of [["-r", pre], []]) {
    const env = how.length === 0 ? { ...process.env, WIREBOOK_LIVECAP: "/nonexistent/livecap.node" } : process.env;
    const r = spawnSync(process.execPath, [...how, "-e", script], { encoding: "utf8", timeout: 30_000, env });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.live[0], "ENOTBUILT");
    assert.match(out.live[1], /^live capture is not available: Wirebook's libpcap binding is not built \(.*\)\. Install libpcap-dev and a C compiler, then run `node scripts\/build-native\.js`/);
    assert.equal(out.sniff, "ENOTBUILT");
    assert.equal(out.devices, "ENOTBUILT");
    assert.equal(out.status.ok, false);
    assert.equal(out.status.code, "ENOTBUILT");
    assert.equal(out.version, null);
    if (fs.existsSync(office)) {
      assert.equal(out.count, 500);
      assert.ok(out.udp > 0 && out.flows > 0);
    }
  }
  const c = spawnSync(process.execPath, ["-r", pre, CLI, "capture", "-i", "lo", "-c", "1"], { encoding: "utf8", timeout: 20_000 });
  assert.equal(c.status, 2);
  assert.match(c.stderr, /^wirebook: live capture is not available/);
  if (fs.existsSync(office)) {
    const s = spawnSync(process.execPath, ["-r", pre, CLI, "summary", office], { encoding: "utf8", timeout: 30_000 });
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /Packets:\s+\d+/);
  }
});

test("requiring wirebook does not load the live-capture binding", () => {
  const r = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(INDEX)}); console.log(Object.keys(require.cache).filter((f) => f.endsWith("livecap.node")).length)`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "0");
});
