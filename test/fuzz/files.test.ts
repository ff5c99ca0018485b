/**
 * The readers (pcap, pcapng, gzip) and open() under the fuzzer: small capture files cut at every
 * offset, then mutated files (lying record and block lengths, interfaces, byte orders, gzip
 * re-compressed or corrupt). open() either loads (no "decoder error" warning) or rejects with a
 * CaptureError; never a hang or memory out of proportion. Some mutated files also go through
 * flows() and the application tables.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { runFuzz } from "../../src/fuzz/run";
import { DIRS, WORKERS, describe } from "./fuzz";

test("small capture files truncated at every offset", { timeout: 120_000 }, async (t) => {
  const r = await runFuzz({ dirs: DIRS, target: "file", mode: "truncate", maxFileBytes: 2000, workers: WORKERS });
  t.diagnostic(`${r.cases} cases (${r.fileSeeds} seed files) in ${(r.ms / 1000).toFixed(1)} s`);
  assert.ok(r.cases > 3000, `${r.cases} cases`);
  assert.deepEqual(r.failures.length, 0, describe(r.failures, "file", "truncate", r.seed));
});

test("mutated capture files", { timeout: 120_000 }, async (t) => {
  const seed = 1;
  const r = await runFuzz({ dirs: DIRS, target: "file", mode: "mutate", seed, count: 8000, workers: WORKERS });
  t.diagnostic(`${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.cases, 8000);
  assert.deepEqual(r.failures.length, 0, describe(r.failures, "file", "mutate", seed));
});

test("mutated capture files through flows and the application tables (reassembly, DNS/HTTP/TLS/DHCP/QUIC)", { timeout: 120_000 }, async (t) => {
  const seed = 2;
  const r = await runFuzz({ dirs: DIRS, target: "file", mode: "mutate", seed, count: 1500, workers: WORKERS, deep: true });
  t.diagnostic(`${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.cases, 1500);
  assert.deepEqual(r.failures.length, 0, describe(r.failures, "file", "mutate", seed));
});
