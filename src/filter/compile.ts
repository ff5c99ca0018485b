/**
 * Display-filter compiler: syntax tree → checked plan (fields resolved, literals parsed for the
 * field's type) → a columnar scan over a capture's storage that marks matching rows in a mask.
 *
 * Every test is evaluated column-wise over the whole table: a comparison on a numeric column walks
 * the column's present values (NumColumn.forEach); a comparison on a dictionary column (strings,
 * MAC and IPv6 addresses) is decided once per distinct value, then the row codes are scanned; a
 * protocol test is decided once per protocol path. `and`/`or`/`not` combine the masks.
 *
 * Semantics follow Wireshark 4.0: `==` and the ordering operators hold when any value of the field
 * does; `!=` when every value differs ("all not equal"), `~=` when any differs, `===` when all are
 * equal; a comparison with an absent field is false; `ip.addr`, `tcp.port` … stand for both
 * src and dst.
 */
import { allFields, fieldByName, formatMac, isProtocol, protocolMatches, type Display, type FieldDef } from "../fields/registry";
import type { TableBuilder } from "../table/builder";
import type { NumColumn } from "../table/column";
import { Capture } from "../table/capture";
import { FilterError } from "./errors";
import { linearRegExp, NotLinearError } from "./regex";
import {
  bytesCompare, bytesContain, bytesText, ipv4Mask, parseBytes, parseFloatLiteral, parseIPv4, parseIPv6, parseInteger,
  parseMac, parseTime,
} from "./literals";
import { parse, type Node, type RelOp, type SetItem, type Span, type Value } from "./parser";

/** Fields that stand for two (Wireshark's either-side fields). */
export const ALIASES: Record<string, readonly string[]> = {
  "ip.addr": ["ip.src", "ip.dst"],
  "ipv6.addr": ["ipv6.src", "ipv6.dst"],
  "eth.addr": ["eth.src", "eth.dst"],
  "tcp.port": ["tcp.srcport", "tcp.dstport"],
  "udp.port": ["udp.srcport", "udp.dstport"],
  "arp.hw_mac": ["arp.src.hw_mac", "arp.dst.hw_mac"],
  "arp.proto_ipv4": ["arp.src.proto_ipv4", "arp.dst.proto_ipv4"],
  "wlan.addr": ["wlan.sa", "wlan.da"],
};

// ---------------------------------------------------------------------------------------------
// checked plan

/** what a value is, after slices and functions: how literals are read and values compared */
type VType = "int" | "float" | "bool" | "ipv4" | "ipv6" | "mac" | "string" | "bytes" | "time";

type Wrap =
  | { k: "bitand"; mask: number }
  | { k: "slice"; ranges: { start: number; len: number | undefined }[] }
  | { k: "len" }
  | { k: "lower" } | { k: "upper" };

interface SrcSpec { def: FieldDef; wraps: Wrap[] }
interface Operand { name: string; srcs: SrcSpec[]; type: VType; span: Span }

type Test =
  | { dom: "num"; f: (v: number) => boolean; eq?: number }
  | { dom: "text"; f: (s: string) => boolean; eq?: string }
  | { dom: "time"; f: (sec: number, ns: number) => boolean };

type Plan =
  | { k: "and" | "or" | "xor"; a: Plan; b: Plan }
  | { k: "not"; a: Plan }
  | { k: "proto"; name: string }
  | { k: "all" }
  | { k: "exists"; op: Operand }
  | { k: "cmp"; op: Operand; all: boolean; test: Test }
  | { k: "cmp2"; a: Operand; b: Operand; rel: RelOp };

function domOf(t: VType): "num" | "text" | "time" {
  switch (t) {
    case "int": case "float": case "bool": case "ipv4": return "num";
    case "time": return "time";
    default: return "text";
  }
}

function baseType(def: FieldDef): VType {
  const d: Display = def.display;
  switch (d) {
    case "bool": return "bool";
    case "ipv4": return "ipv4";
    case "ipv6": return "ipv6";
    case "mac": return "mac";
    case "string": return "string";
    case "bytes": return "bytes";
    case "time": return "time";
    default: return def.storage === "f64" ? "float" : "int";
  }
}

function maxOf(def: FieldDef): number {
  const st = def.from ? def.from.storage : def.storage;
  switch (st) {
    case "u8": return def.from ? 1 : 255;
    case "u16": return 65535;
    case "i32": return 2147483647;
    case "f64": case "dict": return Number.MAX_VALUE;
    default: return 4294967295;
  }
}

const TYPE_NAMES: Record<VType, string> = {
  int: "Unsigned integer", float: "Floating point", bool: "Boolean", ipv4: "IPv4 address", ipv6: "IPv6 address",
  mac: "Ethernet or other MAC address", string: "Character string", bytes: "Byte sequence", time: "Time",
};

export interface CompiledFilter {
  readonly expression: string;
  /** the stored fields the filter reads (what `open(…, { columns })` must keep) */
  readonly fields: readonly string[];
  /** the matching rows of `capture` (row numbers of the capture, or of the view, ascending) */
  run(capture: Capture): Uint32Array;
  /** the match mask over the capture's full table (1 = matches) */
  mask(capture: Capture): Uint8Array;
}

/**
 * Compiles a Wireshark display filter; throws FilterError (with position) when it does not. Field
 * and protocol names are those of the registry (src/fields), which the decoders fill.
 */
