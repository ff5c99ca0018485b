/**
 * capture.dns(): one row per DNS query (and per response no query matched), with Zeek's dns.log
 * columns. A response is matched to the oldest unanswered query of the same flow with the same
 * transaction id; `rtt` is response time − query time. UDP messages are one per datagram; DNS
 * over TCP is reassembled and split on its 2-byte length prefix.
 *
 * Hostile input: names are expanded with at most MAX_POINTERS compression pointers and 255
 * bytes; record counts are bounded by the bytes present (a record takes ≥ 11 bytes); at most
 * MAX_ANSWERS answers are kept per message; pending queries per flow are capped (oldest dropped
 * and logged unanswered).
 */
import { formatIPv6 } from "../../fields/ipv6";
import { ByteBuf, TcpStream } from "../../stream/reassembly";
import type { FlowInfo, PayloadSink } from "../payloads";
import { AppTableBuilder, type ColSpec } from "./table";

export const DNS_PORTS = new Set([53, 5353, 5355]);
const MAX_POINTERS = 64;
const MAX_ANSWERS = 256;
const MAX_PENDING = 1024;

export const DNS_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "proto", kind: "enum" }, { name: "trans_id", kind: "count" },
  { name: "rtt", kind: "interval" }, { name: "query", kind: "string" }, { name: "qclass", kind: "count" },
  { name: "qclass_name", kind: "string" }, { name: "qtype", kind: "count" }, { name: "qtype_name", kind: "string" },
  { name: "rcode", kind: "count" }, { name: "rcode_name", kind: "string" }, { name: "AA", kind: "bool" },
  { name: "TC", kind: "bool" }, { name: "RD", kind: "bool" }, { name: "RA", kind: "bool" }, { name: "Z", kind: "count" },
  { name: "answers", kind: "vector[string]" }, { name: "TTLs", kind: "vector[interval]" }, { name: "rejected", kind: "bool" },
];

const QTYPES: Record<number, string> = {
  1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL", 11: "WKS", 12: "PTR",
  13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP",
  23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 28: "AAAA", 29: "LOC", 30: "EID", 31: "NIMLOC", 32: "NB",
  33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL",
  43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3",
  51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC",
  63: "ZONEMD", 64: "SVCB", 65: "HTTPS", 99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 249: "TKEY",
  250: "TSIG", 251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "*", 256: "URI", 257: "CAA",
  32768: "TA", 32769: "DLV",
};
const QCLASSES: Record<number, string> = { 1: "C_INTERNET", 2: "C_CSNET", 3: "C_CHAOS", 4: "C_HESIOD", 254: "C_NONE", 255: "C_ANY" };
const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
  "NOTAUTH", "NOTZONE"];

export const qtypeName = (t: number): string => QTYPES[t] ?? `query-${t}`;
export const qclassName = (c: number): string => QCLASSES[c] ?? `qclass-${c}`;
export const rcodeName = (r: number): string => RCODES[r] ?? `rcode-${r}`;

export interface DnsMessage {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: number;
  rcode: number;
  qdcount: number;
  ancount: number;
  query?: string;
  qtype?: number;
  qclass?: number;
  answers: string[];
  ttls: number[];
  /** damaged: what could be read is kept */
  damaged: boolean;
}

/** Escapes a label byte as Zeek does for non-printable bytes (\xNN). */
function labelText(b: Uint8Array, o: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[o + i];
    s += c >= 0x21 && c <= 0x7e ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return s;
}

