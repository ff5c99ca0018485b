/**
 * The writers against independent readers: CSV read back by Python's csv module and by pandas,
 * JSON lines by JSON.parse, Zeek TSV with zeek-cut's semantics (test/helpers/zeekcut.ts) and
 * Zeek's `\xHH` unescaping. Hostile strings (separators, quotes, ESC, CSI, backslashes, the unset
 * mark) must round-trip or come back in the documented escaped form, and no raw terminal control
 * character may reach the output.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DATA, NO_SHARED, SHARED } from "../helpers/paths";
import { cut, unescape, zeekCut } from "../helpers/zeekcut";
import { open } from "../../src/table/load";
import "../../src/flows";
import "../../src/flows/apps";
import { importZeek } from "../../src/import";
import { StatTable } from "../../src/stats";
import { tableText } from "../../src/stats/text";
import { ResultTable, toCsv, toJsonLines, toTsv, type Column, type Value } from "../../src/result";

const PY = "/usr/bin/python3";
const hasPy = fs.existsSync(PY);

const HOSTILE = [
  "plain",
  "tab\there",
  "two\nlines",
  "cr\rhere",
  'say "hi", then',
  "back\\slash",
  "esc\x1b[31mred",
  "csi\u009b2J",
  "-",
  "",
  "naïve ünïcödé ✓",
  "del\x7f",
];

function hostileTable(): ResultTable {
  const n = HOSTILE.length;
  const s: Column = { name: "s", type: "string", get: (r) => HOSTILE[r], text: (r) => HOSTILE[r] };
  const x = [1.5, 0.1 + 0.2, 1.075407, -3, 1e-7, 12345678901.123456, 0, 2, 3, 4, 5, 6];
  const ts: Column = { name: "ts", type: "time", get: (r) => x[r], text: (r) => x[r].toFixed(6) };
  const c: Column = { name: "c", type: "count", get: (r) => (r % 3 === 0 ? undefined : r), text: (r) => (r % 3 === 0 ? "-" : String(r)) };
  const lists: Value[] = [["a", "b,c"], [], undefined, ["tab\t"], ["x"], ["y"], ["z"], [], ["-"], [""], ["é"], ["q"]];
  const l: Column = { name: "l", type: "set[string]", get: (r) => lists[r], text: () => "unused" };
  const b: Column = { name: "b", type: "bool", get: (r) => (r % 2 === 0), text: (r) => (r % 2 === 0 ? "T" : "F") };
  return new ResultTable("hostile", [s, ts, c, l, b], n);
}

/** no terminal control characters besides the format's own separators */
function assertNoControls(text: string, allowed: RegExp, what: string): void {
  const bad = [...text].filter((ch) => /[\x00-\x1f\x7f-\x9f]/.test(ch) && !allowed.test(ch));
  assert.deepEqual(bad.map((ch) => ch.charCodeAt(0).toString(16)), [], `${what}: raw control characters`);
}

