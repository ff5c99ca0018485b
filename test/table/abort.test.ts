/**
 * open({ signal }): an abort before the read, or between two chunks of input (the way a kernel
 * interrupt or a timer arrives while the read awaits the next chunk), rejects with the signal's
 * reason, without reading the rest of the file; without an abort the same file reads whole.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { open } from "../../src/table/load";
import { frame, pcap, tmpFile, type Rec } from "../helpers/bytes";

test("open() with an AbortSignal: aborted before, and between chunks", async () => {
  const recs: Rec[] = [];
  for (let i = 0; i < 150_000; i++) recs.push({ sec: 1_700_000_000 + i, frac: 0, data: frame(i) });
  const file = tmpFile("abort.pcap", pcap(recs));

  const before = new AbortController();
  before.abort();
  await assert.rejects(open(file, { signal: before.signal }), { name: "AbortError" });

  let whole = 0;
  const cap = await open(file, { signal: new AbortController().signal, onProgress: () => { whole++; } });
  assert.equal(cap.count, recs.length);
  assert.ok(whole > 2, `the file is read in several chunks (${whole})`);

  const mid = new AbortController();
  let seen = 0, lastPackets = 0;
  await assert.rejects(
    open(file, { signal: mid.signal, onProgress: (p) => { seen++; lastPackets = p.packets; if (seen === 1) mid.abort(); } }),
    { name: "AbortError" },
  );
  assert.equal(seen, 1, "no chunk is read after the abort");
  assert.ok(lastPackets < recs.length);

  const reason = new AbortController();
  reason.abort(new Error("interrupted by the user"));
  await assert.rejects(open(file, { signal: reason.signal }), /interrupted by the user/);
});
