/**
 * Live capture, the API: `wb.live()` → a Capture (the same table as a file gives), `wb.sniff()`
 * streaming decoded packets (callback and async iterator), `wb.devices()`, and `capture.save()`.
 *
 * Packets take the same path as a file's records: src/io/livecap.ts hands each one, with the
 * kernel's timestamp and wire length, to `decodingSink()` of src/table/load.ts (TableBuilder +
 * decodeFrame). Nothing loads the native binding until a live function is called, so Wirebook
 * works without it.
 *
 * `save()` comes from here by module augmentation (as `flows()` does from src/flows), keeping
 * capture.ts free of it. A live capture keeps its raw pcap records for it (appended batch by
 * batch: the packets' bytes once more, plus 8 bytes a packet); a file capture is re-read from its
 * file (and must be unchanged).
 */
import * as fsp from "fs";
import * as nodePath from "path";
import { readCapture } from "../io/reader";
import { retainedSource } from "../io/replay";
import type { CaptureInfo, RecordSink } from "../io/records";
import { MAX_PACKET } from "../io/records";
import { PcapngWriter, PcapWriter } from "../io/writer";
import { tempBeside } from "../io/tempfile";
import { Capture, type Value } from "./capture";
import { decodingSink } from "./load";
import type { TableBuilder } from "./builder";
import {
  LiveCaptureError, RawRecords, startSession, type LiveOptions, type LiveSession, type LiveStats,
} from "../io/livecap";

export { devices, liveStatus, pcapVersion, LiveCaptureError, type LiveStatus, type Device, type DeviceAddress, type LiveOptions, type LiveStats, type StopReason } from "../io/livecap";

export interface LiveCaptureOptions extends LiveOptions {
  /** keep only these fields (as `open()`'s option); frame.* are always kept */
  columns?: string[];
  /**
   * keep the raw records (default true): what save() writes and what the application tables,
   * files, detectors and rules read (the replay pass). Without them the capture has its packet
   * columns and flows only.
   */
  keepRecords?: boolean;
  /** at most this many bytes of records are kept (default 1 GiB); the packets past it are counted in warnings */
  maxRecordBytes?: number;
}

/** What a live capture remembers of itself (per table, so views share it). */
interface LiveOrigin {
  raw: RawRecords | null;
  nanosecond: boolean;
  linkType: number;
  snaplen: number;
  device: string;
  stats: LiveStats;
}
const origins = new WeakMap<TableBuilder, LiveOrigin>();

function liveInfo(s: { device: string; linkType: number; snaplen: number; nanosecond: boolean }): CaptureInfo {
  return {
    format: "pcap",
    gzip: false,
    bigEndian: false,
    nanosecond: s.nanosecond,
    interfaces: [{ linkType: s.linkType, snaplen: s.snaplen, unitsPerSecond: s.nanosecond ? 1e9 : 1e6, offsetSeconds: 0, name: s.device, description: "live capture" }],
    comments: [`live capture on ${s.device}`],
    sections: 1,
  };
}

/**
 * Captures from an interface until `count` packets, `seconds` elapsed or `signal` aborted (at least
 * one is required), and decodes them into a Capture: the same columns, values and API as a file.
 * `capture.liveStats` tells packets received and dropped (pcap_stats) and why it stopped.
 */
export async function live(opts: LiveCaptureOptions = {}): Promise<Capture> {
  if (opts.count === undefined && opts.seconds === undefined && opts.signal === undefined) {
    throw new LiveCaptureError("EINVAL", "live() needs a stop condition: count, seconds or signal");
  }
  const d = decodingSink({ columns: opts.columns });
  const raw = opts.keepRecords === false ? null : new RawRecords();
  if (raw !== null && opts.maxRecordBytes !== undefined) raw.maxBytes = Math.max(0, opts.maxRecordBytes);
  const s = startSession(opts, d.sink, raw ?? undefined);
  const stats = await s.done;
  const name = `live:${s.device}`;
  const warnings = d.warnings();
  if (raw !== null) {
    d.table.source = retainedSource(name, raw, s.linkType, s.nanosecond);
    if (raw.skipped > 0) warnings.push(`${raw.skipped} packets past the ${raw.maxBytes}-byte record cap (maxRecordBytes) were decoded but not kept: save() and the payload tables (dns, http, tls, files, rules …) see only the first ${raw.count}`);
  }
  const cap = new Capture(name, d.table, liveInfo(s), warnings);
  origins.set(d.table, { raw, nanosecond: s.nanosecond, linkType: s.linkType, snaplen: s.snaplen, device: s.device, stats });
  return cap;
}

