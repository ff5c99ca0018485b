/**
 * `wirebook kernel execute` on a notebook whose cell throws: exit 2 with the cell number and the
 * error (not "internal error", no HTML); with --allow-errors exit 0 and the HTML shows the error
 * and the other cells' outputs (the cells after it ran too).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLI } from "../helpers/paths";

const NBCONVERT = fs.existsSync("/usr/bin/jupyter-nbconvert") ? false : "jupyter-nbconvert is not installed";

function notebook(dir: string): string {
  const cell = (source: string) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source });
  const nb = {
    cells: [cell("const answer = 6 * 7;"), cell('throw new Error("boom in cell two");'), cell("`the answer is ${answer}`")],
    metadata: { kernelspec: { name: "wirebook", display_name: "Wirebook (TypeScript)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const file = path.join(dir, "throws.ipynb");
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

test("kernel execute: a cell's error is exit 2 naming it; --allow-errors writes the HTML with it", { skip: NBCONVERT, timeout: 300_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-execute-"));
  try {
    const nb = notebook(dir);
    const outA = path.join(dir, "a"), outB = path.join(dir, "b");
    const strict = spawnSync(process.execPath, [CLI, "kernel", "execute", nb, "--out", outA], { encoding: "utf8" });
    assert.equal(strict.status, 2, strict.stderr);
    assert.match(strict.stderr, /cell 2: Error: boom in cell two/);
    assert.doesNotMatch(strict.stderr, /internal error/);
    assert.ok(!fs.existsSync(path.join(outA, "throws.html")), "no HTML without --allow-errors");
    const allowed = spawnSync(process.execPath, [CLI, "kernel", "execute", nb, "--out", outB, "--allow-errors"], { encoding: "utf8" });
    assert.equal(allowed.status, 0, allowed.stderr);
    const html = fs.readFileSync(path.join(outB, "throws.html"), "utf8");
    assert.match(html, /boom in cell two/);
    assert.match(html, /the answer is 42/, "the cell after the error ran");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
