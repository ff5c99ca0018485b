/**
 * Endpoints, as `tshark -q -z endpoints,TYPE`: one row per address (eth, ip, ipv6) or address
 * and port (tcp, udp), with the frames and bytes (frame.len) it sent (tx) and received (rx).
 * A packet to itself counts once each way. Sorted by frames, descending, as tshark
 * (ties: first seen first).
 */
import type { Capture } from "../table/capture";
import { checkType } from "./conversations";
import { numbers } from "../table/bulk";
import { StatTable, type Cell } from "./table";
import { taps, type ConvType } from "./taps";

export const ENDPOINT_COLUMNS = ["address", "port", "frames", "bytes", "tx_frames", "tx_bytes", "rx_frames", "rx_bytes"];

export function endpoints(cap: Capture, type: ConvType): StatTable {
  type = checkType(type, "endpoints");
  const tp = taps(cap, type);
  const len = numbers(cap, "frame.len", 0);
  const m = tp.addr.length;
  const txF = new Float64Array(m), txB = new Float64Array(m), rxF = new Float64Array(m), rxB = new Float64Array(m);
  const seen = new Float64Array(m).fill(Infinity);
  let k = 0;
  for (const { src, dst } of tp.passes) {
    for (let i = 0; i < cap.count; i++) {
      const x = src[i];
      if (x < 0) continue;
      const y = dst[i];
      txF[x]++; txB[x] += len[i];
      rxF[y]++; rxB[y] += len[i];
      if (seen[x] === Infinity) seen[x] = k++;
      if (seen[y] === Infinity) seen[y] = k++;
    }
  }
  const ids: number[] = [];
  for (let e = 0; e < m; e++) if (seen[e] !== Infinity) ids.push(e);
  ids.sort((p, q) => (txF[q] + rxF[q]) - (txF[p] + rxF[p]) || seen[p] - seen[q]);
  const rows: Cell[][] = ids.map((e) => [tp.addr[e], tp.port[e], txF[e] + rxF[e], txB[e] + rxB[e], txF[e], txB[e], rxF[e], rxB[e]]);
  return new StatTable(ENDPOINT_COLUMNS, rows);
}
