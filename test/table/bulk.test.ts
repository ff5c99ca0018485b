/**
 * Bulk column reads (src/table/bulk.ts) give, row for row, what the per-row reader
 * (Capture.column) gives, on a whole capture and on a filtered view (rows in view order).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { open } from "../../src/table/load";
import "../../src/filter";
import { codes, epochTimes, isLoaded, malformedRows, numbers, pathIds, relativeTimes, tableRows } from "../../src/table/bulk";
import { DATA } from "../helpers/paths";

test("bulk reads agree with Capture.column on a capture and on a view", async () => {
  const cap = await open(path.join(DATA, "office-vlan-ipv6.pcap"));
  const view = cap.filter("udp or ipv6").select([5, 3, 1, 0, 2, 4, 40, 20]);
  for (const c of [cap, view]) {
    assert.equal(tableRows(c), cap.count);
    for (const f of ["tcp.srcport", "ip.src", "frame.len", "vlan.id", "udp.length"]) {
      const a = numbers(c, f), col = c.column(f);
      assert.equal(a.length, c.count);
      for (let i = 0; i < c.count; i++) {
        const v = col.get(i);
        if (v === undefined) assert.ok(Number.isNaN(a[i]), `${f} row ${i}`);
        else if (f === "ip.src") assert.equal(col.text(i), [a[i] >>> 24, (a[i] >>> 16) & 255, (a[i] >>> 8) & 255, a[i] & 255].join("."));
        else assert.equal(a[i], v, `${f} row ${i}`);
      }
    }
    for (const f of ["ipv6.src", "eth.dst", "dns.qry.name"]) {
      const { codes: k, values } = codes(c, f), col = c.column(f);
      for (let i = 0; i < c.count; i++) assert.equal(k[i] === 0 ? undefined : values[k[i]], col.get(i), `${f} row ${i}`);
    }
    const t = epochTimes(c), rel = relativeTimes(c), ep = c.column("frame.time_epoch"), rt = c.column("frame.time_relative");
    const { ids, paths } = pathIds(c), protos = c.column("frame.protocols"), bad = malformedRows(c);
    for (let i = 0; i < c.count; i++) {
      assert.ok(Math.abs(t[i] - (ep.get(i) as number)) < 1e-6, `time row ${i}`);
      assert.ok(Math.abs(rel[i] - (rt.get(i) as number)) < 1e-6, `relative time row ${i}`);
      assert.equal(paths[ids[i]], protos.get(i), `frame.protocols row ${i}`);
      assert.equal(bad[i], 0);
    }
  }
  assert.ok(isLoaded(cap, "tcp.flags.syn") && isLoaded(cap, "frame.number"));
  assert.throws(() => numbers(cap, "no.such.field"), /unknown field/);
  assert.throws(() => numbers(cap, "tcp.flags.syn"), /computed per row/);
  assert.throws(() => numbers(cap, "dns.qry.name"), /is text/);
  const few = await open(path.join(DATA, "office.pcap"), { columns: ["ip.src"] });
  assert.equal(isLoaded(few, "tcp.srcport"), false);
  assert.ok(numbers(few, "tcp.srcport").every((x) => Number.isNaN(x)));
});
