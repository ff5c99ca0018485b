/**
 * User-defined protocols and detectors beyond the field types (test/custom/protocol.test.ts):
 * bad specs (one clear error naming the spec and the field; exit 2 on the CLI, no stack trace),
 * a decode() function against a hand-written Lua dissector, WIREBOOK_PROTOCOLS and --protocol on
 * the CLI, defining a spec twice, and detectors joining capture.alerts() and `wirebook alerts`.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import * as wb from "../../src";
import { defineProtocol, defineDetector, ProtocolSpecError, type ProtocolSpec } from "../../src/custom";
import { Frame, ip4, mac, PROTO_UDP } from "../../src/gen/packet";
import { PcapWriter } from "../../src/io/writer";
import { compareFields, describe as describeDiff, tsharkFields } from "../conformance/reference";
import { tmpFile } from "../helpers/bytes";

const MAIN = path.join(__dirname, "..", "..", "src", "cli", "main.js");

const base = (fields: unknown[], extra: Record<string, unknown> = {}): ProtocolSpec =>
  ({ name: "wbbad", over: { "udp.port": 7001 }, fields, ...extra }) as unknown as ProtocolSpec;

const BAD: [string, ProtocolSpec, RegExp][] = [
  ["unknown type", base([{ name: "wbbad.a", type: "uint9" }]), /^protocol "wbbad", field "wbbad\.a": unknown type "uint9" \(types: uint8, /],
  ["a built-in field's name", { name: "wbbad", over: { "udp.port": 7001 }, fields: [{ name: "ip.src", type: "ipv4" }] } as ProtocolSpec,
    /^protocol "wbbad", field "ip\.src": the field's name must start with "wbbad\."/],
  ["a built-in protocol's name", { name: "dns", over: { "udp.port": 7001 }, fields: [{ name: "dns.extra", type: "uint8" }] }, /^protocol "dns": a built-in protocol is already named "dns"/],
  ["length naming a field not read yet", base([{ name: "wbbad.s", type: "string", length: "wbbad.n" }, { name: "wbbad.n", type: "uint8" }]),
    /^protocol "wbbad", field "wbbad\.s": "length" names "wbbad\.n", which is not a field read before it/],
  ["length naming a string", base([{ name: "wbbad.t", type: "string", size: 2 }, { name: "wbbad.s", type: "string", length: "wbbad.t" }]),
    /^protocol "wbbad", field "wbbad\.s": "length" names "wbbad\.t", which is not an integer field/],
  ["a missing over", { name: "wbbad", fields: [{ name: "wbbad.a", type: "uint8" }] } as unknown as ProtocolSpec, /^protocol "wbbad": no "over": say where it runs/],
  ["an unknown table", base([{ name: "wbbad.a", type: "uint8" }], { over: { "sctp.port": 1 } }), /^protocol "wbbad": unknown dissector table "sctp\.port"/],
  ["a port out of range", base([{ name: "wbbad.a", type: "uint8" }], { over: { "udp.port": 70000 } }), /^protocol "wbbad": over\["udp\.port"\] takes integers 0…65535, not 70000/],
  ["boolean without of", base([{ name: "wbbad.b", type: "boolean" }]), /^protocol "wbbad", field "wbbad\.b": a boolean is bits of an earlier integer field: give "of" and "mask"/],
  ["mask too wide", base([{ name: "wbbad.a", type: "uint8" }, { name: "wbbad.b", type: "boolean", of: "wbbad.a", mask: 0x100 }]),
    /^protocol "wbbad", field "wbbad\.b": "mask" must be a non-zero integer that fits wbbad\.a \(8 bits\)/],
  ["hex on a signed field", base([{ name: "wbbad.a", type: "int16", base: "hex" }]), /^protocol "wbbad", field "wbbad\.a": base "hex" is for unsigned integers/],
  ["a field twice", base([{ name: "wbbad.a", type: "uint8" }, { name: "wbbad.a", type: "uint16" }]), /^protocol "wbbad", field "wbbad\.a": defined twice in the spec/],
  ["size on an integer", base([{ name: "wbbad.a", type: "uint8", size: 2 }]), /^protocol "wbbad", field "wbbad\.a": "size" and "length" are for bytes and string fields/],
  ["a bad name", { name: "Bad Name", over: {}, fields: [] }, /^protocol "Bad Name": "name" must be lower case letters/],
];

test("bad specs: one error at define time naming the spec and the field; nothing is defined", () => {
  for (const [what, spec, re] of BAD) {
    assert.throws(() => defineProtocol(spec), (e: Error) => {
      assert.ok(e instanceof ProtocolSpecError, what);
      assert.match(e.message, re, what);
      assert.ok(!e.message.includes("\n"), `${what}: one line`);
      return true;
    }, what);
  }
  assert.equal(wb.fieldByName("wbbad.a"), undefined);
  assert.equal(wb.fieldByName("wbbad.s"), undefined);
});

test("bad specs on the CLI: exit 2, one line naming the file, spec and field, no stack trace", () => {
  for (const [what, spec, re] of BAD.slice(0, 4)) {
    const file = tmpFile("bad.js", Buffer.from(`module.exports = ${JSON.stringify(spec)};\n`));
    const r = spawnSync(process.execPath, [MAIN, "summary", "/nonexistent.pcap", "--protocol", file], { encoding: "utf8" });
    assert.equal(r.status, 2, what);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
    assert.ok(lines[0].startsWith(`wirebook: ${file}: `), lines[0]);
    assert.match(lines[0].slice(`wirebook: ${file}: `.length), re, what);
  }
  const r = spawnSync(process.execPath, [MAIN, "summary", "/nonexistent.pcap", "--protocol", "/nonexistent/spec.js"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "wirebook: cannot load protocol file /nonexistent/spec.js: no such file\n");
  const env = spawnSync(process.execPath, [MAIN, "summary", "/nonexistent.pcap"], { encoding: "utf8", env: { ...process.env, WIREBOOK_PROTOCOLS: "/nonexistent/a.js" } });
  assert.equal(env.status, 2);
  assert.equal(env.stderr, "wirebook: cannot load protocol file /nonexistent/a.js: no such file\n");
});

// a protocol whose decode() sets what no declaration says: the sum of n bytes, and where its payload starts
const SUM: ProtocolSpec = {
  name: "wbsum", over: { "udp.port": 7002 },
  fields: [
    { name: "wbsum.n", type: "uint8" },
    { name: "wbsum.total", type: "uint16", computed: true },
    { name: "wbsum.odd", type: "boolean", computed: true },
    { name: "wbsum.tail", type: "string", computed: true },
  ],
  decode(view, f) {
    const n = f.get("wbsum.n") as number;
    let s = 0;
    for (let i = 1; i <= n; i++) s += view.getUint8(i); // past the packet: a RangeError, counted as short
    f.set("wbsum.total", s);
    f.set("wbsum.odd", s & 1);
    let t = "";
    for (let i = 1 + n; i < view.byteLength; i++) t += String.fromCharCode(view.getUint8(i));
    f.set("wbsum.tail", t);
    return view.byteLength;
  },
};

const SUM_LUA = `
local p = Proto("wbsum", "sum")
local f_n = ProtoField.uint8("wbsum.n", "n")
local f_total = ProtoField.uint16("wbsum.total", "total")
local f_odd = ProtoField.bool("wbsum.odd", "odd")
local f_tail = ProtoField.string("wbsum.tail", "tail")
p.fields = { f_n, f_total, f_odd, f_tail }
function p.dissector(buf, pinfo, tree)
  local t = tree:add(p, buf())
  t:add(f_n, buf(0, 1))
  local n = buf(0, 1):uint()
  if 1 + n > buf:len() then return end
  local s = 0
  for i = 1, n do s = s + buf(i, 1):uint() end
  t:add(f_total, buf(1, n), s)
  t:add(f_odd, buf(1, n), s % 2 == 1)
  t:add(f_tail, buf(1 + n, buf:len() - 1 - n), buf:raw(1 + n))
end
DissectorTable.get("udp.port"):add(7002, p)
`;

function capture(payloads: Buffer[], port: number): string {
  const w = new PcapWriter({});
  const f = new Frame();
  payloads.forEach((p, i) => {
    f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")).ipv4(ip4("10.1.0.1"), ip4("10.1.0.2"), PROTO_UDP, 64, i, true).udp(30000 + i, port).bytes(p);
    f.finish();
    w.write(1700000000 + i, 0, f.view());
  });
  return tmpFile("spec.pcap", w.close() as Buffer);
}

test("decode(view, fields) sets fields no declaration says, as a hand-written Lua dissector does", async () => {
  defineProtocol(SUM);
  const payloads = [Buffer.from([3, 1, 2, 4, 0x41, 0x42]), Buffer.from([0]), Buffer.from([2, 200, 100]), Buffer.from([9, 1, 2]), Buffer.from([1, 7, 0x7a])];
  const file = capture(payloads, 7002);
  const fields = ["wbsum.n", "wbsum.total", "wbsum.odd", "wbsum.tail"];
  const cap = await wb.open(file);
  let ours = fields.join("\t") + "\n";
  for (let r = 0; r < cap.count; r++) ours += fields.map((n) => cap.column(n).text(r)).join("\t") + "\n";
  const lua = tmpFile("sum.lua", Buffer.from(SUM_LUA));
  const c = compareFields(ours, tsharkFields(file, fields, ["-X", `lua_script:${lua}`]));
  assert.equal(c.mismatches.length, 0, describeDiff(c));
  assert.equal(c.rowsOurs, 5);
  assert.equal(cap.column("wbsum.total").text(0), "7");
  assert.equal(cap.column("wbsum.tail").text(0), "AB");
  // the packet whose n runs past its end: n set, the rest absent, counted
  assert.equal(cap.column("wbsum.total").text(3), "");
  assert.ok(cap.warnings.some((w) => w === "1 wbsum packets too short for their fields (the fields that fit are set)"), cap.warnings.join("; "));
  for (const expr of ["wbsum.odd", "wbsum.odd == 1", "wbsum.total > 100", "wbsum.tail == \"AB\""]) {
    const v = cap.filter(expr);
    assert.deepEqual(Array.from({ length: v.count }, (_, i) => v.column("frame.number").get(i)), tsharkYLua(file, expr, lua), expr);
  }
});

function tsharkYLua(file: string, expr: string, lua: string): number[] {
  return execFileSync("tshark", ["-X", `lua_script:${lua}`, "-r", file, "-Y", expr, "-T", "fields", "-e", "frame.number"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
    .split("\n").filter((l) => l !== "").map(Number);
}

test("defining the same spec again (a cell run twice) is harmless; other fields under the same name are refused", () => {
  const spec: ProtocolSpec = { name: "wbtwice", over: { "udp.port": 7003 }, fields: [{ name: "wbtwice.a", type: "uint8" }] };
  defineProtocol(spec);
  const id = wb.fieldByName("wbtwice.a")?.id;
  defineProtocol({ ...spec, over: { "udp.port": 7004 } });
  assert.equal(wb.fieldByName("wbtwice.a")?.id, id);
  assert.throws(() => defineProtocol({ ...spec, fields: [{ name: "wbtwice.a", type: "uint16" }] }),
    /^ProtocolSpecError: protocol "wbtwice": already defined with other fields/);
});

const URGENT: ProtocolSpec = {
  name: "wbalert", over: { "udp.port": 7005 },
  fields: [{ name: "wbalert.flags", type: "uint8", base: "hex" }, { name: "wbalert.flags.urgent", type: "boolean", of: "wbalert.flags", mask: 0x80 }],
};
const URGENT_LUA = `
local p = Proto("wbalert", "alert")
local f_flags = ProtoField.uint8("wbalert.flags", "flags", base.HEX)
local f_urgent = ProtoField.bool("wbalert.flags.urgent", "urgent", 8, nil, 0x80)
p.fields = { f_flags, f_urgent }
function p.dissector(buf, pinfo, tree)
  local t = tree:add(p, buf())
  t:add(f_flags, buf(0, 1))
  t:add(f_urgent, buf(0, 1))
end
DissectorTable.get("udp.port"):add(7005, p)
`;

test("a detector's alerts join capture.alerts(), with the packets tshark's filter selects", async () => {
  defineProtocol(URGENT);
  const payloads = Array.from({ length: 40 }, (_, i) => Buffer.from([(i * 37) & 0xff, i]));
  const file = capture(payloads, 7005);
  defineDetector({
    name: "urgent_flag", description: "packets with the urgent flag",
    run(cap) {
      const c = cap.column("wbalert.flags.urgent"), n = cap.column("frame.number");
      const rows = [];
      for (let r = 0; r < cap.count; r++) if (c.get(r) === 1) rows.push({ frame: n.get(r) as number, message: "urgent flag set", severity: "high" as const });
      return rows;
    },
  });
  defineDetector({ name: "first_flow", run: (cap) => [{ uid: cap.flows().column("uid").get(0) as string, message: "the first flow", severity: "info" }] });
  const cap = await wb.open(file);
  const alerts = await cap.alerts();
  const mine = alerts.byDetector("urgent_flag");
  const lua = tmpFile("urgent.lua", Buffer.from(URGENT_LUA));
  const expected = tsharkYLua(file, "wbalert.flags.urgent == 1", lua);
  assert.ok(expected.length > 5);
  assert.deepEqual(Array.from({ length: mine.count }, (_, r) => mine.column("frame.number").get(r)), expected);
  assert.equal(mine.column("severity").get(0), 1);
  assert.equal(mine.column("src").get(0), "10.1.0.1");
  assert.equal(mine.column("summary").get(0), "urgent flag set");
  // the evidence selects the packet
  assert.equal(mine.packets(0).count, 1);
  assert.equal(mine.packets(0).column("frame.number").get(0), expected[0]);
  const flow = alerts.byDetector("first_flow");
  assert.equal(flow.count, 1);
  assert.equal(flow.packets(0).count, 1);
  // only the detectors named
  const only = await cap.alerts({ detectors: ["urgent_flag"] });
  assert.deepEqual(only.counts(), [{ detector: "urgent_flag", alerts: expected.length }]);
  await assert.rejects(cap.alerts({ detectors: ["nope"] }), /unknown detector "nope"; detectors: port_scan, .*urgent_flag, first_flow/);
  assert.throws(() => defineDetector({ name: "port_scan", run: () => [] }), /^DetectorSpecError: detector "port_scan": a built-in detector has this name/);
});

test("wirebook alerts --detector FILE.js --protocol FILE.js and WIREBOOK_PROTOCOLS", () => {
  const payloads = Array.from({ length: 20 }, (_, i) => Buffer.from([(i * 53) & 0xff, i]));
  const file = capture(payloads, 7005);
  const proto = tmpFile("urgent.js", Buffer.from(`module.exports = ${JSON.stringify(URGENT)};\n`));
  const det = tmpFile("det.js", Buffer.from(`exports.default = [{ name: "urgent_cli", run(cap) {
    const c = cap.column("wbalert.flags.urgent"), n = cap.column("frame.number"), out = [];
    for (let r = 0; r < cap.count; r++) if (c.get(r) === 1) out.push({ frame: n.get(r), message: "urgent", severity: "low" });
    return out; } }];\n`));
  const lua = tmpFile("urgent.lua", Buffer.from(URGENT_LUA));
  const expected = tsharkYLua(file, "wbalert.flags.urgent == 1", lua);
  for (const how of ["--protocol", "env"]) {
    const args = [MAIN, "alerts", file, "--no-detectors", "--detector", det, "--format", "json", ...(how === "env" ? [] : ["--protocol", proto])];
    const out = execFileSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, WIREBOOK_PROTOCOLS: how === "env" ? `${proto}:` : "" } });
    const rows = out.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r["frame.number"]), expected, how);
    assert.ok(rows.every((r) => r.detector === "urgent_cli" && r.severity === 3 && r.evidence === `frame.number == ${r["frame.number"]}`), how);
  }
  const fields = execFileSync(process.execPath, [MAIN, "fields", file, "-e", "wbalert.flags", "-Y", "wbalert.flags.urgent", "--protocol", proto, "--protocol", proto], { encoding: "utf8" });
  assert.equal(fields, tsharkFields(file, ["wbalert.flags"], ["-X", `lua_script:${lua}`, "-Y", "wbalert.flags.urgent"]));
});

test("every prefix of a packet decodes without throwing or reading past it", async () => {
  const { decodeFrames } = await import("../helpers/decode");
  const spec: ProtocolSpec = {
    name: "wbcut", over: { "udp.port": 7006 },
    fields: [
      { name: "wbcut.n", type: "uint16" }, { name: "wbcut.s", type: "string", length: "wbcut.n" }, { name: "wbcut.a6", type: "ipv6" },
      { name: "wbcut.q", type: "uint64", endian: "little" }, { name: "wbcut.d", type: "double" }, { name: "wbcut.b", type: "boolean", of: "wbcut.n", mask: 1 },
      { name: "wbcut.rest", type: "bytes" },
    ],
    decode(view, f) { f.set("wbcut.rest", new Uint8Array(view.buffer, view.byteOffset, Math.min(2, view.byteLength))); },
  };
  defineProtocol(spec);
  const payload = Buffer.concat([Buffer.from([0, 3]), Buffer.from("abc"), Buffer.alloc(16, 1), Buffer.alloc(8, 2), Buffer.alloc(8, 3), Buffer.from("tail")]);
  const f = new Frame();
  f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")).ipv4(ip4("10.1.0.1"), ip4("10.1.0.2"), PROTO_UDP, 64, 1, true).udp(30000, 7006).bytes(payload);
  f.finish();
  const bytes = Buffer.from(f.view());
  const frames = Array.from({ length: bytes.length + 1 }, (_, n) => bytes.subarray(0, n));
  const cap = decodeFrames(frames);
  assert.equal(cap.count, frames.length);
  // each field is set exactly when the prefix holds it
  const udpStart = 14 + 20 + 8;
  const has = (name: string, r: number) => cap.column(name).text(r) !== "";
  for (let n = 0; n < frames.length; n++) {
    const avail = n - udpStart;
    assert.equal(has("wbcut.n", n), avail >= 2, `n at ${n}`);
    assert.equal(has("wbcut.s", n), avail >= 5, `s at ${n}`);
    assert.equal(has("wbcut.a6", n), avail >= 21, `a6 at ${n}`);
    assert.equal(has("wbcut.q", n), avail >= 29, `q at ${n}`);
    assert.equal(has("wbcut.d", n), avail >= 37, `d at ${n}`);
  }
  // the declared field was read first: decode()'s write does not replace it (first write wins)
  assert.equal(cap.column("wbcut.rest").text(frames.length - 1), "7461696c");
});
