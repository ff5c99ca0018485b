/**
 * User-defined protocols against tshark running the equivalent Lua dissector (test/custom/lua.ts,
 * written from the same spec) on captures built here: every field type, both byte orders, bits of
 * a field, value names, lengths from a field, sizes, to the end, short packets, minLength, every
 * `over` table and a heuristic, and `next` to a user-defined and a built-in protocol. The
 * `-T fields` text and the display-filter results must agree cell for cell.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as wb from "../../src";
import { defineProtocol, type FieldSpec, type ProtocolSpec } from "../../src/custom";
import { Frame, ip4, ip6, mac, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_PSH } from "../../src/gen/packet";
import { Rng } from "../../src/gen/prng";
import { PcapWriter } from "../../src/io/writer";
import { compareFields, describe as describeDiff, tsharkFields } from "../conformance/reference";
import { tsharkBatch } from "../filter/oracle";
import { tmpFile } from "../helpers/bytes";
import { luaDissectors } from "./lua";

const ALL: ProtocolSpec = {
  name: "wbt", title: "Wirebook test protocol", over: { "udp.port": 9999, "tcp.port": 9999 }, minLength: 3,
  fields: [
    { name: "wbt.type", type: "uint8", base: "hex", values: { 1: "hello", 2: "bye" } },
    { name: "wbt.type.urgent", type: "boolean", of: "wbt.type", mask: 0x80 },
    { name: "wbt.type.class", type: "uint8", of: "wbt.type", mask: 0x70 },
    { name: "wbt.flags", type: "uint16", base: "hex" },
    { name: "wbt.flags.ack", type: "boolean", of: "wbt.flags", mask: 0x0100 },
    { name: "wbt.flags.code", type: "uint16", of: "wbt.flags", mask: 0x0ff0, base: "hex" },
    { name: "wbt.u24", type: "uint24", base: "hex" },
    { name: "wbt.u32", type: "uint32" },
    { name: "wbt.u64", type: "uint64" },
    { name: "wbt.u64x", type: "uint64", base: "hex" },
    { name: "wbt.i8", type: "int8" },
    { name: "wbt.i16", type: "int16" },
    { name: "wbt.i24", type: "int24" },
    { name: "wbt.i32", type: "int32" },
    { name: "wbt.i64", type: "int64" },
    { name: "wbt.addr", type: "ipv4" },
    { name: "wbt.addr6", type: "ipv6" },
    { name: "wbt.hw", type: "ether" },
    { name: "wbt.f", type: "float" },
    { name: "wbt.d", type: "double" },
    { name: "wbt.len", type: "uint8" },
    { name: "wbt.name", type: "string", length: "wbt.len" },
    { name: "wbt.tag", type: "string", size: 4 },
    { name: "wbt.key", type: "bytes", size: 4 },
    { name: "wbt.blen", type: "uint16", endian: "little" },
    { name: "wbt.blob", type: "bytes", length: "wbt.blen" },
    { name: "wbt.rest", type: "string" },
  ],
};

const LITTLE: ProtocolSpec = {
  name: "wble", over: { "udp.port": 9998 }, endian: "little",
  fields: [
    { name: "wble.u16", type: "uint16" },
    { name: "wble.u24", type: "uint24" },
    { name: "wble.u32", type: "uint32", base: "hex" },
    { name: "wble.bit", type: "boolean", of: "wble.u32", mask: 0x80000000 },
    { name: "wble.u64", type: "uint64" },
    { name: "wble.i16", type: "int16" },
    { name: "wble.i32", type: "int32" },
    { name: "wble.i64", type: "int64" },
    { name: "wble.addr", type: "ipv4" },
    { name: "wble.f", type: "float" },
    { name: "wble.d", type: "double" },
    { name: "wble.be", type: "uint32", endian: "big" },
    { name: "wble.raw", type: "bytes" },
  ],
};

const ETH: ProtocolSpec = {
  name: "wbeth", over: { "eth.type": 0x88b5 }, minLength: 4,
  fields: [{ name: "wbeth.seq", type: "uint32" }, { name: "wbeth.text", type: "string" }],
};

const CHILD: ProtocolSpec = {
  name: "wbchild", over: {},
  fields: [{ name: "wbchild.x", type: "uint16" }, { name: "wbchild.y", type: "int32" }],
};

const IPP: ProtocolSpec = {
  name: "wbip", over: { "ip.proto": 253 },
  fields: [{ name: "wbip.kind", type: "uint8", values: { 1: "child", 2: "dns" } }, { name: "wbip.id", type: "uint16" }],
  next: { field: "wbip.kind", protocols: { 1: "wbchild", 2: "dns" } },
};

const HEUR: ProtocolSpec = {
  name: "wbheur", over: { heuristic: (b) => b[0] === 0x48 && b[1] === 0x58 }, minLength: 2,
  fields: [{ name: "wbheur.magic", type: "string", size: 2 }, { name: "wbheur.n", type: "uint16" }],
};

const SPECS = [ALL, LITTLE, ETH, CHILD, IPP, HEUR];
const HEURISTICS = { wbheur: "buf(0,1):uint() == 0x48 and buf(1,1):uint() == 0x58" };
for (const s of SPECS) defineProtocol(s);

const FLOATS = [0, -0, 1, -1.5, 0.1, 3.14159265, 1e20, -1e-20, 123456789, 1e-7, 1 / 3, Infinity, -Infinity, NaN, 5e-324, 1.7976931348623157e308, 65504, 1e15, 1e16, 0.0001, 0.00001];
const TEXT = [..."abcxyzABC019 -_./", "\t", "\n", "\r", "\x01", "\x7f", "\x80", "\xe9", "\xff", "\x00"];

/** the bytes of one field; `lens` holds the lengths chosen for the fields that give them */
function fieldBytes(f: FieldSpec, spec: ProtocolSpec, rng: Rng, lens: Map<string, number>, lenOf: Map<string, string>): Buffer {
  const little = (f.endian ?? spec.endian) === "little";
  const b = (n: number) => { const x = Buffer.alloc(n); for (let i = 0; i < n; i++) x[i] = rng.int(256); return x; };
  const text = (n: number) => Buffer.from(Array.from({ length: n }, () => rng.chance(0.15) ? rng.pick(TEXT) : rng.pick(TEXT.slice(0, 17))).join(""), "latin1");
  const user = lenOf.get(f.name); // a later field takes its length from this one
  switch (f.type) {
    case "uint8": case "uint16": case "uint24": case "uint32": case "int8": case "int16": case "int24": case "int32": {
      const n = { uint8: 1, uint16: 2, uint24: 3, uint32: 4, int8: 1, int16: 2, int24: 3, int32: 4 }[f.type];
      if (user !== undefined) {
        const l = rng.chance(0.1) ? rng.int(2 ** (8 * n)) : rng.int(12);
        lens.set(f.name, l);
        const x = Buffer.alloc(n);
        if (little) x.writeUIntLE(l, 0, n); else x.writeUIntBE(l, 0, n);
        return x;
      }
      if (f.name === "wbt.type" || f.name === "wbip.kind") return Buffer.from([rng.chance(0.5) ? rng.pick([1, 2, 0x81, 0x82]) : rng.int(256)]);
      return rng.chance(0.1) ? Buffer.from(rng.pick([[0, 0, 0, 0], [255, 255, 255, 255], [0x80, 0, 0, 0], [0x7f, 255, 255, 255]])).subarray(0, n) : b(n);
    }
    case "uint64": case "int64": {
      // all 64 bits (past 2^53 too: the text is exact)
      const x = Buffer.alloc(8);
      let v = BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
      if (rng.chance(0.3)) v = BigInt.asIntN(64, BigInt(rng.u32() & 0x1fffff) << 32n | BigInt(rng.u32())); // within 2^53
      if (rng.chance(0.1)) v = rng.pick([0n, 1n, -1n, 9007199254740993n, -9223372036854775808n, 9223372036854775807n]);
      if (little) x.writeBigInt64LE(BigInt.asIntN(64, v)); else x.writeBigInt64BE(BigInt.asIntN(64, v));
      return x;
    }
    case "float": case "double": {
      const n = f.type === "float" ? 4 : 8;
      const x = Buffer.alloc(n);
      let v = rng.pick(FLOATS);
      if (rng.chance(0.3)) {
        // random bits; a NaN as the canonical one (tshark prints a negative NaN "-nan", which a number cannot tell)
        const r = b(n);
        v = n === 4 ? r.readFloatBE(0) : r.readDoubleBE(0);
        if (Number.isNaN(v)) v = NaN;
      }
      if (n === 4) { if (little) x.writeFloatLE(v); else x.writeFloatBE(v); } else if (little) x.writeDoubleLE(v); else x.writeDoubleBE(v);
      return x;
    }
    case "ipv4": return b(4);
    case "ipv6": return rng.chance(0.3) ? Buffer.from(ip6(rng.pick(["::", "::1", "fe80::1", "2001:db8::1:0:0:1", "::ffff:1.2.3.4", "1:0:0:2::3"]))) : b(16);
    case "ether": return b(6);
    case "boolean": return Buffer.alloc(0);
    case "bytes": case "string": {
      const n = f.size ?? (f.length !== undefined ? Math.min(lens.get(f.length) ?? 0, 12) : rng.int(10));
      return f.type === "string" ? text(n) : b(n);
    }
  }
}

