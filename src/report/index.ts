/**
 * `wirebook report`: one self-contained, offline HTML file about a capture. plotly.js is inlined
 * once (gzipped, as the notebook does); every chart is a Figure from src/plot drawn by the
 * figure HTML of src/html (shared with the notebook); every value from the capture is escaped; a Content-Security-Policy
 * forbids loading anything.
 */
import * as path from "path";
import type { Capture } from "../table/capture";
import type { FlowTable } from "../flows/table";
import { escapeHtml } from "../html/escape";
import { figureHtml, plotlyLoaderScript } from "../html/figure";
import type { Figure } from "../plot/figure";
import { conversations } from "../plot/conversations";
import { flowScatter } from "../plot/flowscatter";
import { protocolHierarchy } from "../plot/hierarchy";
import { packetSizes } from "../plot/sizes";
import { portHeatmap } from "../plot/ports";
import { topTalkers } from "../plot/talkers";
import { trafficOverTime } from "../plot/traffic";
import { bytesText, secondsText } from "../plot/columns";
import { col, stats, type StatTableLike } from "../plot/stats";
import { CSP, STYLE, keyValues, table, type CellValue } from "./html";
import type { ResultTable } from "../result/table";

export interface ReportOptions {
  /** the report's title (default "Wirebook report: FILE") */
  title?: string;
  /** called before each step ("protocol hierarchy", …): progress for a terminal */
  onStep?: (step: string, done: number, total: number) => void;
  /** the flows, when already computed */
  flows?: FlowTable;
  /** rows in each top-N table (default 10) */
  topN?: number;
  /** what stands out (`await capture.insights()`, src/enrich): shown as a section when given */
  insights?: ResultTable;
}

/** Packet fields the report reads (open(file, { columns: REPORT_FIELDS }) loads only these). */
export const REPORT_FIELDS = ["frame.len", "frame.cap_len", "eth.src", "eth.dst", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
  "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "dns.qry.name", "http.host", "http.request.uri",
  "http.user_agent", "tls.handshake.extensions_server_name"];

const CONN_STATES: Record<string, string> = {
  S0: "attempt seen, no reply", S1: "established, not terminated", SF: "normal establishment and termination",
  REJ: "attempt rejected", S2: "established, originator's close attempt unanswered", S3: "established, responder's close attempt unanswered",
  RSTO: "originator aborted (RST)", RSTR: "responder aborted (RST)", RSTOS0: "originator SYN then RST, no SYN-ACK",
  RSTRH: "responder SYN-ACK then RST, no SYN", SH: "originator SYN then FIN, no SYN-ACK", SHR: "responder SYN-ACK then FIN, no SYN",
  OTH: "no SYN seen (midstream)",
};

const iso = (t?: number) => (t === undefined ? "n/a" : new Date(Math.floor(t * 1000)).toISOString().replace("T", " ").replace("Z", " UTC"));

class Page {
  private figures = 0;
  readonly parts: string[] = [];
  readonly nav: [string, string][] = [];
  section(id: string, title: string, body: string): void {
    this.nav.push([id, title]);
    this.parts.push(`<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`);
  }
  figure(fig: Figure): string {
    this.figures++;
    return figureHtml(fig, { withPlotly: false, id: `wb-fig-${this.figures}` });
  }
  get figureCount(): number {
    return this.figures;
  }
}

function statRows(t: StatTableLike, cols: string[]): CellValue[][] {
  const idx = cols.map((c) => col(t, c));
  return t.cells.map((r) => idx.map((i) => r[i]));
}

