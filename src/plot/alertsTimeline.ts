/**
 * Alerts timeline: one marker per alert, time across, detector (or signature source) down, colour
 * by severity, size by the packets behind it; hover shows source → destination and the summary.
 * Takes any table with the alert columns (src/detect AlertTable, eve alerts, both concatenated).
 */
import { figure, type Figure } from "./figure";
import { dateText } from "./columns";
import { layout, subtitle } from "./common";
import { count, label } from "./text";

/** What the chart reads of an alert table (src/detect/alerts.ts AlertTable has it). */
export interface AlertsLike {
  readonly count: number;
  column(name: string): { get(row: number): number | string | undefined };
}

export interface AlertsTimelineOptions {
  title?: string;
  /** y axis: "detector" (default) or "src" (the attackers) */
  by?: "detector" | "src";
}

const SEVERITY = [
  { level: 1, name: "high", color: "#d62728" },
  { level: 2, name: "medium", color: "#ff7f0e" },
  { level: 3, name: "low", color: "#1f77b4" },
];

/** `wb.plot.alertsTimeline(await cap.alerts())` */
export function alertsTimeline(alerts: AlertsLike, opts: AlertsTimelineOptions = {}): Figure {
  const by = opts.by ?? "detector";
  const ts = alerts.column("ts"), det = alerts.column("detector"), sev = alerts.column("severity"), src = alerts.column("src");
  const dst = alerts.column("dst"), sum = alerts.column("summary");
  const pk = (() => { try { return alerts.column("packets"); } catch { return undefined; } })();
  const data = SEVERITY.map((s) => {
    const x: string[] = [], y: string[] = [], text: string[] = [], size: number[] = [];
    for (let r = 0; r < alerts.count; r++) {
      const v = Number(sev.get(r) ?? 3);
      if ((v <= 1 ? 1 : v >= 3 ? 3 : 2) !== s.level) continue;
      const t = ts.get(r);
      if (typeof t !== "number") continue;
      x.push(dateText(t));
      const who = by === "src" ? src.get(r) ?? "(no single source)" : det.get(r) ?? "";
      y.push(label(who));
      const n = Number(pk?.get(r) ?? 1);
      size.push(8 + Math.min(22, 4 * Math.log2(Math.max(1, n))));
      text.push(`<b>${label(det.get(r) ?? "")}</b> ${label(src.get(r) ?? "")} → ${label(dst.get(r) ?? "")}<br>${label(sum.get(r) ?? "")}` +
        (pk ? `<br>${count(n)} packets` : ""));
    }
    return { type: "scatter", mode: "markers", name: s.name, x, y, text, hovertemplate: "%{x}<br>%{text}<extra></extra>",
      marker: { color: s.color, size, opacity: 0.8, line: { width: 1, color: "#333" } } };
  }).filter((tr) => tr.x.length > 0);
  const title = opts.title !== undefined ? label(opts.title) : subtitle("Alerts over time", `${count(alerts.count)} alerts; colour: severity, size: packets`);
  return figure({
    data,
    layout: layout(title, "time (UTC)", by === "src" ? "source" : "detector", {
      yaxis: { type: "category", automargin: true, title: { text: by === "src" ? "source" : "detector" } },
      legend: { title: { text: "severity" } }, height: 200 + 30 * new Set(data.flatMap((d) => d.y)).size,
    }),
  });
}
