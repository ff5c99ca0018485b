/**
 * Hostile content in an executed notebook: two captures whose HTTP Host, URI, User-Agent, Server,
 * DNS names, TLS SNI and ALPN hold HTML/script payloads are opened in a notebook on the Wirebook
 * kernel (nbclient, kernel in a temporary prefix), shown as capture cards, DataFrames, single
 * values and a chart, exported to HTML, and the HTML loaded in headless Chromium (Debian's, through
 * playwright-core). Nothing may run (no dialog, no page error, the canary global untouched, no
 * payload global set), no element may be injected, and the payloads must be visible as text.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT } from "../helpers/paths";
import { CANARY, hostileCapture, PAYLOADS, writeHostileCapture } from "../helpers/hostile";
import { installKernel, jupyterEnv, missingBuild, missingChromium, missingNbconvert, PYTHON } from "../kernel/jupyter";
import { launch } from "../notebook/browser";

declare const document: any;
declare const window: any;

const FIELDS = ["frame.number", "ip.src", "http.host", "http.request.uri", "http.user_agent", "http.server", "http.content_type",
  "dns.qry.name", "dns.cname", "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str"];

function cell(src: string): object {
  return { cell_type: "code", metadata: {}, execution_count: null, outputs: [], source: src };
}

function notebook(): object {
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "wirebook", display_name: "Wirebook (TypeScript)", language: "typescript" } },
    cells: [
      cell(`const a = await wb.open("report-hostile.pcap");\na`),
      cell(`const b = await wb.open("fuzz-hostile.pcap");\nb`),
      cell(`await a.packets(${JSON.stringify(FIELDS)})`),
      cell(`await b.packets(${JSON.stringify(FIELDS)})`),
      cell(`b.column("http.user_agent").get(0)`),
      // small enough to be shown whole (a table shows its first 10 and last 5 rows)
      cell(`await a.filter("http.host").packets(["http.host", "http.request.uri", "http.user_agent"])`),
      cell(`await a.filter("dns.flags.response == 0").packets(["dns.qry.name"])`),
      cell(`await a.filter("tls.handshake.extensions_server_name").packets(["tls.handshake.extensions_server_name"])`),
      cell(`display(b.summary());\ndisplay(a.filter("http.host"))`),
      cell([
        `const hosts: string[] = [];`,
        `for (let i = 0; i < b.count; i++) { const h = b.column("http.host").get(i); if (typeof h === "string") hosts.push(h); }`,
        `wb.plot.figure({ data: [{ type: "bar", x: hosts.map(wb.plot.plotlyLabel), y: hosts.map((_, i) => i + 1), hovertext: hosts.map(wb.plot.plotlyLabel) }],`,
        `  layout: { title: { text: wb.plot.plotlyLabel(hosts[0]) } } })`,
      ].join("\n")),
      cell(`wb.plot.topTalkers(a)`),
    ],
  };
}

const skip = missingBuild() ?? missingNbconvert();

test("hostile payloads in an executed notebook are shown as text and never run", { skip: skip ?? false, timeout: 180_000 }, async (t) => {
  const { prefix, jupyterPath } = installKernel();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-hostile-"));
  try {
    hostileCapture(path.join(dir, "report-hostile.pcap"));
    writeHostileCapture(path.join(dir, "fuzz-hostile.pcap"));
    const nb = path.join(dir, "hostile.ipynb");
    fs.writeFileSync(nb, JSON.stringify(notebook(), null, 1));
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    const reportFile = path.join(out, "report.json");
    const r = spawnSync(PYTHON, [path.join(ROOT, "test", "notebook", "execute.py"), out, reportFile, nb], {
      env: jupyterEnv(jupyterPath), encoding: "utf8", timeout: 150_000,
    });
    assert.equal(r.status, 0, `execute.py failed: ${r.stderr}`);
    const [rep] = JSON.parse(fs.readFileSync(reportFile, "utf8"));
    assert.equal(rep.error, null, `notebook failed:\n${rep.error}`);
    assert.deepEqual(rep.errors, []);
    const html = fs.readFileSync(rep.html, "utf8");
    // no payload reaches the page as markup: every "<script>alert" is escaped somewhere
    for (const p of ["<script>alert(1)</script>", "<img src=x onerror=", "<svg onload="]) {
      assert.ok(!html.includes(p), `raw payload ${p} in the HTML`);
    }
    if (missingChromium()) {
      t.diagnostic(`Chromium check skipped: ${missingChromium()}`);
      return;
    }
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("request", (req) => { if (/^https?:/.test(req.url())) problems.push(`network request: ${req.url()}`); });
      await page.addInitScript(() => {
        window.__wb_canary = "intact";
        for (const k of ["alert", "confirm", "prompt"]) {
          const f = window[k];
          window[k] = (...a: unknown[]) => { window.__wb_canary = `touched by ${k}`; return f.apply(window, a); };
        }
      });
      await page.goto("file://" + rep.html, { waitUntil: "load" });
      await page.waitForFunction(() => document.querySelectorAll(".wirebook-figure svg.main-svg").length >= 6, undefined, { timeout: 30_000 });
      await page.waitForTimeout(500);
      const state = await page.evaluate((canary: string) => {
        const outputs = Array.from(document.querySelectorAll(".jp-OutputArea-output, .output_area")) as any[];
        const q = (sel: string) => outputs.reduce((n: number, o: any) => n + o.querySelectorAll(sel).length, 0);
        // a payload's own script element (Wirebook's chart scripts carry the payloads as escaped JSON data)
        const scripts = Array.from(document.querySelectorAll("script")).filter((s: any) => /^\s*(window\.|parent\.|alert\()/.test(s.textContent)).length;
        const onAttrs = outputs.reduce((n: number, o: any) => n + Array.from(o.querySelectorAll("*")).filter((e: any) =>
          Array.from(e.attributes).some((a: any) => /^on/i.test(a.name))).length, 0);
        const boldPayload = outputs.reduce((n: number, o: any) => n + Array.from(o.querySelectorAll("b")).filter((e: any) => e.textContent === "bold").length, 0);
        return {
          canary: window.__wb_canary, pwned: window[canary],
          injected: { img: q("img[src='x']"), iframe: q("iframe"), svgOnload: q("svg[onload]"), byId: q("#wb-injected"),
            jsLinks: q("a[href^='javascript' i]"), textarea: q("textarea"), scripts, onAttrs, boldPayload },
          text: document.body.innerText as string,
          tables: q("table.wirebook-table"), figures: document.querySelectorAll(".wirebook-figure").length,
        };
      }, CANARY);
      assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), [], "nothing runs");
      assert.equal(state.canary, "intact");
      assert.equal(state.pwned, undefined);
      assert.deepEqual(state.injected, { img: 0, iframe: 0, svgOnload: 0, byId: 0, jsLinks: 0, textarea: 0, scripts: 0, onAttrs: 0, boldPayload: 0 });
      assert.ok(state.tables >= 2, `${state.tables} tables`);
      assert.equal(state.figures, 2);
      // the payloads are there, as text
      for (const p of [...PAYLOADS, "<script>window.__wb_pwned=1;alert(1)</script>", "</textarea></title></style></script>"]) {
        assert.ok(state.text.includes(p), `payload visible as text: ${p}`);
      }
      await page.close();
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
