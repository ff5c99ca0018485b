/**
 * HTTP/1.x on tshark's HTTP TCP ports: request line, response line and a few headers of the
 * messages a segment carries, as tshark 4.0 prints them with TCP desegmentation off.
 *
 * Checked against tshark (packet-http.c, dissect_http_message):
 *  - the segment is read line by line (a line ends at CR, LF or CRLF; the last line may be cut);
 *    a line that starts with a known method or "HTTP/" / "ICY" is a request / response line, a
 *    line with a colon is a header, an empty line ends the headers, anything else stops;
 *    so a continuation segment whose first line has no colon gets nothing;
 *  - request line: method, URI (the second token, empty when two spaces follow the method),
 *    version (the rest of the line); response line: code (first 3 characters of the second token
 *    as strtoul reads them, token of 3+ characters only), phrase (rest of the line);
 *  - header names match case-insensitively and must be tokens; values start after the colon and
 *    blanks, and run to the end of the line;
 *  - after the headers, the body (Content-Length, or none for requests and 1xx/204/304 responses,
 *    else the rest) is skipped and the next message in the segment is read (pipelining).
 * Strings are ENC_ASCII text (./tsharktext.ts).
 *  - frame.protocols: "http" once the segment shows an HTTP line (or the connection has seen a
 *    request: tshark's have_seen_http); a body in the segment adds the media type's dissector
 *    ("data-text-lines", "json", "xml", "png" …; "media" for another Content-Type, "data" with
 *    none), once per message; a continuation segment of a connection that has seen a request is
 *    "http:data" (binary first byte) or an HTTP message without a start line (printable).
 * Not done: the HTTP heuristic on other ports and the conversation state it creates (TCP decodes
 * payloads by port only); de-chunking and Content-Encoding (a chunked or encoded body is named by
 * its Content-Type as if plain). Connection state is kept per capture, by connection (`p.connection`).
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { ConnectionBytes } from "./connections";
import type { Protocol } from "./protocol";
import { asciiText } from "./tsharktext";

export const HTTP = {
  method: defineField("http.request.method", { display: "string", description: "Request method" }),
  uri: defineField("http.request.uri", { display: "string", description: "Request URI" }),
  version: defineField("http.request.version", { display: "string", description: "Request version" }),
  host: defineField("http.host", { display: "string", description: "Host header" }),
  user_agent: defineField("http.user_agent", { display: "string", description: "User-Agent header" }),
  code: defineField("http.response.code", { storage: "u16", description: "Response status code" }),
  phrase: defineField("http.response.phrase", { display: "string", description: "Response reason phrase" }),
  content_type: defineField("http.content_type", { display: "string", description: "Content-Type header" }),
  content_length_header: defineField("http.content_length_header", { display: "string", description: "Content-Length header (text)" }),
  content_length: defineField("http.content_length", { storage: "f64", description: "Content-Length (valid values only)" }),
  server: defineField("http.server", { display: "string", description: "Server header" }),
};

/** Request methods tshark recognises (is_http_request_or_reply), by length. */
const METHODS: string[][] = [];
for (const m of ["GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE",
  "PATCH", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT",
  "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH",
  "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "RPC_CONNECT", "RPC_IN_DATA", "UNSUBSCRIBE", "RPC_OUT_DATA",
  "VERSION-CONTROL", "BASELINE-CONTROL", "SSTP_DUPLEX_POST"]) {
  (METHODS[m.length] ??= []).push(m);
}

const enum Kind { Other, Request, Response }

