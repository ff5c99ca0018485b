/**
 * IMF (Internet Message Format, RFC 5322) as tshark 4.0's packet-imf.c reads a message that SMTP
 * reassembled from its DATA (or BDAT) fragments (./smtp.ts calls `decodeImf` on the frame that
 * ends the message). Not a port decoder: IMF has no port.
 *
 * Checked against tshark 4.0.17 (dissect_imf, imf_find_field_end, dissect_imf_content_type):
 *  - header fields are read from the message start: the name runs to the next ':' (whatever it
 *    holds: bytes before the first header, a line without a colon, all become part of an unknown
 *    name), lower-cased; the value runs to a CRLF not followed by a blank or tab (folded lines stay
 *    in the value, printed as `\r\n`), leading white space (g_ascii_isspace) skipped unless the
 *    value is all white space (then it is kept: "From: " is " "), minus the final two bytes;
 *    a CRLF followed by CRLF ends the headers; a CR-LF at the very end of the message makes that
 *    value run to the end (tshark's length −1), a shorter remainder stops IMF (malformed);
 *  - the body goes to the media type of Content-Type only when the header has a ';' (parameters):
 *    the type (leading blanks skipped, up to the ';') in tshark's media table, case-insensitive
 *    (text types: "data-text-lines"; multipart/*: "mime_multipart" and each part by its own
 *    Content-Type: "data" without one, "media" for a type no dissector takes; message/rfc822:
 *    "imf" again); an unknown type, or none, shows the body as IMF's message text (nothing added);
 *    an empty body adds nothing (a dissector that reads no byte leaves no layer).
 * Fields kept: imf.from, imf.to, imf.subject (first occurrence; a message/rfc822 part's headers
 * come later); strings are ENC_ASCII text.
 * Not done: a base64 top-level body is not decoded before its dissector is chosen (tshark decodes
 * it: an image body is then judged by its raw bytes); multipart parts are read as tshark's default
 * does (not base64-decoded); nested multiparts stop at depth 8, 256 parts.
 */
import { defineField, defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import { mediaProto } from "./http";

defineProtocol("imf");
defineProtocol("mime_multipart");
import { asciiText } from "./tsharktext";

export const IMF = {
  from: defineField("imf.from", { display: "string", description: "From header (message reassembled from SMTP DATA)" }),
  to: defineField("imf.to", { display: "string", description: "To header" }),
  subject: defineField("imf.subject", { display: "string", description: "Subject header" }),
};

/** g_ascii_isspace */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function indexOf(b: Uint8Array, c: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === c) return i;
  return -1;
}

