import { test } from "node:test";
import assert from "node:assert/strict";
import { open } from "../../src";
import { frame, gzip, Ng, tmpFile } from "../helpers/bytes";

function texts(c: Awaited<ReturnType<typeof open>>, field: string): string[] {
  const col = c.column(field);
  return Array.from({ length: c.count }, (_, r) => col.text(r));
}

test("pcapng: interfaces with their own link type and if_tsresol, comments, unknown blocks", async () => {
  const ng = new Ng()
    .shb("made by a test")
    .idb(1, { tsresol: 6, name: "eth0" })
    .idb(1, { tsresol: 9 })
    .block(0x0bad, Buffer.alloc(8)) // unknown block type: skipped
    .epb(0, 1700000000123456n, frame(1), { comment: "first" })
    .epb(1, 1700000000123456789n, frame(2))
    .block(4, Buffer.alloc(4)) // name resolution block: skipped
    .epb(0, 1700000001000001n, frame(3));
  const c = await open(tmpFile("a.pcapng", ng.bytes()));
  assert.equal(c.count, 3);
  assert.deepEqual(texts(c, "frame.time_epoch"), ["1700000000.123456000", "1700000000.123456789", "1700000001.000001000"]);
  assert.deepEqual(texts(c, "frame.interface_id"), ["0", "1", "0"]);
  assert.deepEqual(texts(c, "frame.comment"), ["first", "", ""]);
  assert.deepEqual(texts(c, "udp.srcport"), ["1", "2", "3"]);
  assert.deepEqual(c.info.comments, ["made by a test"]);
  assert.equal(c.info.interfaces[0].name, "eth0");
  assert.equal(c.info.nanosecond, true);
});

test("pcapng big-endian, if_tsoffset, power-of-two resolution, simple and obsolete packet blocks", async () => {
  const ng = new Ng(false)
    .shb()
    .idb(1, { tsresol: 0x80 | 10, tsoffset: 100n, snaplen: 1000 }) // 1/1024 s units
    .epb(0, 1024n * 1700000000n + 512n, frame(1))
    .spb(frame(2))
    .opb(0, 1024n * 1700000002n, frame(3));
  const c = await open(tmpFile("b.pcapng", ng.bytes()));
  assert.equal(c.info.bigEndian, true);
  assert.deepEqual(texts(c, "frame.time_epoch"), ["1700000100.500000000", "", "1700000102.000000000"]);
  assert.deepEqual(texts(c, "udp.srcport"), ["1", "2", "3"]);
});

test("pcapng: several sections, each with its own interfaces", async () => {
  const ng = new Ng().shb().idb(1).epb(0, 1n, frame(1)).shb().idb(228).idb(1).epb(1, 2n, frame(2));
  const c = await open(tmpFile("c.pcapng", ng.bytes()));
  assert.equal(c.info.sections, 2);
  assert.equal(c.info.interfaces.length, 3);
  assert.deepEqual(texts(c, "frame.interface_id"), ["0", "2"]);
  assert.deepEqual(texts(c, "udp.srcport"), ["1", "2"]);
});

test("pcapng inside gzip", async () => {
  const ng = new Ng().shb().idb(1).epb(0, 5n, frame(7));
  const c = await open(tmpFile("d.pcapng.gz", gzip(ng.bytes())));
  assert.deepEqual(texts(c, "udp.srcport"), ["7"]);
});
