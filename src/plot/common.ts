/** Layout pieces shared by the chart builders. */
import type { Layout } from "./figure";

/** A layout with a title (Plotly text: escape data-derived parts with label() first) and axis titles. */
export function layout(title: string, x?: string, y?: string, extra: Layout = {}): Layout {
  const l: Layout = {
    title: { text: title, x: 0.02, xanchor: "left", font: { size: 16 } },
    margin: { l: 70, r: 20, t: 60, b: 60 },
    hoverlabel: { namelength: -1 },
    ...extra,
  };
  if (x !== undefined) l.xaxis = { title: { text: x }, automargin: true, ...(extra.xaxis as object | undefined) };
  if (y !== undefined) l.yaxis = { title: { text: y }, automargin: true, ...(extra.yaxis as object | undefined) };
  return l;
}

/** A short note appended to a title in smaller type (sampling, aggregation). */
export function subtitle(title: string, note: string): string {
  return note === "" ? title : `${title}<br><span style="font-size:12px">${note}</span>`;
}
