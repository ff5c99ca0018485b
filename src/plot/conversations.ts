/**
 * Conversations as a Sankey diagram: initiators (address A, left) to responders (address B,
 * right), each link as wide as the conversation's bytes (both directions). The top `n` only.
 */
import type { Capture } from "../table/capture";
import { figure, type Figure } from "./figure";
import { bytesText } from "./columns";
import { layout, subtitle } from "./common";
import { col, isStatTable, stats, type ConvType, type StatTableLike } from "./stats";
import { count, endpointText, label } from "./text";

export interface ConversationsOptions {
  /** conversation type as tshark -z conv names it (default "ip") */
  type?: ConvType;
  /** how many conversations (default 15, largest first) */
  n?: number;
  /** link width: "bytes" (default) or "frames" */
  by?: "bytes" | "frames";
  title?: string;
}

const TYPE_NAMES: Record<ConvType, string> = { eth: "Ethernet", ip: "IPv4", ipv6: "IPv6", tcp: "TCP", udp: "UDP" };

/**
 * `wb.plot.conversations(cap, { type: "tcp", n: 20 })`; also takes the StatTable of
 * `wb.stats.conversations(cap, type)`.
 */
export function conversations(source: Capture | StatTableLike, opts: ConversationsOptions = {}): Figure {
  const type = opts.type ?? "ip", n = opts.n ?? 15, by = opts.by ?? "bytes";
  const t = isStatTable(source) ? source : stats().conversations(source, type);
  const aI = col(t, "address_a"), bI = col(t, "address_b"), paI = t.columns.indexOf("port_a"), pbI = t.columns.indexOf("port_b");
  const vI = col(t, by), fab = col(t, "frames_a_to_b"), bab = col(t, "bytes_a_to_b"), fba = col(t, "frames_b_to_a"), bba = col(t, "bytes_b_to_a");
  const rows = [...t.cells].sort((x, y) => (y[vI] as number) - (x[vI] as number)).slice(0, n);
  const endpoint = (r: (number | string | null)[], ai: number, pi: number) =>
    endpointText(r[ai], pi >= 0 ? r[pi] : null);
  const nodes: string[] = [], nodeSide: string[] = [];
  const left = new Map<string, number>(), right = new Map<string, number>();
  const node = (side: Map<string, number>, name: string, sideName: string) => {
    let i = side.get(name);
    if (i === undefined) { i = nodes.length; side.set(name, i); nodes.push(label(name)); nodeSide.push(sideName); }
    return i;
  };
  const source_: number[] = [], target: number[] = [], value: number[] = [], custom: string[][] = [];
  for (const r of rows) {
    source_.push(node(left, endpoint(r, aI, paI), "address A"));
    target.push(node(right, endpoint(r, bI, pbI), "address B"));
    value.push(Number(r[vI]));
    custom.push([
      `${count(Number(r[fab]))} packets, ${bytesText(Number(r[bab]))}`,
      `${count(Number(r[fba]))} packets, ${bytesText(Number(r[bba]))}`,
    ]);
  }
  const unit = by === "bytes" ? "bytes" : "packets";
  const kind = isStatTable(source) ? "conversations" : `${TYPE_NAMES[type]} conversations`;
  const title = subtitle(opts.title ?? `Top ${rows.length} ${kind} by ${unit}`,
    `${rows.length} of ${count(t.cells.length)} shown; left: address A, right: address B; width: ${unit} both ways`);
  return figure({
    data: [{
      type: "sankey",
      arrangement: "snap",
      node: {
        label: nodes,
        customdata: nodeSide,
        pad: 12,
        thickness: 14,
        hovertemplate: "%{label} (%{customdata})<br>%{value:,} " + unit + "<extra></extra>",
      },
      link: {
        source: source_,
        target,
        value,
        customdata: custom,
        hovertemplate: "%{source.label} ⇄ %{target.label}<br>%{value:,} " + unit +
          "<br>A→B: %{customdata[0]}<br>B→A: %{customdata[1]}<extra></extra>",
      },
    }],
    layout: layout(title, undefined, undefined, { height: Math.max(400, 60 + 30 * rows.length), font: { size: 11 } }),
  });
}
