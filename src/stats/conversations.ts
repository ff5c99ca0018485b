/**
 * Conversations, as `tshark -q -z conv,TYPE` (eth, ip, ipv6, tcp, udp).
 *
 * One row per conversation: the unordered pair of endpoints (for tcp, additionally split by
 * tcp.stream, as tshark 4 does when a port pair is reused). Address A is the source of the
 * conversation's first packet, as in tshark; a_to_b counts packets from A to B. bytes are
 * frame.len. rel_start is the first packet's time relative to the capture's first packet,
 * duration the time to the conversation's last packet (seconds).
 *
 * Rows are sorted by bytes, descending (ties: first seen first). tshark prints them by total
 * frames, descending (ties: first seen first); `conversationsByFrames` gives that order.
 */
import type { Capture } from "../table/capture";
import { numbers, relativeTimes } from "../table/bulk";
import { StatTable, type Cell } from "./table";
import { tcpAnalysis } from "./tcpanalysis";
import { CONV_TYPES, taps, type ConvType } from "./taps";

export const CONVERSATION_COLUMNS = ["address_a", "port_a", "address_b", "port_b", "frames_a_to_b", "bytes_a_to_b",
  "frames_b_to_a", "bytes_b_to_a", "frames", "bytes", "rel_start", "duration"];

export function checkType(type: string, what: string): ConvType {
  if (!(CONV_TYPES as string[]).includes(type)) throw new Error(`${what}: unknown type "${type}"; one of ${CONV_TYPES.join(", ")}`);
  return type as ConvType;
}

export function conversations(cap: Capture, type: ConvType): StatTable {
  return conversationTable(cap, type, "bytes");
}

/** The conversations in tshark's printing order: total frames descending, ties first seen first. */
export function conversationsByFrames(cap: Capture, type: ConvType): StatTable {
  return conversationTable(cap, type, "frames");
}

function conversationTable(cap: Capture, type: ConvType, by: "bytes" | "frames"): StatTable {
  type = checkType(type, "conversations");
  const tp = taps(cap, type);
  const len = numbers(cap, "frame.len", 0), time = relativeTimes(cap);
  const stream = type === "tcp" ? tcpAnalysis(cap, tp, false).stream : null;
  const nEp = tp.addr.length;
  const index = new Map<number, number>();
  // per conversation, growable columns
  const a: number[] = [], b: number[] = [];
  const fab: number[] = [], bab: number[] = [], fba: number[] = [], bba: number[] = [], first: number[] = [], last: number[] = [];
  for (const { src, dst } of tp.passes) {
    for (let i = 0; i < cap.count; i++) {
      const x = src[i];
      if (x < 0) continue;
      const y = dst[i];
      const key = stream !== null ? stream[i] : (x < y ? x * nEp + y : y * nEp + x);
      let c = index.get(key);
      if (c === undefined) {
        c = a.length;
        index.set(key, c);
        a.push(x); b.push(y); fab.push(0); bab.push(0); fba.push(0); bba.push(0);
        first.push(time[i]); last.push(time[i]);
      }
      if (x === a[c] && y === b[c]) { fab[c]++; bab[c] += len[i]; } else { fba[c]++; bba[c] += len[i]; }
      const t = time[i];
      if (t > last[c]) last[c] = t;
      else if (t < first[c]) first[c] = t;
    }
  }
  const order = a.map((_, i) => i).sort(by === "bytes" ? (p, q) => (bab[q] + bba[q]) - (bab[p] + bba[p]) || p - q
    : (p, q) => (fab[q] + fba[q]) - (fab[p] + fba[p]) || p - q);
  const rows: Cell[][] = order.map((c) => [
    tp.addr[a[c]], tp.port[a[c]], tp.addr[b[c]], tp.port[b[c]], fab[c], bab[c], fba[c], bba[c],
    fab[c] + fba[c], bab[c] + bba[c], first[c] === first[c] ? first[c] : null, last[c] - first[c] === last[c] - first[c] ? last[c] - first[c] : null,
  ]);
  return new StatTable(CONVERSATION_COLUMNS, rows);
}

