/**
 * Rule header addresses and ports: lists, ranges, CIDR blocks, negation, `any`, variables.
 * Parsed once into small trees; a list matches when one of its positive items matches (or it has
 * none) and none of its negated items does, as Suricata reads `[10.0.0.0/8,!10.1.2.3]`.
 */

export class HeaderError extends Error {
  /** offset of the problem inside the text handed to the parser */
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

/** An address set: IPv4 as [lo, hi] numbers, IPv6 as [lo, hi] bigints. */
export interface AddrNode {
  neg: boolean;
  any?: boolean;
  v4?: [number, number];
  v6?: [bigint, bigint];
  items?: AddrNode[];
}

export interface PortNode {
  neg: boolean;
  any?: boolean;
  range?: [number, number];
  items?: PortNode[];
}

export type Vars = Record<string, string>;

/** suricata.yaml's defaults (address-groups, port-groups) */
export const DEFAULT_VARS: Vars = {
  HOME_NET: "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]",
  EXTERNAL_NET: "!$HOME_NET",
  HTTP_SERVERS: "$HOME_NET", SMTP_SERVERS: "$HOME_NET", SQL_SERVERS: "$HOME_NET", DNS_SERVERS: "$HOME_NET",
  TELNET_SERVERS: "$HOME_NET", AIM_SERVERS: "$EXTERNAL_NET", DC_SERVERS: "$HOME_NET", DNP3_SERVER: "$HOME_NET",
  DNP3_CLIENT: "$HOME_NET", MODBUS_CLIENT: "$HOME_NET", MODBUS_SERVER: "$HOME_NET", ENIP_CLIENT: "$HOME_NET",
  ENIP_SERVER: "$HOME_NET",
  HTTP_PORTS: "80", SHELLCODE_PORTS: "!80", ORACLE_PORTS: "1521", SSH_PORTS: "22", DNP3_PORTS: "20000",
  MODBUS_PORTS: "502", FILE_DATA_PORTS: "[$HTTP_PORTS,110,143]", FTP_PORTS: "21", GENEVE_PORTS: "6081",
  VXLAN_PORTS: "4789", TEREDO_PORTS: "3544",
};

/** Splits the top level of a list body "a,[b,c],!d" into items with their offsets. */
function splitList(s: string, base: number): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if ((c === "," && depth === 0) || i === s.length) {
      const t = s.slice(start, i);
      const lead = t.length - t.trimStart().length;
      out.push({ text: t.trim(), at: base + start + lead });
      start = i + 1;
    }
  }
  return out;
}

function expand(text: string, at: number, vars: Vars, kind: string, depth: number): string {
  if (depth > 16) throw new HeaderError(`variable ${text} refers to itself`, at);
  const name = text.slice(1);
  const v = vars[name];
  if (v === undefined) throw new HeaderError(`unknown ${kind} variable $${name}`, at);
  return v;
}

export function ipv4Number(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    v = v * 256 + o;
  }
  return v;
}

export function ipv6Big(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return undefined;
  let t = s;
  const m = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (m) {
    const v4 = ipv4Number(m[1]);
    if (v4 === undefined) return undefined;
    t = t.slice(0, m.index) + (v4 >>> 16).toString(16) + ":" + (v4 & 0xffff).toString(16);
  }
  const dbl = t.split("::");
  if (dbl.length > 2) return undefined;
  const head = dbl[0] ? dbl[0].split(":") : [];
  const tail = dbl.length === 2 && dbl[1] ? dbl[1].split(":") : [];
  const fill = 8 - head.length - tail.length;
  if (dbl.length === 1 ? head.length !== 8 : fill < 0) return undefined;
  const words = dbl.length === 2 ? [...head, ...Array<string>(fill).fill("0"), ...tail] : head;
  let v = 0n;
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    v = (v << 16n) | BigInt(parseInt(w, 16));
  }
  return v;
}

function parseAddrItem(text: string, at: number, vars: Vars, depth: number): AddrNode {
  let neg = false, t = text, a = at;
  while (t.startsWith("!")) { neg = !neg; t = t.slice(1).trimStart(); a++; }
  if (t === "") throw new HeaderError("empty address", a);
  if (t.startsWith("$")) {
    const n = parseAddrList(expand(t, a, vars, "address", depth), a, vars, depth + 1, true);
    return { neg, items: [n] };
  }
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw new HeaderError(`unclosed address list ${t}`, a);
    const items = splitList(t.slice(1, -1), a + 1).map((x) => parseAddrItem(x.text, x.at, vars, depth));
    if (items.length === 0) throw new HeaderError("empty address list", a);
    return { neg, items };
  }
  if (t.toLowerCase() === "any") {
    if (neg) throw new HeaderError("!any matches nothing", at);
    return { neg, any: true };
  }
  const slash = t.indexOf("/");
  const host = slash < 0 ? t : t.slice(0, slash);
  const mask = slash < 0 ? undefined : t.slice(slash + 1);
  const v4 = ipv4Number(host);
  if (v4 !== undefined) {
    let bits = 32;
    if (mask !== undefined) {
      const m4 = ipv4Number(mask);
      if (m4 !== undefined) { bits = 32 - Math.log2(2 ** 32 - m4); if (!Number.isInteger(bits)) throw new HeaderError(`bad netmask ${mask}`, a); }
      else if (/^\d{1,2}$/.test(mask) && Number(mask) <= 32) bits = Number(mask);
      else throw new HeaderError(`bad prefix length /${mask}`, a);
    }
    const size = 2 ** (32 - bits);
    const lo = Math.floor(v4 / size) * size;
    return { neg, v4: [lo, lo + size - 1] };
  }
  const v6 = ipv6Big(host);
  if (v6 !== undefined) {
    let bits = 128;
    if (mask !== undefined) {
      if (!/^\d{1,3}$/.test(mask) || Number(mask) > 128) throw new HeaderError(`bad prefix length /${mask}`, a);
      bits = Number(mask);
    }
    const hostBits = BigInt(128 - bits);
    const lo = (v6 >> hostBits) << hostBits;
    return { neg, v6: [lo, lo + (1n << hostBits) - 1n] };
  }
  throw new HeaderError(`bad address "${t}"`, a);
}