test("Zeek TSV: zeek-cut reads it; \\xHH unescaping gives the values back; unset, empty and the unset mark", () => {
  const t = hostileTable();
  const text = toTsv(t);
  assertNoControls(text, /[\t\n]/, "tsv");
  const lines = text.split("\n");
  assert.equal(lines[0], "#separator \\x09");
  assert.deepEqual(lines.slice(1, 5), ["#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\thostile"]);
  const log = zeekCut(text);
  assert.deepEqual(log.fields, ["s", "ts", "c", "l", "b"]);
  assert.deepEqual(log.types, ["string", "time", "count", "set[string]", "bool"]);
  assert.equal(log.rows.length, HOSTILE.length);
  assert.ok(log.rows.every((r) => r.length === 5), "no separator leaks out of a value");
  const s = cut(log, "s");
  // "" is (empty), "-" is escaped so that it does not read as unset; everything else unescapes to itself
  assert.equal(s[HOSTILE.indexOf("")], "(empty)");
  assert.equal(s[HOSTILE.indexOf("-")], "\\x2d");
  HOSTILE.forEach((h, i) => { if (h !== "") assert.equal(unescape(s[i]), h, JSON.stringify(h)); });
  assert.equal(s[HOSTILE.indexOf("back\\slash")], "back\\x5cslash");
  assert.equal(s[HOSTILE.indexOf("esc\x1b[31mred")], "esc\\x1b[31mred");
  assert.equal(s[HOSTILE.indexOf("csi\u009b2J")], "csi\\xc2\\x9b2J", "C1 controls as their UTF-8 bytes");
  assert.deepEqual(cut(log, "c").slice(0, 4), ["-", "1", "2", "-"]);
  assert.deepEqual(cut(log, "ts").slice(0, 3), ["1.500000", "0.300000", "1.075407"]);
  const l = cut(log, "l");
  assert.deepEqual(l.slice(0, 4), ["a,b\\x2cc", "(empty)", "-", "tab\\x09"], "a set's separator inside an element is escaped");
  assert.deepEqual(cut(log, "b").slice(0, 2), ["T", "F"]);
  assert.equal(toTsv(t.where(() => false)).split("\n").filter((x) => x !== "").length, 7, "an empty table: the header only");
});

test("CSV: RFC 4180, read back by Python's csv module", { skip: hasPy ? false : "no /usr/bin/python3" }, () => {
  const t = hostileTable();
  const text = toCsv(t);
  assertNoControls(text, /[\n\t]/, "csv");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-csv-"));
  const f = path.join(dir, "t.csv");
  fs.writeFileSync(f, text);
  const got = JSON.parse(execFileSync(PY, ["-c",
    "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8') as fh: print(json.dumps(list(csv.reader(fh))))", f], { encoding: "utf8" })) as string[][];
  assert.deepEqual(got[0], ["s", "ts", "c", "l", "b"]);
  const rows = got.slice(1);
  assert.equal(rows.length, HOSTILE.length);
  // values come back as written, but for the control characters: \xHH text (CR included; tab and LF stay)
  const expected = ["plain", "tab\there", "two\nlines", "cr\\x0dhere", 'say "hi", then', "back\\slash", "esc\\x1b[31mred", "csi\\xc2\\x9b2J",
    "-", "", "naïve ünïcödé ✓", "del\\x7f"];
  assert.deepEqual(rows.map((r) => r[0]), expected);
  assert.deepEqual(rows.map((r) => r[1]).slice(0, 3), ["1.500000", "0.300000", "1.075407"]);
  assert.deepEqual(rows.map((r) => r[2]).slice(0, 4), ["", "1", "2", ""], "unset is an empty cell");
  assert.deepEqual(rows.map((r) => r[3]).slice(0, 3), ["a,b,c", "", ""], "a list is its elements joined by commas");
  fs.rmSync(dir, { recursive: true });
});

test("JSON lines: JSON.parse gives the values back; numbers as the TSV prints them", () => {
  const t = hostileTable();
  const text = toJsonLines(t);
  assertNoControls(text, /\n/, "json");
  const lines = text.trim().split("\n");
  assert.equal(lines.length, HOSTILE.length);
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows.map((r) => r.s), HOSTILE, "strings exact, control characters included");
  assert.ok(lines[2].includes('"ts":1.075407,'), "the column's fixed precision, not the double's digits");
  assert.ok(lines[1].includes('"ts":0.300000,'), "0.1 + 0.2 prints as the TSV does");
  assert.equal(rows[0].c, undefined, "unset fields are left out");
  assert.ok(!("c" in rows[0]));
  assert.deepEqual(rows[0].l, ["a", "b,c"]);
  assert.deepEqual(rows[1].l, []);
  assert.equal(rows[0].b, true);
  assert.equal(toJsonLines(t.where(() => false)), "");
});

