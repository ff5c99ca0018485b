/**
 * Detectors on data/attacks.pcap (each scenario found, with the right attacker and victim, and
 * its evidence filter selecting exactly the scenario's packets, computed here independently from
 * the packet columns), and silence on benign captures (data/office*, the shared corpus), where the
 * real attacks of the corpus (nmap SYN scans, dnscat2) must hit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { cut, zeekCut } from "../helpers/zeekcut";
import { DATA, NO_SHARED, SHARED } from "../helpers/paths";
import { open } from "../../src/table/load";
import type { Capture } from "../../src/table/capture";
import "../../src/filter";
import { AlertTable, detect, detectSync, DETECTORS } from "../../src/detect";
import { ATTACK } from "../../src/gen/attacks";

const T0 = ATTACK.start;

/** rows of `cap` for which pred holds, reading columns directly */
function rowsWhere(cap: Capture, cols: string[], pred: (v: Record<string, number | string | undefined>, t: number) => boolean): number[] {
  const cs = cols.map((c) => cap.column(c));
  const time = cap.column("frame.time_epoch");
  const out: number[] = [];
  for (let i = 0; i < cap.count; i++) {
    const v: Record<string, number | string | undefined> = {};
    cs.forEach((c, k) => (v[cols[k]] = c.get(i)));
    if (pred(v, (time.get(i) as number) - T0)) out.push(i);
  }
  return out;
}

function evidenceRows(cap: Capture, a: AlertTable, r: number): number[] {
  const v = a.packets(r, cap);
  return Array.from({ length: v.count }, (_, i) => v.baseRow(i));
}

let capP: Promise<{ cap: Capture; alerts: AlertTable }> | undefined;
function attacks() {
  capP ??= (async () => {
    const cap = await open(path.join(DATA, "attacks.pcap"));
    return { cap, alerts: await cap.alerts() };
  })();
  return capP;
}

function one(a: AlertTable, detector: string, pred: (r: number) => boolean, what: string): number {
  const rows: number[] = [];
  for (let r = 0; r < a.count; r++) if (a.column("detector").get(r) === detector && pred(r)) rows.push(r);
  assert.equal(rows.length, 1, `${detector}: expected one alert for ${what}, got ${rows.length}:\n${a.format("tsv", ["detector", "src", "dst", "summary"])}`);
  return rows[0];
}

test("attacks.pcap: every detector fires, and nothing else does", async () => {
  const { alerts } = await attacks();
  const per = Object.fromEntries(alerts.counts().map((c) => [c.detector, c.alerts]));
  assert.deepEqual(per, { port_scan: 5, syn_flood: 1, dns_tunnel: 1, arp_spoof: 1, beacon: 1, brute_force: 3, cleartext_credentials: 7 });
  // sorted by time, columns aligned with the rule engine's inputs()
  for (let r = 1; r < alerts.count; r++) assert.ok(alerts.ts[r] >= alerts.ts[r - 1]);
  for (const c of ["ts", "detector", "severity", "src", "dst", "summary", "evidence", "uids", "sid", "msg", "classtype"]) assert.ok(alerts.columns.includes(c), c);
  assert.equal(alerts.column("sid").get(0), undefined);
});

test("port_scan: SYN, FIN, NULL, Xmas scans and the 3389 sweep, evidence = the probes", async () => {
  const { cap, alerts } = await attacks();
  const cases: [string, number, string, number][] = [["SYN", 0x02, ATTACK.nas, ATTACK.scanPorts], ["FIN", 0x01, ATTACK.devbox, ATTACK.stealthPorts],
    ["NULL", 0x00, ATTACK.devbox, ATTACK.stealthPorts], ["Xmas", 0x29, ATTACK.devbox, ATTACK.stealthPorts]];
  for (const [kind, flags, victim, ports] of cases) {
    const r = one(alerts, "port_scan", (x) => alerts.summary[x].startsWith(`${kind} scan`), kind);
    assert.equal(alerts.src[r], ATTACK.attacker);
    assert.equal(alerts.dst[r], victim);
    assert.match(alerts.summary[r], new RegExp(`of ${ports} ports`));
    const want = rowsWhere(cap, ["ip.src", "ip.dst", "tcp.flags"], (v, t) => v["ip.src"] === ATTACK.attacker && v["ip.dst"] === victim &&
      v["tcp.flags"] === flags && t < 23);
    assert.equal(want.length, ports);
    assert.deepEqual(evidenceRows(cap, alerts, r), want, `${kind} evidence`);
    assert.equal(alerts.uidsOf(r).length, ports);
  }
  const syn = one(alerts, "port_scan", (x) => alerts.summary[x].startsWith("SYN scan"), "SYN");
  assert.match(alerts.summary[syn], /\(5 open\)/);
  const sweep = one(alerts, "port_scan", (x) => alerts.summary[x].includes("sweep"), "sweep");
  assert.equal(alerts.src[sweep], ATTACK.attacker);
  // the 40 hosts of the sweep, and the NAS's 3389 probed by the SYN scan
  assert.match(alerts.summary[sweep], /port 3389 over 41 hosts/);
  assert.equal(evidenceRows(cap, alerts, sweep).length, 41);
});

