/**
 * User-defined protocols: `defineProtocol(spec)` turns a plain-data spec (Scapy's `fields_desc`,
 * a Lua dissector's `ProtoField`s) into registry fields and a decoder in the dispatch tables, so
 * the fields are columns, filter fields, `wirebook fields -e` names and statistics like the
 * built-in ones. docs/protocols.md describes the spec; each type prints what tshark prints for a
 * Lua `ProtoField` of the same type and base.
 *
 *   defineProtocol({ name: "demo", over: { "udp.port": 9999 }, fields: [
 *     { name: "demo.version", type: "uint8" }, { name: "demo.flags", type: "uint8", base: "hex" },
 *     { name: "demo.flags.urgent", type: "boolean", of: "demo.flags", mask: 0x80 },
 *     { name: "demo.length", type: "uint16" }, { name: "demo.name", type: "string", length: "demo.length" } ] });
 *
 * Fields are read in order from the start of the layer. A field that does not fit in the captured
 * bytes stops the layer: the fields before it are set, the rest absent, and the packet is counted
 * in the capture's warnings (`Packet.short`); nothing is read past the packet.
 */
import { SpecError } from "./errors";
import "../decode"; // the built-in protocols first: their names and fields are taken
import { bind, builtinProtocol, type DispatchTable } from "../decode/dispatch";
import type { Packet } from "../decode/packet";
import { asciiText } from "../decode/tsharktext";
import { defineField, defineProtocol as defineLayer, fieldByName, isProtocol, type Display, type FieldDef, type NumKind } from "../fields/registry";

export type IntType = "uint8" | "uint16" | "uint24" | "uint32" | "uint64" | "int8" | "int16" | "int24" | "int32" | "int64";
export type FieldType = IntType | "boolean" | "ipv4" | "ipv6" | "ether" | "bytes" | "string" | "float" | "double";

export const FIELD_TYPES: readonly FieldType[] = ["uint8", "uint16", "uint24", "uint32", "uint64", "int8", "int16", "int24", "int32",
  "int64", "boolean", "ipv4", "ipv6", "ether", "bytes", "string", "float", "double"];

export interface FieldSpec {
  /** the display-filter name; starts with the protocol's name and a dot ("demo.id") */
  name: string;
  type: FieldType;
  /** Wireshark's label ("Message ID"); the description in the field list */
  title?: string;
  description?: string;
  /** integers: how tshark prints them (unsigned types only for hex, as Wireshark) */
  base?: "dec" | "hex";
  /** byte order of integers, floats and IPv4 addresses (default: the spec's, else big) */
  endian?: "big" | "little";
  /** boolean or unsigned: bits of an earlier integer field (`mask` says which); reads no bytes */
  of?: string;
  mask?: number;
  /** bytes and string: a fixed size in bytes */
  size?: number;
  /** bytes and string: the size is the value of an earlier integer field */
  length?: string;
  /** integers: value names (Wireshark's value_string); a filter may name a value ("demo.type == hello") */
  values?: Record<number, string>;
  /** set by the spec's decode() only, not read in order */
  computed?: boolean;
}

/** Where the protocol runs: Wireshark's dissector tables, or a heuristic on UDP/TCP payloads. */
export interface Over {
  "udp.port"?: number | readonly number[];
  "tcp.port"?: number | readonly number[];
  "eth.type"?: number | readonly number[];
  "ip.proto"?: number | readonly number[];
  /** tried on UDP and TCP payloads no port claimed (`udp.heuristic` / `tcp.heuristic` for one of them) */
  heuristic?: (payload: Uint8Array) => boolean;
  "udp.heuristic"?: (payload: Uint8Array) => boolean;
  "tcp.heuristic"?: (payload: Uint8Array) => boolean;
}

export type FieldValue = number | bigint | string | Uint8Array;

/** What a spec's decode() gets besides the layer's bytes. */
export interface FieldAccess {
  /** an integer field of this layer read (or set) so far */
  get(name: string): number | undefined;
  /** sets a field of this protocol (first write wins) */
  set(name: string, value: FieldValue): void;
}