// ---------------------------------------------------------------------------------------------
// sniff: decoded packets one at a time

/** Rows per table segment of a sniff (older segments are freed once their packets are). */
const SEGMENT = 65536;

interface Segment {
  table: TableBuilder;
  sink: RecordSink;
  capture: Capture | null;
  info: CaptureInfo;
}

function segmentCapture(seg: Segment): Capture {
  if (seg.capture === null) seg.capture = new Capture("live", seg.table, seg.info, []);
  return seg.capture;
}

/** One sniffed packet: its header facts, bytes, and its decoded fields by Wireshark name. */
export class LivePacket {
  constructor(
    private readonly seg: Segment,
    private readonly row: number,
    /** frame.number: 1 for the first packet of the sniff */
    readonly number: number,
    /** kernel timestamp: seconds since the epoch and nanoseconds within the second */
    readonly sec: number,
    readonly nsec: number,
    /** seconds since the first packet of the sniff */
    readonly relative: number,
    /** length on the wire and bytes captured */
    readonly len: number,
    readonly caplen: number,
    readonly linkType: number,
    /** the captured bytes (a copy) */
    readonly data: Buffer,
  ) {}

  /** frame.time_epoch as a number */
  get time(): number {
    return this.sec + this.nsec / 1e9;
  }

  /** A field's value (number, or text for addresses and strings), undefined when absent. */
  get(field: string): Value {
    if (field === "frame.number") return this.number;
    if (field === "frame.time_relative") return this.relative;
    return segmentCapture(this.seg).column(field).get(this.row);
  }

  /** A field as tshark prints it with -T fields ("" when absent). */
  text(field: string): string {
    if (field === "frame.number") return String(this.number);
    if (field === "frame.time_relative") return this.relative.toFixed(9);
    return segmentCapture(this.seg).column(field).text(this.row);
  }

  /** The protocol stack, outermost first (frame.protocols split): ["eth", "ethertype", "ip", "udp", "data"] */
  get protocols(): string[] {
    return this.text("frame.protocols").split(":").filter((p) => p !== "");
  }

  /** One line, as tshark prints a packet: number, time, source → destination, protocol, length, info. */
  summary(): string {
    return summaryLine(segmentCapture(this.seg), this.row, this.number, this.relative);
  }
}

export interface SniffOptions extends LiveOptions {
  /** called for each packet, in order; throwing stops the sniff (the sniff's promise rejects) */
  onPacket?: (p: LivePacket) => void;
  /** keep only these fields (frame.* always) */
  columns?: string[];
  /**
   * packets waiting for an async iterator to take them, at most (default 100000; more are counted
   * in `skipped`). Without `onPacket` packets are queued from the start; with it, from the moment
   * iteration begins.
   */
  queue?: number;
}

export interface SniffResult extends LiveStats {
  /** packets an async iterator was too slow to take (the queue was full) */
  skipped: number;
}

/**
 * A running sniff: `await` it (resolves when it stops), iterate it (`for await (const p of s)`;
 * leaving the loop stops it), or `stop()` it.
 */
export class Sniffer implements AsyncIterable<LivePacket>, PromiseLike<SniffResult> {
  /** resolves with the statistics when the sniff stops; rejects when onPacket threw */
  readonly done: Promise<SniffResult>;
  private readonly session: LiveSession;
  private readonly queue: LivePacket[] = [];
  private head = 0;
  private waiting: { resolve: (r: IteratorResult<LivePacket>) => void; reject: (e: unknown) => void } | null = null;
  private finished = false;
  private error: unknown = null;
  private skipped = 0;
  private iterated = false;

