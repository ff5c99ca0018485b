/**
 * MIME type sniffing from a file's first bytes (at most SNIFF_BYTES): magic numbers of
 * executables, archives, documents and images first, then text kinds (HTML, XML/SVG, JSON,
 * JavaScript, plain text). Names follow libmagic / Zeek where they differ from IANA
 * (`application/x-dosexec` for PE, `application/x-executable` for ELF), so the column compares
 * with Zeek's files.log `mime_type`.
 */

export const SNIFF_BYTES = 512;

const startsWith = (b: Uint8Array, n: number, sig: number[], at = 0): boolean => {
  if (n < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (sig[i] >= 0 && b[at + i] !== sig[i]) return false;
  return true;
};
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** [signature (-1: any byte), offset, type], tried in order */
const MAGIC: [number[], number, string][] = [
  [ascii("MZ"), 0, "application/x-dosexec"],
  [[0x7f, ...ascii("ELF")], 0, "application/x-executable"],
  [[0xca, 0xfe, 0xba, 0xbe], 0, "application/x-mach-o-executable"], // also a Java class; told apart below
  [[0xfe, 0xed, 0xfa, 0xce], 0, "application/x-mach-o-executable"],
  [[0xfe, 0xed, 0xfa, 0xcf], 0, "application/x-mach-o-executable"],
  [[0xce, 0xfa, 0xed, 0xfe], 0, "application/x-mach-o-executable"],
  [[0xcf, 0xfa, 0xed, 0xfe], 0, "application/x-mach-o-executable"],
  [[0x00, ...ascii("asm")], 0, "application/wasm"],
  [[...ascii("PK"), 3, 4], 0, "application/zip"],
  [[...ascii("PK"), 5, 6], 0, "application/zip"],
  [[...ascii("Rar!"), 0x1a, 0x07], 0, "application/x-rar"],
  [[...ascii("7z"), 0xbc, 0xaf, 0x27, 0x1c], 0, "application/x-7z-compressed"],
  [[0x1f, 0x8b], 0, "application/x-gzip"],
  [ascii("BZh"), 0, "application/x-bzip2"],
  [[0xfd, ...ascii("7zXZ"), 0], 0, "application/x-xz"],
  [[0x28, 0xb5, 0x2f, 0xfd], 0, "application/zstd"],
  [ascii("ustar"), 257, "application/x-tar"],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0, "application/vnd.ms-office"],
  [ascii("%PDF-"), 0, "application/pdf"],
  [ascii("{\\rtf"), 0, "text/rtf"],
  [ascii("%!PS"), 0, "application/postscript"],
  [[0x89, ...ascii("PNG"), 0x0d, 0x0a, 0x1a, 0x0a], 0, "image/png"],
  [[0xff, 0xd8, 0xff], 0, "image/jpeg"],
  [ascii("GIF87a"), 0, "image/gif"],
  [ascii("GIF89a"), 0, "image/gif"],
  [[...ascii("RIFF"), -1, -1, -1, -1, ...ascii("WEBP")], 0, "image/webp"],
  [[...ascii("RIFF"), -1, -1, -1, -1, ...ascii("WAVE")], 0, "audio/x-wav"],
  [[...ascii("RIFF"), -1, -1, -1, -1, ...ascii("AVI ")], 0, "video/x-msvideo"],
  [[0x00, 0x00, 0x01, 0x00], 0, "image/x-icon"],
  [ascii("BM"), 0, "image/bmp"], // checked further below
  [[0x49, 0x49, 0x2a, 0x00], 0, "image/tiff"],
  [[0x4d, 0x4d, 0x00, 0x2a], 0, "image/tiff"],
  [ascii("ID3"), 0, "audio/mpeg"],
  [ascii("OggS"), 0, "application/ogg"],
  [[...ascii("fLaC")], 0, "audio/flac"],
  [[0x1a, 0x45, 0xdf, 0xa3], 0, "video/webm"],
  [ascii("ftyp"), 4, "video/mp4"],
  [ascii("wOFF"), 0, "font/woff"],
  [ascii("wOF2"), 0, "font/woff2"],
  [[0x00, 0x01, 0x00, 0x00, 0x00], 0, "font/ttf"],
  [ascii("OTTO"), 0, "font/otf"],
  [ascii("SQLite format 3\0"), 0, "application/x-sqlite3"],
  [ascii("-----BEGIN "), 0, "application/x-pem-file"],
  [[0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00], 0, "application/x-ms-shortcut"],
];

