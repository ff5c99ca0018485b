/**
 * brute_force: many short connections from one source to one authentication service (FTP 21,
 * SSH 22, Telnet 23, SMB 445, RDP 3389 by default) within a time window, and repeated HTTP 401
 * answers from one server to one client.
 */
import type { AlertInput } from "./alerts";
import { addrTerm, flowGroups, flowsSpan, timeTerm, type DetectContext } from "./context";

export interface BruteForceOptions {
  /** TCP ports of authentication services */
  ports: number[];
  /** connections within `window` seconds */
  minAttempts: number;
  window: number;
  /** a connection longer than this (seconds) is a session, not an attempt */
  maxDuration: number;
  /** HTTP 401 responses from one server to one client */
  min401: number;
}

export const BRUTE_FORCE_DEFAULTS: BruteForceOptions = { ports: [21, 22, 23, 445, 3389], minAttempts: 10, window: 300, maxDuration: 30, min401: 5 };

const SERVICE: Record<number, string> = { 21: "FTP", 22: "SSH", 23: "Telnet", 445: "SMB", 3389: "RDP", 110: "POP3", 143: "IMAP", 5900: "VNC" };

export function bruteForce(ctx: DetectContext, o: BruteForceOptions): AlertInput[] {
  const fc = ctx.flowCols();
  const ports = new Set(o.ports);
  const groups = flowGroups(fc, (r) => {
    if (fc.proto[r] !== "tcp" || !ports.has(fc.respP[r])) return null;
    if (fc.duration[r] > o.maxDuration) return null;
    // a connection that never carried data is a probe (port_scan), not a login attempt
    if (!(fc.origBytes[r] > 0) && !(fc.respBytes[r] > 0)) return null;
    return `${fc.origH[r]}|${fc.respH[r]}|${fc.respP[r]}`;
  }, o.minAttempts);
  const out: AlertInput[] = [];
  for (const rows of groups) {
    // the longest run of attempts where every window of `window` seconds … simply: the largest
    // set of attempts within one window, extended while later attempts keep coming within it
    let best = 0, bestLo = 0, lo = 0;
    for (let hi = 0; hi < rows.length; hi++) {
      while (fc.ts[rows[hi]] - fc.ts[rows[lo]] > o.window) lo++;
      if (hi - lo + 1 > best) { best = hi - lo + 1; bestLo = lo; }
    }
    if (best < o.minAttempts) continue;
    const sel = rows.slice(bestLo, bestLo + best);
    const r0 = sel[0], a = fc.origH[r0], b = fc.respH[r0], port = fc.respP[r0];
    const [t0, t1] = flowsSpan(ctx, sel);
    const ok = sel.filter((r) => fc.state[r] === "SF" || fc.state[r] === "S1").length;
    out.push({
      ts: t0, detector: "brute_force", severity: 1, src: a, dst: b, proto: "tcp",
      summary: `${sel.length} ${SERVICE[port] ?? `port ${port}`} connections to ${b}:${port} in ${(t1 - t0).toFixed(0)} s ` +
        `(mean ${(sel.reduce((s, r) => s + (fc.duration[r] || 0), 0) / sel.length).toFixed(1)} s each, ${ok} established)`,
      evidence: `${addrTerm("addr", a)} && ${addrTerm("addr", b)} && tcp.port == ${port} && ${timeTerm(t0, t1)}`,
      uids: sel.map((r) => fc.uid[r]),
      packets: sel.reduce((s, r) => s + (fc.origPkts[r] || 0) + (fc.respPkts[r] || 0), 0),
    });
  }
  // HTTP 401s: server → client
  const code = ctx.num("http.response.code");
  const { src, dst, text } = ctx.addrs();
  const t = ctx.time();
  const pairs = new Map<string, number[]>();
  for (let i = 0; i < ctx.n; i++) {
    if (code[i] !== 401 || src[i] !== src[i]) continue;
    const k = `${src[i]}|${dst[i]}`;
    let a = pairs.get(k);
    if (a === undefined) pairs.set(k, (a = []));
    a.push(i);
  }
  const fcu = ctx.flows.flowOf;
  for (const rows of pairs.values()) {
    if (rows.length < o.min401) continue;
    const server = text(src[rows[0]]), client = text(dst[rows[0]]);
    const uids = new Set<string>();
    for (const r of rows) if (fcu[r] < fc.n) uids.add(fc.uid[fcu[r]]);
    out.push({
      ts: t[rows[0]], detector: "brute_force", severity: 2, src: client, dst: server, proto: "http",
      summary: `${rows.length} HTTP 401 responses from ${server} to ${client}`,
      evidence: `${addrTerm("src", server)} && ${addrTerm("dst", client)} && http.response.code == 401`,
      uids: [...uids], packets: rows.length,
    });
  }
  return out;
}
