/**
 * Application tables keyed to flow uids: `await capture.dns()`, `.http()`, `.tls()`, `.dhcp()`,
 * `.quic()`, `.smtp()`. Each runs one streaming pass over the capture file (./scan.ts) that looks only at
 * the packets of the flows the application wants, reassembles TCP per flow direction (bounded,
 * ./reassembly.ts), and returns an AppTable whose rows carry their flow's `uid`.
 *
 * Capture gets these methods here (module augmentation, as src/flows/index.ts adds `flows()`):
 * importing this module (src/index.ts does) is what adds them.
 */
import { Capture } from "../../table/capture";
import "../index";
import type { FlowTable } from "../table";
import { DhcpApp } from "./dhcp";
import { DnsApp } from "./dns";
import { HttpApp } from "./http";
import { QuicApp } from "./quic";
import { scanPayloads, type PayloadSink } from "./scan";
import { SmtpApp } from "./smtp";
import { AppTable, type AppTableBuilder } from "./table";
import { TlsApp } from "./tls";

export { AppTable, type AppColumn, type AppValue } from "./table";
export { DNS_COLUMNS } from "./dns";
export { HTTP_COLUMNS } from "./http";
export { TLS_COLUMNS } from "./tls";
export { DHCP_COLUMNS } from "./dhcp";
export { QUIC_COLUMNS } from "./quic";
export { SMTP_COLUMNS } from "./smtp";
export { ja3, ja3s, ja3String, ja4, ja4r, parseHello, type Hello } from "./hello";

export type AppName = "dns" | "http" | "tls" | "dhcp" | "quic" | "smtp";
export const APP_NAMES: AppName[] = ["dns", "http", "tls", "dhcp", "quic", "smtp"];

export interface AppOptions {
  /** the capture's flow table, when already computed (`capture.flows()`); computed (and kept) otherwise */
  flows?: FlowTable;
}

declare module "../../table/capture" {
  interface Capture {
    /** DNS queries and responses (Zeek's dns.log columns), keyed to flow uids. */
    dns(opts?: AppOptions): Promise<AppTable>;
    /** HTTP/1.x requests and responses (Zeek's http.log columns), keyed to flow uids. */
    http(opts?: AppOptions): Promise<AppTable>;
    /** TLS handshakes (Zeek's ssl.log columns, JA3, JA3S, JA4), keyed to flow uids. */
    tls(opts?: AppOptions): Promise<AppTable>;
    /** DHCP transactions (Zeek's dhcp.log columns), keyed to flow uids. */
    dhcp(opts?: AppOptions): Promise<AppTable>;
    /** QUIC connections: version and the decrypted Initial's SNI, ALPN, JA4 (Zeek's quic.log columns). */
    quic(opts?: AppOptions): Promise<AppTable>;
    /** SMTP mail transactions: envelope, message headers, last reply (Zeek's smtp.log columns). */
    smtp(opts?: AppOptions): Promise<AppTable>;
  }
}

const flowCache = new WeakMap<Capture, FlowTable>();
const tableCache = new WeakMap<FlowTable, Map<AppName, AppTable>>();

function flowTableOf(cap: Capture, opts: AppOptions): FlowTable {
  if (opts.flows !== undefined) {
    if (opts.flows.capture !== cap) throw new Error("opts.flows is the flow table of another capture (or view)");
    return opts.flows;
  }
  let ft = flowCache.get(cap);
  if (ft === undefined) { ft = cap.flows(); flowCache.set(cap, ft); }
  return ft;
}

/** Sorts rows by time (stable): rows are created in the order messages complete. */
export function timeOrder(t: AppTableBuilder): Uint32Array {
  const n = t.count;
  const ts = new Float64Array(n);
  for (let r = 0; r < n; r++) ts[r] = t.getNum(r, "ts") ?? Infinity;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => ts[a] - ts[b] || a - b);
  return Uint32Array.from(idx);
}

/** The application table `name` of a capture. */
export async function appTable(cap: Capture, name: AppName, opts: AppOptions = {}): Promise<AppTable> {
  const ft = flowTableOf(cap, opts);
  let cache = tableCache.get(ft);
  const hit = cache?.get(name);
  if (hit !== undefined) return hit;
  const uid = ft.column("uid");
  let app: PayloadSink & { t: AppTableBuilder };
  switch (name) {
    case "dns": app = new DnsApp(); break;
    case "http": app = new HttpApp(); break;
    case "tls": app = new TlsApp(); break;
    case "dhcp": app = new DhcpApp((r) => String(uid.get(r))); break;
    case "quic": app = new QuicApp(); break;
    case "smtp": app = new SmtpApp(); break;
    default: throw new Error(`unknown application table "${String(name)}"; tables: ${APP_NAMES.join(", ")}`);
  }
  const stats = await scanPayloads(cap, ft, app);
  if (stats.notFound > 0) app.t.warnings.push(`${name}: ${stats.notFound} packets whose transport header was not found in the file's record (the file changed since it was opened?)`);
  if (stats.records < cap.storage.table.count) app.t.warnings.push(`${name}: the file has ${stats.records} records now, the capture ${cap.storage.table.count}`);
  const table = app.t.finish(name, ft, timeOrder(app.t));
  if (cache === undefined) { cache = new Map(); tableCache.set(ft, cache); }
  cache.set(name, table);
  return table;
}

for (const name of APP_NAMES) {
  (Capture.prototype as unknown as Record<string, unknown>)[name] = function appMethod(this: Capture, opts?: AppOptions): Promise<AppTable> {
    return appTable(this, name, opts);
  };
}
