/**
 * Application tables keyed to flow uids: `await capture.dns()`, `.http()`, `.tls()`, `.dhcp()`,
 * `.quic()`, `.smtp()`. An application protocol is one spec in `APPS` below (its name, Zeek log, columns, the
 * ports it is known by, the parser over reassembled streams); the Capture methods, the CLI
 * commands (`wirebook dns …`), the exports and docs/apps.md's table derive from that list.
 *
 * Every table of a capture (or view) comes from ONE payload pass (src/flows/payloads.ts over the
 * replay pass of src/stream): the first table asked for runs every spec's parser over the payloads
 * of the flows it wants, and the tables are kept with the flow table (computed once per capture).
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
import { scanPayloads, type PayloadSink } from "../payloads";
import { AppTable, type AppTableBuilder, type ColSpec } from "./table";
import { DNS_COLUMNS } from "./dns";
import { HTTP_COLUMNS } from "./http";
import { TLS_COLUMNS } from "./tls";
import { DHCP_COLUMNS } from "./dhcp";
import { QUIC_COLUMNS } from "./quic";
import { SMTP_COLUMNS, SmtpApp } from "./smtp";
import { TlsApp } from "./tls";

export { AppTable, type AppColumn, type AppValue } from "./table";
export { DNS_COLUMNS } from "./dns";
export { HTTP_COLUMNS } from "./http";
export { TLS_COLUMNS } from "./tls";
export { DHCP_COLUMNS } from "./dhcp";
export { QUIC_COLUMNS } from "./quic";
export { SMTP_COLUMNS } from "./smtp";
export { ja3, ja3s, ja3String, ja4, ja4r, parseHello, type Hello } from "./hello";

/** One application protocol: everything the table, the CLI and the docs need of it. */
export interface AppSpec {
  readonly name: string;
  /** Zeek's log of the same records ("ssl" for tls) */
  readonly log: string;
  /** what a row is, for docs and --help */
  readonly title: string;
  readonly columns: readonly ColSpec[];
  /** the ports it is usually found on, for docs (the parsers recognise it by content) */
  readonly ports: string;
  /** a new parser for one pass: a PayloadSink that fills its table */
  make(uid: (flowRow: number) => string): PayloadSink & { t: AppTableBuilder };
}

export const APPS = [
  { name: "dns", log: "dns", title: "DNS queries and responses", columns: DNS_COLUMNS, ports: "udp/tcp 53, 5353 (mDNS), 5355 (LLMNR)", make: () => new DnsApp() },
  { name: "http", log: "http", title: "HTTP/1.x requests and responses", columns: HTTP_COLUMNS, ports: "any TCP port (by content)", make: () => new HttpApp() },
  { name: "tls", log: "ssl", title: "TLS handshakes, JA3/JA3S/JA4", columns: TLS_COLUMNS, ports: "any TCP port (by content)", make: () => new TlsApp() },
  { name: "dhcp", log: "dhcp", title: "DHCP transactions", columns: DHCP_COLUMNS, ports: "udp 67, 68", make: (uid) => new DhcpApp(uid) },
  { name: "quic", log: "quic", title: "QUIC connections, decrypted Initials", columns: QUIC_COLUMNS, ports: "udp 443 and any UDP port (by content)", make: () => new QuicApp() },
  { name: "smtp", log: "smtp", title: "SMTP transactions (envelope, message headers)", columns: SMTP_COLUMNS, ports: "tcp 25, 587", make: () => new SmtpApp() },
] as const satisfies readonly AppSpec[];

export type AppName = (typeof APPS)[number]["name"];
export const APP_NAMES: AppName[] = APPS.map((a) => a.name);

/** The spec of an application table, or undefined. */
export function appSpec(name: string): AppSpec | undefined {
  return (APPS as readonly AppSpec[]).find((a) => a.name === name);
}

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
    /** SMTP transactions (Zeek's smtp.log columns), keyed to flow uids. */
    smtp(opts?: AppOptions): Promise<AppTable>;
  }
}

function flowTableOf(cap: Capture, opts: AppOptions): FlowTable {
  if (opts.flows !== undefined) {
    if (opts.flows.capture !== cap) throw new Error("opts.flows is the flow table of another capture (or view)");
    return opts.flows;
  }
  return cap.flows();
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

/**
 * Tables made from the same payload pass by modules above this one (src/files registers the files
 * table): one pass serves them all.
 */
const sharers: { name: string; make(uid: (flowRow: number) => string): PayloadSink & { t: AppTableBuilder } }[] = [];
export function sharePass(name: string, make: (uid: (flowRow: number) => string) => PayloadSink & { t: AppTableBuilder }): void {
  if (!sharers.some((x) => x.name === name)) sharers.push({ name, make });
}

/** The table `name` of the shared payload pass (an application table or a sharer's), computed once. */
export async function passTable(cap: Capture, ft: FlowTable, name: string): Promise<AppTable> {
  const t = (await allTables(cap, ft)).get(name);
  if (t === undefined) throw new Error(`no table "${name}" in the payload pass`);
  return t;
}

const pending = new WeakMap<FlowTable, Promise<Map<string, AppTable>>>();

/** Every application table of the flow table's capture, from one payload pass (kept). */
function allTables(cap: Capture, ft: FlowTable): Promise<Map<string, AppTable>> {
  let p = pending.get(ft);
  if (p === undefined) {
    p = (async () => {
      const uid = ft.column("uid");
      const makers = [...(APPS as readonly AppSpec[]), ...sharers];
      const apps = makers.map((spec) => ({ spec, app: spec.make((r) => String(uid.get(r))) }));
      const stats = await scanPayloads(cap, ft, apps.map((a) => a.app));
      const out = new Map<string, AppTable>();
      for (const { spec, app } of apps) {
        if (stats.missing > 0) app.t.warnings.push(`${spec.name}: ${stats.missing} packets could not be read again (the file changed since it was opened, or they are past a live capture's record cap)`);
        out.set(spec.name, app.t.finish(spec.name, ft, timeOrder(app.t)));
      }
      return out;
    })();
    pending.set(ft, p);
    p.catch(() => pending.delete(ft));
  }
  return p;
}

/** The application table `name` of a capture (every table comes from one pass, computed once). */
export async function appTable(cap: Capture, name: AppName, opts: AppOptions = {}): Promise<AppTable> {
  if (appSpec(name) === undefined) throw new Error(`unknown application table "${String(name)}"; tables: ${APP_NAMES.join(", ")}`);
  const ft = flowTableOf(cap, opts);
  return (await allTables(cap, ft)).get(name) as AppTable;
}

for (const name of APP_NAMES) {
  (Capture.prototype as unknown as Record<string, unknown>)[name] = function appMethod(this: Capture, opts?: AppOptions): Promise<AppTable> {
    return appTable(this, name, opts);
  };
}

/** docs/apps.md's table of the application tables, made from APPS (a test keeps the doc equal to it). */
export function appsMarkdown(): string {
  const rows = (APPS as readonly AppSpec[]).map((a) =>
    `| \`capture.${a.name}()\` | \`wirebook ${a.name} FILE\` | ${a.log}.log | ${a.title} | ${a.ports} | ${a.columns.length} |`);
  return ["| method | command | Zeek log | rows | found on | columns |", "|---|---|---|---|---|---|", ...rows].join("\n");
}
