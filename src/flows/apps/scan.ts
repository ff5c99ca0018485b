/**
 * The second pass: application payloads are not in the packet table, so the application tables
 * read the capture file again (`readCapture(cap.path)`), look only at the records of the flows an
 * application wants (the packet → flow map of the FlowTable says which), find the transport
 * payload in the record's bytes and hand it on with the flow row and the direction.
 *
 * Finding the payload without decoding the link and IP layers again: the packet table already
 * has the record's first TCP header (ports, raw sequence and acknowledgment numbers: 12 bytes) or
 * UDP header (ports and length: 6 bytes); that byte pattern is searched in the record, so every
 * link type, tunnel and extension-header chain the decoders handle works here too. The payload
 * is [header + tcp.hdr_len, + tcp.len) or [header + 8, header + udp.length), cut to the captured
 * bytes (an Ethernet trailer is never payload).
 */
import { fieldByName } from "../../fields/registry";
import { readCapture } from "../../io/reader";
import type { NumColumn } from "../../table/column";
import type { Capture } from "../../table/capture";
import type { FlowTable } from "../table";

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

function numCol(cap: Capture, name: string): NumColumn | null {
  const def = fieldByName(name);
  if (def === undefined) return null;
  return cap.storage.table.num[def.id] ?? null;
}

/** the first i in [from, to - n] where b[i .. i+n) equals pat[0 .. n), else -1 */
function find(b: Buffer, from: number, to: number, pat: Uint8Array, n: number): number {
  const p0 = pat[0], p1 = pat[1], p2 = pat[2], p3 = pat[3];
  outer: for (let i = from; i <= to - n; i++) {
    if (b[i] !== p0 || b[i + 1] !== p1 || b[i + 2] !== p2 || b[i + 3] !== p3) continue;
    for (let k = 4; k < n; k++) if (b[i + k] !== pat[k]) continue outer;
    return i;
  }
  return -1;
}

export interface ScanStats {
  /** packets of wanted flows whose transport header was not found in the record */
  notFound: number;
  records: number;
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
 * Reads the capture's file again and hands the payloads of the wanted flows to `sink`.
 * `ft` must be the flow table of `cap` (its flowOf is indexed by cap's rows).
 */
export async function scanPayloads(cap: Capture, ft: FlowTable, sink: PayloadSink): Promise<ScanStats> {
  if (ft.capture !== cap) throw new Error("the flow table is not this capture's (use capture.flows() of the same capture)");
  const infos = flowInfos(ft);
  const wanted = new Uint8Array(ft.count);
  let any = false;
  for (const f of infos) if (sink.wants(f)) { wanted[f.row] = 1; any = true; }
  const stats: ScanStats = { notFound: 0, records: 0 };
  if (!any) { sink.finish(); return stats; }
  const { table, index } = cap.storage;
  const total = table.count;
  // record number → row of `cap` (a view shows some rows only)
  let viewRow: Int32Array | null = null;
  if (index !== null) {
    viewRow = new Int32Array(total).fill(-1);
    for (let i = 0; i < index.length; i++) viewRow[index[i]] = i;
  }
  const flowOf = ft.flowOf;
  const col = (name: string) => {
    const c = numCol(cap, name);
    if (c === null) throw new Error(`application tables need the packet field ${name}: open the capture with it (FLOW_FIELDS has it)`);
    return c;
  };
  const tSport = col("tcp.srcport"), tDport = col("tcp.dstport"), tSeq = col("tcp.seq_raw"), tAck = col("tcp.ack_raw");
  const tHdr = col("tcp.hdr_len"), tLen = col("tcp.len"), tFlags = col("tcp.flags");
  const uSport = col("udp.srcport"), uDport = col("udp.dstport"), uLen = col("udp.length");
  // the packet's innermost source address, for flows whose two ports are equal
  const srcCols = ["inner.ip.src", "inner.ipv6.src", "ip.src", "ipv6.src"].map((n) => {
    try { return cap.column(n); } catch { return null; }
  });
  const srcOf = (row: number): string | undefined => {
    for (const c of srcCols) { const v = c?.get(row); if (v !== undefined) return String(v); }
    return undefined;
  };
  const pat = new Uint8Array(12);
  let rec = 0;
  await readCapture(cap.path, {
    record(b, off, caplen, _len, sec, nsec) {
      const r = rec++;
      if (r >= total) return;
      const vr = viewRow === null ? r : viewRow[r];
      if (vr < 0 || vr >= flowOf.length) return;
      const f = flowOf[vr];
      if (f === NO_FLOW || wanted[f] === 0) return;
      const info = infos[f];
      const end = off + caplen;
      const t = sec >= 0 ? sec + nsec / 1e9 : NaN;
      let sp: number, payload: number, pend: number, plen: number, seq = -1, flags = -1;
      if (info.proto === "tcp") {
        const s = tSport.get(r), d = tDport.get(r), q = tSeq.get(r), a = tAck.get(r), hl = tHdr.get(r);
        if (s === undefined || d === undefined || q === undefined || a === undefined || hl === undefined) return;
        pat[0] = s >> 8; pat[1] = s & 255; pat[2] = d >> 8; pat[3] = d & 255;
        pat[4] = q >>> 24; pat[5] = (q >>> 16) & 255; pat[6] = (q >>> 8) & 255; pat[7] = q & 255;
        pat[8] = a >>> 24; pat[9] = (a >>> 16) & 255; pat[10] = (a >>> 8) & 255; pat[11] = a & 255;
        const h = find(b, off, end, pat, 12);
        if (h < 0) { stats.notFound++; return; }
        sp = s;
        seq = q;
        flags = tFlags.get(r) ?? 0;
        plen = tLen.get(r) ?? Math.max(0, end - h - hl);
        payload = Math.min(h + hl, end);
        pend = Math.min(payload + plen, end);
      } else if (info.proto === "udp") {
        const s = uSport.get(r), d = uDport.get(r), l = uLen.get(r);
        if (s === undefined || d === undefined || l === undefined) return;
        pat[0] = s >> 8; pat[1] = s & 255; pat[2] = d >> 8; pat[3] = d & 255; pat[4] = l >> 8; pat[5] = l & 255;
        const h = find(b, off, end, pat, 6);
        if (h < 0) { stats.notFound++; return; }
        sp = s;
        plen = Math.max(0, l - 8);
        payload = Math.min(h + 8, end);
        pend = Math.min(payload + plen, end);
      } else return;
      let fromOrig: boolean;
      if (info.origP !== info.respP) fromOrig = sp === info.origP;
      else fromOrig = srcOf(vr) === info.origH;
      sink.packet(info, fromOrig, t, b, payload, pend, plen, seq, flags, r + 1, vr);
    },
  }, { limit: total });
  stats.records = rec;
  sink.finish();
  return stats;
}
