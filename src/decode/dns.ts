/**
 * DNS (UDP/TCP 53, TCP 5353), mDNS (UDP 5353) and LLMNR (UDP 5355): header, first question, and
 * the first A / AAAA / CNAME / TTL of the resource records, as tshark 4.0 prints them.
 *
 * Checked against tshark (packet-dns.c):
 *  - header fields appear as far as their bytes go; rcode only in responses; opcode 5 (UPDATE)
 *    has zone/prerequisite/update counts instead of question/answer/authority counts;
 *  - a question's fields appear only when its whole name, type and class are present;
 *  - a record's fields (TTL first; none for OPT) appear only when the whole record, rdata
 *    included, is present; A and AAAA read 4 / 16 bytes whatever the class;
 *  - names: compression pointers followed with tshark's loop limit ("<Name contains a pointer
 *    that loops>"), "<Root>", "<Name too long>" past 253 characters, "<Unknown extended label>",
 *    bytes escaped with format_text (./tsharktext.ts);
 *  - over TCP each message has a 2-byte length; every message in the segment is decoded
 *    (first occurrence wins), a message cut by the segment end is decoded as far as it goes.
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";
import { formatText } from "./tsharktext";

export const DNS = {
  length: defineField("dns.length", { storage: "u16", description: "Message length (DNS over TCP)" }),
  id: defineField("dns.id", { display: "hex", storage: "u16", description: "Transaction ID" }),
  response: defineField("dns.flags.response", { display: "bool", description: "Response flag" }),
  opcode: defineField("dns.flags.opcode", { storage: "u8", description: "Opcode" }),
  rcode: defineField("dns.flags.rcode", { storage: "u8", description: "Reply code (responses only)" }),
  queries: defineField("dns.count.queries", { storage: "u16", description: "Questions" }),
  answers: defineField("dns.count.answers", { storage: "u16", description: "Answer RRs" }),
  auth_rr: defineField("dns.count.auth_rr", { storage: "u16", description: "Authority RRs" }),
  add_rr: defineField("dns.count.add_rr", { storage: "u16", description: "Additional RRs" }),
  zones: defineField("dns.count.zones", { storage: "u16", description: "Zones (UPDATE)" }),
  prerequisites: defineField("dns.count.prerequisites", { storage: "u16", description: "Prerequisites (UPDATE)" }),
  updates: defineField("dns.count.updates", { storage: "u16", description: "Updates (UPDATE)" }),
  qry_name: defineField("dns.qry.name", { display: "string", description: "First question: name" }),
  qry_type: defineField("dns.qry.type", { storage: "u16", description: "First question: type" }),
  qry_class: defineField("dns.qry.class", { display: "hex", storage: "u16", description: "First question: class" }),
  a: defineField("dns.a", { display: "ipv4", description: "First A record address" }),
  aaaa: defineField("dns.aaaa", { display: "ipv6", description: "First AAAA record address" }),
  cname: defineField("dns.cname", { display: "string", description: "First CNAME record target" }),
  resp_ttl: defineField("dns.resp.ttl", { storage: "u32", description: "TTL of the first resource record" }),
};

const MAX_DNAME_LEN = 255;
const MIN_DNAME_LEN = 2;
/** scratch for the bytes of one expanded name (never more than MAX_DNAME_LEN) */
const nameBuf = new Uint8Array(MAX_DNAME_LEN + 16);
/** result of readName: a fixed text ("<Root>" …) or null when the name is in nameBuf[0, nameLen) */
let nameFixed: string | null = null;
let nameLen = 0;

const HEXD = "0123456789abcdef";

/**
 * Expands the name at `off` of the message [msg, end) (tshark's expand_dns_name/get_dns_name).
 * Returns the bytes the name occupies at `off`, or -1 where tshark throws (bounds, 0x80 labels).
 */
function readName(b: Uint8Array, msg: number, end: number, off: number): number {
  const start = off;
  let len = -1;
  let pointers = 0;
  let np = 0;
  let maxname = MAX_DNAME_LEN;
  nameFixed = null;
  for (;;) {
    if (off >= end) return -1;
    let c = b[off++];
    if (c === 0) break;
    switch (c & 0xc0) {
      case 0x00:
        if (np !== 0) {
          if (maxname > 0) { nameBuf[np++] = 0x2e; maxname--; }
        } else maxname--;
        if (off + c > end) return -1;
        while (c > 0) {
          if (maxname > 0) { nameBuf[np++] = b[off]; maxname--; }
          c--; off++;
        }
        break;
      case 0x40:
        if ((c & 0x3f) === 1) {
          // bitstring label (RFC 2673): \[x<hex>/<bits>]
          if (off >= end) return -1;
          const bits = b[off++];
          const n = bits === 0 ? 1 : ((bits - 1) >> 3) + 1; // C's (bits - 1) / 8 + 1
          if (off + n > end) return -1;
          let txt = "\\[x";
          for (let k = 0; k < n; k++) { const v = b[off++]; txt += HEXD[v >> 4] + HEXD[v & 15]; }
          txt += `/${bits}]`;
          for (let k = 0; k < txt.length && maxname > 0; k++) { nameBuf[np++] = txt.charCodeAt(k); maxname--; }
          break;
        }
        nameFixed = "<Unknown extended label>";
        len = off - start;
        return len < MIN_DNAME_LEN ? -1 : len; // get_dns_name: too short and not the root
      case 0x80:
        return -1;
      default: {
        if (off >= end) return -1;
        const indir = msg + (((c & 0x3f) << 8) | b[off]);
        off++;
        pointers++;
        if (len < 0) len = off - start;
        if (indir === off + 2 || pointers > MAX_DNAME_LEN) {
          nameFixed = "<Name contains a pointer that loops>";
          return len < MIN_DNAME_LEN ? -1 : len;
        }
        off = indir;
      }
    }
  }
  if (maxname <= 0) nameFixed = "<Name too long>";
  if (len < 0) len = off - start;
  nameLen = np;
  // get_dns_name: a zero-length name is the root
  if (nameFixed === null && np === 0 && len <= MIN_DNAME_LEN) { nameFixed = "<Root>"; return len; }
  if (len < 1 || (len > MIN_DNAME_LEN && nameFixed === null && np === 0)) return -1;
  return len;
}

