/**
 * Application-layer message builders: DNS, DHCP, NTP (written straight into a Frame) and TLS
 * hellos / HTTP messages (returned as bytes for a TCP stream).
 */
import type { Frame, IPv6, Mac } from "./packet";
import type { Rng } from "./prng";

// ---------------------------------------------------------------- DNS

export const DNS_A = 1;
export const DNS_CNAME = 5;
export const DNS_SOA = 6;
export const DNS_PTR = 12;
export const DNS_TXT = 16;
export const DNS_AAAA = 28;
export const DNS_OPT = 41;

export type DnsRecord =
  | { type: typeof DNS_A; name: string; ttl: number; addr: number }
  | { type: typeof DNS_AAAA; name: string; ttl: number; addr: IPv6 }
  | { type: typeof DNS_CNAME | typeof DNS_PTR; name: string; ttl: number; target: string }
  | { type: typeof DNS_TXT; name: string; ttl: number; texts: string[] }
  | { type: typeof DNS_SOA; name: string; ttl: number; mname: string; rname: string; serial: number };

/** Writes a (compressed) domain name; `table` maps suffixes to offsets within the message. */
function dnsName(f: Frame, start: number, name: string, table: Map<string, number>): void {
  const labels = name === "" || name === "." ? [] : name.replace(/\.$/, "").split(".");
  for (let i = 0; i < labels.length; i++) {
    const suffix = labels.slice(i).join(".").toLowerCase();
    const at = table.get(suffix);
    if (at !== undefined) {
      f.u16(0xc000 | at);
      return;
    }
    const off = f.pos - start;
    if (off < 0x3fff) table.set(suffix, off);
    const l = labels[i];
    f.u8(l.length).ascii(l);
  }
  f.u8(0);
}

export interface DnsMessage {
  id: number;
  response: boolean;
  rcode?: number;
  qname: string;
  qtype: number;
  answers?: DnsRecord[];
  authority?: DnsRecord[];
  /** add an EDNS0 OPT record with this UDP payload size */
  edns?: number;
}

export function dns(f: Frame, m: DnsMessage): void {
  const start = f.pos;
  const answers = m.answers ?? [];
  const auth = m.authority ?? [];
  f.u16(m.id);
  f.u16(m.response ? 0x8180 | (m.rcode ?? 0) : 0x0100);
  f.u16(1).u16(answers.length).u16(auth.length).u16(m.edns ? 1 : 0);
  const table = new Map<string, number>();
  dnsName(f, start, m.qname, table);
  f.u16(m.qtype).u16(1);
  for (const r of [...answers, ...auth]) {
    dnsName(f, start, r.name, table);
    f.u16(r.type).u16(1).u32(r.ttl);
    const lenAt = f.pos;
    f.u16(0);
    switch (r.type) {
      case DNS_A:
        f.u32(r.addr);
        break;
      case DNS_AAAA:
        f.bytes(r.addr);
        break;
      case DNS_CNAME:
      case DNS_PTR:
        dnsName(f, start, r.target, table);
        break;
      case DNS_TXT:
        for (const t of r.texts) f.u8(t.length).ascii(t);
        break;
      case DNS_SOA:
        dnsName(f, start, r.mname, table);
        dnsName(f, start, r.rname, table);
        f.u32(r.serial).u32(7200).u32(3600).u32(1209600).u32(300);
        break;
    }
    f.buf.writeUInt16BE(f.pos - lenAt - 2, lenAt);
  }
  if (m.edns) {
    f.u8(0).u16(DNS_OPT).u16(m.edns).u32(0).u16(0);
  }
}

// ---------------------------------------------------------------- DHCP

export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPACK = 5;

export interface DhcpMessage {
  type: number;
  xid: number;
  chaddr: Mac;
  secs?: number;
  broadcast?: boolean;
  ciaddr?: number;
  yiaddr?: number;
  siaddr?: number;
  /** client: hostname, requested address, server id (REQUEST) */
  hostname?: string;
  requested?: number;
  serverId?: number;
  /** server: lease parameters */
  lease?: { mask: number; router: number; dns: number; domain: string; seconds: number };
}

