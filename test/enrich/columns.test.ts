/**
 * community_id in flows, application tables and alerts, checked against tshark's per-packet
 * Community ID (every packet of a flow carries its flow's id); eve.json events join by it.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import * as wb from "../../src";
import { DATA, hasTool } from "../helpers/paths";

const TSHARK = hasTool("tshark") ? false : "tshark is not installed";

function tsharkIds(file: string): string[] {
  return execFileSync("tshark", ["--enable-protocol", "communityid", "-r", file, "-T", "fields", "-e", "communityid"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28 }).split("\n").slice(0, -1);
}

test("flows: community_id is tshark's Community ID of each of the flow's packets", { skip: TSHARK }, async () => {
  for (const name of ["office.pcap", "attacks.pcap", "office-vlan-ipv6.pcap"]) {
    const file = path.join(DATA, name);
    const want = tsharkIds(file);
    const cap = await wb.open(file);
    const ft = cap.flows();
    const cid = ft.column("community_id");
    let checked = 0;
    for (let i = 0; i < cap.count; i++) {
      const row = ft.flowOf[i];
      if (row === 0xffffffff || want[i] === "" || ft.column("proto").get(row) === "icmp" && !/^(0|8)$/.test(String(ft.column("id.orig_p").get(row)))) continue;
      assert.equal(cid.text(row), want[i], `${name} frame ${i + 1} flow ${ft.column("uid").get(row)}`);
      checked++;
    }
    assert.ok(checked > cap.count / 2, `${name}: ${checked} packets checked`);
    // application tables read their flow's
    const dns = await cap.dns();
    for (let r = 0; r < Math.min(dns.count, 200); r++) assert.equal(dns.column("community_id").text(r), cid.text(dns.flowRows[r]));
  }
});

test("alerts carry the community_id of their tuple, or of their flow", { skip: TSHARK }, async () => {
  const file = path.join(DATA, "attacks.pcap");
  const cap = await wb.open(file);
  const want = tsharkIds(file);
  const det = await cap.alerts();
  const ft = cap.flows();
  let flowed = 0;
  for (let r = 0; r < det.count; r++) {
    const u = det.column("uid").get(r);
    if (typeof u !== "string") continue;
    const pk = ft.packetsOf(u);
    assert.equal(det.column("community_id").text(r), want[pk.baseRow(0)], `detector alert ${r}`);
    flowed++;
  }
  assert.ok(flowed > 0, "detector alerts with a flow");
  const alerts = await wb.rules.load('alert tcp any any -> any any (msg:"syn"; flags:S; sid:1;)\nalert udp any any -> any 53 (msg:"dns"; sid:2;)').match(cap);
  const c = alerts.column("community_id");
  let checked = 0;
  for (let r = 0; r < alerts.count; r++) {
    const proto = alerts.column("proto").text(r), sp = alerts.column("sport").get(r), dp = alerts.column("dport").get(r);
    if (!/^(tcp|udp)$/.test(proto) || sp === undefined || dp === undefined) continue;
    const ipf = alerts.column("src").text(r).includes(":") ? "ipv6" : "ip";
    const f = cap.filter(`${ipf}.addr == ${alerts.column("src").text(r)} && ${ipf}.addr == ${alerts.column("dst").text(r)} && ${proto}.port == ${sp} && ${proto}.port == ${dp}`);
    if (f.count === 0) continue;
    assert.equal(c.text(r), want[f.baseRow(0)], `alert ${r}`);
    checked++;
  }
  assert.ok(checked > 0, "some alerts checked");
});

test("eve.json events join to flows by community_id when they carry it", { skip: TSHARK }, async () => {
  const file = path.join(DATA, "office.pcap");
  const cap = await wb.open(file);
  const want = tsharkIds(file);
  const tcp = cap.filter("tcp.flags.syn == 1 && tcp.flags.ack == 0");
  const row = tcp.baseRow(3);
  const ft = cap.flows();
  const flow = ft.flowOf[row];
  const t = cap.column("frame.time_epoch").get(row) as number;
  const iso = new Date(t * 1000).toISOString().replace("Z", "+0000");
  // the 5-tuple is wrong (ports swapped for others): only the Community ID (tshark's) can find the flow
  const ev = { timestamp: iso, event_type: "flow", src_ip: cap.column("ip.src").text(row), dest_ip: cap.column("ip.dst").text(row),
    src_port: 1, dest_port: 2, proto: "TCP", community_id: want[row] };
  const noId = { ...ev, community_id: undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-eve-"));
  const p = path.join(dir, "eve.json");
  fs.writeFileSync(p, JSON.stringify(ev) + "\n" + JSON.stringify(noId) + "\n");
  const eve = wb.importEve(p, ft);
  assert.equal(eve.column("wirebook_uid").get(0), ft.column("uid").get(flow));
  assert.equal(eve.column("wirebook_uid").get(1), undefined);
  fs.rmSync(dir, { recursive: true });
});