function nameText(): string {
  return nameFixed !== null ? nameFixed : formatText(nameBuf, 0, nameLen);
}

/** Decodes one DNS message in [msg, end). Returns false when it stopped on damaged or cut data. */
export function decodeDnsMessage(p: Packet, b: Uint8Array, msg: number, end: number, mdns: boolean): boolean {
  // tshark reads the id and the flags before it shows either
  if (end - msg < 4) return false;
  p.u(DNS.id, (b[msg] << 8) | b[msg + 1]);
  const flags = (b[msg + 2] << 8) | b[msg + 3];
  const response = flags >> 15;
  const opcode = (flags >> 11) & 15;
  p.u(DNS.response, response);
  p.u(DNS.opcode, opcode);
  if (response) p.u(DNS.rcode, flags & 15);
  const update = opcode === 5;
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const o = msg + 4 + 2 * i;
    if (o + 2 > end) return false;
    const v = (b[o] << 8) | b[o + 1];
    counts[i] = v;
    switch (i) {
      case 0: p.u(update ? DNS.zones : DNS.queries, v); break;
      case 1: p.u(update ? DNS.prerequisites : DNS.answers, v); break;
      case 2: p.u(update ? DNS.updates : DNS.auth_rr, v); break;
      case 3: p.u(DNS.add_rr, v); break;
    }
  }
  let off = msg + 12;
  // questions (zones for UPDATE): each consumes at least 5 bytes, so huge counts end at `end`
  for (let q = 0; q < counts[0]; q++) {
    const used = readName(b, msg, end, off);
    if (used < 0 || off + used + 4 > end) return false;
    const o = off + used;
    p.s(DNS.qry_name, nameText());
    p.u(DNS.qry_type, (b[o] << 8) | b[o + 1]);
    const cls = (b[o + 2] << 8) | b[o + 3];
    p.u(DNS.qry_class, mdns ? cls & 0x7fff : cls);
    off = o + 4;
  }
  const rrs = counts[1] + counts[2] + counts[3];
  for (let r = 0; r < rrs; r++) {
    const used = readName(b, msg, end, off);
    if (used < 0) return false;
    const o = off + used;
    if (o + 10 > end) return false;
    const type = (b[o] << 8) | b[o + 1];
    const rdlen = (b[o + 8] << 8) | b[o + 9];
    const rd = o + 10;
    if (rd + rdlen > end) return false;
    if (type !== 41) p.u(DNS.resp_ttl, ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0);
    off = rd + rdlen;
    if (rdlen === 0) continue;
    switch (type) {
      case 1:
        if (rd + 4 > end) return false;
        p.ipv4(DNS.a, b, rd);
        break;
      case 28:
        if (rd + 16 > end) return false;
        p.ipv6(DNS.aaaa, b, rd);
        break;
      case 5: {
        if (readName(b, msg, end, rd) < 0) return false;
        if (!p.has(DNS.cname)) p.s(DNS.cname, nameText());
        break;
      }
    }
  }
  return true;
}

function udpDns(p: Packet, b: Buffer, off: number, end: number, name: string, mdns: boolean): boolean {
  if (!p.enter(name)) return true;
  if (!decodeDnsMessage(p, b, off, end, mdns)) p.bad();
  return true;
}

/** DNS over TCP: messages with a 2-byte length prefix, decoded in order. */
export function decodeDnsTcp(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("dns")) return true;
  while (off < end) {
    if (end - off < 2) { p.bad(); return true; }
    const len = (b[off] << 8) | b[off + 1];
    off += 2;
    if (len === 0) continue;
    p.u(DNS.length, len);
    const mend = off + len;
    if (mend > end) {
      decodeDnsMessage(p, b, off, end, false);
      p.bad();
      return true;
    }
    if (!decodeDnsMessage(p, b, off, mend, false)) p.bad();
    off = mend;
  }
  return true;
}

export const dns: Protocol = {
  name: "dns", udpPorts: [53], decodePayload: (p, b, off, end) => udpDns(p, b, off, end, "dns", false),
};
/** DNS over TCP (tshark also decodes TCP 5353 as plain DNS): length-prefixed messages. */
export const dnsTcp: Protocol = { name: "dns", tcpPorts: [53, 5353], decodePayload: decodeDnsTcp };
export const mdns: Protocol = {
  name: "mdns", udpPorts: [5353], decodePayload: (p, b, off, end) => udpDns(p, b, off, end, "mdns", true),
};
export const llmnr: Protocol = {
  name: "llmnr", udpPorts: [5355], decodePayload: (p, b, off, end) => udpDns(p, b, off, end, "llmnr", false),
};
