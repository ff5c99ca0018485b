/**
 * The TCP sequence graph of one connection (tcptrace / Stevens style): relative sequence number of
 * every segment against time, for both directions, with the acknowledgements of the other side.
 */
import type { Capture } from "../table/capture";
import type { FlowTable } from "../flows/table";
import { figure, type Figure, type Trace } from "./figure";
import { epochTimes, numbers } from "../table/bulk";
import { layout, subtitle } from "./common";
import { endpointKeys } from "./stats";
import { count, endpointText, label } from "./text";

export interface TcpSequenceOptions {
  /** the flows to look a uid up in (default: `cap.flows()`) */
  flows?: FlowTable;
  /** most points per trace (default 20000; above it the figure keeps every k-th segment and says so) */
  maxPoints?: number;
  title?: string;
}

const UID = /^C[0-9A-Za-z]{8,}$/;

/**
 * `wb.plot.tcpSequence(cap, "CHhAvVGS1DHFjwGM9")` (a flow uid from `cap.flows()`), or a display
 * filter selecting the connection: `wb.plot.tcpSequence(cap, "tcp.port == 51234")`. When the
 * packets selected hold several connections, the first TCP packet's connection is drawn.
 */
export function tcpSequence(cap: Capture, selector: string, opts: TcpSequenceOptions = {}): Figure {
  const view = UID.test(selector) ? (opts.flows ?? cap.flows()).packetsOf(selector) : cap.filter(selector);
  const n = view.count;
  const k = endpointKeys(view, "tcp");
  const seq = numbers(view, "tcp.seq_raw"), ack = numbers(view, "tcp.ack_raw"), len = numbers(view, "tcp.len");
  const flags = numbers(view, "tcp.flags"), time = epochTimes(view);
  let a = NaN, b = NaN;
  for (let i = 0; i < n && a !== a; i++) {
    const r = i;
    if (k.src[r] === k.src[r]) { a = k.src[r]; b = k.dst[r]; }
  }
  if (a !== a) throw new Error(`tcpSequence: no TCP packet matches ${JSON.stringify(selector)}`);
  // rows of the connection, each direction; ISN = first sequence number seen in a direction
  const fwd: number[] = [], rev: number[] = [];
  let t0 = NaN;
  for (let i = 0; i < n; i++) {
    const r = i;
    if (k.src[r] === a && k.dst[r] === b) fwd.push(r);
    else if (k.src[r] === b && k.dst[r] === a) rev.push(r);
    else continue;
    if (t0 !== t0) t0 = time[r];
  }
  const isnA = seq[fwd[0]], isnB = rev.length > 0 ? seq[rev[0]] : NaN;
  const max = opts.maxPoints ?? 20000;
  let sampled = 1;
  const thin = (rows: number[]) => {
    if (rows.length <= max) return rows;
    const step = Math.ceil(rows.length / max);
    sampled = Math.max(sampled, step);
    return rows.filter((_, i) => i % step === 0 || i === rows.length - 1);
  };
  const rel = (x: number, isn: number) => (x - isn + 4294967296) % 4294967296;
  const flagText = (f: number) => ["FIN", "SYN", "RST", "PSH", "ACK", "URG"].filter((_, i) => (f & (1 << i)) !== 0).join(",");
  const nameA = label(endpointText(k.address(a), k.port(a))), nameB = label(endpointText(k.address(b), k.port(b)));
  const segTrace = (rows: number[], isn: number, name: string, color: string): Trace => {
    const rs = thin(rows);
    return {
      type: "scatter", mode: "markers", name,
      x: rs.map((r) => time[r] - t0),
      y: rs.map((r) => rel(seq[r], isn)),
      marker: { size: 5, color, symbol: "line-ns-open", line: { width: 2, color } },
      customdata: rs.map((r) => [len[r] === len[r] ? len[r] : 0, flagText(flags[r])]),
      hovertemplate: "t=%{x:.6f} s<br>seq %{y:,} (relative)<br>len %{customdata[0]}, %{customdata[1]}<extra>%{fullData.name}</extra>",
    };
  };
  const ackTrace = (rows: number[], isn: number, name: string, color: string): Trace => {
    const rs = thin(rows.filter((r) => (flags[r] & 0x10) !== 0 && ack[r] === ack[r]));
    return {
      type: "scatter", mode: "lines", name, line: { shape: "hv", width: 1, color },
      x: rs.map((r) => time[r] - t0),
      y: rs.map((r) => rel(ack[r], isn)),
      hovertemplate: "t=%{x:.6f} s<br>ack %{y:,} (relative)<extra>%{fullData.name}</extra>",
    };
  };
  const data: Trace[] = [
    segTrace(fwd, isnA, `${nameA} → ${nameB}: segments`, "#1f77b4"),
    ackTrace(rev, isnA, `${nameB} → ${nameA}: ACKs`, "#2ca02c"),
  ];
  if (rev.length > 0) {
    data.push(segTrace(rev, isnB, `${nameB} → ${nameA}: segments`, "#ff7f0e"));
    data.push(ackTrace(fwd, isnB, `${nameA} → ${nameB}: ACKs`, "#d62728"));
  }
  const note = `${count(fwd.length)} packets A→B, ${count(rev.length)} B→A` + (sampled > 1 ? `; every ${sampled}th packet drawn` : "");
  const title = subtitle(opts.title ?? `TCP sequence numbers: ${nameA} ⇄ ${nameB}`, note);
  return figure({
    data,
    layout: layout(title, "time since the connection's first packet (s)", "relative sequence number (bytes)", { hovermode: "closest" }),
  });
}
