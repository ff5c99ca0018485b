/**
 * HTML pieces of the report. Every value from the capture goes through escapeHtml (element
 * content and attributes) or, for figures, through the chart builders' label() and jsonForScript.
 * Nothing else builds markup from data.
 */
import { escapeHtml } from "../html/escape";

export type CellValue = string | number | null | undefined;

export interface TableOptions {
  /** columns (by index) right-aligned and formatted as numbers */
  numeric?: number[];
  /** a caption under the table (plain text, escaped) */
  caption?: string;
  /** CSS class of the table */
  className?: string;
  /** per-row left indent in em (the hierarchy) */
  indent?: number[];
}

export function fmtNumber(v: CellValue): string {
  if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
  if (!Number.isFinite(v)) return "";
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

/** An HTML table; every header and cell escaped. */
export function table(headers: string[], rows: CellValue[][], opts: TableOptions = {}): string {
  const num = new Set(opts.numeric ?? []);
  const th = headers.map((h, i) => `<th${num.has(i) ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r, ri) => {
    const tds = r.map((v, i) => {
      const pad = i === 0 && opts.indent ? ` style="padding-left:${(0.4 + 1.2 * (opts.indent[ri] ?? 0)).toFixed(1)}em"` : "";
      return num.has(i) ? `<td class="num">${escapeHtml(fmtNumber(v))}</td>` : `<td${pad}>${escapeHtml(v ?? "")}</td>`;
    }).join("");
    return `<tr>${tds}</tr>`;
  }).join("\n");
  const caption = opts.caption ? `<p class="note">${escapeHtml(opts.caption)}</p>` : "";
  return `<div class="scroll"><table class="${escapeHtml(opts.className ?? "data")}"><thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>${caption}`;
}

/** A two-column key/value table. */
export function keyValues(pairs: [string, CellValue][]): string {
  return `<table class="kv"><tbody>\n${pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(fmtNumber(v))}</td></tr>`).join("\n")}\n</tbody></table>`;
}

export const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0; opacity: .8; }
nav { padding: 8px 28px; background: #e9ecf1; position: sticky; top: 0; z-index: 10; }
nav a { margin-right: 14px; color: #2859c5; text-decoration: none; }
main { padding: 8px 28px 40px; max-width: 1280px; }
section { background: #fff; border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.08); margin: 18px 0; padding: 14px 18px; }
section h2 { margin: 0 0 10px; font-size: 18px; }
section h3 { margin: 14px 0 6px; font-size: 15px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e3e6eb; text-align: left; vertical-align: top; }
td { white-space: nowrap; }
table.names td:first-child, table.kv td { white-space: normal; overflow-wrap: anywhere; max-width: 460px; }
.scroll { overflow-x: auto; }
thead th { background: #f0f2f5; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { font-weight: 500; color: #555; }
.note { color: #666; font-size: 12px; margin: 2px 0 8px; }
.empty { color: #888; font-style: italic; }
.wirebook-figure { margin: 6px 0; }
footer { color: #888; font-size: 12px; padding: 0 28px 24px; }
`;

/**
 * The Content-Security-Policy of the report: nothing may load from anywhere; only the inline
 * scripts and styles of the file run ('unsafe-eval' because plotly.js ships gzipped and is
 * evaluated after unpacking; no data ever reaches eval). Images only as data: URIs.
 */
export const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; " +
  "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; object-src 'none'";