function payload(spec: ProtocolSpec, rng: Rng): Buffer {
  const lenOf = new Map<string, string>();
  for (const f of spec.fields) if (f.length !== undefined) lenOf.set(f.length, f.name);
  const lens = new Map<string, number>();
  const parts = spec.fields.filter((f) => f.of === undefined).map((f) => fieldBytes(f, spec, rng, lens, lenOf));
  let p = Buffer.concat(parts);
  // some packets cut short, anywhere (the fields that fit are set)
  if (rng.chance(0.25)) p = p.subarray(0, rng.int(p.length + 1));
  return p;
}

const DNS_QUERY = Buffer.from("123401000001000000000000076578616d706c6503636f6d0000010001", "hex");

/** the test capture: every protocol, many random packets */
function buildCapture(): string {
  const rng = new Rng(19);
  const w = new PcapWriter({});
  const f = new Frame();
  const A = mac("02:00:00:00:00:01"), B = mac("02:00:00:00:00:02");
  let t = 1700000000;
  const put = () => { f.finish(); w.write(t++, 0, f.view()); };
  const udp = (sport: number, dport: number, p: Uint8Array) => { f.eth(B, A).ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), PROTO_UDP, 64, t & 0xffff, true).udp(sport, dport).bytes(p); put(); };
  for (let i = 0; i < 150; i++) udp(40000 + i, 9999, payload(ALL, rng));
  for (let i = 0; i < 30; i++) {
    f.eth(B, A).ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), PROTO_TCP, 64, i, true).tcp(9999, 41000 + i, 1000 + i, 1, TCP_PSH | TCP_ACK, 5000).bytes(payload(ALL, rng));
    put();
  }
  for (let i = 0; i < 5; i++) udp(42000 + i, 9999, Buffer.from([1, 2].slice(0, i % 3))); // shorter than minLength: data
  for (let i = 0; i < 80; i++) udp(9998, 43000 + i, payload(LITTLE, rng));
  for (let i = 0; i < 30; i++) {
    f.eth(B, A);
    f.buf.writeUInt16BE(0x88b5, 12);
    f.bytes(payload(ETH, rng).subarray(0, i % 7 === 0 ? 2 : undefined));
    put();
  }
  for (let i = 0; i < 40; i++) {
    const kind = rng.pick([1, 2, 3, 1]);
    const body = kind === 1 ? payload(CHILD, rng) : kind === 2 ? DNS_QUERY : Buffer.from("ff", "hex");
    const head = Buffer.from([kind, rng.int(256), rng.int(256)]);
    f.eth(B, A).ipv4(ip4("10.0.0.1"), ip4("10.0.0.3"), 253, 64, i, true).bytes(Buffer.concat([head, body]).subarray(0, i % 9 === 0 ? 2 : undefined));
    put();
  }
  for (let i = 0; i < 30; i++) {
    const p = i % 3 === 0 ? Buffer.from("nothing here") : Buffer.concat([Buffer.from("HX"), Buffer.from([rng.int(256), rng.int(256)]), Buffer.from("tail")]);
    udp(50000 + i, 50500 + i, i % 10 === 1 ? p.subarray(0, 3) : p);
  }
  return tmpFile("custom.pcap", w.close() as Buffer);
}

