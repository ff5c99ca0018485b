/**
 * port_scan: one source probing many ports of a host (vertical) or one port on many hosts
 * (horizontal). Probes are TCP packets without ACK: SYN (counted only when its connection never
 * carried data: Zeek's S0, REJ, RSTO/RSTR … with no payload either way), and FIN, NULL and Xmas
 * (FIN+PSH+URG), which no ordinary connection opens with (always counted).
 */
import type { AlertInput } from "./alerts";
import { addrTerm, numberSet, timeTerm, type DetectContext } from "./context";

export interface PortScanOptions {
  /** distinct ports of one host probed with SYNs before a vertical scan is reported */
  minPorts: number;
  /** distinct ports of one host probed with FIN, NULL or Xmas packets (abnormal in themselves) */
  minStealthPorts: number;
  /** distinct hosts probed on one port before a horizontal scan is reported */
  minHosts: number;
}

export const PORT_SCAN_DEFAULTS: PortScanOptions = { minPorts: 15, minStealthPorts: 8, minHosts: 15 };

const KINDS = ["SYN", "FIN", "NULL", "Xmas"] as const;
/** tcp.flags & 0x3f for each kind */
const KIND_FLAGS = [0x02, 0x01, 0x00, 0x29];

interface Group {
  src: number;
  kind: number;
  /** dst → port → first row */
  byDst: Map<number, Map<number, number>>;
  /** port → dst → first row */
  byPort: Map<number, Map<number, number>>;
  rows: number[];
}

export function portScan(ctx: DetectContext, o: PortScanOptions): AlertInput[] {
  const flags = ctx.num("tcp.flags"), dport = ctx.num("tcp.dstport");
  const { src, dst, text } = ctx.addrs();
  const t = ctx.time();
  const fc = ctx.flowCols(), flowOf = ctx.flows.flowOf;
  // flows that never carried data (history without d/D, no payload bytes)
  const dataless = new Uint8Array(fc.n);
  for (let r = 0; r < fc.n; r++) {
    if (fc.proto[r] !== "tcp") continue;
    const ob = fc.origBytes[r], rb = fc.respBytes[r];
    dataless[r] = !(ob > 0) && !(rb > 0) && !/[dD]/.test(fc.history[r]) ? 1 : 0;
  }
  const groups = new Map<string, Group>();
  for (let i = 0; i < ctx.n; i++) {
    const f = flags[i];
    if (f !== f || (f & 0x10) !== 0) continue;
    const k = KIND_FLAGS.indexOf(f & 0x3f);
    if (k < 0) continue;
    if (k === 0) {
      const fr = flowOf[i];
      if (fr === 0xffffffff || fr >= fc.n || dataless[fr] === 0) continue;
    }
    const s = src[i], d = dst[i], p = dport[i];
    if (s !== s || d !== d || p !== p) continue;
    const key = `${s}/${k}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { src: s, kind: k, byDst: new Map(), byPort: new Map(), rows: [] }));
    let ports = g.byDst.get(d);
    if (ports === undefined) g.byDst.set(d, (ports = new Map()));
    if (!ports.has(p)) ports.set(p, i);
    let hosts = g.byPort.get(p);
    if (hosts === undefined) g.byPort.set(p, (hosts = new Map()));
    if (!hosts.has(d)) hosts.set(d, i);
    g.rows.push(i);
  }
  const out: AlertInput[] = [];
  const uidsOf = (rows: Iterable<number>) => {
    const u = new Set<string>();
    for (const r of rows) { const fr = flowOf[r]; if (fr < fc.n) u.add(fc.uid[fr]); }
    return [...u];
  };
  for (const g of groups.values()) {
    const kind = KINDS[g.kind];
    const min = g.kind === 0 ? o.minPorts : o.minStealthPorts;
    const flagTerm = `tcp.flags & 0x3f == 0x${KIND_FLAGS[g.kind].toString(16).padStart(2, "0")}`;
    const a = text(g.src);
    for (const [d, ports] of g.byDst) {
      if (ports.size < min) continue;
      const b = text(d);
      const portList = [...ports.keys()];
      const rows = g.rows.filter((r) => dst[r] === d && ports.has(dport[r]));
      const answered = g.kind === 0
        ? rows.filter((r) => /h/.test(fc.history[flowOf[r]] ?? "")).map((r) => dport[r])
        : [];
      out.push({
        ts: t[rows[0]], detector: "port_scan", severity: 2, src: a, dst: b, proto: "tcp",
        summary: `${kind} scan of ${ports.size} ports on ${b}` + (g.kind === 0 ? ` (${new Set(answered).size} open)` : ""),
        evidence: `${addrTerm("src", a)} && ${addrTerm("dst", b)} && tcp.dstport in ${numberSet(portList)} && ${flagTerm} && ${timeTerm(t[rows[0]], t[rows[rows.length - 1]])}`,
        uids: uidsOf(rows), packets: rows.length,
      });
    }
    if (g.kind !== 0) continue;
    for (const [p, hosts] of g.byPort) {
      if (hosts.size < o.minHosts) continue;
      const rows = g.rows.filter((r) => dport[r] === p && hosts.has(dst[r]));
      out.push({
        ts: t[rows[0]], detector: "port_scan", severity: 2, src: a, dst: "", proto: "tcp",
        summary: `${kind} sweep of port ${p} over ${hosts.size} hosts`,
        evidence: `${addrTerm("src", a)} && tcp.dstport == ${p} && ${flagTerm} && ${timeTerm(t[rows[0]], t[rows[rows.length - 1]])}`,
        uids: uidsOf(rows), packets: rows.length,
      });
    }
  }
  return out;
}
