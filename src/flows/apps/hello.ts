/**
 * TLS ClientHello / ServerHello bodies (RFC 8446 §4.1.2, §4.1.3) read into plain facts, and the
 * fingerprints computed from them:
 *  - JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
 *    decimal values joined by "-", GREASE values (RFC 8701: 0x?a?a) removed, MD5 of that string;
 *  - JA3S: "SSLVersion,Cipher,Extensions" of the ServerHello, MD5;
 *  - JA4 (FoxIO, BSD-3-Clause spec): a_b_c where a = protocol (t TCP, q QUIC, d DTLS), version
 *    (highest non-GREASE supported_versions entry, else the hello's version: 13 12 11 10 s3 s2,
 *    00 unknown), d/i (SNI present or not), cipher count and extension count (GREASE removed,
 *    2 digits, at most 99), first and last character of the first ALPN value ("00" when none; hex
 *    nibbles when not alphanumeric); b = first 12 hex digits of SHA-256 of the sorted cipher list
 *    (4-digit hex, comma-joined); c = the same of the sorted extension list without SNI (0000) and
 *    ALPN (0010), then "_" and the signature algorithms in their order (no "_" when there are
 *    none). Empty lists hash to "000000000000". ja4_r is the unhashed form.
 */
import { createHash } from "node:crypto";

export interface Hello {
  /** 1 ClientHello, 2 ServerHello */
  type: number;
  /** legacy_version */
  version: number;
  sessionId: string;
  /** client: the offered suites; server: the chosen one */
  ciphers: number[];
  /** extension types in order */
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  /** supported_versions: the client's list or the server's choice */
  versions: number[];
  sni?: string;
  alpn: string[];
  /** ServerHello key_share group (TLS 1.3) */
  keyShare?: number;
  /** ServerHello carries pre_shared_key (a TLS 1.3 resumption) */
  psk: boolean;
  /** the ServerHello is a HelloRetryRequest */
  hrr: boolean;
}

const HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

export const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

function latin1(b: Uint8Array, o: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + o, e - o).toString("latin1");
}

/**
 * The hello message body [o, end) (after the 4-byte handshake header) of type 1 or 2. Returns null
 * when the fixed part is cut; extensions are read as far as they are whole.
 */
export function parseHello(type: number, b: Uint8Array, o: number, end: number): Hello | null {
  const h: Hello = {
    type, version: 0, sessionId: "", ciphers: [], extensions: [], groups: [], pointFormats: [], sigAlgs: [], versions: [],
    alpn: [], psk: false, hrr: false,
  };
  if (o + 35 > end) return null;
  h.version = u16(b, o);
  h.hrr = type === 2 && Buffer.from(b.buffer, b.byteOffset + o + 2, 32).toString("hex") === HRR_RANDOM;
  let q = o + 34;
  const sl = b[q];
  if (q + 1 + sl > end) return null;
  h.sessionId = Buffer.from(b.buffer, b.byteOffset + q + 1, sl).toString("hex");
  q += 1 + sl;
  if (type === 1) {
    if (q + 2 > end) return null;
    const cl = u16(b, q);
    q += 2;
    if (q + cl > end) return null;
    for (let i = 0; i + 1 < cl; i += 2) h.ciphers.push(u16(b, q + i));
    q += cl;
    if (q + 1 > end) return null;
    q += 1 + b[q]; // compression methods
    if (q > end) return null;
  } else {
    if (q + 3 > end) return null;
    h.ciphers.push(u16(b, q));
    q += 3;
  }
  if (q + 2 > end) return h; // no extensions
  const el = u16(b, q);
  q += 2;
  const ee = Math.min(end, q + el);
  while (q + 4 <= ee) {
    const t = u16(b, q), len = u16(b, q + 2);
    const d = q + 4, e = d + len;
    if (e > ee) break;
    h.extensions.push(t);
    switch (t) {
      case 0: // server_name
        if (type === 1 && d + 2 <= e) {
          for (let p = d + 2; p + 3 <= e;) {
            const nl = u16(b, p + 1);
            if (p + 3 + nl > e) break;
            if (b[p] === 0 && h.sni === undefined) h.sni = latin1(b, p + 3, p + 3 + nl);
            p += 3 + nl;
          }
        }
        break;
      case 10: // supported_groups
        if (d + 2 <= e) for (let p = d + 2; p + 2 <= Math.min(e, d + 2 + u16(b, d)); p += 2) h.groups.push(u16(b, p));
        break;
      case 11: // ec_point_formats
        if (d + 1 <= e) for (let p = d + 1; p < Math.min(e, d + 1 + b[d]); p++) h.pointFormats.push(b[p]);
        break;
      case 13: // signature_algorithms
        if (d + 2 <= e) for (let p = d + 2; p + 2 <= Math.min(e, d + 2 + u16(b, d)); p += 2) h.sigAlgs.push(u16(b, p));
        break;
      case 16: // ALPN
        if (d + 2 <= e) {
          const le = Math.min(e, d + 2 + u16(b, d));
          for (let p = d + 2; p < le;) {
            const n = b[p];
            if (p + 1 + n > le) break;
            h.alpn.push(latin1(b, p + 1, p + 1 + n));
            p += 1 + n;
          }
        }
        break;
      case 43: // supported_versions
        if (type === 1) {
          if (d + 1 <= e) for (let p = d + 1; p + 2 <= Math.min(e, d + 1 + b[d]); p += 2) h.versions.push(u16(b, p));
        } else if (len >= 2) h.versions.push(u16(b, d));
        break;
      case 51: // key_share: the server's group
        if (type === 2 && len >= 2) h.keyShare = u16(b, d);
        break;
      case 41:
        if (type === 2) h.psk = true;
        break;
    }
    q = e;
  }
  return h;
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const sha12 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);
const noGrease = (a: number[]) => a.filter((v) => !isGrease(v));

