/** content / pcre / isdataat inspection of one buffer, and the pcre → RegExp translation. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRules, translatePcre, type Matcher } from "../../src/rules/parser";
import { inspect, Subject } from "../../src/rules/content";
import { Prefilter } from "../../src/rules/prefilter";

function matcher(opts: string): Matcher[] {
  const { rules, errors } = parseRules(`alert tcp any any -> any any (${opts} sid:1;)`);
  assert.equal(errors.length, 0, errors.map((e) => e.message).join("; "));
  return rules[0].buffers.get("payload") ?? [];
}
const hit = (opts: string, data: string | Buffer) =>
  inspect(matcher(opts), new Subject().reset(typeof data === "string" ? Buffer.from(data, "latin1") : data));

test("content: plain, hex, escapes, nocase", () => {
  assert.equal(hit(`content:"Hello";`, "say Hello!"), true);
  assert.equal(hit(`content:"hello";`, "say Hello!"), false);
  assert.equal(hit(`content:"hello"; nocase;`, "say HeLLo!"), true);
  assert.equal(hit(`content:"|00 01|A|ff|";`, Buffer.from([9, 0, 1, 65, 255])), true);
  assert.equal(hit(`content:"|00 01|A|fe|";`, Buffer.from([9, 0, 1, 65, 255])), false);
  assert.equal(hit(`content:"a\\;b\\"c\\\\";`, `xa;b"c\\`), true);
});

test("content: offset and depth bound the window from the buffer start", () => {
  assert.equal(hit(`content:"abc"; depth:3;`, "abcdef"), true);
  assert.equal(hit(`content:"abc"; depth:3;`, "xabcdef"), false);
  assert.equal(hit(`content:"cd"; offset:2; depth:2;`, "abcdef"), true);
  assert.equal(hit(`content:"cd"; offset:3;`, "abcdef"), false);
  assert.equal(hit(`content:"de"; offset:2; depth:2;`, "abcdef"), false, "depth counts from the offset: bytes 2..3");
  assert.equal(hit(`content:"de"; offset:2; depth:3;`, "abcdef"), true);
});

test("content: distance and within chain relative to the previous match (within counts from distance)", () => {
  assert.equal(hit(`content:"AllWork"; content:"DullBoy"; distance:1; within:7;`, "AllWorkXDullBoy"), true);
  assert.equal(hit(`content:"AllWork"; content:"DullBoy"; distance:1; within:7;`, "AllWorkXYDullBoy"), false);
  assert.equal(hit(`content:"a"; content:"b"; distance:0;`, "ba"), false);
  assert.equal(hit(`content:"a"; content:"b"; distance:0;`, "bab"), true);
  assert.equal(hit(`content:"ab"; content:"a"; distance:-2; within:1;`, "xab"), true, "negative distance");
  assert.equal(hit(`content:"a"; content:"b"; within:1;`, "a.b"), false);
  // the first content is retried at its next occurrence when a relative one fails
  assert.equal(hit(`content:"k="; content:"1"; within:1;`, "k=2&k=1"), true);
  assert.equal(hit(`content:"k="; content:"1"; within:1;`, "k=2&k=3"), false);
  // three-link chain
  assert.equal(hit(`content:"A"; depth:1; content:"B"; distance:2; within:1; content:"C"; distance:0;`, "A..B...C"), true);
  assert.equal(hit(`content:"A"; depth:1; content:"B"; distance:2; within:1; content:"C"; distance:0;`, "A.B....C"), false);
});

test("content: negation, startswith, endswith", () => {
  assert.equal(hit(`content:"GET"; content:!"admin";`, "GET /index"), true);
  assert.equal(hit(`content:"GET"; content:!"admin";`, "GET /admin"), false);
  assert.equal(hit(`content:"GET"; content:!"admin"; distance:0; within:6;`, "GET /x/admin"), true, "negated relative window");
  assert.equal(hit(`content:"GET"; startswith;`, "GET /"), true);
  assert.equal(hit(`content:"GET"; startswith;`, " GET /"), false);
  assert.equal(hit(`content:".exe"; endswith;`, "a.exe"), true);
  assert.equal(hit(`content:".exe"; endswith;`, "a.exe?"), false);
});

test("isdataat, absolute and relative, negated", () => {
  assert.equal(hit(`content:"ab"; isdataat:2,relative;`, "abcde"), true);
  assert.equal(hit(`content:"ab"; isdataat:3,relative;`, "abcde"), false);
  assert.equal(hit(`content:"ab"; isdataat:!3,relative;`, "abcde"), true);
  assert.equal(hit(`isdataat:4;`, "abcde"), true);
  assert.equal(hit(`isdataat:5;`, "abcde"), false);
});

test("pcre: flags i s m, relative /R, negation", () => {
  assert.equal(hit(`pcre:"/^get\\s+\\/a/i";`, "GET /a"), true);
  assert.equal(hit(`pcre:"/a.b/";`, "a\nb"), false);
  assert.equal(hit(`pcre:"/a.b/s";`, "a\nb"), true);
  assert.equal(hit(`pcre:"/^b/m";`, "a\nb"), true);
  assert.equal(hit(`pcre:"/^b/";`, "a\nb"), false);
  assert.equal(hit(`content:"SMB"; pcre:"/^\\x00/R";`, Buffer.from("xSMB\0", "latin1")), true, "/R anchors ^ at the previous match's end");
  assert.equal(hit(`content:"SMB"; pcre:"/^\\x00/R";`, Buffer.from("xSMBa\0", "latin1")), false);
  assert.equal(hit(`content:"a"; pcre:"/^b/R"; content:"c"; within:1;`, "abc"), true, "content relative to a pcre match");
  assert.equal(hit(`pcre:!"/evil/";`, "good"), true);
  assert.equal(hit(`pcre:!"/evil/";`, "so evil"), false);
  assert.equal(hit(`pcre:"/\\xff\\x00/";`, Buffer.from([1, 255, 0])), true, "bytes above 0x7f");
});

test("pcre translation: PCRE-only syntax is reported, named groups and \\A \\z translated", () => {
  assert.equal(translatePcre(`"/(?P<x>a)\\Ab\\z/"`).re.source, "(?<x>a)^b$");
  assert.equal(translatePcre(`"/a/U"`).buffer, "http.uri");
  assert.equal(translatePcre(`"/a/H"`).buffer, "http.header");
  for (const [p, why] of [["/(?>a)/", /atomic/], ["/a++/", /possessive/], ["/(?i)a/", /inline flags/], ["/a/x", /\/x/], ["/\\Qa\\E/", /\\Q/]] as const) {
    assert.throws(() => translatePcre(`"${p}"`), why);
  }
  assert.throws(() => translatePcre(`"/(a/"`), /Unterminated group|Invalid regular expression/);
});

test("recursion is bounded on pathological chains", () => {
  const data = "a".repeat(5000);
  const t0 = Date.now();
  assert.equal(hit(`content:"a"; content:"a"; distance:0; content:"a"; distance:0; content:"b"; distance:0;`, data), false);
  assert.ok(Date.now() - t0 < 1000);
});

test("prefilter: Aho-Corasick marks every pattern present, case-insensitively", () => {
  const pats = ["he", "she", "his", "hers", "XY", "|"].map((s) => Buffer.from(s));
  const pf = new Prefilter(pats);
  const b = Buffer.from("..uSHErs.xy..");
  assert.equal(pf.scan(b, 0, b.length), 4);
  assert.deepEqual(pats.map((_, i) => pf.has(i)), [true, true, false, true, true, false]);
  assert.equal(pf.scan(b, 0, 3), 0, "a new scan starts a new generation");
  assert.equal(pf.has(0), false);
});
