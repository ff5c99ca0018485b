/**
 * beacon: connections from one host to one destination (address, port, transport) starting at a
 * regular period with low jitter, as malware checking in with its controller does. Jitter is the
 * coefficient of variation (standard deviation / mean) of the intervals between connection starts.
 * Works on flows, so a UDP beacon whose packets are closer than the inactivity timeout (1 min) is
 * one flow and is not seen.
 */
import type { AlertInput } from "./alerts";
import { addrTerm, flowGroups, type DetectContext } from "./context";

export interface BeaconOptions {
  /** connections needed (intervals = connections − 1) */
  minConnections: number;
  /** shortest mean period, seconds (faster is polling, not beaconing) */
  minPeriod: number;
  /** largest coefficient of variation of the intervals */
  maxJitter: number;
  /** destination ports never reported (DNS, NTP, DHCP, NetBIOS, mDNS, SSDP, LLMNR) */
  ignorePorts: number[];
}

export const BEACON_DEFAULTS: BeaconOptions = {
  minConnections: 6, minPeriod: 5, maxJitter: 0.1, ignorePorts: [53, 67, 68, 123, 137, 138, 1900, 5353, 5355],
};

export function beacon(ctx: DetectContext, o: BeaconOptions): AlertInput[] {
  const fc = ctx.flowCols();
  const ignore = new Set(o.ignorePorts);
  const groups = flowGroups(fc, (r) => {
    const p = fc.proto[r];
    if ((p !== "tcp" && p !== "udp") || ignore.has(fc.respP[r])) return null;
    return `${fc.origH[r]}|${fc.respH[r]}|${fc.respP[r]}|${p}`;
  }, o.minConnections);
  const out: AlertInput[] = [];
  for (const rows of groups) {
    const n = rows.length - 1;
    let sum = 0;
    for (let i = 1; i <= n; i++) sum += fc.ts[rows[i]] - fc.ts[rows[i - 1]];
    const mean = sum / n;
    if (!(mean >= o.minPeriod)) continue;
    let v = 0;
    for (let i = 1; i <= n; i++) { const d = fc.ts[rows[i]] - fc.ts[rows[i - 1]] - mean; v += d * d; }
    const cv = Math.sqrt(v / n) / mean;
    if (cv > o.maxJitter) continue;
    const r0 = rows[0], a = fc.origH[r0], b = fc.respH[r0], port = fc.respP[r0], proto = fc.proto[r0];
    out.push({
      ts: fc.ts[r0], detector: "beacon", severity: 2, src: a, dst: b, proto,
      summary: `${rows.length} ${proto} connections to ${b}:${port} every ${mean.toFixed(1)} s (jitter ${(cv * 100).toFixed(1)}%, ±${(Math.sqrt(v / n)).toFixed(2)} s)`,
      evidence: `${addrTerm("addr", a)} && ${addrTerm("addr", b)} && ${proto}.port == ${port}`,
      uids: rows.map((r) => fc.uid[r]),
      packets: rows.reduce((s, r) => s + (fc.origPkts[r] || 0) + (fc.respPkts[r] || 0), 0),
    });
  }
  return out;
}
