/**
 * A real browser session: Debian's classic Jupyter Notebook on 127.0.0.1 with a token, driven by
 * playwright-core and /usr/bin/chromium. Opens notebooks/01-first-look.ipynb (a copy), runs all
 * cells from the Cell menu, waits, takes a screenshot and checks that the tables and the charts are
 * on the page. WIREBOOK_UPDATE_SCREENSHOT=1 writes the screenshot to docs/notebook.png.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { spawn, ChildProcess } from "node:child_process";
import { ROOT, DATA } from "../helpers/paths";
import { installKernel, jupyterEnv, missingBuild, missingChromium, missingJupyter } from "../kernel/jupyter";
import { launch } from "./browser";

declare const document: any;
declare const Jupyter: any;
declare const window: any;

const NOTEBOOK_BIN = "/usr/bin/jupyter-notebook";
const NOTEBOOK = "01-first-look.ipynb";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitForServer(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter-notebook exited ${server.exitCode}:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter-notebook did not answer in 60 s:\n${log()}`);
}

const skip =
  missingBuild() ??
  missingJupyter() ??
  missingChromium() ??
  (fs.existsSync(NOTEBOOK_BIN) ? null : `${NOTEBOOK_BIN} is missing (apt-get install jupyter-notebook)`) ??
  (fs.existsSync(path.join(DATA, "office.pcap")) ? null : "data/office.pcap is missing");

test("classic Notebook in Chromium: open the first-look notebook, run all, tables and charts on the page", { skip: skip ?? false, timeout: 150_000 }, async (t) => {
  const { prefix, jupyterPath } = installKernel();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-server-"));
  fs.mkdirSync(path.join(dir, "notebooks"));
  fs.symlinkSync(DATA, path.join(dir, "data"));
  fs.copyFileSync(path.join(ROOT, "notebooks", NOTEBOOK), path.join(dir, "notebooks", NOTEBOOK));
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-jconf-"));
  const token = randomBytes(16).toString("hex");
  const port = await freePort();
  let log = "";
  const server = spawn(
    NOTEBOOK_BIN,
    [
      "--no-browser",
      "--ip=127.0.0.1",
      // CI runs as root
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`,
    ],
    { env: jupyterEnv(jupyterPath, { JUPYTER_CONFIG_DIR: configDir }), stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout!.on("data", (d) => (log += d));
  server.stderr!.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  let browser;
  try {
    await waitForServer(`${base}/api/status?token=${token}`, server, () => log);
    browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    const t0 = Date.now();
    await page.goto(`${base}/notebooks/notebooks/${NOTEBOOK}?token=${token}`, { waitUntil: "load" });
    // the kernel is up and idle
    await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { timeout: 60_000 });
    const kernelName = await page.evaluate(() => Jupyter.notebook.kernel.name);
    assert.equal(kernelName, "wirebook");
    t.diagnostic(`kernel idle ${Date.now() - t0} ms after page load`);
    // Cell ▸ Run All, as a user does
    const t1 = Date.now();
    await page.click("#celllink");
    await page.click("#run_all_cells");
    await page.waitForFunction(
      () =>
        Jupyter.notebook
          .get_cells()
          .filter((c: any) => c.cell_type === "code")
          .every((c: any) => typeof c.input_prompt_number === "number") &&
        document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null,
      undefined,
      { timeout: 90_000, polling: 250 },
    );
    const figures = await page.evaluate(() => document.querySelectorAll(".wirebook-figure").length);
    assert.ok(figures >= 2, `charts on the page: ${figures}`);
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll(".wirebook-figure")).every((e: any) => e.querySelector("svg.main-svg")),
      undefined,
      { timeout: 30_000 },
    );
    t.diagnostic(`run all + charts drawn in ${Date.now() - t1} ms`);
    const tables = await page.evaluate(() => document.querySelectorAll(".output_area table.wirebook-table").length);
    assert.ok(tables >= 3, `tables on the page: ${tables}`);
    const errors = await page.evaluate(() => Array.from(document.querySelectorAll(".output_area .output_error")).map((e: any) => e.textContent));
    assert.deepEqual(errors, [], "no error output");
    const card = await page.evaluate(() => document.querySelector(".wirebook-capture")?.textContent ?? "");
    assert.match(card, /packets/);
    assert.deepEqual(problems, [], "no script error");

    // The screenshot: the group-by table and the top-talkers chart below it.
    await page.setViewportSize({ width: 1280, height: 1280 });
    await page.evaluate(() => {
      const cells = Array.from(document.querySelectorAll(".cell"));
      const chart = cells.findIndex((c: any) => c.querySelector(".wirebook-figure"));
      const groupBy = cells[Math.max(0, chart - 2)] as any;
      const site = document.querySelector("#site");
      const header = document.querySelector("#header")?.getBoundingClientRect().height ?? 0;
      const top = groupBy.getBoundingClientRect().top - header - 8;
      if (site) site.scrollTop += top; // classic Notebook scrolls #site, not the window
      else window.scrollBy(0, top);
    });
    await page.waitForTimeout(300);
    const shot = await page.screenshot({ type: "png" });
    assert.ok(shot.length > 20_000, "a real picture");
    const outPath = process.env.WIREBOOK_UPDATE_SCREENSHOT === "1" ? path.join(ROOT, "docs", "notebook.png") : path.join(dir, "notebook.png");
    fs.writeFileSync(outPath, shot);
    t.diagnostic(`screenshot: ${outPath}`);
  } finally {
    await browser?.close();
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.rmSync(configDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
