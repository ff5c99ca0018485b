/**
 * Flows against nfstream: for every nfs_* capture of ../shared/flows, `flows({ mode: "nfstream" })`
 * gives nfstream's rows in nfstream's export order with equal (bidirectional_packets,
 * bidirectional_bytes) — the CSV's only comparable columns (its nDPI application columns are not).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { NO_SHARED, SHARED } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/flows";

const dir = SHARED ? path.join(SHARED, "flows") : undefined;
const names = dir && fs.existsSync(dir)
  ? fs.readdirSync(dir).filter((f) => f.startsWith("nfs_") && f.endsWith(".nfstream.csv")).map((f) => f.slice(4, -".nfstream.csv".length)).sort()
  : [];
if (names.length === 0) test("flows against nfstream on ../shared/flows", { skip: NO_SHARED }, () => {});

for (const name of names) {
  test(`flows (nfstream mode): ${name} equals nfstream's table, row by row`, async () => {
    const d = dir as string;
    const pcap = fs.readdirSync(d).find((f) => f.startsWith(`nfs_${name}.pcap`)) as string;
    const lines = fs.readFileSync(path.join(d, `nfs_${name}.nfstream.csv`), "utf8").trim().split("\n");
    const head = lines[0].split(",");
    const pi = head.indexOf("bidirectional_packets"), bi = head.indexOf("bidirectional_bytes");
    const theirs = lines.slice(1).map((l) => { const v = l.split(","); return `${v[pi]} packets ${v[bi]} bytes`; });
    const ft = (await open(path.join(d, pcap))).flows({ mode: "nfstream" });
    const ours = ft.rows(["bidirectional_packets", "bidirectional_bytes"]).map((o) => `${o.bidirectional_packets} packets ${o.bidirectional_bytes} bytes`);
    assert.deepEqual(ours, theirs);
  });
}
