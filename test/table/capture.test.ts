import { test } from "node:test";
import assert from "node:assert/strict";
import { open } from "../../src";
import { frame, pcap, tmpFile } from "../helpers/bytes";
import { DictColumn, NumColumn, CHUNK_ROWS } from "../../src/table/column";

test("views: select and head keep frame numbers, times and summaries of their own rows", async () => {
  const f = tmpFile("v.pcap", pcap([1, 2, 3, 4, 5].map((n) => ({ sec: 1700000000 + n, frac: 0, data: frame(n, 60 + n) }))));
  const c = await open(f);
  const v = c.select([4, 1, 3]);
  assert.equal(v.count, 3);
  assert.ok(v.isView);
  assert.deepEqual([0, 1, 2].map((i) => v.column("frame.number").text(i)), ["5", "2", "4"]);
  assert.deepEqual([0, 1, 2].map((i) => v.column("udp.srcport").get(i)), [5, 2, 4]);
  const s = v.summary();
  assert.equal(s.packets, 3);
  assert.equal(s.bytes, 65 + 62 + 64);
  assert.equal(s.first, 1700000002);
  assert.equal(s.last, 1700000005);
  assert.deepEqual(s.protocols.find((p) => p.protocol === "udp"), { protocol: "udp", packets: 3 });
  const vv = v.select([2]);
  assert.equal(vv.column("frame.number").text(0), "4");
  assert.equal(c.head(2).count, 2);
  assert.throws(() => v.select([3]), /outside/);
});

test("numeric columns: absent is not zero, first write wins, sparse and dense chunks read back", () => {
  const c = new NumColumn("u32");
  const rows = 3 * CHUNK_ROWS + 17;
  for (let r = 0; r < rows; r++) {
    if (r < CHUNK_ROWS ? r % 100 === 0 : r % 3 !== 0) {
      c.set(r, r === 0 ? 0 : r * 7);
      c.set(r, 1); // ignored: first occurrence wins
    }
  }
  assert.equal(c.get(0), 0);
  assert.equal(c.get(1), undefined);
  assert.equal(c.get(500), 3500);
  assert.equal(c.get(CHUNK_ROWS + 1), (CHUNK_ROWS + 1) * 7);
  assert.equal(c.get(CHUNK_ROWS + 2), undefined); // 65538 is a multiple of 3
  assert.equal(c.get(rows + 5), undefined);
  let n = 0, sum = 0;
  c.forEach((r, v) => { n++; sum += v === r * 7 || r === 0 ? 1 : 0; });
  assert.equal(n, c.present);
  assert.equal(sum, n);
  assert.ok(c.any());
  assert.ok(!new NumColumn("u8").any());
  // the bulk copy agrees with get() on every row, sparse and dense chunks alike
  const out = new Float64Array(rows + 3).fill(NaN);
  c.copyTo(out);
  for (let r = 0; r < out.length; r++) {
    const v = c.get(r);
    if (v === undefined ? !Number.isNaN(out[r]) : out[r] !== v) assert.fail(`copyTo row ${r}: ${out[r]} vs ${v}`);
  }
  // values that outgrow 8 and 16 bits widen the column without losing earlier ones
  const w = new NumColumn("u32");
  w.set(0, 200); w.set(1, 60000); w.set(2, 4000000000);
  assert.deepEqual([w.get(0), w.get(1), w.get(2)], [200, 60000, 4000000000]);
  assert.equal(w.storedKind, "u32");
});

test("dictionary columns: strings and byte keys share one code per distinct value", () => {
  const d = new DictColumn();
  const mac = Buffer.from("00112233445566778899aabb", "hex");
  const text = (b: Uint8Array, o: number) => Buffer.from(b.subarray(o, o + 6)).toString("hex");
  for (let r = 0; r < 1000; r++) d.setBytes(r, mac, r % 3 === 0 ? 0 : 6, 6, text);
  d.setString(1000, "x");
  assert.equal(d.cardinality, 3);
  assert.equal(d.get(0), "001122334455");
  assert.equal(d.get(1), "66778899aabb");
  assert.equal(d.get(1000), "x");
  // many distinct keys: the hash table grows and still finds each one
  const many = new DictColumn();
  const b = Buffer.alloc(16);
  for (let r = 0; r < 5000; r++) { b.writeUInt32BE(r * 2654435761 >>> 0, 12); many.setBytes(r, b, 0, 16, (x, o) => Buffer.from(x.subarray(o, o + 16)).toString("hex")); }
  for (let r = 0; r < 5000; r++) { b.writeUInt32BE(r * 2654435761 >>> 0, 12); many.setBytes(5000 + r, b, 0, 16, () => "new!"); }
  assert.equal(many.cardinality, 5000);
  assert.equal(many.get(5000 + 4321), many.get(4321));
});
