/**
 * TCP trouble: the packets tshark's sequence analysis flags (tcp.analysis.retransmission,
 * fast_retransmission, spurious_retransmission, out_of_order, lost_segment, ack_lost_segment,
 * duplicate_ack, zero_window, window_full, window_update, keep_alive, keep_alive_ack,
 * zero_window_probe, zero_window_probe_ack, reused_ports) plus resets (tcp.flags.reset).
 * As in tshark, a fast or spurious retransmission is also a retransmission.
 *
 * summary: one row per kind (all kinds, zero included): kind, packets, field (the tshark filter).
 * packets: one row per (packet, kind), in frame order: frame.number, frame.time_relative, kind,
 * tcp.stream (tshark's stream index), uid (the packet's connection in capture.flows(); null
 * with { uids: false }), src, srcport, dst, dstport, tcp.len.
 */
import "../flows";
import type { Capture } from "../table/capture";
import { numbers, relativeTimes } from "../table/bulk";
import { StatTable, type Cell } from "./table";
import { KINDS, tcpAnalysis } from "./tcpanalysis";
import { taps } from "./taps";

export interface TcpTroubleOptions {
  /** look up each packet's connection uid (runs capture.flows(); default true) */
  uids?: boolean;
}

export function tcpTrouble(cap: Capture, opts: TcpTroubleOptions = {}): { summary: StatTable; packets: StatTable } {
  const tp = taps(cap, "tcp");
  const res = tcpAnalysis(cap, tp, true);
  const counts = new Float64Array(KINDS.length);
  const hit: number[] = [];
  for (let i = 0; i < cap.count; i++) {
    const f = res.flags[i];
    if (f === 0) continue;
    let any = false;
    for (let k = 0; k < KINDS.length; k++) if (f & KINDS[k][0]) { counts[k]++; any = true; }
    if (any) hit.push(i);
  }
  const summary = new StatTable(["kind", "packets", "field"], KINDS.map(([, name, field], k) => [name, counts[k], field]));
  let uidOf: ((i: number) => string | null) | null = null;
  if (opts.uids !== false && hit.length > 0) {
    const ft = cap.flows();
    const uid = ft.column("uid");
    uidOf = (i) => { const r = ft.flowOf[i]; return r === 0xffffffff ? null : (uid.get(r) as string); };
  }
  const time = relativeTimes(cap), len = numbers(cap, "tcp.len");
  const { src, dst } = tp.passes[0];
  const rows: Cell[][] = [];
  for (const i of hit) {
    const f = res.flags[i];
    for (const [bit, name] of KINDS) {
      if (!(f & bit)) continue;
      rows.push([cap.baseRow(i) + 1, time[i] === time[i] ? time[i] : null, name, res.stream[i], uidOf ? uidOf(i) : null,
        tp.addr[src[i]], tp.port[src[i]], tp.addr[dst[i]], tp.port[dst[i]], len[i] === len[i] ? len[i] : null]);
    }
  }
  const packets = new StatTable(["frame.number", "frame.time_relative", "kind", "tcp.stream", "uid", "src", "srcport", "dst", "dstport", "tcp.len"], rows);
  return { summary, packets };
}

/** tcp.stream per packet of the capture (-1 for packets without a TCP header tshark tracks). */
export function tcpStreams(cap: Capture): Int32Array {
  return tcpAnalysis(cap, taps(cap, "tcp"), false).stream;
}