/** whether the bytes are text: UTF-8 (or ASCII) without control characters other than whitespace */
function isText(b: Uint8Array, n: number): boolean {
  if (n === 0) return false;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      if (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 0x1b) return false;
      if (c === 0x7f) return false;
      i++;
      continue;
    }
    const len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (len === 0 || c >= 0xf5) return false;
    for (let k = 1; k < len; k++) {
      if (i + k >= n) return true; // cut by the sniff window
      if ((b[i + k] & 0xc0) !== 0x80) return false;
    }
    i += len;
  }
  return true;
}

const HTML_START = /^(?:<!doctype\s+html|<html|<head|<body|<title|<script|<iframe|<meta|<div|<table|<h1|<p>|<a\s|<br|<!--)/i;
const JS_START = /^(?:\/\/|\/\*|["']use strict["']|(?:!|\()?\s*function\b|(?:var|let|const|window|document|import|export|if|try|self|this)\b|\(\s*\(\s*\)\s*=>|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\()/;

/** The sniffed MIME type of a file starting with b[0..n) (n ≤ SNIFF_BYTES is enough), or undefined for none (n = 0). */
export function sniffMime(b: Uint8Array, n = b.length): string | undefined {
  if (n <= 0) return undefined;
  for (const [sig, at, type] of MAGIC) {
    if (!startsWith(b, n, sig, at)) continue;
    if (type === "application/x-mach-o-executable" && b[0] === 0xca && n >= 8) {
      // CAFEBABE: a Java class has a major version ≥ 45 here; a fat Mach-O a small architecture count
      const v = (b[6] << 8) | b[7];
      if (v >= 45) return "application/x-java-applet";
    }
    if (type === "image/bmp" && !(n >= 14 && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0)) continue;
    if (type === "image/x-icon" && !(n >= 6 && b[4] + b[5] > 0)) continue;
    if (type === "application/zip" && n >= 30) {
      // OOXML and friends are zip files too: the first entry's name tells
      const nameLen = b[26] | (b[27] << 8);
      const name = Buffer.from(b.buffer, b.byteOffset + 30, Math.max(0, Math.min(nameLen, n - 30))).toString("latin1");
      if (name === "mimetype" && n >= 38 + nameLen) {
        const m = Buffer.from(b.buffer, b.byteOffset + 30 + nameLen, Math.min(64, n - 30 - nameLen)).toString("latin1").match(/^application\/[\w.+-]+/);
        if (m !== null) return m[0];
      }
      if (name.startsWith("[Content_Types].xml") || name.startsWith("_rels/") || name.startsWith("word/")) return "application/vnd.openxmlformats-officedocument";
      if (name.startsWith("META-INF/")) return "application/java-archive";
    }
    return type;
  }
  // text kinds: after a BOM and leading whitespace
  let i = 0;
  if (n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
  else if (n >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return "text/plain";
  if (!isText(b.subarray(i, n), n - i)) return "application/octet-stream";
  while (i < n && (b[i] === 0x20 || b[i] === 9 || b[i] === 10 || b[i] === 13)) i++;
  const head = Buffer.from(b.buffer, b.byteOffset + i, n - i).toString("utf8");
  if (head.length === 0) return "text/plain";
  if (/^<\?xml/i.test(head)) return /<svg[\s>]/i.test(head) ? "image/svg+xml" : "application/xml";
  if (/^<svg[\s>]/i.test(head)) return "image/svg+xml";
  if (HTML_START.test(head)) return "text/html";
  if (/^(?:\{\s*(?:"|\}|$)|\[\s*(?:[{["\]\d-]|true|false|null|$))/.test(head)) return "application/json";
  if (JS_START.test(head)) return "application/javascript";
  if (/^[#.@]?[\w-]+(?:[ \t]*[,>+~][ \t]*[#.]?[\w-]+)*\s*\{[\s\w-]*:/.test(head) || /^@(?:charset|import|media|font-face)\b/.test(head)) return "text/css";
  if (/^#!/.test(head)) return "text/x-shellscript";
  return "text/plain";
}
