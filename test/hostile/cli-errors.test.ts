/**
 * The user's or the machine's errors (issue 18, item 7) are one clear message and exit 2, never
 * "internal error" with a stack: a missing output folder, a full disk, a filter nested 5,000
 * deep (tshark-like: the message, the filter, a caret). A chain of 5,000 `and`s still works.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { CLI, DATA, hasTool } from "../helpers/paths";
import { MAX_NESTING } from "../../src/filter/parser";

const FILE = path.join(DATA, "office.pcap");

function cli(args: string[], stdout: "pipe" | number = "pipe"): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", stdout, "pipe"], maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr };
}

function oneLine(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, re);
}

test("a missing output folder: one line naming the path, exit 2", () => {
  oneLine(cli(["report", FILE, "-o", "/nonexistent-wirebook/x.html"]), /^wirebook: \/nonexistent-wirebook\/x\.html: no such file or directory\n$/);
});

test("a full disk (> /dev/full): one line, exit 2", { skip: fs.existsSync("/dev/full") ? false : "no /dev/full" }, () => {
  for (const cmd of [["flows", FILE], ["fields", FILE, "-e", "frame.number"]]) {
    const fd = fs.openSync("/dev/full", "w");
    try {
      oneLine(cli(cmd, fd), /^wirebook: cannot write the output: no space left on device\n$/);
    } finally {
      fs.closeSync(fd);
    }
  }
});

test("a filter nested 5,000 deep: the message, the filter and a caret under the first level too many, exit 2", () => {
  for (const [filter, at] of [["(".repeat(5000) + "tcp" + ")".repeat(5000), MAX_NESTING], ["!".repeat(5000) + "tcp", MAX_NESTING], ["len(".repeat(5000) + "tcp" + ")".repeat(5000) + " > 1", MAX_NESTING * 4 + 3]] as const) {
    const r = cli(["fields", FILE, "-e", "frame.number", "-Y", filter]);
    assert.equal(r.code, 2, r.stderr.slice(0, 300));
    assert.doesNotMatch(r.stderr, /internal error|Maximum call stack|\n\s+at /);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, r.stderr.slice(0, 300));
    assert.match(lines[0], new RegExp(`^wirebook: ".+" was unexpected in this context: the filter nests deeper than ${MAX_NESTING} levels\\.$`));
    assert.equal(lines[1], "    " + filter);
    assert.equal(lines[2].indexOf("^"), 4 + at);
  }
  // as deep as allowed still runs
  const ok = cli(["fields", FILE, "-e", "frame.number", "-Y", "(".repeat(MAX_NESTING) + "tcp" + ")".repeat(MAX_NESTING)]);
  assert.equal(ok.code, 0, ok.stderr);
});

test("a chain of 5,000 `and`s (a balanced tree, not 5,000 levels) selects what tshark selects", { skip: hasTool("tshark") ? false : "tshark is missing" }, () => {
  const filter = Array(5000).fill("tcp").join(" and ") + " or " + Array(5000).fill("udp.port == 53").join(" && ");
  const r = cli(["fields", FILE, "-e", "frame.number", "-Y", filter]);
  assert.equal(r.code, 0, r.stderr.slice(0, 300));
  const ours = r.stdout.trim().split("\n").slice(1);
  const theirs = execFileSync("tshark", ["-r", FILE, "-Y", filter, "-T", "fields", "-e", "frame.number"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 }).trim().split("\n");
  assert.ok(theirs.length > 100);
  assert.deepEqual(ours, theirs);
});

test("stats -z io,stat: too many intervals is one line and exit 2; a million intervals print", { timeout: 120_000 }, async () => {
  const os = await import("node:os");
  const { readCapture } = await import("../../src/io/reader");
  const { timedCapture } = await import("../../src/fuzz/times");
  const { Rng } = await import("../../src/gen/prng");
  const frames: Buffer[] = [];
  await readCapture(FILE, { record(b, off, caplen) { if (frames.length < 50) frames.push(Buffer.from(b.subarray(off, off + caplen))); } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-iostat-"));
  try {
    const maxNs = path.join(dir, "max-ns.pcapng");
    fs.writeFileSync(maxNs, timedCapture(frames, 1, "max-ns", new Rng(7)));
    oneLine(cli(["stats", maxNs, "-z", "io,stat,1"]), /^wirebook: -z io,stat,1: \d+ intervals of 1 s; at most 10000000 \(use a longer interval\)\n$/);
    // times that go backwards over ≈ 1e6 s, at 1 s: ≈ 1M rows (the table's widths overflowed the stack)
    const wide = path.join(dir, "backwards.pcapng");
    fs.writeFileSync(wide, timedCapture(frames, 1, "backwards", new Rng(7)));
    const r = cli(["stats", wide, "-z", "io,stat,1"]);
    assert.equal(r.code, 0, r.stderr.slice(0, 300));
    assert.ok(r.stdout.split("\n").length > 900_000, `${r.stdout.split("\n").length} lines`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