  /** @internal use `sniff()` */
  constructor(opts: SniffOptions) {
    const info = { device: "", linkType: 0, snaplen: opts.snaplen ?? 262144, nanosecond: false };
    let seg: Segment | null = null;
    let number = 0, firstSec = -1, firstNsec = 0;
    const maxQueue = opts.queue ?? 100000;
    const onPacket = opts.onPacket;
    // without a callback the packets are for an iterator: keep them from the start
    this.iterated = onPacket === undefined;
    const sink: RecordSink = {
      record: (b, off, caplen, len, sec, nsec, linkType, iface, comment) => {
        if (seg === null || seg.table.count >= SEGMENT) {
          const d = decodingSink({ columns: opts.columns });
          seg = { table: d.table, sink: d.sink, capture: null, info: liveInfo({ ...info, device: this.session.device, linkType, nanosecond: this.session.nanosecond }) };
        }
        seg.sink.record(b, off, caplen, len, sec, nsec, linkType, iface, comment);
        if (firstSec < 0) { firstSec = sec; firstNsec = nsec; }
        const rel = (sec - firstSec) + (nsec - firstNsec) / 1e9;
        const p = new LivePacket(seg, seg.table.count - 1, ++number, sec, nsec, rel, len, caplen, linkType, Buffer.from(b.subarray(off, off + caplen)));
        if (onPacket) onPacket(p);
        if (this.iterated) this.push(p, maxQueue);
      },
    };
    this.session = startSession(opts, sink);
    this.done = this.session.done.then(
      (st) => { this.end(null); return { ...st, skipped: this.skipped }; },
      (e) => { this.end(e); throw e; },
    );
    this.done.catch(() => { /* reported to whoever awaits or iterates */ });
  }

  get device(): string { return this.session.device; }
  get linkType(): number { return this.session.linkType; }
  /** packets so far */
  get packets(): number { return this.session.packets; }

  /** Stops the sniff (idempotent). */
  stop(): void {
    this.session.stop();
  }

  then<A = SniffResult, B = never>(ok?: ((v: SniffResult) => A | PromiseLike<A>) | null, bad?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(ok, bad);
  }