let nameEnd = 0;
/** The name at `off` of the message [msg, end); sets nameEnd (the offset after it here); null when damaged. */
export function readName(b: Uint8Array, msg: number, end: number, off: number): string | null {
  let out = "";
  let jumps = 0, total = 0;
  let after = -1;
  for (;;) {
    if (off >= end) return null;
    const c = b[off];
    if (c === 0) { off++; break; }
    if ((c & 0xc0) === 0xc0) {
      if (off + 1 >= end) return null;
      if (after < 0) after = off + 2;
      if (++jumps > MAX_POINTERS) return null; // a loop
      off = msg + (((c & 0x3f) << 8) | b[off + 1]);
      continue;
    }
    if ((c & 0xc0) !== 0) return null; // extended / unknown label types
    if (off + 1 + c > end) return null;
    total += c + 1;
    if (total > 255) return null;
    out += (out === "" ? "" : ".") + labelText(b, off + 1, c);
    off += 1 + c;
  }
  nameEnd = after >= 0 ? after : off;
  return out;
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** One DNS message in [msg, end): header, first question, answer-section records (Zeek's text). */
export function parseDns(b: Uint8Array, msg: number, end: number): DnsMessage | null {
  if (end - msg < 12) return null;
  const flags = u16(b, msg + 2);
  const m: DnsMessage = {
    id: u16(b, msg), qr: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 15, aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0, rd: (flags & 0x100) !== 0, ra: (flags & 0x80) !== 0, z: (flags >> 4) & 7,
    rcode: flags & 15, qdcount: u16(b, msg + 4), ancount: u16(b, msg + 6), answers: [], ttls: [], damaged: false,
  };
  let off = msg + 12;
  for (let q = 0; q < m.qdcount; q++) {
    const name = readName(b, msg, end, off);
    if (name === null || nameEnd + 4 > end) { m.damaged = true; return m; }
    if (q === 0) { m.query = name; m.qtype = u16(b, nameEnd); m.qclass = u16(b, nameEnd + 2); }
    off = nameEnd + 4;
  }
  for (let a = 0; a < m.ancount && m.answers.length < MAX_ANSWERS; a++) {
    const name = readName(b, msg, end, off);
    if (name === null || nameEnd + 10 > end) { m.damaged = true; return m; }
    const o = nameEnd;
    const type = u16(b, o), ttl = u32(b, o + 4), rdlen = u16(b, o + 8);
    const rd = o + 10, re = rd + rdlen;
    if (re > end) { m.damaged = true; return m; }
    off = re;
    let text: string | null;
    switch (type) {
      case 1: text = rdlen === 4 ? `${b[rd]}.${b[rd + 1]}.${b[rd + 2]}.${b[rd + 3]}` : null; break;
      case 28: text = rdlen === 16 ? formatIPv6(b, rd) : null; break;
      case 2: case 5: case 12: case 39: text = readName(b, msg, re, rd); break;
      case 15: text = rdlen >= 3 ? readName(b, msg, re, rd + 2) : null; break;
      case 33: text = rdlen >= 7 ? readName(b, msg, re, rd + 6) : null; break;
      case 6: text = readName(b, msg, re, rd); break;
      case 16: {
        // Zeek: "TXT <length> <string>" per character-string, joined by a space
        const parts: string[] = [];
        for (let q = rd; q < re;) {
          const n = b[q];
          if (q + 1 + n > re) break;
          parts.push(`TXT ${n} ${Buffer.from(b.subarray(q + 1, q + 1 + n)).toString("latin1")}`);
          q += 1 + n;
        }
        text = parts.join(" ");
        break;
      }
      default: text = `<unknown type=${type}>`;
    }
    m.answers.push(text ?? "<damaged>");
    m.ttls.push(ttl);
  }
  return m;
}

interface Pending {
  id: number;
  row: number;
}

interface FlowState {
  pending: Pending[];
  orig: TcpStream | null;
  resp: TcpStream | null;
  /** time of the TCP segment being delivered */
  time: number;
}

/** The DNS application of the second pass. */
export class DnsApp implements PayloadSink {
  readonly t = new AppTableBuilder(DNS_COLUMNS);
  private readonly flows = new Map<number, FlowState>();
  private damaged = 0;
  private dropped = 0;
  private capped = 0;

  wants(f: FlowInfo): boolean {
    return (f.proto === "udp" || f.proto === "tcp") && (DNS_PORTS.has(f.respP) || DNS_PORTS.has(f.origP));
  }

  private state(row: number): FlowState {
    let s = this.flows.get(row);
    if (s === undefined) { s = { pending: [], orig: null, resp: null, time: 0 }; this.flows.set(row, s); }
    return s;
  }

  packet(f: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number, len: number, seq: number, flags: number, _frame?: number): void {
    const s = this.state(f.row);
    if (f.proto === "udp") {
      if (end > off) this.message(f, s, t, b, off, end, end - off < len);
      return;
    }
    let st = fromOrig ? s.orig : s.resp;
    if (st === null) {
      const buf = new ByteBuf(512, 65537);
      const app = this;
      st = new TcpStream({
        data(d, o, e) {
          if (!buf.append(d, o, e)) { app.capped++; return false; }
          // length-prefixed messages
          while (buf.len >= 2) {
            const n = u16(buf.buf, 0);
            if (buf.len < 2 + n) break;
            if (n > 0) app.message(f, s, s.time, buf.buf, 2, 2 + n, false);
            buf.consume(2 + n);
          }
          return true;
        },
        gap() { buf.clear(); return false; }, // lost framing: stop this direction
      });
      if (fromOrig) s.orig = st; else s.resp = st;
    }
    s.time = t;
    st.segment(seq, flags, b, off, end, len);
  }

  private message(f: FlowInfo, s: FlowState, t: number, b: Uint8Array, off: number, end: number, cut: boolean): void {
    const m = parseDns(b, off, end);
    if (m === null) { this.damaged++; return; }
    if (m.damaged || cut) this.damaged++;
    const T = this.t;
    let row = -1;
    if (m.qr) {
      const i = s.pending.findIndex((p) => p.id === m.id);
      if (i >= 0) { row = s.pending[i].row; s.pending.splice(i, 1); T.num(row, "rtt", t - (T.getNum(row, "ts") as number)); }
    }
    if (row < 0) {
      row = T.row(f.row);
      T.num(row, "ts", t);
      T.str(row, "proto", f.proto);
      T.num(row, "trans_id", m.id);
      if (!m.qr) {
        s.pending.push({ id: m.id, row });
        if (s.pending.length > MAX_PENDING) { s.pending.shift(); this.dropped++; }
      }
    }
    if (m.query !== undefined && !T.has(row, "query")) {
      const mdns = f.respP === 5353 || f.origP === 5353;
      const qc = mdns ? (m.qclass as number) & 0x7fff : (m.qclass as number);
      T.str(row, "query", m.query);
      T.num(row, "qclass", qc);
      T.str(row, "qclass_name", qclassName(qc));
      T.num(row, "qtype", m.qtype);
      T.str(row, "qtype_name", qtypeName(m.qtype as number));
    }
    T.bool(row, "RD", m.rd);
    T.num(row, "Z", m.z);
    if (m.qr) {
      T.num(row, "rcode", m.rcode);
      T.str(row, "rcode_name", rcodeName(m.rcode));
      T.bool(row, "AA", m.aa);
      T.bool(row, "TC", m.tc);
      T.bool(row, "RA", m.ra);
      if (m.answers.length > 0) { T.list(row, "answers", m.answers); T.list(row, "TTLs", m.ttls); }
      // Zeek: rejected when the server answered with an error and no answers
      T.bool(row, "rejected", m.rcode !== 0 && m.answers.length === 0 && m.rcode !== 3);
    } else {
      T.bool(row, "AA", false);
      T.bool(row, "TC", m.tc);
      T.bool(row, "RA", false);
      T.bool(row, "rejected", false);
    }
  }

  finish(): void {
    for (const s of this.flows.values()) { s.orig?.finish(); s.resp?.finish(); }
    if (this.damaged > 0) this.t.warnings.push(`dns: ${this.damaged} damaged or cut messages (read as far as they go)`);
    if (this.dropped > 0) this.t.warnings.push(`dns: ${this.dropped} queries dropped from the pending list (over ${MAX_PENDING} per flow)`);
    if (this.capped > 0) this.t.warnings.push(`dns: ${this.capped} TCP streams stopped at the 64 KiB buffer cap`);
  }
}
