/** StatTable and the statistics' own contracts on data/office.pcap (values cross-checked with tshark). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DATA } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/filter";
import { conversations, endpoints, hierarchy, ioStat, StatTable, tcpTrouble, topN } from "../../src/stats";
import { formatSize } from "../../src/stats/text";

const office = path.join(DATA, "office.pcap");

test("StatTable: column, records, errors", () => {
  const t = new StatTable(["a", "b"], [[1, "x"], [2, null]]);
  assert.deepEqual(t.cellsOf("b"), ["x", null]);
  assert.deepEqual(t.values("b"), ["x", undefined]);
  assert.deepEqual([t.column("a").type, t.column("b").type], ["count", "string"]);
  assert.deepEqual(t.records(), [{ a: 1, b: "x" }, { a: 2, b: null }]);
  assert.throws(() => t.column("c"), /unknown statistics column "c"/);
  assert.throws(() => new StatTable(["a"], [[1, 2]]), /2 cells for 1 columns/);
});

test("formatSize is tshark's format_size", () => {
  assert.deepEqual([0, 9999, 10000, 151999, 9999999, 10000000, 12e9].map(formatSize),
    ["0 bytes", "9999 bytes", "10 kB", "151 kB", "9999 kB", "10 MB", "12 GB"]);
});

test("office.pcap: totals agree across statistics; views; order", async () => {
  const cap = await open(office);
  const s = cap.summary();
  const h = hierarchy(cap);
  assert.deepEqual(h.cells[0], ["eth", "eth", 0, 2500, 1271037]);
  assert.equal(s.bytes, 1271037);
  const conv = conversations(cap, "tcp");
  const bytes = conv.cellsOf("bytes") as number[];
  assert.ok(bytes.every((b, i) => i === 0 || bytes[i - 1] >= b), "sorted by bytes, descending");
  const tcpRow = h.records().filter((r) => r.protocol === "tcp").reduce((a, r) => a + (r.frames as number), 0);
  assert.equal((conv.cellsOf("frames") as number[]).reduce((a, b) => a + b, 0), tcpRow, "every TCP packet is in one conversation");
  const io = ioStat(cap, 30, { filters: ["tcp", "udp"] });
  assert.deepEqual(io.columns, ["interval_start", "frames", "bytes", "tcp", "udp"]);
  assert.deepEqual(io.cells, [[0, 1065, 542226, 920, 84], [30, 882, 459248, 799, 32], [60, 553, 269563, 495, 38]]);
  const byProto = ioStat(cap, 30, { by: "protocol", top: 3 });
  assert.deepEqual(byProto.columns, ["interval_start", "frames", "bytes", "tls", "tcp", "dns", "other"]);
  // top-N talkers: ip.addr counts a packet once per side
  const top = topN(cap, "ip.addr", 2);
  const ep = endpoints(cap, "ip").records();
  assert.deepEqual(top.cells.map((r) => [r[0], r[1]]), ep.slice(0, 2).map((r) => [r.address, r.frames]));
  // a view: the statistics of a filter's rows
  const dns = cap.filter("dns");
  assert.equal((hierarchy(dns).cells[0] as number[])[3], 96 + 14 + 8);
  assert.deepEqual(conversations(dns, "tcp").cells, []);
  const trouble = tcpTrouble(cap);
  assert.equal(trouble.summary.count, 16);
  assert.ok(trouble.summary.cells.every((r) => typeof r[1] === "number"));
  assert.throws(() => ioStat(cap, 0), /positive number of seconds/);
  assert.throws(() => ioStat(cap, 1e-9), /intervals/);
  assert.throws(() => conversations(cap, "sctp" as never), /unknown type "sctp"/);
});
