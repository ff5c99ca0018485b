/**
 * The CLI's conventions (docs/cli.md): every command's own --help (exit 0), --version, short usage
 * errors (exit 2), several inputs with a `capture` column, `-` for standard input, -Y on flows
 * and the application tables, tshark's -E and -T json|ek for `fields` (tshark is the oracle), exact
 * decimals in JSON, control characters escaped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLI, DATA, ROOT, hasTool } from "../helpers/paths";
import { zeekCut } from "../helpers/zeekcut";

const OFFICE = path.join(DATA, "office.pcap");
const ATTACKS = path.join(DATA, "attacks.pcap");
const TSHARK = hasTool("tshark") ? false : "tshark is not installed (the oracle)";

function wb(args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input, maxBuffer: 256 << 20 });
}

function tshark(args: string[]): string {
  const r = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const COMMANDS = ["fields", "summary", "flows", "dns", "http", "tls", "dhcp", "quic", "smtp", "report", "capture", "stats", "alerts", "files", "kernel", "convert", "sql"];

test("every command's --help and -h print its own usage and exit 0", () => {
  for (const cmd of COMMANDS) {
    for (const h of ["--help", "-h"]) {
      const r = wb([cmd, h]);
      assert.equal(r.status, 0, `${cmd} ${h}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: wirebook ${cmd} `), `${cmd} ${h} names the command`);
      assert.doesNotMatch(r.stdout, /^commands:/m, `${cmd} ${h} is not the global usage`);
      assert.match(r.stdout, /-h, --help/);
      assert.equal(r.stderr, "");
    }
  }
  // after other options too, as tshark
  assert.equal(wb(["fields", OFFICE, "-e", "ip.src", "--help"]).status, 0);
  const global = wb(["--help"]);
  assert.equal(global.status, 0);
  for (const cmd of COMMANDS) assert.match(global.stdout, new RegExp(`\\b${cmd}\\b`));
});

test("--version prints package.json's version", () => {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const r = wb(["--version"]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `wirebook ${version}\n`);
});

test("a usage error is at most 3 lines ending with see wirebook CMD --help, exit 2", () => {
  const cases: [string[], string, RegExp][] = [
    [["fields"], "fields", /no capture file/],
    [["fields", OFFICE], "fields", /at least one field/],
    [["flows", OFFICE, "--bogus"], "flows", /unknown option --bogus/],
    [["flows", OFFICE, "-T", "xml"], "flows", /-T|--format/],
    [["summary"], "summary", /no capture file/],
    [["dns", OFFICE, "-Y"], "dns", /-Y needs/],
    [["fields", OFFICE, "-e", "ip.src", "-E", "quote=x"], "fields", /quote/],
    [["stats", OFFICE, "--nope"], "stats", /unknown option/],
  ];
  for (const [args, cmd, why] of cases) {
    const r = wb(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split("\n");
    assert.ok(lines.length <= 3, `${args.join(" ")}: ${lines.length} lines`);
    assert.equal(lines[lines.length - 1], `see wirebook ${cmd} --help`);
    assert.match(lines[0], why);
    assert.equal(r.stdout, "");
  }
  const none = wb([]);
  assert.equal(none.status, 2);
  assert.ok(none.stderr.trimEnd().split("\n").length <= 3);
  const unknown = wb(["frobnicate"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"\nsee wirebook --help\n$/);
});

test("summary A B: each file with its packet count (tshark's count)", { skip: TSHARK }, () => {
  const r = wb(["summary", OFFICE, ATTACKS]);
  assert.equal(r.status, 0, r.stderr);
  const names = [...r.stdout.matchAll(/^File name:\s+(.*)$/gm)].map((m) => m[1]);
  const counts = [...r.stdout.matchAll(/^Packets:\s+(\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(names, [OFFICE, ATTACKS]);
  const oracle = [OFFICE, ATTACKS].map((f) => tshark(["-r", f, "-T", "fields", "-e", "frame.number"]).split("\n").filter(Boolean).length);
  assert.deepEqual(counts, oracle);
  const json = JSON.parse(wb(["summary", OFFICE, ATTACKS, "--json"]).stdout) as { file: string; packets: number }[];
  assert.deepEqual(json.map((s) => [s.file, s.packets]), [[OFFICE, oracle[0]], [ATTACKS, oracle[1]]]);
});

test("flows and app tables of several files: a capture column, the rows of each file's own run", () => {
  for (const cmd of ["flows", "dns", "http"]) {
    const a = zeekCut(wb([cmd, OFFICE]).stdout), b = zeekCut(wb([cmd, ATTACKS]).stdout);
    const both = wb([cmd, OFFICE, ATTACKS]);
    assert.equal(both.status, 0, both.stderr);
    const ab = zeekCut(both.stdout);
    assert.deepEqual(ab.fields, ["capture", ...a.fields]);
    assert.deepEqual(ab.rows, [...a.rows.map((r) => [OFFICE, ...r]), ...b.rows.map((r) => [ATTACKS, ...r])], cmd);
    assert.ok(a.rows.length > 0 && b.rows.length > 0, `${cmd} has rows in both files`);
    // CSV and JSON carry the column too
    const csv = wb([cmd, OFFICE, ATTACKS, "-T", "csv"]).stdout.split("\n");
    assert.match(csv[0], /^capture,/);
    const first = JSON.parse(wb([cmd, OFFICE, ATTACKS, "-T", "json"]).stdout.split("\n")[0]) as Record<string, unknown>;
    assert.equal(first.capture, OFFICE);
  }
});

test("- reads standard input, the same as the file", () => {
  const bytes = fs.readFileSync(OFFICE);
  for (const args of [["fields", "-e", "frame.number", "-e", "ip.src"], ["flows"], ["dns"]]) {
    const file = wb([...args, OFFICE]);
    const stdin = wb([...args, "-"], bytes);
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.equal(stdin.stdout, file.stdout, args[0]);
  }
  const r = wb(["fields", "-r", "-", "-e", "frame.number"], bytes);
  assert.equal(r.stdout, wb(["fields", OFFICE, "-e", "frame.number"]).stdout);
  const s = wb(["summary", "-"], bytes);
  assert.match(s.stdout, /^File name:\s+-$/m);
});

test("-Y on flows and app tables: the flows of the packets tshark's filter keeps", { skip: TSHARK }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-cli-y-"));
  try {
    for (const [cmd, filter] of [["flows", "udp.port == 53"], ["dns", "ip.src == 192.168.1.15"], ["flows", "tcp"], ["http", "ip.addr == 192.168.1.15"]]) {
      const kept = path.join(dir, "kept.pcap");
      tshark(["-r", OFFICE, "-Y", filter, "-w", kept, "-F", "pcap"]);
      const y = wb([cmd, OFFICE, "-Y", filter]);
      assert.equal(y.status, 0, y.stderr);
      const oracle = wb([cmd, kept]);
      assert.deepEqual(zeekCut(y.stdout).rows, zeekCut(oracle.stdout).rows, `${cmd} -Y ${filter}`);
      assert.ok(zeekCut(y.stdout).rows.length > 0);
      assert.ok(zeekCut(y.stdout).rows.length < zeekCut(wb([cmd, OFFICE]).stdout).rows.length, "the filter drops some");
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("fields -E header/separator/quote/aggregator: tshark's bytes", { skip: TSHARK }, () => {
  const e = ["-e", "frame.number", "-e", "dns.qry.name", "-e", "ip.src", "-e", "frame.time_relative"];
  for (const opts of [["header=y", "separator=,", "quote=d"], ["header=n", "separator=/s", "quote=s"], ["header=y", "separator=/t", "quote=n", "occurrence=f"], ["header=n", "separator=|", "aggregator=/s", "occurrence=f"]]) {
    const E = opts.flatMap((o) => ["-E", o]);
    const ours = wb(["fields", OFFICE, ...e, ...E]);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout, tshark(["-r", OFFICE, "-T", "fields", ...e, ...E]), opts.join(","));
  }
  // the header stays on by default; -E header=n drops it
  assert.match(wb(["fields", OFFICE, "-e", "ip.src"]).stdout, /^ip\.src\n/);
  assert.doesNotMatch(wb(["fields", OFFICE, "-e", "ip.src", "-E", "header=n"]).stdout, /^ip\.src/);
});

/** tshark's -T json with each field's first occurrence (Wirebook keeps one a packet). */
function firstOccurrences(doc: { _source: { layers: Record<string, string[]> } }[]): unknown {
  for (const p of doc) for (const k of Object.keys(p._source.layers)) p._source.layers[k] = p._source.layers[k].slice(0, 1);
  return doc;
}

