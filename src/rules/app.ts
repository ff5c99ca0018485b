/**
 * App-layer parsing for rule buffers, from in-order stream bytes (TCP) or datagrams (UDP):
 * protocol detection (http, http2, tls, dns), HTTP/1.x requests and responses, TLS ClientHello
 * SNI, DNS query names. Each complete request/response/hello/query is a transaction (Tx) whose
 * buffers tx rules inspect once. Buffers are capped (MAX_BUFFER); parsing stops on a framing it
 * cannot follow, never throws.
 */
import type { BufferName } from "./parser";

export const MAX_BUFFER = 64 * 1024;

export interface Tx {
  alproto: string;
  toServer: boolean;
  buffers: Map<BufferName, Buffer[]>;
}

const METHODS = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|TRACE|PATCH|PROPFIND|PROPPATCH|MKCOL|COPY|MOVE|LOCK|UNLOCK|SEARCH|REPORT|SUBSCRIBE|NOTIFY) /;

/** Protocol detection from the first bytes of one direction ("" = not yet / unknown). */
export function detect(b: Buffer, toServer: boolean, tcp: boolean, sport: number, dport: number): string {
  if (b.length === 0) return "";
  if (tcp) {
    const head = b.toString("latin1", 0, Math.min(b.length, 24));
    if (head.startsWith("PRI * HTTP/2.0")) return "http2";
    if (toServer && METHODS.test(head)) return "http";
    if (!toServer && head.startsWith("HTTP/1.")) return "http";
    if (b.length >= 3 && b[0] === 0x16 && b[1] === 3 && b[2] <= 4) return "tls";
    if ((sport === 53 || dport === 53) && b.length >= 14 && b.readUInt16BE(0) >= 12) return "dns";
    return "";
  }
  if ((sport === 53 || dport === 53 || sport === 5353 || dport === 5353) && b.length >= 12) return "dns";
  return "";
}

function put(m: Map<BufferName, Buffer[]>, name: BufferName, v: Buffer): void {
  const l = m.get(name);
  if (l === undefined) m.set(name, [v]);
  else l.push(v);
}

