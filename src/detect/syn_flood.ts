/**
 * syn_flood: half-open TCP connections (history with the originator's SYN, without its ACK or any
 * data: Zeek's S0, and "Sh"/S1 when the server answered a spoofed source) per destination host
 * and port per second. Spoofed floods have many sources: `src` is set only when one source sent
 * at least 90% of them.
 */
import type { AlertInput } from "./alerts";
import { addrTerm, flowGroups, timeTerm, type DetectContext } from "./context";

export interface SynFloodOptions {
  /** half-open connections to one host:port within one second */
  minPerSecond: number;
}

export const SYN_FLOOD_DEFAULTS: SynFloodOptions = { minPerSecond: 100 };

export function synFlood(ctx: DetectContext, o: SynFloodOptions): AlertInput[] {
  const fc = ctx.flowCols();
  const byDst = flowGroups(fc, (r) => {
    if (fc.proto[r] !== "tcp") return null;
    const h = fc.history[r];
    if (!h.includes("S") || /[ADFd]/.test(h)) return null;
    return `${fc.respH[r]}|${fc.respP[r]}`;
  }, o.minPerSecond);
  const out: AlertInput[] = [];
  for (const rows of byDst) {
    // sliding one-second window; the flood is every flow in a run of windows over the threshold
    let lo = 0, start = -1, end = -1;
    const floods: [number, number][] = [];
    for (let hi = 0; hi < rows.length; hi++) {
      while (fc.ts[rows[hi]] - fc.ts[rows[lo]] >= 1) lo++;
      if (hi - lo + 1 >= o.minPerSecond) {
        if (start >= 0 && lo <= end) end = hi;
        else {
          if (start >= 0) floods.push([start, end]);
          start = lo; end = hi;
        }
      }
    }
    if (start >= 0) floods.push([start, end]);
    for (const [a, b] of floods) {
      const sel = rows.slice(a, b + 1);
      const srcs = new Map<string, number>();
      for (const r of sel) srcs.set(fc.origH[r], (srcs.get(fc.origH[r]) ?? 0) + 1);
      let top = "", topN = 0;
      for (const [s, n] of srcs) if (n > topN) { top = s; topN = n; }
      const victim = fc.respH[sel[0]], port = fc.respP[sel[0]];
      const t0 = fc.ts[sel[0]], t1 = fc.ts[sel[sel.length - 1]];
      const secs = Math.max(t1 - t0, 1e-6);
      const single = topN >= 0.9 * sel.length;
      out.push({
        ts: t0, detector: "syn_flood", severity: 1, src: single ? top : "", dst: victim, proto: "tcp",
        summary: `${sel.length} half-open connections to ${victim}:${port} in ${secs.toFixed(1)} s` +
          ` (${Math.round(sel.length / Math.max(secs, 1))}/s) from ${srcs.size} source${srcs.size === 1 ? "" : "s"}`,
        evidence: `${addrTerm("dst", victim)} && tcp.dstport == ${port} && tcp.flags & 0x3f == 0x02 && ${timeTerm(t0, t1)}`,
        uids: sel.map((r) => fc.uid[r]), packets: sel.length,
      });
    }
  }
  return out;
}
