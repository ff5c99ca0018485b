/**
 * Suricata/Snort rule text → Rule objects. One rule per line; a line ending in `\` continues on the
 * next; `#` starts a comment line. Errors carry the rule's line and column; keywords outside the
 * supported subset are collected per rule (the rule is kept, marked unsupported, and skipped).
 */
import { linearRegExp, NotLinearError } from "../filter/regex";
import { DEFAULT_VARS, HeaderError, isAnyAddr, isAnyPort, parseAddresses, parsePorts, type AddrNode, type PortNode, type Vars } from "./address";

export type Action = "alert" | "pass" | "drop" | "reject";
export const ACTIONS = ["alert", "pass", "drop", "reject"];
export const PROTOCOLS = ["tcp", "udp", "icmp", "ip", "http", "dns", "tls", "tcp-pkt", "tcp-stream"];
export const APP_PROTOCOLS = new Set(["http", "dns", "tls"]);

/** Buffers content and pcre inspect. "payload" is the packet payload (pkt_data). */
export const BUFFERS = ["payload", "http.uri", "http.uri.raw", "http.method", "http.host", "http.host.raw", "http.user_agent",
  "http.header", "http.header.raw", "http.cookie", "http.request_body", "http.request_line", "http.content_type",
  "http.stat_code", "http.stat_msg", "http.response_line", "http.server", "dns.query", "tls.sni"] as const;
export type BufferName = (typeof BUFFERS)[number];

/** sticky buffer keywords (and their legacy spellings) → buffer */
const STICKY: Record<string, BufferName> = {
  "pkt_data": "payload", "http.uri": "http.uri", "http.uri.raw": "http.uri.raw", "http.method": "http.method",
  "http.host": "http.host", "http.host.raw": "http.host.raw", "http.user_agent": "http.user_agent",
  "http.header": "http.header", "http.header.raw": "http.header.raw", "http.cookie": "http.cookie",
  "http.request_body": "http.request_body", "http.client_body": "http.request_body", "http.request_line": "http.request_line",
  "http.content_type": "http.content_type", "http.stat_code": "http.stat_code", "http.stat_msg": "http.stat_msg",
  "http.response_line": "http.response_line", "http.server": "http.server",
  "dns.query": "dns.query", "dns_query": "dns.query", "tls.sni": "tls.sni", "tls_sni": "tls.sni",
};
/** legacy content modifiers: move the previous content into a buffer */
const MODIFIERS: Record<string, BufferName> = {
  http_uri: "http.uri", http_raw_uri: "http.uri.raw", http_method: "http.method", http_host: "http.host",
  http_raw_host: "http.host.raw", http_user_agent: "http.user_agent", http_header: "http.header",
  http_raw_header: "http.header.raw", http_cookie: "http.cookie", http_client_body: "http.request_body",
  http_stat_code: "http.stat_code", http_stat_msg: "http.stat_msg",
};
/** pcre buffer flags (Suricata's /U /H …) */
const PCRE_BUFFER_FLAGS: Record<string, BufferName> = {
  U: "http.uri", I: "http.uri.raw", M: "http.method", H: "http.header", D: "http.header.raw", C: "http.cookie",
  P: "http.request_body", V: "http.user_agent", W: "http.host", Z: "http.host.raw", S: "http.stat_code", Y: "http.stat_msg",
};
/** buffers that belong to a direction (transaction rules fire on that side's data) */
export const TO_CLIENT_BUFFERS = new Set<BufferName>(["http.stat_code", "http.stat_msg", "http.response_line", "http.server"]);

export interface Content {
  kind: "content";
  /** the bytes (lower-cased when nocase) */
  bytes: Buffer;
  nocase: boolean;
  negated: boolean;
  offset: number;
  /** window end from the buffer start (offset + depth), -1 for none */
  depth: number;
  distance: number;
  hasDistance: boolean;
  /** within, -1 for none */
  within: number;
  startswith: boolean;
  endswith: boolean;
  fastPattern: boolean;
  /** text as written, for messages */
  text: string;
}

export interface Pcre {
  kind: "pcre";
  re: RegExp;
  negated: boolean;
  relative: boolean;
  text: string;
}

export interface IsDataAt {
  kind: "isdataat";
  n: number;
  relative: boolean;
  negated: boolean;
}

export type Matcher = Content | Pcre | IsDataAt;

/** A numeric test: dsize, itype, icode, ttl, ip_proto, bsize, urilen. */
export interface NumTest {
  op: "=" | "<" | ">" | "<=" | ">=" | "<>" | "!=";
  a: number;
  b: number;
}