function startsWith(b: Uint8Array, off: number, end: number, s: string): boolean {
  if (end - off < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** is_http_request_or_reply on the line [off, end). */
function lineKind(b: Uint8Array, off: number, end: number): Kind {
  if (end - off >= 2 && b[off] === 0x4d && b[off + 1] === 0x2d) off += 2; // "M-" (RFC 2774)
  if (startsWith(b, off, end, "HTTP/") || startsWith(b, off, end, "ICY")) return Kind.Response;
  let i = off;
  while (i < end && b[i] !== 0x20) i++;
  const list = METHODS[i - off];
  if (list === undefined) return Kind.Other;
  for (const m of list) if (startsWith(b, off, end, m)) return Kind.Request;
  return Kind.Other;
}

/** get_token_len: the token at `off` ends at a blank, CR or LF; `tokenNext` is past the blanks after it. */
let tokenNext = 0;
function tokenEnd(b: Uint8Array, off: number, end: number): number {
  let i = off;
  while (i < end && b[i] !== 0x20 && b[i] !== 0x0d && b[i] !== 0x0a) i++;
  let j = i;
  while (j < end && b[j] === 0x20) j++;
  tokenNext = j;
  return i;
}

function requestLine(p: Packet, b: Uint8Array, off: number, end: number): void {
  const mEnd = tokenEnd(b, off, end);
  if (mEnd === off) return;
  p.s(HTTP.method, asciiText(b, off, mEnd));
  let next = tokenNext;
  if (next - off > 2 && b[next - 1] === 0x20 && b[next - 2] === 0x20) next--; // two blanks: empty URI
  const uEnd = tokenEnd(b, next, end);
  p.s(HTTP.uri, asciiText(b, next, uEnd));
  p.s(HTTP.version, asciiText(b, tokenNext, end));
}

/** Returns the status code (0 when there is none) and writes the response-line fields. */
function responseLine(p: Packet, b: Uint8Array, off: number, end: number): number {
  const vEnd = tokenEnd(b, off, end);
  if (vEnd === off) return 0;
  const c = tokenNext;
  const cEnd = tokenEnd(b, c, end);
  if (cEnd - c < 3) return 0;
  // strtoul on the first 3 characters: optional blanks and sign, then digits
  let i = c, code = 0;
  const e = c + 3;
  while (i < e && (b[i] === 0x20 || (b[i] >= 9 && b[i] <= 13))) i++;
  let neg = false;
  if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) { neg = b[i] === 0x2d; i++; }
  while (i < e && b[i] >= 0x30 && b[i] <= 0x39) code = code * 10 + b[i++] - 0x30;
  if (neg) code = (0x100000000 - code) >>> 0;
  p.u(HTTP.code, code & 0xffff);
  if (end - tokenNext >= 1) p.s(HTTP.phrase, asciiText(b, tokenNext, end));
  return code;
}

/** RFC 7230 token characters (valid_header_name). */
const TCHAR = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) TCHAR[c] = 1;
for (const ch of "\"(),/:;<=>?@[\\]{}") TCHAR[ch.charCodeAt(0)] = 0;