const FILE = buildCapture();
const LUA = tmpFile("custom.lua", Buffer.from(luaDissectors(SPECS, HEURISTICS)));
const EXTRA = ["-X", `lua_script:${LUA}`];
const FIELDS = [...SPECS.flatMap((s) => s.fields.map((f) => f.name)), "frame.protocols", "dns.qry.name"];

function oursText(cap: wb.Capture, fields: string[]): string {
  const cols = fields.map((n) => cap.column(n));
  let s = fields.join("\t") + "\n";
  for (let r = 0; r < cap.count; r++) s += cols.map((c) => c.text(r)).join("\t") + "\n";
  return s;
}

test("the Lua dissector loads in tshark (the oracle is alive)", () => {
  const out = tsharkFields(FILE, ["frame.protocols"], EXTRA);
  assert.ok(out.includes(":wbt"), "tshark decodes wbt");
  assert.ok(out.includes(":wbchild"), "tshark decodes wbchild");
  assert.ok(out.includes(":wbheur"), "tshark decodes wbheur");
});

test("every field type prints what tshark prints for the Lua dissector, cell for cell", async () => {
  const cap = await wb.open(FILE);
  const theirs = tsharkFields(FILE, FIELDS, EXTRA);
  const c = compareFields(oursText(cap, FIELDS), theirs);
  assert.equal(c.rowsOurs, c.rowsTheirs);
  assert.ok(c.headerEqual);
  // a few mismatches of every field
  const seen = new Map<string, number>();
  const some = c.mismatches.filter((m) => { const k = (seen.get(m.field) ?? 0) + 1; seen.set(m.field, k); return k <= 3; });
  assert.equal(c.mismatches.length, 0, describeDiff({ ...c, mismatches: some }, 60));
  // and the fields were there to compare: every field has values in some packet
  const empty = FIELDS.filter((n) => { const col = cap.column(n); for (let r = 0; r < cap.count; r++) if (col.text(r) !== "") return false; return true; });
  assert.deepEqual(empty, []);
});

