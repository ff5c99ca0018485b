/**
 * The decoders under the fuzzer (bounded, deterministic): every seed packet (a few per protocol
 * stack of every capture in data/ and ../shared/pcaps, plus the hostile frames) cut at every
 * offset, then mutated cases of a fixed seed. Zero throws, hangs, reads past the end, memory
 * out of proportion. A long run by hand: `npm run fuzz -- --minutes 10`.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { runFuzz } from "../../src/fuzz/run";
import { DIRS, WORKERS, describe } from "./fuzz";

test("every seed packet truncated at every offset", { timeout: 120_000 }, async (t) => {
  const r = await runFuzz({ dirs: DIRS, target: "packet", mode: "truncate", perStack: 2, workers: WORKERS });
  t.diagnostic(`${r.cases} cases (${r.packetSeeds} seed packets) in ${(r.ms / 1000).toFixed(1)} s`);
  assert.ok(r.cases > 5000, `${r.cases} cases`);
  assert.deepEqual(r.failures.length, 0, describe(r.failures, "packet", "truncate", r.seed));
});

test("mutated packets: bit flips, lying lengths, interesting values, splices", { timeout: 120_000 }, async (t) => {
  const seed = 1;
  const r = await runFuzz({ dirs: DIRS, target: "packet", mode: "mutate", seed, count: 300_000, workers: WORKERS });
  t.diagnostic(`${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.cases, 300_000);
  assert.deepEqual(r.failures.length, 0, describe(r.failures, "packet", "mutate", seed));
});
