/** wb.plot.alertsTimeline and wb.plot.scanHeatmap: real numbers from data/attacks.pcap, hostile text escaped. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DATA } from "../helpers/paths";
import * as wb from "../../src/index";
import { ATTACK } from "../../src/gen/attacks";

test("alertsTimeline: one marker per alert, by severity, hostile summaries escaped", async () => {
  const cap = await wb.open(path.join(DATA, "attacks.pcap"));
  const alerts = await cap.alerts();
  const fig = wb.plot.alertsTimeline(alerts);
  const markers = fig.data.reduce((s, t) => s + (t.x as unknown[]).length, 0);
  assert.equal(markers, alerts.count);
  assert.deepEqual(fig.data.map((t) => t.name), ["high", "medium", "low"].filter((s) => fig.data.some((t) => t.name === s)));
  const high = fig.data.find((t) => t.name === "high")!;
  assert.ok((high.y as string[]).includes("syn_flood") && (high.y as string[]).includes("arp_spoof"));
  const bySrc = wb.plot.alertsTimeline(alerts, { by: "src" });
  assert.ok(bySrc.data.some((t) => (t.y as string[]).includes(ATTACK.attacker)));
  const hostile = wb.AlertTable.from([{ ts: 1718300000, detector: "<b>x</b>", severity: 1, src: "<script>alert(1)</script>", dst: "b",
    summary: '"><img src=x onerror=alert(1)>', evidence: "frame" }]);
  const json = JSON.stringify(wb.plot.alertsTimeline(hostile, { title: "<i>t</i>" }));
  for (const raw of ["<script>", "<img", "<b>x", "<i>t"]) assert.ok(!json.includes(raw), `${raw} not escaped`);
  assert.equal(wb.plot.alertsTimeline(wb.AlertTable.from([])).data.length, 0);
});

test("scanHeatmap: the scanner's probes per port and time", async () => {
  const cap = await wb.open(path.join(DATA, "attacks.pcap"));
  const fig = wb.plot.scanHeatmap(cap, { src: ATTACK.attacker, interval: 1 });
  const tr = fig.data[0];
  const z = tr.z as number[][];
  const total = z.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  // SYN scan (60) + FIN/NULL/Xmas (3 × 30) + sweep (40) + SYNs of the SSH and HTTP brute force (15 + 1)
  const y = tr.y as string[];
  assert.equal(y.length, 40, "the 40 most probed ports");
  assert.ok(y.includes("tcp/3389") && y.includes("tcp/22"));
  const row3389 = z[y.indexOf("tcp/3389")].reduce((a, b) => a + b, 0);
  assert.equal(row3389, 1 + 3 + ATTACK.sweepHosts, "SYN scan, the three stealth scans, the sweep");
  assert.ok(total > 100);
  // from the alerts: the port_scan sources only
  const alerts = await cap.alerts({ detectors: ["port_scan"] });
  const fromAlerts = wb.plot.scanHeatmap(alerts, { interval: 1 });
  assert.deepEqual(fromAlerts.data[0].z, z);
  assert.match(String((fig.layout.title as { text: string }).text), /192\.168\.1\.66/);
  assert.throws(() => wb.plot.scanHeatmap(wb.AlertTable.from([])), /no capture/);
  const hostile = wb.plot.scanHeatmap(cap, { src: "10.0.0.1", title: "<script>x</script>" });
  assert.ok(!JSON.stringify(hostile).includes("<script>"));
  assert.equal((hostile.data[0].y as string[]).length, 0);
});
