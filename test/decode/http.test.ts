import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";

const F = ["http.request.method", "http.request.uri", "http.request.version", "http.host", "http.user_agent",
  "http.response.code", "http.response.phrase", "http.content_type", "http.content_length", "http.content_length_header",
  "http.server"];
const get = (s: string, port = 80) => fieldsOf(tcpFrame(s, 40000, port), F);

test("http: request line and headers", () => {
  const f = get("GET /a?b=1 HTTP/1.1\r\nhost:   example.com  \r\nUser-Agent: curl/8\r\n\r\n");
  assert.equal(f["http.request.method"], "GET");
  assert.equal(f["http.request.uri"], "/a?b=1");
  assert.equal(f["http.request.version"], "HTTP/1.1");
  assert.equal(f["http.host"], "example.com  "); // trailing blanks are kept, as tshark does
  assert.equal(f["http.user_agent"], "curl/8");
  assert.equal(fieldsOf(tcpFrame("GET / HTTP/1.1\r\n\r\n", 40000, 8080), ["frame.protocols"])["frame.protocols"],
    "eth:ethertype:ip:tcp:http");
});

test("http: response line, content headers", () => {
  const f = get("HTTP/1.1 200 OK\r\nServer: srv\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 12\r\n\r\nhello world!");
  assert.equal(f["http.response.code"], "200");
  assert.equal(f["http.response.phrase"], "OK");
  assert.equal(f["http.server"], "srv");
  assert.equal(f["http.content_type"], "text/html; charset=utf-8");
  assert.equal(f["http.content_length"], "12");
  assert.equal(f["http.content_length_header"], "12");
  const g = get("HTTP/1.1 20x Weird phrase\r\nContent-Length: abc\r\n\r\n");
  assert.equal(g["http.response.code"], "20");
  assert.equal(g["http.response.phrase"], "Weird phrase");
  assert.equal(g["http.content_length"], "");
  assert.equal(g["http.content_length_header"], "abc");
  assert.equal(get("HTTP/1.1 2x\r\n\r\n")["http.response.code"], "");
});

test("http: tshark's corner cases", () => {
  assert.equal(get("GET  HTTP/1.1\r\n\r\n")["http.request.uri"], "");
  assert.equal(get("GET  HTTP/1.1\r\n\r\n")["http.request.version"], "HTTP/1.1");
  assert.equal(get("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n")["http.request.method"], "M-SEARCH");
  assert.equal(get("get / HTTP/1.1\r\nHost: x\r\n\r\n")["http.host"], ""); // methods are case-sensitive
  assert.equal(get("GET / HTTP/1.1\r\nHost : a\r\nX Bad: b\r\nHost: c\r\n\r\n")["http.host"], "c");
  assert.equal(get("GET / HTTP/1.1\r\nHost: cut")["http.host"], "cut");
  assert.equal(get("GET / HTTP/1.1\nHost: lf\n\n")["http.host"], "lf");
  // pipelined: the second message fills what the first lacks
  const p = get("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nHost: two\r\n\r\n");
  assert.equal(p["http.request.uri"], "/1");
  assert.equal(p["http.host"], "two");
  // a continuation segment: lines with a colon still count as headers, others stop
  assert.equal(get("body text: x\r\nHost: sneaky\r\n")["http.host"], "sneaky");
  assert.equal(get("just body text\r\nHost: no\r\n")["http.host"], "");
  // ENC_ASCII: bytes >= 0x80 are U+FFFD, TAB is printed as \t
  const w = fieldsOf(tcpFrame(Buffer.from("GET /\xff HTTP/1.1\r\nHost: a\tb\xc3\xa9\r\n\r\n", "latin1"), 1, 80), F);
  assert.equal(w["http.request.uri"], "/\ufffd");
  assert.equal(w["http.host"], "a\\tb\ufffd\ufffd");
});

test("http: binary and hostile segments never throw", () => {
  const frames = [Buffer.from([0, 1, 2, 0xff]), Buffer.alloc(3000, 0x3a), Buffer.from("\r\n"), Buffer.alloc(5000, 0x41),
    Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 999999999999999999999\r\n\r\n")].map((b) => tcpFrame(b, 80, 40000));
  const c = decodeFrames(frames);
  assert.equal(c.count, 5);
  assert.equal(c.column("http.response.code").text(4), "200");
  assert.equal(c.column("http.content_length").text(4), "");
});

test("http: frame.protocols: body layers by Content-Type, continuation after a request, chunked bodies only when complete", () => {
  const c = decodeFrames([
    tcpFrame("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\n<b/>\n", 80, 41000),
    tcpFrame("HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\n\r\nvar a", 80, 41001),
    tcpFrame("HTTP/1.1 200 OK\r\n\r\nxyz", 80, 41002),
    tcpFrame(Buffer.from("8f01020304", "hex"), 80, 41003), // binary, no request seen: nothing
    tcpFrame("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 41003, 80),
    tcpFrame(Buffer.from("8f01020304", "hex"), 80, 41003), // binary after a request: http:data
    tcpFrame("more body text", 80, 41003), // printable after a request: http:data
    tcpFrame("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n", 80, 41004),
    tcpFrame("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 80, 41005),
  ]);
  const P = (i: number) => c.column("frame.protocols").text(i).replace("eth:ethertype:ip:tcp", "");
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map(P), [":http:data-text-lines", ":http:media", ":http:data", "", ":http",
    ":http:data", ":http:data", ":http", ":http:data-text-lines"]);
});
