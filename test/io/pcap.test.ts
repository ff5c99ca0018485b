import { test } from "node:test";
import assert from "node:assert/strict";
import { open } from "../../src";
import { frame, gzip, pcap, tmpFile } from "../helpers/bytes";

const recs = [
  { sec: 1700000000, frac: 123456, data: frame(1) },
  { sec: 1700000001, frac: 999999, data: frame(2, 100) },
  { sec: 1700000002, frac: 0, data: frame(3).subarray(0, 40), origLen: 60 },
];

async function texts(file: string, field: string): Promise<string[]> {
  const c = await open(file);
  const col = c.column(field);
  return Array.from({ length: c.count }, (_, r) => col.text(r));
}

for (const le of [true, false]) {
  test(`pcap ${le ? "little" : "big"}-endian microseconds: times, lengths, ports`, async () => {
    const f = tmpFile("a.pcap", pcap(recs, { le }));
    assert.deepEqual(await texts(f, "frame.time_epoch"), ["1700000000.123456000", "1700000001.999999000", "1700000002.000000000"]);
    assert.deepEqual(await texts(f, "frame.len"), ["60", "100", "60"]);
    assert.deepEqual(await texts(f, "frame.cap_len"), ["60", "100", "40"]);
    assert.deepEqual(await texts(f, "udp.srcport"), ["1", "2", "3"]);
    const c = await open(f);
    assert.equal(c.info.bigEndian, !le);
    assert.deepEqual(c.warnings, []);
  });
}

test("pcap nanosecond magic keeps all nine digits", async () => {
  const f = tmpFile("n.pcap", pcap([{ sec: 1700000000, frac: 123456789, data: frame(1) }], { nano: true, le: false }));
  assert.deepEqual(await texts(f, "frame.time_epoch"), ["1700000000.123456789"]);
  assert.equal((await open(f)).info.nanosecond, true);
});

test("gzip-compressed pcap is read the same", async () => {
  const f = tmpFile("a.pcap.gz", gzip(pcap(recs)));
  assert.deepEqual(await texts(f, "udp.srcport"), ["1", "2", "3"]);
  assert.equal((await open(f)).info.gzip, true);
});

test("format comes from magic bytes, not the file name", async () => {
  const f = tmpFile("really-a-pcap.pcapng", pcap(recs));
  assert.equal((await open(f)).count, 3);
});

test("limit stops after N packets; progress is reported", async () => {
  const f = tmpFile("a.pcap", pcap(recs));
  let calls = 0, last = 0;
  const c = await open(f, { limit: 2, onProgress: (p) => { calls++; last = p.packets; } });
  assert.equal(c.count, 2);
  assert.ok(calls >= 1);
  assert.equal(last, 2);
});

test("records larger than the read buffer and many records across buffer refills", async () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({ sec: 1700000000 + i, frac: i, data: frame(i, 60 + (i % 1400)) }));
  const f = tmpFile("many.pcap", pcap(many));
  const { readCapture } = await import("../../src/io/reader");
  let n = 0, lastPort = -1, ok = true;
  await readCapture(f, {
    record(b, off, caplen, _len, sec) {
      const port = b.readUInt16BE(off + 34);
      if (port !== (n & 0xffff) || sec !== 1700000000 + n || caplen !== 60 + (n % 1400)) ok = false;
      lastPort = port;
      n++;
    },
  }, { bufferSize: 1000 });
  assert.equal(n, 5000);
  assert.equal(lastPort, 4999);
  assert.ok(ok, "every record arrives intact, in order");
});

test("a capture's columns list only fields it has", async () => {
  const c = await open(tmpFile("a.pcap", pcap(recs)));
  assert.ok(c.columns.includes("udp.srcport"));
  assert.ok(!c.columns.includes("tcp.srcport"));
  assert.throws(() => c.column("no.such.field"), /unknown field/);
});
