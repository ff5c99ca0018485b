/**
 * Flows: `capture.flows()` → a FlowTable of connections with Zeek's conn.log columns (and
 * nfstream-style statistics), or with `{ mode: "nfstream" }` nfstream's flow rules.
 *
 * Capture gets its `flows()` method here (module augmentation), so the packet table knows nothing
 * of flows: importing this module (src/index.ts does) is what adds it.
 */
import { Capture } from "../table/capture";
import { KIND_NAMES, trackZeek, type Conn, type ZeekOptions } from "./conn";
import { trackNfstream, type NfstreamOptions } from "./nfstream";
import { FlowTable, type FlowData } from "./table";
import { uidMaker } from "./uid";

export { FlowTable, ZEEK_COLUMNS, NFSTREAM_COLUMNS, type FlowColumn, type FlowValue } from "./table";
export type { ZeekOptions } from "./conn";
export { FLOW_FIELDS } from "../stream/packets";
export type { NfstreamOptions } from "./nfstream";

export interface FlowOptions extends ZeekOptions, NfstreamOptions {
  /** "zeek" (default): Zeek's connections; "nfstream": nfstream's flows (idle/active timeouts, no TCP state) */
  mode?: "zeek" | "nfstream";
}

declare module "../table/capture" {
  interface Capture {
    /** The capture's connections as a FlowTable (Zeek's conn.log semantics by default). */
    flows(opts?: FlowOptions): FlowTable;
  }
}

const STATES = ["", "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"];

/** Seed for uids: from the capture's first packet time, packet count and first frame lengths. */
function captureSeed(cap: Capture): number {
  let h = 0x811c9dc5;
  const mix = (x: number) => { h = Math.imul(h ^ (x >>> 0), 0x01000193); h = Math.imul(h ^ Math.floor(x / 2 ** 32), 0x01000193); };
  mix(cap.count);
  const n = Math.min(cap.count, 16);
  if (n > 0) {
    const t = cap.column("frame.time_epoch"), len = cap.column("frame.len");
    for (let i = 0; i < n; i++) {
      const v = t.get(i);
      mix(typeof v === "number" ? Math.round(v * 1e6) : 0);
      mix(Number(len.get(i) ?? 0));
    }
  }
  return h >>> 0;
}

function zeekTable(cap: Capture, opts: FlowOptions): FlowTable {
  const tr = trackZeek(cap, opts);
  const conns = tr.conns, n = conns.length;
  const f64 = () => new Float64Array(n);
  const d: FlowData = {
    count: n, ts: f64(), uid: new Array<string>(n), origH: f64(), origP: new Int32Array(n), respH: f64(), respP: new Int32Array(n),
    proto: new Uint8Array(n), protoNames: KIND_NAMES, duration: f64(), origBytes: f64(), respBytes: f64(),
    connState: new Uint8Array(n), stateNames: STATES, missedBytes: f64(), history: new Uint32Array(n), historyNames: [""],
    origPkts: f64(), origIpBytes: f64(), respPkts: f64(), respIpBytes: f64(), ipProto: new Uint8Array(n),
    fwdPkts: f64(), fwdBytes: f64(), bwdPkts: f64(), bwdBytes: f64(), psMin: f64(), psMax: f64(), piatMeanMs: f64(),
  };
  const hist = new Map<string, number>();
  const stateCode = new Map(STATES.map((s, i) => [s, i]));
  const uid = uidMaker(captureSeed(cap));
  for (let r = 0; r < n; r++) {
    const c: Conn = conns[r];
    d.ts[r] = c.start;
    d.uid[r] = uid();
    d.origH[r] = c.origH; d.origP[r] = c.origP; d.respH[r] = c.respH; d.respP[r] = c.respP;
    d.proto[r] = c.kind;
    const dur = c.last - c.start;
    if (dur > 0) {
      d.duration[r] = dur;
      d.origBytes[r] = c.origBytes();
      d.respBytes[r] = c.respBytes();
    } else d.duration[r] = d.origBytes[r] = d.respBytes[r] = NaN;
    d.connState[r] = stateCode.get(c.connState()) as number;
    d.missedBytes[r] = c.missedBytes();
    if (c.history !== "") {
      let h = hist.get(c.history);
      if (h === undefined) { h = d.historyNames.length; d.historyNames.push(c.history); hist.set(c.history, h); }
      d.history[r] = h;
    }
    d.origPkts[r] = c.origPkts; d.origIpBytes[r] = c.origIp; d.respPkts[r] = c.respPkts; d.respIpBytes[r] = c.respIp;
    d.ipProto[r] = c.ipProto;
    d.fwdPkts[r] = c.fwdPkts; d.fwdBytes[r] = c.fwdBytes; d.bwdPkts[r] = c.bwdPkts; d.bwdBytes[r] = c.bwdBytes;
    const pk = c.fwdPkts + c.bwdPkts;
    d.psMin[r] = pk > 0 ? c.psMin : NaN;
    d.psMax[r] = pk > 0 ? c.psMax : NaN;
    d.piatMeanMs[r] = pk > 1 ? (c.piatSum * 1000) / (pk - 1) : NaN;
  }
  return new FlowTable(d, tr.addrs, cap, tr.flowOf, tr.warnings, "zeek");
}

/** Flow tables already computed, per capture (or view) and options: connection tracking runs once. */
const computed = new WeakMap<Capture, Map<string, FlowTable>>();

function optionsKey(opts: FlowOptions): string {
  const o = opts as Record<string, unknown>;
  return JSON.stringify(Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => [k, o[k]]));
}

/**
 * The flow table of a capture (or of a view of it). Computed once per capture and options: the
 * application tables, files, detectors, rules, the report and the charts all share it.
 */
export function flows(cap: Capture, opts: FlowOptions = {}): FlowTable {
  const key = optionsKey(opts);
  let per = computed.get(cap);
  const hit = per?.get(key);
  if (hit !== undefined) return hit;
  const ft = opts.mode === "nfstream" ? trackNfstream(cap, opts, uidMaker(captureSeed(cap))) : zeekTable(cap, opts);
  if (per === undefined) { per = new Map(); computed.set(cap, per); }
  per.set(key, ft);
  return ft;
}

Capture.prototype.flows = function flowsMethod(this: Capture, opts?: FlowOptions): FlowTable {
  return flows(this, opts);
};
