/**
 * How tshark 4.0 prints packet bytes held in string fields (`-T fields`), shared by the DNS, HTTP
 * and TLS decoders. String columns store this text, so a column prints exactly what tshark prints.
 *
 * Two conventions exist, checked byte by byte against tshark 4.0.17:
 *  - `asciiText`: fields read with ENC_ASCII (HTTP request line and headers, TLS SNI and ALPN):
 *    every byte >= 0x80 becomes U+FFFD, control bytes stay raw, and the `-T fields` writer then
 *    escapes TAB, LF and CR as `\t`, `\n`, `\r`.
 *  - `formatText`: names the DNS dissector passes through format_text() (wsutil/str_util.c):
 *    valid UTF-8 is kept when printable, ASCII controls become `\a \b \f \n \r \t \v` or octal
 *    `\ooo`, non-printable code points `\uXXXX` / `\UXXXXXXXX`, invalid sequences U+FFFD.
 * Both have a fast path for plain printable ASCII (the common case) that builds the string once.
 */

const FFFD = "\ufffd";
/** g_unichar_isprint is false for controls, format characters, unassigned code points and surrogates */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]/u;

function allPrintable(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start > 24) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString("latin1");
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** An ENC_ASCII string field as `tshark -T fields` prints it. */
export function asciiText(b: Uint8Array, start: number, end: number): string {
  if (allPrintable(b, start, end)) return latin1(b, start, end);
  let s = "";
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 0x80) s += FFFD;
    else if (c === 9) s += "\\t";
    else if (c === 10) s += "\\n";
    else if (c === 13) s += "\\r";
    else s += String.fromCharCode(c);
  }
  return s;
}

const CTRL_ESC: Record<number, string> = { 7: "a", 8: "b", 12: "f", 10: "n", 13: "r", 9: "t", 11: "v" };

function hex(v: number, digits: number): string {
  let s = v.toString(16).toUpperCase();
  while (s.length < digits) s = "0" + s;
  return s;
}

/** format_text() of raw bytes (DNS names), as tshark 4.0 prints it. */
export function formatText(b: Uint8Array, start: number, end: number): string {
  if (allPrintable(b, start, end)) return latin1(b, start, end);
  let s = "";
  let i = start;
  while (i < end) {
    const c = b[i++];
    if (c >= 0x20 && c < 0x7f) { s += String.fromCharCode(c); continue; }
    if (c < 0x80) {
      const e = CTRL_ESC[c];
      s += e !== undefined ? "\\" + e : "\\" + ((c >> 6) & 3) + ((c >> 3) & 7) + (c & 7);
      continue;
    }
    let n: number, uc: number;
    if ((c & 0xe0) === 0xc0) { n = 2; uc = c & 0x1f; }
    else if ((c & 0xf0) === 0xe0) { n = 3; uc = c & 0x0f; }
    else if ((c & 0xf8) === 0xf0) { n = 4; uc = c & 0x07; }
    else if ((c & 0xfc) === 0xf8) { n = 5; uc = c & 0x03; } // obsolete 5- and 6-byte forms: consumed, then
    else if ((c & 0xfe) === 0xfc) { n = 6; uc = c & 0x01; } // replaced by one U+FFFD (out of range)
    else { s += FFFD; continue; }
    let ok = true;
    for (let k = 1; k < n; k++) {
      if (i >= end || (b[i] & 0xc0) !== 0x80) { ok = false; break; }
      uc = (uc << 6) | (b[i++] & 0x3f);
    }
    if (!ok || uc > 0x10ffff || (uc >= 0xd800 && uc <= 0xdfff)) { s += FFFD; continue; }
    const ch = String.fromCodePoint(uc);
    if (NON_PRINTABLE.test(ch)) s += uc > 0xffff ? "\\U" + hex(uc, 8) : "\\u" + hex(uc, 4);
    else s += ch;
  }
  return s;
}
