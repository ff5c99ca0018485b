/**
 * Chart builders: the figures' data against the capture's own totals, label escaping, axis types,
 * aggregation bounds, and the same builders fed hand-made StatTables (the src/stats contract).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DATA } from "../helpers/paths";
import * as wb from "../../src/index";
import type { Capture } from "../../src/table/capture";
import type { Figure, Trace } from "../../src/plot/figure";
import { stats, type StatTableLike } from "../../src/plot/stats";
import { label } from "../../src/plot/text";
import { niceInterval } from "../../src/plot/columns";

const P = wb.plot;
let cap: Capture;
let totalBytes = 0;

before(async () => {
  cap = await wb.open(path.join(DATA, "office.pcap"));
  totalBytes = cap.summary().bytes;
});

const sum = (a: ArrayLike<unknown>) => Array.from(a as ArrayLike<number>).reduce((x, y) => x + Number(y), 0);
const titleOf = (f: Figure) => (typeof f.layout.title === "string" ? f.layout.title : f.layout.title?.text ?? "");
const HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<b>x</b>&amp;"];

/** No string anywhere in the figure holds a raw "<" that came from data: only our own markup tags. */
function assertNoRawData(fig: Figure, raw: string[]): void {
  const json = JSON.stringify(fig.toJSON());
  for (const r of raw) assert.ok(!json.includes(JSON.stringify(r).slice(1, -1)), `raw ${r} in the figure`);
}