export function compileFilter(expression: string): CompiledFilter {
  const c = new Checker(expression);
  const plan = c.node(parse(expression));
  const fields = [...c.fields];
  return {
    expression,
    fields,
    mask: (cap) => evaluate(plan, cap),
    run(cap) {
      const m = evaluate(plan, cap);
      return collect(m, cap.storage.index);
    },
  };
}

/** Runs a filter over a capture. */
export function filterRows(capture: Capture, expression: string): Uint32Array {
  return compileFilter(expression).run(capture);
}

class Checker {
  readonly fields = new Set<string>();
  constructor(private readonly src: string) {}

  private err(msg: string, s: Span): never {
    throw new FilterError(msg, this.src, s.pos, s.len);
  }

  node(n: Node): Plan {
    switch (n.k) {
      case "and": case "or": case "xor": return { k: n.k, a: this.node(n.a), b: this.node(n.b) };
      case "not": return { k: "not", a: this.node(n.a) };
      case "test": return this.test(n.v);
      case "rel": return this.rel(n.op, n.opSpan, n.a, n.b);
      case "in": {
        const op = this.operand(n.a, "in");
        const test = this.setTest(op, n.items);
        const p: Plan = { k: "cmp", op, all: false, test };
        return n.not ? { k: "not", a: p } : p;
      }
    }
  }

  /** a value alone: a protocol, a field's presence, or `x & mask` being non-zero */
  private test(v: Value): Plan {
    if (v.k === "word" && fieldByName(v.text) === undefined && ALIASES[v.text] === undefined) {
      if (v.text === "frame") return { k: "all" };
      if (isProtocol(v.text)) return protocolMatches(v.text) ? { k: "proto", name: v.text } : { k: "not", a: { k: "all" } };
      this.unknown(v);
    }
    if (v.k === "string") this.err(`"${v.text}" is a string: a test needs a field or protocol name.`, v);
    const op = this.operand(v, "");
    if (v.k === "bitand") return { k: "cmp", op, all: false, test: { dom: "num", f: (x) => x !== 0 } };
    return { k: "exists", op };
  }

  private unknown(v: Value & { k: "word" }): never {
    const near = suggest(v.text);
    this.err(`"${v.text}" is neither a field nor a protocol name.${near ? ` Did you mean "${near}"?` : ""}`, v);
  }

  /** resolves a field-like value (field, alias, slice, function, bitwise and) */
  private operand(v: Value, opText: string): Operand {
    switch (v.k) {
      case "word": {
        const alias = ALIASES[v.text];
        const names = alias && alias.every((n) => fieldByName(n)) ? alias : [v.text];
        const defs = names.map((n) => fieldByName(n));
        if (defs.some((d) => d === undefined)) {
          if (isProtocol(v.text)) {
            this.err(`"${v.text}" is a protocol: Wirebook keeps fields, not packet bytes, so a protocol can only be tested for presence.`, v);
          }
          if (/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/.test(v.text) || /^[A-Za-z_]+$/.test(v.text)) this.unknown(v);
          this.err(`Left side of "${opText}" expression must be a field or function, not "${v.text}".`, v);
        }
        for (const d of defs as FieldDef[]) this.fields.add(d.from ? d.from.name : d.name);
        const ds = defs as FieldDef[];
        return { name: v.text, srcs: ds.map((def) => ({ def, wraps: [] })), type: baseType(ds[0]), span: v };
      }
      case "string": return this.err(`Left side of "${opText}" expression must be a field or function, not a string.`, v);
      case "bitand": {
        const a = this.operand(v.a, opText);
        if (domOf(a.type) !== "num") this.err(`${a.name} (type=${TYPE_NAMES[a.type]}) cannot participate in a bitwise "&".`, v.a);
        if (v.b.k !== "word") this.err(`The right side of "&" must be a number.`, v.b);
        const m = parseInteger(v.b.text);
        if (m === undefined) this.err(`"${v.b.text}" is not a valid number.`, v.b);
        return this.wrap(a, { k: "bitand", mask: m >>> 0 }, a.type === "bool" ? "int" : a.type, v);
      }
      case "slice": {
        const a = this.operand(v.of, opText);
        if (!(a.type === "mac" || a.type === "ipv6" || a.type === "string" || a.type === "bytes")) {
          this.err(`${a.name} (type=${TYPE_NAMES[a.type]}) cannot be sliced.`, v);
        }
        return this.wrap(a, { k: "slice", ranges: v.ranges }, "bytes", v);
      }
      case "call": {
        const a = this.operand(v.arg, opText);
        switch (v.fn) {
          case "len":
            if (domOf(a.type) !== "text") this.err(`len() needs a string, bytes or address field, not ${a.name}.`, v);
            return this.wrap(a, { k: "len" }, "int", v);
          case "lower": case "upper":
            if (a.type !== "string") this.err(`${v.fn}() needs a string field, not ${a.name}.`, v);
            return this.wrap(a, { k: v.fn }, "string", v);
          default:
            this.err(`The function "${v.fn}" does not exist (Wirebook has len, lower, upper).`, v);
        }
      }
    }
  }

  private wrap(a: Operand, w: Wrap, type: VType, span: Span): Operand {
    return { name: a.name, srcs: a.srcs.map((s) => ({ def: s.def, wraps: [...s.wraps, w] })), type, span };
  }

