/**
 * Flows: `capture.flows()` → a FlowTable of connections with Zeek's conn.log columns (and
 * nfstream-style statistics), or with `{ mode: "nfstream" }` nfstream's flow rules.
 *
 * Capture gets its `flows()` method here (module augmentation), so the packet table knows nothing
 * of flows: importing this module (src/index.ts does) is what adds it.
 */
import { Capture } from "../table/capture";
import { trackZeek } from "./conn";
import { trackNfstream, type NfstreamOptions } from "./nfstream";
import { FlowTable } from "./table";
import { uidMaker } from "./uid";

export { FlowTable, ZEEK_COLUMNS, NFSTREAM_COLUMNS, type FlowColumn, type FlowValue } from "./table";
export { MAX_CONNECTIONS, type ZeekOptions } from "./conn";
import type { ZeekOptions } from "./conn";
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
  const d = tr.data;
  const uid = uidMaker(captureSeed(cap));
  for (let r = 0; r < d.count; r++) d.uid[r] = uid();
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