test("syn_flood: the spoofed flood on 192.168.1.10:80, no single attacker, evidence = the SYNs", async () => {
  const { cap, alerts } = await attacks();
  const r = one(alerts, "syn_flood", () => true, "the flood");
  assert.equal(alerts.src[r], "");
  assert.equal(alerts.dst[r], ATTACK.nas);
  assert.match(alerts.summary[r], new RegExp(`^${ATTACK.floodSyns} half-open connections to 192\\.168\\.1\\.10:80`));
  const want = rowsWhere(cap, ["ip.dst", "tcp.dstport", "tcp.flags"], (v, t) => v["ip.dst"] === ATTACK.nas && v["tcp.dstport"] === 80 &&
    v["tcp.flags"] === 0x02 && t >= 30 && t < 32);
  assert.equal(want.length, ATTACK.floodSyns);
  assert.deepEqual(evidenceRows(cap, alerts, r), want);
  assert.equal(alerts.uidsOf(r).length, ATTACK.floodSyns);
});

test("dns_tunnel: the dnscat-like client, evidence = its queries and answers", async () => {
  const { cap, alerts } = await attacks();
  const r = one(alerts, "dns_tunnel", () => true, "the tunnel");
  assert.equal(alerts.src[r], ATTACK.bob);
  assert.equal(alerts.dst[r], ATTACK.router);
  assert.match(alerts.summary[r], /80 distinct subdomains of tunnel\.example/);
  const want = rowsWhere(cap, ["dns.qry.name"], (v) => typeof v["dns.qry.name"] === "string" && v["dns.qry.name"].endsWith(".tunnel.example"));
  assert.equal(want.length, 2 * ATTACK.tunnelQueries);
  assert.deepEqual(evidenceRows(cap, alerts, r), want);
});

test("arp_spoof: the attacker's MAC claiming the router's address", async () => {
  const { cap, alerts } = await attacks();
  const r = one(alerts, "arp_spoof", () => true, "the spoof");
  assert.equal(alerts.src[r], ATTACK.attackerMac);
  assert.equal(alerts.dst[r], ATTACK.router);
  assert.equal(alerts.severity[r], 1);
  assert.match(alerts.summary[r], /also 00:0d:b9:4a:21:c0/);
  const want = rowsWhere(cap, ["eth.src", "arp.opcode"], (v) => v["eth.src"] === ATTACK.attackerMac && v["arp.opcode"] === 2);
  assert.equal(want.length, ATTACK.spoofReplies);
  assert.deepEqual(evidenceRows(cap, alerts, r), want);
});