  private isField(v: Value): boolean {
    if (v.k === "word") return fieldByName(v.text) !== undefined || ALIASES[v.text] !== undefined;
    if (v.k === "slice") return this.isField(v.of);
    if (v.k === "call" || v.k === "bitand") return true;
    return false;
  }

  private rel(op: RelOp, opSpan: Span, a: Value, b: Value): Plan {
    const opText = this.src.slice(opSpan.pos, opSpan.pos + opSpan.len);
    if (a.k === "word" && !this.isField(a) && !isProtocol(a.text)) {
      if (/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/.test(a.text) || /^[A-Za-z_]+$/.test(a.text)) this.unknown(a);
    }
    const left = this.operand(a, opText);
    if (this.isField(b) && b.k !== "call") {
      const right = this.operand(b, opText);
      if (op === "contains" || op === "matches") this.err(`"${opText}" needs a literal on its right side.`, b);
      if (domOf(left.type) !== domOf(right.type) || (domOf(left.type) === "text" && left.type !== right.type)) {
        this.err(`${left.name} and ${right.name} are not of compatible types.`, b);
      }
      return { k: "cmp2", a: left, b: right, rel: op };
    }
    const dom = domOf(left.type);
    switch (op) {
      case "contains": {
        if (dom !== "text") this.err(`${left.name} (type=${TYPE_NAMES[left.type]}) cannot participate in 'contains' comparison.`, a);
        if (left.type === "string" && (b.k === "string" || parseBytes((b as { text: string }).text) === undefined)) {
          const s = this.stringLit(b, left);
          return { k: "cmp", op: left, all: false, test: { dom: "text", f: (x) => x.includes(s) } };
        }
        const needle = this.bytesLit(b, left);
        const toBytes = bytesOf(left.type);
        return { k: "cmp", op: left, all: false, test: { dom: "text", f: (x) => bytesContain(toBytes(x), needle) } };
      }
      case "matches": {
        if (left.type !== "string") this.err(`${left.name} (type=${TYPE_NAMES[left.type]}) cannot participate in 'matches' comparison.`, a);
        if (b.k !== "string") this.err(`"matches" needs a quoted regular expression.`, b);
        const re = this.regex(b);
        return { k: "cmp", op: left, all: false, test: { dom: "text", f: (x) => re.test(x) } };
      }
      default: {
        const all = op === "!=" || op === "===";
        const base: RelOp = op === "!=" || op === "~=" ? "!=" : op === "===" ? "==" : op;
        return { k: "cmp", op: left, all, test: this.relTest(left, base, b) };
      }
    }
  }

  private regex(b: Value & { k: "string" }): RegExp {
    // tshark 4.0 compiles "matches" patterns caseless (PCRE2_CASELESS); a leading (?-i) turns it off
    let pat = b.text, flags = "i";
    if (pat.startsWith("(?-i)")) { flags = ""; pat = pat.slice(5); }
    for (;;) {
      const m = /^\(\?([imsx]+)\)/.exec(pat);
      if (!m) break;
      if (m[1].includes("x")) this.err(`The regular expression flag (?x) is not supported.`, b);
      flags += m[1];
      pat = pat.slice(m[0].length);
    }
    try {
      return linearRegExp(pat, [...new Set(flags)].join(""));
    } catch (e) {
      if (e instanceof NotLinearError) this.err(`"${b.text}": ${e.message}.`, b);
      this.err(`"${b.text}" is not a valid regular expression: ${(e as Error).message}`, b);
    }
  }

  private stringLit(v: Value, left: Operand): string {
    if (v.k === "string") return v.text;
    if (v.k === "word") return v.text;
    this.err(`A string was expected for ${left.name}.`, v);
  }

  private bytesLit(v: Value, left: Operand): Uint8Array {
    if (v.k === "string") return Uint8Array.from(Buffer.from(v.text, "utf8"));
    if (v.k === "word") {
      const b = parseBytes(v.text) ?? (left.type === "mac" ? parseMac(v.text) : undefined)
        ?? (left.type === "ipv6" ? parseIPv6(v.text) : undefined);
      if (b) return b;
      this.err(`"${v.text}" is not a valid byte string.`, v);
    }
    this.err(`A byte string was expected for ${left.name}.`, v);
  }