export interface FlowOpt {
  toServer: boolean;
  toClient: boolean;
  established: boolean;
  notEstablished: boolean;
  stateless: boolean;
  onlyStream: boolean;
  noStream: boolean;
}

export interface FlagsOpt {
  /** bits that must be set (or, for "*", any of) */
  bits: number;
  /** "=" exactly these (outside the ignored mask), "+" these and maybe others, "*" any of these, "!" none of these */
  mode: "=" | "+" | "*" | "!";
  /** bits ignored */
  ignore: number;
}

export type Track = "by_src" | "by_dst" | "by_rule" | "by_both" | "by_flow";
export interface ThresholdOpt {
  type: "limit" | "threshold" | "both" | "detection_filter";
  track: Track;
  count: number;
  seconds: number;
}

export interface FlowbitOp {
  cmd: "set" | "isset" | "isnotset" | "unset" | "toggle" | "noalert";
  names: string[];
  /** for isset/isnotset with several names: "|" any, "&" all */
  any: boolean;
}

export interface Rule {
  action: Action;
  proto: string;
  src: AddrNode;
  sport: PortNode;
  bidirectional: boolean;
  dst: AddrNode;
  dport: PortNode;
  /** header shortcuts: `any` needs no check */
  anySrc: boolean; anyDst: boolean; anySport: boolean; anyDport: boolean;
  msg: string;
  sid: number;
  rev: number;
  gid: number;
  classtype: string;
  priority: number;
  metadata: string[];
  references: string[];
  /** content/pcre/isdataat lists by buffer, in rule order */
  buffers: Map<BufferName, Matcher[]>;
  /** bsize per buffer */
  bsize: Map<BufferName, NumTest>;
  flow: FlowOpt | null;
  flags: FlagsOpt | null;
  dsize: NumTest | null;
  itype: NumTest | null;
  icode: NumTest | null;
  ttl: NumTest | null;
  ipProto: NumTest | null;
  urilen: NumTest | null;
  threshold: ThresholdOpt | null;
  detectionFilter: ThresholdOpt | null;
  flowbits: FlowbitOp[];
  noalert: boolean;
  /** keywords outside the subset (the rule is skipped) */
  unsupported: string[];
  /** 1-based line of the rule's first line in the file, and the rule text as written (joined) */
  line: number;
  text: string;
  /** position in the file (for stable ordering) */
  index: number;
}

export class RuleError extends Error {
  constructor(readonly line: number, readonly column: number, readonly reason: string, readonly sid?: number) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** A logical rule: the joined text, and where each joined character came from. */
interface Source {
  text: string;
  line: number;
  /** per joined-text segment: [start in text, line, column of that start] */
  segs: [number, number, number][];
}

function position(src: Source, at: number): [number, number] {
  let s = src.segs[0];
  for (const g of src.segs) if (g[0] <= at) s = g;
  return [s[1], s[2] + (at - s[0])];
}

/** Splits file text into logical rules (continuations joined, comments and blanks dropped). */
export function splitRules(text: string): Source[] {
  const lines = text.split(/\r?\n/);
  const out: Source[] = [];
  let cur: Source | null = null;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    if (cur === null) {
      const lead = l.length - l.trimStart().length;
      const t = l.trim();
      if (t === "" || t.startsWith("#")) continue;
      cur = { text: "", line: i + 1, segs: [] };
      l = l.slice(lead);
      cur.segs.push([0, i + 1, lead + 1]);
    } else {
      cur.segs.push([cur.text.length, i + 1, 1]);
    }
    const cont = /\\\s*$/.test(l) && !/\\\\\s*$/.test(l);
    if (cont) {
      cur.text += l.replace(/\\\s*$/, "");
      continue;
    }
    cur.text += l;
    out.push(cur);
    cur = null;
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** Options split on unquoted, unescaped `;`: [name, value, offset of the option]. */
function splitOptions(s: string, base: number, src: Source): [string, string | undefined, number, number][] {
  const out: [string, string | undefined, number, number][] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    const start = i;
    let inQ = false, colon = -1;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === "\\") { i++; continue; }
      if (c === '"') inQ = !inQ;
      else if (c === ":" && colon < 0 && !inQ) colon = i;
      else if (c === ";" && !inQ) break;
    }
    if (i >= s.length) {
      const [l, c] = position(src, base + start);
      throw new RuleError(l, c, inQ ? "unterminated quoted string" : `option "${s.slice(start).trim()}" lacks its closing ";"`);
    }
    const name = (colon < 0 ? s.slice(start, i) : s.slice(start, colon)).trim();
    const value = colon < 0 ? undefined : s.slice(colon + 1, i).trim();
    out.push([name, value, base + start, colon < 0 ? base + start : base + colon + 1 + (s.slice(colon + 1, i).length - s.slice(colon + 1, i).trimStart().length)]);
    i++;
  }
  return out;
}

