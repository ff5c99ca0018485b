/**
 * One `display(x)` for everything Wirebook shows in a notebook: danfo DataFrame / Series, a
 * Capture or its summary (the capture card), any result table (flows, dns, alerts, statistics …:
 * an HTML table with counts), a Plotly figure, MIME bundles, anything else as text.
 */
import { randomBytes } from "crypto";
import { inspect } from "util";
import { getChannel, IopubType } from "./channel";
import { captureBundle, isCapture, isCaptureSummary, summaryCapture } from "./capture";
import { escapeHtml } from "../html/escape";
import { MIME, MimeBundle } from "./mime";
import { figureBundle, inlinePlotlyAgain } from "./plotly";
import { frameBundle, isDataFrame, isSeries, TableOptions } from "./table";
import { isResultTable, resultBundle } from "./result";
import { isFigure } from "../plot/figure";

export interface DisplayOptions extends TableOptions {
  /** Rows of a capture's head (default 10). */
  captureHead?: number;
}

/** True when `display` has a rich form for x (what the kernel shows for a cell's last value). */
export function isRich(x: unknown): boolean {
  return isFigure(x) || isDataFrame(x) || isSeries(x) || isCapture(x) || isBundle(x) || isResultTable(x) || isCaptureSummary(x);
}

/** A value that already is a MIME bundle (made with `bundle()`). */
const BUNDLE = Symbol.for("wirebook.notebook.bundle");

export function bundle(data: MimeBundle): MimeBundle {
  const b: MimeBundle = { ...data };
  if (!(MIME.plain in b)) b[MIME.plain] = "";
  Object.defineProperty(b, BUNDLE, { value: true, enumerable: false });
  return b;
}

function isBundle(x: unknown): x is MimeBundle {
  return typeof x === "object" && x !== null && (x as { [BUNDLE]?: boolean })[BUNDLE] === true;
}

/** The MIME bundle for x (pure apart from the plotly-inlined-once state). */
export function toBundle(x: unknown, options: DisplayOptions = {}): MimeBundle {
  if (isBundle(x)) return { ...x };
  if (isFigure(x)) return figureBundle(x);
  if (isDataFrame(x) || isSeries(x)) return frameBundle(x, options);
  if (isCapture(x)) return captureBundle(x, { head: options.captureHead });
  if (isResultTable(x)) return resultBundle(x, options);
  if (isCaptureSummary(x)) return captureBundle(summaryCapture(x), { head: options.captureHead, summary: x });
  if (typeof x === "string") return { [MIME.plain]: x };
  return { [MIME.plain]: inspect(x, { depth: 4, maxArrayLength: 50, breakLength: 100 }) };
}

/** A display that can be replaced in place (update_display_data). */
export interface DisplayHandle {
  readonly id: string;
  update(x: unknown, options?: DisplayOptions): void;
}

function newId(): string {
  return randomBytes(8).toString("hex");
}

function send(type: IopubType, data: MimeBundle, id?: string, executionCount?: number): void {
  const channel = getChannel();
  if (!channel) {
    // Outside a kernel: plain text on stdout.
    const text = data[MIME.plain];
    if (type !== "update_display_data" && typeof text === "string" && text !== "") console.log(text);
    return;
  }
  const content: Record<string, unknown> = { data, metadata: {} };
  if (id !== undefined) content.transient = { display_id: id };
  if (type === "execute_result") content.execution_count = executionCount ?? channel.executionCount();
  channel.send(type, content);
}

function live(x: unknown, options: DisplayOptions = {}): DisplayHandle {
  const id = newId();
  send("display_data", toBundle(x, options), id);
  return {
    id,
    update(y: unknown, o: DisplayOptions = options) {
      send("update_display_data", toBundle(y, o), id);
    },
  };
}

function displayImpl(x: unknown, options: DisplayOptions = {}): void {
  send("display_data", toBundle(x, options));
}

/**
 * Shows x in the cell's output: a DataFrame, Series or result table as a table, a Capture (or
 * `cap.summary()`) as a summary card,
 * a figure as a chart, anything else as text. `display.live(x)` returns a handle whose
 * `update(y)` replaces the output in place.
 */
export const display = Object.assign(displayImpl, {
  /** Like display(x), and returns a handle: `handle.update(y)` replaces the output in place. */
  live,
  /** Shows trusted HTML as is (escape data with `escapeHtml`). */
  html(html: string): void {
    displayImpl(bundle({ [MIME.html]: html, [MIME.plain]: "" }));
  },
  /** Shows Markdown (rendered by the front end). */
  markdown(md: string): void {
    displayImpl(bundle({ [MIME.markdown]: md, [MIME.plain]: md }));
  },
  /** Shows text, escaped, in a <pre> (and as text/plain). */
  text(text: string): void {
    displayImpl(bundle({ [MIME.html]: `<pre>${escapeHtml(text)}</pre>`, [MIME.plain]: text }));
  },
  /** Makes the next figure carry plotly.js again (after clearing the outputs that had it). */
  inlinePlotlyAgain,
  /** Sends a MIME bundle as is: `display.bundle({"text/html": "...", "text/plain": "..."})`. */
  bundle(data: MimeBundle): void {
    displayImpl(bundle(data));
  },
});

/** Shows x as the cell's result (execute_result, `Out[n]`); used by the kernel for the last expression. */
export function displayResult(x: unknown, options: DisplayOptions = {}): void {
  send("execute_result", toBundle(x, options));
}