function latin(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

/** DNS query names of a message (dotted text, as Suricata's dns.query). */
export function dnsQueries(b: Buffer, off: number, end: number): { query: boolean; names: string[] } | null {
  if (end - off < 12) return null;
  const flags = b.readUInt16BE(off + 2), qd = b.readUInt16BE(off + 4);
  const names: string[] = [];
  let o = off + 12;
  for (let q = 0; q < qd && q < 32; q++) {
    const labels: string[] = [];
    let jumps = 0, p = o, after = -1;
    for (;;) {
      if (p >= end) return names.length ? { query: (flags & 0x8000) === 0, names } : null;
      const l = b[p];
      if (l === 0) { p++; break; }
      if ((l & 0xc0) === 0xc0) {
        if (p + 1 >= end || ++jumps > 16) return null;
        if (after < 0) after = p + 2;
        p = off + (((l & 0x3f) << 8) | b[p + 1]);
        continue;
      }
      if (l > 63 || p + 1 + l > end) return null;
      labels.push(b.toString("latin1", p + 1, p + 1 + l));
      p += 1 + l;
    }
    names.push(labels.join("."));
    o = (after >= 0 ? after : p) + 4;
  }
  return { query: (flags & 0x8000) === 0, names };
}

function dnsTx(b: Buffer, off: number, end: number, toServer: boolean): Tx | null {
  const r = dnsQueries(b, off, end);
  if (r === null || !r.query) return null;
  const buffers = new Map<BufferName, Buffer[]>();
  for (const n of r.names) put(buffers, "dns.query", latin(n));
  return { alproto: "dns", toServer, buffers };
}

/** One direction of an app-layer parser over in-order bytes. */
export class AppParser {
  private buf = Buffer.alloc(0);
  private dead = false;
  /** bytes of an HTTP body still to skip */
  private skip = 0;
  private tlsDone = false;
  private hs: Buffer[] = [];
  constructor(readonly alproto: string, readonly toServer: boolean) {}

  /** no further transactions can come from this side */
  get done(): boolean {
    return this.dead;
  }

  /** Feeds in-order bytes (after a gap, call gap()); completed transactions go to out. */
  feed(data: Buffer, out: Tx[]): void {
    if (this.dead) return;
    if (this.skip > 0) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      data = data.subarray(n);
      if (data.length === 0) return;
    }
    this.buf = this.buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.buf, data]);
    if (this.buf.length > 4 * MAX_BUFFER) { this.dead = true; this.buf = Buffer.alloc(0); return; }
    switch (this.alproto) {
      case "http": this.http(out); break;
      case "tls": this.tls(out); break;
      case "dns": this.dnsTcp(out); break;
      default: this.dead = true; this.buf = Buffer.alloc(0);
    }
  }

  /** Data was lost: framing can no longer be followed. */
  gap(): void {
    this.dead = true;
    this.buf = Buffer.alloc(0);
  }

  private http(out: Tx[]): void {
    for (let guard = 0; guard < 1000 && this.buf.length > 0 && !this.dead; guard++) {
      const b = this.buf;
      let hend = b.indexOf("\r\n\r\n");
      let sep = 4;
      const lf = b.indexOf("\n\n");
      if (lf >= 0 && (hend < 0 || lf < hend)) { hend = lf; sep = 2; }
      if (hend < 0) {
        if (b.length > MAX_BUFFER) this.gap();
        return;
      }
      const head = b.toString("latin1", 0, hend);
      const lines = head.split(/\r?\n/);
      const first = lines[0];
      const headers: [string, string][] = [];
      for (let i = 1; i < lines.length; i++) {
        const c = lines[i].indexOf(":");
        if (c > 0) headers.push([lines[i].slice(0, c).trim(), lines[i].slice(c + 1).trim()]);
      }
      const hdr = (n: string): string | undefined => headers.find(([k]) => k.toLowerCase() === n)?.[1];
      const bodyStart = hend + sep;
      const clen = Number(hdr("content-length") ?? "0");
      const chunked = /chunked/i.test(hdr("transfer-encoding") ?? "");
      const buffers = new Map<BufferName, Buffer[]>();
      const headerBuf = latin(headers.map(([k, v]) => `${k}: ${v}\r\n`).join(""));
      if (this.toServer) {
        const m = /^(\S+) (\S*)(?: (\S+))?$/.exec(first);
        if (!m || !METHODS.test(first)) { this.gap(); return; }
        put(buffers, "http.method", latin(m[1]));
        put(buffers, "http.uri", latin(normalizeUri(m[2])));
        put(buffers, "http.uri.raw", latin(m[2]));
        put(buffers, "http.request_line", latin(first));
        const host = hdr("host");
        if (host !== undefined) {
          put(buffers, "http.host.raw", latin(host));
          put(buffers, "http.host", latin(host.replace(/:\d+$/, "").toLowerCase()));
        }
        const ua = hdr("user-agent");
        if (ua !== undefined) put(buffers, "http.user_agent", latin(ua));
        const ck = hdr("cookie");
        if (ck !== undefined) put(buffers, "http.cookie", latin(ck));
        const ct = hdr("content-type");
        if (ct !== undefined) put(buffers, "http.content_type", latin(ct));
        if (headers.length) {
          put(buffers, "http.header", headerBuf);
          put(buffers, "http.header.raw", b.subarray(first.length + (b[first.length] === 13 ? 2 : 1), bodyStart));
        }
      } else {
        const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(first);
        if (!m) { this.gap(); return; }
        put(buffers, "http.stat_code", latin(m[1]));
        put(buffers, "http.stat_msg", latin(m[2] ?? ""));
        put(buffers, "http.response_line", latin(first));
        const sv = hdr("server");
        if (sv !== undefined) put(buffers, "http.server", latin(sv));
        const ct = hdr("content-type");
        if (ct !== undefined) put(buffers, "http.content_type", latin(ct));
        if (headers.length) put(buffers, "http.header", headerBuf);
      }
      if (chunked) {
        // the body's framing is followed only when the whole chunked body is here
        const r = dechunk(b, bodyStart);
        if (r === null) {
          if (b.length > MAX_BUFFER) { out.push({ alproto: "http", toServer: this.toServer, buffers }); this.gap(); }
          return;
        }
        if (this.toServer && r.body.length) put(buffers, "http.request_body", r.body.subarray(0, MAX_BUFFER));
        out.push({ alproto: "http", toServer: this.toServer, buffers });
        this.buf = b.subarray(r.end);
        continue;
      }
      if (!Number.isFinite(clen) || clen < 0) { out.push({ alproto: "http", toServer: this.toServer, buffers }); this.gap(); return; }
      const bodyHave = b.length - bodyStart;
      if (this.toServer && clen > 0) {
        // wait for the body (up to the cap) before the request is inspected
        if (bodyHave < Math.min(clen, MAX_BUFFER)) return;
        put(buffers, "http.request_body", b.subarray(bodyStart, bodyStart + Math.min(clen, MAX_BUFFER)));
      }
      out.push({ alproto: "http", toServer: this.toServer, buffers });
      if (!this.toServer && clen === 0 && hdr("content-length") === undefined && !/^HTTP\/\d\.\d (1\d\d|204|304)/.test(first)) {
        this.gap(); // body runs to the close: no further responses
        return;
      }
      if (bodyHave >= clen) this.buf = b.subarray(bodyStart + clen);
      else { this.skip = clen - bodyHave; this.buf = Buffer.alloc(0); }
    }
  }

  private tls(out: Tx[]): void {
    if (this.tlsDone) return;
    let o = 0;
    const b = this.buf;
    while (b.length - o >= 5) {
      const type = b[o], len = b.readUInt16BE(o + 3);
      if (b.length - o < 5 + len) break;
      if (type === 22) this.hs.push(b.subarray(o + 5, o + 5 + len));
      else if (type !== 20 && type !== 21 && type !== 23) { this.gap(); return; }
      o += 5 + len;
    }
    this.buf = b.subarray(o);
    const hs = Buffer.concat(this.hs);
    if (hs.length >= 4) {
      const mlen = (hs[1] << 16) | (hs[2] << 8) | hs[3];
      if (hs.length >= 4 + mlen || hs.length > MAX_BUFFER) {
        this.tlsDone = true;
        this.hs = [];
        if (hs[0] === 1 && this.toServer) {
          const sni = clientHelloSni(hs, 4, Math.min(hs.length, 4 + mlen));
          const buffers = new Map<BufferName, Buffer[]>();
          if (sni !== null) put(buffers, "tls.sni", latin(sni));
          out.push({ alproto: "tls", toServer: true, buffers });
        }
        this.dead = true;
        this.buf = Buffer.alloc(0);
      }
    }
  }

  private dnsTcp(out: Tx[]): void {
    let o = 0;
    const b = this.buf;
    while (b.length - o >= 2) {
      const len = b.readUInt16BE(o);
      if (b.length - o < 2 + len) break;
      const tx = dnsTx(b, o + 2, o + 2 + len, this.toServer);
      if (tx !== null) out.push(tx);
      o += 2 + len;
    }
    this.buf = b.subarray(o);
  }
}

