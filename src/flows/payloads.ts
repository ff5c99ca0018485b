/**
 * The payloads of flows, for the application tables, files and detectors: one replay pass
 * (src/stream/replay.ts) over the rows of the capture or view whose flows a consumer wants, each
 * packet's transport payload where the decoders found it, handed on with the flow row and the
 * direction. Several consumers share one pass (`scanPayloads(cap, flows, [a, b, c])`). Works the
 * same on files, live captures (their retained records) and views (only the view's rows).
 */
import { PAYLOAD_TCP, PAYLOAD_UDP } from "../decode/packet";
import { sharedPacketsOf } from "../stream/packets";
import { replay } from "../stream/replay";
import type { Capture } from "../table/capture";
import type { FlowTable } from "./table";

const NO_FLOW = 0xffffffff;

export interface FlowInfo {
  row: number;
  proto: string;
  origP: number;
  respP: number;
  origH: string;
  respH: string;
}

/** What an application sees of the second pass. */
export interface PayloadSink {
  /** whether this flow's packets are wanted (asked once per flow, before the pass) */
  wants(f: FlowInfo): boolean;
  /**
   * One packet of a wanted flow. `payload` is [off, end) of `b` (valid only during the call);
   * `len` is the payload length on the wire (more than end - off when the snaplen cut it).
   * `seq`/`flags` are TCP's (-1 for UDP). `frame` is the 1-based frame number in the file; `row` is
   * the packet's row in the capture (or view) the pass runs over.
   */
  packet(flow: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number, len: number,
    seq: number, flags: number, frame: number, row: number): void;
  /** the end of the capture */
  finish(): void;
}

export interface ScanStats {
  /** packets of wanted flows whose record the source no longer has (a changed file, a live capture's cap) */
  missing: number;
  /** packets handed on */
  packets: number;
}

/** Flow facts the applications need, from the flow table. */
export function flowInfos(ft: FlowTable): FlowInfo[] {
  const proto = ft.column("proto"), op = ft.column("id.orig_p"), rp = ft.column("id.resp_p");
  const oh = ft.column("id.orig_h"), rh = ft.column("id.resp_h");
  const out: FlowInfo[] = [];
  for (let r = 0; r < ft.count; r++) {
    out.push({
      row: r, proto: String(proto.get(r)), origP: Number(op.get(r)), respP: Number(rp.get(r)),
      origH: String(oh.get(r)), respH: String(rh.get(r)),
    });
  }
  return out;
}

/**
 * Hands the payloads of the flows the sinks want to them, in one replay pass. `ft` must be the flow
 * table of `cap` (its flowOf is indexed by cap's rows).
 */
export async function scanPayloads(cap: Capture, ft: FlowTable, sinks: PayloadSink | PayloadSink[]): Promise<ScanStats> {
  if (ft.capture !== cap) throw new Error("the flow table is not this capture's (use capture.flows() of the same capture)");
  const all = Array.isArray(sinks) ? sinks : [sinks];
  const infos = flowInfos(ft);
  // per flow, the sinks that want it (bit i: sink i), asked once per flow
  const wants = new Uint32Array(ft.count);
  let any = 0;
  all.forEach((s, i) => { for (const f of infos) if (s.wants(f)) { wants[f.row] |= 1 << i; any |= 1 << i; } });
  const stats: ScanStats = { missing: 0, packets: 0 };
  if (any === 0) { for (const s of all) s.finish(); return stats; }
  const flowOf = ft.flowOf;
  const rows: number[] = [];
  for (let r = 0; r < flowOf.length; r++) { const f = flowOf[r]; if (f !== NO_FLOW && wants[f] !== 0) rows.push(r); }
  for (const name of ["tcp.srcport", "tcp.seq_raw", "tcp.len", "tcp.flags", "udp.srcport", "udp.length"]) {
    try { cap.column(name); } catch { throw new Error(`application tables need the packet field ${name}: open the capture with it (FLOW_FIELDS has it)`); }
  }
  // the transport facts by row of the table: the packet arrays flows and rules share
  const { P } = sharedPacketsOf(cap);
  // the packet's innermost source address, for flows whose two ports are equal
  const srcCols = ["inner.ip.src", "inner.ipv6.src", "ip.src", "ipv6.src"].map((n) => {
    try { return cap.column(n); } catch { return null; }
  });
  const srcOf = (row: number): string | undefined => {
    for (const c of srcCols) { const v = c?.get(row); if (v !== undefined) return String(v); }
    return undefined;
  };
  const res = await replay(cap, (p) => {
    const f = flowOf[p.row];
    const info = infos[f];
    const base = p.base;
    let sp: number, plen: number, seq = -1, flags = -1;
    if (info.proto === "tcp") {
      if (p.payKind !== PAYLOAD_TCP) return;
      if (P.tcpSport[base] < 0) return;
      sp = P.tcpSport[base];
      seq = P.tcpSeq[base];
      flags = Math.max(0, P.tcpFlags[base]);
      plen = P.tcpLen[base] >= 0 ? P.tcpLen[base] : p.payEnd - p.payOff;
    } else if (info.proto === "udp") {
      if (p.payKind !== PAYLOAD_UDP) return;
      if (P.udpSport[base] < 0 || P.udpLen[base] < 0) return;
      sp = P.udpSport[base];
      plen = Math.max(0, P.udpLen[base] - 8);
    } else return;
    const fromOrig = info.origP !== info.respP ? sp === info.origP : srcOf(p.row) === info.origH;
    const w = wants[f];
    for (let i = 0; i < all.length; i++) {
      if ((w & (1 << i)) !== 0) all[i].packet(info, fromOrig, p.t, p.b, p.payOff, p.payEnd, plen, seq, flags, base + 1, p.row);
    }
  }, { rows });
  stats.missing = res.missing;
  stats.packets = res.packets;
  for (const s of all) s.finish();
  return stats;
}
