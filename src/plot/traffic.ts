/**
 * Traffic over time: bytes (or packets) per interval, stacked by the packets' highest protocol.
 * Always aggregated: a figure holds (intervals × series) points, never one point per packet.
 */
import type { Capture } from "../table/capture";
import { figure, type Figure, type Trace } from "./figure";
import { epochTimes, numbers, pathIds } from "../table/bulk";
import { dateText, niceInterval, secondsText } from "./columns";
import { layout, subtitle } from "./common";
import { col, isStatTable, type StatTableLike } from "./stats";
import { count, label } from "./text";

export interface TrafficOptions {
  /** seconds per bar/point; default: a round interval giving at most `maxIntervals` */
  interval?: number;
  /** at most this many intervals when `interval` is not given (default 200) */
  maxIntervals?: number;
  /** "protocol" (default): one series per highest protocol; "none": one series */
  stackBy?: "protocol" | "none";
  /** what is summed (default "bytes") */
  metric?: "bytes" | "packets";
  /** series beyond this many (largest first) are summed into "other" (default 8) */
  maxSeries?: number;
  /** "area" (default) or "bar" */
  mode?: "area" | "bar";
  title?: string;
}

/** The aggregated data behind the chart (exported for tests and the report). */
export interface TrafficData {
  interval: number;
  /** epoch seconds of the first interval's start */
  start: number;
  series: string[];
  /** values[s][b]: the metric of series s in interval b */
  values: Float64Array[];
  packets: number;
}

/** The highest protocol of each protocol path ("eth:ethertype:ip:tcp:tls" → "tls"). */
function topProtocol(path: string): string {
  if (path === "") return "(undecoded)";
  const i = path.lastIndexOf(":");
  return i < 0 ? path : path.slice(i + 1);
}

export function trafficData(cap: Capture, opts: TrafficOptions = {}): TrafficData {
  const n = cap.count;
  const time = epochTimes(cap), len = numbers(cap, "frame.len", 0);
  const bytes = (opts.metric ?? "bytes") === "bytes";
  const { ids: pathOf, paths } = pathIds(cap);
  let t0 = Infinity, t1 = -Infinity, timed = 0;
  const perPath = new Float64Array(paths.length);
  for (let i = 0; i < n; i++) {
    const r = i;
    const x = time[r];
    if (x !== x) continue;
    timed++;
    if (x < t0) t0 = x;
    if (x > t1) t1 = x;
    perPath[pathOf[r]] += bytes ? len[r] : 1;
  }
  if (timed === 0) return { interval: opts.interval ?? 1, start: 0, series: [], values: [], packets: 0 };
  const interval = opts.interval ?? niceInterval(t1 - t0, opts.maxIntervals ?? 200);
  if (!(interval > 0)) throw new RangeError(`trafficOverTime: interval must be > 0 seconds (got ${interval})`);
  const start = Math.floor(t0 / interval) * interval;
  const bins = Math.floor((t1 - start) / interval) + 1;
  if (bins > 100_000) throw new RangeError(`trafficOverTime: ${bins} intervals of ${interval} s; choose a longer interval`);
  // series: highest protocols, largest first; the rest are "other"
  const seriesOfPath = new Int32Array(perPath.length);
  let names: string[];
  if ((opts.stackBy ?? "protocol") === "none") names = [bytes ? "bytes" : "packets"];
  else {
    const totals = new Map<string, number>();
    for (let p = 0; p < perPath.length; p++) {
      if (perPath[p] === 0) continue;
      const name = topProtocol(paths[p]);
      totals.set(name, (totals.get(name) ?? 0) + perPath[p]);
    }
    const ranked = [...totals].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    const max = Math.max(1, opts.maxSeries ?? 8);
    names = ranked.length > max ? [...ranked.slice(0, max - 1), "other"] : ranked;
    const at = new Map(names.map((s, i) => [s, i]));
    for (let p = 0; p < perPath.length; p++) seriesOfPath[p] = at.get(topProtocol(paths[p])) ?? names.length - 1;
  }
  const acc = new Float64Array(names.length * bins);
  for (let i = 0; i < n; i++) {
    const r = i;
    const x = time[r];
    if (x !== x) continue;
    const b = Math.min(bins - 1, Math.floor((x - start) / interval));
    acc[seriesOfPath[pathOf[r]] * bins + b] += bytes ? len[r] : 1;
  }
  const values = names.map((_, s) => acc.subarray(s * bins, (s + 1) * bins));
  return { interval, start, series: names, values, packets: timed };
}

/**
 * Bytes or packets per interval, stacked by protocol:
 * `wb.plot.trafficOverTime(cap, { interval: 1, metric: "packets", mode: "bar" })`.
 * Also takes the StatTable of `wb.stats.ioStat(cap, interval, { by })` (x: interval_start in
 * seconds from the first packet; one trace per series column).
 */
export function trafficOverTime(source: Capture | StatTableLike, opts: TrafficOptions = {}): Figure {
  const metric = opts.metric ?? "bytes";
  const unit = metric === "bytes" ? "bytes" : "packets";
  const bar = opts.mode === "bar";
  const trace = (name: string, x: ArrayLike<unknown>, y: ArrayLike<number>): Trace => ({
    type: bar ? "bar" : "scatter",
    ...(bar ? {} : { mode: "lines", stackgroup: "traffic", line: { width: 0.5 } }),
    name,
    x,
    y: Array.from(y),
    hovertemplate: `${name}: %{y:,.0f} ${unit}<extra></extra>`,
  });
  if (isStatTable(source)) {
    const xi = col(source, "interval_start");
    const skip = new Set(["interval_start", "interval_end", "frames", "bytes"]);
    const seriesCols = source.columns.map((c, i) => [c, i] as const).filter(([c]) => !skip.has(c));
    const x = source.cells.map((r) => r[xi] as number);
    const cols = seriesCols.length > 0 ? seriesCols : [[metric === "bytes" ? "bytes" : "frames", col(source, metric === "bytes" ? "bytes" : "frames")] as const];
    const data = cols.map(([c, i]) => trace(label(c), x, source.cells.map((r) => Number(r[i] ?? 0))));
    const step = x.length > 1 ? x[1] - x[0] : undefined;
    return figure({
      data,
      layout: layout(opts.title ?? `Traffic over time${step ? ` (per ${secondsText(step)})` : ""}`, "time since the first packet (s)",
        step ? `per ${secondsText(step)}` : "per interval", { hovermode: "x unified", barmode: "stack" }),
    });
  }
  const d = trafficData(source, opts);
  const bins = d.values[0]?.length ?? 0;
  const x = new Array<string>(bins);
  for (let b = 0; b < bins; b++) x[b] = dateText(d.start + b * d.interval);
  const per = secondsText(d.interval);
  const data = d.series.map((s, i) => trace(label(s), x, d.values[i]));
  const stacked = (opts.stackBy ?? "protocol") === "protocol" ? ", stacked by highest protocol" : "";
  const title = subtitle(opts.title ?? `Traffic over time (${unit} per ${per}${stacked})`,
    `${count(d.packets)} packets in ${count(bins)} intervals of ${per}`);
  return figure({
    data,
    layout: layout(title, "time (UTC)", `${unit} per ${per}`, {
      hovermode: "x unified",
      barmode: "stack",
      bargap: 0,
      xaxis: { type: "date" },
      legend: { title: { text: "protocol" } },
    }),
  });
}
