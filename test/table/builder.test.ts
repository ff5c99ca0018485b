import { test } from "node:test";
import assert from "node:assert/strict";
import { TableBuilder } from "../../src/table/builder";
import { decodeIPv4 } from "../../src/decode/ipv4";
import { hex } from "../helpers/decode";

test("connection ids are the same in both directions and differ between connections", () => {
  const t = new TableBuilder();
  // two IPv4 headers: 10.0.0.1 → 10.0.0.2 and back, protocol 253 (no decoder behind it)
  const ab = hex("45000014 0000 0000 40fd 0000 0a000001 0a000002");
  const ba = hex("45000014 0000 0000 40fd 0000 0a000002 0a000001");
  const key = (b: Buffer, sp: number, dp: number) => {
    t.begin();
    decodeIPv4(t, b, 0, b.length);
    const k = t.connection(b, sp, dp);
    const lower = t.connections.fromLower;
    t.end();
    return `${k}/${lower}`;
  };
  const id = (k: string) => k.split("/")[0], side = (k: string) => k.split("/")[1];
  assert.equal(id(key(ab, 40000, 443)), id(key(ba, 443, 40000)));
  assert.notEqual(side(key(ab, 40000, 443)), side(key(ba, 443, 40000)));
  assert.notEqual(id(key(ab, 40000, 443)), id(key(ab, 40001, 443)));
  assert.notEqual(id(key(ab, 443, 40000)), id(key(ab, 40000, 443)));
  // many connections: the table grows and still finds each one
  const ids = new Set<string>();
  for (let port = 1000; port < 4000; port++) ids.add(id(key(ab, port, 80)));
  assert.equal(ids.size, 3000);
  for (let port = 1000; port < 4000; port++) assert.ok(ids.has(id(key(ba, 80, port))));
  assert.equal(t.connections.count, 3003); // the three above and the 3000 of the loop
});
