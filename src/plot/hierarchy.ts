/** Protocol hierarchy as a sunburst: each ring a layer, each slice a protocol, sized by frames or bytes. */
import type { Capture } from "../table/capture";
import { figure, type Figure } from "./figure";
import { bytesText } from "./columns";
import { layout, subtitle } from "./common";
import { col, isStatTable, stats, type StatTableLike } from "./stats";
import { count, label } from "./text";

export interface HierarchyOptions {
  /** slice size: "frames" (default) or "bytes" */
  by?: "frames" | "bytes";
  title?: string;
}

/**
 * `wb.plot.protocolHierarchy(cap)`; also takes the StatTable of `wb.stats.hierarchy(cap)`
 * (columns path, protocol, depth, frames, bytes; paths joined with ":").
 */
export function protocolHierarchy(source: Capture | StatTableLike, opts: HierarchyOptions = {}): Figure {
  const by = opts.by ?? "frames";
  const t = isStatTable(source) ? source : stats().hierarchy(source);
  const pi = col(t, "path"), ni = col(t, "protocol"), fi = col(t, "frames"), bi = col(t, "bytes");
  const ids: string[] = [], labels: string[] = [], parents: string[] = [], values: number[] = [], custom: string[][] = [];
  let rootFrames = 0;
  for (const r of t.cells) {
    const path = String(r[pi]);
    const cut = path.lastIndexOf(":");
    ids.push(label(path));
    labels.push(label(r[ni]));
    parents.push(cut < 0 ? "" : label(path.slice(0, cut)));
    values.push(Number(by === "frames" ? r[fi] : r[bi]));
    custom.push([count(Number(r[fi])), bytesText(Number(r[bi]))]);
    if (cut < 0) rootFrames += Number(r[fi]);
  }
  const title = subtitle(opts.title ?? `Protocol hierarchy (by ${by})`, `${count(rootFrames)} packets, ${t.cells.length} protocol paths`);
  return figure({
    data: [{
      type: "sunburst",
      ids,
      labels,
      parents,
      values,
      branchvalues: "total",
      customdata: custom,
      hovertemplate: "<b>%{label}</b><br>%{customdata[0]} packets, %{customdata[1]}<br>%{percentRoot:.1%} of the capture<br>path: %{id}<extra></extra>",
      insidetextorientation: "radial",
    }],
    layout: layout(title, undefined, undefined, { height: 560, margin: { l: 10, r: 10, t: 70, b: 10 } }),
  });
}
