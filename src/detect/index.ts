/**
 * Detectors: `capture.alerts(options?)` runs them and returns an AlertTable (src/detect/alerts.ts).
 * Capture gets its `alerts()` method here (module augmentation), as src/flows adds `flows()`.
 *
 *   const alerts = await cap.alerts();                                  // every detector, default thresholds
 *   await cap.alerts({ detectors: ["port_scan"], port_scan: { minPorts: 50 } });
 *   detectSync(cap)                                                     // all but cleartext_credentials (no file pass)
 *
 * Each detector is one file with its options and defaults; docs/detect.md describes them.
 */
import { Capture } from "../table/capture";
import { FLOW_FIELDS } from "../flows";
import type { FlowTable } from "../flows/table";
import { AlertTable, type AlertInput } from "./alerts";
import { DetectContext } from "./context";
import { ARP_SPOOF_DEFAULTS, arpSpoof, type ArpSpoofOptions } from "./arp_spoof";
import { BEACON_DEFAULTS, beacon, type BeaconOptions } from "./beacon";
import { BRUTE_FORCE_DEFAULTS, bruteForce, type BruteForceOptions } from "./brute_force";
import { CLEARTEXT_DEFAULTS, cleartextCredentials, type CleartextOptions } from "./cleartext_credentials";
import { DNS_TUNNEL_DEFAULTS, dnsTunnel, type DnsTunnelOptions } from "./dns_tunnel";
import { PORT_SCAN_DEFAULTS, portScan, type PortScanOptions } from "./port_scan";
import { SYN_FLOOD_DEFAULTS, synFlood, type SynFloodOptions } from "./syn_flood";
import { customDetectors, isCustomDetector, runCustomDetectors } from "../custom/detector";

export { AlertTable, ALERT_COLUMNS, SEVERITY_NAMES, type AlertInput, type AlertColumn, type AlertValue } from "./alerts";
export { DetectContext } from "./context";
export type { ArpSpoofOptions, BeaconOptions, BruteForceOptions, CleartextOptions, DnsTunnelOptions, PortScanOptions, SynFloodOptions };

/** The packet fields the detectors read besides FLOW_FIELDS (`open(f, { columns: DETECT_FIELDS })` loads only these). */
export const DETECT_FIELDS = [...FLOW_FIELDS, "dns.qry.name", "dns.qry.type", "dns.flags.response", "arp.opcode",
  "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "http.request.method", "http.response.code"];

/** The detectors, in the order they run. */
export const DETECTORS = ["port_scan", "syn_flood", "dns_tunnel", "arp_spoof", "beacon", "brute_force", "cleartext_credentials"] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Default thresholds of every detector (documented in each detector's file and docs/detect.md). */
export const DETECTOR_DEFAULTS = {
  port_scan: PORT_SCAN_DEFAULTS,
  syn_flood: SYN_FLOOD_DEFAULTS,
  dns_tunnel: DNS_TUNNEL_DEFAULTS,
  arp_spoof: ARP_SPOOF_DEFAULTS,
  beacon: BEACON_DEFAULTS,
  brute_force: BRUTE_FORCE_DEFAULTS,
  cleartext_credentials: CLEARTEXT_DEFAULTS,
};

export interface AlertOptions {
  /** which detectors run (default: all, the user-defined ones (wb.defineDetector) too) */
  detectors?: readonly (DetectorName | (string & {}))[];
  /** the capture's flows when already built (else built here, Zeek mode) */
  flows?: FlowTable;
  /** show passwords found by cleartext_credentials (default: masked) */
  showSecrets?: boolean;
  port_scan?: Partial<PortScanOptions>;
  syn_flood?: Partial<SynFloodOptions>;
  dns_tunnel?: Partial<DnsTunnelOptions>;
  arp_spoof?: Partial<ArpSpoofOptions>;
  beacon?: Partial<BeaconOptions>;
  brute_force?: Partial<BruteForceOptions>;
  cleartext_credentials?: Partial<CleartextOptions>;
}

declare module "../table/capture" {
  interface Capture {
    /** Runs the detectors (src/detect) over the packets and flows: an AlertTable. */
    alerts(options?: AlertOptions): Promise<AlertTable>;
  }
}

function context(cap: Capture, o: AlertOptions): DetectContext {
  const ft = o.flows ?? cap.flows();
  if (ft.capture !== cap && ft.flowOf.length !== cap.count) throw new Error("options.flows was built from another capture");
  return new DetectContext(cap, ft);
}

function runSync(ctx: DetectContext, o: AlertOptions, want: Set<string>): AlertInput[] {
  const out: AlertInput[] = [];
  if (want.has("port_scan")) out.push(...portScan(ctx, { ...PORT_SCAN_DEFAULTS, ...o.port_scan }));
  if (want.has("syn_flood")) out.push(...synFlood(ctx, { ...SYN_FLOOD_DEFAULTS, ...o.syn_flood }));
  if (want.has("dns_tunnel")) out.push(...dnsTunnel(ctx, { ...DNS_TUNNEL_DEFAULTS, ...o.dns_tunnel }));
  if (want.has("arp_spoof")) out.push(...arpSpoof(ctx, { ...ARP_SPOOF_DEFAULTS, ...o.arp_spoof }));
  if (want.has("beacon")) out.push(...beacon(ctx, { ...BEACON_DEFAULTS, ...o.beacon }));
  if (want.has("brute_force")) out.push(...bruteForce(ctx, { ...BRUTE_FORCE_DEFAULTS, ...o.brute_force }));
  return out;
}

function wanted(o: AlertOptions): Set<string> {
  const w = new Set<string>(o.detectors ?? [...DETECTORS, ...customDetectors()]);
  for (const d of w) {
    if (!(DETECTORS as readonly string[]).includes(d) && !isCustomDetector(d)) throw new Error(`unknown detector "${d}"; detectors: ${[...DETECTORS, ...customDetectors()].join(", ")}`);
  }
  return w;
}

/** Every built-in detector but cleartext_credentials (which reads payload from the file): synchronous; no user-defined ones. */
export function detectSync(cap: Capture, o: AlertOptions = {}): AlertTable {
  const want = wanted(o);
  return AlertTable.from(runSync(context(cap, o), o, want), cap);
}

/** Runs the detectors; cleartext_credentials reads payloads through the payload pass (src/flows/payloads.ts). */
export async function detect(cap: Capture, o: AlertOptions = {}): Promise<AlertTable> {
  const want = wanted(o);
  const ctx = context(cap, o);
  const out = runSync(ctx, o, want);
  if (want.has("cleartext_credentials")) {
    const co = { ...CLEARTEXT_DEFAULTS, ...o.cleartext_credentials };
    if (o.showSecrets !== undefined) co.showSecrets = o.showSecrets;
    out.push(...(await cleartextCredentials(ctx, co)));
  }
  out.push(...(await runCustomDetectors(cap, customDetectors().filter((d) => want.has(d)), () => ctx.flows)));
  return AlertTable.from(out, cap);
}

Capture.prototype.alerts = function alertsMethod(this: Capture, options?: AlertOptions): Promise<AlertTable> {
  return detect(this, options);
};
