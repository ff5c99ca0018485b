/**
 * Scan heatmap: for scanning sources, which destination ports they probed over time — or, from a
 * capture, probe packets (TCP without ACK: SYN, FIN, NULL, Xmas) per destination port × time
 * interval. Aggregated: at most `ports` × `maxIntervals` cells whatever the packet count.
 *
 *   wb.plot.scanHeatmap(cap)                                   // all probes of the capture
 *   wb.plot.scanHeatmap(cap, { src: "192.168.1.66" })          // one source's
 *   wb.plot.scanHeatmap(await cap.alerts())                    // the port_scan alerts' sources (needs their capture)
 */
import type { Capture } from "../table/capture";
import { figure, type Figure } from "./figure";
import { epochTimes, numbers, tableRows } from "../table/bulk";
import { dateText, niceInterval, secondsText } from "./columns";
import { layout, subtitle } from "./common";
import { count, label } from "./text";

export interface ScanHeatmapOptions {
  /** only probes from this source address */
  src?: string;
  /** ports shown (most probed first, then sorted by number); default 40 */
  ports?: number;
  /** seconds per column (default: a round interval giving at most maxIntervals) */
  interval?: number;
  maxIntervals?: number;
  title?: string;
}

interface AlertSource {
  readonly count: number;
  readonly capture?: Capture;
  column(name: string): { get(row: number): number | string | undefined };
}

function isCapture(x: unknown): x is Capture {
  return typeof x === "object" && x !== null && "storage" in x && typeof (x as Capture).filter === "function";
}

/** `wb.plot.scanHeatmap(capture | alerts, options)` */
export function scanHeatmap(input: Capture | AlertSource, opts: ScanHeatmapOptions = {}): Figure {
  let cap: Capture;
  let sources: Set<string> | undefined;
  if (isCapture(input)) cap = input;
  else {
    if (input.capture === undefined) throw new Error("scanHeatmap(alerts): the alert table has no capture; pass the capture instead");
    cap = input.capture;
    sources = new Set();
    const det = input.column("detector"), src = input.column("src");
    for (let r = 0; r < input.count; r++) if (det.get(r) === "port_scan" && typeof src.get(r) === "string" && src.get(r) !== "") sources.add(src.get(r) as string);
  }
  if (opts.src !== undefined) sources = new Set([opts.src]);
  const n = cap.count;
  const flags = numbers(cap, "tcp.flags"), dport = numbers(cap, "tcp.dstport");
  const t = epochTimes(cap);
  // source filter: the rows of the table each source sent (via display filters: IPv4 and IPv6 alike)
  let fromSrc: Uint8Array | null = null;
  if (sources !== undefined) {
    fromSrc = new Uint8Array(tableRows(cap));
    for (const s of sources) {
      const v = cap.filter(`${s.includes(":") ? "ipv6" : "ip"}.src == ${s}`);
      for (let i = 0; i < v.count; i++) fromSrc[v.baseRow(i)] = 1;
    }
  }
  const probes: number[] = [];
  let t0 = Infinity, t1 = -Infinity;
  const perPort = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = i;
    const f = flags[r];
    if (f !== f || (f & 0x10) !== 0 || (f & 0x04) !== 0 || dport[r] !== dport[r] || t[r] !== t[r]) continue;
    if (fromSrc !== null && fromSrc[cap.baseRow(r)] === 0) continue;
    probes.push(r);
    if (t[r] < t0) t0 = t[r];
    if (t[r] > t1) t1 = t[r];
    perPort.set(dport[r], (perPort.get(dport[r]) ?? 0) + 1);
  }
  const nPorts = opts.ports ?? 40;
  const ports = [...perPort].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, nPorts).map(([p]) => p).sort((a, b) => a - b);
  const pi = new Map(ports.map((p, i) => [p, i]));
  const step = opts.interval ?? niceInterval(t1 - t0, opts.maxIntervals ?? 60);
  const cols = probes.length ? Math.floor((t1 - t0) / step) + 1 : 0;
  const z = ports.map(() => new Array<number>(cols).fill(0));
  let shown = 0;
  for (const r of probes) {
    const y = pi.get(dport[r]);
    if (y === undefined) continue;
    z[y][Math.floor((t[r] - t0) / step)]++;
    shown++;
  }
  const x = Array.from({ length: cols }, (_, k) => dateText(t0 + k * step));
  const who = sources === undefined ? "all sources" : sources.size === 0 ? "no scanning source" : [...sources].map(label).join(", ");
  const title = opts.title !== undefined ? label(opts.title)
    : subtitle("Scan probes: destination port × time", `${who}; ${count(probes.length)} probes (SYN, FIN, NULL, Xmas without ACK), ${count(shown)} on the ${ports.length} ports shown; ${secondsText(step)} per column`);
  return figure({
    data: [{ type: "heatmap", x, y: ports.map((p) => `tcp/${p}`), z, colorscale: "YlOrRd", hoverongaps: false,
      hovertemplate: "%{y} at %{x}: %{z} probes<extra></extra>", colorbar: { title: { text: "probes" } } }],
    layout: layout(title, "time (UTC)", "destination port", { yaxis: { type: "category", automargin: true, title: { text: "destination port" } }, height: Math.max(320, 120 + 14 * ports.length) }),
  });
}