export function dhcp(f: Frame, m: DhcpMessage): void {
  const start = f.pos;
  const reply = m.type === DHCPOFFER || m.type === DHCPACK;
  f.u8(reply ? 2 : 1).u8(1).u8(6).u8(0);
  f.u32(m.xid);
  f.u16(m.secs ?? 0).u16(m.broadcast ? 0x8000 : 0);
  f.u32(m.ciaddr ?? 0).u32(m.yiaddr ?? 0).u32(m.siaddr ?? 0).u32(0);
  f.bytes(m.chaddr).zeros(10);
  f.zeros(64 + 128);
  f.u32(0x63825363);
  f.u8(53).u8(1).u8(m.type);
  if (!reply) {
    f.u8(61).u8(7).u8(1).bytes(m.chaddr);
    if (m.requested !== undefined) f.u8(50).u8(4).u32(m.requested);
    if (m.serverId !== undefined) f.u8(54).u8(4).u32(m.serverId);
    f.u8(57).u8(2).u16(1500);
    if (m.hostname !== undefined) f.u8(12).u8(m.hostname.length).ascii(m.hostname);
    f.u8(55).u8(7).u8(1).u8(3).u8(6).u8(15).u8(28).u8(42).u8(119);
  } else {
    const l = m.lease!;
    f.u8(54).u8(4).u32(m.serverId ?? 0);
    f.u8(51).u8(4).u32(l.seconds);
    f.u8(58).u8(4).u32(l.seconds >>> 1);
    f.u8(59).u8(4).u32(Math.floor(l.seconds * 0.875));
    f.u8(1).u8(4).u32(l.mask);
    f.u8(3).u8(4).u32(l.router);
    f.u8(6).u8(4).u32(l.dns);
    f.u8(15).u8(l.domain.length).ascii(l.domain);
  }
  f.u8(255);
  // BOOTP minimum message size is 300 bytes
  const len = f.pos - start;
  if (len < 300) f.zeros(300 - len);
}

// ---------------------------------------------------------------- NTP

const NTP_EPOCH = 2208988800;

function ntpTime(f: Frame, unixSec: number, nsec: number): void {
  f.u32(unixSec + NTP_EPOCH);
  f.u32(Math.floor((nsec / 1e9) * 4294967296));
}

/** NTPv4 client request (mode 3) */
export function ntpRequest(f: Frame, sec: number, nsec: number): void {
  f.u8(0x23).u8(0).u8(6).u8(0xe9);
  f.u32(0).u32(0).u32(0);
  f.zeros(8 + 8 + 8);
  ntpTime(f, sec, nsec);
}

/** NTPv4 server response (mode 4); `orig` is the client's transmit time */
export function ntpResponse(f: Frame, origSec: number, origNsec: number, sec: number, nsec: number, refId: number): void {
  f.u8(0x24).u8(2).u8(6).u8(0xe7);
  f.u32(0x00000a3d).u32(0x00001c2f).u32(refId);
  ntpTime(f, sec - 37, 0);
  ntpTime(f, origSec, origNsec);
  ntpTime(f, sec, Math.max(0, nsec - 20000));
  ntpTime(f, sec, nsec);
}

// ---------------------------------------------------------------- TLS

