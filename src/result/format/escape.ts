/**
 * The escaping rules of the writers, one a format. Every character that could drive a terminal
 * (C0 controls, DEL, C1 controls such as U+009B CSI) is escaped by each of them, since a value is
 * packet bytes and an attacker's to choose.
 */

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** `\xHH` for a character: the UTF-8 bytes of a C1 control, each as \xHH */
function xEscape(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x80 ? `\\x${hex2(n)}` : `\\x${hex2(0xc0 | (n >> 6))}\\x${hex2(0x80 | (n & 0x3f))}`;
}

/**
 * Zeek's ASCII writer: backslash, the separator (tab), newline, every other C0 control, DEL and C1
 * as `\xHH` (bytes of the UTF-8 encoding); inside a set or vector, the set separator (",") too.
 * Printable text and valid UTF-8 pass as they are (as `zeek-cut` users expect).
 */
export function zeekEscape(s: string, inList = false): string {
  return s.replace(inList ? /[\\\x00-\x1f\x7f-\x9f,]/g : /[\\\x00-\x1f\x7f-\x9f]/g, xEscape);
}

/**
 * CSV (RFC 4180): a field holding `"`, `,`, CR or LF is quoted and its quotes doubled; before that,
 * C0 controls other than tab and LF (CR included), DEL and C1 are written as `\xHH` text.
 */
export function csvEscape(s: string): string {
  const t = s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, xEscape);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * A JSON string: JSON.stringify's escapes (quotes, backslash, C0 controls, lone surrogates) and
 * DEL, C1 controls, U+2028/2029 as \uXXXX (still exact JSON: parsing gives the value back).
 */
export function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Text for a terminal or a grid: every control character (C0 including tab and newline, DEL, C1)
 * shown as `\xHH`, nothing else changed (the tshark-like text of `wirebook stats`, table cells).
 */
export function showControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
