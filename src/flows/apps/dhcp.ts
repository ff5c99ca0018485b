/**
 * capture.dhcp(): one row per DHCP transaction (the messages of one transaction id and client
 * MAC), modelled on Zeek's dhcp.log: message types in order, client MAC, addresses, host name,
 * FQDN, domain, lease time, messages. A transaction's messages often travel in several flows
 * (0.0.0.0 → broadcast, server → broadcast or unicast): `uid` is the first message's flow and
 * `uids` all of them. Options are read as far as each is whole; at most MAX_OPEN transactions are
 * open at a time (the oldest is closed first) and a transaction closes MAX_AGE seconds after its
 * first message (a new one with the same xid starts a new row).
 */
import type { FlowInfo, PayloadSink } from "../payloads";
import { AppTableBuilder, type ColSpec } from "./table";

const MAX_OPEN = 4096;
const MAX_AGE = 60;
const COOKIE = 0x63825363;

export const DHCP_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "uids", kind: "set[string]" }, { name: "client_addr", kind: "addr" },
  { name: "server_addr", kind: "addr" }, { name: "mac", kind: "string" }, { name: "host_name", kind: "string" },
  { name: "client_fqdn", kind: "string" }, { name: "domain", kind: "string" }, { name: "requested_addr", kind: "addr" },
  { name: "assigned_addr", kind: "addr" }, { name: "lease_time", kind: "interval" }, { name: "client_message", kind: "string" },
  { name: "server_message", kind: "string" }, { name: "msg_types", kind: "vector[string]" }, { name: "duration", kind: "interval" },
  { name: "trans_id", kind: "count" },
];

const MSG_TYPES = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM", "FORCERENEW",
  "LEASEQUERY", "LEASEUNASSIGNED", "LEASEUNKNOWN", "LEASEACTIVE", "BULKLEASEQUERY", "LEASEQUERYDONE", "ACTIVELEASEQUERY",
  "LEASEQUERYSTATUS", "TLS"];

const ip4 = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const latin1 = (b: Uint8Array, o: number, e: number) => Buffer.from(b.buffer, b.byteOffset + o, e - o).toString("latin1");

export interface DhcpMessage {
  op: number;
  xid: number;
  ciaddr: string;
  yiaddr: string;
  mac?: string;
  type?: number;
  requested?: string;
  serverId?: string;
  hostname?: string;
  fqdn?: string;
  domain?: string;
  lease?: number;
  message?: string;
}

/** A DHCP message in [o, e); null when shorter than the fixed header or without the magic cookie. */
export function parseDhcp(b: Uint8Array, o: number, e: number): DhcpMessage | null {
  if (e - o < 240) return null;
  if ((((b[o + 236] << 24) | (b[o + 237] << 16) | (b[o + 238] << 8) | b[o + 239]) >>> 0) !== COOKIE) return null;
  const m: DhcpMessage = {
    op: b[o], xid: ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0,
    ciaddr: ip4(b, o + 12), yiaddr: ip4(b, o + 16),
  };
  if (b[o + 1] === 1 && b[o + 2] === 6) {
    const h = Buffer.from(b.buffer, b.byteOffset + o + 28, 6).toString("hex");
    m.mac = h.replace(/(..)(?!$)/g, "$1:");
  }
  for (let p = o + 240; p < e;) {
    const code = b[p];
    if (code === 255) break;
    if (code === 0) { p++; continue; }
    if (p + 2 > e) break;
    const len = b[p + 1], d = p + 2, de = d + len;
    if (de > e) break;
    switch (code) {
      case 53: if (len >= 1) m.type = b[d]; break;
      case 50: if (len >= 4) m.requested = ip4(b, d); break;
      case 54: if (len >= 4) m.serverId = ip4(b, d); break;
      case 12: m.hostname = latin1(b, d, de); break;
      case 15: m.domain = latin1(b, d, de).replace(/\0+$/, ""); break;
      case 51: if (len >= 4) m.lease = ((b[d] << 24) | (b[d + 1] << 16) | (b[d + 2] << 8) | b[d + 3]) >>> 0; break;
      case 56: m.message = latin1(b, d, de); break;
      case 81: if (len >= 3) m.fqdn = latin1(b, d + 3, de); break;
    }
    p = de;
  }
  return m;
}

interface Trans {
  row: number;
  first: number;
  uids: Set<number>;
}

export class DhcpApp implements PayloadSink {
  readonly t = new AppTableBuilder(DHCP_COLUMNS);
  private readonly open = new Map<string, Trans>();
  private damaged = 0;
  private uidOf: (flowRow: number) => string = String;

  constructor(uidOf?: (flowRow: number) => string) {
    if (uidOf) this.uidOf = uidOf;
  }

  wants(f: FlowInfo): boolean {
    return f.proto === "udp" && (f.origP === 67 || f.origP === 68 || f.respP === 67 || f.respP === 68);
  }

  packet(f: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number): void {
    const m = parseDhcp(b, off, end);
    if (m === null) { this.damaged++; return; }
    const T = this.t;
    const key = `${m.xid}/${m.mac ?? ""}`;
    let tr = this.open.get(key);
    if (tr !== undefined && t - tr.first > MAX_AGE) { this.open.delete(key); tr = undefined; }
    if (tr === undefined) {
      tr = { row: T.row(f.row), first: t, uids: new Set() };
      T.num(tr.row, "ts", t);
      T.num(tr.row, "trans_id", m.xid);
      this.open.set(key, tr);
      if (this.open.size > MAX_OPEN) { const k = this.open.keys().next().value as string; this.open.delete(k); }
    }
    const r = tr.row;
    if (!tr.uids.has(f.row)) { tr.uids.add(f.row); T.push(r, "uids", this.uidOf(f.row)); }
    T.num(r, "duration", t - tr.first);
    if (m.type !== undefined) T.push(r, "msg_types", MSG_TYPES[m.type] ?? `UNKNOWN-${m.type}`);
    const client = m.op === 1;
    if (client) {
      if (m.mac !== undefined) T.str(r, "mac", m.mac);
      if (m.ciaddr !== "0.0.0.0") T.str(r, "client_addr", m.ciaddr);
      if (m.hostname !== undefined) T.str(r, "host_name", m.hostname);
      if (m.fqdn !== undefined) T.str(r, "client_fqdn", m.fqdn);
      if (m.requested !== undefined) T.str(r, "requested_addr", m.requested);
      if (m.message !== undefined) T.str(r, "client_message", m.message);
    } else {
      if (m.serverId !== undefined) T.str(r, "server_addr", m.serverId);
      if (m.domain !== undefined) T.str(r, "domain", m.domain);
      if (m.message !== undefined) T.str(r, "server_message", m.message);
      if (m.type === 5 || (m.type === undefined && m.yiaddr !== "0.0.0.0")) {
        if (m.yiaddr !== "0.0.0.0") T.str(r, "assigned_addr", m.yiaddr);
        if (m.lease !== undefined) T.num(r, "lease_time", m.lease);
      }
      if (m.mac !== undefined && !T.has(r, "mac")) T.str(r, "mac", m.mac);
    }
    void fromOrig;
  }

  finish(): void {
    if (this.damaged > 0) this.t.warnings.push(`dhcp: ${this.damaged} datagrams on the DHCP ports were not DHCP (short or no magic cookie)`);
  }
}
