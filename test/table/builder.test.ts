import { test } from "node:test";
import assert from "node:assert/strict";
import { TableBuilder } from "../../src/table/builder";
import { decodeIPv4 } from "../../src/decode/ipv4";
import { hex } from "../helpers/decode";

test("connectionKey is the same in both directions and differs between connections", () => {
  const t = new TableBuilder();
  // two IPv4 headers: 10.0.0.1 → 10.0.0.2 and back, protocol 253 (no decoder behind it)
  const ab = hex("45000014 0000 0000 40fd 0000 0a000001 0a000002");
  const ba = hex("45000014 0000 0000 40fd 0000 0a000002 0a000001");
  const key = (b: Buffer, sp: number, dp: number) => {
    t.begin();
    decodeIPv4(t, b, 0, b.length);
    const k = t.connectionKey(b, sp, dp);
    t.end();
    return k;
  };
  assert.equal(key(ab, 40000, 443), key(ba, 443, 40000));
  assert.notEqual(key(ab, 40000, 443), key(ab, 40001, 443));
  assert.notEqual(key(ab, 443, 40000), key(ab, 40000, 443));
});
