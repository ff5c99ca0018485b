/**
 * Plotly figures as a Jupyter MIME bundle.
 *
 * - `application/vnd.plotly.v1+json`: the figure as a JSON object, for JupyterLab, Notebook 7 and
 *   VS Code (they render it with their Plotly renderer extension).
 * - `text/html`: a div and a script that draws it with Plotly, for classic Notebook and nbconvert
 *   HTML exports, offline. plotly.js itself is inlined once per kernel session (in the first
 *   figure's HTML, gzipped: ≈ 2.6 MB instead of 10 MB); later figures wait for it on the page.
 * - `text/plain`: a one-line description.
 */
import { toPlainJson } from "../html/escape";
import { figureHtml } from "../html/figure";
import { MIME, MimeBundle } from "./mime";
import type { Figure, FigureSpec } from "../plot/figure";

export { figureHtml, plotlyBundle, plotlyGzipBase64, plotlyLoaderScript } from "../html/figure";

let inlinedThisSession = false;

/** True once a figure carrying plotly.js was produced in this process. */
export function plotlyInlined(): boolean {
  return inlinedThisSession;
}

/**
 * Makes the next figure carry plotly.js again: use it after clearing all outputs of a notebook
 * whose kernel already sent plotly.js, or when figures say plotly.js is missing.
 */
export function inlinePlotlyAgain(): void {
  inlinedThisSession = false;
}

function describe(fig: FigureSpec): string {
  const title = fig.layout?.title;
  const titleText = typeof title === "string" ? title : title?.text;
  const traces = fig.data.map((t) => `${t.type ?? "scatter"}${t.name ? ` "${t.name}"` : ""}`);
  return `Figure${titleText ? ` "${titleText}"` : ""}: ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"} (${traces.join(", ")})`;
}

/**
 * The MIME bundle of a figure. The first bundle of the process carries plotly.js in its
 * `text/html`; pass `withPlotly` to force either way (tests, standalone pages).
 */
export function figureBundle(fig: Figure | FigureSpec, options: { withPlotly?: boolean } = {}): MimeBundle {
  const withPlotly = options.withPlotly ?? !inlinedThisSession;
  const json = toPlainJson<FigureSpec>({ data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} });
  const bundle: MimeBundle = {
    [MIME.plotly]: json,
    [MIME.html]: figureHtml(fig, { withPlotly }),
    [MIME.plain]: describe(fig),
  };
  if (withPlotly && options.withPlotly === undefined) inlinedThisSession = true;
  return bundle;
}