test("short packets: the fields that fit, a warning count, no malformed flag", async () => {
  const cap = await wb.open(FILE);
  const w = cap.warnings.find((x) => x.includes("wbt packets too short"));
  assert.ok(w, cap.warnings.join("; "));
  assert.match(w, /^\d+ wbt packets too short for their fields/);
  assert.equal(cap.malformed, 0);
});

const FILTERS = [
  "wbt", "wble", "wbeth", "wbip", "wbchild", "wbheur", "data", "dns",
  "wbt.type.urgent", "wbt.type.urgent == 1", "wbt.type.urgent == 0", "!wbt.type.urgent", "wbt.flags.ack", "wbt.flags.ack == True",
  "wbt.type == 1", "wbt.type == hello", "wbt.type == \"bye\"", "wbt.type in {1, 2, 0x81}", "wbt.type.class == 0", "wbt.type.class >= 4",
  "wbt.flags.code > 0x80", "wbt.flags & 0x8000", "wbt.u24 > 0x800000", "wbt.u32 < 100000", "wbt.u64 > 4503599627370496", "wbt.u64 > 9223372036854775808", "wbt.u64x == 0", "wbt.u64x < 0x0010000000000000", "wble.u64 == 1",
  "wbt.i8 < 0", "wbt.i16 == -1", "wbt.i24 > 0", "wbt.i32 <= -2147483647", "wbt.u8", "wbt.i64 < -1000", "wbt.i64 == -1",
  "wbt.addr == 10.0.0.0/8", "wbt.addr > 128.0.0.0", "wbt.addr6 == ::1", "wbt.addr6 == fe80::/10", "wbt.hw[0:1] == 00", "wbt.hw contains 00", "wbt.hw == 00:00:00:00:00:00",
  "wbt.f > 1", "wbt.f == 0", "wbt.f < -1", "wbt.d > 1e10", "wbt.d == 0.1", "wbt.d < 0",
  "wbt.len", "wbt.len > 11", "wbt.name", "wbt.name contains \"a\"", "wbt.name == \"\"", "wbt.name matches \"^[a-z]+$\"", "wbt.tag", "wbt.tag contains \"x\"",
  "wbt.key == 00:01:02:03", "wbt.key[0] == 0xff", "wbt.key contains 41", "wble.raw contains 00", "wbt.blob", "wbt.blen > 20", "wbt.rest", "len(wbt.key) == 4", "len(wbt.blob) > 5", "wbt.rest contains \"a\"", "wbt.name matches \"(?-i)^[a-z]+$\"",
  "wble.u32 > 0x80000000", "wble.bit", "wble.bit == 1", "wble.addr == 1.2.3.4", "wble.f > 0", "wble.be < 1000", "wble.raw", "wble.u24 > 8000000",
  "wbeth.seq > 2000000000", "wbeth.text", "wbip.kind == child", "wbchild.y < 0", "wbheur.n > 30000", "wbheur.magic == \"HX\"",
  "udp && !wbheur && !wbt && !wble", "tcp && wbt",
];

