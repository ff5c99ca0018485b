/** Top talkers: the endpoints that sent and received the most, as stacked horizontal bars (sent + received). */
import type { Capture } from "../table/capture";
import { figure, type Figure } from "./figure";
import { layout, subtitle } from "./common";
import { col, isStatTable, stats, type ConvType, type StatTableLike } from "./stats";
import { count, endpointText, label } from "./text";

export interface TopTalkersOptions {
  /** how many endpoints (default 10) */
  n?: number;
  /** rank and draw by "bytes" (default) or "frames" */
  by?: "bytes" | "frames";
  /** endpoint type as tshark -z endpoints names it (default "ip") */
  type?: ConvType;
  title?: string;
}

const TYPE_NAMES: Record<ConvType, string> = { eth: "Ethernet", ip: "IPv4", ipv6: "IPv6", tcp: "TCP", udp: "UDP" };

/**
 * `wb.plot.topTalkers(cap, { n: 10, by: "bytes" })`; also takes the StatTable of
 * `wb.stats.endpoints(cap, type)`.
 */
export function topTalkers(source: Capture | StatTableLike, opts: TopTalkersOptions = {}): Figure {
  const n = opts.n ?? 10, by = opts.by ?? "bytes", type = opts.type ?? "ip";
  const t = isStatTable(source) ? source : stats().endpoints(source, type);
  const ai = col(t, "address"), pi = t.columns.indexOf("port");
  const txI = col(t, `tx_${by}`), rxI = col(t, `rx_${by}`), totI = col(t, by);
  const rows = [...t.cells].sort((a, b) => (b[totI] as number) - (a[totI] as number)).slice(0, n);
  const names = rows.map((r) => label(endpointText(r[ai], pi >= 0 ? r[pi] : null)));
  const unit = by === "bytes" ? "bytes" : "packets";
  const bar = (name: string, i: number, color: string) => ({
    type: "bar",
    orientation: "h",
    name,
    y: names,
    x: rows.map((r) => Number(r[i] ?? 0)),
    marker: { color },
    customdata: rows.map((r) => Number(r[totI] ?? 0)),
    hovertemplate: `%{y}<br>${name}: %{x:,} ${unit}<br>total: %{customdata:,} ${unit}<extra></extra>`,
  });
  const kind = isStatTable(source) ? "endpoints" : `${TYPE_NAMES[type]} endpoints`;
  const title = subtitle(opts.title ?? `Top ${rows.length} talkers by ${unit}`, `${kind}: ${rows.length} of ${count(t.cells.length)} shown`);
  return figure({
    data: [bar("sent", txI, "#1f77b4"), bar("received", rxI, "#ff7f0e")],
    layout: layout(title, unit, undefined, {
      barmode: "stack",
      height: Math.max(300, 120 + 28 * rows.length),
      yaxis: { type: "category", autorange: "reversed", automargin: true, title: { text: "endpoint" } },
      legend: { orientation: "h", y: -0.15 },
    }),
  });
}