export interface ProtocolSpec {
  /** the layer's name in frame.protocols and filters (lower case: letters, digits, "_", "-", ".") */
  name: string;
  title?: string;
  over: Over;
  /** payloads shorter than this (bytes) are not this protocol */
  minLength?: number;
  /** default byte order of the fields */
  endian?: "big" | "little";
  fields: FieldSpec[];
  /**
   * Sets fields no declaration can say. `view` covers the layer's captured bytes (reads past it
   * throw, which counts the packet as short); may return where the payload starts (bytes from the
   * layer's start) for `next`.
   */
  decode?: (view: DataView, fields: FieldAccess) => number | void;
  /** hands the payload on: always to one protocol, or by an earlier integer field's value */
  next?: string | { field: string; protocols: Record<number, string> };
}

/** A spec that cannot be defined: the message names the spec and the field. */
export class ProtocolSpecError extends SpecError {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolSpecError";
  }
}

interface IntInfo { bytes: number; signed: boolean }
const INTS: Record<IntType, IntInfo> = {
  uint8: { bytes: 1, signed: false }, uint16: { bytes: 2, signed: false }, uint24: { bytes: 3, signed: false },
  uint32: { bytes: 4, signed: false }, uint64: { bytes: 8, signed: false }, int8: { bytes: 1, signed: true },
  int16: { bytes: 2, signed: true }, int24: { bytes: 3, signed: true }, int32: { bytes: 4, signed: true }, int64: { bytes: 8, signed: true },
};
const FIXED: Partial<Record<FieldType, number>> = { ipv4: 4, ipv6: 16, ether: 6, float: 4, double: 8 };

const isInt = (t: FieldType): t is IntType => t in INTS;

