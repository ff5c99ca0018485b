/** Packet sizes: a histogram of frame.len, binned here (a figure holds bins, not packets). */
import type { Capture } from "../table/capture";
import { figure, type Figure } from "./figure";
import { numbers } from "../table/bulk";
import { layout, subtitle } from "./common";
import { count } from "./text";

export interface PacketSizesOptions {
  /** bytes per bin (default: a power of two giving at most `maxBins` bins) */
  binSize?: number;
  maxBins?: number;
  /** logarithmic packet axis (default false) */
  logY?: boolean;
  title?: string;
}

/** `wb.plot.packetSizes(cap, { binSize: 64 })` */
export function packetSizes(cap: Capture, opts: PacketSizesOptions = {}): Figure {
  const n = cap.count;
  const len = numbers(cap, "frame.len", 0);
  let max = 0;
  for (let i = 0; i < n; i++) { const v = len[i]; if (v > max) max = v; }
  let size = opts.binSize ?? 1;
  if (opts.binSize === undefined) while ((max + 1) / size > (opts.maxBins ?? 100)) size *= 2;
  if (!(size >= 1)) throw new RangeError(`packetSizes: binSize must be ≥ 1 byte (got ${size})`);
  const bins = Math.floor(max / size) + 1;
  const y = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) y[Math.floor(len[i] / size)]++;
  const x = y.map((_, b) => b * size + size / 2);
  const ranges = y.map((_, b) => (size === 1 ? `${b} bytes` : `${b * size}–${b * size + size - 1} bytes`));
  const title = subtitle(opts.title ?? "Packet sizes (frame.len)", `${count(n)} packets in ${bins} bins of ${size} byte${size === 1 ? "" : "s"}`);
  return figure({
    data: [{
      type: "bar", x, y, width: size, customdata: ranges, marker: { color: "#1f77b4" },
      hovertemplate: "%{customdata}<br>%{y:,} packets<extra></extra>",
    }],
    layout: layout(title, "frame length (bytes)", "packets", {
      bargap: 0.02,
      yaxis: { type: opts.logY ? "log" : "linear" },
    }),
  });
}
