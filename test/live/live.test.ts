/**
 * Live capture on loopback: real UDP datagrams and a real HTTP exchange with a local server,
 * captured while they happen; the fields, the kernel timestamps (against tcpdump capturing the same
 * traffic), stop conditions, sniff's callback and iterator, and save().
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import * as wb from "../../src/index";
import { DATA, hasTool } from "../helpers/paths";
import { httpExchange, NO_CAPTURE, sendUdp, sleep, udpReceiver } from "./helpers";

const skip = NO_CAPTURE;
if (skip) test("live capture", { skip }, () => {});

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "wb-live-"));
}

test("N UDP datagrams to 127.0.0.1: all captured, right fields, kernel timestamps in order within the wall-clock window", { skip, timeout: 30_000 }, async () => {
  const N = 500;
  const rx = await udpReceiver();
  try {
    const t0 = Date.now();
    const pending = wb.live({ device: "lo", filter: `udp dst port ${rx.port}`, count: N, seconds: 20 });
    await sendUdp(rx.port, N);
    const cap = await pending;
    const t1 = Date.now();
    assert.equal(cap.count, N);
    assert.equal(cap.liveStats?.reason, "count");
    assert.equal(cap.liveStats?.packets, N);
    assert.equal(cap.info.interfaces[0].linkType, 1, "lo captures as Ethernet");
    assert.equal(cap.info.interfaces[0].name, "lo");
    const col = (f: string) => cap.column(f);
    const epoch = col("frame.time_epoch");
    let prev = -Infinity, subMs = 0;
    for (let r = 0; r < N; r++) {
      assert.equal(col("frame.number").get(r), r + 1);
      assert.equal(col("frame.protocols").get(r), "eth:ethertype:ip:udp:data");
      assert.equal(col("ip.src").get(r), "127.0.0.1");
      assert.equal(col("ip.dst").get(r), "127.0.0.1");
      assert.equal(col("ip.proto").get(r), 17);
      assert.equal(col("udp.dstport").get(r), rx.port);
      assert.equal(col("udp.length").get(r), 8 + 14);
      assert.equal(col("frame.len").get(r), 14 + 20 + 8 + 14);
      assert.equal(col("frame.cap_len").get(r), 14 + 20 + 8 + 14);
      const t = epoch.get(r) as number;
      assert.ok(t >= prev, `timestamps in order at frame ${r + 1}`);
      assert.ok(t * 1000 >= t0 - 1 && t * 1000 <= t1 + 1, `frame ${r + 1} at ${t} is within the capture's wall-clock window [${t0}, ${t1}] ms`);
      if (Math.round(t * 1e6) % 1000 !== 0) subMs++;
      prev = t;
    }
    // microsecond kernel stamps, not Date.now(): nearly all carry sub-millisecond digits
    assert.ok(subMs > N * 0.9, `${subMs} of ${N} timestamps have microsecond digits`);
    // the payloads say which datagram each is: all N, in the order sent
    const saved = path.join(tmpdir(), "udp.pcap");
    await cap.save(saved);
    const again = await wb.open(saved);
    assert.equal(again.count, N);
    if (hasTool("tshark")) {
      const out = spawnSync("tshark", ["-r", saved, "-n", "-T", "fields", "-e", "data.data", "-e", "frame.time_epoch"], { encoding: "utf8" });
      const rows = out.stdout.trim().split("\n").map((l) => l.split("\t"));
      assert.equal(rows.length, N);
      rows.forEach(([hex, ts], i) => {
        assert.equal(Buffer.from(hex, "hex").toString(), `wirebook-${String(i).padStart(5, "0")}`);
        assert.equal(ts, epoch.text(i), "tshark reads the saved file's timestamps as captured");
      });
    }
  } finally {
    await rx.close();
  }
});

test("a real HTTP exchange with a local node http server: handshake, request, response, teardown", { skip, timeout: 30_000 }, async () => {
  const srv = await httpExchange();
  try {
    const ac = new AbortController();
    const pending = wb.live({ device: "lo", filter: `tcp port ${srv.port}`, signal: ac.signal, seconds: 20 });
    const res = await srv.run();
    assert.deepEqual(res, { status: 200, body: "hi there" });
    await sleep(200); // the last ACKs
    ac.abort();
    const cap = await pending;
    assert.equal(cap.liveStats?.reason, "abort");
    const flags = cap.column("tcp.flags");
    const rows = Array.from({ length: cap.count }, (_, r) => r);
    const syn = rows.find((r) => flags.get(r) === 0x002);
    const synAck = rows.find((r) => flags.get(r) === 0x012);
    assert.ok(syn !== undefined && synAck !== undefined && syn < synAck, "SYN then SYN-ACK");
    assert.equal(cap.column("tcp.dstport").get(syn), srv.port);
    const req = rows.filter((r) => cap.column("http.request.method").get(r) !== undefined);
    assert.equal(req.length, 1);
    assert.equal(cap.column("http.request.method").get(req[0]), "GET");
    assert.equal(cap.column("http.request.uri").get(req[0]), "/hello?from=wirebook");
    assert.equal(cap.column("http.user_agent").get(req[0]), "wirebook-test");
    const resp = rows.filter((r) => cap.column("http.response.code").get(r) !== undefined);
    assert.equal(resp.length, 1);
    assert.equal(cap.column("http.response.code").get(resp[0]), 200);
    assert.ok(resp[0] > req[0]);
    assert.ok(rows.some((r) => ((flags.get(r) as number) & 0x001) !== 0), "a FIN");
    const t = cap.column("frame.time_epoch");
    for (let r = 1; r < cap.count; r++) assert.ok((t.get(r) as number) >= (t.get(r - 1) as number));
    // the filter as a view saves as pcapng and reads back the same
    const file = path.join(tmpdir(), "http.pcapng");
    const saved = await cap.filter("http").save(file);
    assert.deepEqual([saved.format, saved.packets], ["pcapng", 2]);
    const back = await wb.open(file);
    assert.equal(back.info.format, "pcapng");
    assert.deepEqual([0, 1].map((r) => back.column("frame.time_epoch").text(r)), [req[0], resp[0]].map((r) => t.text(r)));
    assert.equal(back.column("http.request.uri").get(0), "/hello?from=wirebook");
  } finally {
    await srv.close();
  }
});

test("timestamps agree with tcpdump capturing the same traffic (kernel time, to a few microseconds)", { skip: skip || (!hasTool("tcpdump") && "tcpdump is not installed"), timeout: 30_000 }, async (t) => {
  const N = 50;
  const rx = await udpReceiver();
  const dir = tmpdir();
  const ref = path.join(dir, "tcpdump.pcap");
  const td = spawn("tcpdump", ["-i", "lo", "--immediate-mode", "-U", "-n", "-w", ref, `udp dst port ${rx.port}`], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  td.stderr.on("data", (c) => { err += c; });
  try {
    for (let i = 0; i < 100 && !err.includes("listening on"); i++) await sleep(50);
    assert.match(err, /listening on/);
    const pending = wb.live({ device: "lo", filter: `udp dst port ${rx.port}`, count: N, seconds: 20 });
    for (let i = 0; i < N; i++) {
      await sendUdp(rx.port, 1);
      await sleep(2);
    }
    const cap = await pending;
    await sleep(200);
    const exited = td.exitCode !== null ? Promise.resolve() : new Promise((r) => td.once("exit", r));
    td.kill("SIGINT");
    await Promise.race([exited, sleep(10_000)]);
    assert.notEqual(td.exitCode ?? td.signalCode, null, `tcpdump stopped on SIGINT: ${err}`);
    const theirs = await wb.open(ref);
    assert.equal(theirs.count, N);
    const diffs: number[] = [];
    for (let r = 0; r < N; r++) {
      const a = Math.round((cap.column("frame.time_epoch").get(r) as number) * 1e6);
      const b = Math.round((theirs.column("frame.time_epoch").get(r) as number) * 1e6);
      diffs.push(Math.abs(a - b));
    }
    diffs.sort((x, y) => x - y);
    // each packet socket reads the kernel clock as the packet reaches it, one after the other: they
    // differ by a microsecond or so (more when the CPU is taken away between the two reads)
    const close = diffs.filter((d) => d <= 10).length;
    assert.ok(close >= N * 0.8, `${close} of ${N} packets within 10 µs of tcpdump's time (median ${diffs[N >> 1]} µs)`);
    assert.ok(diffs[N - 1] <= 5000, `largest difference from tcpdump: ${diffs[N - 1]} µs`);
    t.diagnostic(`difference from tcpdump over ${N} packets: median ${diffs[N >> 1]} µs, largest ${diffs[N - 1]} µs`);
  } finally {
    if (td.exitCode === null) td.kill("SIGKILL");
    await rx.close();
  }
});

test("sniff: onPacket and the async iterator get decoded packets; stops on count", { skip, timeout: 30_000 }, async () => {
  const rx = await udpReceiver();
  try {
    const seen: string[] = [];
    const s = wb.sniff({ device: "lo", filter: `udp dst port ${rx.port}`, count: 20, seconds: 20, onPacket: (p) => { seen.push(p.summary()); } });
    const sending = sendUdp(rx.port, 20, 1);
    const numbers: number[] = [];
    let last = 0;
    for await (const p of s) {
      numbers.push(p.number);
      assert.equal(p.get("udp.dstport"), rx.port);
      assert.equal(p.text("ip.src"), "127.0.0.1");
      assert.deepEqual(p.protocols, ["eth", "ethertype", "ip", "udp", "data"]);
      assert.equal(p.data.subarray(42).toString(), `wirebook-${String(p.number - 1).padStart(5, "0")}`);
      assert.equal(p.len, 56);
      assert.ok(p.time >= last);
      last = p.time;
    }
    await sending;
    const st = await s;
    assert.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(st.reason, "count");
    assert.equal(seen.length, 20);
    assert.match(seen[0], new RegExp(`^\\s+1\\s+0\\.000000 127\\.0\\.0\\.1 → 127\\.0\\.0\\.1 UDP 56 \\d+ → ${rx.port} Len=14$`));
  } finally {
    await rx.close();
  }
});

test("stops on time with no traffic, on abort, on stop(), and when the loop is left", { skip, timeout: 30_000 }, async () => {
  const quiet = "udp port 9 and host 127.0.0.254"; // nothing matches
  let t = Date.now();
  const c = await wb.live({ device: "lo", filter: quiet, seconds: 0.3 });
  const took = Date.now() - t;
  assert.equal(c.count, 0);
  assert.equal(c.liveStats?.reason, "time");
  assert.ok(took >= 290 && took < 2000, `stopped after ${took} ms`);

  const ac = new AbortController();
  t = Date.now();
  setTimeout(() => ac.abort(), 200);
  const a = await wb.sniff({ device: "lo", filter: quiet, signal: ac.signal });
  assert.equal(a.reason, "abort");
  assert.ok(Date.now() - t < 2000);

  const s = wb.sniff({ device: "lo", filter: quiet });
  setTimeout(() => s.stop(), 100);
  assert.equal((await s).reason, "stop");
  s.stop(); // twice: harmless

  const rx = await udpReceiver();
  try {
    const it = wb.sniff({ device: "lo", filter: `udp dst port ${rx.port}`, seconds: 20 });
    const sending = sendUdp(rx.port, 10, 1);
    let n = 0;
    for await (const p of it) {
      if (++n === 3) break;
      void p;
    }
    const st = await it;
    assert.equal(st.reason, "stop");
    await sending;
  } finally {
    await rx.close();
  }
});

test("a new handle per capture: several in a row and two at once, and the process exits by itself afterwards", { skip, timeout: 30_000 }, async () => {
  for (let i = 0; i < 3; i++) assert.equal((await wb.live({ device: "lo", filter: "udp port 9 and host 127.0.0.254", seconds: 0.05 })).count, 0);
  const rx = await udpReceiver();
  try {
    const a = wb.live({ device: "lo", filter: `udp dst port ${rx.port}`, count: 5, seconds: 20 });
    const b = wb.live({ device: "lo", filter: `udp dst port ${rx.port}`, count: 5, seconds: 20 });
    await sendUdp(rx.port, 5);
    const [ca, cb] = await Promise.all([a, b]);
    assert.deepEqual([ca.count, cb.count], [5, 5]);
  } finally {
    await rx.close();
  }
  // a child that captures and stops (count reached inside the batch callback) must exit on its own
  const script = `
    const wb = require(${JSON.stringify(path.resolve(__dirname, "../../src/index.js"))});
    const dgram = require("dgram");
    const rx = dgram.createSocket("udp4");
    rx.bind(0, "127.0.0.1", async () => {
      const port = rx.address().port;
      const p = wb.live({ device: "lo", filter: "udp dst port " + port, count: 3 });
      const tx = dgram.createSocket("udp4");
      for (let i = 0; i < 3; i++) tx.send("x", port, "127.0.0.1");
      const cap = await p;
      tx.close(); rx.close();
      console.log("captured", cap.count);
    });`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 15_000 });
  assert.equal(r.signal, null, "the child exited by itself (not killed by the timeout)");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "captured 3");
});

test("devices() lists lo with 127.0.0.1", { skip }, () => {
  const lo = wb.devices().find((d) => d.name === "lo");
  assert.ok(lo);
  assert.equal(lo.loopback, true);
  assert.ok(lo.addresses.some((a) => a.addr === "127.0.0.1"));
});

test("snaplen cuts packets (frame.cap_len < frame.len), as libpcap does", { skip, timeout: 30_000 }, async () => {
  const rx = await udpReceiver();
  try {
    const p = wb.live({ device: "lo", filter: `udp dst port ${rx.port}`, count: 3, seconds: 20, snaplen: 40 });
    await sendUdp(rx.port, 3);
    const cap = await p;
    assert.equal(cap.count, 3);
    for (let r = 0; r < 3; r++) {
      assert.equal(cap.column("frame.len").get(r), 56);
      assert.equal(cap.column("frame.cap_len").get(r), 40);
      assert.equal(cap.column("udp.srcport").get(r) !== undefined, true);
    }
    const file = path.join(tmpdir(), "cut.pcap");
    await cap.save(file);
    const back = await wb.open(file);
    assert.equal(back.info.interfaces[0].snaplen, 40);
    assert.equal(back.column("frame.cap_len").get(0), 40);
    assert.equal(back.column("frame.len").get(0), 56);
  } finally {
    await rx.close();
  }
});

test("save() of a file capture re-reads its file: a view to pcapng, the whole to pcap", { timeout: 60_000 }, async () => {
  const src = path.join(DATA, "office.pcap");
  if (!fs.existsSync(src)) return;
  const cap = await wb.open(src, { limit: 2000 });
  const dir = tmpdir();
  const udp = cap.filter("udp");
  const r1 = await udp.save(path.join(dir, "udp.pcapng"));
  assert.equal(r1.packets, udp.count);
  const back = await wb.open(path.join(dir, "udp.pcapng"));
  assert.equal(back.count, udp.count);
  for (const r of [0, Math.floor(udp.count / 2), udp.count - 1]) {
    for (const f of ["frame.time_epoch", "frame.len", "ip.src", "udp.dstport"]) assert.equal(back.column(f).text(r), udp.column(f).text(r), `${f} row ${r}`);
  }
  const r2 = await cap.save(path.join(dir, "all.pcap"));
  assert.deepEqual([r2.format, r2.packets], ["pcap", 2000]);
  const all = await wb.open(path.join(dir, "all.pcap"));
  assert.equal(all.column("frame.time_epoch").text(1999), cap.column("frame.time_epoch").text(1999));
  await assert.rejects(cap.save(src), /own file/);
});

test("the \"any\" device captures as Linux cooked (SLL); an onPacket that throws stops the sniff and rejects it", { skip, timeout: 30_000 }, async () => {
  const rx = await udpReceiver();
  try {
    const p = wb.live({ device: "any", filter: `udp dst port ${rx.port}`, count: 3, seconds: 20 });
    await sendUdp(rx.port, 3);
    const cap = await p;
    assert.equal(cap.count, 3);
    assert.equal(cap.info.interfaces[0].linkType, 113);
    assert.equal(cap.column("frame.protocols").get(0), "sll:ethertype:ip:udp:data");
    assert.equal(cap.column("udp.dstport").get(2), rx.port);

    let calls = 0;
    const s = wb.sniff({ device: "lo", filter: `udp dst port ${rx.port}`, seconds: 20, onPacket: () => { calls++; throw new Error("boom"); } });
    await sendUdp(rx.port, 5);
    await assert.rejects(Promise.resolve(s), /boom/);
    assert.equal(calls, 1);
  } finally {
    await rx.close();
  }
});

test("sniff without onPacket keeps packets for an iterator that starts late", { skip, timeout: 30_000 }, async () => {
  const rx = await udpReceiver();
  try {
    const s = wb.sniff({ device: "lo", filter: `udp dst port ${rx.port}`, count: 8, seconds: 20 });
    await sendUdp(rx.port, 8);
    await sleep(300); // the capture has them before anyone iterates
    const got: string[] = [];
    for await (const p of s) got.push(p.data.subarray(42).toString());
    assert.deepEqual(got, Array.from({ length: 8 }, (_, i) => `wirebook-${String(i).padStart(5, "0")}`));
    assert.equal((await s).skipped, 0);
  } finally {
    await rx.close();
  }
});

test("a flood the callback cannot keep up with still stops on time (the event loop gets its turn)", { skip, timeout: 60_000 }, async () => {
  const rx = await udpReceiver();
  try {
    const busy = (ms: number) => { const end = Date.now() + ms; while (Date.now() < end) { /* a slow consumer */ } };
    const t0 = Date.now();
    const s = wb.sniff({ device: "lo", filter: `udp dst port ${rx.port}`, seconds: 0.5, onPacket: () => busy(1) });
    const sending = sendUdp(rx.port, 5000, 100);
    const st = await s;
    const took = Date.now() - t0;
    await sending;
    assert.equal(st.reason, "time");
    assert.ok(st.packets > 0 && st.packets < 5000, `${st.packets} packets taken before the time ran out`);
    assert.ok(took < 3000, `stopped after ${took} ms`);
  } finally {
    await rx.close();
  }
});