  /** the test `value REL literal` for the operand's type */
  private relTest(left: Operand, rel: RelOp, b: Value): Test {
    const h = holds(rel);
    const cmp = <T>(x: T, y: T, c: (x: T, y: T) => number): boolean => h(c(x, y));
    const t = left.type;
    if (t === "time") {
      const [s, ns] = this.timeLit(b, left);
      return { dom: "time", f: (xs, xns) => h(xs !== s ? xs - s : xns - ns) };
    }
    if (domOf(t) === "num") {
      if (t === "ipv4") {
        const { addr, bits } = this.ipv4Lit(b);
        if (bits < 32) {
          const m = ipv4Mask(bits), net = (addr & m) >>> 0;
          if (rel === "==" || rel === "!=") {
            const want = rel === "==";
            return { dom: "num", f: (v) => (((v & m) >>> 0) === net) === want };
          }
          return numTest(rel, net);
        }
        return numTest(rel, addr);
      }
      if (t === "bool") {
        const lit = this.numLit(b, left) !== 0 ? 1 : 0;
        const f = (numTest(rel, lit) as { f: (v: number) => boolean }).f;
        return { dom: "num", f: (v) => f(v !== 0 ? 1 : 0), eq: undefined };
      }
      const nt = numTest(rel, this.numLit(b, left));
      if (t !== "float" || nt.dom !== "num") return nt;
      // tshark 4.0 orders doubles with < and >: a NaN is "equal" to every number
      const nan = rel === "==" || rel === "<=" || rel === ">=", fn = nt.f;
      return { dom: "num", f: (v) => (v !== v ? nan : fn(v)) };
    }
    // text types
    if (t === "string") {
      if (b.k === "word" && parseBytes(b.text) !== undefined && /[:.-]/.test(b.text)) {
        const lit = parseBytes(b.text) as Uint8Array;
        return { dom: "text", f: (x) => cmp(Uint8Array.from(Buffer.from(x, "utf8")), lit, bytesCompare) };
      }
      const s = this.stringLit(b, left);
      const t2: Test = { dom: "text", f: (x) => cmp(x, s, (p, q) => (p < q ? -1 : p > q ? 1 : 0)) };
      if (rel === "==") t2.eq = s;
      return t2;
    }
    if (t === "mac") {
      const lit = b.k === "word" ? parseMac(b.text) ?? parseBytes(b.text) : undefined;
      if (!lit) this.err(`"${b.k === "string" || b.k === "word" ? b.text : "?"}" is not a valid Ethernet address.`, b);
      const text = lit.length === 6 ? formatMac(parseInt(Buffer.from(lit).toString("hex"), 16)) : undefined;
      const toB = bytesOf("mac");
      const t2: Test = { dom: "text", f: (x) => cmp(toB(x), lit, bytesCompare) };
      if (rel === "==" && text !== undefined) t2.eq = text;
      return t2;
    }
    if (t === "ipv6") {
      if (b.k !== "word") this.err(`${TYPE_NAMES.ipv6} cannot be converted from a string ("${b.k === "string" ? b.text : ""}").`, b);
      const m = /^(.*?)(?:\/(\d+))?$/.exec(b.text) as RegExpExecArray;
      const addr = parseIPv6(m[1]);
      if (!addr) this.err(`"${b.text}" is not a valid IPv6 address.`, b);
      const bits = m[2] === undefined ? 128 : Number(m[2]);
      if (bits > 128) this.err(`Prefix length in an IPv6 address should be <= 128, not ${bits}.`, b);
      const lit = maskBytes(addr, bits);
      return { dom: "text", f: (x) => { const v = parseIPv6(x); return v !== undefined && cmp(maskBytes(v, bits), lit, bytesCompare); } };
    }
    // bytes (a slice)
    let lit: Uint8Array;
    if (b.k === "string") lit = Uint8Array.from(Buffer.from(b.text, "utf8"));
    else if (b.k === "word") {
      // tshark takes an integer for one byte too (`eth.src[0] == 0x02`)
      const one = /^0x[0-9a-f]{1,2}$/i.test(b.text) ? Uint8Array.of(parseInt(b.text, 16)) : undefined;
      const p = parseBytes(b.text) ?? parseMac(b.text) ?? one;
      if (!p) this.err(`"${b.text}" is not a valid byte string.`, b);
      lit = p;
    } else this.err(`A byte string was expected.`, b);
    const t2: Test = { dom: "text", f: (x) => cmp(bytesOfText(x), lit, bytesCompare) };
    if (rel === "==") t2.eq = bytesText(lit);
    return t2;
  }

  private setTest(left: Operand, items: SetItem[]): Test {
    const tests = items.map((it) => {
      if (it.hi === undefined) return this.relTest(left, "==", it.lo);
      const lo = this.relTest(left, ">=", it.lo), hi = this.relTest(left, "<=", it.hi);
      return { lo, hi };
    });
    const dom = domOf(left.type);
    const ranges = this.numRanges(left, items);
    if (ranges !== undefined) {
      // integer and address sets (CIDR blocks are ranges too): one loop over [lo, hi] pairs
      const r = ranges, n = r.length;
      if (n === 2) { const lo = r[0], hi = r[1]; return { dom: "num", f: (v) => v >= lo && v <= hi }; }
      return { dom: "num", f: (v) => { for (let i = 0; i < n; i += 2) if (v >= r[i] && v <= r[i + 1]) return true; return false; } };
    }
    if (dom === "num") {
      // plain integer sets: a lookup
      const fs = tests.map((t) => ("lo" in t ? (v: number) => (t.lo as { f: (v: number) => boolean }).f(v) && (t.hi as { f: (v: number) => boolean }).f(v) : (t as { f: (v: number) => boolean }).f));
      if (fs.length === 1) return { dom: "num", f: fs[0] };
      return { dom: "num", f: (v) => { for (const f of fs) if (f(v)) return true; return false; } };
    }
    if (dom === "time") {
      type TF = (s: number, n: number) => boolean;
      const fs: TF[] = tests.map((t) => ("lo" in t ? (s: number, n: number) => (t.lo as { f: TF }).f(s, n) && (t.hi as { f: TF }).f(s, n) : (t as { f: TF }).f));
      return { dom: "time", f: (s, n) => fs.some((f) => f(s, n)) };
    }
    type SF = (s: string) => boolean;
    const fs: SF[] = tests.map((t) => ("lo" in t ? (s: string) => (t.lo as { f: SF }).f(s) && (t.hi as { f: SF }).f(s) : (t as { f: SF }).f));
    return { dom: "text", f: (s) => fs.some((f) => f(s)) };
  }

