/**
 * App-layer buffers for rules, from in-order stream bytes (TCP) or datagrams (UDP): protocol
 * detection (http, http2, tls, dns), and the glue that turns the application tables' parsers
 * (src/flows/apps: HttpDir's header blocks and bodies, parseDns, parseHello) into rule buffers. Each complete request/response/hello/query is a transaction (Tx) whose
 * buffers tx rules inspect once. Buffers are capped (MAX_BUFFER); parsing stops on a framing it
 * cannot follow, never throws.
 */
import { parseDns } from "../flows/apps/dns";
import { contentLength, HttpDir, type Head } from "../flows/apps/http";
import { parseHello } from "../flows/apps/hello";
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

function dnsTx(b: Buffer, off: number, end: number, toServer: boolean): Tx | null {
  const m = parseDns(b, off, end);
  if (m === null || m.qr || m.query === undefined) return null;
  const buffers = new Map<BufferName, Buffer[]>();
  put(buffers, "dns.query", latin(m.query));
  return { alproto: "dns", toServer, buffers };
}

/** One direction of an app-layer parser over in-order bytes. */
export class AppParser {
  private buf = Buffer.alloc(0);
  private dead = false;
  private tlsDone = false;
  private hs: Buffer[] = [];
  /** HTTP: the flows' HTTP parser (src/flows/apps/http.ts) over this direction */
  private readonly httpDir: HttpDir | null = null;
  private out: Tx[] | null = null;
  private req: Tx | null = null;
  private body: Buffer[] = [];
  private bodyHave = 0;
  private want = 0;
  constructor(readonly alproto: string, readonly toServer: boolean) {
    if (alproto === "http") {
      this.httpDir = new HttpDir(toServer, (h) => this.head(h), () => this.bodyDone());
      this.httpDir.observer = {
        bodyData: (b, o, e) => {
          if (this.req === null) return;
          if (this.bodyHave < MAX_BUFFER) this.body.push(Buffer.from(b.subarray(o, Math.min(e, o + MAX_BUFFER - this.bodyHave))));
          this.bodyHave += e - o;
          if (this.bodyHave >= this.want) this.bodyDone();
        },
        bodyGap: () => {},
      };
    }
  }

  /** no further transactions can come from this side */
  get done(): boolean {
    return this.dead;
  }

  /** Feeds in-order bytes (after a gap, call gap()); completed transactions go to out. */
  feed(data: Buffer, out: Tx[]): void {
    if (this.dead) return;
    if (this.httpDir !== null) {
      this.out = out;
      if (!this.httpDir.data(data, 0, data.length)) this.gap();
      this.out = null;
      return;
    }
    this.buf = this.buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.buf, data]);
    if (this.buf.length > 4 * MAX_BUFFER) { this.dead = true; this.buf = Buffer.alloc(0); return; }
    switch (this.alproto) {
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

  /** an HTTP head's buffers (the request's wait for its body, up to MAX_BUFFER) */
  private head(h: Head): { len: number | "chunked" | "eof" } | null {
    const first = h.start;
    const buffers = new Map<BufferName, Buffer[]>();
    const nl = h.text.indexOf("\n");
    const lines = h.text.slice(nl + 1).split(/\r?\n/).filter((l) => l.indexOf(":") > 0);
    const headerBuf = latin(lines.map((l) => { const c = l.indexOf(":"); return `${l.slice(0, c).trim()}: ${l.slice(c + 1).trim()}\r\n`; }).join(""));
    const hdr = (n: string) => h.headers.get(n);
    const cl = contentLength(h);
    if (this.toServer) {
      const m = /^(\S+) (\S*)(?: (\S+))?$/.exec(first);
      if (!m || !METHODS.test(first)) return null;
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
      if (lines.length) {
        put(buffers, "http.header", headerBuf);
        put(buffers, "http.header.raw", latin(h.text.slice(nl + 1)));
      }
      const tx: Tx = { alproto: "http", toServer: true, buffers };
      if (cl === null || cl === 0) { this.emit(tx); return { len: 0 }; }
      // wait for the body (up to the cap) before the request is inspected
      this.req = tx;
      this.want = cl === "chunked" ? MAX_BUFFER : Math.min(cl, MAX_BUFFER);
      this.body = [];
      this.bodyHave = 0;
      return { len: cl };
    }
    const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(first);
    if (!m) return null;
    put(buffers, "http.stat_code", latin(m[1]));
    put(buffers, "http.stat_msg", latin(m[2] ?? ""));
    put(buffers, "http.response_line", latin(first));
    const sv = hdr("server");
    if (sv !== undefined) put(buffers, "http.server", latin(sv));
    const ct = hdr("content-type");
    if (ct !== undefined) put(buffers, "http.content_type", latin(ct));
    if (lines.length) put(buffers, "http.header", headerBuf);
    this.emit({ alproto: "http", toServer: false, buffers });
    // no length: the body runs to the close (no further responses)
    return { len: cl ?? (/^1\d\d|^204|^304/.test(m[1]) ? 0 : "eof") };
  }

  private emit(tx: Tx): void {
    this.out?.push(tx);
  }

  /** the request waiting for its body is inspected now */
  private bodyDone(): void {
    const tx = this.req;
    if (tx === null) return;
    this.req = null;
    if (this.bodyHave > 0) put(tx.buffers, "http.request_body", Buffer.concat(this.body).subarray(0, MAX_BUFFER));
    this.body = [];
    this.emit(tx);
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
          const sni = parseHello(1, hs, 4, Math.min(hs.length, 4 + mlen))?.sni;
          const buffers = new Map<BufferName, Buffer[]>();
          if (sni !== undefined) put(buffers, "tls.sni", latin(sni));
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

/** libhtp-like URI normalization, the common part: %-decoding of unreserved characters. */
export function normalizeUri(u: string): string {
  return u.replace(/%([0-9a-fA-F]{2})/g, (all, h: string) => {
    const c = parseInt(h, 16);
    return /[A-Za-z0-9\-._~]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : all;
  });
}
