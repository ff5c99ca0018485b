/**
 * Linear-time regular expressions (src/filter/regex.ts): the same matches as V8's backtracking
 * engine on ordinary patterns, and patterns that backtrack exponentially (`^(a+)+$`) finishing
 * at once, in a display filter `matches` and in a rule `pcre`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { linearRegExp, NotLinearError } from "../../src/filter/regex";
import { open } from "../../src/table/load";
import { filter, FilterError, compileFilter } from "../../src/filter";
import { Conv } from "../rules/build";
import { parseRules } from "../../src/rules/parser";
import { inspect, Subject } from "../../src/rules/content";

const EVIL = "^(a+)+$";
const LONG = "a".repeat(4000) + "!";

test("linearRegExp: same exec() results as the backtracking engine (case folding, unrolled counts)", () => {
  const pats: [string, string][] = [
    ["foo", "i"], ["[a-f]+x", "i"], ["[^a-z]", "i"], ["\\x41b", "i"], ["a{20}", ""], ["a{3,20}b", ""],
    ["(?:ab){2,30}?", ""], ["a{17,}", ""], ["^.{0,40}GET", "i"], ["(?<h>[\\w.]+)\\.com", "i"], ["[\\]a]", ""],
    ["a|b|c", "i"], ["\\bHost\\b", "i"], ["[0-9A-F]{32}", "i"], ["é", "i"], ["[À-Ö]", "i"], ["a{2}{", ""],
    ["x{a}", ""], ["[\\b]", ""], ["\\d{1,5}\\.\\d{1,300}", ""], ["^b", "m"], ["a.b", "s"], ["(a|ab)(c|bcd)(d*)", ""],
  ];
  const subjects = ["a".repeat(40) + "b", "FOO foo", "xxABCx", "abcDEF1", "Ab ab", "GET / HTTP/1.1 get",
    "WWW.EXAMPLE.com", "]", "zz\bzz", "12345.123", "ÉÀé", "a{2}{ x{a}", "Host: x", "a\nb", "abcd", "0123456789abcdefABCDEF0123456789ab"];
  for (const [p, f] of pats) {
    const lin = linearRegExp(p, f), ref = new RegExp(p, f);
    assert.ok(lin.flags.includes("l"), `${p} runs on the linear engine`);
    for (const s of subjects) assert.deepEqual(lin.exec(s), ref.exec(s), `/${p}/${f} on ${JSON.stringify(s)}`);
  }
});

test("linearRegExp: exponential patterns finish at once; constructs with no linear form are refused", () => {
  for (const f of ["", "i", "m"]) {
    const t0 = performance.now();
    assert.equal(linearRegExp(EVIL, f).test(LONG), false);
    assert.equal(linearRegExp("^(a|aa)+$", f).test(LONG), false);
    assert.ok(performance.now() - t0 < 1000, `took ${performance.now() - t0} ms`);
  }
  assert.equal(linearRegExp(EVIL).test("aaaa"), true);
  for (const p of ["a(?=b)", "(?<!a)b", "(a)\\1", "(?<n>a)\\k<n>", "(a){20}"]) assert.throws(() => linearRegExp(p), NotLinearError, p);
  assert.throws(() => linearRegExp("("), SyntaxError);
  // an unrolled repetition past the pattern budget is refused at once, not built
  const t1 = performance.now();
  assert.throws(() => linearRegExp("a{0,100000}"), NotLinearError);
  assert.throws(() => linearRegExp("(?:a{1000}){1000}"), NotLinearError);
  assert.ok(performance.now() - t1 < 500);
});

test("display filter matches: ^(a+)+$ on a 4,001-character Host is fast; lookahead is a filter error", async () => {
  const conv = new Conv();
  conv.handshake().send(true, `GET / HTTP/1.1\r\nHost: ${LONG}\r\n\r\n`);
  const other = new Conv("10.0.0.3", "10.0.0.4", 40001);
  other.handshake().send(true, "GET / HTTP/1.1\r\nHost: aAaA\r\n\r\n");
  const cap = await open(conv.file(), {});
  const cap2 = await open(other.file(), {});
  const t0 = performance.now();
  assert.equal(filter(cap, `http.host matches "${EVIL}"`).count, 0);
  assert.equal(filter(cap, `http.host matches "(?i)^(A+)+$"`).count, 0);
  assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
  assert.equal(filter(cap, `http.host matches "^a{4000}!$"`).count, 1);
  assert.equal(filter(cap2, `http.host matches "(?i)^(A+)+$"`).count, 1);
  // tshark's matches is caseless unless the pattern says (?-i)
  assert.equal(filter(cap2, `http.host matches "${EVIL}"`).count, 1);
  assert.equal(filter(cap2, `http.host matches "(?-i)${EVIL}"`).count, 0);
  assert.throws(() => compileFilter(`http.host matches "a(?=b)"`), (e) => e instanceof FilterError && /linear time/.test(e.message));
});

test("rule pcre: ^(a+)+$ on a long buffer is fast; lookahead makes the rule unsupported", () => {
  const rule = (opts: string) => parseRules(`alert tcp any any -> any any (${opts} sid:1;)`);
  const hit = (opts: string, data: string) => {
    const { rules, errors } = rule(opts);
    assert.equal(errors.length, 0);
    return inspect(rules[0].buffers.get("payload") ?? [], new Subject().reset(Buffer.from(data, "latin1")));
  };
  const t0 = performance.now();
  assert.equal(hit(`pcre:"/${EVIL}/";`, LONG), false);
  assert.equal(hit(`pcre:"/^(A+)+$/i";`, LONG), false);
  assert.ok(performance.now() - t0 < 1000, `took ${performance.now() - t0} ms`);
  // relative to a content: the engine retries the pcre after each "a" (up to its budget of runs), each run linear
  assert.equal(hit(`content:"a"; pcre:"/^(a+)+$/R";`, "a".repeat(300) + "!"), false);
  assert.equal(hit(`pcre:"/^(A+)+$/i";`, "aaaa"), true);
  const { rules } = rule(`pcre:"/a(?!b)/";`);
  assert.match(rules[0].unsupported.join(" "), /linear time/);
});