function unquote(v: string): { text: string; negated: boolean } {
  let t = v.trim(), negated = false;
  if (t.startsWith("!")) { negated = true; t = t.slice(1).trim(); }
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1);
  return { text: t, negated };
}

/** content string → bytes: `|41 42|` hex runs, `\"` `\;` `\\` `\:` escapes. */
export function contentBytes(s: string): Buffer {
  const out: number[] = [];
  let hex = false, hexDigits = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "|") {
      if (hex) {
        if (hexDigits.length !== 0) throw new Error(`odd number of hex digits in |…| of content "${s}"`);
      }
      hex = !hex;
      continue;
    }
    if (hex) {
      if (c === " ") continue;
      if (!/[0-9a-fA-F]/.test(c)) throw new Error(`bad hex character "${c}" in content "${s}"`);
      hexDigits += c;
      if (hexDigits.length === 2) { out.push(parseInt(hexDigits, 16)); hexDigits = ""; }
      continue;
    }
    if (c === "\\") {
      const n = s[i + 1];
      if (n === undefined) throw new Error(`content "${s}" ends with a lone backslash`);
      if (!'";:\\|'.includes(n)) throw new Error(`bad escape \\${n} in content "${s}"`);
      out.push(n.charCodeAt(0));
      i++;
      continue;
    }
    if (c === '"' || c === ";") throw new Error(`unescaped ${c} in content "${s}"`);
    const code = c.charCodeAt(0);
    if (code > 0xff) out.push(...Buffer.from(c, "utf8"));
    else out.push(code);
  }
  if (hex) throw new Error(`unclosed | in content "${s}"`);
  if (out.length === 0) throw new Error("empty content");
  return Buffer.from(out);
}

function intValue(name: string, v: string | undefined, min = -Infinity, max = Infinity): number {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) throw new Error(`${name} takes an integer, got ${v === undefined ? "nothing" : `"${v}"`}`);
  const n = Number(v.trim());
  if (n < min) throw new Error(`${name} must be at least ${min}, not ${n}`);
  if (n > max) throw new Error(`${name} must be at most ${max}, not ${n}`);
  return n;
}

const IP_PROTO_NAMES: Record<string, number> = { icmp: 1, igmp: 2, ipip: 4, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51, "ipv6-icmp": 58, icmpv6: 58, sctp: 132 };

/** `8`, `<15`, `>7`, `>=3`, `<=3`, `!5`, `7<>20` (exclusive), `7-20` (inclusive, Suricata 7). */
export function parseNumTest(name: string, v: string | undefined, max: number, names?: Record<string, number>): NumTest {
  if (v === undefined) throw new Error(`${name} needs a value`);
  const t = v.replace(/\s+/g, "");
  const num = (x: string): number => {
    if (names && names[x.toLowerCase()] !== undefined) return names[x.toLowerCase()];
    if (!/^\d+$/.test(x)) throw new Error(`${name}: "${v}" is not a number, a comparison or a range`);
    const n = Number(x);
    if (n > max) throw new Error(`${name} ${n} is past ${max}`);
    return n;
  };
  let m: RegExpExecArray | null;
  if ((m = /^(\w+)<>(\w+)$/.exec(t))) {
    const a = num(m[1]), b = num(m[2]);
    if (a >= b) throw new Error(`${name} range ${t} is empty`);
    return { op: "<>", a, b };
  }
  if ((m = /^(\d+)-(\d+)$/.exec(t))) {
    const a = num(m[1]), b = num(m[2]);
    if (a > b) throw new Error(`${name} range ${t} is empty`);
    return { op: "<>", a: a - 1, b: b + 1 };
  }
  if ((m = /^(<=|>=|<|>|!|=)?(\w+)$/.exec(t))) {
    const op = (m[1] === undefined || m[1] === "" ? "=" : m[1] === "!" ? "!=" : m[1]) as NumTest["op"];
    return { op, a: num(m[2]), b: 0 };
  }
  throw new Error(`${name}: cannot read "${v}"`);
}