export function ja3String(h: Hello): string {
  return [h.version, noGrease(h.ciphers).join("-"), noGrease(h.extensions).join("-"), noGrease(h.groups).join("-"),
    h.pointFormats.join("-")].join(",");
}
export const ja3 = (h: Hello): string => md5(ja3String(h));

export function ja3sString(h: Hello): string {
  return [h.version, h.ciphers[0] ?? "", h.extensions.join("-")].join(",");
}
export const ja3s = (h: Hello): string => md5(ja3sString(h));

const hex4 = (v: number) => v.toString(16).padStart(4, "0");

function ja4Version(h: Hello): string {
  const vs = noGrease(h.versions);
  const v = vs.length > 0 ? Math.max(...vs) : h.version;
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
  }
}

const alnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function ja4Alpn(h: Hello): string {
  const a = h.alpn[0];
  if (a === undefined || a.length === 0) return "00";
  const f = a.charCodeAt(0), l = a.charCodeAt(a.length - 1);
  if (alnum(f) && alnum(l)) return a[0] + a[a.length - 1];
  return f.toString(16).padStart(2, "0")[0] + l.toString(16).padStart(2, "0")[1];
}

/** JA4 parts: [a, ciphers string, extensions string] (unhashed) */
function ja4Parts(h: Hello, proto: "t" | "q" | "d"): [string, string, string] {
  const ciphers = noGrease(h.ciphers);
  const exts = noGrease(h.extensions);
  const count = (n: number) => String(Math.min(n, 99)).padStart(2, "0");
  const a = `${proto}${ja4Version(h)}${h.sni !== undefined || exts.includes(0) ? "d" : "i"}${count(ciphers.length)}${count(exts.length)}${ja4Alpn(h)}`;
  const b = ciphers.map(hex4).sort().join(",");
  const e = exts.filter((x) => x !== 0 && x !== 16).map(hex4).sort().join(",");
  const sig = noGrease(h.sigAlgs).map(hex4).join(",");
  const c = sig === "" ? e : `${e}_${sig}`;
  return [a, b, c];
}

export function ja4(h: Hello, proto: "t" | "q" | "d" = "t"): string {
  const [a, b, c] = ja4Parts(h, proto);
  const exts = noGrease(h.extensions).filter((x) => x !== 0 && x !== 16);
  return `${a}_${b === "" ? "000000000000" : sha12(b)}_${exts.length === 0 ? "000000000000" : sha12(c)}`;
}

export function ja4r(h: Hello, proto: "t" | "q" | "d" = "t"): string {
  const [a, b, c] = ja4Parts(h, proto);
  return `${a}_${b}_${c}`;
}

/** Zeek's version names (SSL::version_strings) */
export function versionName(v: number): string {
  switch (v) {
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv10";
    case 0x0302: return "TLSv11";
    case 0x0303: return "TLSv12";
    case 0x0304: return "TLSv13";
    case 0xfeff: return "DTLSv10";
    case 0xfefd: return "DTLSv12";
    case 0xfefc: return "DTLSv13";
  }
  if ((v >> 8) === 0x7f) return `TLSv13-draft${v & 0xff}`;
  return `unknown-${v}`;
}

/** The negotiated version of a ServerHello (supported_versions when present). */
export function serverVersion(h: Hello): number {
  return h.versions[0] ?? h.version;
}

// IANA TLS cipher suite names (the common ones; others print as Zeek does: "unknown-N")
const CIPHERS: Record<number, string> = {
  0x0000: "TLS_NULL_WITH_NULL_NULL", 0x0001: "TLS_RSA_WITH_NULL_MD5", 0x0002: "TLS_RSA_WITH_NULL_SHA",
  0x0004: "TLS_RSA_WITH_RC4_128_MD5", 0x0005: "TLS_RSA_WITH_RC4_128_SHA", 0x000a: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  0x0016: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x002f: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x0032: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
  0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA", 0x0038: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
  0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x003c: "TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003d: "TLS_RSA_WITH_AES_256_CBC_SHA256",
  0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0x006b: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
  0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009d: "TLS_RSA_WITH_AES_256_GCM_SHA384",
  0x009e: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009f: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
  0x00ff: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x5600: "TLS_FALLBACK_SCSV",
  0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
  0x1304: "TLS_AES_128_CCM_SHA256", 0x1305: "TLS_AES_128_CCM_8_SHA256",
  0xc007: "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", 0xc009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  0xc00a: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
  0xc012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0xc013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  0xc014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  0xc024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xc027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  0xc028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xc02b: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  0xc02c: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02f: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  0xc030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xcca8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  0xcca9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xccaa: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  0xcc13: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", 0xcc14: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
  0xcc15: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
};
export const cipherName = (c: number): string => CIPHERS[c] ?? `unknown-${c}`;

const GROUPS: Record<number, string> = {
  1: "sect163k1", 19: "secp192r1", 21: "secp224r1", 23: "secp256r1", 24: "secp384r1", 25: "secp521r1",
  26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1", 29: "x25519", 30: "x448",
  256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
  0x11ec: "X25519MLKEM768", 0x11eb: "SecP256r1MLKEM768", 0x6399: "X25519Kyber768Draft00",
};
export const groupName = (g: number): string => GROUPS[g] ?? `unknown-${g}`;
