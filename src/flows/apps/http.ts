/**
 * capture.http(): one row per HTTP/1.x request/response pair (Zeek's http.log columns), over
 * TCP on any port: a flow is HTTP when its first bytes are a request line (originator) or a status
 * line (responder). Both directions are reassembled, so a header block split across segments is
 * parsed whole; bodies are skipped by Content-Length, by chunk sizes (chunked transfer coding), or
 * to the end of the connection, and their lengths counted. Responses pair with requests in order
 * (pipelining); 1xx responses fill info_code/info_msg and the final response follows.
 *
 * Bounds: a header block is at most MAX_HEADER bytes (past it the direction stops and a warning is
 * counted); at most MAX_PENDING requests wait for responses per flow; the TCP streams hold what
 * ./reassembly.ts allows. A gap in a header block stops the direction; a gap in a body counts as
 * body bytes (Zeek counts them as missing; see docs/apps.md).
 */
import { ByteBuf, TcpStream, type StreamConsumer } from "../../stream/reassembly";
import type { FlowInfo, PayloadSink } from "../payloads";
import { AppTableBuilder, type ColSpec } from "./table";

export const MAX_HEADER = 64 * 1024;
const MAX_PENDING = 256;
const MAX_LINE = 1024;

export const HTTP_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "trans_depth", kind: "count" }, { name: "method", kind: "string" },
  { name: "host", kind: "string" }, { name: "uri", kind: "string" }, { name: "referrer", kind: "string" },
  { name: "version", kind: "string" }, { name: "user_agent", kind: "string" }, { name: "origin", kind: "string" },
  { name: "request_body_len", kind: "count" }, { name: "response_body_len", kind: "count" },
  { name: "status_code", kind: "count" }, { name: "status_msg", kind: "string" }, { name: "info_code", kind: "count" },
  { name: "info_msg", kind: "string" }, { name: "request_content_type", kind: "string" },
  { name: "response_content_type", kind: "string" }, { name: "server", kind: "string" },
];

export const METHOD = /^[A-Z][A-Z0-9_-]{0,31}$/;
export const REQ_START = /^[A-Z][A-Z0-9_-]{0,31} /;

export interface Head {
  start: string;
  headers: Map<string, string>;
  /** the whole block as it came (latin1), for consumers that need the original names and order */
  text: string;
}

/** Parses a header block (start line, header lines; obsolete line folding joined). */
function parseHead(text: string): Head {
  const lines = text.split(/\r?\n/);
  const headers = new Map<string, string>();
  let last = "";
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l === "") continue;
    if ((l[0] === " " || l[0] === "\t") && last !== "") { headers.set(last, `${headers.get(last)} ${l.trim()}`); continue; }
    const c = l.indexOf(":");
    if (c <= 0) continue;
    const k = l.slice(0, c).trim().toLowerCase();
    if (!headers.has(k)) headers.set(k, l.slice(c + 1).trim());
    last = k;
  }
  return { start: lines[0], headers, text };
}

const enum Mode { HEAD, BODY_LEN, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILER, BODY_EOF, DONE }

/**
 * Sees the body bytes of an HttpDir (src/files hashes them): `bodyData` gets the bytes after the
 * transfer coding is undone (chunk framing removed), `bodyGap` the bytes missing inside a body.
 */
export interface BodyObserver {
  bodyData(b: Uint8Array, off: number, end: number): void;
  bodyGap(n: number): void;
}

/** One direction of an HTTP connection. */
export class HttpDir implements StreamConsumer {
  /** optional: told of body bytes and gaps (null for capture.http(), which only counts them) */
  observer: BodyObserver | null = null;
  private readonly buf = new ByteBuf(1024, MAX_HEADER);
  private scanned = 0;
  mode = Mode.HEAD;
  private remain = 0;
  bodyLen = 0;
  /** a message's body is being read */
  inBody = false;
  overflow = false;
  lostSync = false;
  started = false;
  constructor(
    readonly request: boolean,
    /** a whole header block; returns how its body is framed, or null to stop */
    private readonly onHead: (h: Head) => { len: number | "chunked" | "eof" } | null,
    private readonly onBodyEnd: (len: number) => void,
  ) {}

