/**
 * A Capture as a summary card (file, packets, bytes, time span, link types, protocols) and its
 * first rows, read straight from the columns (no danfo).
 */
import { escapeHtml } from "../html/escape";
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

const SUMMARY = Symbol.for("wirebook.captureSummary");

/** True for what `capture.summary()` returns (it leads back to its capture, for the card). */
export function isCaptureSummary(x: unknown): x is CaptureSummary {
  return typeof x === "object" && x !== null && isCapture((x as { [SUMMARY]?: unknown })[SUMMARY]);
}

/** The capture a summary was made from. */
export function summaryCapture(s: CaptureSummary): CaptureLike {
  return (s as unknown as { [SUMMARY]: CaptureLike })[SUMMARY];
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

/**
 * The head of a capture as Wireshark's packet list: No., Time, Source, Destination, Protocol,
 * Length, Info, each from the first present field of its list.
 */
export const HEAD_COLUMNS: Array<[string, string[]]> = [
  ["No.", ["frame.number"]],
  ["Time", ["frame.time_relative"]],
  ["Source", ["ip.src", "ipv6.src", "arp.src.proto_ipv4", "eth.src"]],
  ["Destination", ["ip.dst", "ipv6.dst", "arp.dst.proto_ipv4", "eth.dst"]],
  ["Protocol", ["_ws.col.protocol", "frame.protocols"]],
  ["Length", ["frame.len"]],
  ["Info", ["_ws.col.info"]],
];

function headCell(cap: CaptureLike, label: string, fields: string[], row: number): string {
  for (const f of fields) {
    if (!cap.columns.includes(f)) continue;
    const t = String(cap.column(f).text(row) ?? "");
    if (t === "") continue;
    if (f === "frame.protocols") return (t.split(":").pop() ?? t).toUpperCase();
    return t;
  }
  if (label === "Info") {
    const port = (a: string, b: string) => {
      const x = cap.columns.includes(a) ? String(cap.column(a).text(row) ?? "") : "";
      const y = cap.columns.includes(b) ? String(cap.column(b).text(row) ?? "") : "";
      return x !== "" || y !== "" ? `${x} → ${y}` : "";
    };
    const tcp = port("tcp.srcport", "tcp.dstport");
    if (tcp) {
      const flags = cap.columns.includes("tcp.flags.str") ? ` ${cap.column("tcp.flags.str").text(row)}` : "";
      const len = cap.columns.includes("tcp.len") ? ` Len=${cap.column("tcp.len").text(row)}` : "";
      return `${tcp}${flags}${len}`;
    }
    const udp = port("udp.srcport", "udp.dstport");
    if (udp) return `${udp}${cap.columns.includes("udp.length") ? ` Len=${cap.column("udp.length").text(row)}` : ""}`;
  }
  return "";
}

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
  const n = Math.min(rows, cap.count);
  const out: string[][] = [];
  for (let r = 0; r < n; r++) out.push(HEAD_COLUMNS.map(([label, fields]) => headCell(cap, label, fields, r)));
  return {
    columns: HEAD_COLUMNS.map(([label]) => label),
    dtypes: HEAD_COLUMNS.map(() => ""),
    labels: out.map((_, i) => i),
    rows: out,
    nRows: cap.count,
    kind: "Capture",
  };
}

export function captureBundle(cap: CaptureLike, options: { head?: number; summary?: CaptureSummary } = {}): MimeBundle {
  const s = options.summary ?? cap.summary();
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