function parseAddrList(text: string, at: number, vars: Vars, depth: number, fromVar = false): AddrNode {
  try {
    return parseAddrItem(text.trim(), at, vars, depth);
  } catch (e) {
    if (fromVar && e instanceof HeaderError) throw new HeaderError(`${e.message} (in a variable's value "${text}")`, at);
    throw e;
  }
}

export function parseAddresses(text: string, at: number, vars: Vars): AddrNode {
  return parseAddrList(text, at, vars, 0);
}

function parsePortItem(text: string, at: number, vars: Vars, depth: number): PortNode {
  let neg = false, t = text, a = at;
  while (t.startsWith("!")) { neg = !neg; t = t.slice(1).trimStart(); a++; }
  if (t === "") throw new HeaderError("empty port", a);
  if (t.startsWith("$")) {
    const v = expand(t, a, vars, "port", depth);
    return { neg, items: [parsePortItem(v.trim(), a, vars, depth + 1)] };
  }
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw new HeaderError(`unclosed port list ${t}`, a);
    const items = splitList(t.slice(1, -1), a + 1).map((x) => parsePortItem(x.text, x.at, vars, depth));
    if (items.length === 0) throw new HeaderError("empty port list", a);
    return { neg, items };
  }
  if (t.toLowerCase() === "any") {
    if (neg) throw new HeaderError("!any matches nothing", at);
    return { neg, any: true };
  }
  const m = /^(\d*)(:?)(\d*)$/.exec(t);
  if (!m || (m[1] === "" && m[3] === "") || (m[2] === "" && m[3] !== "")) throw new HeaderError(`bad port "${t}"`, a);
  const lo = m[1] === "" ? 0 : Number(m[1]);
  const hi = m[2] === "" ? lo : m[3] === "" ? 65535 : Number(m[3]);
  if (lo > 65535 || hi > 65535) throw new HeaderError(`port ${t} is past 65535`, a);
  if (lo > hi) throw new HeaderError(`port range ${t} runs backwards`, a);
  return { neg, range: [lo, hi] };
}

export function parsePorts(text: string, at: number, vars: Vars): PortNode {
  return parsePortItem(text.trim(), at, vars, 0);
}

/** Whether an address node is `any` (no check needed). */
export function isAnyAddr(n: AddrNode): boolean {
  if (n.neg) return false;
  if (n.any) return true;
  return n.items !== undefined && n.items.length === 1 && isAnyAddr(n.items[0]);
}

export function isAnyPort(n: PortNode): boolean {
  if (n.neg) return false;
  if (n.any) return true;
  return n.items !== undefined && n.items.length === 1 && isAnyPort(n.items[0]);
}

/**
 * Address match. `v4` is the IPv4 address as a number, or -1 for IPv6, then `v6` gives it
 * (computed lazily by the caller only when an IPv6 range needs it).
 */
export function matchAddr(n: AddrNode, v4: number, v6: () => bigint): boolean {
  return evalAddr(n, v4, v6) !== n.neg;
}

function evalAddr(n: AddrNode, v4: number, v6: () => bigint): boolean {
  if (n.any) return true;
  if (n.v4 !== undefined) return v4 >= 0 && v4 >= n.v4[0] && v4 <= n.v4[1];
  if (n.v6 !== undefined) {
    if (v4 >= 0) return false;
    const x = v6();
    return x >= n.v6[0] && x <= n.v6[1];
  }
  const items = n.items as AddrNode[];
  let havePos = false, pos = false;
  for (const it of items) {
    if (it.neg) {
      if (evalAddr(it, v4, v6)) return false;
    } else {
      havePos = true;
      if (!pos && evalAddr(it, v4, v6)) pos = true;
    }
  }
  return havePos ? pos : true;
}

export function matchPort(n: PortNode, port: number): boolean {
  return evalPort(n, port) !== n.neg;
}

function evalPort(n: PortNode, p: number): boolean {
  if (n.any) return true;
  if (n.range !== undefined) return p >= n.range[0] && p <= n.range[1];
  let havePos = false, pos = false;
  for (const it of n.items as PortNode[]) {
    if (it.neg) {
      if (evalPort(it, p)) return false;
    } else {
      havePos = true;
      if (!pos && evalPort(it, p)) pos = true;
    }
  }
  return havePos ? pos : true;
}