function u16b(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}
function u24b(v: number): number[] {
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
function ext(type: number, body: number[]): number[] {
  return [...u16b(type), ...u16b(body.length), ...body];
}
function randBytes(rng: Rng, n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(rng.u32() & 255);
  return a;
}
function record(type: number, version: number, body: number[]): number[] {
  return [type, ...u16b(version), ...u16b(body.length), ...body];
}
function handshake(type: number, body: number[]): number[] {
  return [type, ...u24b(body.length), ...body];
}

export interface ClientHelloOptions {
  sni: string;
  alpn: string[];
  /** offer TLS 1.3 (supported_versions, key_share) */
  tls13: boolean;
  sessionId: number[];
}

export function tlsClientHello(rng: Rng, o: ClientHelloOptions): Buffer {
  const suites = o.tls13
    ? [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
    : [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const sni = [...Buffer.from(o.sni, "ascii")];
  const exts: number[] = [
    ...ext(0, [...u16b(sni.length + 3), 0, ...u16b(sni.length), ...sni]),
    ...ext(23, []),
    ...ext(0xff01, [0]),
    ...ext(10, [...u16b(6), ...u16b(0x001d), ...u16b(0x0017), ...u16b(0x0018)]),
    ...ext(11, [1, 0]),
    ...ext(35, []),
  ];
  if (o.alpn.length > 0) {
    const list: number[] = [];
    for (const p of o.alpn) list.push(p.length, ...Buffer.from(p, "ascii"));
    exts.push(...ext(16, [...u16b(list.length), ...list]));
  }
  exts.push(...ext(5, [1, 0, 0, 0, 0]));
  const sigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  exts.push(...ext(13, [...u16b(sigs.length * 2), ...sigs.flatMap(u16b)]));
  if (o.tls13) {
    exts.push(...ext(51, [...u16b(36), ...u16b(0x001d), ...u16b(32), ...randBytes(rng, 32)]));
    exts.push(...ext(45, [1, 1]));
    exts.push(...ext(43, [4, 3, 4, 3, 3]));
  }
  const body = [
    3, 3,
    ...randBytes(rng, 32),
    o.sessionId.length, ...o.sessionId,
    ...u16b(suites.length * 2), ...suites.flatMap(u16b),
    1, 0,
  ];
  // pad the ClientHello to 512 bytes like browsers do (padding extension, RFC 7685)
  const without = 4 + body.length + 2 + exts.length;
  if (without < 508) exts.push(...ext(21, new Array(508 - without - 4).fill(0)));
  body.push(...u16b(exts.length), ...exts);
  return Buffer.from(record(0x16, 0x0301, handshake(1, body)));
}

/**
 * The server's first flight. TLS 1.3: ServerHello + ChangeCipherSpec + encrypted records
 * (EncryptedExtensions … Finished, opaque). TLS 1.2 (resumed session): ServerHello +
 * ChangeCipherSpec + encrypted Finished.
 */
export function tlsServerFlight(rng: Rng, tls13: boolean, sessionId: number[], alpn: string | null, certBytes: number): Buffer {
  const exts: number[] = [];
  if (tls13) {
    exts.push(...ext(51, [...u16b(0x001d), ...u16b(32), ...randBytes(rng, 32)]));
    exts.push(...ext(43, [3, 4]));
  } else {
    exts.push(...ext(0xff01, [0]));
    exts.push(...ext(23, []));
    if (alpn !== null) exts.push(...ext(16, [...u16b(alpn.length + 1), alpn.length, ...Buffer.from(alpn, "ascii")]));
  }
  const body = [
    3, 3,
    ...randBytes(rng, 32),
    sessionId.length, ...sessionId,
    ...u16b(tls13 ? 0x1301 : 0xc02f),
    0,
    ...u16b(exts.length), ...exts,
  ];
  const out = [...record(0x16, 0x0303, handshake(2, body)), ...record(0x14, 0x0303, [1])];
  if (tls13) {
    out.push(...record(0x17, 0x0303, randBytes(rng, certBytes)));
    out.push(...record(0x17, 0x0303, randBytes(rng, 69)));
  } else {
    out.push(...record(0x16, 0x0303, randBytes(rng, 40)));
  }
  return Buffer.from(out);
}

/** The client's second flight: ChangeCipherSpec + encrypted Finished. */
export function tlsClientFinished(rng: Rng, tls13: boolean): Buffer {
  return Buffer.from([
    ...record(0x14, 0x0303, [1]),
    ...(tls13 ? record(0x17, 0x0303, randBytes(rng, 53)) : record(0x16, 0x0303, randBytes(rng, 40))),
  ]);
}

// ---------------------------------------------------------------- HTTP

export function httpDate(unixMs: number): string {
  return new Date(unixMs).toUTCString();
}