test("the flows of a capture: pandas reads the CSV, JSON numbers carry no float noise, TSV and JSON agree cell by cell", { skip: hasPy ? false : "no /usr/bin/python3" }, async () => {
  const cap = await open(path.join(DATA, "office.pcap"));
  const flows = cap.flows();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-csv-"));
  const f = path.join(dir, "flows.csv");
  fs.writeFileSync(f, toCsv(flows));
  const py = JSON.parse(execFileSync(PY, ["-c",
    "import pandas, json, sys\nd = pandas.read_csv(sys.argv[1])\n" +
    "print(json.dumps({'shape': list(d.shape), 'cols': list(d.columns), 'orig_bytes': float(d['orig_bytes'].sum()), 'dur': float(d['duration'].sum()), 'uids': list(d['uid'])}))", f],
  { encoding: "utf8" })) as { shape: number[]; cols: string[]; orig_bytes: number; dur: number; uids: string[] };
  fs.rmSync(dir, { recursive: true });
  assert.deepEqual(py.shape, [flows.count, flows.columns.length]);
  assert.deepEqual(py.cols, flows.columns);
  assert.deepEqual(py.uids, flows.values("uid"));
  const sum = (a: ArrayLike<number>) => Array.from(a).filter((x) => !Number.isNaN(x)).reduce((x, y) => x + y, 0);
  assert.equal(py.orig_bytes, sum(flows.array("orig_bytes") as Float64Array));
  // the CSV carries durations rounded to 6 decimals, as Zeek prints them
  assert.ok(Math.abs(py.dur - sum(flows.array("duration") as Float64Array)) < flows.count * 1e-6);
  const json = toJsonLines(flows);
  const long = json.match(/:-?\d+\.\d{7,}/g);
  assert.equal(long, null, `numbers with more decimals than the columns print: ${long?.slice(0, 3)}`);
  const parsed = json.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const tsv = zeekCut(toTsv(flows));
  for (const c of ["ts", "duration", "orig_bytes", "bidirectional_mean_ps"]) {
    cut(tsv, c).forEach((cell, r) => assert.equal(cell === "-" ? undefined : Number(cell), parsed[r][c], `${c} row ${r}`));
  }
  // application tables: lists as JSON arrays, as Zeek's JSON logs
  const dns = await cap.dns();
  const dj = toJsonLines(dns).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const r = dns.values("answers").findIndex((v) => Array.isArray(v) && v.length > 0);
  assert.ok(r >= 0);
  assert.deepEqual(dj[r].answers, dns.column("answers").get(r));
  assert.equal(zeekCut(toTsv(dns)).path, "dns");
});

test("Zeek's own conn.logs, imported and written again by the TSV writer, give Zeek's lines back", { skip: SHARED === undefined ? NO_SHARED : false }, () => {
  const dir = path.join(SHARED as string, "flows");
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith(".zeek-conn.log"));
  assert.ok(logs.length > 10);
  for (const f of logs) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    const data = (s: string) => s.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    const header = (s: string, k: string) => s.split("\n").find((l) => l.startsWith(`#${k}\t`));
    const ours = toTsv(importZeek(path.join(dir, f)));
    for (const k of ["fields", "types", "path", "set_separator", "empty_field", "unset_field"]) assert.equal(header(ours, k), header(text, k), `${f}: #${k}`);
    // the corpus masks times as btest does (XXXXXXXXXX.XXXXXX): not a time, so it imports as unset
    const theirs = data(text).map((l) => l.split("\t").map((c) => (/^X+\.X+$/.test(c) ? "-" : c)).join("\t"));
    assert.deepEqual(data(ours), theirs, f);
  }
});

test("the tshark-like text of the statistics shows control characters as \\xHH", () => {
  const t = new StatTable(["value", "frames", "bytes", "share"], [["evil\x1b]0;pwned\x07.example", 3, 300, 0.5], ["csi\u009b2J", 1, 60, 0.25]]);
  const text = tableText(t, "Top dns.qry.name");
  assertNoControls(text, /\n/, "stats text");
  assert.ok(text.includes("evil\\x1b]0;pwned\\x07.example") && text.includes("csi\\x9b2J"));
});
