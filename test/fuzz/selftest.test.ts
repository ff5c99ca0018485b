/**
 * The harness catches what it claims to: planted decoders (src/fuzz/selftest.ts) that throw, hang,
 * read past the end of the packet and allocate from a length field are each reported, with the
 * case number, and the run goes on after each.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { loadCorpus } from "../../src/fuzz/corpus";
import { runFuzz } from "../../src/fuzz/run";
import { plantBugs, SELF_TEST_LINK_TYPES } from "../../src/fuzz/selftest";
import { TruncateIndex } from "../../src/fuzz/cases";
import { DIRS } from "./fuzz";

test("planted throw, hang, read past the end and allocation are each caught", { timeout: 60_000 }, async () => {
  const corpus = await loadCorpus(DIRS);
  plantBugs(corpus);
  const total = new TruncateIndex(corpus, "packet").total;
  // the planted seeds come last: 4 seeds of 8 bytes, 9 truncations each
  const r = await runFuzz({ dirs: DIRS, target: "packet", mode: "truncate", selfTest: true, from: total - 36, count: 36, workers: 1, caseTimeoutMs: 500 });
  assert.equal(r.cases, 36);
  const kinds = new Map<number, Set<string>>();
  for (const f of r.failures) {
    const lt = f.linkType;
    if (!kinds.has(lt)) kinds.set(lt, new Set());
    kinds.get(lt)!.add(f.kind);
  }
  const L = SELF_TEST_LINK_TYPES;
  assert.deepEqual([...(kinds.get(L.throws) ?? [])], ["throw"]);
  assert.deepEqual([...(kinds.get(L.hangs) ?? [])], ["hang"]);
  assert.deepEqual([...(kinds.get(L.readsPastEnd) ?? [])], ["read past end"]);
  assert.ok(kinds.get(L.allocates)?.has("memory") || kinds.get(L.allocates)?.has("worker out of memory"), `allocation: ${[...(kinds.get(L.allocates) ?? [])]}`);
  // a planted bug trips on ≥ 4 bytes starting 0x42 (5 of the 9 truncations), the hang on all 8
  assert.equal(r.failures.filter((f) => f.linkType === L.throws).length, 5);
  assert.equal(r.failures.filter((f) => f.linkType === L.hangs).length, 1);
});