export function testNum(t: NumTest, x: number): boolean {
  switch (t.op) {
    case "=": return x === t.a;
    case "<": return x < t.a;
    case ">": return x > t.a;
    case "<=": return x <= t.a;
    case ">=": return x >= t.a;
    case "!=": return x !== t.a;
    case "<>": return x > t.a && x < t.b;
  }
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128, "2": 64, "1": 128 };

function parseFlags(v: string | undefined): FlagsOpt {
  if (v === undefined || v.trim() === "") throw new Error("flags needs a value");
  const [main, ign] = v.split(",").map((x) => x.trim());
  let mode: FlagsOpt["mode"] = "=", bits = 0, ignore = 0;
  for (const ch of main) {
    if (ch === "+" || ch === "*" || ch === "!") { mode = ch; continue; }
    if (ch === "0") continue;
    const b = FLAG_BITS[ch.toUpperCase()];
    if (b === undefined) throw new Error(`flags: unknown flag "${ch}"`);
    bits |= b;
  }
  for (const ch of ign ?? "") {
    const b = FLAG_BITS[ch.toUpperCase()];
    if (b === undefined) throw new Error(`flags: unknown flag "${ch}" in the ignore mask`);
    ignore |= b;
  }
  return { bits, mode, ignore };
}

export function testFlags(f: FlagsOpt, flags: number): boolean {
  const x = flags & 0xff & ~f.ignore;
  switch (f.mode) {
    case "=": return x === f.bits;
    case "+": return (x & f.bits) === f.bits;
    case "*": return (x & f.bits) !== 0;
    case "!": return (x & f.bits) === 0;
  }
}

function parseFlow(v: string | undefined): FlowOpt {
  const f: FlowOpt = { toServer: false, toClient: false, established: false, notEstablished: false, stateless: false, onlyStream: false, noStream: false };
  if (v === undefined) throw new Error("flow needs a value");
  for (const w of v.split(",").map((x) => x.trim().toLowerCase())) {
    switch (w) {
      case "to_server": case "from_client": f.toServer = true; break;
      case "to_client": case "from_server": f.toClient = true; break;
      case "established": f.established = true; break;
      case "not_established": f.notEstablished = true; break;
      case "stateless": f.stateless = true; break;
      case "only_stream": f.onlyStream = true; break;
      case "no_stream": f.noStream = true; break;
      default: throw new Error(`flow: unknown option "${w}"`);
    }
  }
  if (f.toServer && f.toClient) throw new Error("flow: to_server and to_client together match nothing");
  if (f.established && f.notEstablished) throw new Error("flow: established and not_established together match nothing");
  return f;
}

function parseThreshold(name: string, v: string | undefined): ThresholdOpt {
  if (v === undefined) throw new Error(`${name} needs a value`);
  const o: Partial<ThresholdOpt> = name === "detection_filter" ? { type: "detection_filter" } : {};
  for (const part of v.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
    const [k, val] = part.split(/\s+/);
    switch (k) {
      case "type":
        if (name === "detection_filter") throw new Error("detection_filter takes no type");
        if (!["limit", "threshold", "both"].includes(val)) throw new Error(`threshold type must be limit, threshold or both, not "${val}"`);
        o.type = val as ThresholdOpt["type"];
        break;
      case "track":
        if (!["by_src", "by_dst", "by_rule", "by_both", "by_flow"].includes(val)) throw new Error(`${name}: track must be by_src, by_dst, by_rule, by_both or by_flow, not "${val}"`);
        o.track = val as Track;
        break;
      case "count": o.count = intValue(`${name} count`, val, 1); break;
      case "seconds": o.seconds = intValue(`${name} seconds`, val, 1); break;
      default: throw new Error(`${name}: unknown part "${part}"`);
    }
  }
  for (const k of ["type", "track", "count", "seconds"] as const) if (o[k] === undefined) throw new Error(`${name} lacks "${k}"`);
  return o as ThresholdOpt;
}

