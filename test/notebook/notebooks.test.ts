/**
 * Every notebook in notebooks/ is a test: executed headless on the wirebook kernel (nbclient, as
 * `jupyter nbconvert --execute` does), no error output and no stderr, exported to HTML, and the HTML
 * loaded in headless Chromium: each chart rendered (Plotly's svg.main-svg) and no script error.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT, DATA } from "../helpers/paths";
import { installKernel, jupyterEnv, missingBuild, missingChromium, missingNbconvert, PYTHON } from "../kernel/jupyter";
import { launch } from "./browser";

const NOTEBOOKS = path.join(ROOT, "notebooks");

/** Page-side code runs in the browser; the compiler has no DOM types (lib es2022). */
declare const document: any;

interface Report {
  name: string;
  error: string | null;
  seconds: number;
  errors: Array<{ ename: string; evalue: string }>;
  stderr: string[];
  figures: number;
  loaders: number;
  execution_counts: Array<number | null>;
  html: string;
  html_bytes: number;
  ipynb: string;
}

/** The notebooks' copies run in a temporary folder beside a link to data/, so the repo is never written. */
function stage(): { dir: string; notebooks: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-notebooks-"));
  fs.mkdirSync(path.join(dir, "notebooks"));
  fs.symlinkSync(DATA, path.join(dir, "data"));
  const notebooks = fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => {
      fs.copyFileSync(path.join(NOTEBOOKS, f), path.join(dir, "notebooks", f));
      return path.join(dir, "notebooks", f);
    });
  return { dir, notebooks };
}

const skip = missingBuild() ?? missingNbconvert() ?? (fs.existsSync(path.join(DATA, "office.pcap")) ? null : "data/office.pcap is missing");

test("notebooks use the wirebook kernel and captures from data/", () => {
  const files = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb"));
  assert.ok(files.length >= 3);
  for (const f of files) {
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, f), "utf8"));
    assert.equal(nb.metadata.kernelspec.name, "wirebook", f);
    const code = nb.cells.filter((c: any) => c.cell_type === "code").map((c: any) => [].concat(c.source).join("")).join("\n");
    const captures = [...code.matchAll(/"(\.\.\/data\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(captures.length > 0, `${f} opens a capture from data/`);
    for (const c of captures) assert.ok(fs.existsSync(path.join(NOTEBOOKS, c)), `${f}: ${c} exists`);
    for (const c of nb.cells) assert.deepEqual(c.outputs ?? [], [], `${f} is committed without outputs`);
  }
});

test("every notebook executes headless without errors, and Chromium renders its charts from the HTML export", { skip: skip ?? false, timeout: 170_000 }, async (t) => {
  const { prefix, jupyterPath } = installKernel();
  const { dir, notebooks } = stage();
  const out = path.join(dir, "out");
  fs.mkdirSync(out);
  try {
    const reportFile = path.join(out, "report.json");
    const r = spawnSync(PYTHON, [path.join(ROOT, "test", "notebook", "execute.py"), out, reportFile, ...notebooks], {
      env: jupyterEnv(jupyterPath),
      encoding: "utf8",
      timeout: 150_000,
    });
    assert.equal(r.status, 0, `execute.py failed: ${r.stderr}`);
    const reports: Report[] = JSON.parse(fs.readFileSync(reportFile, "utf8"));
    assert.equal(reports.length, notebooks.length);
    for (const rep of reports) {
      t.diagnostic(`${rep.name}: ${rep.seconds.toFixed(1)} s, ${rep.figures} charts, HTML ${(rep.html_bytes / 1e6).toFixed(1)} MB`);
      assert.equal(rep.error, null, `${rep.name} failed:\n${rep.error}`);
      assert.deepEqual(rep.errors, [], `${rep.name} has error outputs`);
      assert.deepEqual(rep.stderr, [], `${rep.name} wrote to stderr`);
      assert.ok(rep.execution_counts.every((n, i) => n === i + 1), `${rep.name}: cells numbered 1..n (${rep.execution_counts})`);
      assert.ok(rep.figures > 0, `${rep.name} has charts`);
      assert.equal(rep.loaders, 1, `${rep.name}: plotly.js inlined once, not per chart`);
      assert.ok(rep.html_bytes < 6e6, `${rep.name}: HTML export is ${rep.html_bytes} bytes`);
    }
    if (missingChromium()) {
      t.diagnostic(`Chromium check skipped: ${missingChromium()}`);
      return;
    }
    const browser = await launch();
    try {
      for (const rep of reports) {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(`console: ${m.text()}`);
        });
        page.on("request", (req) => {
          if (/^https?:/.test(req.url())) problems.push(`network request (must be offline): ${req.url()}`);
        });
        await page.goto("file://" + rep.html, { waitUntil: "load" });
        await page.waitForFunction(
          (n) => document.querySelectorAll(".wirebook-figure svg.main-svg").length >= 3 * n || /plotly\.js/.test(Array.from(document.querySelectorAll(".wirebook-figure")).map((e: any) => e.textContent).join("")),
          rep.figures,
          { timeout: 30_000 },
        );
        const perFigure = await page.$$eval(".wirebook-figure", (els: any[]) => els.map((e) => e.querySelectorAll("svg.main-svg").length));
        assert.equal(perFigure.length, rep.figures, `${rep.name}: one figure element per chart`);
        assert.ok(perFigure.every((n) => n >= 1), `${rep.name}: every chart rendered (main-svg per chart: ${perFigure})`);
        const tables = await page.$$eval("table.wirebook-table", (els: any[]) => els.length);
        assert.ok(tables > 0, `${rep.name}: tables rendered`);
        assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), [], `${rep.name}: no script error`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
