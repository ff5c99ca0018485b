/**
 * Conformance: `wirebook fields` prints what tshark prints, byte for byte, for the standard field
 * set, on every capture of ../shared/pcaps (against its NAME.tshark.tsv) and of data/ (against
 * tshark run now).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DATA, hasTool, NO_SHARED, SHARED } from "../helpers/paths";
import { ourFields } from "./compare";
import { EXCEPTIONS } from "./exceptions";
import { compareFields, describe, tsharkFields, type Comparison } from "./reference";

function captures(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function check(file: string, c: Comparison): void {
  const name = path.basename(file);
  const allowed = { ...EXCEPTIONS["*"], ...EXCEPTIONS[name] };
  const rows = allowed["#rows"] !== undefined ? Math.min(c.rowsOurs, c.rowsTheirs) : Infinity;
  const excused = (field: string) => allowed[field] !== undefined || allowed["*"] !== undefined;
  const real = c.mismatches.filter((m) => !excused(m.field) && m.frame <= rows);
  const shown: Comparison = { ...c, mismatches: real, byField: new Map([...c.byField].filter(([f]) => !excused(f))) };
  assert.ok(c.headerEqual, `${name}: header differs`);
  if (rows === Infinity) assert.equal(c.rowsOurs, c.rowsTheirs, `${name}: row count\n${describe(shown)}`);
  assert.equal(real.length, 0, `${name}:\n${describe(shown)}`);
}

const shared = SHARED ? captures(path.join(SHARED, "pcaps")) : [];
if (!SHARED) test("tshark conformance on ../shared/pcaps", { skip: NO_SHARED }, () => {});
for (const file of shared) {
  test(`conformance: ${path.basename(file)} matches its tshark reference`, () => {
    check(file, compareFields(ourFields(file), fs.readFileSync(`${file}.tshark.tsv`, "utf8")));
  });
}

const tshark = hasTool("tshark");
for (const file of captures(DATA)) {
  test(`conformance: data/${path.basename(file)} matches tshark`, { skip: !tshark && "tshark is not installed" }, () => {
    check(file, compareFields(ourFields(file), tsharkFields(file)));
  });
}

test("the corrupt suricata capture: record 1 kept, a warning names the bad record's offset", { skip: !SHARED && NO_SHARED }, async () => {
  const { open } = await import("../../src");
  const c = await open(path.join(SHARED as string, "pcaps", "suricata__bug-6875-01__fuzz.pcap"));
  assert.equal(c.count, 1);
  assert.equal(c.column("ip.src").text(0), "192.168.0.0");
  assert.equal(c.column("tcp.srcport").text(0), "256");
  assert.deepEqual(c.warnings, ["record 2 claims 1409179648 captured bytes (more than the 262144-byte maximum) at byte offset 228; kept the 1 packets before it"]);
});
