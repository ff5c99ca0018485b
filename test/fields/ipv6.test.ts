/**
 * The one IPv6-to-text routine (src/fields/ipv6.ts) against RFC 5952's examples and against
 * tshark's text of addresses in a capture this test writes: as ipv6.src / ipv6.dst of the packet
 * table, and as AAAA answers of capture.dns() (tshark's dns.aaaa), the embedded IPv4 forms
 * (::ffff:a.b.c.d mapped, ::a.b.c.d compatible) included.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { formatIPv6, parseIPv6 } from "../../src/fields/ipv6";
import { open } from "../../src/table/load";
import "../../src/flows/apps";
import type { AppTable } from "../../src/flows/apps";
import { pcap, tmpFile } from "../helpers/bytes";
import { udpFrame } from "../helpers/decode";
import { hasTool } from "../helpers/paths";

/** 16 bytes from 32 hex digits (spaces ignored): independent of the parser under test */
const bytes = (h: string) => Buffer.from(h.replace(/ /g, ""), "hex");

/** addresses whose text has a choice to make: zero runs, ties, embedded IPv4, near-misses of those */
const VECTORS = [
  "0000 0000 0000 0000 0000 ffff 0a00 0001", // ::ffff:10.0.0.1
  "0000 0000 0000 0000 0000 0000 0a00 0001", // ::10.0.0.1
  "0000 0000 0000 0000 0000 0000 0000 0001", // ::1
  "0000 0000 0000 0000 0000 0000 0000 0000", // ::
  "0000 0000 0000 0000 0000 0000 0000 0002", // ::2
  "0000 0000 0000 0000 0000 0000 0001 0000", // ::0.1.0.0
  "0000 0000 0000 0000 0000 ffff 0000 0000", // ::ffff:0.0.0.0
  "0000 0000 0000 0000 0000 ffff ffff ffff",
  "0000 0000 0000 0000 0000 0000 0000 ffff", // ::ffff (not mapped)
  "0000 0000 0000 0000 0000 0000 ffff 0001",
  "0000 0000 0000 0000 0000 fffe 0102 0304",
  "0000 0000 0000 0000 ffff 0000 0102 0304", // SIIT: not an embedded form
  "0064 ff9b 0000 0000 0000 0000 0102 0304", // NAT64: not an embedded form
  "2001 0db8 0000 0000 0001 0000 0000 0001", // tie: the first run
  "2001 0db8 0000 0001 0001 0001 0001 0001", // one zero group stays
  "0001 0000 0000 0002 0000 0000 0000 0003", // the longest run
  "2001 0000 0000 0001 0000 0000 0000 0001",
  "0000 0000 0001 0000 0000 0001 0000 0000",
  "0000 0000 0000 0000 0001 0000 0000 0000",
  "0001 0000 0000 0000 0000 0000 0000 0000", // 1::
  "fe80 0000 0000 0000 0250 56ff fec0 0008",
  "2001 0db8 abcd 0012 ffff eeee dddd cccc",
].map(bytes);

test("RFC 5952 section 4 and 5 examples", () => {
  const cases: [string, string][] = [
    ["2001:db8:0:0:0:0:2:1", "2001:db8::2:1"], //             4.2.1: shorten as much as possible
    ["2001:db8:0000:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], //    4.2.2: no :: for one 16-bit 0 field
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], //               4.2.3: the longest run
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], //         4.2.3: the first of equal runs
    ["2001:0db8::0001", "2001:db8::1"], //                    4.1: no leading zeros
    ["2001:DB8::1", "2001:db8::1"], //                        4.3: lower case
    ["0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"], //      5: IPv4-mapped as dotted quad
  ];
  for (const [input, want] of cases) {
    const b = parseIPv6(input);
    assert.ok(b, input);
    assert.equal(formatIPv6(b), want, input);
  }
});

test("parse and format round-trip; formatIPv6 reads at an offset", () => {
  for (const v of VECTORS) {
    const text = formatIPv6(v);
    assert.deepEqual(Buffer.from(parseIPv6(text)!), v, text);
    assert.equal(formatIPv6(Buffer.concat([Buffer.from([1, 2, 3]), v]), 3), text);
  }
  for (const bad of ["1:2:3:4:5:6:7:8:9", "1::2::3", "::1.2.3.256", "12345::", "::g", "1.2.3.4"]) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
});

/** Ethernet/IPv6 with no next header, from `src` to `dst` */
function ipv6Frame(src: Buffer, dst: Buffer): Buffer {
  const ip = Buffer.alloc(40);
  ip[0] = 0x60; ip[6] = 59; ip[7] = 64;
  src.copy(ip, 8); dst.copy(ip, 24);
  return Buffer.concat([Buffer.from("00112233445566778899aabb86dd", "hex"), ip]);
}

/** a DNS response (id 7) to "v6.test" AAAA with one answer per address */
function dnsResponse(addrs: Buffer[]): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(7, 0); head.writeUInt16BE(0x8180, 2); head.writeUInt16BE(1, 4); head.writeUInt16BE(addrs.length, 6);
  const q = Buffer.concat([Buffer.from("\x02v6\x04test\x00", "latin1"), Buffer.from([0, 28, 0, 1])]);
  const answers = addrs.map((a) => Buffer.concat([Buffer.from([0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16]), a]));
  return Buffer.concat([head, q, ...answers]);
}

const skip = !hasTool("tshark") && "tshark is not installed";

test("IPv6 text of the packet table and of DNS answers is tshark's", { skip }, async () => {
  const frames: Buffer[] = [];
  for (let i = 0; i < VECTORS.length; i++) frames.push(ipv6Frame(VECTORS[i], VECTORS[(i + 1) % VECTORS.length]));
  const query = Buffer.from(dnsResponse([]));
  query.writeUInt16BE(0x0100, 2); query.writeUInt16BE(0, 6);
  frames.push(udpFrame(query, 40000, 53), udpFrame(dnsResponse(VECTORS), 53, 40000));
  const file = tmpFile("ipv6-text.pcap", pcap(frames.map((data, i) => ({ sec: 1700000000 + i, frac: 0, data }))));
  const out = execFileSync("tshark", ["-n", "-r", file, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
    "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "dns.aaaa"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const lines = out.trimEnd().split("\n").map((l) => l.split("\t"));
  assert.equal(lines.length, frames.length);
  const cap = await open(file);
  const src = cap.column("ipv6.src"), dst = cap.column("ipv6.dst");
  for (let i = 0; i < VECTORS.length; i++) {
    const [tsrc, tdst] = lines[i];
    assert.equal(formatIPv6(VECTORS[i]), tsrc, `formatIPv6 of ${VECTORS[i].toString("hex")}`);
    assert.equal(src.text(i), tsrc, `frame ${i + 1} ipv6.src`);
    assert.equal(dst.text(i), tdst, `frame ${i + 1} ipv6.dst`);
  }
  const theirs = lines[frames.length - 1][2].split(",");
  assert.equal(theirs.length, VECTORS.length);
  assert.ok(theirs.includes("::ffff:10.0.0.1") && theirs.includes("::10.0.0.1"), theirs.join(" "));
  const dns: AppTable = await cap.dns();
  assert.equal(dns.count, 1);
  assert.deepEqual(dns.column("answers").get(0), theirs);
});
