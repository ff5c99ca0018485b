/**
 * A decoded capture: columns named by Wireshark field names over the packet rows, plus what the
 * file said of itself. Values are read per column (`column(name).get(row)`), handed to danfo as a
 * DataFrame (`packets()`), or printed as tshark prints them (`column(name).text(row)`).
 */
import { allFields, fieldByName, fieldNames, formatNumber, type FieldDef } from "../fields/registry";
import type { CaptureInfo } from "../io/records";
import type { TableBuilder } from "./builder";
import type { NumColumn } from "./column";
import { linkTypeName } from "./linktypes";
import { rowObjects } from "./rows";

export type Value = number | string | undefined;

/** One column of a capture. */
export interface Column {
  readonly name: string;
  readonly def: FieldDef;
  /** the value: a number, or text for addresses and strings; undefined when absent */
  get(row: number): Value;
  /** the text tshark prints for this field with -T fields (empty when absent) */
  text(row: number): string;
}

export interface CaptureSummary {
  file: string;
  format: string;
  packets: number;
  /** bytes on the wire (sum of frame.len) and captured (sum of frame.cap_len) */
  bytes: number;
  capturedBytes: number;
  first?: number;
  last?: number;
  duration: number;
  linkTypes: string[];
  protocols: { protocol: string; packets: number }[];
  malformed: number;
  warnings: string[];
}

function pad9(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : "000000000".slice(s.length) + s;
}

/** seconds.nanoseconds text of a (possibly negative) difference */
function timeText(sec: number, nsec: number): string {
  if (sec < 0 || (sec === 0 && nsec < 0)) {
    // negative: normalise to -(|sec|.|nsec|)
    let s = -sec, ns = -nsec;
    if (ns < 0) { s -= 1; ns += 1e9; }
    return `-${s}.${pad9(ns)}`;
  }
  if (nsec < 0) { sec -= 1; nsec += 1e9; }
  return `${sec}.${pad9(nsec)}`;
}

export class Capture {
  /** every field this capture has at least one value for, in registry order */
  readonly columns: string[];
  private readonly cache = new Map<string, Column>();
  private firstRow = -1;

  constructor(
    readonly path: string,
    private readonly t: TableBuilder,
    readonly info: CaptureInfo,
    readonly warnings: string[],
    /** for a view (a filter's result): the rows of the full table it shows, in order */
    private readonly index: Uint32Array | null = null,
    columns?: string[],
  ) {
    for (let r = 0; r < t.count; r++) if (t.timeSec.get(r) !== undefined) { this.firstRow = r; break; }
    this.columns = columns ?? allFields().filter((f) => this.hasAny(f)).map((f) => f.name);
  }

  /** number of packets (rows) */
  get count(): number {
    return this.index === null ? this.t.count : this.index.length;
  }

  /** whether this is a view of some rows of a capture (a filter's result) */
  get isView(): boolean {
    return this.index !== null;
  }