/** UDP DNS: one datagram, one transaction (queries only). */
export function dnsDatagram(b: Buffer, off: number, end: number, toServer: boolean): Tx | null {
  return dnsTx(b, off, end, toServer);
}

function dechunk(b: Buffer, off: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let o = off, total = 0;
  for (let i = 0; i < 10000; i++) {
    const nl = b.indexOf("\n", o);
    if (nl < 0) return null;
    const size = parseInt(b.toString("latin1", o, nl).trim().split(";")[0], 16);
    if (!Number.isFinite(size) || size < 0) return null;
    o = nl + 1;
    if (size === 0) {
      // trailers end with an empty line
      const end = b.indexOf("\n", o);
      if (end < 0) return null;
      return { body: Buffer.concat(parts), end: end + 1 };
    }
    if (b.length < o + size + 1) return null;
    if (total < MAX_BUFFER) parts.push(b.subarray(o, o + size));
    total += size;
    o += size;
    if (b[o] === 13) o++;
    if (b[o] === 10) o++;
  }
  return null;
}

/** The server_name of a ClientHello body at [off, end). */
export function clientHelloSni(b: Buffer, off: number, end: number): string | null {
  let o = off + 2 + 32;
  if (o >= end) return null;
  o += 1 + b[o];
  if (o + 2 > end) return null;
  o += 2 + b.readUInt16BE(o);
  if (o + 1 > end) return null;
  o += 1 + b[o];
  if (o + 2 > end) return null;
  const extEnd = Math.min(end, o + 2 + b.readUInt16BE(o));
  o += 2;
  while (o + 4 <= extEnd) {
    const type = b.readUInt16BE(o), len = b.readUInt16BE(o + 2);
    const e = o + 4 + len;
    if (e > extEnd) return null;
    if (type === 0 && len >= 5) {
      let p = o + 6;
      while (p + 3 <= e) {
        const nt = b[p], nl = b.readUInt16BE(p + 1);
        if (p + 3 + nl > e) return null;
        if (nt === 0) return b.toString("latin1", p + 3, p + 3 + nl);
        p += 3 + nl;
      }
      return null;
    }
    o = e;
  }
  return null;
}

/** libhtp-like URI normalization, the common part: %-decoding of unreserved characters. */
export function normalizeUri(u: string): string {
  return u.replace(/%([0-9a-fA-F]{2})/g, (all, h: string) => {
    const c = parseInt(h, 16);
    return /[A-Za-z0-9\-._~]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : all;
  });
}
