/** Charts and the offline HTML page of a diff (`wirebook diff A B -o diff.html`). */
import { figure, type Figure } from "../plot/figure";
import { layout, subtitle } from "../plot/common";
import { label } from "../plot/text";
import { figureHtml } from "../html/figure";
import { escapeHtml } from "../html/escape";
import { table } from "../report/html";
import type { ResultTable } from "../result/table";

/** The `n` biggest changes (the table's first rows) as grouped bars: count in A, count in B. */
export function diffChart(t: ResultTable, opts: { n?: number; title?: string; nameA?: string; nameB?: string } = {}): Figure {
  const n = Math.min(opts.n ?? 15, t.count);
  const names: string[] = [];
  const xa: number[] = [], xb: number[] = [];
  for (let r = n - 1; r >= 0; r--) {
    names.push(label(`${t.column("section").text(r)}: ${t.column("key").text(r)} (${t.column("kind").text(r)})`));
    xa.push(t.column("count_a").get(r) as number);
    xb.push(t.column("count_b").get(r) as number);
  }
  const bar = (name: string, x: number[], color: string) => ({
    type: "bar", orientation: "h", name: label(name), y: names, x, marker: { color },
    hovertemplate: `%{y}<br>${label(name)}: %{x:,}<extra></extra>`,
  });
  return figure({
    data: [bar(opts.nameA ?? "A", xa, "#7f7f7f"), bar(opts.nameB ?? "B", xb, "#d62728")],
    layout: layout(opts.title ?? subtitle("Biggest changes", `${t.count} changes in all`), "count", undefined, {
      barmode: "group", height: Math.max(300, 60 + 34 * n), margin: { l: 320, r: 20, t: 60, b: 50 },
    }),
    config: { responsive: true, displaylogo: false },
  });
}

/** A self-contained page: the chart and the whole table (every value escaped). */
export function diffPage(t: ResultTable, nameA: string, nameB: string): string {
  const rows = Array.from({ length: t.count }, (_, r) => t.columns.map((c) => {
    const v = t.column(c).get(r);
    return typeof v === "number" ? v : t.column(c).text(r);
  }));
  const chart = t.count > 0 ? figureHtml(diffChart(t, { nameA, nameB }), { withPlotly: true, id: "diff" }) : "<p>No changes.</p>";
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(`diff ${nameA} ${nameB}`)}</title>` +
    `<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}td.num{text-align:right}</style></head>` +
    `<body><h1>${escapeHtml(`What changed from ${nameA} to ${nameB}`)}</h1>${chart}${table(t.columns, rows as (string | number)[][])}</body></html>\n`;
}