test("display filters over the protocols' fields select what tshark selects", async () => {
  const cap = await wb.open(FILE);
  const theirs = await tsharkBatch(FILE, FILTERS, EXTRA);
  const bad: string[] = [];
  FILTERS.forEach((f, i) => {
    const t = theirs[i];
    if (t === null) {
      // tshark rejects it: so must we
      assert.throws(() => cap.filter(f), wb.FilterError, `tshark rejects ${f}; we do not`);
      return;
    }
    let v: wb.Capture;
    try {
      v = cap.filter(f);
    } catch (e) {
      bad.push(`${f}: ours rejects it (${(e as Error).message.split("\n")[0]})`);
      return;
    }
    const ours = Array.from({ length: v.count }, (_, r) => v.column("frame.number").get(r) as number);
    if (ours.join(" ") !== (t as number[]).join(" ")) bad.push(`${f}: ours ${ours.length} [${ours.slice(0, 8)}…] tshark ${(t as number[]).length} [${(t as number[]).slice(0, 8)}…]`);
  });
  assert.deepEqual(bad, []);
  // the filters are not vacuous: most select something, and not everything
  assert.deepEqual(FILTERS.filter((_f, i) => theirs[i] === null), ["wbt.u8"], "the filters tshark rejects");
  const sizes = theirs.map((t) => t?.length ?? 0);
  assert.ok(sizes.filter((n) => n > 0 && n < cap.count).length >= FILTERS.length * 0.8, `selective filters: ${sizes}`);
});

test("io,phs and wirebook fields -e see the protocols as tshark does", async () => {
  const { execFileSync } = await import("node:child_process");
  const main = path.join(__dirname, "..", "..", "src", "cli", "main.js");
  // LITTLE again as "wbcli", from a file (a module exporting an array of specs)
  const cli: ProtocolSpec = JSON.parse(JSON.stringify(LITTLE).replace(/"wble/g, '"wbcli'));
  const spec = tmpFile("wbt.js", Buffer.from("module.exports = " + JSON.stringify([cli]) + ";\n"));
  const ours = execFileSync(process.execPath, [main, "fields", FILE, "--protocol", spec, "-e", "wbcli.u32", "-e", "wbcli.f", "-Y", "wbcli.bit"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const lua = tmpFile("wbcli.lua", Buffer.from(luaDissectors([cli])));
  const theirs = tsharkFields(FILE, ["wbcli.u32", "wbcli.f"], ["-X", `lua_script:${lua}`, "-Y", "wbcli.bit"]);
  assert.equal(ours, theirs);
  assert.ok(ours.split("\n").length > 5);
  // protocol hierarchy: the custom layers under their parents, frames counted as tshark counts them
  const phs = execFileSync(process.execPath, [main, "stats", FILE, "--protocol", spec, "-z", "io,phs"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const tphs = execFileSync("tshark", ["-X", `lua_script:${lua}`, "-r", FILE, "-q", "-z", "io,phs"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  // (tshark puts a Lua protocol under "_ws.lua.fake" in the hierarchy: the protocol's own line is compared)
  const line = (t: string) => /^\s*wbcli\s+(frames:\d+ bytes:\d+)$/m.exec(t)?.[1];
  assert.ok(line(tphs), tphs);
  assert.equal(line(phs), line(tphs));
  fs.rmSync(path.dirname(spec), { recursive: true, force: true });
});
