/**
 * `wirebook report`: the HTML of data/office.pcap and of a hostile capture (injection payloads in
 * DNS names, HTTP Host/URI/User-Agent, TLS SNI and the file name), checked as text and in headless
 * Chromium (playwright-core on /usr/bin/chromium, never a downloaded browser): every chart drawn,
 * tables present, no script error, no dialog, no request but the file itself, no injected element,
 * the payloads visible as text. WIREBOOK_UPDATE_SCREENSHOT=1 rewrites docs/report.png.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { CLI, DATA, ROOT } from "../helpers/paths";
import * as wb from "../../src/index";
import { buildReport } from "../../src/report/index";
import { figureHtml, plotlyLoaderScript } from "../../src/notebook/plotly";
import { CSP } from "../../src/report/html";
import { hostileCapture, PAYLOADS } from "./hostile";
import { CHROMIUM } from "../kernel/jupyter";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

let dir: string;
let officeHtml: string;
let hostileHtml: string;
let hostilePath: string;
const HOSTILE_FILE = 'hostile-<img src=x onerror=alert(9)>.pcap';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-report-"));
  hostilePath = path.join(dir, HOSTILE_FILE);
  hostileCapture(hostilePath);
  officeHtml = buildReport(await wb.open(path.join(DATA, "office.pcap")));
  hostileHtml = buildReport(await wb.open(hostilePath), { title: "Report of <script>alert('title')</script>" });
  fs.writeFileSync(path.join(dir, "office.html"), officeHtml);
  fs.writeFileSync(path.join(dir, "hostile.html"), hostileHtml);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const count = (s: string, sub: string) => s.split(sub).length - 1;

test("the report is one self-contained document: plotly.js once, a CSP, no external resource, every section", () => {
  for (const html of [officeHtml, hostileHtml]) {
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.equal(count(html, "inlined once per Wirebook kernel session"), 1, "plotly.js inlined once");
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, "&#39;")}">`));
    assert.doesNotMatch(html, /\s(src|href)=["']?(https?:)?\/\//i, "nothing loads from a URL");
    assert.doesNotMatch(html, /<link\b/i);
    for (const id of ["summary", "hierarchy", "traffic", "talkers", "conversations", "names", "ports", "flows"]) {
      assert.ok(html.includes(`<section id="${id}">`), id);
    }
    assert.equal(count(html, 'class="wirebook-figure"'), 8);
    assert.ok(html.includes('data-figures="8"'));
  }
  assert.ok(officeHtml.includes("<th>Packets</th><td>2,500</td>"));
  assert.ok(officeHtml.includes("<td>static.example.com</td>"), "top DNS name");
  assert.ok(officeHtml.includes("<td>connectivity.example.net</td>"), "top HTTP host");
  assert.ok(officeHtml.length < 4_000_000, `${officeHtml.length} bytes`);
});

test("the hostile capture's payloads reach the HTML only escaped", () => {
  const html = hostileHtml;
  for (const p of PAYLOADS) {
    const i = html.indexOf(p);
    assert.equal(i, -1, `raw payload ${p} at ${i}: …${html.slice(Math.max(0, i - 80), i + 80)}…`);
  }
  assert.doesNotMatch(html, /<img\b/i);
  assert.doesNotMatch(html, /<svg\b/i);
  assert.doesNotMatch(html, /<a href=javascript/i);
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;.example"), "DNS name as text");
  assert.ok(html.includes("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), "HTTP host / SNI as text");
  assert.ok(html.includes("<title>Report of &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;</title>"));
  assert.ok(html.includes("hostile-&lt;img src=x onerror=alert(9)&gt;.pcap"), "the file name as text");
  // scripts: the plotly loader and one per figure, nothing else
  assert.equal(count(html, "<script"), 9);
});

test("wirebook report FILE -o OUT --title T writes the file; bad usage exits 2", () => {
  const out = path.join(dir, "cli.html");
  execFileSync(process.execPath, [CLI, "report", path.join(DATA, "office.pcap"), "-o", out, "--title", "Office <test>"], { stdio: "pipe" });
  const html = fs.readFileSync(out, "utf8");
  assert.ok(html.includes("<h1>Office &lt;test&gt;</h1>"));
  assert.equal(count(html, 'class="wirebook-figure"'), 8);
  let code = 0;
  try { execFileSync(process.execPath, [CLI, "report"], { stdio: "pipe" }); } catch (e) { code = (e as { status: number }).status; }
  assert.equal(code, 2);
});

const noChromium = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium): the browser checks are skipped`;

interface PageCheck {
  figures: number;
  svgs: number;
  perFigure: number[];
  tables: number;
  scripts: number;
  injected: number;
  text: string;
  errors: string[];
  dialogs: string[];
  requests: string[];
}

async function load(file: string, screenshot?: string): Promise<PageCheck> {
  const { launch } = await import("../notebook/browser");
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [], dialogs: string[] = [], requests: string[] = [];
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
    page.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on("request", (r) => requests.push(r.url()));
    await page.goto("file://" + file);
    await page.waitForFunction(() => document.querySelectorAll("svg.main-svg").length >= 3 * Number(document.body.dataset.figures), null, { timeout: 60_000 })
      .catch((e: Error) => errors.push(`charts did not render: ${e.message}`));
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => ({
      figures: Number(document.body.dataset.figures),
      svgs: document.querySelectorAll("svg.main-svg").length,
      perFigure: Array.from(document.querySelectorAll(".wirebook-figure")).map((d: any) => d.querySelectorAll("svg.main-svg").length),
      tables: document.querySelectorAll("table").length,
      scripts: document.querySelectorAll("script").length,
      injected: document.querySelectorAll("img, iframe, object, embed, main svg[onload], [onerror], [onload], a[href^='javascript']").length,
      text: document.body.innerText,
    }));
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1500 } });
    return { ...r, errors, dialogs, requests };
  } finally {
    await browser.close();
  }
}

test("Chromium renders the office report from file:// offline: every chart, the tables, no error", { skip: noChromium, timeout: 120_000 }, async () => {
  const shot = process.env.WIREBOOK_UPDATE_SCREENSHOT === "1" ? path.join(ROOT, "docs", "report.png") : undefined;
  const r = await load(path.join(dir, "office.html"), shot);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.dialogs, []);
  assert.deepEqual(r.requests.filter((u) => !u.startsWith("file://")), [], "no network request");
  assert.equal(r.figures, 8);
  assert.deepEqual(r.perFigure, Array(8).fill(3), "three svg.main-svg per chart");
  assert.ok(r.tables >= 12, `${r.tables} tables`);
  assert.equal(r.injected, 0);
  assert.match(r.text, /Packets\s+2,500/);
  assert.match(r.text, /static\.example\.com/);
});

test("Chromium on the hostile report: no script runs, no element injected, the payloads show as text", { skip: noChromium, timeout: 120_000 }, async () => {
  const r = await load(path.join(dir, "hostile.html"));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.dialogs, [], "no alert() ran");
  assert.deepEqual(r.requests.filter((u) => !u.startsWith("file://")), [], "no request (an injected <img src=x> would make one)");
  assert.equal(r.injected, 0);
  assert.equal(r.scripts, 9, "the loader and one script per chart, none injected");
  assert.deepEqual(r.perFigure, Array(8).fill(3));
  for (const p of PAYLOADS) assert.ok(r.text.includes(`${p}.example`), `DNS name ${p} visible as text`);
  for (const p of PAYLOADS) assert.ok(r.text.includes(p.replace(/\s+/g, " ")), `payload ${p} visible`);
  assert.ok(r.text.includes(HOSTILE_FILE));
  assert.ok(r.text.includes("Report of <script>alert('title')</script>"));
});

test("Chromium draws hostile chart labels as text (Plotly's pseudo-HTML does not interpret them)", { skip: noChromium, timeout: 120_000 }, async () => {
  const ep = {
    columns: ["address", "port", "frames", "bytes", "tx_frames", "tx_bytes", "rx_frames", "rx_bytes"],
    cells: PAYLOADS.map((p, i) => [p, null, 1, 100 + i, 1, 100 + i, 0, 0]),
  };
  const figs = [wb.plot.topTalkers(ep), wb.plot.protocolHierarchy({ columns: ["path", "protocol", "depth", "frames", "bytes"], cells: [["eth", "eth", 0, 2, 2], [`eth:${PAYLOADS[4]}`, PAYLOADS[4], 1, 1, 1]] })];
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, "&#39;")}"></head>` +
    `<body data-figures="${figs.length}">${plotlyLoaderScript()}${figs.map((f, i) => figureHtml(f, { withPlotly: false, id: `f${i}` })).join("\n")}</body></html>`;
  const file = path.join(dir, "labels.html");
  fs.writeFileSync(file, html);
  const { launch } = await import("../notebook/browser");
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => { errors.push(`dialog ${d.message()}`); void d.dismiss(); });
    await page.goto("file://" + file);
    await page.waitForFunction(() => document.querySelectorAll("svg.main-svg").length >= 6, null, { timeout: 60_000 });
    const r = await page.evaluate(() => ({
      ticks: Array.from(document.querySelectorAll("#f0 .ytick text")).map((t: any) => t.textContent),
      slices: Array.from(document.querySelectorAll("#f1 text.slicetext")).map((t: any) => t.textContent),
      bold: document.querySelectorAll("#f0 .ytick text tspan[style*='bold'], #f1 text.slicetext tspan[style*='bold']").length,
      links: document.querySelectorAll("svg a").length,
      injected: document.querySelectorAll("img, [onerror], [onload]").length,
    }));
    assert.deepEqual(errors, []);
    assert.deepEqual([...r.ticks].sort(), [...PAYLOADS].sort(), "tick labels are the payloads, literally");
    assert.ok(r.slices.includes(PAYLOADS[4]), `sunburst slice text ${JSON.stringify(r.slices)}`);
    assert.equal(r.bold, 0, "<b> was not interpreted");
    assert.equal(r.links, 0, "<a href> was not interpreted");
    assert.equal(r.injected, 0);
  } finally {
    await browser.close();
  }
});