test("fields -T json is tshark's layout and values; -T ek is tshark's lines", { skip: TSHARK }, () => {
  const e = ["-e", "frame.number", "-e", "ip.src", "-e", "dns.a", "-e", "frame.time_relative", "-e", "tcp.srcport"];
  const ours = wb(["fields", OFFICE, "-T", "json", ...e]);
  assert.equal(ours.status, 0, ours.stderr);
  const theirs = tshark(["-r", OFFICE, "-T", "json", ...e]);
  assert.deepEqual(JSON.parse(ours.stdout), firstOccurrences(JSON.parse(theirs)));
  // the same text layout (2-space indents) where no field repeats in a packet
  const e2 = ["-e", "frame.number", "-e", "ip.src", "-e", "frame.time_relative"];
  assert.equal(wb(["fields", OFFICE, "-T", "json", ...e2, "-c", "50"]).stdout, tshark(["-r", OFFICE, "-c", "50", "-T", "json", ...e2]));
  assert.equal(wb(["fields", OFFICE, "-T", "ek", ...e2]).stdout, tshark(["-r", OFFICE, "-T", "ek", ...e2]));
  // -Y with -T json: the filtered packets
  assert.deepEqual(JSON.parse(wb(["fields", OFFICE, "-T", "json", "-Y", "dns", ...e2]).stdout), JSON.parse(tshark(["-r", OFFICE, "-Y", "dns", "-T", "json", ...e2])));
});

test("JSON decimals are the TSV's text (flows and app tables)", () => {
  for (const cmd of ["flows", "dns"]) {
    const tsv = zeekCut(wb([cmd, OFFICE]).stdout);
    const lines = wb([cmd, OFFICE, "-T", "json"]).stdout.trimEnd().split("\n");
    assert.equal(lines.length, tsv.rows.length);
    for (const col of ["ts", "duration", "rtt"]) {
      const i = tsv.fields.indexOf(col);
      if (i < 0) continue;
      lines.forEach((line, r) => {
        const m = new RegExp(`"${col}":(-?[0-9.eE+-]+)`).exec(line);
        assert.equal(m?.[1] ?? "-", tsv.rows[r][i], `${cmd} ${col} row ${r}`);
      });
    }
  }
});

test("control characters in what is printed are escaped (a file name with ESC)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-cli-esc-"));
  try {
    const evil = path.join(dir, "a\x1b[2Jb\x07.pcap");
    fs.copyFileSync(OFFICE, evil);
    for (const args of [["summary", evil], ["flows", evil, OFFICE], ["fields", evil, "-e", "nosuch\x1b]0;x"]]) {
      const r = wb(args);
      assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, args[0]);
    }
    assert.match(wb(["summary", evil]).stdout, /a\\x1b\[2Jb\\x07\.pcap/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
