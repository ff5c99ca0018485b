/**
 * Port heatmap. mode "time" (default): service ports (the lower of a packet's two TCP/UDP ports)
 * × time intervals, colour = packets. mode "pairs": source port × destination port.
 * Aggregated: at most n × intervals cells, whatever the number of packets.
 */
import type { Capture } from "../table/capture";
import { figure, type Figure } from "./figure";
import { epochTimes, numbers } from "../table/bulk";
import { dateText, niceInterval, secondsText } from "./columns";
import { layout, subtitle } from "./common";
import { count, label } from "./text";

export interface PortHeatmapOptions {
  /** "time" (ports × time, default) or "pairs" (source × destination port) */
  mode?: "time" | "pairs";
  /** how many ports per axis, busiest first (default 20) */
  n?: number;
  /** mode "time": seconds per column (default: a round interval giving at most `maxIntervals`) */
  interval?: number;
  maxIntervals?: number;
  title?: string;
}

/** Per row: protocol×65536 + port for source and destination (NaN: no TCP/UDP). */
function portKeys(cap: Capture): { src: Float64Array; dst: Float64Array } {
  const src = numbers(cap, "tcp.srcport"), dst = numbers(cap, "tcp.dstport");
  const usp = numbers(cap, "udp.srcport"), udp = numbers(cap, "udp.dstport");
  for (let r = 0; r < src.length; r++) {
    if (src[r] === src[r]) { src[r] += 6 * 65536; dst[r] += 6 * 65536; }
    else if (usp[r] === usp[r]) { src[r] = usp[r] + 17 * 65536; dst[r] = udp[r] + 17 * 65536; }
  }
  return { src, dst };
}

const portName = (k: number) => `${Math.floor(k / 65536) === 6 ? "tcp" : "udp"}/${k % 65536}`;

function top(counts: Map<number, number>, n: number): number[] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n).map(([k]) => k);
}

/** `wb.plot.portHeatmap(cap, { n: 15 })`, `wb.plot.portHeatmap(cap, { mode: "pairs" })` */
export function portHeatmap(cap: Capture, opts: PortHeatmapOptions = {}): Figure {
  const n = opts.n ?? 20, mode = opts.mode ?? "time";
  const rows = cap.count;
  const { src, dst } = portKeys(cap);
  let packets = 0;
  if (mode === "pairs") {
    const cs = new Map<number, number>(), cd = new Map<number, number>();
    for (let i = 0; i < rows; i++) {
      const r = i;
      if (src[r] !== src[r]) continue;
      packets++;
      cs.set(src[r], (cs.get(src[r]) ?? 0) + 1);
      cd.set(dst[r], (cd.get(dst[r]) ?? 0) + 1);
    }
    const ys = top(cs, n), xs = top(cd, n);
    const yi = new Map(ys.map((k, i) => [k, i])), xi = new Map(xs.map((k, i) => [k, i]));
    const z = ys.map(() => new Array<number>(xs.length).fill(0));
    let shown = 0;
    for (let i = 0; i < rows; i++) {
      const r = i;
      const a = yi.get(src[r]), b = xi.get(dst[r]);
      if (a === undefined || b === undefined) continue;
      z[a][b]++;
      shown++;
    }
    const title = subtitle(opts.title ?? "Source port × destination port (packets)",
      `${count(shown)} of ${count(packets)} TCP/UDP packets: the ${ys.length} busiest source and ${xs.length} busiest destination ports`);
    return figure({
      data: [{
        type: "heatmap", x: xs.map(portName), y: ys.map(portName), z, colorscale: "Viridis",
        colorbar: { title: { text: "packets" } },
        hovertemplate: "%{y} → %{x}<br>%{z:,} packets<extra></extra>",
      }],
      layout: layout(title, "destination port", "source port", {
        height: Math.max(400, 140 + 22 * ys.length),
        xaxis: { type: "category" }, yaxis: { type: "category", autorange: "reversed" },
      }),
    });
  }
  const time = epochTimes(cap);
  const service = new Float64Array(src.length).fill(NaN);
  const per = new Map<number, number>();
  let t0 = Infinity, t1 = -Infinity;
  for (let i = 0; i < rows; i++) {
    const r = i;
    if (src[r] !== src[r] || time[r] !== time[r]) continue;
    const k = src[r] % 65536 <= dst[r] % 65536 ? src[r] : dst[r];
    service[r] = k;
    per.set(k, (per.get(k) ?? 0) + 1);
    packets++;
    if (time[r] < t0) t0 = time[r];
    if (time[r] > t1) t1 = time[r];
  }
  const ports = top(per, n);
  const at = new Map(ports.map((k, i) => [k, i]));
  const interval = opts.interval ?? niceInterval(t1 - t0, opts.maxIntervals ?? 120);
  if (!(interval > 0)) throw new RangeError(`portHeatmap: interval must be > 0 seconds (got ${interval})`);
  const start = packets > 0 ? Math.floor(t0 / interval) * interval : 0;
  const bins = packets > 0 ? Math.floor((t1 - start) / interval) + 1 : 0;
  if (bins > 10_000) throw new RangeError(`portHeatmap: ${bins} intervals of ${interval} s; choose a longer interval`);
  const z = ports.map(() => new Array<number>(bins).fill(0));
  let shown = 0;
  for (let i = 0; i < rows; i++) {
    const r = i;
    const p = at.get(service[r]);
    if (p === undefined) continue;
    z[p][Math.min(bins - 1, Math.floor((time[r] - start) / interval))]++;
    shown++;
  }
  const x = Array.from({ length: bins }, (_, b) => dateText(start + b * interval));
  const perText = secondsText(interval);
  const title = subtitle(opts.title ?? `Packets per service port and ${perText}`,
    `${count(shown)} of ${count(packets)} TCP/UDP packets: the ${ports.length} busiest of ${count(per.size)} ports (service port: the lower of source and destination)`);
  return figure({
    data: [{
      type: "heatmap", x, y: ports.map(portName), z, colorscale: "Viridis",
      colorbar: { title: { text: `packets per ${perText}` } },
      hovertemplate: "%{y}<br>%{x}<br>%{z:,} packets<extra></extra>",
    }],
    layout: layout(title, "time (UTC)", "service port", {
      height: Math.max(400, 140 + 22 * ports.length),
      xaxis: { type: "date" }, yaxis: { type: "category", autorange: "reversed" },
    }),
  });
}