  /** a set over an integer or IPv4 field as inclusive [lo, hi] pairs; undefined for other types */
  private numRanges(left: Operand, items: SetItem[]): Float64Array | undefined {
    if (left.type !== "int" && left.type !== "float" && left.type !== "ipv4") return undefined;
    const out: number[] = [];
    const one = (v: Value): [number, number] => {
      if (left.type !== "ipv4") { const x = this.numLit(v, left); return [x, x]; }
      const { addr, bits } = this.ipv4Lit(v);
      const m = ipv4Mask(bits), net = (addr & m) >>> 0;
      return [net, net + (2 ** (32 - bits) - 1)];
    };
    for (const it of items) {
      const lo = one(it.lo);
      const hi = it.hi === undefined ? lo : one(it.hi);
      out.push(lo[0], hi[1]);
    }
    return Float64Array.from(out);
  }

  private numLit(b: Value, left: Operand): number {
    // a value name of the field (value_string), as tshark matches `demo.type == "hello"`
    const names = left.srcs[0].wraps.length === 0 ? left.srcs[0].def.values : undefined;
    if (names !== undefined && (b.k === "string" || b.k === "word")) for (const [k, n] of names) if (n === b.text) return k;
    if (b.k === "string") this.err(`${TYPE_NAMES[left.type]} cannot be converted from a string ("${b.text}").`, b);
    if (b.k !== "word") this.err(`A number was expected.`, b);
    let v: number | undefined;
    if (left.type === "bool") {
      const w = b.text;
      if (w === "True" || w === "TRUE") return 1;
      if (w === "False" || w === "FALSE") return 0;
      v = parseInteger(w);
      if (v === undefined) this.err(`"${w}" cannot be found among the possible values for ${left.name}.`, b);
      return v;
    }
    v = left.type === "float" ? parseFloatLiteral(b.text) : parseInteger(b.text);
    if (v === undefined) this.err(`"${b.text}" is not a valid number.`, b);
    if (left.srcs[0].wraps.length === 0) {
      const max = maxOf(left.srcs[0].def);
      if (v > max) this.err(`"${b.text}" too big for this field, maximum ${max}.`, b);
    }
    return v;
  }

  private ipv4Lit(b: Value): { addr: number; bits: number } {
    if (b.k === "string") this.err(`IPv4 address cannot be converted from a string ("${b.text}").`, b);
    if (b.k !== "word") this.err(`An IPv4 address was expected.`, b);
    const r = parseIPv4(b.text);
    if (r === "badbits") {
      this.err(`Netmask bits in a CIDR IPv4 address should be <= 32, not ${b.text.slice(b.text.indexOf("/") + 1)}`, b);
    }
    if (r === undefined) {
      const n = parseInteger(b.text);
      if (n !== undefined && n >= 0 && n <= 0xffffffff) return { addr: n, bits: 32 };
      this.err(`"${b.text}" is not a valid hostname or IPv4 address.`, b);
    }
    return r;
  }

  private timeLit(b: Value, left: Operand): [number, number] {
    if (b.k === "word" || b.k === "string") {
      const t = parseTime(b.text);
      if (t) return t;
      this.err(`"${b.text}" is not a valid time in seconds for ${left.name}.`, b);
    }
    this.err(`A time was expected.`, b);
  }
}

function holds(rel: RelOp): (d: number) => boolean {
  switch (rel) {
    case "==": return (d) => d === 0;
    case "!=": return (d) => d !== 0;
    case ">": return (d) => d > 0;
    case "<": return (d) => d < 0;
    case ">=": return (d) => d >= 0;
    default: return (d) => d <= 0;
  }
}

function numTest(rel: RelOp, k: number): Test {
  switch (rel) {
    case "==": return { dom: "num", f: (v) => v === k, eq: k };
    case "!=": return { dom: "num", f: (v) => v !== k };
    case ">": return { dom: "num", f: (v) => v > k };
    case "<": return { dom: "num", f: (v) => v < k };
    case ">=": return { dom: "num", f: (v) => v >= k };
    default: return { dom: "num", f: (v) => v <= k };
  }
}

function maskBytes(b: Uint8Array, bits: number): Uint8Array {
  if (bits >= 128) return b;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = b[i] & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** value text → bytes, by type (MAC and slice text are hex; IPv6 is parsed; strings are UTF-8) */
function bytesOf(t: VType): (s: string) => Uint8Array {
  switch (t) {
    case "mac": case "bytes": return bytesOfText;
    case "ipv6": return (s) => parseIPv6(s) ?? new Uint8Array(0);
    default: return (s) => Uint8Array.from(Buffer.from(s, "utf8"));
  }
}

function bytesOfText(s: string): Uint8Array {
  if (s === "") return new Uint8Array(0);
  return Uint8Array.from(s.split(":").map((x) => parseInt(x, 16)));
}

function suggest(name: string): string | undefined {
  let best: string | undefined, bestD = 3;
  const names = [...allFields().map((f) => f.name), ...Object.keys(ALIASES)];
  for (const n of names) {
    if (Math.abs(n.length - name.length) >= bestD) continue;
    const d = editDistance(name, n, bestD);
    if (d < bestD) { bestD = d; best = n; }
  }
  return best;
}

function editDistance(a: string, b: string, max: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let lo = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (cur[j] < lo) lo = cur[j];
    }
    if (lo >= max) return max;
    prev = cur;
  }
  return prev[b.length];
}

