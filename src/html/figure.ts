/**
 * A Plotly figure as HTML, for the notebook's `text/html` and the report alike: a div and a
 * script that draws it, waiting for plotly.js (inlined gzipped, once, by plotlyLoaderScript()).
 * The figure's data goes through jsonForScript, its id through escapeHtml.
 */
import * as fs from "fs";
import { randomBytes } from "crypto";
import * as zlib from "zlib";
import { escapeHtml, jsonForScript, toPlainJson } from "./escape";
import type { FigureSpec } from "../plot/figure";

/** Candidate plotly.js bundles, smallest first. */
const BUNDLES = ["plotly.js-dist-min/plotly.min.js", "plotly.js-dist/plotly.js"];

let plotlySource: { path: string; code: string; gzipBase64?: string } | null = null;

/** The plotly.js bundle this process inlines (read once). */
export function plotlyBundle(): { path: string; code: string } {
  if (plotlySource) return plotlySource;
  for (const id of BUNDLES) {
    let path: string;
    try {
      path = require.resolve(id);
    } catch {
      continue;
    }
    plotlySource = { path, code: fs.readFileSync(path, "utf8") };
    return plotlySource;
  }
  throw new Error(`plotly.js not found: install one of ${BUNDLES.map((b) => b.split("/")[0]).join(", ")}`);
}

/** The bundle gzipped and base64-encoded (≈ a quarter of its size), computed once. */
export function plotlyGzipBase64(): string {
  const b = plotlyBundle() as { path: string; code: string; gzipBase64?: string };
  b.gzipBase64 ??= zlib.gzipSync(Buffer.from(b.code, "utf8"), { level: 6 }).toString("base64");
  return b.gzipBase64;
}

/**
 * The script element that defines `window.Plotly`: plotly.js gzipped and base64-encoded, unpacked
 * in the page with DecompressionStream (every current browser) and run with an indirect eval. It
 * sets `window.wirebookPlotly`, a promise of Plotly, which figures wait for.
 */
export function plotlyLoaderScript(): string {
  return (
    `<script type="text/javascript">/* plotly.js (gzip, base64), inlined once per Wirebook kernel session */\n` +
    `(function () {\n` +
    `  if (window.wirebookPlotly) return;\n` +
    `  if (window.Plotly) { window.wirebookPlotly = Promise.resolve(window.Plotly); return; }\n` +
    `  var data = "${plotlyGzipBase64()}";\n` +
    `  window.wirebookPlotly = (async function () {\n` +
    `    var bin = atob(data), bytes = new Uint8Array(bin.length);\n` +
    `    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);\n` +
    `    var code = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();\n` +
    `    window.PlotlyConfig = window.PlotlyConfig || { MathJaxConfig: "local" };\n` +
    `    (0, eval)(code);\n` +
    `    return window.Plotly;\n` +
    `  })();\n` +
    `})();\n</script>`
  );
}

const MISSING =
  "plotly.js is not on this page: it is inlined with the first chart of a kernel session. " +
  "Re-run the notebook from the top, or run display.inlinePlotlyAgain() and then this cell.";

/** The `text/html` of a figure; carries plotly.js when `withPlotly`. */
export function figureHtml(fig: FigureSpec, options: { withPlotly: boolean; id?: string }): string {
  const id = options.id ?? `wb-fig-${randomBytes(6).toString("hex")}`;
  const spec = toPlainJson<FigureSpec>({ data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} });
  const config = { responsive: true, displaylogo: false, ...(spec.config ?? {}) };
  const height = typeof spec.layout?.height === "number" ? spec.layout.height : 450;
  const parts: string[] = [];
  if (options.withPlotly) parts.push(plotlyLoaderScript());
  parts.push(
    `<div id="${escapeHtml(id)}" class="wirebook-figure" style="width:100%;height:${height}px;"></div>`,
    `<script type="text/javascript">(function () {\n` +
      `  var el = document.getElementById(${jsonForScript(id)});\n` +
      `  var spec = ${jsonForScript({ ...spec, config })};\n` +
      `  function fail(why) { el.style.height = "auto"; el.textContent = why; }\n` +
      `  function draw(Plotly) { (Plotly || window.Plotly).newPlot(el, spec.data, spec.layout, spec.config); }\n` +
      `  function start() {\n` +
      `    if (window.wirebookPlotly) { window.wirebookPlotly.then(draw, function (e) { fail("plotly.js failed to load: " + e); }); return true; }\n` +
      `    if (window.Plotly) { draw(window.Plotly); return true; }\n` +
      `    return false;\n` +
      `  }\n` +
      `  if (start()) return;\n` +
      `  var tries = 0, timer = setInterval(function () {\n` +
      `    if (start()) clearInterval(timer);\n` +
      `    else if (++tries > 100) { clearInterval(timer); fail(${jsonForScript(MISSING)}); }\n` +
      `  }, 100);\n` +
      `})();</script>`,
  );
  return parts.join("\n");
}