  data(b: Uint8Array, o: number, e: number): boolean {
    while (o < e && this.mode !== Mode.DONE) {
      switch (this.mode) {
        case Mode.HEAD: {
          // leading blank lines between messages are skipped
          if (this.buf.len === 0) { while (o < e && (b[o] === 13 || b[o] === 10)) o++; if (o >= e) return true; }
          const take = e - o;
          if (!this.buf.append(b, o, e)) {
            // the block is larger than the cap: look for its end in what fits, else stop
            this.overflow = true;
            this.mode = Mode.DONE;
            return false;
          }
          o = e;
          const s = this.buf.buf;
          let endAt = -1, from = Math.max(0, this.scanned - 3);
          if (!this.started) {
            // the very first bytes must look like HTTP
            const head = s.toString("latin1", 0, Math.min(this.buf.len, 16));
            const ok = this.request ? REQ_START.test(head) || (this.buf.len < 16 && /^[A-Z]*$/.test(head)) : head.startsWith("HTTP/".slice(0, head.length)) || head.startsWith("HTTP/");
            if (!ok) { this.mode = Mode.DONE; this.lostSync = true; return false; }
          }
          for (let i = from; i < this.buf.len; i++) {
            if (s[i] !== 10) continue;
            if (i >= 1 && s[i - 1] === 10) { endAt = i + 1; break; }
            if (i >= 2 && s[i - 1] === 13 && s[i - 2] === 10) { endAt = i + 1; break; }
          }
          this.scanned = this.buf.len;
          if (endAt < 0) {
            // A long start line (a long URI) is still HTTP, as for tshark and Zeek: the header
            // cap (MAX_HEADER) bounds it. (This once searched all of `s`, bytes past buf.len
            // included, for a line feed: stale memory decided whether a long request was kept.)
            return true;
          }
          void take;
          const text = s.toString("latin1", 0, endAt);
          const rest = this.buf.len - endAt;
          const tail = rest > 0 ? Buffer.from(s.subarray(endAt, this.buf.len)) : null;
          this.buf.clear();
          this.scanned = 0;
          this.started = true;
          const framing = this.onHead(parseHead(text));
          if (framing === null) { this.mode = Mode.DONE; return false; }
          this.bodyLen = 0;
          this.startBody(framing.len);
          if (tail !== null && !this.data(tail, 0, tail.length)) return false;
          break;
        }
        case Mode.BODY_LEN: {
          const n = Math.min(this.remain, e - o);
          if (this.observer !== null) this.observer.bodyData(b, o, o + n);
          this.remain -= n; this.bodyLen += n; o += n;
          if (this.remain === 0) this.endBody();
          break;
        }
        case Mode.BODY_EOF: {
          if (this.observer !== null) this.observer.bodyData(b, o, e);
          this.bodyLen += e - o;
          o = e;
          break;
        }
        case Mode.CHUNK_SIZE: case Mode.CHUNK_CRLF: case Mode.TRAILER: {
          // line-based: accumulate one line
          const nl = indexOf10(b, o, e);
          const stop = nl < 0 ? e : nl + 1;
          if (!this.buf.append(b, o, stop) || this.buf.len > MAX_LINE * 8) { this.lostSync = true; this.mode = Mode.DONE; return false; }
          o = stop;
          if (nl < 0) break;
          const line = this.buf.buf.toString("latin1", 0, this.buf.len).replace(/\r?\n$/, "");
          this.buf.clear();
          if (this.mode === Mode.CHUNK_CRLF) { this.mode = Mode.CHUNK_SIZE; break; }
          if (this.mode === Mode.TRAILER) { if (line === "") this.endBody(); break; }
          const m = /^\s*([0-9a-fA-F]+)/.exec(line);
          if (m === null) { this.lostSync = true; this.mode = Mode.DONE; return false; }
          const size = parseInt(m[1].slice(-12), 16);
          if (size === 0) this.mode = Mode.TRAILER;
          else { this.remain = size; this.mode = Mode.CHUNK_DATA; }
          break;
        }
        case Mode.CHUNK_DATA: {
          const n = Math.min(this.remain, e - o);
          if (this.observer !== null) this.observer.bodyData(b, o, o + n);
          this.remain -= n; this.bodyLen += n; o += n;
          if (this.remain === 0) this.mode = Mode.CHUNK_CRLF;
          break;
        }
      }
    }
    return this.mode !== Mode.DONE;
  }

