/**
 * The field registry: every column of the packet table is a Wireshark display-filter field.
 * A field says its name, what kind of value it holds, how it is stored and how tshark prints it
 * (`-T fields`), so that the same field of the same packet prints the same text as tshark.
 *
 * Protocol decoders declare their own fields (`defineField` at the top of `src/decode/NAME.ts`)
 * and the protocol names they put in frame.protocols (`defineProtocol`; a field's protocol and a
 * dispatched protocol are declared by `defineField` and the decoder list themselves), which keeps a
 * protocol to one file. This module is the single list of field and protocol names (the display
 * filter reads both from here), and refuses a field name twice.
 */

/** How a value is shown (and how tshark prints it with `-T fields`). */
export type Display =
  | "dec" //    unsigned or signed decimal
  | "hex" //    0x-prefixed, zero-padded to `hexDigits`
  | "bool" //   1 / 0 (tshark prints booleans of -T fields as 1/0)
  | "ipv4" //   dotted quad from a 32-bit value
  | "ipv6" //   RFC 5952 text (dictionary-encoded)
  | "mac" //    aa:bb:cc:dd:ee:ff (dictionary-encoded)
  | "string" // text (dictionary-encoded)
  | "bytes" //  hex bytes (dictionary-encoded as "01:02:ab"; tshark prints "0102ab")
  | "time"; //  seconds since the epoch with 9 decimals (frame.time_epoch)

/** The numeric storage kinds of a column (the packet table's typed arrays are these). */
export type NumKind = "u8" | "u16" | "u32" | "i32" | "f64";

/**
 * Storage: a numeric typed column, a dictionary of strings, or "derived" for fields the table
 * computes from other storage (frame.number, frame.time_epoch, frame.protocols …).
 */
export type Storage = NumKind | "dict" | "derived";

export interface FieldDef {
  /** index into a table's column list */
  readonly id: number;
  /** Wireshark field name, e.g. "tcp.srcport" */
  readonly name: string;
  /** the protocol that declares it ("tcp") */
  readonly protocol: string;
  readonly display: Display;
  readonly storage: Storage;
  /** digits after 0x for `hex` */
  readonly hexDigits: number;
  readonly description: string;
  /** for a field computed from another stored field (tcp.flags.syn from tcp.flags): that field */
  readonly from?: FieldDef;
  /** and how its value is computed from the source value */
  readonly map?: (v: number) => number;
  /** tshark's text of a numeric value when neither dec nor hex says it (floats: %.6g) */
  readonly text?: (v: number) => string;
  /** value names (Wireshark's value_string): what a number means */
  readonly values?: ReadonlyMap<number, string>;
}

export interface FieldOptions {
  display?: Display;
  storage?: Storage;
  hexDigits?: number;
  description?: string;
  /** computed from another field's value on read, not stored (bits of a flags field, …) */
  from?: FieldDef;
  map?: (v: number) => number;
  text?: (v: number) => string;
  values?: ReadonlyMap<number, string>;
}

/** Options for a one-bit flag of a stored flags field: `bit(TCP.flags, 1)` is SYN. */
export function bit(from: FieldDef, shift: number, description: string): FieldOptions {
  return { display: "bool", from, map: (v) => (v >>> shift) & 1, description };
}

const byName = new Map<string, FieldDef>();
const all: FieldDef[] = [];
const protocols = new Set<string>();
const unmatched = new Set<string>();

export interface ProtocolOptions {
  /**
   * false for a layer tshark names in frame.protocols whose dissector puts nothing in the tree
   * ("ethertype"): the display filter knows the name and, as tshark's, matches no packet with it.
   */
  matches?: boolean;
}

/**
 * Declares a protocol name as it stands in frame.protocols and in display filters ("lcp", "data",
 * "ipv6.fraghdr"); returns it. Declaring a name again is harmless (several decoders enter "data").
 */
export function defineProtocol(name: string, opts: ProtocolOptions = {}): string {
  protocols.add(name);
  if (opts.matches === false) unmatched.add(name);
  return name;
}

/** Whether the display filter `name` (a protocol) matches the packets whose layers include it. */
export function protocolMatches(name: string): boolean {
  return !unmatched.has(name);
}

/** Whether `name` is a declared protocol (by `defineProtocol` or as the protocol of a field). */
export function isProtocol(name: string): boolean {
  return protocols.has(name);
}

/** All protocol names, in declaration order. */
export function protocolNames(): string[] {
  return [...protocols];
}

function defaultStorage(display: Display): Storage {
  switch (display) {
    case "ipv4": return "u32";
    case "ipv6": case "mac": case "string": case "bytes": return "dict";
    case "bool": return "u8";
    case "time": return "derived";
    default: return "u32";
  }
}

/** Declares a field and returns its definition (its `id` indexes the table's columns). */
export function defineField(name: string, opts: FieldOptions = {}): FieldDef {
  if (byName.has(name)) throw new Error(`field ${name} is defined twice`);
  const display = opts.display ?? "dec";
  const def: FieldDef = {
    id: all.length,
    name,
    protocol: name.split(".")[0],
    display,
    storage: opts.from ? "derived" : opts.storage ?? defaultStorage(display),
    hexDigits: opts.hexDigits ?? 4,
    description: opts.description ?? "",
    from: opts.from,
    map: opts.map,
    text: opts.text,
    values: opts.values,
  };
  all.push(def);
  byName.set(name, def);
  protocols.add(def.protocol);
  return def;
}

export function fieldByName(name: string): FieldDef | undefined {
  return byName.get(name);
}

/** All registered fields, in declaration order. */
export function allFields(): readonly FieldDef[] {
  return all;
}

/** Names of all fields, for error messages ("did you mean"). */
export function fieldNames(): string[] {
  return all.map((f) => f.name);
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

const HEX = "0123456789abcdef";

export function formatHex(v: number, digits: number): string {
  let s = v.toString(16);
  while (s.length < digits) s = "0" + s;
  return "0x" + s;
}

/** A MAC address held as a 48-bit integer, printed as tshark does (lower case, colons). */
export function formatMac(v: number): string {
  let s = "";
  for (let i = 5; i >= 0; i--) {
    const byte = Math.floor(v / 2 ** (8 * i)) & 255;
    s += HEX[byte >> 4] + HEX[byte & 15];
    if (i > 0) s += ":";
  }
  return s;
}

/** tshark's `-T fields` text of a stored value (numeric fields; dictionary values are text already). */
export function formatNumber(def: FieldDef, v: number): string {
  if (def.text !== undefined) return def.text(v);
  switch (def.display) {
    case "hex": return formatHex(v, def.hexDigits);
    case "ipv4": return formatIPv4(v);
    case "bool": return v ? "1" : "0";
    default: return String(v);
  }
}
