import { test } from "node:test";
import * as assert from "node:assert/strict";
import { escapeHtml, jsonForScript, safeId, toPlainJson } from "../../src/html/escape";

const HOSTILE = [
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `' onmouseover='alert(1)`,
  "`${alert(1)}`",
  `</td></tr></table><h1>x</h1>`,
  `&lt;already escaped&gt;`,
  `<!-- comment --><![CDATA[ x ]]>`,
  `javascript:alert(1)`,
  "nul\u0000byte",
  "bell\u0007 and esc\u001b[31m",
  "lone \ud800 surrogate",
  "c1 \u0085 control",
  "line\u2028sep",
];

test("escapeHtml leaves no markup-significant character", () => {
  for (const s of HOSTILE) {
    const e = escapeHtml(s);
    assert.doesNotMatch(e, /[<>"'`]/, `unescaped in ${JSON.stringify(e)}`);
    // every & starts an entity we wrote
    assert.doesNotMatch(e.replace(/&(amp|lt|gt|quot|#39|#96);/g, ""), /&/, e);
    assert.doesNotMatch(e, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/, `control char in ${JSON.stringify(e)}`);
    assert.doesNotMatch(e, /[\ud800-\udfff]/, "lone surrogate survived");
  }
});

test("escapeHtml round-trips ordinary text and entities", () => {
  assert.equal(escapeHtml("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
  assert.equal(escapeHtml(`"q" 'a'`), "&quot;q&quot; &#39;a&#39;");
  assert.equal(escapeHtml("&lt;"), "&amp;lt;");
  assert.equal(escapeHtml("tab\tnew\nline"), "tab\tnew\nline");
  assert.equal(escapeHtml("emoji 😀 ok"), "emoji 😀 ok");
  assert.equal(escapeHtml(42), "42");
  assert.equal(escapeHtml(undefined), "undefined");
  assert.equal(escapeHtml("x\u0000y"), "x\ufffdy");
  assert.equal(escapeHtml("x\u001by"), "x\\x1by");
});

test("jsonForScript cannot close or alter a script element and stays JSON", () => {
  for (const s of HOSTILE) {
    const j = jsonForScript({ v: s, list: [s] });
    assert.doesNotMatch(j, /<\/script/i);
    assert.doesNotMatch(j, /<!--/);
    assert.doesNotMatch(j, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(j), toPlainJson({ v: s, list: [s] }));
  }
});

test("JSON conversion: typed arrays, bigints, non-finite numbers", () => {
  assert.equal(jsonForScript(new Float64Array([1.5, NaN])), "[1.5,null]");
  assert.deepEqual(toPlainJson({ a: new Uint32Array([1, 2]), b: 7n, c: Infinity, d: 2n ** 70n }), {
    a: [1, 2],
    b: 7,
    c: null,
    d: (2n ** 70n).toString(),
  });
  assert.equal(jsonForScript(undefined), "null");
});

test("safeId keeps only letters, digits and dashes", () => {
  assert.equal(safeId("wb", `x"><script>`), "wb-x---script-");
});