// ---------------------------------------------------------------------------------------------
// evaluation over storage

/** a bound value source over the full table's rows */
interface Src {
  /** calls fn(row, value, ns) for each row holding a value, in row order (text: value is a code) */
  each(fn: (row: number, v: number, ns: number) => void): void;
  /** text sources: code → value text (undefined: the value does not exist, e.g. a slice past its end) */
  values?: (string | undefined)[];
  /** per-row values, for field-to-field comparisons */
  get(row: number): number | undefined;
  ns?(row: number): number;
  /** values are hex text of bytes (a slice) */
  sliced?: boolean;
  /** text sources: each value text has one code (a dictionary), so equality can compare codes */
  unique?: boolean;
}

function evaluate(plan: Plan, cap: Capture): Uint8Array {
  const t = cap.storage.table;
  const ctx: Ctx = { t, n: t.count, cap, srcCache: new Map() };
  return ev(plan, ctx);
}

interface Ctx { t: TableBuilder; n: number; cap: Capture; srcCache: Map<string, Src> }

function ev(p: Plan, c: Ctx): Uint8Array {
  switch (p.k) {
    case "and": {
      const a = ev(p.a, c), b = ev(p.b, c);
      for (let i = 0; i < c.n; i++) a[i] &= b[i];
      return a;
    }
    case "or": {
      const a = ev(p.a, c), b = ev(p.b, c);
      for (let i = 0; i < c.n; i++) a[i] |= b[i];
      return a;
    }
    case "xor": {
      const a = ev(p.a, c), b = ev(p.b, c);
      for (let i = 0; i < c.n; i++) a[i] ^= b[i];
      return a;
    }
    case "not": {
      const a = ev(p.a, c);
      for (let i = 0; i < c.n; i++) a[i] ^= 1;
      return a;
    }
    case "all": return new Uint8Array(c.n).fill(1);
    case "proto": {
      const m = new Uint8Array(c.n);
      const nodes = c.t.paths.nodes;
      const has = new Uint8Array(nodes.length);
      for (const node of nodes) if (node.path.split(":").includes(p.name)) has[node.id] = 1;
      c.t.protoPath.forEach((r, id) => { if (has[id] === 1) m[r] = 1; });
      return m;
    }
    case "exists": {
      const m = new Uint8Array(c.n);
      for (const s of p.op.srcs) bind(s, c).each((r) => { m[r] = 1; });
      return m;
    }
    case "cmp": return cmp(p.op, p.all, p.test, c);
    case "cmp2": return cmp2(p.a, p.b, p.rel, c);
  }
}

function negate(t: Test): Test {
  switch (t.dom) {
    case "num": { const f = t.f; return { dom: "num", f: (v) => !f(v) }; }
    case "text": { const f = t.f; return { dom: "text", f: (s) => !f(s) }; }
    case "time": { const f = t.f; return { dom: "time", f: (s, n) => !f(s, n) }; }
  }
}

function cmp(op: Operand, all: boolean, test: Test, c: Ctx): Uint8Array {
  const m = new Uint8Array(c.n);
  if (!all) {
    for (const s of op.srcs) scan(bind(s, c), test, m, 1);
    return m;
  }
  // all: present, and no present value fails the test
  for (const s of op.srcs) bind(s, c).each((r) => { m[r] = 1; });
  const neg = negate(test);
  for (const s of op.srcs) scan(bind(s, c), neg, m, 0);
  return m;
}

/** sets m[row] = to for each row whose value passes the test */
function scan(src: Src, test: Test, m: Uint8Array, to: number): void {
  if (test.dom === "num") {
    if (test.eq !== undefined && src.unique === true) {
      const k = test.eq;
      src.each((r, v) => { if (v === k) m[r] = to; });
      return;
    }
    const f = test.f;
    src.each((r, v) => { if (f(v)) m[r] = to; });
    return;
  }
  if (test.dom === "time") {
    const f = test.f;
    src.each((r, v, ns) => { if (f(v, ns)) m[r] = to; });
    return;
  }
  const values = src.values as (string | undefined)[];
  if (test.eq !== undefined && src.unique === true) {
    // string equality: find the literal's code once, then compare codes
    // (literals are normalised as values are: MACs lower case, slices as hex; absent: no row matches)
    const code = values.indexOf(test.eq, 1);
    if (code >= 0) src.each((r, v) => { if (v === code) m[r] = to; });
    return;
  }
  const table = new Uint8Array(values.length);
  const f = test.f;
  for (let i = 0; i < values.length; i++) { const s = values[i]; if (s !== undefined && f(s)) table[i] = 1; }
  src.each((r, v) => { if (table[v] === 1) m[r] = to; });
}