  private startBody(len: number | "chunked" | "eof"): void {
    this.inBody = true;
    if (len === "chunked") this.mode = Mode.CHUNK_SIZE;
    else if (len === "eof") this.mode = Mode.BODY_EOF;
    else if (len > 0) { this.remain = len; this.mode = Mode.BODY_LEN; }
    else this.endBody();
  }

  private endBody(): void {
    this.inBody = false;
    this.mode = Mode.HEAD;
    this.onBodyEnd(this.bodyLen);
  }

  gap(n: number): boolean {
    if (this.mode === Mode.BODY_LEN && n <= this.remain) {
      this.observer?.bodyGap(n);
      this.remain -= n; this.bodyLen += n;
      if (this.remain === 0) this.endBody();
      return true;
    }
    if (this.mode === Mode.CHUNK_DATA && n <= this.remain) {
      this.observer?.bodyGap(n);
      this.remain -= n; this.bodyLen += n;
      if (this.remain === 0) this.mode = Mode.CHUNK_CRLF;
      return true;
    }
    if (this.mode === Mode.BODY_EOF) { this.observer?.bodyGap(n); this.bodyLen += n; return true; }
    this.lostSync = true;
    this.mode = Mode.DONE;
    return false;
  }

  /** the end of the capture: a body read to the connection's end is complete */
  finish(): void {
    if (this.mode === Mode.BODY_EOF) this.endBody();
    else if (this.inBody) { this.inBody = false; this.onBodyEnd(this.bodyLen); }
  }
}

function indexOf10(b: Uint8Array, o: number, e: number): number {
  for (let i = o; i < e; i++) if (b[i] === 10) return i;
  return -1;
}

export function contentLength(h: Head): number | "chunked" | null {
  const te = h.headers.get("transfer-encoding");
  if (te !== undefined && /chunked/i.test(te)) return "chunked";
  const cl = h.headers.get("content-length");
  if (cl !== undefined && /^\d{1,15}$/.test(cl)) return Number(cl);
  return null;
}

interface Conn {
  orig: TcpStream;
  resp: TcpStream;
  origDir: HttpDir;
  respDir: HttpDir;
  /** request rows waiting for their response, oldest first (with their method) */
  pending: { row: number; method: string }[];
  /** the row whose request body / response body is being read */
  reqRow: number;
  respRow: number;
  depth: number;
  time: number;
  rejected: boolean;
}

/**
 * Whether a connection's first packet seen starts HTTP: "wait" (no payload yet, or a keep-alive
 * probe's byte of a capture begun mid-connection), "accept" (a request line from the originator,
 * a status line from the responder) or "reject".
 */
export function httpStart(fromOrig: boolean, b: Buffer, off: number, end: number, len: number, flags: number): "wait" | "accept" | "reject" {
  if (len === 0 && (flags & 2) === 0) return "wait";
  if (len === 1 && (flags & 2) === 0) return "wait";
  if (len === 0) return "accept"; // a SYN: the connection is followed from its start
  const s = b.toString("latin1", off, Math.min(end, off + 8));
  const ok = fromOrig ? REQ_START.test(s) || (end - off < 8 && /^[A-Z]+$/.test(s)) : s.startsWith("HTTP/");
  return ok ? "accept" : "reject";
}

/** What both HTTP consumers (the HTTP table, the files table) keep per connection. */
export interface HttpConnBase {
  orig: TcpStream;
  resp: TcpStream;
  time: number;
  rejected: boolean;
}

/**
 * The part of a second-pass consumer both HTTP tables share: decide on a connection's first
 * packet whether it speaks HTTP (`httpStart`), then feed its two TCP streams.
 */
export abstract class HttpConnections<C extends HttpConnBase> {
  protected readonly conns = new Map<number, C>();
  protected abstract conn(f: FlowInfo): C;

  packet(f: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number, len: number, seq: number, flags: number, _frame?: number): void {
    let c = this.conns.get(f.row);
    if (c === undefined) {
      const start = httpStart(fromOrig, b, off, end, len, flags);
      if (start === "wait") return;
      if (start === "reject") { this.conns.set(f.row, { rejected: true } as C); return; }
      c = this.conn(f);
    }
    if (c.rejected) return;
    c.time = t;
    (fromOrig ? c.orig : c.resp).segment(seq, flags, b, off, end, len);
  }
}