/** the bytes [off, end) equal `lower` ignoring ASCII case */
function nameIs(b: Uint8Array, off: number, end: number, lower: string): boolean {
  if (end - off !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = b[off + i];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** imf_find_field_end: the offset after a field's CRLF (-1: none); `lastField` when the headers end there */
let lastField = false;
function fieldEnd(b: Uint8Array, off: number, max: number): number {
  while (off < max) {
    off = indexOf(b, 0x0d, off, max);
    if (off < 0) break;
    if (++off < max && b[off] === 0x0a) {
      if (++off >= max) { lastField = true; return off - 2; }
      const c = b[off];
      if (c === 0x0d) {
        if (off + 1 < max && b[off + 1] === 0x0a) lastField = true;
        return off;
      }
      if (c !== 0x20 && c !== 0x09) return off;
    }
  }
  return -1;
}

/** Media types a mail body names, as tshark's media_type table dispatches them. */
function bodyProto(b: Uint8Array, tStart: number, tEnd: number, body: number, max: number, inPart: boolean): string {
  if (nameIs(b, tStart, tEnd, "message/rfc822")) return "imf";
  const slash = indexOf(b, 0x2f, tStart, tEnd);
  if (slash > tStart && nameIs(b, tStart, slash, "multipart")) return "mime_multipart";
  const proto = mediaProto(b, tStart, tEnd);
  // image dissectors refuse bytes that do not start with their signature (a base64 part is text)
  const sig = proto === "png" ? [0x89, 0x50, 0x4e, 0x47] : proto === "image-gif" ? [0x47, 0x49, 0x46, 0x38] : proto === "image-jfif" ? [0xff, 0xd8] : null;
  if (sig !== null && (max - body < sig.length || sig.some((c, i) => b[body + i] !== c))) return inPart ? "media" : "";
  if (proto === "media") return inPart ? "media" : "";
  return proto;
}

/** the boundary= parameter of [off, end) (quoted or not), or null */
function boundaryOf(b: Uint8Array, off: number, end: number): string | null {
  const s = Buffer.from(b.buffer, b.byteOffset + off, end - off).toString("latin1");
  const m = /(?:^|[;\s])boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(s);
  return m === null ? null : m[1] ?? m[2];
}

/** the protocols of a body: an IMF message, a multipart or a leaf type */
function dissectBody(p: Packet, b: Uint8Array, proto: string, tStart: number, tEnd: number, pStart: number, pEnd: number, body: number, max: number, depth: number): void {
  // a dissector that reads nothing (an empty body) leaves no layer in frame.protocols
  if (proto === "" || body >= max) return;
  if (proto === "imf") { imf(p, b, body, max, depth + 1); return; }
  if (proto !== "mime_multipart") { p.enter(proto); return; }
  const boundary = boundaryOf(b, pStart, pEnd);
  if (boundary === null || boundary === "" || depth > 8) return;
  void tStart; void tEnd;
  multipart(p, b, Buffer.from("--" + boundary, "latin1"), body, max, depth);
}

function find(b: Uint8Array, pat: Uint8Array, from: number, to: number): number {
  outer: for (let i = from; i + pat.length <= to; i++) {
    for (let k = 0; k < pat.length; k++) if (b[i + k] !== pat[k]) continue outer;
    return i;
  }
  return -1;
}

/** a delimiter: `--boundary` at the start or after a line end */
function delimiter(b: Uint8Array, pat: Uint8Array, from: number, to: number): number {
  for (let i = find(b, pat, from, to); i >= 0; i = find(b, pat, i + 1, to)) {
    if (i === from || b[i - 1] === 0x0a) return i;
  }
  return -1;
}

/** mime_multipart: each part's headers (up to a blank line), its Content-Type, its body */
function multipart(p: Packet, b: Uint8Array, pat: Uint8Array, off: number, max: number, depth: number): void {
  let d = delimiter(b, pat, off, max);
  if (d < 0) return;
  if (!p.enter("mime_multipart")) return;
  for (let parts = 0; parts < 256; parts++) {
    let o = d + pat.length;
    if (o + 1 < max && b[o] === 0x2d && b[o + 1] === 0x2d) return; // the last boundary
    const nl = indexOf(b, 0x0a, o, max);
    if (nl < 0) return;
    o = nl + 1;
    const next = delimiter(b, pat, o, max);
    const partEnd = next < 0 ? max : next;
    // part headers
    let tS = -1, tE = -1, prS = -1, prE = -1;
    let body = partEnd;
    for (let ls = o; ls < partEnd;) {
      let le = indexOf(b, 0x0a, ls, partEnd);
      const lineEnd = le < 0 ? partEnd : le;
      const textEnd = lineEnd > ls && b[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
      if (textEnd === ls) { body = le < 0 ? partEnd : le + 1; break; }
      const colon = indexOf(b, 0x3a, ls, textEnd);
      if (colon > ls && nameIs(b, ls, colon, "content-type") && tS < 0) {
        let v = colon + 1;
        while (v < textEnd && (b[v] === 0x20 || b[v] === 0x09)) v++;
        let e = v;
        while (e < textEnd && b[e] !== 0x3b && b[e] !== 0x20 && b[e] !== 0x09) e++;
        tS = v; tE = e; prS = e; prE = textEnd;
      }
      le = le < 0 ? partEnd : le + 1;
      ls = le;
    }
    const bodyEnd = next < 0 ? max : Math.max(body, next >= 2 && b[next - 2] === 0x0d ? next - 2 : next - 1);
    if (tS < 0) { if (body < bodyEnd) p.enter("data"); }
    else dissectBody(p, b, bodyProto(b, tS, tE, body, bodyEnd, true), tS, tE, prS, prE, body, bodyEnd, depth + 1);
    if (next < 0) return;
    d = next;
  }
}

function imf(p: Packet, b: Uint8Array, start: number, max: number, depth: number): void {
  if (!p.enter("imf")) return;
  lastField = false;
  let end = 0, tStart = -1, tEnd = -1, pStart = -1, pEnd = -1;
  while (!lastField) {
    const colon = indexOf(b, 0x3a, start, max);
    if (colon < 0) { end = -1; break; }
    const nStart = start;
    start = colon + 1;
    end = fieldEnd(b, start, max);
    if (end < 0) break;
    let v = start;
    while (v < end && isSpace(b[v])) v++;
    if (v === end) v = start;
    let len = end - v - 2;
    if (len < -1) { p.bad(); return; } // tshark: a negative length throws, IMF stops
    if (len === -1) len = max - v;
    // (a message/rfc822 part's headers are later occurrences: the first one is kept)
    if (nameIs(b, nStart, colon, "from")) p.s(IMF.from, asciiText(b, v, v + len));
    else if (nameIs(b, nStart, colon, "to")) p.s(IMF.to, asciiText(b, v, v + len));
    else if (nameIs(b, nStart, colon, "subject")) p.s(IMF.subject, asciiText(b, v, v + len));
    if (colon - nStart === 12 && nameIs(b, nStart, colon, "content-type")) {
      // dissect_imf_content_type: leading white space, then the type up to ';' (none: no type)
      let o = start;
      for (let i = 0; i < end - start; i++) if (!isSpace(b[start + i])) { o = start + i; break; }
      const semi = indexOf(b, 0x3b, o, Math.min(max, o + (end - start)));
      if (semi >= 0) {
        // the parameters run to the field's end (imf_find_field_end from after the ';')
        const save: boolean = lastField;
        const pe = fieldEnd(b, semi + 1, start + (end - start));
        lastField = save;
        tStart = o; tEnd = semi; pStart = semi + 1; pEnd = pe < 0 ? end : pe;
      }
    }
    start = end;
  }
  if (lastField) end += 2;
  if (end < 0) end = 0;
  if (tStart < 0) return;
  // a type with blanks in it (before the ';') is not in the table
  for (let i = tStart; i < tEnd; i++) if (b[i] === 0x20 || b[i] === 0x09) return;
  dissectBody(p, b, bodyProto(b, tStart, tEnd, end, max, false), tStart, tEnd, pStart, pEnd, Math.min(end, max), max, depth);
}

/** IMF on a whole message [0, len) of `b` (reassembled by SMTP): fields and protocol layers. */
export function decodeImf(p: Packet, b: Uint8Array, len: number): void {
  imf(p, b, 0, len, 0);
}