test("beacon: 11 connections every 30 s ± 1 s", async () => {
  const { cap, alerts } = await attacks();
  const r = one(alerts, "beacon", () => true, "the beacon");
  assert.equal(alerts.src[r], ATTACK.devbox);
  assert.equal(alerts.dst[r], ATTACK.beaconServer);
  const m = /every ([\d.]+) s \(jitter ([\d.]+)%/.exec(alerts.summary[r]);
  assert.ok(m && Math.abs(Number(m[1]) - 30) < 1 && Number(m[2]) < 5, alerts.summary[r]);
  assert.equal(alerts.uidsOf(r).length, ATTACK.beacons);
  const ev = evidenceRows(cap, alerts, r);
  const port = cap.column("tcp.dstport"), sport = cap.column("tcp.srcport");
  assert.equal(ev.length, 10 * ATTACK.beacons);
  for (const i of ev) assert.ok(port.get(i) === 8443 || sport.get(i) === 8443);
});

test("brute_force: SSH and FTP attempts, HTTP 401s", async () => {
  const { cap, alerts } = await attacks();
  const ssh = one(alerts, "brute_force", (x) => alerts.summary[x].includes("SSH"), "SSH");
  assert.equal(alerts.src[ssh], ATTACK.attacker);
  assert.equal(alerts.dst[ssh], ATTACK.nas);
  assert.match(alerts.summary[ssh], new RegExp(`^${ATTACK.sshAttempts} SSH connections`));
  const sshWant = rowsWhere(cap, ["ip.src", "ip.dst", "tcp.srcport", "tcp.dstport"], (v, t) => t >= 100 && t < 160 &&
    (v["tcp.dstport"] === 22 || v["tcp.srcport"] === 22) && [v["ip.src"], v["ip.dst"]].includes(ATTACK.attacker));
  assert.deepEqual(evidenceRows(cap, alerts, ssh), sshWant);
  const ftp = one(alerts, "brute_force", (x) => alerts.summary[x].includes("FTP"), "FTP");
  assert.equal(alerts.src[ftp], ATTACK.ftpAttacker);
  assert.equal(alerts.uidsOf(ftp).length, ATTACK.ftpAttempts);
  const h = one(alerts, "brute_force", (x) => alerts.summary[x].includes("401"), "HTTP 401");
  assert.equal(alerts.src[h], ATTACK.attacker);
  assert.equal(alerts.dst[h], ATTACK.nas);
  assert.equal(evidenceRows(cap, alerts, h).length, ATTACK.http401);
});

test("cleartext_credentials: users shown, secrets masked (shown when asked), evidence = the login packets", async () => {
  const { cap, alerts } = await attacks();
  const want: [string, string, string, string, RegExp][] = [
    ["http", ATTACK.alice, ATTACK.nas, "alice", /\(succeeded\)/], ["ftp", ATTACK.bob, ATTACK.ftpServer, "bob", /\(succeeded\)/],
    ["pop", ATTACK.carol, ATTACK.mailServer, "carol", /\(succeeded\)/], ["imap", ATTACK.alice, ATTACK.mailServer, "dave", /\(succeeded\)/],
    ["telnet", ATTACK.devbox, ATTACK.nas, "root", /\(succeeded\)/], ["ftp", ATTACK.ftpAttacker, ATTACK.nas, "admin", /12 attempts, 0 succeeded, 12 failed/],
    ["http", ATTACK.attacker, ATTACK.nas, "admin", /8 attempts, 0 succeeded, 8 failed/],
  ];
  for (const [proto, client, server, user, outcome] of want) {
    const r = one(alerts, "cleartext_credentials", (x) => alerts.proto[x] === proto && alerts.src[x] === client && alerts.dst[x] === server, `${proto} ${user}`);
    assert.match(alerts.summary[r], new RegExp(`login as "${user}" with password \\*{8} in clear`));
    assert.match(alerts.summary[r], outcome);
    const ev = evidenceRows(cap, alerts, r);
    assert.ok(ev.length >= 1);
    const src = cap.column("ip.src");
    for (const i of ev) assert.equal(src.get(i), client, "evidence packets are the client's");
  }
  for (const secret of ["wonderland", "hunter2", "p0p-secret", "imap pass", "toor"]) assert.ok(!alerts.format("json").includes(secret), `${secret} leaked`);
  const shown = await cap.alerts({ detectors: ["cleartext_credentials"], showSecrets: true });
  const text = shown.format("tsv");
  for (const secret of ["wonderland", "hunter2", "p0p-secret", "imap pass", "toor", "guess0", "guess4", "admin0"]) assert.ok(text.includes(secret), `${secret} not shown`);
  assert.ok(!text.includes("guess5"), "at most 5 passwords per alert");
  // FTP evidence: the USER and PASS lines of bob's login
  const r = one(shown, "cleartext_credentials", (x) => shown.src[x] === ATTACK.bob, "bob");
  assert.equal(evidenceRows(cap, shown, r).length, 2);
});

test("thresholds are options; detectors run alone; views work", async () => {
  const { cap } = await attacks();
  const strict = detectSync(cap, { detectors: ["port_scan"], port_scan: { minPorts: 61, minStealthPorts: 31, minHosts: 42 } });
  assert.equal(strict.count, 0);
  const loose = detectSync(cap, { detectors: ["beacon"], beacon: { maxJitter: 0.001 } });
  assert.equal(loose.count, 0);
  assert.equal(detectSync(cap, { detectors: ["syn_flood"], syn_flood: { minPerSecond: 250 } }).count, 0);
  assert.equal(detectSync(cap, { detectors: ["brute_force"], brute_force: { ports: [23] } }).byDetector("brute_force").count, 1, "only the 401s");
  assert.throws(() => detectSync(cap, { detectors: ["nope" as never] }), /unknown detector "nope"/);
  // a view: the first 35 s (scans and flood); evidence filters select the same packets in the full capture
  const view = cap.filter(`frame.time_epoch < ${T0 + 35}`);
  const va = await view.alerts();
  assert.deepEqual(va.counts(), [{ detector: "port_scan", alerts: 5 }, { detector: "syn_flood", alerts: 1 }]);
  for (let r = 0; r < va.count; r++) assert.equal(va.packets(r).count, cap.filter(va.evidence[r]).count);
});

test("AlertTable: concat, formats, DataFrame, rule-engine rows", async () => {
  const { alerts } = await attacks();
  const both = AlertTable.concat(alerts.byDetector("beacon"), AlertTable.from([{ ts: T0 + 1, detector: "rules", severity: 1, src: "192.0.2.1",
    dst: "192.0.2.2", summary: "ET TEST", evidence: "frame.number == 1", sid: 2000001, msg: "ET TEST", classtype: "misc-attack" }]));
  assert.equal(both.count, 2);
  assert.equal(both.column("detector").get(0), "rules");
  assert.equal(both.column("sid").get(0), 2000001);
  assert.equal(both.column("sid").get(1), undefined);
  const tsv = zeekCut(both.format("tsv"));
  assert.deepEqual(tsv.fields, both.columns);
  assert.equal(tsv.path, "alerts");
  assert.equal(tsv.rows.length, 2);
  assert.ok(tsv.rows.every((r) => r.length === both.columns.length));
  assert.deepEqual(cut(tsv, "sid"), ["2000001", "-"], "unset is -");
  const csv = AlertTable.from([{ ts: 1, detector: "x", severity: 3, src: "a", dst: "b", summary: 'say "hi", then\nleave', evidence: "frame" }]).format("csv");
  assert.match(csv, /"say ""hi"", then\nleave"/);
  const json = both.format("json").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(json[0].msg, "ET TEST");
  assert.equal(json[1].msg, undefined);
  const df = alerts.toDataFrame(["ts", "detector", "src", "dst"]);
  assert.deepEqual(df.shape, [alerts.count, 4]);
  assert.deepEqual(zeekCut(AlertTable.from([]).format("tsv")), { fields: both.columns, types: tsv.types, path: "alerts", rows: [] });
  assert.equal(AlertTable.from([]).format("json"), "");
});

test("detectors stay silent on benign captures (data/office*)", async () => {
  for (const f of ["office.pcap", "office.pcapng", "office-vlan-ipv6.pcap"]) {
    const cap = await open(path.join(DATA, f));
    const a = await cap.alerts();
    assert.equal(a.count, 0, `${f}:\n${a.format("tsv", ["detector", "src", "dst", "summary"])}`);
  }
});

test("shared corpus: real scans and dnscat2 hit, the rest is silent", { skip: SHARED === undefined && NO_SHARED }, async () => {
  const shared = SHARED as string;
  const expect: Record<string, string[]> = {
    "pcaps/chrissanders__synscan.pcapng": ["port_scan"],
    "flows/nfs_synscan.pcap": ["port_scan"],
    "pcaps/nfstream__dns_exfiltration.pcap": ["dns_tunnel"],
    // an anonymous FTP login is a cleartext login (severity 3)
    "flows/zeek_ftp-ipv6.pcap": ["cleartext_credentials"],
  };
  const files = ["pcaps", "flows"].flatMap((d) => fs.readdirSync(path.join(shared, d)).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => `${d}/${f}`));
  assert.ok(files.length > 40);
  for (const f of files) {
    const cap = await open(path.join(shared, f));
    const a = await cap.alerts();
    const got = a.counts().map((c) => c.detector).sort();
    assert.deepEqual(got, expect[f] ?? [], `${f}:\n${a.format("tsv", ["detector", "src", "dst", "summary"])}`);
    for (let r = 0; r < a.count; r++) assert.ok(cap.filter(a.evidence[r]).count > 0, `${f}: evidence of row ${r} selects nothing`);
  }
  const scan = await (await open(path.join(shared, "pcaps/chrissanders__synscan.pcapng"))).alerts();
  assert.equal(scan.src[0], "172.16.0.8");
  assert.equal(scan.dst[0], "64.13.134.52");
  assert.match(scan.summary[0], /SYN scan of 1000 ports/);
  const dns = await (await open(path.join(shared, "pcaps/nfstream__dns_exfiltration.pcap"))).alerts();
  assert.equal(dns.src[0], "192.168.220.56");
  assert.match(dns.summary[0], /150 distinct subdomains of dnscat/);
  const ftp = await (await open(path.join(shared, "flows/zeek_ftp-ipv6.pcap"))).alerts();
  assert.match(ftp.summary[0], /FTP login as "anonymous"/);
  assert.equal(ftp.severity[0], 3);
});

test("hostile and empty input: no crash, no alerts", async () => {
  const cap = await open(path.join(DATA, "office.pcap"), { limit: 0 }).catch(() => undefined);
  if (cap) assert.equal((await cap.alerts()).count, 0);
  const small = await open(path.join(DATA, "attacks.pcap"), { limit: 3 });
  assert.equal((await small.alerts()).count, 0);
  const empty = (await open(path.join(DATA, "attacks.pcap"))).filter("frame.number == 0");
  assert.equal(empty.count, 0);
  assert.equal((await empty.alerts()).count, 0);
  assert.deepEqual([...DETECTORS].sort(), ["arp_spoof", "beacon", "brute_force", "cleartext_credentials", "dns_tunnel", "port_scan", "syn_flood"]);
  void detect;
});