test("label(): markup characters become entities Plotly decodes back to text", () => {
  assert.equal(label("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  assert.equal(label('"><img src=x>'), "&#34;&gt;&lt;img src=x&gt;");
  assert.equal(label("a&b'`"), "a&amp;b&#39;&#96;");
  assert.equal(label("\u0000x\u001b"), "\\x00x\\x1b");
  assert.equal(label(undefined), "");
});

test("niceInterval(): round steps, at most the bins asked for", () => {
  assert.equal(niceInterval(81.6, 200), 0.5);
  assert.equal(niceInterval(3600, 200), 30);
  assert.equal(niceInterval(0.01, 100), 0.0001);
  for (const span of [0.3, 7, 99, 1234, 86400 * 3]) assert.ok(span / niceInterval(span, 100) <= 100, `${span}`);
});

{
  const which = "from wb.stats";

  test(`trafficOverTime (${which}): stacked series sum to the capture's bytes and packets; date axis; bounded points`, () => {
    const f = P.trafficOverTime(cap);
    assert.ok(f.data.length >= 2 && f.data.length <= 8);
    assert.equal(sum(f.data.flatMap((t) => Array.from(t.y as number[]))), totalBytes);
    for (const t of f.data) { assert.equal(t.stackgroup, "traffic"); assert.equal((t.x as unknown[]).length, (t.y as unknown[]).length); }
    assert.equal((f.layout.xaxis as { type: string }).type, "date");
    assert.match(titleOf(f), /bytes per 500 ms/);
    assert.match(((f.layout.yaxis as { title: { text: string } }).title.text), /bytes per 500 ms/);
    assert.ok((f.data[0].x as unknown[]).length <= 200);
    const p = P.trafficOverTime(cap, { metric: "packets", stackBy: "none", mode: "bar", interval: 10 });
    assert.equal(p.data.length, 1);
    assert.equal(p.data[0].type, "bar");
    assert.equal(sum(p.data[0].y as number[]), cap.count);
    assert.equal((p.data[0].x as string[]).length, 9, "81.6 s in 10 s intervals (aligned to a multiple of 10) is 9 bars");
    assert.match((p.data[0].x as string[])[0], /^2024-06-10 06:13:20\.000$/);
    const few = P.trafficOverTime(cap, { maxSeries: 3 });
    assert.equal(few.data.length, 3);
    assert.equal(few.data[2].name, "other");
    assert.equal(sum(few.data.flatMap((t) => Array.from(t.y as number[]))), totalBytes);
    // a view: the filter's packets only
    const dns = cap.filter("dns");
    assert.equal(sum(P.trafficOverTime(dns, { metric: "packets" }).data.flatMap((t) => Array.from(t.y as number[]))), dns.count);
    assert.throws(() => P.trafficOverTime(cap, { interval: 0 }), /interval must be > 0/);
  });

  test(`topTalkers (${which}): sent + received = each endpoint's total; ranked; category axis`, () => {
    const f = P.topTalkers(cap, { n: 5 });
    const [sent, recv] = f.data;
    assert.equal(sent.name, "sent");
    assert.equal(recv.name, "received");
    assert.equal((sent.y as string[]).length, 5);
    const totals = (sent.x as number[]).map((x, i) => x + (recv.x as number[])[i]);
    assert.deepEqual(totals, sent.customdata);
    for (let i = 1; i < totals.length; i++) assert.ok(totals[i - 1] >= totals[i]);
    assert.equal((f.layout.yaxis as { type: string }).type, "category");
    // every IPv4 endpoint: sent bytes add up to the bytes of packets with ip.src
    const all = P.topTalkers(cap, { n: 1000 });
    let ipBytes = 0;
    const src = cap.column("ip.src"), len = cap.column("frame.len");
    for (let r = 0; r < cap.count; r++) if (src.get(r) !== undefined) ipBytes += len.get(r) as number;
    assert.equal(sum(all.data[0].x as number[]), ipBytes);
    assert.equal(sum(all.data[1].x as number[]), ipBytes);
    const frames = P.topTalkers(cap, { by: "frames", type: "ipv6", n: 3 });
    assert.match((frames.data[0].y as string[])[0], /^[0-9a-f:]+$/);
    assert.match(titleOf(frames), /packets/);
  });

  test(`protocolHierarchy (${which}): a sunburst whose roots hold every packet and whose children fit their parents`, () => {
    const f = P.protocolHierarchy(cap);
    const t = f.data[0] as Trace & { ids: string[]; parents: string[]; values: number[]; labels: string[] };
    assert.equal(t.type, "sunburst");
    assert.equal(t.branchvalues, "total");
    const value = new Map(t.ids.map((id, i) => [id, t.values[i]]));
    assert.equal(sum(t.values.filter((_, i) => t.parents[i] === "")), cap.count);
    const children = new Map<string, number>();
    t.ids.forEach((id, i) => { if (t.parents[i] !== "") children.set(t.parents[i], (children.get(t.parents[i]) ?? 0) + t.values[i]); });
    for (const [parent, total] of children) assert.ok(total <= (value.get(parent) as number), `${parent}: children ${total} > ${value.get(parent)}`);
    assert.ok(t.labels.includes("tls") && t.labels.includes("dns"));
    const byBytes = P.protocolHierarchy(cap, { by: "bytes" }).data[0] as Trace & { parents: string[]; values: number[] };
    assert.equal(sum(byBytes.values.filter((_, i) => byBytes.parents[i] === "")), totalBytes);
  });

  test(`conversations (${which}): a sankey of the top n, link widths = conversation bytes`, () => {
    const f = P.conversations(cap, { type: "tcp", n: 7 });
    const t = f.data[0] as Trace & { node: { label: string[] }; link: { source: number[]; target: number[]; value: number[] } };
    assert.equal(t.type, "sankey");
    assert.equal(t.link.value.length, 7);
    const table = stats().conversations(cap, "tcp");
    const bytes = table.cells.map((r) => r[table.columns.indexOf("bytes")] as number).sort((a, b) => b - a).slice(0, 7);
    assert.deepEqual(t.link.value, bytes);
    for (const s of t.link.source) assert.ok(!t.link.target.includes(s), "left and right nodes are distinct (no cycles)");
    assert.ok(t.node.label.some((l) => /^\[[0-9a-f:]+\]:\d+$/.test(l)), "IPv6 endpoints bracketed");
    const all = P.conversations(cap, { type: "ip", n: 100000 });
    let ipBytes = 0;
    const src = cap.column("ip.src"), len = cap.column("frame.len");
    for (let r = 0; r < cap.count; r++) if (src.get(r) !== undefined) ipBytes += len.get(r) as number;
    assert.equal(sum((all.data[0] as Trace & { link: { value: number[] } }).link.value), ipBytes);
  });
}

test("portHeatmap: ports × time cells add up to the TCP/UDP packets; pairs mode", () => {
  const f = P.portHeatmap(cap, { n: 100 });
  const t = f.data[0] as Trace & { z: number[][]; y: string[]; x: string[] };
  assert.equal(t.type, "heatmap");
  let tcpUdp = 0;
  const tp = cap.column("tcp.srcport"), up = cap.column("udp.srcport");
  for (let r = 0; r < cap.count; r++) if (tp.get(r) !== undefined || up.get(r) !== undefined) tcpUdp++;
  assert.equal(sum(t.z.flat()), tcpUdp);
  assert.ok(t.y.includes("tcp/443") && t.y.includes("udp/53"));
  assert.equal((f.layout.xaxis as { type: string }).type, "date");
  assert.equal((f.layout.yaxis as { type: string }).type, "category");
  const top2 = P.portHeatmap(cap, { n: 2 }).data[0] as Trace & { z: number[][]; y: string[] };
  assert.deepEqual(top2.y, ["tcp/443", "tcp/80"]);
  const pairs = P.portHeatmap(cap, { mode: "pairs", n: 1000 }).data[0] as Trace & { z: number[][] };
  assert.equal(sum(pairs.z.flat()), tcpUdp);
});

test("packetSizes: bins hold every packet, bars at bin centres, 1M packets would still be ≤ maxBins bars", () => {
  const f = P.packetSizes(cap);
  const t = f.data[0] as Trace & { x: number[]; y: number[]; width: number };
  assert.equal(sum(t.y), cap.count);
  assert.ok(t.y.length <= 100);
  assert.equal(t.width, 16);
  assert.equal(t.x[0], 8);
  const len = cap.column("frame.len");
  let small = 0;
  for (let r = 0; r < cap.count; r++) if ((len.get(r) as number) < 64) small++;
  assert.equal(sum(t.y.slice(0, 4)), small);
  const fine = P.packetSizes(cap, { binSize: 1, logY: true });
  assert.equal(sum((fine.data[0].y as number[])), cap.count);
  assert.equal((fine.layout.yaxis as { type: string }).type, "log");
  assert.equal((f.layout.xaxis as { title: { text: string } }).title.text, "frame length (bytes)");
});

test("flowScatter: log axes, one trace per transport, points = flows with a duration, sampling says so", () => {
  const flows = cap.flows();
  const f = P.flowScatter(flows);
  assert.equal((f.layout.xaxis as { type: string }).type, "log");
  assert.equal((f.layout.yaxis as { type: string }).type, "log");
  const names = f.data.map((t) => t.name).sort();
  assert.deepEqual(names, ["icmp", "tcp", "udp"]);
  let withDuration = 0;
  for (let r = 0; r < flows.count; r++) if (((flows.column("duration").get(r) as number) ?? 0) > 0) withDuration++;
  assert.equal(sum(f.data.map((t) => (t.x as number[]).length)), withDuration);
  for (const t of f.data) for (const x of t.x as number[]) assert.ok(x > 0);
  const few = P.flowScatter(flows, { maxPoints: 20 });
  assert.equal(sum(few.data.map((t) => (t.x as number[]).length)), 20);
  assert.match(titleOf(few), /20 shown: the 10 largest and every/);
});

test("tcpSequence: one connection by uid or by display filter; relative sequence numbers from 0", () => {
  const flows = cap.flows();
  const row = flows.rows(["uid", "proto", "orig_pkts", "resp_pkts", "id.orig_p"]).find((r) => r.proto === "tcp" && (r.orig_pkts as number) > 10);
  assert.ok(row);
  const f = P.tcpSequence(cap, row.uid as string, { flows });
  assert.equal(f.data.length, 4);
  const seg = f.data[0] as Trace & { x: number[]; y: number[] };
  assert.equal(seg.y[0], 0, "the SYN is relative sequence 0");
  assert.equal(seg.x[0], 0);
  assert.equal(seg.x.length + (f.data[2].x as number[]).length, flows.packetsOf(row.uid as string).count);
  const byFilter = P.tcpSequence(cap, `tcp.port == ${row["id.orig_p"]}`);
  assert.deepEqual(byFilter.data[0].y, seg.y);
  const thin = P.tcpSequence(cap, row.uid as string, { flows, maxPoints: 4 });
  assert.ok((thin.data[0].x as number[]).length <= 5);
  assert.match(titleOf(thin), /every \d+th packet drawn/);
  assert.throws(() => P.tcpSequence(cap, "udp"), /no TCP packet/);
});

test("hand-made StatTables (the src/stats contract) draw, with hostile labels escaped", () => {
  const ep: StatTableLike = {
    columns: ["address", "port", "frames", "bytes", "tx_frames", "tx_bytes", "rx_frames", "rx_bytes"],
    cells: [[HOSTILE[0], null, 3, 300, 2, 200, 1, 100], [HOSTILE[1], 80, 1, 50, 0, 0, 1, 50]],
  };
  const talk = P.topTalkers(ep);
  assert.deepEqual(talk.data[0].y, [label(HOSTILE[0]), label(`${HOSTILE[1]}:80`)]);
  assert.deepEqual(talk.data[0].x, [200, 0]);
  assertNoRawData(talk, HOSTILE);

  const conv: StatTableLike = {
    columns: ["address_a", "port_a", "address_b", "port_b", "frames_a_to_b", "bytes_a_to_b", "frames_b_to_a", "bytes_b_to_a", "frames", "bytes", "rel_start", "duration"],
    cells: [[HOSTILE[0], null, HOSTILE[2], null, 1, 10, 2, 20, 3, 30, 0, 1], ["10.0.0.1", null, HOSTILE[0], null, 1, 5, 0, 0, 1, 5, 0, 0]],
  };
  const sk = P.conversations(conv).data[0] as Trace & { node: { label: string[] }; link: { value: number[]; source: number[]; target: number[] } };
  assert.deepEqual(sk.node.label, [label(HOSTILE[0]), label(HOSTILE[2]), "10.0.0.1", label(HOSTILE[0])]);
  assert.deepEqual(sk.link.value, [30, 5]);
  assert.deepEqual([sk.link.source, sk.link.target], [[0, 2], [1, 3]]);
  assertNoRawData(P.conversations(conv), HOSTILE);

  const phs: StatTableLike = {
    columns: ["path", "protocol", "depth", "frames", "bytes"],
    cells: [["eth", "eth", 0, 10, 1000], ["eth:ip", "ip", 1, 8, 900], ["eth:ip:<b>", "<b>", 2, 2, 100]],
  };
  const sb = P.protocolHierarchy(phs).data[0] as Trace & { ids: string[]; parents: string[]; labels: string[]; values: number[] };
  assert.deepEqual(sb.parents, ["", "eth", "eth:ip"]);
  assert.deepEqual(sb.labels, ["eth", "ip", "&lt;b&gt;"]);
  assert.deepEqual(sb.values, [10, 8, 2]);

  const io: StatTableLike = {
    columns: ["interval_start", "frames", "bytes", "tls", "<img src=x>"],
    cells: [[0, 3, 300, 2, 1], [1, 1, 60, 0, 1]],
  };
  const tr = P.trafficOverTime(io);
  assert.deepEqual(tr.data.map((t) => t.name), ["tls", "&lt;img src=x&gt;"]);
  assert.deepEqual(tr.data[1].y, [1, 1]);
  assert.deepEqual(tr.data[0].x, [0, 1]);
  assert.match(titleOf(tr), /per 1 s/);
});

test("a capture of 1M packets would not put 1M points in any figure: every builder's output is bounded by options, not by packets", () => {
  // the office capture repeated as a view of 400k rows (views share storage)
  const rows = new Uint32Array(400_000);
  for (let i = 0; i < rows.length; i++) rows[i] = i % cap.count;
  const big = cap.select(rows);
  const points = (f: Figure) => sum(f.data.map((t) => {
    const z = (t as { z?: number[][] }).z;
    return z ? z.length * (z[0]?.length ?? 0) : (t.x as unknown[] | undefined)?.length ?? (t as { values?: unknown[] }).values?.length ?? 0;
  }));
  for (const f of [P.trafficOverTime(big), P.portHeatmap(big), P.packetSizes(big), P.topTalkers(big), P.conversations(big), P.protocolHierarchy(big)]) {
    assert.ok(points(f) < 5000, `${titleOf(f)}: ${points(f)} points`);
  }
  assert.equal(sum(P.packetSizes(big).data[0].y as number[]), 400_000);
});