  private push(p: LivePacket, max: number): void {
    if (this.waiting !== null) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: p, done: false });
      return;
    }
    if (this.queue.length - this.head >= max) { this.skipped++; return; }
    this.queue.push(p);
  }

  private end(e: unknown): void {
    this.finished = true;
    this.error = e;
    if (this.waiting !== null) {
      const w = this.waiting;
      this.waiting = null;
      if (e !== null) w.reject(e);
      else w.resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<LivePacket> {
    this.iterated = true;
    return {
      next: () => {
        if (this.head < this.queue.length) {
          const p = this.queue[this.head++];
          if (this.head > 4096 && this.head * 2 > this.queue.length) { this.queue.splice(0, this.head); this.head = 0; }
          return Promise.resolve({ value: p, done: false });
        }
        if (this.finished) return this.error !== null ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
      },
      return: async () => {
        this.stop();
        await this.done.catch(() => undefined);
        return { value: undefined, done: true };
      },
    };
  }
}

/**
 * Streams decoded packets from an interface: `onPacket` for each, and/or `for await (const p of
 * sniff(…))`. Stops on count, seconds, signal, `stop()`, or leaving the loop. Throws
 * LiveCaptureError at once when the capture cannot start.
 */
export function sniff(opts: SniffOptions = {}): Sniffer {
  return new Sniffer(opts);
}

// ---------------------------------------------------------------------------------------------
// one summary line per packet (sniff's summary(), `wirebook capture`)

const TCP_FLAGS: [number, string][] = [[0x02, "SYN"], [0x10, "ACK"], [0x01, "FIN"], [0x04, "RST"], [0x08, "PSH"], [0x20, "URG"]];
const SHOWN = new Map([["eth", "Ethernet"], ["ip", "IPv4"], ["ipv6", "IPv6"], ["arp", "ARP"], ["tcp", "TCP"], ["udp", "UDP"],
  ["icmp", "ICMP"], ["icmpv6", "ICMPv6"], ["dns", "DNS"], ["mdns", "MDNS"], ["http", "HTTP"], ["tls", "TLS"], ["quic", "QUIC"],
  ["dhcp", "DHCP"], ["ntp", "NTP"], ["ssh", "SSH"], ["sll", "SLL"]]);

/**
 * One line for a packet of a capture: `  3 0.000120 127.0.0.1 → 127.0.0.1 UDP 46 40000 → 9999 Len=4`.
 * `number` and `relative` override frame.number and frame.time_relative (a sniff's segments).
 */
export function summaryLine(cap: Capture, row: number, number = row + 1, relative?: number): string {
  const text = (f: string): string => { try { return cap.column(f).text(row); } catch { return ""; } };
  const rel = relative ?? Number(cap.column("frame.time_relative").get(row) ?? 0);
  const stack = text("frame.protocols").split(":").filter((p) => p !== "" && p !== "ethertype");
  let top = "";
  for (let i = stack.length - 1; i >= 0 && top === ""; i--) if (stack[i] !== "data") top = stack[i];
  const proto = SHOWN.get(top) ?? top.toUpperCase();
  const src = text("ip.src") || text("ipv6.src") || text("arp.src.proto_ipv4") || text("eth.src") || text("sll.src.eth");
  const dst = text("ip.dst") || text("ipv6.dst") || text("arp.dst.proto_ipv4") || text("eth.dst");
  let info = "";
  if (stack.includes("tcp")) {
    const flags = Number(cap.column("tcp.flags").get(row) ?? 0);
    const names = TCP_FLAGS.filter(([bit]) => flags & bit).map(([, n]) => n).join(", ");
    info = `${text("tcp.srcport")} → ${text("tcp.dstport")} [${names}] Len=${text("tcp.len") || "0"}`;
  } else if (stack.includes("udp")) {
    const l = Number(cap.column("udp.length").get(row) ?? 8) - 8;
    info = `${text("udp.srcport")} → ${text("udp.dstport")} Len=${l}`;
  }
  if (top === "http") {
    const m = text("http.request.method");
    info = m ? `${m} ${text("http.request.uri")}` : `HTTP ${text("http.response.code")}`;
  } else if (top === "dns" || top === "mdns") {
    info = `Standard query${text("dns.flags.response") === "1" ? " response" : ""} ${text("dns.qry.name")}`;
  } else if (top === "arp") {
    info = text("arp.opcode") === "1" ? `Who has ${dst}? Tell ${src}` : `${src} is at ${text("arp.src.hw_mac")}`;
  } else if (top === "icmp") {
    info = `type ${text("icmp.type")} code ${text("icmp.code")}`;
  }
  return `${String(number).padStart(5)} ${rel.toFixed(6).padStart(11)} ${src} → ${dst} ${proto} ${text("frame.len")} ${info}`.trimEnd();
}

// ---------------------------------------------------------------------------------------------
// capture.save()

export interface SaveOptions {
  /** default: pcapng when the path ends in .pcapng, else pcap */
  format?: "pcap" | "pcapng";
}

export interface SaveResult {
  path: string;
  format: "pcap" | "pcapng";
  packets: number;
  bytes: number;
}

declare module "../table/capture" {
  interface Capture {
    /**
     * Writes the capture's packets (a view: its rows, in capture order) to a pcap or pcapng file,
     * with their original timestamps and lengths. A live capture writes the records it kept; a
     * file capture re-reads its file.
     */
    save(path: string, opts?: SaveOptions): Promise<SaveResult>;
    /** for a live capture: packets received and dropped (pcap_stats), why it stopped; else undefined */
    readonly liveStats: LiveStats | undefined;
  }
}

Object.defineProperty(Capture.prototype, "liveStats", {
  get(this: Capture) { return origins.get(this.storage.table)?.stats; },
  configurable: true,
});

interface Writer { write(sec: number, nsec: number, data: Uint8Array, origLen?: number, iface?: number): void; close(): void; bytes(): number }

function makeWriter(path: string, format: "pcap" | "pcapng", info: CaptureInfo, linkTypes: Set<number>, snaplen: (i: number) => number): Writer {
  if (format === "pcap") {
    if (linkTypes.size > 1) throw new Error(`the packets have several link types (${[...linkTypes].join(", ")}); a pcap file holds one: save as pcapng`);
    const lt = linkTypes.size === 1 ? [...linkTypes][0] : info.interfaces[0]?.linkType ?? 1;
    const w = new PcapWriter({ path, exclusive: true, linkType: lt, snaplen: snaplen(0), nanosecond: info.nanosecond });
    return { write: (s, ns, d, o) => w.write(s < 0 ? 0 : s, ns, d, o), close: () => { w.close(); }, bytes: () => w.bytesWritten };
  }
  const w = new PcapngWriter({ path, exclusive: true, userAppl: "Wirebook", comment: info.comments.length > 0 ? info.comments.join("\n") : undefined });
  const ifs = info.interfaces.length > 0 ? info.interfaces : [{ linkType: 1, snaplen: MAX_PACKET, unitsPerSecond: 1e6, offsetSeconds: 0 }];
  ifs.forEach((f, i) => w.addInterface({
    linkType: f.linkType, snaplen: snaplen(i), name: f.name, description: f.description, tsresol: f.unitsPerSecond > 1e6 ? 9 : 6,
  }));
  return {
    write: (s, ns, d, o, iface) => { if (s < 0) w.write(0, 0, d, o, { simple: true }); else w.write(s, ns, d, o, { interfaceId: iface ?? 0 }); },
    close: () => { w.close(); },
    bytes: () => w.bytesWritten,
  };
}

Capture.prototype.save = async function save(this: Capture, path: string, opts: SaveOptions = {}): Promise<SaveResult> {
  const format = opts.format ?? (path.toLowerCase().endsWith(".pcapng") ? "pcapng" : "pcap");
  if (format !== "pcap" && format !== "pcapng") throw new Error(`format must be "pcap" or "pcapng" (got ${String(format)})`);
  const { table, index } = this.storage;
  const n = table.count;
  // which rows of the table to write (a view writes its rows, in table order)
  let want: Uint8Array | null = null;
  if (index !== null) {
    want = new Uint8Array(n);
    for (const r of index) want[r] = 1;
  }
  const origin = origins.get(table);
  // an unpredictable name beside the target, created exclusively (a planted symlink is refused)
  const tmp = tempBeside(path);
  let written = 0;
  let w: Writer | null = null;
  try {
    if (origin !== undefined) {
      if (origin.raw === null) throw new Error("this live capture did not keep its records (keepRecords: false), so it cannot be saved");
      const raw = origin.raw;
      w = makeWriter(tmp, format, this.info, new Set([origin.linkType]), () => origin.snaplen);
      const b = raw.buf;
      for (let r = 0; r < n; r++) {
        if (want !== null && want[r] === 0) continue;
        const o = raw.offsets[r];
        const caplen = b.readUInt32LE(o + 8);
        const frac = b.readUInt32LE(o + 4);
        w.write(b.readUInt32LE(o), origin.nanosecond ? frac : frac * 1000, b.subarray(o + 16, o + 16 + caplen), b.readUInt32LE(o + 12), 0);
        written++;
      }
    } else {
      if (nodePath.resolve(path) === nodePath.resolve(this.path)) throw new Error(`${path} is the capture's own file: save to another path`);
      if (!fsp.existsSync(this.path)) throw new Error(`${this.path} is gone: a file capture is saved by re-reading its file`);
      const linkTypes = new Set<number>();
      for (let r = 0; r < n; r++) if (want === null || want[r] === 1) linkTypes.add(this.info.interfaces[table.iface.get(r) ?? 0]?.linkType ?? 1);
      const writer = makeWriter(tmp, format, this.info, linkTypes, (i) => Math.max(this.info.interfaces[i]?.snaplen ?? 0, MAX_PACKET));
      w = writer;
      let row = 0;
      const sink: RecordSink = {
        record(b, off, caplen, len, sec, nsec, _lt, iface) {
          const r = row++;
          if (r >= n || (want !== null && want[r] === 0)) return;
          writer.write(sec, nsec, b.subarray(off, off + caplen), len, iface);
          written++;
        },
      };
      await readCapture(this.path, sink, { limit: n });
      if (row < n) throw new Error(`${this.path} has changed since it was opened (${row} packets now, ${n} then): open it again`);
    }
    w.close();
    const bytes = w.bytes();
    fsp.renameSync(tmp, path);
    return { path, format, packets: written, bytes };
  } catch (e) {
    try { w?.close(); } catch { /* closing after a failure */ }
    fsp.rmSync(tmp, { force: true });
    throw e;
  }
};