/** C's printf("%.<prec>g"), as tshark prints floats (FLT_DIG 6) and doubles (DBL_DIG 15). */
export function formatG(v: number, prec: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v < 0 ? "-inf" : "inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const e = v.toExponential(prec - 1);
  const [mant, expText] = e.split("e");
  const exp = Number(expText);
  const strip = (s: string): string => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  if (exp < -4 || exp >= prec) {
    const a = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  return strip(v.toFixed(Math.max(0, prec - 1 - exp)));
}

const formatFloat = (v: number): string => formatG(v, 6);
const formatDouble = (v: number): string => formatG(v, 15);

/** the number of bits a mask spans, lowest set bit to highest (Wireshark's hfinfo_mask_bitwidth) */
function maskWidth(mask: number): number {
  let lo = 0;
  while (((mask / 2 ** lo) & 1) === 0) lo++;
  return Math.floor(Math.log2(mask)) - lo + 1;
}

function lowBit(mask: number): number {
  let lo = 0;
  while (((mask / 2 ** lo) & 1) === 0) lo++;
  return lo;
}

const enum Op { Int, Bits, Bool, IPv4, IPv6, Ether, Bytes, Str, Float, Double, Computed }

interface Step {
  op: Op;
  def: FieldDef;
  spec: FieldSpec;
  /** index into the per-packet values (integer fields others may refer to), -1 when none */
  slot: number;
  /** byte size (ints, floats, addresses; bytes/string with a fixed size), -1: length field or rest */
  size: number;
  little: boolean;
  signed: boolean;
  /** bits: source slot, mask and shift */
  src: number;
  mask: number;
  shift: number;
  /** bytes/string: the slot holding the length, -1 when none */
  lenSlot: number;
}

interface Compiled {
  spec: ProtocolSpec;
  steps: Step[];
  slots: number;
  byName: Map<string, Step>;
  minLength: number;
  nextSlot: number;
  nextTable: Map<number, string> | undefined;
  nextName: string | undefined;
  /** undoes the dispatch entries */
  unbind: (() => void)[];
  /** the per-packet integer values, reused */
  vals: Float64Array;
  /** a signature of the fields, to allow defining the same spec again (a notebook cell run twice) */
  signature: string;
  defs: Map<string, FieldDef>;
}

const defined = new Map<string, Compiled>();

function fail(spec: { name?: unknown }, field: string | undefined, msg: string): never {
  const who = typeof spec?.name === "string" ? `protocol "${spec.name}"` : "protocol spec";
  throw new ProtocolSpecError(`${who}${field !== undefined ? `, field "${field}"` : ""}: ${msg}`);
}

const NAME_RE = /^[a-z][a-z0-9_-]*$/;
const FIELD_RE = /^[a-z][a-z0-9_-]*(\.[a-zA-Z0-9_-]+)+$/;

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function checkOver(spec: ProtocolSpec): [DispatchTable, number, unknown][] {
  const o = spec.over as unknown;
  if (o === undefined || o === null) {
    fail(spec, undefined, `no "over": say where it runs ({ "udp.port": N }, "tcp.port", "eth.type", "ip.proto" or heuristic; {} when only another protocol's "next" leads to it)`);
  }
  if (typeof o !== "object" || Array.isArray(o)) fail(spec, undefined, `"over" must be an object such as { "udp.port": 9999 }`);
  const out: [DispatchTable, number, unknown][] = [];
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (k === "heuristic" || k === "udp.heuristic" || k === "tcp.heuristic") {
      if (typeof v !== "function") fail(spec, undefined, `over.${k} must be a function (payload bytes) => boolean`);
      if (k !== "tcp.heuristic") out.push(["udp.heuristic", 0, v]);
      if (k !== "udp.heuristic") out.push(["tcp.heuristic", 0, v]);
      continue;
    }
    if (k !== "udp.port" && k !== "tcp.port" && k !== "eth.type" && k !== "ip.proto") {
      fail(spec, undefined, `unknown dissector table "${k}" in over (tables: udp.port, tcp.port, eth.type, ip.proto, heuristic)`);
    }
    const max = k === "ip.proto" ? 255 : 65535;
    for (const n of asList(v)) {
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > max) fail(spec, undefined, `over["${k}"] takes integers 0…${max}, not ${JSON.stringify(n)}`);
      out.push([k, n, undefined]);
    }
  }
  return out;
}

function fieldSignature(f: FieldSpec): string {
  return JSON.stringify([f.name, f.type, f.base ?? "", f.endian ?? "", f.of ?? "", f.mask ?? "", f.size ?? "", f.length ?? "", f.values ?? {}, f.computed ?? false]);
}