function nameIs(b: Uint8Array, off: number, len: number, lower: string): boolean {
  if (len !== lower.length) return false;
  for (let i = 0; i < len; i++) if ((b[off + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Per-message header state (reset per message; no allocation). */
let clValid = false, clValue = 0, teSeen = false, chunked = false;
/** the body's dissector as tshark names it: by Content-Type ("media" if unknown), "data" without one */
let bodyProto = "data";

/** media_type dissector table of tshark 4.0 (the entries seen in practice), lower case */
const MEDIA: [string, string][] = [
  ["text/html", "data-text-lines"], ["text/plain", "data-text-lines"], ["text/css", "data-text-lines"],
  ["text/javascript", "data-text-lines"], ["application/x-javascript", "data-text-lines"],
  ["text/richtext", "data-text-lines"], ["text/enriched", "data-text-lines"], ["text/parameters", "data-text-lines"],
  ["text/xml-external-parsed-entity", "data-text-lines"], ["application/xml-external-parsed-entity", "data-text-lines"],
  ["application/json", "json"], ["application/json-rpc", "json"], ["application/jsonrequest", "json"],
  ["application/x-ndjson", "json"], ["application/octet-stream", "data"],
  ["text/xml", "xml"], ["application/xml", "xml"], ["application/soap+xml", "xml"], ["application/xhtml+xml", "xml"],
  ["application/rss+xml", "xml"], ["application/atom+xml", "xml"], ["image/svg+xml", "xml"],
  ["image/png", "png"], ["image/gif", "image-gif"], ["image/jpeg", "image-jfif"], ["image/jpg", "image-jfif"],
  ["image/pjpeg", "image-jfif"], ["application/x-www-form-urlencoded", "urlencoded-form"],
  ["application/ocsp-request", "ocsp"], ["application/ocsp-response", "ocsp"],
];

defineProtocol("media");
for (const [, proto] of MEDIA) defineProtocol(proto);

/** Content-Type: the media type (up to ';' or a blank, any case) looked up in MEDIA (also IMF's bodies). */
export function mediaProto(b: Uint8Array, v: number, end: number): string {
  let e = v;
  while (e < end && b[e] !== 0x3b && b[e] !== 0x20 && b[e] !== 0x09) e++;
  const n = e - v;
  outer: for (const [t, proto] of MEDIA) {
    if (t.length !== n) continue;
    for (let i = 0; i < n; i++) {
      let c = b[v + i];
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== t.charCodeAt(i)) continue outer;
    }
    return proto;
  }
  return "media";
}

function header(p: Packet, b: Uint8Array, off: number, colon: number, end: number): void {
  const nlen = colon - off;
  if (nlen === 0) return;
  for (let i = off; i < colon; i++) { const c = b[i]; if (c >= 128 || TCHAR[c] === 0) return; }
  let v = colon + 1;
  while (v < end && (b[v] === 0x20 || b[v] === 0x09)) v++;
  switch (b[off] | 0x20) {
    case 0x68: if (nameIs(b, off, nlen, "host")) p.s(HTTP.host, asciiText(b, v, end)); break;
    case 0x75: if (nameIs(b, off, nlen, "user-agent")) p.s(HTTP.user_agent, asciiText(b, v, end)); break;
    case 0x73: if (nameIs(b, off, nlen, "server")) p.s(HTTP.server, asciiText(b, v, end)); break;
    case 0x74:
      if (nameIs(b, off, nlen, "transfer-encoding")) {
        teSeen = true;
        for (let i = v; i + 7 <= end; i++) if (nameIs(b, i, 7, "chunked")) { chunked = true; break; }
      }
      break;
    case 0x63:
      if (nameIs(b, off, nlen, "content-type")) {
        p.s(HTTP.content_type, asciiText(b, v, end));
        bodyProto = mediaProto(b, v, end);
      }
      else if (nameIs(b, off, nlen, "content-length")) {
        p.s(HTTP.content_length_header, asciiText(b, v, end));
        // g_ascii_strtoll: blanks, sign, digits; then only the end or a blank may follow
        let i = v;
        while (i < end && (b[i] === 0x20 || (b[i] >= 9 && b[i] <= 13))) i++;
        let neg = false;
        if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) { neg = b[i] === 0x2d; i++; }
        const d = i;
        let n = 0;
        while (i < end && b[i] >= 0x30 && b[i] <= 0x39) n = n * 10 + b[i++] - 0x30;
        const tailOk = i === end || b[i] === 0x20 || (b[i] >= 9 && b[i] <= 13);
        if (i > d && tailOk && !(neg && n > 0) && n <= Number.MAX_SAFE_INTEGER) {
          clValid = true;
          clValue = n;
          p.u(HTTP.content_length, n);
        } else clValid = false;
      }
      break;
  }
}

/**
 * Decodes the message at `off`; returns the offset after it (headers and the body tshark
 * assigns to it), or -1 when the segment is not (or no longer) HTTP.
 */
let entered = false;
/** whether this connection has shown a request (tshark's have_seen_http) */
let seenHttp = false;

function enterHttp(p: Packet): void {
  if (!entered) { entered = true; p.enter("http"); }
}

function message(p: Packet, b: Buffer, off: number, end: number): number {
  if (end - off > 3 && b[off] === 0x0d && b[off + 1] === 0x0a) off += 2; // leading CRLF is ignored
  if (off >= end) return -1;
  const c0 = b[off];
  if (c0 < 0x20 || c0 > 0x7e) {
    // binary: not a message start; in a connection that has seen HTTP, body data ("Continuation")
    if (seenHttp) { enterHttp(p); p.enter("data"); }
    return -1;
  }
  clValid = false; teSeen = false; chunked = false; bodyProto = "data";
  if (seenHttp) enterHttp(p);
  let kind = Kind.Other, code = 0, saw = false;
  while (off < end) {
    // tvb_find_line_end without desegmentation: CR, LF or CRLF, else the rest of the segment
    let le = off;
    while (le < end && b[le] !== 0x0d && b[le] !== 0x0a) le++;
    let next = le;
    if (le < end) next = b[le] === 0x0d && le + 1 < end && b[le + 1] === 0x0a ? le + 2 : le + 1;
    const k = lineKind(b, off, le);
    let colon = -1;
    if (k === Kind.Other && le > off) {
      colon = off;
      while (colon < le && b[colon] !== 0x3a) colon++;
      if (colon === le) {
        if (saw && le === end) p.bad(); // a header cut by the segment end
        break;
      }
    }
    enterHttp(p);
    if (le === off) { off = next; break; } // blank line: end of headers
    saw = true;
    if (k === Kind.Request) { kind = k; requestLine(p, b, off, le); seenHttp = true; }
    else if (k === Kind.Response) { kind = k; code = responseLine(p, b, off, le); }
    else header(p, b, off, colon, le);
    off = next;
  }
  if (!saw && !seenHttp) return -1;
  let body = end - off;
  if (clValid && !teSeen) body = Math.min(body, clValue);
  else if (kind === Kind.Request && !teSeen) body = 0;
  else if (kind === Kind.Response && ((code / 100 | 0) === 1 || code === 204 || code === 304)) body = 0;
  if (body > 0 && (!chunked || dechunkedLength(b, off, off + body) > 0)) p.enter(bodyProto);
  return off + body;
}

/**
 * The data bytes of a chunked body in [off, end), or 0 unless the body ends (last chunk) in the
 * segment: tshark hands the de-chunked body on only when it is complete and not empty.
 */
function dechunkedLength(b: Uint8Array, off: number, end: number): number {
  let total = 0;
  while (off < end) {
    let le = off;
    while (le < end && b[le] !== 0x0a) le++;
    if (le >= end) break;
    let size = 0, i = off, digits = 0;
    for (; i < le; i++, digits++) {
      const c = b[i] | 0x20;
      if (c >= 0x30 && c <= 0x39) size = size * 16 + c - 0x30;
      else if (c >= 0x61 && c <= 0x66) size = size * 16 + c - 0x57;
      else break;
    }
    if (digits === 0) return 0;
    if (size === 0) return total; // the last chunk: the body is complete
    const data = le + 1;
    if (data + size > end) return 0;
    total += size;
    off = data + size;
    if (off < end && b[off] === 0x0d) off++;
    if (off < end && b[off] === 0x0a) off++;
  }
  return 0;
}

/** connections that have shown a request (1), per capture, by connection id */
const seenConns = new WeakMap<Packet, ConnectionBytes>();

export function decodeHttp(p: Packet, b: Buffer, off: number, end: number, sport: number, dport: number): boolean {
  entered = false;
  let set = seenConns.get(p);
  const conn = p.connection(b, sport, dport);
  seenHttp = set !== undefined && set.get(conn) === 1;
  const seen0 = seenHttp;
  while (off < end) {
    const next = message(p, b, off, end);
    if (next <= off) break;
    off = next;
  }
  if (seenHttp && !seen0) {
    if (set === undefined) { set = new ConnectionBytes(); seenConns.set(p, set); }
    set.set(conn, 1);
  }
  return true;
}

/** tshark 4.0's http.tcp.port range */
export const HTTP_TCP_PORTS = [80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371];

export const http: Protocol = { name: "http", tcpPorts: HTTP_TCP_PORTS, decodePayload: decodeHttp };
