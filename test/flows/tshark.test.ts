/**
 * Flows against tshark's conversation tables: per TCP/UDP conversation (unordered address:port
 * pair), the packets our flows hold equal the frames of `tshark -q -z conv,tcp -z conv,udp`.
 * Zeek splits a conversation into several connections (timeouts, port reuse): their packets are
 * summed per pair.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DATA, hasTool, SHARED } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/flows";

function pairKey(proto: string, a: string, pa: string, b: string, pb: string): string {
  const x = `${a}:${pa}`, y = `${b}:${pb}`;
  return `${proto} ${x < y ? x : y} ${x < y ? y : x}`;
}

function tsharkConv(file: string): Map<string, number> {
  const out = execFileSync("tshark", ["-n", "-q", "-z", "conv,tcp", "-z", "conv,udp", "-r", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  const m = new Map<string, number>();
  let proto = "";
  for (const line of out.split("\n")) {
    if (/^TCP Conversations/.test(line)) proto = "tcp";
    else if (/^UDP Conversations/.test(line)) proto = "udp";
    const r = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s/.exec(line);
    if (r === null) continue;
    const k = pairKey(proto, r[1], r[2], r[3], r[4]);
    m.set(k, (m.get(k) ?? 0) + Number(r[5]));
  }
  return m;
}

async function ourConv(file: string): Promise<Map<string, number>> {
  const ft = (await open(file)).flows();
  const perRow = new Float64Array(ft.count);
  for (const f of ft.flowOf) if (f !== 0xffffffff) perRow[f]++;
  const m = new Map<string, number>();
  const proto = ft.column("proto"), oh = ft.column("id.orig_h"), op = ft.column("id.orig_p"), rh = ft.column("id.resp_h"), rp = ft.column("id.resp_p");
  for (let r = 0; r < ft.count; r++) {
    const p = proto.get(r);
    if (p !== "tcp" && p !== "udp") continue;
    const k = pairKey(p, oh.text(r), op.text(r), rh.text(r), rp.text(r));
    m.set(k, (m.get(k) ?? 0) + perRow[r]);
  }
  return m;
}

const files = [
  ...["office.pcap", "office.pcapng", "office-vlan-ipv6.pcap"].map((f) => path.join(DATA, f)),
  ...(SHARED ? ["zeek_ssh-basic.pcap", "zeek_pop3-reject.pcap", "zeek_ftp-ipv6.pcap", "zeek_wikipedia.pcap", "zeek_http-to-ssh.pcap",
    "zeek_vlan-mpls.pcap", "zeek_tcp-retransmit-fast009.pcap", "nfs_synscan.pcap", "nfs_http_ipv6.pcap"].map((f) => path.join(SHARED as string, "flows", f)) : []),
].filter((f) => fs.existsSync(f));

for (const file of files) {
  test(`flows: ${path.basename(file)} packets per conversation equal tshark -z conv`, { skip: !hasTool("tshark") && "tshark is not installed" }, async () => {
    const theirs = tsharkConv(file), ours = await ourConv(file);
    const sort = (m: Map<string, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    assert.deepEqual(sort(ours), sort(theirs));
  });
}
