/**
 * nfstream's flow rules (NFStreamer defaults: idle_timeout 120 s, active_timeout 1800 s,
 * accounting_mode 0): a flow is keyed on the unordered endpoints, the IP protocol, the VLAN id
 * and the tunnel type; its source is the sender of its first packet; bytes are whole frame
 * lengths; times are truncated to milliseconds and forced monotonic; non-first fragments are
 * ignored. Rows come in nfstream's export order: flows expired by timeouts as they expire, then
 * the rest at the end of the capture in creation order.
 */
import type { Capture } from "../table/capture";
import { AddrTable, packetsOf, V6_BASE } from "../stream/packets";
import { FlowTable, type FlowData } from "./table";

export interface NfstreamOptions {
  /** seconds (nfstream: 120) */
  idleTimeout?: number;
  /** seconds (nfstream: 1800) */
  activeTimeout?: number;
}

interface NfFlow {
  key: string;
  first: number;
  last: number;
  srcH: number; srcP: number; dstH: number; dstP: number; proto: number;
  fwdPkts: number; fwdBytes: number; bwdPkts: number; bwdBytes: number;
  psMin: number; psMax: number;
  rows: number;
  expired: boolean;
  id: number;
  order: number;
}

export function trackNfstream(cap: Capture, opts: NfstreamOptions, uid: () => string): FlowTable {
  const addrs = new AddrTable();
  const { P, index } = packetsOf(cap, addrs);
  const n = index === null ? P.n : index.length;
  const idle = Math.round((opts.idleTimeout ?? 120) * 1000), active = Math.round((opts.activeTimeout ?? 1800) * 1000);
  const live = new Map<string, NfFlow>();
  const created: NfFlow[] = [];
  const exported: NfFlow[] = [];
  const flowIdx = new Int32Array(n).fill(-1);
  let now = 0, lastScan = 0;
  const expire = (f: NfFlow) => { f.expired = true; live.delete(f.key); exported.push(f); };
  for (let i = 0; i < n; i++) {
    const r = index === null ? i : index[i];
    const src = P.src[r];
    if (src !== src || P.frameLen[r] < 0) continue;
    if (P.fragOff[r] > 0) continue; // non-first fragments
    const t = Math.floor(P.t[r] * 1000);
    if (t > now) now = t;
    // periodic idle scan (every 10 ms of packet time): oldest-created flows first, stop at a live one
    if (now - lastScan >= 10) {
      lastScan = now;
      for (const f of live.values()) {
        if (now - f.last >= idle) expire(f);
        else break;
      }
    }
    const dst = P.dst[r];
    const proto = P.proto[r];
    let sp = 0, dp = 0;
    if (proto === 6 && P.tcpSport[r] >= 0) { sp = P.tcpSport[r]; dp = P.tcpDport[r]; }
    else if (proto === 17 && P.udpSport[r] >= 0) { sp = P.udpSport[r]; dp = P.udpDport[r]; }
    const vlan = P.vlan[r];
    const a = src < dst || (src === dst && sp <= dp);
    const key = a ? `${src}|${sp}|${dst}|${dp}|${proto}|${vlan}` : `${dst}|${dp}|${src}|${sp}|${proto}|${vlan}`;
    let f = live.get(key);
    if (f !== undefined && (now - f.last >= idle || now - f.first >= active)) { expire(f); f = undefined; }
    if (f === undefined) {
      f = { key, first: now, last: now, srcH: src, srcP: sp, dstH: dst, dstP: dp, proto, fwdPkts: 0, fwdBytes: 0,
        bwdPkts: 0, bwdBytes: 0, psMin: Infinity, psMax: 0, rows: 0, expired: false, id: created.length, order: -1 };
      created.push(f);
      live.set(key, f);
    }
    const len = P.frameLen[r];
    if (src === f.srcH && sp === f.srcP) { f.fwdPkts++; f.fwdBytes += len; } else { f.bwdPkts++; f.bwdBytes += len; }
    if (len < f.psMin) f.psMin = len;
    if (len > f.psMax) f.psMax = len;
    f.last = now;
    flowIdx[i] = f.id;
  }
  for (const f of live.values()) exported.push(f);
  exported.forEach((f, k) => { f.order = k; });
  const m = exported.length;
  const f64 = () => new Float64Array(m);
  const d: FlowData = {
    count: m, ts: f64(), uid: new Array<string>(m), origH: f64(), origP: new Int32Array(m), respH: f64(), respP: new Int32Array(m),
    proto: new Uint8Array(m), protoNames: ["tcp", "udp", "icmp", "unknown_transport"], duration: f64(), origBytes: f64().fill(NaN),
    respBytes: f64().fill(NaN), connState: new Uint8Array(m), stateNames: [""], missedBytes: f64().fill(NaN),
    history: new Uint32Array(m), historyNames: [""], origPkts: f64(), origIpBytes: f64().fill(NaN), respPkts: f64(),
    respIpBytes: f64().fill(NaN), ipProto: new Uint8Array(m), fwdPkts: f64(), fwdBytes: f64(), bwdPkts: f64(), bwdBytes: f64(),
    psMin: f64(), psMax: f64(), piatMeanMs: f64().fill(NaN),
  };
  for (let k = 0; k < m; k++) {
    const f = exported[k];
    d.ts[k] = f.first / 1000;
    d.uid[k] = uid();
    d.origH[k] = f.srcH; d.origP[k] = f.srcP; d.respH[k] = f.dstH; d.respP[k] = f.dstP;
    d.proto[k] = f.proto === 6 ? 0 : f.proto === 17 ? 1 : f.proto === 1 || f.proto === 58 ? 2 : 3;
    d.duration[k] = (f.last - f.first) / 1000;
    d.origPkts[k] = f.fwdPkts; d.respPkts[k] = f.bwdPkts;
    d.ipProto[k] = f.proto < 0 ? 0 : f.proto;
    d.fwdPkts[k] = f.fwdPkts; d.fwdBytes[k] = f.fwdBytes; d.bwdPkts[k] = f.bwdPkts; d.bwdBytes[k] = f.bwdBytes;
    d.psMin[k] = f.psMin; d.psMax[k] = f.psMax;
  }
  const flowOf = new Uint32Array(n).fill(0xffffffff);
  for (let i = 0; i < n; i++) if (flowIdx[i] >= 0) flowOf[i] = created[flowIdx[i]].order;
  void V6_BASE;
  return new FlowTable(d, addrs, cap, flowOf, [], "nfstream");
}