export class HttpApp extends HttpConnections<Conn> implements PayloadSink {
  readonly t = new AppTableBuilder(HTTP_COLUMNS);
  private overflow = 0;
  private lost = 0;
  private dropped = 0;

  wants(f: FlowInfo): boolean {
    return f.proto === "tcp";
  }

  protected conn(f: FlowInfo): Conn {
    const T = this.t;
    const c = { pending: [], reqRow: -1, respRow: -1, depth: 0, time: 0, rejected: false } as unknown as Conn;
    const newRow = () => {
      const r = T.row(f.row);
      T.num(r, "ts", c.time);
      T.num(r, "trans_depth", ++c.depth);
      return r;
    };
    c.origDir = new HttpDir(true, (h) => {
      const m = /^(\S+) (\S+)(?: HTTP\/(\d+\.\d+))?\s*$/.exec(h.start);
      if (m === null || !METHOD.test(m[1])) return null;
      const r = newRow();
      T.str(r, "method", m[1]);
      T.str(r, "uri", m[2]);
      T.str(r, "version", m[3] ?? "0.9");
      const g = (k: string) => h.headers.get(k);
      T.str(r, "host", g("host"));
      T.str(r, "referrer", g("referer"));
      T.str(r, "user_agent", g("user-agent"));
      T.str(r, "origin", g("origin"));
      T.str(r, "request_content_type", g("content-type"));
      c.pending.push({ row: r, method: m[1] });
      if (c.pending.length > MAX_PENDING) { c.pending.shift(); this.dropped++; }
      c.reqRow = r;
      const len = contentLength(h);
      if (m[1] === "CONNECT") return null; // a tunnel follows
      return { len: len ?? 0 };
    }, (len) => { if (c.reqRow >= 0) T.num(c.reqRow, "request_body_len", len); });
    c.respDir = new HttpDir(false, (h) => {
      const m = /^HTTP\/(\d+\.\d+) +(\d{3})(?: (.*))?$/.exec(h.start);
      if (m === null) return null;
      const code = Number(m[2]);
      let p = c.pending[0];
      if (code >= 100 && code < 200 && code !== 101) {
        // informational: the final response follows
        const r = p !== undefined ? p.row : newRow();
        T.num(r, "info_code", code);
        T.str(r, "info_msg", m[3] ?? "");
        if (p === undefined) { c.pending.push({ row: r, method: "" }); p = c.pending[0]; }
        return { len: 0 };
      }
      let r: number;
      if (p !== undefined) { r = p.row; c.pending.shift(); } else { r = newRow(); T.str(r, "version", m[1]); }
      T.num(r, "status_code", code);
      T.str(r, "status_msg", m[3] ?? "");
      T.str(r, "response_content_type", h.headers.get("content-type"));
      T.str(r, "server", h.headers.get("server"));
      c.respRow = r;
      if (code === 101) { T.num(r, "response_body_len", 0); return null; } // switching protocols
      const noBody = p?.method === "HEAD" || code === 204 || code === 304;
      const len = noBody ? 0 : contentLength(h);
      return { len: len ?? "eof" };
    }, (len) => { if (c.respRow >= 0) T.num(c.respRow, "response_body_len", len); });
    c.orig = new TcpStream(c.origDir);
    c.resp = new TcpStream(c.respDir);
    this.conns.set(f.row, c);
    return c;
  }

  finish(): void {
    for (const c of this.conns.values()) {
      if (c.rejected) continue;
      c.orig.finish();
      c.resp.finish();
      c.origDir.finish();
      c.respDir.finish();
      if (c.origDir.overflow || c.respDir.overflow) this.overflow++;
      if ((c.origDir.lostSync && c.origDir.started) || (c.respDir.lostSync && c.respDir.started)) this.lost++;
    }
    if (this.overflow > 0) this.t.warnings.push(`http: ${this.overflow} connections had a header block over ${MAX_HEADER} bytes (parsing of that direction stopped)`);
    if (this.lost > 0) this.t.warnings.push(`http: ${this.lost} connections lost message boundaries (a gap in a header block, or a damaged chunk)`);
    if (this.dropped > 0) this.t.warnings.push(`http: ${this.dropped} requests dropped from the pending list (over ${MAX_PENDING} per connection)`);
  }
}
