/**
 * The write side of the packet table. Decoders see one `Packet` (this builder positioned at the
 * current row) and write fields into it; nothing is allocated per packet.
 */
import { DictColumn, NumColumn } from "./column";
import { ConnectionIds } from "../decode/connections";
import type { Packet } from "../decode/packet";
import type { PayloadKind } from "../decode/packet";
import type { RecordSource } from "../io/records";
import { allFields, formatMac, type FieldDef } from "../fields/registry";
import { formatIPv6 } from "../fields/ipv6";

/** A node of the protocol-path trie ("eth:ethertype:ip:tcp:http"): one id per distinct stack. */
class ProtoNode {
  readonly children = new Map<string, ProtoNode>();
  /** the last child looked up (protocol names are constant strings: compared by identity first) */
  lastName = "";
  lastChild = -1;
  constructor(readonly id: number, readonly path: string, readonly name: string) {}
}

export class ProtocolPaths {
  readonly nodes: ProtoNode[] = [];
  readonly root: ProtoNode;
  constructor() {
    this.root = new ProtoNode(0, "", "");
    this.nodes.push(this.root);
  }
  child(parent: number, name: string): number {
    const p = this.nodes[parent];
    if (p.lastName === name) return p.lastChild;
    let c = p.children.get(name);
    if (c === undefined) {
      c = new ProtoNode(this.nodes.length, p.path === "" ? name : `${p.path}:${name}`, name);
      this.nodes.push(c);
      p.children.set(name, c);
    }
    p.lastName = name;
    p.lastChild = c.id;
    return c.id;
  }
  path(id: number): string {
    return this.nodes[id].path;
  }
}

/** Default longest string value kept in a table (characters); see TableBuilder.s. */
export const MAX_STRING = 4096;
/** What ends a string value cut to the limit. */
export const STRING_CUT_MARK = "…[cut]";

export { MAX_DEPTH } from "../decode/packet";
import { MAX_DEPTH } from "../decode/packet";

/**
 * Where each packet's layers are, kept per row so the replay pass (src/stream/replay.ts) hands
 * every consumer the bytes the decoders found without decoding again: offsets from the start of
 * the record. `pay` packs the transport payload's start and kind (start * 4 + kind), `payEnd` its
 * end; `frag`/`fragEnd` an IP fragment's data (sparse: fragments are rare).
 */
export class Layers {
  readonly pay = new NumColumn("u32");
  readonly payEnd = new NumColumn("u32");
  readonly frag = new NumColumn("u32");
  readonly fragEnd = new NumColumn("u32");
  bytes(): number {
    return this.pay.bytes() + this.payEnd.bytes() + this.frag.bytes() + this.fragEnd.bytes();
  }
}

export class TableBuilder implements Packet {
  /** the row being written (frame.number - 1) */
  row = -1;
  /** number of finished rows */
  count = 0;
  /** column storage by field id; null when the field is not kept */
  readonly num: (NumColumn | null)[] = [];
  readonly dict: (DictColumn | null)[] = [];
  /** frame time: whole seconds (absent when the record has none) and nanoseconds */
  readonly timeSec = new NumColumn("u32");
  readonly timeNsec = new NumColumn("u32");
  /** interface index per row (pcapng), and link type per interface */
  readonly iface = new NumColumn("u16");
  /** record comments (pcapng opt_comment) */
  readonly comments = new Map<number, string>();
  /** protocol path id per row */
  readonly protoPath = new NumColumn("u16");
  readonly paths = new ProtocolPaths();
  /** rows that a decoder flagged as malformed (a header shorter than it claims, …) */
  readonly malformed = new NumColumn("u8");
  /** where each row's layers are (see Layers) */
  readonly layers = new Layers();
  /**
   * Where the rows' records can be read again (the file, or a live capture's retained records):
   * set by open() and live(); the replay pass reads it.
   */
  source: RecordSource | null = null;
  /** the current record's start in the buffer decoders read */
  private recOff = 0;
  /** > 0 while a quoted packet (ICMP error) is decoded: its headers are no payload */
  private quoting = 0;
  /** current packet's protocol path and nesting depth */
  private path = 0;
  depth = 0;
  /**
   * Scratch for the current packet: the reported length of the innermost IP payload (from the
   * IP header, not the captured bytes), so TCP can compute tcp.len on snaplen-cut packets.
   */
  ipPayloadLen = -1;
  /** how many tunnels (GRE, VXLAN, IP-in-IP …) the decoders have entered in this packet */
  tunnel = 0;
  /**
   * The innermost IP header decoded so far in this packet: its offset in the record's buffer and
   * version (0 when none). Payload decoders that keep per-connection state (TLS, QUIC) key it
   * with the addresses found there (`connectionKey`).
   */
  ipOff = -1;
  ipVersion = 0;

  /**
   * @param keep which fields to store (all registered fields when omitted). Fields that are not
   * kept cost nothing: writes to them are dropped.
   */
  constructor(keep?: ReadonlySet<string>) {
    for (const f of allFields()) {
      const on = keep === undefined || keep.has(f.name);
      this.num.push(on && f.storage !== "dict" && f.storage !== "derived" ? new NumColumn(f.storage) : null);
      this.dict.push(on && f.storage === "dict" ? new DictColumn() : null);
    }
  }

  /** Starts a new row; `recOff` is where the record starts in the buffer the decoders get. */
  begin(recOff = 0): void {
    this.row = this.count;
    this.recOff = recOff;
    this.path = 0;
    this.depth = 0;
    this.ipPayloadLen = -1;
    this.tunnel = 0;
    this.ipOff = -1;
    this.ipVersion = 0;
  }

  /** Finishes the current row. */
  end(): void {
    this.protoPath.set(this.row, this.path);
    this.count = this.row + 1;
  }

