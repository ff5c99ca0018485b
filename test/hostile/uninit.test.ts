/**
 * Uninitialised memory (issue 18, item 7): results must not depend on what a Buffer.allocUnsafe
 * holds beyond the bytes written. HTTP searched its whole header buffer, not only the bytes in
 * it, for a line feed; so a request whose start line is longer than 8 KiB (a long URI, split over
 * segments) was kept or dropped depending on stale memory (3 runs in 20). Run once here and once
 * in a child with --zero-fill-buffers (where the stale bytes are all 0): the same row each time.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { longUriExchange } from "./longuri";

const EXPECTED = { rows: 1, status: 200, hasUri: true };

test("a 12,000-byte request line is one HTTP row, whatever stale memory holds", () => {
  for (let i = 0; i < 5; i++) assert.deepEqual(longUriExchange(12_000), EXPECTED);
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(__dirname, "longuri.js"))}).longUriExchange(12000)))`;
  const r = spawnSync(process.execPath, ["--zero-fill-buffers", "-e", script], { encoding: "utf8", cwd: path.dirname(__filename) });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), EXPECTED, "under --zero-fill-buffers");
});