function parseFlowbits(v: string | undefined): FlowbitOp {
  if (v === undefined) throw new Error("flowbits needs a command");
  const comma = v.indexOf(",");
  const cmd = (comma < 0 ? v : v.slice(0, comma)).trim() as FlowbitOp["cmd"];
  const arg = comma < 0 ? "" : v.slice(comma + 1).trim();
  if (!["set", "isset", "isnotset", "unset", "toggle", "noalert"].includes(cmd)) throw new Error(`flowbits: unknown command "${cmd}"`);
  if (cmd === "noalert") {
    if (arg !== "") throw new Error("flowbits:noalert takes no name");
    return { cmd, names: [], any: false };
  }
  if (arg === "") throw new Error(`flowbits:${cmd} needs a name`);
  const any = arg.includes("|");
  const names = arg.split(/[|&]/).map((x) => x.trim());
  if (names.some((n) => !/^[\w.\-]+$/.test(n))) throw new Error(`flowbits: bad name in "${arg}"`);
  if (names.length > 1 && cmd !== "isset" && cmd !== "isnotset" && any) throw new Error(`flowbits:${cmd} cannot take an "|" list`);
  return { cmd, names, any };
}

/**
 * PCRE "/pattern/flags" → a JavaScript RegExp. Flags i s m (x rejected), R relative, buffer
 * flags (/U …) select a buffer, B and O accepted without effect. PCRE-only syntax that JavaScript
 * lacks (atomic groups, possessive quantifiers, inline flags, \Z …) is reported.
 */
