/**
 * The notebook and the report share one HTML module (src/html); the report never imports the
 * notebook, src/html never imports either face, and src/result (below both) imports neither.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths";

function imports(dir: string): { file: string; from: string }[] {
  const out: { file: string; from: string }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        for (const m of fs.readFileSync(p, "utf8").matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
          if (m[1].startsWith(".")) out.push({ file: path.relative(ROOT, p), from: path.relative(path.join(ROOT, "src"), path.resolve(path.dirname(p), m[1])) });
        }
      }
    }
  };
  walk(path.join(ROOT, "src", dir));
  return out;
}

test("src/report and src/html do not import src/notebook; src/result imports no face", () => {
  const bad = (dir: string, banned: string[]) => imports(dir).filter((i) => banned.some((b) => i.from === b || i.from.startsWith(`${b}/`)));
  assert.deepEqual(bad("report", ["notebook"]), []);
  assert.deepEqual(bad("html", ["notebook", "report", "cli"]), []);
  assert.deepEqual(bad("result", ["notebook", "report", "html", "cli", "plot"]), []);
  assert.ok(imports("report").some((i) => i.from.startsWith("html")), "the report's HTML comes from src/html");
  assert.ok(imports("notebook").some((i) => i.from.startsWith("html")), "so does the notebook's");
});
