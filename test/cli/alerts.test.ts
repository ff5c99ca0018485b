import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cut, zeekCut } from "../helpers/zeekcut";
import { CLI, DATA } from "../helpers/paths";

const ATTACKS = path.join(DATA, "attacks.pcap");

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, "alerts", ...args], { encoding: "utf8" });
}

test("wirebook alerts runs the detectors, and adds signature alerts with --rules", () => {
  const det = run([ATTACKS]);
  assert.equal(det.status, 0, det.stderr);
  const log = zeekCut(det.stdout);
  const kinds = new Set(cut(log, "detector"));
  for (const k of ["port_scan", "syn_flood", "dns_tunnel", "arp_spoof", "beacon", "brute_force", "cleartext_credentials"]) {
    assert.ok(kinds.has(k), `${k} in ${[...kinds].join(",")}`);
  }
  const rules = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-rules-")), "t.rules");
  fs.writeFileSync(rules, 'alert tcp any any -> any 21 (msg:"FTP USER"; content:"USER "; nocase; sid:9000001; rev:1;)\n');
  const both = run([ATTACKS, "--rules", rules]);
  assert.equal(both.status, 0, both.stderr);
  const bothLog = zeekCut(both.stdout);
  const detector = bothLog.fields.indexOf("detector"), sid = bothLog.fields.indexOf("sid");
  const ruleRows = bothLog.rows.filter((r) => r[detector] === "rules");
  assert.ok(ruleRows.length > 0, "the FTP USER rule fires on the FTP logins");
  assert.ok(ruleRows.every((r) => r[sid] === "9000001"));
  assert.equal(bothLog.rows.length - ruleRows.length, log.rows.length, "the detectors' rows are all still there");
  const only = run([ATTACKS, "--rules", rules, "--no-detectors"]);
  assert.equal(only.status, 0, only.stderr);
  assert.deepEqual(zeekCut(only.stdout).rows, ruleRows, "the same rule rows, the same columns");
  const none = run([ATTACKS, "--no-detectors"]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /nothing to run/);
});

test("wirebook alerts is silent on office traffic", () => {
  const r = run([path.join(DATA, "office.pcap"), "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "");
});
