/**
 * docs/hardening.md says string values are cut at 4,096 characters (maxStringLength); record
 * comments (pcapng opt_comment, frame.comment) were not (issue 18, item 7). They are now.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as wb from "../../src/index";
import { STRING_CUT_MARK } from "../../src/table/builder";
import { frame, Ng, tmpFile } from "../helpers/bytes";

test("a 10,000-character record comment is cut at maxStringLength and counted", async () => {
  const long = "c".repeat(10_000);
  const file = tmpFile("comment.pcapng", new Ng().shb().idb(1).epb(0, 1n, frame(1), { comment: long }).epb(0, 2n, frame(2), { comment: "short" }).bytes());
  const cap = await wb.open(file);
  const c = cap.column("frame.comment");
  assert.equal(c.get(0), "c".repeat(4096) + STRING_CUT_MARK);
  assert.equal(c.get(1), "short");
  assert.ok(cap.warnings.some((w) => /^1 string values longer than 4096 characters were cut/.test(w)), cap.warnings.join("; "));
  const small = await wb.open(file, { maxStringLength: 10 });
  assert.equal(small.column("frame.comment").get(0), "c".repeat(10) + STRING_CUT_MARK);
});