/** Checks a spec and compiles it into steps (no registry change yet). */
function compile(spec: ProtocolSpec): Omit<Compiled, "unbind" | "defs" | "vals"> & { over: [DispatchTable, number, unknown][] } {
  if (spec === null || typeof spec !== "object") fail({}, undefined, "a spec is an object { name, over, fields }");
  if (typeof spec.name !== "string" || !NAME_RE.test(spec.name)) {
    fail(spec, undefined, `"name" must be lower case letters, digits, "_" or "-", starting with a letter (got ${JSON.stringify(spec.name)})`);
  }
  const over = checkOver(spec);
  if (!Array.isArray(spec.fields)) fail(spec, undefined, `"fields" must be an array of { name, type }`);
  if (spec.minLength !== undefined && !(Number.isInteger(spec.minLength) && spec.minLength >= 0)) fail(spec, undefined, `"minLength" must be a byte count`);
  if (spec.endian !== undefined && spec.endian !== "big" && spec.endian !== "little") fail(spec, undefined, `"endian" is "big" or "little"`);
  if (spec.decode !== undefined && typeof spec.decode !== "function") fail(spec, undefined, `"decode" must be a function (view, fields)`);
  const prev = defined.get(spec.name);
  if (prev === undefined && isProtocol(spec.name)) fail(spec, undefined, `a built-in protocol is already named "${spec.name}"`);
  const steps: Step[] = [];
  const byName = new Map<string, Step>();
  let slots = 0;
  const earlierInt = (f: FieldSpec, ref: unknown, what: string): Step => {
    if (typeof ref !== "string") fail(spec, f.name, `"${what}" names an earlier integer field of ${spec.name}`);
    const s = byName.get(ref);
    if (s === undefined) fail(spec, f.name, `"${what}" names "${ref}", which is not a field read before it`);
    if (!isInt(s.spec.type) || s.slot < 0) fail(spec, f.name, `"${what}" names "${ref}", which is not an integer field`);
    return s;
  };
  for (const raw of spec.fields as unknown[]) {
    const f = raw as FieldSpec;
    if (f === null || typeof f !== "object") fail(spec, undefined, "each field is an object { name, type }");
    if (typeof f.name !== "string" || !FIELD_RE.test(f.name)) fail(spec, typeof f.name === "string" ? f.name : undefined, `a field name is "${spec.name}." and a name (got ${JSON.stringify(f.name)})`);
    if (!f.name.startsWith(spec.name + ".")) fail(spec, f.name, `the field's name must start with "${spec.name}."`);
    if (byName.has(f.name)) fail(spec, f.name, "defined twice in the spec");
    if (prev === undefined && fieldByName(f.name) !== undefined) fail(spec, f.name, "a built-in field or another protocol already has this name");
    if (!FIELD_TYPES.includes(f.type)) fail(spec, f.name, `unknown type ${JSON.stringify(f.type)} (types: ${FIELD_TYPES.join(", ")})`);
    if (f.base !== undefined && f.base !== "dec" && f.base !== "hex") fail(spec, f.name, `"base" is "dec" or "hex"`);
    if (f.base === "hex" && !(isInt(f.type) && !INTS[f.type].signed)) fail(spec, f.name, `base "hex" is for unsigned integers (as Wireshark: ${f.type} prints in decimal)`);
    if (f.endian !== undefined && f.endian !== "big" && f.endian !== "little") fail(spec, f.name, `"endian" is "big" or "little"`);
    if (f.values !== undefined) {
      if (!isInt(f.type) || typeof f.values !== "object") fail(spec, f.name, `"values" ({ 1: "name" }) is for integer fields`);
      for (const [k, v] of Object.entries(f.values)) if (!/^-?\d+$/.test(k) || typeof v !== "string") fail(spec, f.name, `"values" maps integers to names (got ${k}: ${JSON.stringify(v)})`);
    }
    if ((f.size !== undefined || f.length !== undefined) && f.type !== "bytes" && f.type !== "string") fail(spec, f.name, `"size" and "length" are for bytes and string fields`);
    if (f.size !== undefined && f.length !== undefined) fail(spec, f.name, `give "size" or "length", not both`);
    if (f.size !== undefined && !(Number.isInteger(f.size) && f.size >= 0)) fail(spec, f.name, `"size" must be a byte count`);
    const little = (f.endian ?? spec.endian) === "little";
    const step: Step = { op: Op.Int, def: undefined as unknown as FieldDef, spec: f, slot: -1, size: -1, little, signed: false, src: -1, mask: 0, shift: 0, lenSlot: -1 };
    if (f.of !== undefined || (f.type === "boolean" && f.computed !== true)) {
      if (f.type !== "boolean" && !(isInt(f.type) && !INTS[f.type].signed)) fail(spec, f.name, `"of" (bits of an earlier field) is for boolean and unsigned fields`);
      if (f.of === undefined) fail(spec, f.name, `a boolean is bits of an earlier integer field: give "of" and "mask"`);
      const src = earlierInt(f, f.of, "of");
      const width = INTS[src.spec.type as IntType].bytes;
      if (width > 4) fail(spec, f.name, `"of" names a 64-bit field; bits are read from fields of up to 32 bits`);
      if (typeof f.mask !== "number" || !Number.isInteger(f.mask) || f.mask <= 0 || f.mask >= 2 ** (8 * width)) {
        fail(spec, f.name, `"mask" must be a non-zero integer that fits ${src.spec.name} (${8 * width} bits)`);
      }
      if (isInt(f.type) && f.mask >= 2 ** (8 * INTS[f.type].bytes)) fail(spec, f.name, `"mask" 0x${f.mask.toString(16)} is wider than ${f.type}`);
      step.op = f.type === "boolean" ? Op.Bool : Op.Bits;
      step.src = src.slot;
      step.mask = f.mask;
      step.shift = lowBit(f.mask);
      if (step.op === Op.Bits) step.slot = slots++;
    } else if (f.mask !== undefined) {
      fail(spec, f.name, `"mask" goes with "of" (the field whose bits these are)`);
    } else if (f.computed === true) {
      step.op = Op.Computed;
      if (isInt(f.type)) step.slot = slots++;
      step.signed = isInt(f.type) && INTS[f.type].signed;
    } else if (isInt(f.type)) {
      step.op = Op.Int;
      step.size = INTS[f.type].bytes;
      step.signed = INTS[f.type].signed;
      step.slot = slots++;
    } else if (f.type === "bytes" || f.type === "string") {
      step.op = f.type === "bytes" ? Op.Bytes : Op.Str;
      if (f.size !== undefined) step.size = f.size;
      else if (f.length !== undefined) step.lenSlot = earlierInt(f, f.length, "length").slot;
    } else {
      step.op = f.type === "ipv4" ? Op.IPv4 : f.type === "ipv6" ? Op.IPv6 : f.type === "ether" ? Op.Ether : f.type === "float" ? Op.Float : Op.Double;
      step.size = FIXED[f.type] as number;
    }
    steps.push(step);
    byName.set(f.name, step);
  }
  if (steps.length === 0 && spec.decode === undefined) fail(spec, undefined, `no fields (and no decode function)`);
  let nextSlot = -1, nextTable: Map<number, string> | undefined, nextName: string | undefined;
  const n = spec.next as unknown;
  if (typeof n === "string") nextName = n;
  else if (n !== undefined) {
    const o = n as { field?: unknown; protocols?: unknown };
    if (o === null || typeof o !== "object" || typeof o.protocols !== "object" || o.protocols === null) {
      fail(spec, undefined, `"next" is a protocol name or { field, protocols: { value: name } }`);
    }
    nextSlot = earlierInt({ name: "next" } as FieldSpec, o.field, "next.field").slot;
    nextTable = new Map();
    for (const [k, v] of Object.entries(o.protocols as Record<string, unknown>)) {
      if (!/^\d+$/.test(k) || typeof v !== "string") fail(spec, undefined, `"next.protocols" maps values to protocol names (got ${k}: ${JSON.stringify(v)})`);
      nextTable.set(Number(k), v);
    }
  }
  return {
    spec, steps, slots, byName, minLength: spec.minLength ?? 0, nextSlot, nextTable, nextName, over,
    signature: steps.map((s) => fieldSignature(s.spec)).join("\n"),
  };
}

