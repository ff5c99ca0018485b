/**
 * Top-N values of a field: talkers (ip.src, ip.addr), ports (tcp.dstport, tcp.port), names
 * (dns.qry.name, http.host, tls.handshake.extensions_server_name) … One row per value with the
 * frames carrying it and their bytes (frame.len), and its share of the capture's frames (or bytes,
 * with by = "bytes"). Either-side fields (ip.addr, ipv6.addr, eth.addr, tcp.port, udp.port)
 * count a packet once for each distinct value of its two sides. Sorted by `by`, descending
 * (ties: first seen first); packets without the field are not counted.
 */
import { fieldByName, formatNumber } from "../fields/registry";
import { ALIASES } from "../filter";
import type { Capture } from "../table/capture";
import { codes, numbers, pathIds } from "../table/bulk";
import { StatTable, type Cell } from "./table";

/** Per-row value codes of one stored field (-1: absent) and the value texts. */
function valueCodes(cap: Capture, field: string, names: string[], index: Map<string, number>): Int32Array {
  const def = fieldByName(field);
  if (def === undefined) throw new Error(`topN: unknown field "${field}"`);
  const out = new Int32Array(cap.count).fill(-1);
  const intern = (t: string) => {
    let c = index.get(t);
    if (c === undefined) { c = names.length; names.push(t); index.set(t, c); }
    return c;
  };
  if (field === "frame.protocols") {
    const { ids, paths } = pathIds(cap);
    const map = paths.map((path) => intern(path));
    for (let i = 0; i < cap.count; i++) out[i] = map[ids[i]];
    return out;
  }
  if (def.storage === "dict") {
    const { codes: c, values } = codes(cap, field);
    const map = new Int32Array(values.length).fill(-1);
    for (let i = 0; i < cap.count; i++) {
      const k = c[i];
      if (k === 0) continue;
      if (map[k] < 0) map[k] = intern(values[k]);
      out[i] = map[k];
    }
    return out;
  }
  if (def.storage === "derived" || def.from !== undefined) {
    const col = cap.column(field);
    for (let i = 0; i < cap.count; i++) { const t = col.text(i); if (t !== "") out[i] = intern(t); }
    return out;
  }
  const v = numbers(cap, field);
  const map = new Map<number, number>();
  for (let i = 0; i < cap.count; i++) {
    const x = v[i];
    if (x !== x) continue;
    let c = map.get(x);
    if (c === undefined) { c = intern(formatNumber(def, x)); map.set(x, c); }
    out[i] = c;
  }
  return out;
}

export function topN(cap: Capture, field: string, n = 10, by: "frames" | "bytes" = "frames"): StatTable {
  if (by !== "frames" && by !== "bytes") throw new Error(`topN: by is "frames" or "bytes", not "${by}"`);
  if (!(n >= 0)) throw new Error(`topN: n must be a number ≥ 0, not ${n}`);
  const len = numbers(cap, "frame.len", 0);
  const names: string[] = [], index = new Map<string, number>();
  const parts = (ALIASES[field] ?? [field]).map((f) => valueCodes(cap, f, names, index));
  const frames = new Float64Array(names.length), bytes = new Float64Array(names.length);
  let totalF = 0, totalB = 0;
  for (let i = 0; i < cap.count; i++) {
    totalF++; totalB += len[i];
    const a = parts[0][i];
    if (a >= 0) { frames[a]++; bytes[a] += len[i]; }
    if (parts.length > 1) {
      const b = parts[1][i];
      if (b >= 0 && b !== a) { frames[b]++; bytes[b] += len[i]; }
    }
  }
  const key = by === "frames" ? frames : bytes, total = by === "frames" ? totalF : totalB;
  const ids = names.map((_, c) => c).filter((c) => frames[c] > 0).sort((p, q) => key[q] - key[p] || p - q).slice(0, n);
  const rows: Cell[][] = ids.map((c) => [names[c], frames[c], bytes[c], total > 0 ? key[c] / total : 0]);
  return new StatTable(["value", "frames", "bytes", "share"], rows);
}