/** field-to-field: any pair of values satisfies the relation (all pairs for != and ===) */
function cmp2(a: Operand, b: Operand, rel: RelOp, c: Ctx): Uint8Array {
  const m = new Uint8Array(c.n);
  const as = a.srcs.map((s) => bind(s, c)), bs = b.srcs.map((s) => bind(s, c));
  const dom = domOf(a.type);
  const all = rel === "!=" || rel === "===";
  const base: RelOp = rel === "!=" || rel === "~=" ? "!=" : rel === "===" ? "==" : rel;
  const toB = bytesOf(a.type);
  const key = (s: Src, r: number): number | string | Uint8Array | [number, number] | undefined => {
    const v = s.get(r);
    if (v === undefined) return undefined;
    if (dom === "num") return v;
    if (dom === "time") return [v, (s.ns as (r: number) => number)(r)];
    const txt = (s.values as (string | undefined)[])[v];
    if (txt === undefined) return undefined;
    return a.type === "string" ? txt : toB(txt);
  };
  const compare = (x: unknown, y: unknown): number => {
    if (typeof x === "number") return x - (y as number);
    if (typeof x === "string") return x < (y as string) ? -1 : x > (y as string) ? 1 : 0;
    if (Array.isArray(x)) return x[0] - (y as number[])[0] || x[1] - (y as number[])[1];
    return bytesCompare(x as Uint8Array, y as Uint8Array);
  };
  const ok = holds(base);
  const seen = new Uint8Array(c.n);
  for (const s of as) s.each((r) => { seen[r] = 1; });
  for (let r = 0; r < c.n; r++) {
    if (seen[r] === 0) continue;
    let any = false, every = true, pairs = 0;
    for (const x of as) {
      const kx = key(x, r);
      if (kx === undefined) continue;
      for (const y of bs) {
        const ky = key(y, r);
        if (ky === undefined) continue;
        pairs++;
        if (ok(compare(kx, ky))) any = true;
        else every = false;
      }
    }
    if (pairs > 0 && (all ? every : any)) m[r] = 1;
  }
  return m;
}

function bind(spec: SrcSpec, c: Ctx): Src {
  const key = spec.def.name + JSON.stringify(spec.wraps);
  let s = c.srcCache.get(key);
  if (s === undefined) {
    s = baseSrc(spec.def, c);
    for (const w of spec.wraps) s = wrapSrc(s, w, spec.def);
    c.srcCache.set(key, s);
  }
  return s;
}

function notLoaded(def: FieldDef): never {
  throw new Error(`field "${def.name}" was not loaded (see the columns option of open())`);
}

function numSrc(col: NumColumn): Src {
  return { each: (fn) => col.forEach((r, v) => fn(r, v, 0)), get: (r) => col.get(r) };
}

function baseSrc(def: FieldDef, c: Ctx): Src {
  const t = c.t;
  if (def.from !== undefined) {
    const col = t.num[def.from.id];
    if (col === null) notLoaded(def.from);
    const map = def.map as (v: number) => number;
    return { each: (fn) => col.forEach((r, v) => fn(r, map(v), 0)), get: (r) => { const v = col.get(r); return v === undefined ? undefined : map(v); } };
  }
  if (def.storage === "dict") {
    const d = t.dict[def.id];
    if (d === null) notLoaded(def);
    if (def.display === "dec" || def.display === "hex") {
      // integers kept as their exact text (64-bit fields of user-defined protocols): compared as numbers
      const nums = d.values.map(Number);
      return { each: (fn) => d.codes.forEach((r, v) => fn(r, nums[v], 0)), get: (r) => { const k = d.codes.get(r); return k === undefined ? undefined : nums[k]; } };
    }
    return { each: (fn) => d.codes.forEach((r, v) => fn(r, v, 0)), get: (r) => d.codes.get(r), values: d.values, unique: true };
  }
  if (def.name === "frame.cap_len") {
    const cap = t.num[def.id], len = t.num[(fieldByName("frame.len") as FieldDef).id];
    if (cap === null || len === null) notLoaded(def);
    return { each: (fn) => len.forEach((r, v) => fn(r, cap.get(r) ?? v, 0)), get: (r) => cap.get(r) ?? len.get(r) };
  }
  if (def.storage !== "derived") {
    const col = t.num[def.id];
    if (col === null) notLoaded(def);
    return numSrc(col);
  }
  const n = t.count;
  switch (def.name) {
    case "frame.number":
      return { each: (fn) => { for (let r = 0; r < n; r++) fn(r, r + 1, 0); }, get: (r) => r + 1 };
    case "frame.interface_id":
      return { each: (fn) => { for (let r = 0; r < n; r++) fn(r, t.iface.get(r) ?? 0, 0); }, get: (r) => t.iface.get(r) ?? 0 };
    case "frame.protocols":
      return { each: (fn) => t.protoPath.forEach((r, v) => fn(r, v, 0)), get: (r) => t.protoPath.get(r), values: t.paths.nodes.map((x) => x.path), unique: true };
    case "frame.comment": {
      const rows = [...t.comments.keys()].sort((x, y) => x - y);
      const values: string[] = [""], code = new Map<number, number>();
      const byText = new Map<string, number>();
      for (const r of rows) {
        const txt = t.comments.get(r) as string;
        let k = byText.get(txt);
        if (k === undefined) { k = values.length; values.push(txt); byText.set(txt, k); }
        code.set(r, k);
      }
      return { each: (fn) => { for (const r of rows) fn(r, code.get(r) as number, 0); }, get: (r) => code.get(r), values, unique: true };
    }
    case "frame.time_epoch":
      return {
        each: (fn) => t.timeSec.forEach((r, s) => fn(r, s, t.timeNsec.get(r) as number)),
        get: (r) => t.timeSec.get(r), ns: (r) => t.timeNsec.get(r) as number,
      };
    case "frame.time_relative": case "frame.time_delta": {
      const rel = def.name === "frame.time_relative";
      // [sec, ns] per row with a time, relative to the first timed row or to the previous one
      const secs = new Float64Array(n).fill(NaN), nss = new Float64Array(n);
      let bs = NaN, bn = 0;
      t.timeSec.forEach((r, s) => {
        const ns = t.timeNsec.get(r) as number;
        if (Number.isNaN(bs)) { bs = s; bn = ns; }
        let ds = s - bs, dn = ns - bn;
        if (dn < 0) { ds -= 1; dn += 1e9; }
        secs[r] = ds;
        nss[r] = dn;
        if (!rel) { bs = s; bn = ns; }
      });
      return {
        each: (fn) => { for (let r = 0; r < n; r++) if (!Number.isNaN(secs[r])) fn(r, secs[r], nss[r]); },
        get: (r) => (Number.isNaN(secs[r]) ? undefined : secs[r]), ns: (r) => nss[r],
      };
    }
    default:
      return fallbackSrc(def, c);
  }
}