function fieldOptions(s: Step): { display: Display; storage: NumKind | "dict"; hexDigits?: number; text?: (v: number) => string } {
  const t = s.spec.type;
  if (isInt(t)) {
    const info = INTS[t];
    const bits = s.op === Op.Bits ? maskWidth(s.mask) : 8 * info.bytes;
    // as tshark: hex digits for the type's width, a masked field's too
    const digits = 2 * info.bytes;
    // 64-bit values are kept as their exact text (a dictionary column; filters compare them as numbers)
    if (info.bytes === 8) return { display: s.spec.base === "hex" ? "hex" : "dec", storage: "dict" };
    const storage: NumKind = info.signed ? "i32" : s.op === Op.Bits ? (bits <= 8 ? "u8" : bits <= 16 ? "u16" : "u32")
      : info.bytes === 1 ? "u8" : info.bytes === 2 ? "u16" : "u32";
    if (s.spec.base === "hex") return { display: "hex", storage, hexDigits: digits };
    return { display: "dec", storage };
  }
  switch (t) {
    case "boolean": return { display: "bool", storage: "u8" };
    case "ipv4": return { display: "ipv4", storage: "u32" };
    case "ipv6": return { display: "ipv6", storage: "dict" };
    case "ether": return { display: "mac", storage: "dict" };
    case "bytes": return { display: "bytes", storage: "dict" };
    case "string": return { display: "string", storage: "dict" };
    case "float": return { display: "dec", storage: "f64", text: formatFloat };
    default: return { display: "dec", storage: "f64", text: formatDouble };
  }
}