export function translatePcre(v: string): { re: RegExp; relative: boolean; negated: boolean; buffer: BufferName | undefined } {
  const { text, negated } = unquote(v);
  const m = /^\/([\s\S]*)\/([a-zA-Z]*)$/.exec(text);
  if (!m) throw new Error(`pcre must look like "/pattern/flags", got ${v}`);
  let pat = m[1];
  let js = "", relative = false, buffer: BufferName | undefined;
  for (const f of m[2]) {
    if (f === "i" || f === "s" || f === "m") { if (!js.includes(f)) js += f; }
    else if (f === "R") relative = true;
    else if (f === "B" || f === "O") { /* rawbytes, match-limit override: no effect here */ }
    else if (f === "x") throw new UnsupportedError("pcre flag /x (extended syntax) has no JavaScript equivalent");
    else if (f === "E") throw new UnsupportedError("pcre flag /E (dollar end only)");
    else if (f === "G") throw new UnsupportedError("pcre flag /G (ungreedy)");
    else if (f === "A") pat = `^(?:${pat})`;
    else if (PCRE_BUFFER_FLAGS[f] !== undefined) buffer = PCRE_BUFFER_FLAGS[f];
    else throw new Error(`pcre: unknown flag "${f}"`);
  }
  if (/\(\?>/.test(pat)) throw new UnsupportedError("pcre atomic group (?>…) has no JavaScript equivalent");
  if (/(?<!\\)[*+?}]\+/.test(pat)) throw new UnsupportedError("pcre possessive quantifier has no JavaScript equivalent");
  if (/\(\?[imsx-]+\)/.test(pat) || /\(\?[imsx-]+:/.test(pat)) throw new UnsupportedError("pcre inline flags (?i) have no JavaScript equivalent");
  if (/\\[QEGKR]/.test(pat)) throw new UnsupportedError("pcre escape \\Q \\E \\G \\K or \\R has no JavaScript equivalent");
  if (/\\[Zz]/.test(pat) && js.includes("m")) throw new UnsupportedError("pcre \\Z or \\z with /m has no linear-time equivalent");
  // \Z, \z: the end of the buffer, which $ is without /m
  pat = pat.replace(/\(\?P</g, "(?<").replace(/\\A/g, "^").replace(/\\[Zz]/g, "$");
  try {
    return { re: linearRegExp(pat, js), relative, negated, buffer };
  } catch (e) {
    if (e instanceof NotLinearError) throw new UnsupportedError(`pcre ${text}: ${e.message}`);
    throw new Error(`pcre ${text}: ${(e as Error).message}`);
  }
}

export class UnsupportedError extends Error {}

/** keywords accepted and ignored (no effect on matching) */
const IGNORED = new Set(["fast_pattern", "rawbytes", "target", "tag"]);
/** known Suricata keywords we do not implement: the rule is reported and skipped */
const INFO_ONLY = new Set(["msg", "sid", "rev", "gid", "classtype", "priority", "metadata", "reference"]);

export interface ParseOptions {
  vars?: Vars;
}

function num(v: string | undefined, name: string, min = 0): number {
  return intValue(name, v, min);
}

/** Parses one logical rule. Throws RuleError on malformed text. */
export function parseRule(src: Source, index: number, vars: Vars): Rule {
  const text = src.text;
  const err = (at: number, msg: string): RuleError => {
    const [l, c] = position(src, at);
    return new RuleError(l, c, msg);
  };
  const open = text.indexOf("(");
  if (open < 0) throw err(0, "no options: a rule is `action proto src sport -> dst dport (options)`");
  const close = text.lastIndexOf(")");
  if (close < open) throw err(text.length, "the options lack their closing \")\"");
  if (text.slice(close + 1).trim() !== "") throw err(close + 1, "text after the closing \")\"");
  const head = text.slice(0, open);
  const parts: { t: string; at: number }[] = [];
  {
    const re = /(\[[^\]]*(?:\[[^\]]*\][^\]]*)*\]|!\[[^\]]*(?:\[[^\]]*\][^\]]*)*\]|\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(head))) parts.push({ t: m[0], at: m.index });
  }
  if (parts.length !== 7) throw err(parts[Math.min(parts.length, 6)]?.at ?? 0, `the header has ${parts.length} parts, not 7 (action proto src sport -> dst dport)`);
  const action = parts[0].t.toLowerCase();
  if (!ACTIONS.includes(action)) throw err(parts[0].at, `unknown action "${parts[0].t}" (alert, pass, drop, reject)`);
  const proto = parts[1].t.toLowerCase();
  const dir = parts[4].t;
  if (dir !== "->" && dir !== "<>") throw err(parts[4].at, `direction must be -> or <>, not "${dir}"`);
  let src_: AddrNode, sport: PortNode, dst: AddrNode, dport: PortNode;
  const hdr = <T>(f: () => T, at: number): T => {
    try { return f(); } catch (e) {
      if (e instanceof HeaderError) throw err(at + e.at, e.message);
      throw e;
    }
  };
  src_ = hdr(() => parseAddresses(parts[2].t, 0, vars), parts[2].at);
  sport = hdr(() => parsePorts(parts[3].t, 0, vars), parts[3].at);
  dst = hdr(() => parseAddresses(parts[5].t, 0, vars), parts[5].at);
  dport = hdr(() => parsePorts(parts[6].t, 0, vars), parts[6].at);
  const rule: Rule = {
    action: action as Action, proto, src: src_, sport, bidirectional: dir === "<>", dst, dport,
    anySrc: isAnyAddr(src_), anyDst: isAnyAddr(dst), anySport: isAnyPort(sport), anyDport: isAnyPort(dport),
    msg: "", sid: -1, rev: 0, gid: 1, classtype: "", priority: 3, metadata: [], references: [],
    buffers: new Map(), bsize: new Map(), flow: null, flags: null, dsize: null, itype: null, icode: null, ttl: null,
    ipProto: null, urilen: null, threshold: null, detectionFilter: null, flowbits: [], noalert: false,
    unsupported: [], line: src.line, text, index,
  };
  let priSet = false;
  if (!PROTOCOLS.includes(proto)) rule.unsupported.push(`protocol ${proto}`);
  const opts = splitOptions(text.slice(open + 1, close), open + 1, src);
  let sticky: BufferName = "payload";
  /** the last content/pcre, for modifiers */
  let last: { m: Matcher; buf: BufferName } | null = null;
  const list = (b: BufferName): Matcher[] => {
    let l = rule.buffers.get(b);
    if (l === undefined) { l = []; rule.buffers.set(b, l); }
    return l;
  };
  const lastContent = (name: string): Content => {
    if (last === null || last.m.kind !== "content") throw new Error(`${name} must follow a content`);
    return last.m;
  };
  const isRelativeCandidate = (buf: BufferName): boolean => {
    const l = rule.buffers.get(buf);
    return l !== undefined && l.length > 1;
  };
  for (const [name, value, at, vat] of opts) {
    const kw = name.toLowerCase();
    try {
      switch (kw) {
        case "msg": rule.msg = unquote(value ?? "").text.replace(/\\(.)/g, "$1"); break;
        case "sid": rule.sid = num(value, "sid", 1); break;
        case "rev": rule.rev = num(value, "rev", 0); break;
        case "gid": rule.gid = num(value, "gid", 0); break;
        case "classtype": rule.classtype = (value ?? "").trim(); break;
        case "priority": rule.priority = num(value, "priority", 1); priSet = true; break;
        case "metadata": rule.metadata.push(...(value ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "")); break;
        case "reference": rule.references.push((value ?? "").trim()); break;
        case "content": {
          if (value === undefined) throw new Error("content needs a value");
          const { text: t, negated } = unquote(value);
          if (!/^\s*!?\s*".*"\s*$/s.test(value)) throw new Error(`content must be quoted: content:"…"`);
          const bytes = contentBytes(t);
          const c: Content = {
            kind: "content", bytes, nocase: false, negated, offset: 0, depth: -1, distance: 0, hasDistance: false,
            within: -1, startswith: false, endswith: false, fastPattern: false, text: t,
          };
          list(sticky).push(c);
          last = { m: c, buf: sticky };
          break;
        }
        case "nocase": {
          const c = lastContent("nocase");
          c.nocase = true;
          c.bytes = Buffer.from(c.bytes.toString("latin1").toLowerCase(), "latin1");
          break;
        }
        case "depth": {
          const c = lastContent("depth");
          const d = num(value, "depth", 1);
          if (d < c.bytes.length) throw new Error(`depth ${d} is shorter than the content (${c.bytes.length} bytes)`);
          if (c.hasDistance || c.within >= 0) throw new Error("depth cannot be combined with distance/within (relative)");
          c.depth = c.offset + d;
          break;
        }
        case "offset": {
          const c = lastContent("offset");
          const o = num(value, "offset", 0);
          if (c.hasDistance || c.within >= 0) throw new Error("offset cannot be combined with distance/within (relative)");
          if (c.depth >= 0) c.depth += o - c.offset;
          c.offset = o;
          break;
        }
        case "distance": {
          const c = lastContent("distance");
          if (!isRelativeCandidate(last!.buf)) throw new Error("distance needs a previous content or pcre in the same buffer");
          if (c.depth >= 0 || c.offset > 0) throw new Error("distance cannot be combined with depth/offset");
          c.distance = intValue("distance", value, -65535, 65535);
          c.hasDistance = true;
          break;
        }
        case "within": {
          const c = lastContent("within");
          if (!isRelativeCandidate(last!.buf)) throw new Error("within needs a previous content or pcre in the same buffer");
          if (c.depth >= 0 || c.offset > 0) throw new Error("within cannot be combined with depth/offset");
          const w = num(value, "within", 1);
          if (w < c.bytes.length) throw new Error(`within ${w} is shorter than the content (${c.bytes.length} bytes)`);
          c.within = w;
          break;
        }
        case "startswith": {
          const c = lastContent("startswith");
          if (c.depth >= 0 || c.offset > 0 || c.hasDistance || c.within >= 0) throw new Error("startswith cannot be combined with depth/offset/distance/within");
          c.startswith = true;
          c.depth = c.bytes.length;
          break;
        }
        case "endswith": lastContent("endswith").endswith = true; break;
        case "fast_pattern": {
          const c = lastContent("fast_pattern");
          if (value !== undefined && value.trim() !== "only" && !/^\d+,\d+$/.test(value.trim())) throw new Error(`fast_pattern: cannot read "${value}"`);
          c.fastPattern = true;
          break;
        }
        case "rawbytes": case "target": case "tag": break;
        case "isdataat": {
          if (value === undefined) throw new Error("isdataat needs a value");
          let v = value.trim(), negated = false;
          if (v.startsWith("!")) { negated = true; v = v.slice(1); }
          const [n, rel] = v.split(",").map((x) => x.trim());
          if (rel !== undefined && rel !== "relative") throw new Error(`isdataat: unknown option "${rel}"`);
          const m: IsDataAt = { kind: "isdataat", n: intValue("isdataat", n, 0), relative: rel === "relative", negated };
          list(sticky).push(m);
          break;
        }
        case "pcre": {
          if (value === undefined) throw new Error("pcre needs a value");
          const p = translatePcre(value);
          const buf = p.buffer ?? sticky;
          if (p.buffer !== undefined && sticky !== "payload" && p.buffer !== sticky) throw new Error(`pcre buffer flag conflicts with the sticky buffer ${sticky}`);
          const m: Pcre = { kind: "pcre", re: p.re, negated: p.negated, relative: p.relative, text: value };
          if (p.relative && (rule.buffers.get(buf)?.length ?? 0) === 0) throw new Error("pcre /R needs a previous content or pcre in the same buffer");
          list(buf).push(m);
          last = { m, buf };
          break;
        }
        case "flow": rule.flow = parseFlow(value); break;
        case "flags": rule.flags = parseFlags(value); break;
        case "dsize": rule.dsize = parseNumTest("dsize", value, 65535); break;
        case "itype": rule.itype = parseNumTest("itype", value, 255); break;
        case "icode": rule.icode = parseNumTest("icode", value, 255); break;
        case "ttl": rule.ttl = parseNumTest("ttl", value, 255); break;
        case "ip_proto": rule.ipProto = parseNumTest("ip_proto", value, 255, IP_PROTO_NAMES); break;
        case "urilen": rule.urilen = parseNumTest("urilen", value?.split(",")[0], 65535); break;
        case "bsize": {
          if (sticky === "payload") throw new Error("bsize needs a sticky buffer before it");
          rule.bsize.set(sticky, parseNumTest("bsize", value, 1 << 30));
          break;
        }
        case "threshold": rule.threshold = parseThreshold("threshold", value); break;
        case "detection_filter": rule.detectionFilter = parseThreshold("detection_filter", value); break;
        case "flowbits": {
          const f = parseFlowbits(value);
          if (f.cmd === "noalert") rule.noalert = true;
          rule.flowbits.push(f);
          break;
        }
        case "noalert": rule.noalert = true; break;
        default: {
          if (STICKY[kw] !== undefined) {
            if (value !== undefined) throw new Error(`${kw} takes no value`);
            sticky = STICKY[kw];
            last = null;
          } else if (MODIFIERS[kw] !== undefined) {
            const c = lastContent(kw);
            const from = last!.buf;
            if (from !== "payload") throw new Error(`${kw} after a content already in ${from}`);
            const l = rule.buffers.get(from)!;
            l.splice(l.indexOf(c), 1);
            if (l.length === 0) rule.buffers.delete(from);
            list(MODIFIERS[kw]).push(c);
            last = { m: c, buf: MODIFIERS[kw] };
          } else if (kw === "uricontent") {
            const { text: t, negated } = unquote(value ?? "");
            const c: Content = {
              kind: "content", bytes: contentBytes(t), nocase: false, negated, offset: 0, depth: -1, distance: 0,
              hasDistance: false, within: -1, startswith: false, endswith: false, fastPattern: false, text: t,
            };
            list("http.uri").push(c);
            last = { m: c, buf: "http.uri" };
          } else {
            rule.unsupported.push(kw);
          }
        }
      }
    } catch (e) {
      if (e instanceof UnsupportedError) { rule.unsupported.push(`${kw} (${e.message})`); continue; }
      if (e instanceof RuleError) throw e;
      throw err(value === undefined ? at : vat, (e as Error).message);
    }
    void IGNORED; void INFO_ONLY;
  }
  if (rule.sid < 0) throw err(open, "no sid");
  if (!priSet) rule.priority = CLASS_PRIORITY[rule.classtype] ?? 3;
  return rule;
}

