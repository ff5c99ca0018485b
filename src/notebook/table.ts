/**
 * danfo DataFrame / Series as an HTML table (first and last rows, row and column counts, dtypes)
 * and as text. Recognised by shape, not by `instanceof`, so that danfo is never loaded here.
 */
import { cellText, DEFAULTS, gridHtml, gridText, rowPlan, type Grid, type TableOptions } from "../html/table";
import { MIME, MimeBundle } from "./mime";

export { cellText, rowPlan, gridHtml, gridText, type Grid, type TableOptions } from "../html/table";

/** The parts of a danfo DataFrame this module reads. */
export interface FrameLike {
  shape: number[];
  columns: string[];
  dtypes: string[];
  index: Array<string | number>;
  values: unknown[][];
}

/** The parts of a danfo Series this module reads. */
export interface SeriesLike {
  shape: number[];
  columns: string[];
  dtypes: string[];
  index: Array<string | number>;
  values: unknown[];
  $isSeries: true;
}

function isNdFrame(x: unknown): x is { $isSeries: boolean; shape: number[]; columns: unknown; dtypes: unknown; index: unknown; values: unknown } {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.$isSeries === "boolean" && Array.isArray(o.shape) && "$data" in o;
}

export function isDataFrame(x: unknown): x is FrameLike {
  return isNdFrame(x) && x.$isSeries === false;
}

export function isSeries(x: unknown): x is SeriesLike {
  return isNdFrame(x) && x.$isSeries === true;
}

/** The visible part of a frame/series as text cells (shared by HTML and text/plain). */
export function frameGrid(x: FrameLike | SeriesLike, options: TableOptions = {}): Grid {
  const o = { ...DEFAULTS, ...options };
  const series = isSeries(x);
  const nRows = x.shape[0] ?? 0;
  const columns = (x.columns ?? []).map(String);
  const dtypes = (x.dtypes ?? []).map(String);
  const values = x.values as unknown[];
  const index = x.index ?? [];
  const labels: Array<string | number | null> = [];
  const rows: Array<string[] | null> = [];
  for (const r of rowPlan(nRows, o.head, o.tail)) {
    if (r < 0) {
      labels.push(null);
      rows.push(null);
      continue;
    }
    labels.push(index[r] ?? r);
    const row = values[r];
    rows.push(series ? [cellText(row, o.maxChars)] : (row as unknown[]).map((v) => cellText(v, o.maxChars)));
  }
  return { columns, dtypes, labels, rows, nRows, kind: series ? "Series" : "DataFrame" };
}

export function frameBundle(x: FrameLike | SeriesLike, options: TableOptions = {}): MimeBundle {
  const g = frameGrid(x, options);
  return { [MIME.html]: gridHtml(g), [MIME.plain]: gridText(g) };
}