function valueNames(f: FieldSpec): ReadonlyMap<number, string> | undefined {
  if (f.values === undefined) return undefined;
  return new Map(Object.entries(f.values).map(([k, v]) => [Number(k), v]));
}

const HEXB = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));

/** bytes as the byte text the filter compares ("01:02:ab"); the column prints "0102ab" as tshark */
function bytesText(b: Uint8Array, off: number, end: number): string {
  let s = "";
  for (let i = off; i < end; i++) s += (i > off ? ":" : "") + HEXB[b[i]];
  return s;
}

/** a string field's text: ENC_ASCII up to the first NUL, as a Lua ProtoField.string */
function stringText(b: Uint8Array, off: number, end: number): string {
  let e = off;
  while (e < end && b[e] !== 0) e++;
  return asciiText(b, off, e);
}

function read64(b: Buffer, off: number, signed: boolean, little: boolean): bigint {
  return signed ? (little ? b.readBigInt64LE(off) : b.readBigInt64BE(off)) : little ? b.readBigUInt64LE(off) : b.readBigUInt64BE(off);
}

/** a 64-bit value as tshark prints it: decimal, or 0x and 16 hex digits */
function text64(v: bigint, hex: boolean): string {
  return hex ? "0x" + BigInt.asUintN(64, v).toString(16).padStart(16, "0") : v.toString();
}

function readInt(b: Buffer, off: number, size: number, signed: boolean, little: boolean): number {
  if (!little) {
    // the common cases without Buffer's generic readers
    if (size === 1) return signed ? (b[off] << 24) >> 24 : b[off];
    if (size === 2) { const v = (b[off] << 8) | b[off + 1]; return signed ? (v << 16) >> 16 : v; }
    if (size === 4) { const v = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]; return signed ? v : v >>> 0; }
  }
  if (signed) return little ? b.readIntLE(off, size) : b.readIntBE(off, size);
  return little ? b.readUIntLE(off, size) : b.readUIntBE(off, size);
}