/** The report of a capture as one HTML document. */
export function buildReport(cap: Capture, opts: ReportOptions = {}): string {
  const steps = ["summary", "protocol hierarchy", "traffic over time", "top talkers", "conversations", "DNS, HTTP, TLS", "ports and sizes", "flows", "page"];
  let stepNo = 0;
  const step = (name: string) => opts.onStep?.(name, stepNo++, steps.length);
  const n = opts.topN ?? 10;
  const st = stats();
  const page = new Page();
  const file = path.basename(cap.path);
  const title = opts.title ?? `Wirebook report: ${file}`;

  step("summary");
  const s = cap.summary();
  const protoRows = s.protocols.slice(0, 30).map((p) => [p.protocol, p.packets, s.packets > 0 ? `${((100 * p.packets) / s.packets).toFixed(1)}%` : ""]);
  page.section("summary", "Summary", `<div class="grid"><div>${keyValues([
    ["File name", s.file],
    ["File format", s.format],
    ["Link types", s.linkTypes.join(", ")],
    ["Packets", s.packets],
    ["Bytes on the wire", `${s.bytes.toLocaleString("en-US")} (${bytesText(s.bytes)})`],
    ["Bytes captured", s.capturedBytes],
    ["First packet", iso(s.first)],
    ["Last packet", iso(s.last)],
    ["Duration", `${s.duration.toFixed(6)} s`],
    ["Average packet rate", s.duration > 0 ? `${(s.packets / s.duration).toFixed(1)} packets/s` : "n/a"],
    ["Average bit rate", s.duration > 0 ? `${((8 * s.bytes) / s.duration / 1e6).toFixed(3)} Mbit/s` : "n/a"],
    ["Malformed packets", s.malformed],
    ...s.warnings.slice(0, 10).map((w): [string, CellValue] => ["Warning", w]),
  ])}</div><div><h3>Packets per protocol</h3>${table(["protocol", "packets", "share"], protoRows, {
    numeric: [1, 2], caption: s.protocols.length > 30 ? `${s.protocols.length - 30} more protocols not shown` : undefined,
  })}</div></div>`);

  step("protocol hierarchy");
  const h = st.hierarchy(cap);
  const hi = { path: col(h, "path"), protocol: col(h, "protocol"), depth: col(h, "depth"), frames: col(h, "frames"), bytes: col(h, "bytes") };
  const rootFrames = h.cells.filter((r) => Number(r[hi.depth]) === 0).reduce((a, r) => a + Number(r[hi.frames]), 0);
  page.section("hierarchy", "Protocol hierarchy", `<div class="grid"><div>${page.figure(protocolHierarchy(h))}</div><div>${table(
    ["protocol", "packets", "% packets", "bytes"],
    h.cells.map((r) => [r[hi.protocol], r[hi.frames], rootFrames > 0 ? `${((100 * Number(r[hi.frames])) / rootFrames).toFixed(2)}%` : "", r[hi.bytes]]),
    { numeric: [1, 2, 3], indent: h.cells.map((r) => Number(r[hi.depth])), caption: "As tshark -z io,phs: a packet counts once under each protocol of its stack." },
  )}</div></div>`);

  step("traffic over time");
  page.section("traffic", "Traffic over time", page.figure(trafficOverTime(cap)) + page.figure(trafficOverTime(cap, { metric: "packets", stackBy: "none", mode: "bar" })));

  step("top talkers");
  const ep4 = st.endpoints(cap, "ip"), ep6 = st.endpoints(cap, "ipv6");
  const epCols = ["address", "frames", "bytes", "tx_bytes", "rx_bytes"];
  const epHead = ["address", "packets", "bytes", "sent bytes", "received bytes"];
  const epTable = (t: StatTableLike, what: string) => t.cells.length === 0 ? `<p class="empty">no ${what} endpoints</p>` :
    table(epHead, statRows(t, epCols).sort((a, b) => Number(b[2]) - Number(a[2])).slice(0, n), { numeric: [1, 2, 3, 4], caption: `${n} of ${t.cells.length} ${what} endpoints, by bytes` });
  page.section("talkers", "Top talkers", `${page.figure(topTalkers(ep4.cells.length > 0 || ep6.cells.length === 0 ? ep4 : ep6, { n, title: `Top ${n} ${ep4.cells.length > 0 || ep6.cells.length === 0 ? "IPv4" : "IPv6"} talkers by bytes` }))}` +
    `<div class="grid"><div><h3>IPv4</h3>${epTable(ep4, "IPv4")}</div><div><h3>IPv6</h3>${epTable(ep6, "IPv6")}</div></div>`);

  step("conversations");
  const cip = st.conversations(cap, "ip"), ctcp = st.conversations(cap, "tcp"), cudp = st.conversations(cap, "udp");
  const cvCols = ["address_a", "port_a", "address_b", "port_b", "frames_a_to_b", "bytes_a_to_b", "frames_b_to_a", "bytes_b_to_a", "frames", "bytes", "rel_start", "duration"];
  const cvHead = ["address A", "port A", "address B", "port B", "packets A→B", "bytes A→B", "packets B→A", "bytes B→A", "packets", "bytes", "start (s)", "duration (s)"];
  const cvTable = (t: StatTableLike, what: string, ports: boolean) => {
    if (t.cells.length === 0) return `<p class="empty">no ${what} conversations</p>`;
    const rows = statRows(t, cvCols).sort((a, b) => Number(b[9]) - Number(a[9])).slice(0, n);
    const keep = ports ? cvHead.map((_, i) => i) : cvHead.map((_, i) => i).filter((i) => i !== 1 && i !== 3);
    return table(keep.map((i) => cvHead[i]), rows.map((r) => keep.map((i) => r[i])), {
      numeric: keep.map((c, i) => (c >= 4 || c === 1 || c === 3 ? i : -1)).filter((i) => i >= 0),
      caption: `${Math.min(n, t.cells.length)} of ${t.cells.length} ${what} conversations, by bytes (as tshark -z conv)`,
    });
  };
  page.section("conversations", "Conversations", page.figure(conversations(cip, { n: 15, title: "Top 15 IPv4 conversations by bytes" })) +
    `<h3>IPv4</h3>${cvTable(cip, "IPv4", false)}<h3>TCP</h3>${cvTable(ctcp, "TCP", true)}<h3>UDP</h3>${cvTable(cudp, "UDP", true)}`);

  step("DNS, HTTP, TLS");
  const top = (field: string, head: string, what: string) => {
    const t = st.topN(cap, field, n, "frames");
    if (t.cells.length === 0) return `<div><h3>${escapeHtml(head)}</h3><p class="empty">no ${escapeHtml(what)} in this capture</p></div>`;
    const rows = statRows(t, ["value", "frames", "bytes", "share"]).map((r) => [r[0], r[1], r[2], `${(100 * Number(r[3])).toFixed(1)}%`]);
    return `<div><h3>${escapeHtml(head)}</h3>${table([what, "packets", "bytes", "share"], rows, { numeric: [1, 2, 3], className: "data names", caption: `field ${field}; share of the packets that carry it` })}</div>`;
  };
  page.section("names", "DNS, HTTP and TLS highlights", `<div class="grid">${[
    top("dns.qry.name", "Top DNS query names", "name"),
    top("http.host", "Top HTTP hosts", "host"),
    top("tls.handshake.extensions_server_name", "Top TLS server names (SNI)", "server name"),
    top("http.request.uri", "Top HTTP request URIs", "URI"),
    top("http.user_agent", "Top HTTP user agents", "user agent"),
  ].join("")}</div>`);

  step("ports and sizes");
  page.section("ports", "Ports and packet sizes", page.figure(portHeatmap(cap, { n: 15 })) + page.figure(packetSizes(cap)));

  step("flows");
  const flows = opts.flows ?? cap.flows();
  const state = flows.column("conn_state"), proto = flows.column("proto");
  const states = new Map<string, number>(), protos = new Map<string, number>();
  for (let r = 0; r < flows.count; r++) {
    const sv = String(state.get(r) ?? "-"), pv = String(proto.get(r) ?? "-");
    states.set(sv, (states.get(sv) ?? 0) + 1);
    protos.set(pv, (protos.get(pv) ?? 0) + 1);
  }
  const share = (x: number) => (flows.count > 0 ? `${((100 * x) / flows.count).toFixed(1)}%` : "");
  page.section("flows", "Flows", `<p class="note">${flows.count.toLocaleString("en-US")} connections, tracked as Zeek's conn.log.</p><div class="grid"><div>` +
    `<h3>Connection states</h3>${table(["conn_state", "meaning", "flows", "share"],
      [...states].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, CONN_STATES[k] ?? "", v, share(v)]), { numeric: [2, 3] })}` +
    `<h3>Transports</h3>${table(["proto", "flows", "share"], [...protos].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v, share(v)]), { numeric: [1, 2] })}` +
    `</div><div>${page.figure(flowScatter(flows))}</div></div>`);

  if (opts.insights !== undefined) {
    const t = opts.insights, cols = ["severity", "observation", "evidence", "filter"];
    page.section("insights", "What stands out", table(cols, Array.from({ length: t.count }, (_, r) => cols.map((c) => t.column(c).text(r))),
      { caption: "Ranked: warnings, then notices, then information; each filter shows the packets (Wireshark or tshark -Y)." }));
  }
  step("page");
  const nav = page.nav.map(([id, t]) => `<a href="#${escapeHtml(id)}">${escapeHtml(t)}</a>`).join("");
  const subtitle = `${s.packets.toLocaleString("en-US")} packets, ${bytesText(s.bytes)} over ${secondsText(s.duration)} · ${file}`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<meta name="generator" content="wirebook report">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body data-figures="${page.figureCount}">`,
    `<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>`,
    `<nav>${nav}</nav>`,
    plotlyLoaderScript(),
    "<main>",
    ...page.parts,
    "</main>",
    `<footer>Generated by wirebook report on ${escapeHtml(new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"))}. Self-contained: works offline; nothing is loaded from the network.</footer>`,
    "</body></html>",
    "",
  ].join("\n");
}
