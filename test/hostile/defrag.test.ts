/**
 * Fragments past the defragmentation cap (issue 18, item 7): evicting the oldest incomplete
 * datagram took the Map's first entry, which V8 finds by stepping over every entry deleted before
 * it (≈ 50 µs an eviction; 1M fragments: 48 s). It is O(1) amortised now: a fragment past the
 * cap costs about what one below it costs.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { Defragmenter } from "../../src/stream/defrag";
import type { PacketArrays } from "../../src/stream/packets";

/** n non-first fragments of n different datagrams (none completes), or with `complete`, every 3rd datagram whole. */
function fragments(n: number): PacketArrays {
  return {
    ipv: new Uint8Array(n).fill(4), src: new Float64Array(n).fill(0x0a000001), dst: new Float64Array(n).fill(0x0a000002),
    fragId: Float64Array.from({ length: n }, (_, i) => i), proto: new Int16Array(n).fill(17), ipHdr: new Int32Array(n).fill(20),
    ipLen: new Int32Array(n).fill(28), fragOff: new Int32Array(n).fill(8), fragMore: new Uint8Array(n).fill(1),
  } as unknown as PacketArrays;
}

test("evictions past the cap are O(1) amortised, and counted exactly", { timeout: 300_000 }, () => {
  // the same work per fragment below the cap (nothing evicted) and above it (one eviction each):
  // the eviction must not cost more than a few fragments' work (it cost ≈ 50 µs, 10–20× a fragment)
  const cap = 65536, n = cap + 300_000;
  const d = new Defragmenter(fragments(n));
  const t0 = performance.now();
  for (let i = 0; i < cap; i++) d.add(i, i);
  const t1 = performance.now();
  for (let i = cap; i < n; i++) d.add(i, i);
  const t2 = performance.now();
  const below = (t1 - t0) / cap, above = (t2 - t1) / (n - cap);
  assert.equal(d.warnings()[0], `defragmentation: ${n - cap} incomplete datagrams (${n - cap} fragments) dropped at the memory cap (65536 fragments, 67108864 bytes)`);
  assert.ok(above < below * 5, `a fragment costs ${(below * 1000).toFixed(2)} µs below the cap, ${(above * 1000).toFixed(2)} µs above it`);
});

test("datagrams that completed are skipped by the eviction queue", () => {
  // fragment pairs (first, last) of 100,000 datagrams: datagram k's first fragment arrives, then
  // the first fragment of k+1 … every third datagram gets its last fragment right away (completes)
  const n = 100_000, P = fragments(2 * n);
  let rows = 0, done = 0;
  const d = new Defragmenter(P, { maxFragments: 1000 });
  for (let k = 0; k < n; k++) {
    const r = rows++;
    P.fragId[r] = k; P.fragOff[r] = 0; P.fragMore[r] = 1; P.ipLen[r] = 28;
    d.add(r, r);
    if (k % 3 === 0) {
      const s = rows++;
      P.fragId[s] = k; P.fragOff[s] = 8; P.fragMore[s] = 0; P.ipLen[s] = 28;
      if (d.add(s, s)) done++;
    }
  }
  const incomplete = n - Math.ceil(n / 3);
  assert.equal(done, Math.ceil(n / 3));
  const dropped = Number(/^defragmentation: (\d+) incomplete datagrams \((\d+) fragments\) dropped/.exec(d.warnings()[0])?.[1]);
  const held = Number(/^defragmentation: (\d+) datagrams incomplete at the end/.exec(d.warnings()[1])?.[1]);
  // every incomplete datagram is either dropped once or still held, and the cap held (the last
  // one completed after its first fragment had pushed an older one out)
  assert.equal(dropped + held, incomplete);
  assert.equal(held, 999);
});
