/**
 * Tables as HTML and text for the notebook and the report: a grid of cell texts (head and tail of
 * a long table, with a gap row), escaped, with row and column counts in a caption. Built from a
 * danfo frame (src/notebook/table.ts), a capture's head (src/notebook/capture.ts) or any result
 * table (`resultGrid`).
 */
import { escapeHtml, showControls } from "./escape";

export interface TableOptions {
  /** Rows shown from the top (default 10). */
  head?: number;
  /** Rows shown from the bottom when the frame is longer than head + tail (default 5). */
  tail?: number;
  /** Characters kept of a long cell value (default 120). */
  maxChars?: number;
}

export const DEFAULTS: Required<TableOptions> = { head: 10, tail: 5, maxChars: 120 };

/** A cell value as display text (no escaping). */
export function cellText(v: unknown, maxChars = DEFAULTS.maxChars): string {
  let s: string;
  if (v === null || v === undefined) s = "";
  else if (typeof v === "number") s = Number.isNaN(v) ? "NaN" : Number.isInteger(v) ? String(v) : formatFloat(v);
  else if (v instanceof Date) s = v.toISOString();
  else if (typeof v === "object") {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  } else s = String(v);
  s = showControls(s);
  return s.length > maxChars ? s.slice(0, maxChars - 1) + "…" : s;
}

function formatFloat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e15 || a < 1e-4)) return v.toExponential(6);
  // Epoch seconds (1e9..) keep microseconds; others 6 significant decimals.
  return String(Number(v.toFixed(a >= 1e9 ? 6 : 6)));
}

/** Row positions to show: all, or head + tail with a gap marker (-1). */
export function rowPlan(n: number, head: number, tail: number): number[] {
  if (n <= head + tail) return Array.from({ length: n }, (_, i) => i);
  const rows = Array.from({ length: head }, (_, i) => i);
  rows.push(-1);
  for (let i = n - tail; i < n; i++) rows.push(i);
  return rows;
}

export const STYLE =
  "<style>.wirebook-table{border-collapse:collapse;font-size:12px;font-family:ui-monospace,Menlo,Consolas,monospace}" +
  ".wirebook-table th,.wirebook-table td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;white-space:pre;max-width:40em;overflow:hidden;text-overflow:ellipsis}" +
  ".wirebook-table td.num{text-align:right}" +
  ".wirebook-table thead th{border-bottom:2px solid #888;vertical-align:bottom}" +
  ".wirebook-table .dtype{font-weight:normal;color:#888;font-size:10px}" +
  ".wirebook-table tbody th{color:#666;font-weight:normal}" +
  ".wirebook-table .gap td,.wirebook-table .gap th{text-align:center;color:#999}" +
  ".wirebook-caption{font-size:11px;color:#666;margin:4px 0}</style>";

export interface Grid {
  columns: string[];
  dtypes: string[];
  /** Row labels, `null` for the gap. */
  labels: Array<string | number | null>;
  /** Cell text (unescaped); `null` rows are gaps. */
  rows: Array<string[] | null>;
  nRows: number;
  kind: string;
}

const NUMERIC = /^[-+]?(\d[\d,]*\.?\d*|\.\d+)(e[-+]?\d+)?$|^NaN$/i;

export function gridHtml(g: Grid, caption?: string): string {
  const head =
    `<thead><tr><th></th>` +
    g.columns
      .map((c, i) => `<th>${escapeHtml(c)}<br><span class="dtype">${escapeHtml(g.dtypes[i] ?? "")}</span></th>`)
      .join("") +
    `</tr></thead>`;
  const body = g.rows
    .map((row, i) =>
      row === null
        ? `<tr class="gap"><th>…</th>${g.columns.map(() => "<td>…</td>").join("")}</tr>`
        : `<tr><th>${escapeHtml(String(g.labels[i]))}</th>${row.map((v) => (NUMERIC.test(v) ? `<td class="num">${escapeHtml(v)}</td>` : `<td>${escapeHtml(v)}</td>`)).join("")}</tr>`,
    )
    .join("");
  const cap =
    caption ??
    `${g.kind}: ${g.nRows.toLocaleString("en-US")} row${g.nRows === 1 ? "" : "s"} × ${g.columns.length} column${g.columns.length === 1 ? "" : "s"}`;
  return (
    `<div class="wirebook-frame">${STYLE}<table class="wirebook-table">${head}<tbody>${body}</tbody></table>` +
    `<p class="wirebook-caption">${escapeHtml(cap)}</p></div>`
  );
}

export function gridText(g: Grid): string {
  const header = ["", ...g.columns];
  const lines: string[][] = [header, ["", ...g.dtypes]];
  g.rows.forEach((row, i) => lines.push(row === null ? ["…", ...g.columns.map(() => "…")] : [String(g.labels[i]), ...row]));
  const widths = header.map((_, c) => Math.min(40, Math.max(...lines.map((l) => (l[c] ?? "").length))));
  const text = lines.map((l) => l.map((v, c) => (v.length > widths[c] ? v.slice(0, widths[c] - 1) + "…" : v.padStart(widths[c]))).join("  "));
  text.push(`[${g.nRows} rows x ${g.columns.length} columns]`);
  return text.join("\n");
}


/** What resultGrid reads of a result table (src/result's ResultTable). */
export interface ResultLike {
  readonly name: string;
  readonly count: number;
  readonly columns: string[];
  readonly warnings?: string[];
  column(name: string): { readonly type: string; get(row: number): unknown; text(row: number): string };
}

/** The visible part of a result table: cells are its Zeek text ("" for unset), types as dtypes. */
export function resultGrid(t: ResultLike, options: TableOptions = {}): Grid {
  const o = { ...DEFAULTS, ...options };
  const cols = t.columns.map((c) => t.column(c));
  const labels: Array<number | null> = [];
  const rows: Array<string[] | null> = [];
  for (const r of rowPlan(t.count, o.head, o.tail)) {
    labels.push(r < 0 ? null : r);
    rows.push(r < 0 ? null : cols.map((c) => {
      if (c.get(r) === undefined) return "";
      const s = showControls(c.text(r));
      return s.length > o.maxChars ? s.slice(0, o.maxChars - 1) + "…" : s;
    }));
  }
  return { columns: t.columns.map(showControls), dtypes: cols.map((c) => c.type), labels, rows, nRows: t.count, kind: `${t.name} table` };
}

/** The caption of a result table: its name, rows × columns, and the warnings count. */
export function resultCaption(t: ResultLike, shown: number): string {
  const n = t.count, w = t.warnings?.length ?? 0;
  return `${t.name} table: ${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"} × ${t.columns.length} column${t.columns.length === 1 ? "" : "s"}` +
    (shown < n ? ` (${shown} shown: head and tail)` : "") + (w > 0 ? `; ${w} warning${w === 1 ? "" : "s"}` : "");
}