/** The decoder of a compiled spec: false when the payload is not this protocol (shorter than minLength). */
function decoderOf(c: Compiled): (p: Packet, b: Buffer, off: number, end: number, sport: number, dport: number) => boolean {
  const { steps, spec } = c;
  const name = spec.name;
  let busy = false;
  return (p, b, off, end, sport, dport) => {
    if (end - off < c.minLength) return false;
    if (!p.enter(name)) return true;
    // the values of this packet's integer fields (NaN: not read); one array, unless nested (next to itself)
    const vals = busy ? new Float64Array(c.slots) : c.vals;
    vals.fill(NaN);
    busy = true;
    try {
      decodeLayer(p, b, off, end, sport, dport, vals);
    } finally {
      if (vals === c.vals) busy = false;
    }
    return true;
  };
  function decodeLayer(p: Packet, b: Buffer, off: number, end: number, sport: number, dport: number, vals: Float64Array): void {
    let pos = off, short = false;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      const op = s.op;
      if (op === Op.Computed) continue;
      if (op === Op.Bool || op === Op.Bits) {
        const v = vals[s.src];
        if (Number.isNaN(v)) continue; // its source did not fit
        const bits = ((v & s.mask) >>> 0) / 2 ** s.shift;
        if (op === Op.Bool) p.u(s.def, bits !== 0 ? 1 : 0);
        else { p.u(s.def, bits); vals[s.slot] = bits; }
        continue;
      }
      let size = s.size;
      if (size < 0) {
        if (s.lenSlot >= 0) {
          const l = vals[s.lenSlot];
          size = Number.isNaN(l) || l < 0 ? -1 : l;
          if (size < 0) { short = true; break; }
        } else size = end - pos;
      }
      if (size > end - pos) { short = true; break; }
      switch (op) {
        case Op.Int: {
          if (size === 8) {
            const big = read64(b, pos, s.signed, s.little);
            vals[s.slot] = Number(big);
            p.s(s.def, text64(big, s.spec.base === "hex"));
            break;
          }
          const v = readInt(b, pos, size, s.signed, s.little);
          vals[s.slot] = v;
          p.u(s.def, v);
          break;
        }
        case Op.IPv4:
          p.u(s.def, s.little ? b.readUInt32LE(pos) : b.readUInt32BE(pos));
          break;
        case Op.IPv6: p.ipv6(s.def, b, pos); break;
        case Op.Ether: p.mac(s.def, b, pos); break;
        case Op.Float: p.u(s.def, s.little ? b.readFloatLE(pos) : b.readFloatBE(pos)); break;
        case Op.Double: p.u(s.def, s.little ? b.readDoubleLE(pos) : b.readDoubleBE(pos)); break;
        case Op.Bytes: p.s(s.def, bytesText(b, pos, pos + size)); break;
        case Op.Str: p.s(s.def, stringText(b, pos, pos + size)); break;
      }
      pos += size;
    }
    if (spec.decode !== undefined && !short) {
      const r = runDecode(c, p, b, off, end, vals);
      if (r === undefined) short = true;
      else if (r >= 0) pos = off + r;
    }
    if (short) { p.short(name); return; }
    handOn(c, p, b, pos, end, vals, sport, dport);
  }
}

