/**
 * User-defined detectors: `defineDetector({ name, description?, run(capture) → rows })`. Each row
 * is `{ frame, message, severity?, filter? }` (a packet, by frame number) or `{ uid, message, … }`
 * (a flow); they become alert rows (src/detect/alerts.ts) with `detector` = the name, next to the
 * built-in detectors' and the rules' in `capture.alerts()` and `wirebook alerts --detector FILE.js`.
 */
import { SpecError } from "./errors";
import type { AlertInput } from "../detect/alerts";
import type { FlowTable } from "../flows/table";
import type { Capture } from "../table/capture";

export type DetectorSeverity = "info" | "low" | "medium" | "high";

export interface DetectorRow {
  /** the alerting packet (frame.number, from 1) */
  frame?: number;
  /** or the alerting flow (a uid of capture.flows()) */
  uid?: string;
  message: string;
  /** default "medium" */
  severity?: DetectorSeverity;
  /** a display filter selecting the alert's packets (default: the frame, or the flow's packets) */
  filter?: string;
}

export interface DetectorSpec {
  name: string;
  description?: string;
  run(capture: Capture): DetectorRow[] | Promise<DetectorRow[]> | Iterable<DetectorRow>;
}

/** A detector that cannot be defined, or whose rows are not alerts: the message names it. */
export class DetectorSpecError extends SpecError {
  constructor(message: string) {
    super(message);
    this.name = "DetectorSpecError";
  }
}

const detectors = new Map<string, DetectorSpec>();

// info has no Suricata severity of its own: it sorts after low (4)
const SEVERITY: Record<DetectorSeverity, number> = { high: 1, medium: 2, low: 3, info: 4 };

/** Defines (or, by the same name, replaces) a detector; built-in detector names are refused. */
export function defineDetector(spec: DetectorSpec, builtin: readonly string[] = []): string {
  const who = typeof spec?.name === "string" ? `detector "${spec.name}"` : "detector spec";
  if (spec === null || typeof spec !== "object") throw new DetectorSpecError("a detector is an object { name, run(capture) }");
  if (typeof spec.name !== "string" || !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(spec.name)) throw new DetectorSpecError(`${who}: "name" must be letters, digits, "_", "-" or ".", starting with a letter`);
  if (builtin.includes(spec.name)) throw new DetectorSpecError(`${who}: a built-in detector has this name`);
  if (typeof spec.run !== "function") throw new DetectorSpecError(`${who}: "run" must be a function (capture) => rows`);
  detectors.set(spec.name, spec);
  return spec.name;
}

/** Names of the user-defined detectors, in definition order. */
export function customDetectors(): string[] {
  return [...detectors.keys()];
}

export function isCustomDetector(name: string): boolean {
  return detectors.has(name);
}

function colGet(cap: Capture, name: string): ((i: number) => unknown) | undefined {
  try {
    const c = cap.column(name);
    return (i) => c.get(i);
  } catch {
    return undefined; // not loaded
  }
}

/** Runs the named user-defined detectors over a capture (or view): alert rows. */
export async function runCustomDetectors(cap: Capture, names: readonly string[], flows: () => FlowTable): Promise<AlertInput[]> {
  const out: AlertInput[] = [];
  if (names.length === 0) return out;
  // frame number → position in the capture (a view's rows are not frame - 1)
  const num = cap.column("frame.number");
  let pos: Map<number, number> | undefined;
  const posOf = (frame: number): number => {
    if (cap.count > 0 && num.get(0) === 1 && num.get(cap.count - 1) === cap.count) return frame >= 1 && frame <= cap.count ? frame - 1 : -1;
    if (pos === undefined) { pos = new Map(); for (let i = 0; i < cap.count; i++) pos.set(num.get(i) as number, i); }
    return pos.get(frame) ?? -1;
  };
  const time = colGet(cap, "frame.time_epoch");
  const src4 = colGet(cap, "ip.src"), dst4 = colGet(cap, "ip.dst"), src6 = colGet(cap, "ipv6.src"), dst6 = colGet(cap, "ipv6.dst");
  for (const name of names) {
    const d = detectors.get(name) as DetectorSpec;
    const rows = await d.run(cap);
    if (rows === null || typeof rows !== "object" || typeof (rows as Iterable<DetectorRow>)[Symbol.iterator] !== "function") {
      throw new DetectorSpecError(`detector "${name}": run() must return an array of { frame | uid, message, severity?, filter? }`);
    }
    for (const r of rows as Iterable<DetectorRow>) {
      if (r === null || typeof r !== "object" || typeof r.message !== "string") throw new DetectorSpecError(`detector "${name}": each row needs a "message" string`);
      const sev = r.severity ?? "medium";
      if (!(sev in SEVERITY)) throw new DetectorSpecError(`detector "${name}": severity is info, low, medium or high (got ${JSON.stringify(r.severity)})`);
      const a: AlertInput = { ts: NaN, detector: name, severity: SEVERITY[sev], src: "", dst: "", summary: r.message, evidence: r.filter ?? "" };
      if (r.frame !== undefined) {
        const i = Number.isInteger(r.frame) ? posOf(r.frame) : -1;
        if (i < 0) throw new DetectorSpecError(`detector "${name}": frame ${JSON.stringify(r.frame)} is not a packet of the capture`);
        a.frame = r.frame;
        a.packets = 1;
        a.ts = (time?.(i) as number | undefined) ?? NaN;
        a.src = String(src4?.(i) ?? src6?.(i) ?? "");
        a.dst = String(dst4?.(i) ?? dst6?.(i) ?? "");
        if (a.evidence === "") a.evidence = `frame.number == ${r.frame}`;
      } else if (typeof r.uid === "string") {
        const ft = flows();
        const row = ft.rowOf(r.uid);
        if (row < 0) throw new DetectorSpecError(`detector "${name}": no flow with uid ${JSON.stringify(r.uid)}`);
        const g = (c: string) => ft.column(c).get(row);
        a.uids = [r.uid];
        a.ts = Number(g("ts"));
        a.src = String(g("id.orig_h") ?? "");
        a.dst = String(g("id.resp_h") ?? "");
        a.sport = g("id.orig_p") as number | undefined;
        a.dport = g("id.resp_p") as number | undefined;
        a.proto = g("proto") as string | undefined;
        if (a.evidence === "") a.evidence = flowFilter(a);
      } else throw new DetectorSpecError(`detector "${name}": each row names a "frame" (number) or a flow "uid"`);
      out.push(a);
    }
  }
  return out;
}

/** a display filter for a flow's packets: its addresses and ports, both directions */
function flowFilter(a: AlertInput): string {
  const ip = a.src.includes(":") ? "ipv6" : "ip";
  let f = `${ip}.addr == ${a.src} && ${ip}.addr == ${a.dst}`;
  if ((a.proto === "tcp" || a.proto === "udp") && a.sport !== undefined && a.dport !== undefined) f += ` && ${a.proto}.port == ${a.sport} && ${a.proto}.port == ${a.dport}`;
  return f;
}
