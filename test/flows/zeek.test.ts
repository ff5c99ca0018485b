/**
 * Flows against Zeek: for every zeek_* capture of ../shared/flows, our flow table (with the flags
 * of its .zeek-cmd.txt: the scripts a `zeek -b` run loads decide the likely server ports) equals
 * Zeek's conn.log as a multiset of rows over every comparable column (README.md there): id.*,
 * proto, duration (6 decimals), orig/resp bytes, conn_state, local_orig/resp, missed_bytes,
 * history, orig/resp pkts and ip_bytes, ip_proto.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { NO_SHARED, SHARED } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/flows";
import { COMPARABLE, compareRows, readZeekCmd, readZeekLog } from "./zeeklog";

/**
 * Captures where some Zeek rows cannot be produced, with the reason. Only rows of tunnelled
 * (inner) connections — those with tunnel_parents in Zeek's log — may be excused, and exactly
 * this many; every other row must be equal.
 */
const EXCEPTIONS: Record<string, { innerRows: number; reason: string }> = {
  teredo: {
    innerRows: 4,
    reason: "Teredo (IPv6 in UDP/3544) is not decapsulated by the decoders, so its inner IPv6 connections " +
      "(1 TCP, 3 ICMPv6) are not seen; the outer UDP rows are equal",
  },
  "gtp-different-dl-ul": {
    innerRows: 1,
    reason: "GTP-U is not decapsulated by the decoders, so the inner HTTP connection is not seen; the two outer " +
      "gtpv1 UDP rows (over fragmented outer IP) are equal",
  },
};

const dir = SHARED ? path.join(SHARED, "flows") : undefined;
const names = dir && fs.existsSync(dir)
  ? fs.readdirSync(dir).filter((f) => f.startsWith("zeek_") && f.endsWith(".zeek-conn.log")).map((f) => f.slice(5, -".zeek-conn.log".length)).sort()
  : [];
if (names.length === 0) test("flows against Zeek on ../shared/flows", { skip: NO_SHARED }, () => {});

// sweepFrom 1: all live connections are checked for expired timers from the first one on, again
// each time their number grows by a quarter (the sweeps that bound memory on large captures, which
// these small ones never reach by default): the rows must not change
for (const [name, sweepFrom] of names.flatMap((n) => [[n, undefined], [n, 1]] as const)) {
  test(`flows: ${name} equals Zeek's conn.log${sweepFrom === undefined ? "" : " (sweeping from the first connection)"}`, async () => {
    const d = dir as string;
    const pcap = fs.readdirSync(d).find((f) => f.startsWith(`zeek_${name}.pcap`)) as string;
    const cmd = readZeekCmd(path.join(d, `zeek_${name}.zeek-cmd.txt`));
    // -C (ignore checksums) is what we do anyway: the packet table holds no payload to checksum
    const ft = (await open(path.join(d, pcap))).flows({ zeekScripts: cmd.bare ? cmd.scripts : undefined, sweepFrom });
    const log = readZeekLog(path.join(d, `zeek_${name}.zeek-conn.log`));
    const exc = EXCEPTIONS[name];
    if (exc !== undefined) {
      const inner = log.rows.filter((r) => r.tunnel_parents !== "-");
      const outer = log.rows.filter((r) => r.tunnel_parents === "-");
      const diff = compareRows(ft, { fields: log.fields, rows: outer }, COMPARABLE);
      assert.deepEqual(diff.missing, [], `${name}: Zeek rows we lack`);
      assert.equal(diff.extra.length, Math.max(0, ft.count - outer.length), `${name}: rows Zeek lacks: ${diff.extra.join("\n")}`);
      // the inner rows we do produce must be Zeek's; at most innerRows of them are missing
      const innerDiff = compareRows(ft, { fields: log.fields, rows: inner }, COMPARABLE);
      assert.ok(innerDiff.missing.length <= exc.innerRows, `${name}: ${innerDiff.missing.length} inner rows missing (${exc.reason})`);
      assert.equal(ft.count, outer.length + inner.length - innerDiff.missing.length, `${name}: row count`);
      return;
    }
    const diff = compareRows(ft, log, COMPARABLE);
    const head = COMPARABLE.join("\t");
    assert.deepEqual({ missing: diff.missing, extra: diff.extra }, { missing: [], extra: [] }, `${name}:\n${head}`);
    assert.equal(ft.count, log.rows.length);
  });
}

test("wirebook flows: the TSV output reads back as a Zeek log equal to Zeek's", { skip: names.includes("wikipedia") ? false : NO_SHARED }, async () => {
  const { writeFlows } = await import("../../src/cli/flows");
  const { ZEEK_COLUMNS } = await import("../../src/flows");
  const d = dir as string;
  const ft = (await open(path.join(d, "zeek_wikipedia.pcap"))).flows();
  let text = "";
  writeFlows(ft, "tsv", ZEEK_COLUMNS, { write: (s: string) => { text += s; } });
  const tmp = path.join(require("node:os").tmpdir(), `wirebook-flows-${process.pid}.log`);
  fs.writeFileSync(tmp, text);
  const ours = readZeekLog(tmp);
  fs.unlinkSync(tmp);
  assert.deepEqual(ours.fields, ZEEK_COLUMNS);
  const theirs = readZeekLog(path.join(d, "zeek_wikipedia.zeek-conn.log"));
  const key = (r: Record<string, string>) => COMPARABLE.map((c) => r[c]).join("\t");
  assert.deepEqual(ours.rows.map(key).sort(), theirs.rows.map(key).sort());
  assert.ok(ours.rows.every((r) => /^C[0-9A-Za-z]{10,17}$/.test(r.uid)), "uids look like Zeek's");
});