  frameTime(sec: number, nsec: number): void {
    this.timeSec.set(this.row, sec);
    this.timeNsec.set(this.row, nsec);
  }

  frameInterface(iface: number): void {
    this.iface.set(this.row, iface);
  }

  payload(kind: PayloadKind, off: number, end: number): void {
    if (this.quoting > 0 || end < off) return;
    this.layers.pay.put(this.row, (off - this.recOff) * 4 + kind);
    this.layers.payEnd.put(this.row, end - this.recOff);
  }

  fragment(off: number, end: number): void {
    if (this.quoting > 0 || end < off) return;
    this.layers.frag.put(this.row, off - this.recOff);
    this.layers.fragEnd.put(this.row, end - this.recOff);
  }

  /** A numeric field (first occurrence wins). */
  u(f: FieldDef, v: number): void {
    const c = this.num[f.id];
    if (c !== null) c.set(this.row, v);
  }

  /** Longest string value kept (`maxStringLength`); a longer one is cut and ends with STRING_CUT_MARK. */
  maxString = MAX_STRING;
  /** string values cut to maxString so far (reported in the capture's warnings) */
  cutStrings = 0;

  /** `v` cut to maxString (and counted) when longer: every string kept goes through it. */
  cut(v: string): string {
    if (v.length <= this.maxString) return v;
    this.cutStrings++;
    return v.slice(0, this.maxString) + STRING_CUT_MARK;
  }

  /** A string field. */
  s(f: FieldDef, v: string): void {
    const c = this.dict[f.id];
    if (c === null) return;
    c.setString(this.row, this.cut(v));
  }

  /** connection ids for decoders with per-connection state (see `connection`) */
  readonly connections = new ConnectionIds();

  /**
   * The current packet's connection id (innermost IP addresses and these ports, the same in both
   * directions; small integers from 0); `connections.fromLower` then tells the direction. No
   * allocation for a known connection. Packets without an IP header share the ports-only id.
   */
  connection(b: Uint8Array, srcport: number, dstport: number): number {
    const o = this.ipOff;
    if (this.ipVersion === 4 && o >= 0) return this.connections.id(b, o + 12, o + 16, 4, srcport, dstport);
    if (this.ipVersion === 6 && o >= 0) return this.connections.id(b, o + 8, o + 24, 16, srcport, dstport);
    return this.connections.id(b, 0, 0, 0, srcport, dstport);
  }

  /**
   * Decodes a packet quoted inside this one (an ICMP error's copy of the offending datagram). A
   * quote is not a tunnel: while it is decoded the tunnel count is 0, so its IP header does not
   * become the packet's innermost one (inner.* fields).
   */
  quoted(decode: (p: Packet, b: Buffer, off: number, end: number) => void, b: Buffer, off: number, end: number): void {
    const tunnel = this.tunnel;
    this.tunnel = 0;
    this.quoting++;
    try {
      decode(this, b, off, end);
    } finally {
      this.quoting--;
      this.tunnel = tunnel;
    }
  }

  /** A numeric field where the last occurrence wins (innermost header of a tunnel). */
  uLast(f: FieldDef, v: number): void {
    const c = this.num[f.id];
    if (c !== null) c.put(this.row, v);
  }

  /** An IPv4 address field, last occurrence wins. */
  ipv4Last(f: FieldDef, b: Uint8Array, off: number): void {
    const c = this.num[f.id];
    if (c !== null) c.put(this.row, ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0);
  }

  /** An IPv6 address field, last occurrence wins. */
  ipv6Last(f: FieldDef, b: Uint8Array, off: number): void {
    const c = this.dict[f.id];
    if (c !== null) c.setBytes(this.row, b, off, 16, formatIPv6, true);
  }

  /** Whether the current row already has a value for `f` (a tunnel's outer header set it). */
  has(f: FieldDef): boolean {
    const c = f.storage === "dict" ? this.dict[f.id]?.codes : this.num[f.id];
    return c != null && c.get(this.row) !== undefined;
  }

  /** A MAC address field from 6 bytes at `off`. */
  mac(f: FieldDef, b: Uint8Array, off: number): void {
    const c = this.dict[f.id];
    if (c === null) return;
    c.setBytes(this.row, b, off, 6, macText);
  }

  /** An IPv4 address field from 4 bytes at `off`. */
  ipv4(f: FieldDef, b: Uint8Array, off: number): void {
    const c = this.num[f.id];
    if (c !== null) c.set(this.row, ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0);
  }

  /** An IPv6 address field from 16 bytes at `off`. */
  ipv6(f: FieldDef, b: Uint8Array, off: number): void {
    const c = this.dict[f.id];
    if (c === null) return;
    c.setBytes(this.row, b, off, 16, formatIPv6);
  }

  /** Enters a protocol layer: extends the row's protocol path. Returns false past MAX_DEPTH. */
  enter(name: string): boolean {
    if (++this.depth > MAX_DEPTH) return false;
    this.path = this.paths.child(this.path, name);
    return true;
  }

  /** packets per user-defined protocol that were too short for its fields (see `short`) */
  readonly shortLayers = new Map<string, number>();

  /**
   * A user-defined protocol's layer too short for its fields: counted per protocol (not malformed:
   * as a Lua dissector that adds the fields that fit and stops).
   */
  short(protocol: string): void {
    this.shortLayers.set(protocol, (this.shortLayers.get(protocol) ?? 0) + 1);
  }

  /** Marks the current row malformed (a decoder stopped on a short or lying header). */
  bad(): void {
    this.malformed.set(this.row, 1);
  }
}


function macText(b: Uint8Array, off: number): string {
  return formatMac((b[off] * 0x10000 + ((b[off + 1] << 8) | b[off + 2])) * 0x1000000 +
    ((b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]));
}