  /**
   * A view of some rows: `rows` are row numbers of this capture (0-based), in the order wanted.
   * Views share the capture's storage: a view of 1M rows costs 4 MB.
   */
  select(rows: ArrayLike<number>): Capture {
    const idx = new Uint32Array(rows.length);
    const n = this.t.count;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!(r >= 0 && r < this.count)) throw new RangeError(`row ${r} is outside 0…${this.count - 1}`);
      idx[i] = this.index === null ? r : this.index[r];
    }
    if (n === 0) return this;
    return new Capture(this.path, this.t, this.info, this.warnings, idx, this.columns);
  }

  /**
   * The packets a Wireshark display filter selects, as a view: `cap.filter("tcp.port == 443")`.
   * The filter engine lives in src/filter (it registers itself here, keeping the table free of it).
   */
  filter(expression: string): Capture {
    if (Capture.filterEngine === undefined) throw new Error("display filters are not available (src/filter is not loaded)");
    return this.select(Capture.filterEngine(this, expression));
  }

  /**
   * @internal readers of derived fields declared outside the table (src/enrich: communityid, GeoIP):
   * `has` tells whether a table has values, `reader` reads a full-table row.
   */
  static readonly derivedReaders = new Map<string, {
    has(t: TableBuilder): boolean;
    reader(t: TableBuilder): { get(r: number): Value; text(r: number): string };
  }>();

  /** @internal set by src/filter: compiles and runs a display filter, returning matching rows */
  static filterEngine: ((c: Capture, expression: string) => ArrayLike<number>) | undefined;

  /** The first `n` packets (a view). */
  head(n = 10): Capture {
    return this.select(Array.from({ length: Math.min(n, this.count) }, (_, i) => i));
  }

  /** The row of the full table that view row `i` shows. */
  baseRow(i: number): number {
    return this.index === null ? i : this.index[i];
  }

  /** @internal storage for fast scans (filters, statistics): the table and the view's rows */
  get storage(): { table: TableBuilder; index: Uint32Array | null } {
    return { table: this.t, index: this.index };
  }

  private hasAny(f: FieldDef): boolean {
    if (f.from !== undefined) return this.hasAny(f.from);
    if (f.storage === "derived") {
      if (f.name === "frame.comment") return this.t.comments.size > 0;
      if (f.name === "frame.interface_id") return this.info.interfaces.length > 1;
      const ext = Capture.derivedReaders.get(f.name);
      if (ext !== undefined) return ext.has(this.t);
      return this.t.count > 0;
    }
    if (f.name === "frame.cap_len") return this.t.count > 0;
    const c = f.storage === "dict" ? this.t.dict[f.id]?.codes : this.t.num[f.id];
    return c != null && c.any();
  }

  /** The column for a field name; throws for an unknown field or one not kept (`columns` option). */
  column(name: string): Column {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const def = fieldByName(name);
    if (def === undefined) {
      const near = fieldNames().filter((n) => n.startsWith(name.split(".")[0] + ".")).slice(0, 8);
      throw new Error(`unknown field "${name}"${near.length ? `; fields of that protocol: ${near.join(", ")}` : ""}`);
    }
    const base = this.makeColumn(def);
    const idx = this.index;
    const col: Column = idx === null ? base : {
      name: base.name, def, get: (i) => base.get(idx[i]), text: (i) => base.text(idx[i]),
    };
    this.cache.set(name, col);
    return col;
  }

  private makeColumn(def: FieldDef): Column {
    const t = this.t;
    const mk = (get: (r: number) => Value, text: (r: number) => string): Column => ({ name: def.name, def, get, text });
    if (def.from !== undefined) {
      const src = t.num[def.from.id], map = def.map as (v: number) => number;
      if (src === null) throw new Error(`field "${def.name}" was not loaded: it is computed from ${def.from.name} (see the columns option of open())`);
      const get = (r: number) => { const v = src.get(r); return v === undefined ? undefined : map(v); };
      return mk(get, (r) => { const v = get(r); return v === undefined ? "" : formatNumber(def, v); });
    }
    if (def.storage === "derived") return this.derived(def, mk);
    if (def.name === "frame.cap_len") {
      // stored only where a snaplen cut it: elsewhere it is frame.len
      const cap = t.num[def.id] as NumColumn, len = t.num[fieldByName("frame.len")!.id] as NumColumn;
      const get = (r: number) => cap.get(r) ?? len.get(r);
      return mk(get, (r) => String(get(r) ?? ""));
    }
    if (def.storage === "dict") {
      const c = t.dict[def.id];
      if (c === null) throw new Error(`field "${def.name}" was not loaded (see the columns option of open())`);
      // bytes are kept as "01:02:ab" (the filter's byte text); tshark prints them "0102ab", none "<MISSING>"
      // integers kept as their exact text (64-bit): the text prints, the value is a number where one holds it exactly
      if (def.display === "dec" || def.display === "hex") {
        return mk((r) => { const v = c.get(r); if (v === undefined) return undefined; const n = Number(v); return Number.isSafeInteger(n) ? n : v; }, (r) => c.get(r) ?? "");
      }
      if (def.display === "bytes") return mk((r) => c.get(r), (r) => { const v = c.get(r); return v === undefined ? "" : v === "" ? "<MISSING>" : v.replace(/:/g, ""); });
      return mk((r) => c.get(r), (r) => c.get(r) ?? "");
    }
    const c = t.num[def.id];
    if (c === null) throw new Error(`field "${def.name}" was not loaded (see the columns option of open())`);
    if (def.display === "ipv4") {
      return mk((r) => { const v = c.get(r); return v === undefined ? undefined : formatNumber(def, v); },
        (r) => { const v = c.get(r); return v === undefined ? "" : formatNumber(def, v); });
    }
    return mk((r) => c.get(r), (r) => { const v = c.get(r); return v === undefined ? "" : formatNumber(def, v); });
  }

  private derived(def: FieldDef, mk: (get: (r: number) => Value, text: (r: number) => string) => Column): Column {
    const t = this.t;
    const sec = t.timeSec, ns = t.timeNsec;
    const first = this.firstRow;
    switch (def.name) {
      case "frame.number":
        return mk((r) => r + 1, (r) => String(r + 1));
      case "frame.time_epoch":
        return mk((r) => { const s = sec.get(r); return s === undefined ? undefined : s + (ns.get(r) as number) / 1e9; },
          (r) => { const s = sec.get(r); return s === undefined ? "" : `${s}.${pad9(ns.get(r) as number)}`; });
      case "frame.time_relative":
      case "frame.time_delta": {
        const rel = def.name === "frame.time_relative";
        const base = (r: number): number => {
          if (rel) return first;
          for (let q = r - 1; q >= 0; q--) if (sec.get(q) !== undefined) return q;
          return r;
        };
        const diff = (r: number): [number, number] | undefined => {
          const s = sec.get(r);
          if (s === undefined || first < 0) return undefined;
          const b = base(r);
          return [s - (sec.get(b) as number), (ns.get(r) as number) - (ns.get(b) as number)];
        };
        return mk((r) => { const d = diff(r); return d === undefined ? undefined : d[0] + d[1] / 1e9; },
          (r) => { const d = diff(r); return d === undefined ? "" : timeText(d[0], d[1]); });
      }
      case "frame.interface_id":
        return mk((r) => t.iface.get(r) ?? 0, (r) => String(t.iface.get(r) ?? 0));
      case "frame.protocols":
        return mk((r) => t.paths.path(t.protoPath.get(r) ?? 0), (r) => t.paths.path(t.protoPath.get(r) ?? 0));
      case "frame.comment":
        return mk((r) => t.comments.get(r), (r) => t.comments.get(r) ?? "");
      default: {
        const ext = Capture.derivedReaders.get(def.name);
        if (ext === undefined) throw new Error(`derived field ${def.name} has no reader`);
        const rd = ext.reader(t);
        return mk((r) => rd.get(r), (r) => rd.text(r));
      }
    }
  }

  /** Rows a decoder flagged as malformed. */
  get malformed(): number {
    if (this.index === null) return this.t.malformed.present;
    let n = 0;
    for (const r of this.index) if (this.t.malformed.get(r) !== undefined) n++;
    return n;
  }

  /** Packets per protocol (a packet counts once for each protocol in its stack). */
  protocolCounts(): { protocol: string; packets: number }[] {
    const perPath = new Map<number, number>();
    if (this.index === null) this.t.protoPath.forEach((_r, v) => perPath.set(v, (perPath.get(v) ?? 0) + 1));
    else for (const r of this.index) { const v = this.t.protoPath.get(r) ?? 0; perPath.set(v, (perPath.get(v) ?? 0) + 1); }
    const perProto = new Map<string, number>();
    for (const [id, n] of perPath) {
      const names = new Set(this.t.paths.path(id).split(":").filter((x) => x !== "" && x !== "ethertype"));
      for (const name of names) perProto.set(name, (perProto.get(name) ?? 0) + n);
    }
    return [...perProto].map(([protocol, packets]) => ({ protocol, packets })).sort((a, b) => b.packets - a.packets || (a.protocol < b.protocol ? -1 : 1));
  }

  /** What capinfos tells, plus packets per protocol. */
  summary(): CaptureSummary {
    let bytes = 0, cap = 0;
    let first: number | undefined, last: number | undefined;
    const lenCol = this.column("frame.len"), capCol = this.column("frame.cap_len"), time = this.column("frame.time_epoch");
    for (let i = 0; i < this.count; i++) {
      bytes += lenCol.get(i) as number;
      cap += capCol.get(i) as number;
      const x = time.get(i) as number | undefined;
      if (x === undefined) continue;
      if (first === undefined || x < first) first = x;
      if (last === undefined || x > last) last = x;
    }
    const lts = [...new Set(this.info.interfaces.map((i) => linkTypeName(i.linkType)))];
    const s: CaptureSummary = {
      file: this.path,
      format: `${this.info.format}${this.info.gzip ? " (gzip)" : ""}`,
      packets: this.count,
      bytes,
      capturedBytes: cap,
      first,
      last,
      duration: first === undefined || last === undefined ? 0 : last - first,
      linkTypes: lts,
      protocols: this.protocolCounts(),
      malformed: this.malformed,
      warnings: this.warnings,
    };
    // display() shows a summary as the capture card: the brand (not enumerable, not in JSON) leads back here
    Object.defineProperty(s, Symbol.for("wirebook.captureSummary"), { value: this, enumerable: false });
    return s;
  }

  /**
   * The packets as a danfo DataFrame (danfo is loaded on first call). `columns` defaults to the
   * fields most analyses start from that this capture has, after `frame.time`: the packet's time
   * as a datetime (ISO 8601 text with nanoseconds, UTC unless `opts.timeZone` names a zone; danfo's
   * `.dt` reads it). Relative times are seconds (float); absent values are null.
   */
  async packets(columns?: string[], opts: import("./danfo").DataFrameOptions = {}): Promise<import("./danfo").DataFrame> {
    const { toDataFrame } = await import("./danfo");
    return toDataFrame(this, columns ?? this.defaultColumns(), opts);
  }

  /** The default columns of `packets()`: first frame.time (a DataFrame's datetime, src/table/danfo.ts: FRAME_TIME). */
  defaultColumns(): string[] {
    const want = ["frame.number", "frame.time_relative", "frame.len", "eth.src", "eth.dst", "ip.src", "ip.dst",
      "ipv6.src", "ipv6.dst", "ip.proto", "tcp.srcport", "tcp.dstport", "tcp.flags", "udp.srcport", "udp.dstport",
      "dns.qry.name", "http.host", "tls.handshake.extensions_server_name", "frame.protocols"];
    const have = new Set(this.columns);
    return ["frame.time", ...want.filter((c) => have.has(c))];
  }

  /** Plain rows (objects keyed by field name) for small slices: `rows(["ip.src"], 0, 10)`. */
  rows(columns: string[], from = 0, to = this.count): Record<string, Value>[] {
    return rowObjects(columns.map((c) => this.column(c)), from, Math.min(to, this.count));
  }

  /** Bytes held by the table's columns. */
  memoryBytes(): number {
    let b = this.t.timeSec.bytes() + this.t.timeNsec.bytes() + this.t.protoPath.bytes() + this.t.iface.bytes();
    for (const c of this.t.num) if (c) b += c.bytes();
    for (const c of this.t.dict) if (c) b += c.bytes();
    return b;
  }
}
