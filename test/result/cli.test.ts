/**
 * The CLI prints its tables through the one set of writers: `wirebook flows`, `wirebook dns` and
 * `wirebook stats --format …` read back by zeek-cut semantics, Python's csv module and JSON.parse
 * agree with the library's tables.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CLI, DATA } from "../helpers/paths";
import { cut, zeekCut } from "../helpers/zeekcut";
import { open } from "../../src/table/load";
import "../../src/flows";
import { conversationsByFrames } from "../../src/stats";

const office = path.join(DATA, "office.pcap");
const run = (...args: string[]) => execFileSync(CLI, args, { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });

test("wirebook flows: TSV, CSV and JSON lines carry the same cells", async () => {
  const tsv = zeekCut(run("flows", office));
  assert.equal(tsv.path, "conn");
  const json = run("flows", office, "--format", "json").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const csv = run("flows", office, "--format", "csv").trim().split("\n");
  const ft = (await open(office)).flows();
  assert.equal(tsv.rows.length, ft.count);
  assert.equal(json.length, ft.count);
  assert.equal(csv.length, ft.count + 1);
  assert.deepEqual(cut(tsv, "uid"), json.map((o) => o.uid));
  cut(tsv, "duration").forEach((d, r) => assert.equal(d === "-" ? undefined : Number(d), json[r].duration));
  assert.deepEqual(cut(tsv, "conn_state"), ft.values("conn_state").map((v) => v ?? "-"));
});

test("wirebook stats --format csv|tsv|json: the statistic's table through the writers", { skip: fs.existsSync("/usr/bin/python3") ? false : "no python3" }, async () => {
  const conv = conversationsByFrames(await open(office), "tcp");
  const csvText = run("stats", office, "-z", "conv,tcp", "--format", "csv");
  const rows = JSON.parse(execFileSync("/usr/bin/python3", ["-c", "import csv, json, sys\nprint(json.dumps(list(csv.reader(sys.stdin))))"], { input: csvText, encoding: "utf8" })) as string[][];
  assert.deepEqual(rows[0], conv.columns);
  assert.deepEqual(rows.slice(1), conv.cells.map((r) => r.map((c) => (c === null ? "" : String(c)))));
  const tsv = zeekCut(run("stats", office, "-z", "conv,tcp", "-z", "io,phs", "--format", "tsv"));
  assert.equal(tsv.path, "io_phs", "one log after the other; the last header wins in zeek-cut");
  const json = run("stats", office, "-z", "conv,tcp", "--format", "json").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(json, conv.records().map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null))));
  assert.throws(() => run("stats", office, "-z", "conv,tcp", "--format", "xml"), /--format takes tsv, csv, json \(not "xml"\)\nsee wirebook stats --help/);
});