/** classification.config's default priorities (Suricata's stock file), for rules without priority */
export const CLASS_PRIORITY: Record<string, number> = {
  "not-suspicious": 3, unknown: 3, "bad-unknown": 2, "attempted-recon": 2, "successful-recon-limited": 2,
  "successful-recon-largescale": 2, "attempted-dos": 2, "successful-dos": 2, "attempted-user": 1, "unsuccessful-user": 1,
  "successful-user": 1, "attempted-admin": 1, "successful-admin": 1, "rpc-portmap-decode": 2, "shellcode-detect": 1,
  "string-detect": 3, "suspicious-filename-detect": 2, "suspicious-login": 2, "system-call-detect": 2, "tcp-connection": 4,
  "trojan-activity": 1, "unusual-client-port-connection": 2, "network-scan": 3, "denial-of-service": 2,
  "non-standard-protocol": 2, "protocol-command-decode": 3, "web-application-activity": 2, "web-application-attack": 1,
  "misc-activity": 3, "misc-attack": 2, "icmp-event": 3, "inappropriate-content": 1, "policy-violation": 1,
  "default-login-attempt": 2, "targeted-activity": 1, "exploit-kit": 1, "external-ip-check": 2, "domain-c2": 1,
  "pup-activity": 2, "credential-theft": 1, "social-engineering": 2, "coin-mining": 2, "command-and-control": 1,
};

export interface ParseResult {
  rules: Rule[];
  errors: RuleError[];
}

/** Parses a rules file's text. Malformed rules become errors (with line and column); the rest parse. */
export function parseRules(text: string, opts: ParseOptions = {}): ParseResult {
  const vars = { ...DEFAULT_VARS, ...(opts.vars ?? {}) };
  const rules: Rule[] = [], errors: RuleError[] = [];
  const sources = splitRules(text);
  for (let i = 0; i < sources.length; i++) {
    try {
      rules.push(parseRule(sources[i], i, vars));
    } catch (e) {
      if (e instanceof RuleError) errors.push(e);
      else throw e;
    }
  }
  return { rules, errors };
}