/** a derived field this engine has no scan for: read through the Capture's column (row by row) */
function fallbackSrc(def: FieldDef, c: Ctx): Src {
  const base = new Capture(c.cap.path, c.t, c.cap.info, c.cap.warnings, null, c.cap.columns);
  const col = base.column(def.name);
  const n = c.t.count;
  if (domOf(baseType(def)) === "text") {
    const values: string[] = [""], codes = new Map<string, number>();
    const code = (r: number): number | undefined => {
      const v = col.get(r);
      if (v === undefined) return undefined;
      const s = String(v);
      let k = codes.get(s);
      if (k === undefined) { k = values.length; values.push(s); codes.set(s, k); }
      return k;
    };
    for (let r = 0; r < n; r++) code(r);
    return { each: (fn) => { for (let r = 0; r < n; r++) { const k = code(r); if (k !== undefined) fn(r, k, 0); } }, get: code, values, unique: true };
  }
  const get = (r: number): number | undefined => { const v = col.get(r); return typeof v === "number" ? v : undefined; };
  return { each: (fn) => { for (let r = 0; r < n; r++) { const v = get(r); if (v !== undefined) fn(r, v, 0); } }, get };
}

function wrapSrc(s: Src, w: Wrap, def: FieldDef): Src {
  switch (w.k) {
    case "bitand": {
      const m = w.mask;
      return { each: (fn) => s.each((r, v) => fn(r, (v & m) >>> 0, 0)), get: (r) => { const v = s.get(r); return v === undefined ? undefined : (v & m) >>> 0; } };
    }
    case "len": {
      const vals = s.values as (string | undefined)[];
      const toB = bytesOf(baseTypeOfText(def, s));
      const lens = vals.map((x) => (x === undefined ? -1 : toB(x).length));
      return {
        each: (fn) => s.each((r, v) => { if (lens[v] >= 0) fn(r, lens[v], 0); }),
        get: (r) => { const v = s.get(r); return v === undefined || lens[v] < 0 ? undefined : lens[v]; },
      };
    }
    case "lower": case "upper": {
      const up = w.k === "upper";
      const values = (s.values as (string | undefined)[]).map((x) => (x === undefined ? x : up ? x.toUpperCase() : x.toLowerCase()));
      return { each: s.each, get: s.get, values, sliced: s.sliced };
    }
    case "slice": {
      const toB = bytesOf(baseTypeOfText(def, s));
      const values = (s.values as (string | undefined)[]).map((x) => {
        if (x === undefined) return undefined;
        const b = toB(x);
        const parts: Uint8Array[] = [];
        for (const rg of w.ranges) {
          const start = rg.start < 0 ? b.length + rg.start : rg.start;
          const end = rg.len === undefined ? b.length : start + rg.len;
          if (start < 0 || end > b.length || start > end) return undefined;
          parts.push(b.subarray(start, end));
        }
        return bytesText(Uint8Array.from(Buffer.concat(parts)));
      });
      return {
        each: (fn) => s.each((r, v, ns) => { if (values[v] !== undefined) fn(r, v, ns); }),
        get: (r) => { const v = s.get(r); return v === undefined || values[v] === undefined ? undefined : v; },
        values, sliced: true,
      };
    }
  }
}

/** how a text source's values turn into bytes: by the field's display, or hex once sliced */
function baseTypeOfText(def: FieldDef, s: Src): VType {
  // a slice of a slice holds hex text; a slice marks its values array as derived
  return s.sliced ? "bytes" : baseType(def);
}

/** rows whose mask is set: table rows, or positions in the view */
function collect(m: Uint8Array, index: Uint32Array | null): Uint32Array {
  if (index === null) {
    let k = 0;
    for (let i = 0; i < m.length; i++) k += m[i];
    const out = new Uint32Array(k);
    let j = 0;
    for (let i = 0; i < m.length && j < k; i++) if (m[i] === 1) out[j++] = i;
    return out;
  }
  let k = 0;
  for (let i = 0; i < index.length; i++) k += m[index[i]];
  const out = new Uint32Array(k);
  let j = 0;
  for (let i = 0; i < index.length; i++) if (m[index[i]] === 1) out[j++] = i;
  return out;
}
