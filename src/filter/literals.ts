/** Literal parsing for display filters: numbers, addresses, byte strings, times. */
export { parseIPv6 } from "../fields/ipv6";

/** An integer as Wireshark reads it: decimal, 0x hex, 0b binary, leading-0 octal, optional sign. */
export function parseInteger(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2];
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
  else if (body.length > 1 && body[0] === "0") v = parseInt(body.slice(1), 8);
  else v = parseInt(body, 10);
  return m[1] === "-" ? -v : v;
}

/** A decimal number with an optional fraction and exponent, or an integer (as above). */
export function parseFloatLiteral(s: string): number | undefined {
  const i = parseInteger(s);
  if (i !== undefined) return i;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** IPv4 dotted quad, with an optional /bits: [address, prefix bits]. */
export function parseIPv4(s: string): { addr: number; bits: number } | "badbits" | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,3}))?$/.exec(s);
  if (!m) return undefined;
  const o = [m[1], m[2], m[3], m[4]].map(Number);
  if (o.some((x) => x > 255)) return undefined;
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 32) return "badbits";
  return { addr: ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0, bits };
}

export function ipv4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** A MAC address: aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff, or 12 hex digits. */
export function parseMac(s: string): Uint8Array | undefined {
  let hex: string | undefined;
  if (/^[0-9a-fA-F]{1,2}([:-])[0-9a-fA-F]{1,2}(\1[0-9a-fA-F]{1,2}){4}$/.test(s)) {
    hex = s.split(/[:-]/).map((x) => x.padStart(2, "0")).join("");
  } else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(s)) hex = s.replace(/\./g, "");
  else if (/^[0-9a-fA-F]{12}$/.test(s)) hex = s;
  return hex === undefined ? undefined : Uint8Array.from(Buffer.from(hex, "hex"));
}

/** A byte string: hex pairs separated by ':', '-' or '.' (a single pair is one byte). */
export function parseBytes(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]{1,2}(?:([:.-])[0-9a-fA-F]{1,2}(?:\1[0-9a-fA-F]{1,2})*)?$/.test(s)) return undefined;
  return Uint8Array.from(s.split(/[:.-]/).map((x) => parseInt(x, 16)));
}

/** bytes as the hex text we use for comparisons: "00:1b:2c" (lower case; empty for none) */
export function bytesText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (i > 0 ? ":" : "") + (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/** A time in seconds ("1700000000.123456789", "-0.5", "3") → [seconds, nanoseconds 0…1e9) exactly. */
export function parseTime(s: string): [number, number] | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const whole = m[2] === "" ? 0 : Number(m[2]);
  const frac = Number(((m[3] ?? "") + "000000000").slice(0, 9));
  if (m[1] !== "-") return [whole, frac];
  return frac === 0 ? [-whole, 0] : [-whole - 1, 1e9 - frac];
}

/** Searches `hay` for `needle`. */
export function bytesContain(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) >= 0;
}

/** Lexicographic byte comparison (then length), as memcmp-based ordering in Wireshark. */
export function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
