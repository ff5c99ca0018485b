/**
 * A Capture as a summary card (file, packets, bytes, time span, link types, protocols) and its
 * first rows, read straight from the columns (no danfo).
 */
import { escapeHtml } from "./escape";
import { MIME, MimeBundle } from "./mime";
import { Grid, gridHtml, gridText } from "./table";

/** The parts of a Capture this module reads (see src/table). */
export interface CaptureLike {
  path: string;
  count: number;
  columns: string[];
  warnings?: string[];
  column(name: string): { text(row: number): string };
  summary(): CaptureSummary;
}

export interface CaptureSummary {
  file: string;
  packets: number;
  bytes: number;
  first?: number;
  last?: number;
  duration: number;
  linkTypes: string[];
  protocols: { protocol: string; packets: number }[];
}

export function isCapture(x: unknown): x is CaptureLike {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.summary === "function" &&
    typeof o.column === "function" &&
    typeof o.count === "number" &&
    Array.isArray(o.columns) &&
    typeof o.path === "string"
  );
}

/** Columns shown in a capture's head, in this order, when present. */
export const HEAD_COLUMNS = [
  "frame.number",
  "frame.time_relative",
  "eth.src",
  "eth.dst",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "frame.protocols",
  "_ws.col.protocol",
  "tcp.srcport",
  "tcp.dstport",
  "udp.srcport",
  "udp.dstport",
  "frame.len",
  "_ws.col.info",
];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 1) return `${(seconds * 1000).toFixed(1)} ms`;
  if (seconds < 120) return `${seconds.toFixed(2)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

function isoTime(epoch?: number): string {
  if (epoch === undefined || !Number.isFinite(epoch)) return "";
  try {
    return new Date(epoch * 1000).toISOString().replace("T", " ").replace("Z", " UTC");
  } catch {
    return String(epoch);
  }
}

export function captureHead(cap: CaptureLike, rows = 10): Grid {
  let cols = HEAD_COLUMNS.filter((c) => cap.columns.includes(c));
  if (cols.length < 3) cols = cap.columns.slice(0, 10);
  const n = Math.min(rows, cap.count);
  const accessors = cols.map((c) => cap.column(c));
  const out: string[][] = [];
  for (let r = 0; r < n; r++) out.push(accessors.map((a) => String(a.text(r) ?? "")));
  return {
    columns: cols,
    dtypes: cols.map(() => ""),
    labels: out.map((_, i) => i),
    rows: out,
    nRows: cap.count,
    kind: "Capture",
  };
}

export function captureBundle(cap: CaptureLike, options: { head?: number } = {}): MimeBundle {
  const s = cap.summary();
  const protocols = [...s.protocols].sort((a, b) => b.packets - a.packets).slice(0, 12);
  const span = s.first !== undefined ? `${isoTime(s.first)} → ${isoTime(s.last)}` : "";
  const facts: Array<[string, string]> = [
    ["file", s.file],
    ["packets", s.packets.toLocaleString("en-US")],
    ["bytes", formatBytes(s.bytes)],
    ["time span", span ? `${span} (${formatDuration(s.duration)})` : formatDuration(s.duration)],
    ["link types", s.linkTypes.join(", ")],
    ["protocols", protocols.map((p) => `${p.protocol} ${p.packets.toLocaleString("en-US")}`).join(", ")],
  ];
  const warnings = cap.warnings ?? [];
  if (warnings.length > 0) facts.push(["warnings", `${warnings.length}: ${warnings.slice(0, 3).join("; ")}${warnings.length > 3 ? " …" : ""}`]);
  const head = captureHead(cap, options.head ?? 10);
  const html =
    `<div class="wirebook-capture">` +
    `<table class="wirebook-card" style="border-collapse:collapse;font-size:12px;margin-bottom:6px">` +
    facts
      .map(
        ([k, v]) =>
          `<tr><th style="text-align:left;padding:1px 10px 1px 0;color:#555;font-weight:600">${escapeHtml(k)}</th>` +
          `<td style="text-align:left;padding:1px 0">${escapeHtml(v)}</td></tr>`,
      )
      .join("") +
    `</table>` +
    gridHtml(head, `first ${head.rows.length} of ${cap.count.toLocaleString("en-US")} packets; ${cap.columns.length} columns`) +
    `</div>`;
  const text = [
    `Capture ${s.file}`,
    ...facts.slice(1).map(([k, v]) => `  ${k}: ${v}`),
    "",
    gridText(head),
  ].join("\n");
  return { [MIME.html]: html, [MIME.plain]: text };
}