/** runs the spec's decode(): undefined when it read past the layer, else where the payload starts (-1: unchanged) */
function runDecode(c: Compiled, p: Packet, b: Buffer, off: number, end: number, vals: Float64Array): number | undefined {
  const view = new DataView(b.buffer, b.byteOffset + off, end - off);
  const access: FieldAccess = {
    get: (n) => {
      const s = c.byName.get(n);
      if (s === undefined || s.slot < 0) return undefined;
      const v = vals[s.slot];
      return Number.isNaN(v) ? undefined : v;
    },
    set: (n, v) => setField(c, p, n, v, vals),
  };
  try {
    const r = (c.spec.decode as NonNullable<ProtocolSpec["decode"]>)(view, access);
    if (typeof r === "number" && Number.isInteger(r) && r >= 0 && r <= end - off) return r;
    return -1;
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

function setField(c: Compiled, p: Packet, name: string, v: FieldValue, vals: Float64Array): void {
  const s = c.byName.get(name);
  if (s === undefined) throw new Error(`${c.spec.name}.decode: no field "${name}" in the spec`);
  const t = s.spec.type;
  const bytes = (x: FieldValue, n: number): Uint8Array => {
    if (!(x instanceof Uint8Array) || x.length !== n) throw new Error(`${c.spec.name}.decode: ${name} takes ${n} bytes`);
    return x;
  };
  if (isInt(t) && INTS[t].bytes === 8) {
    if (!(typeof v === "number" && Number.isInteger(v)) && typeof v !== "bigint") throw new Error(`${c.spec.name}.decode: ${name} takes an integer (a number or a bigint)`);
    const big = BigInt(v);
    p.s(s.def, text64(INTS[t].signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big), s.spec.base === "hex"));
    if (s.slot >= 0 && Number.isNaN(vals[s.slot])) vals[s.slot] = Number(big);
  } else if (isInt(t) || t === "float" || t === "double" || t === "boolean" || t === "ipv4") {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${c.spec.name}.decode: ${name} takes a number`);
    const x = t === "boolean" ? (v ? 1 : 0) : t === "ipv4" ? v >>> 0 : v;
    p.u(s.def, x);
    if (s.slot >= 0 && Number.isNaN(vals[s.slot])) vals[s.slot] = x;
  } else if (t === "ipv6") p.ipv6(s.def, bytes(v, 16), 0);
  else if (t === "ether") p.mac(s.def, bytes(v, 6), 0);
  else if (t === "bytes") {
    const x = v instanceof Uint8Array ? v : Buffer.from(String(v), "latin1");
    p.s(s.def, bytesText(x, 0, x.length));
  } else p.s(s.def, typeof v === "string" ? v : stringText(v as Uint8Array, 0, (v as Uint8Array).length));
}

function handOn(c: Compiled, p: Packet, b: Buffer, off: number, end: number, vals: Float64Array, sport: number, dport: number): void {
  if (off >= end) return;
  let target = c.nextName;
  if (c.nextTable !== undefined) {
    const v = vals[c.nextSlot];
    if (!Number.isNaN(v)) target = c.nextTable.get(v);
  }
  if (target === undefined) return;
  const custom = defined.get(target);
  if (custom !== undefined) { (customDecoders.get(target) as ReturnType<typeof decoderOf>)(p, b, off, end, sport, dport); return; }
  const bp = builtinProtocol(target);
  if (bp?.decode !== undefined) bp.decode(p, b, off, end);
  else if (bp?.decodePayload !== undefined && !bp.decodePayload(p, b, off, end, sport, dport)) p.enter("data");
}

const customDecoders = new Map<string, ReturnType<typeof decoderOf>>();

/**
 * Defines a protocol from its spec: its fields join the registry (captures opened afterwards
 * have their columns) and its decoder the dispatch tables. Throws ProtocolSpecError naming the
 * spec and the field. Defining the same spec again (a notebook cell run twice) replaces its
 * decoder and tables; its fields cannot change once defined.
 */
export function defineProtocol(spec: ProtocolSpec): { name: string; fields: string[] } {
  const k = compile(spec);
  const prev = defined.get(spec.name);
  if (prev !== undefined && prev.signature !== k.signature) {
    fail(spec, undefined, "already defined with other fields (fields cannot change once defined: restart the kernel or rename the protocol)");
  }
  const defs = prev?.defs ?? new Map<string, FieldDef>();
  if (prev === undefined) {
    defineLayer(spec.name);
    for (const s of k.steps) {
      const o = fieldOptions(s);
      defs.set(s.spec.name, defineField(s.spec.name, { ...o, description: s.spec.title ?? s.spec.description ?? "", values: valueNames(s.spec) }));
    }
  } else for (const u of prev.unbind) u();
  for (const s of k.steps) s.def = defs.get(s.spec.name) as FieldDef;
  const c: Compiled = { ...k, unbind: [], defs, vals: new Float64Array(k.slots) };
  const dec = decoderOf(c);
  customDecoders.set(spec.name, dec);
  defined.set(spec.name, c);
  const plain = (p: Packet, b: Buffer, off: number, end: number): void => {
    // an EtherType or IP protocol: bytes that are not this protocol (too short) are data, as tshark
    if (!dec(p, b, off, end, 0, 0) && off < end) p.enter("data");
  };
  for (const [table, key, h] of k.over) {
    if (table === "udp.heuristic" || table === "tcp.heuristic") {
      const test = h as (payload: Uint8Array) => boolean;
      c.unbind.push(bind(table, 0, (p, b, off, end, sp, dp) => {
        if (end - off < c.minLength || !test(b.subarray(off, end))) return false;
        return dec(p, b, off, end, sp, dp);
      }));
    } else c.unbind.push(bind(table, key, table === "eth.type" || table === "ip.proto" ? plain : dec));
  }
  return { name: spec.name, fields: k.steps.map((s) => s.spec.name) };
}

/** The user-defined protocols so far, in definition order. */
export function definedProtocols(): string[] {
  return [...defined.keys()];
}
