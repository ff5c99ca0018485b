/**
 * Live capture, the io side: Wirebook's libpcap binding (native/livecap, loaded on first use only)
 * and a capture session that hands each packet on as a record — the same (buffer, offset, caplen,
 * len, sec, nsec, linkType) a file reader gives — to a RecordSink.
 *
 * The binding delivers packets in batches laid out as classic pcap records (16-byte header with
 * the kernel's timestamp, caplen and wire length, then the bytes), so a session can keep the raw
 * records for `save()` by appending whole batches.
 *
 * Nothing here allocates per packet. A session stops on count, time, abort or `stop()`, and always
 * closes its libpcap handle (a new one per session), so the process is never kept alive by it.
 */
import * as fs from "fs";
import * as path from "path";
import type { RecordSink } from "./records";

/** Why a live capture could not start (or stopped with an error). `code` says which kind. */
export class LiveCaptureError extends Error {
  constructor(
    /**
     * ENOTBUILT the binding is not built or cannot load; EPERM no permission (root or CAP_NET_RAW
     * needed); ENODEV no such device; EBPF the capture filter does not compile (libpcap's message);
     * EINVAL bad options; EPCAP another libpcap error
     */
    readonly code: "ENOTBUILT" | "EPERM" | "ENODEV" | "EBPF" | "EINVAL" | "EPCAP",
    message: string,
  ) {
    super(message);
    this.name = "LiveCaptureError";
  }
}

interface PcapStats { received: number; dropped: number; ifDropped: number }
interface NativeDevice {
  name: string;
  description?: string;
  flags: number;
  addresses: { addr?: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
}
interface Binding {
  open(device: string, filter: string, snaplen: number, promisc: boolean, bufferBytes: number, nano: boolean,
    batch: Buffer, onBatch: (bytes: number, packets: number) => void, immediate: boolean): object;
  close(h: object): boolean;
  stats(h: object): PcapStats | undefined;
  linkType(h: object): number;
  nanosecond(h: object): boolean;
  devices(): NativeDevice[];
  version(): string;
}

let binding: Binding | null = null;
let bindingError: string | null = null;

/** Where the built binding is: $WIREBOOK_LIVECAP, else native/livecap/build/Release under the package root. */
export function bindingPath(): string {
  const env = process.env.WIREBOOK_LIVECAP;
  if (env) return env;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, "native", "livecap", "binding.gyp"))) break;
    dir = path.dirname(dir);
  }
  return path.join(dir, "native", "livecap", "build", "Release", "livecap.node");
}

/** Loads the binding (once). Throws LiveCaptureError ENOTBUILT with the reason when it cannot. */
function load(): Binding {
  if (binding !== null) return binding;
  if (bindingError === null) {
    const file = bindingPath();
    try {
      binding = require(file) as Binding;
      return binding;
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" ? `${file} does not exist` : (e as Error).message.split("\n")[0];
      bindingError = `live capture is not available: Wirebook's libpcap binding is not built (${why}). ` +
        "Install libpcap-dev and a C compiler, then run `node scripts/build-native.js` (npm ci does it). Reading files works without it.";
    }
  }
  throw new LiveCaptureError("ENOTBUILT", bindingError);
}

/** libpcap's version string, or undefined when the binding is not built. */
export function pcapVersion(): string | undefined {
  try { return load().version(); } catch { return undefined; }
}

export interface DeviceAddress {
  addr: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

export interface Device {
  name: string;
  description?: string;
  addresses: DeviceAddress[];
  loopback: boolean;
  up: boolean;
  running: boolean;
  wireless: boolean;
}

const PCAP_IF_LOOPBACK = 1, PCAP_IF_UP = 2, PCAP_IF_RUNNING = 4, PCAP_IF_WIRELESS = 8;

/** The interfaces libpcap can capture on, with their IPv4/IPv6 addresses (pcap_findalldevs order). */
export function devices(): Device[] {
  return load().devices().map((d) => ({
    name: d.name,
    ...(d.description !== undefined ? { description: d.description } : {}),
    addresses: d.addresses.filter((a) => a.addr !== undefined) as DeviceAddress[],
    loopback: (d.flags & PCAP_IF_LOOPBACK) !== 0,
    up: (d.flags & PCAP_IF_UP) !== 0,
    running: (d.flags & PCAP_IF_RUNNING) !== 0,
    wireless: (d.flags & PCAP_IF_WIRELESS) !== 0,
  }));
}

/** The device used when none is named: libpcap's first, as tcpdump and tshark pick it. */
export function defaultDevice(): string {
  const all = devices();
  const pick = all.find((d) => d.up && d.running && !d.loopback && d.name !== "any") ?? all.find((d) => d.loopback) ?? all[0];
  if (pick === undefined) throw new LiveCaptureError("ENODEV", "no capture device found");
  return pick.name;
}

export interface LiveOptions {
  /** interface name (`wb.devices()`); default: the first up, running, non-loopback one */
  device?: string;
  /** stop after this many packets */
  count?: number;
  /** stop after this many seconds */
  seconds?: number;
  /** a BPF capture filter, as tcpdump takes ("udp port 53", "host 127.0.0.1 and tcp") */
  filter?: string;
  /** bytes kept of each packet; default 262144 (tcpdump's) */
  snaplen?: number;
  /** promiscuous mode; default true (as tcpdump and tshark) */
  promisc?: boolean;
  /** stop when this signal aborts (the packets so far are kept) */
  signal?: AbortSignal;
  /** kernel buffer size in bytes; default 32 MiB */
  bufferSize?: number;
  /** ask the kernel for nanosecond timestamps (default: microseconds, as tcpdump) */
  nanosecond?: boolean;
  /**
   * deliver each packet as it arrives (libpcap's immediate mode). Default false: packets come in
   * batches at least every 50 ms, which keeps up with high rates; immediate mode gives each packet
   * a ring block of its own, so a burst larger than bufferSize / block size is dropped.
   */
  immediate?: boolean;
}

/** Why a session stopped. */
export type StopReason = "count" | "time" | "abort" | "stop" | "error";

export interface LiveStats {
  device: string;
  /** packets handed on (decoded, written) */
  packets: number;
  /** pcap_stats at the end: packets the kernel saw (on loopback each packet counts twice: out and in) and dropped for want of buffer space */
  received: number;
  dropped: number;
  ifDropped: number;
  reason: StopReason;
  /** wall-clock start and stop (ms since the epoch) */
  started: number;
  stopped: number;
}

/** Raw records of a session: pcap records (16-byte header, bytes) appended batch by batch. */
/** Default cap on a live capture's retained records: 1 GiB. */
export const DEFAULT_RETAIN_BYTES = 1 << 30;

export class RawRecords {
  buf = Buffer.allocUnsafe(1 << 20);
  used = 0;
  /**
   * Retention cap in bytes (record headers + packet bytes). Past it no more records are kept, so
   * the kept records are always the first `count` packets; `skipped` counts the others.
   */
  maxBytes = DEFAULT_RETAIN_BYTES;
  /** the cap was reached: nothing more is kept */
  full = false;
  /** packets not kept because of the cap */
  skipped = 0;
  /** offset of each record's header in buf */
  offsets = new Float64Array(1024);
  count = 0;

  append(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.used + n > this.buf.length) {
      let size = this.buf.length;
      while (this.used + n > size) size *= 2;
      const b = Buffer.allocUnsafe(size);
      this.buf.copy(b, 0, 0, this.used);
      this.buf = b;
    }
    src.copy(this.buf, this.used, start, end);
    this.used += n;
  }

  mark(headerOffset: number): void {
    if (this.count === this.offsets.length) {
      const o = new Float64Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
    }
    this.offsets[this.count++] = headerOffset;
  }
}

export interface LiveSession {
  readonly device: string;
  /** LINKTYPE of the device (1 Ethernet on lo and eth0, 113 Linux cooked on "any") */
  readonly linkType: number;
  readonly snaplen: number;
  /** timestamps are nanoseconds (else microseconds) */
  readonly nanosecond: boolean;
  /** packets handed on so far */
  readonly packets: number;
  /** stop now (idempotent); `done` resolves with reason "stop" */
  stop(): void;
  /** resolves when the session has stopped and its handle is closed; rejects if the sink threw */
  readonly done: Promise<LiveStats>;
}

function checkOptions(o: LiveOptions): void {
  const pos = (v: number | undefined, name: string, int: boolean) => {
    if (v !== undefined && !(typeof v === "number" && v > 0 && Number.isFinite(v) && (!int || Number.isInteger(v)))) {
      throw new LiveCaptureError("EINVAL", `${name} must be a positive ${int ? "integer" : "number"} (got ${String(v)})`);
    }
  };
  pos(o.count, "count", true);
  pos(o.seconds, "seconds", false);
  pos(o.snaplen, "snaplen", true);
  pos(o.bufferSize, "bufferSize", true);
  if (o.snaplen !== undefined && o.snaplen > 262144) throw new LiveCaptureError("EINVAL", `snaplen must be at most 262144 (got ${o.snaplen})`);
  if (o.filter !== undefined && typeof o.filter !== "string") throw new LiveCaptureError("EINVAL", "filter must be a BPF expression (a string)");
  if (o.device !== undefined && (typeof o.device !== "string" || o.device === "")) throw new LiveCaptureError("EINVAL", "device must be an interface name");
}

/** How to get capture rights without giving them to every node program (docs/live.md). */
export const PERMISSION_HINT = "Run as root, or give the capabilities to a dedicated copy of node that only a capture group can run " +
  "(see docs/live.md, \"Permissions\"), never to the node binary itself";

/** Adds a hint to libpcap's message. */
function explain(code: string, message: string, device: string, filter: string): LiveCaptureError {
  switch (code) {
    case "EPERM":
      // Not `setcap … node`: every node program on the host would get raw capture and network-admin rights.
      return new LiveCaptureError("EPERM", `${message}: live capture needs root or CAP_NET_RAW (and CAP_NET_ADMIN). ${PERMISSION_HINT}`);
    case "ENODEV": {
      let names = "";
      try { names = `; devices: ${devices().map((d) => d.name).join(", ")}`; } catch { /* listing failed too */ }
      return new LiveCaptureError("ENODEV", `no such capture device "${device}" (${message})${names}`);
    }
    case "EBPF":
      return new LiveCaptureError("EBPF", `capture filter "${filter}" does not compile: ${message}`);
    case "EINVAL":
      return new LiveCaptureError("EINVAL", message);
    default:
      return new LiveCaptureError("EPCAP", message);
  }
}

/**
 * Starts a capture session that hands each packet to `sink` (interface 0, no comment), and
 * appends the raw records to `raw` when given. Throws LiveCaptureError when it cannot start.
 * The sink may throw: the session then stops and `done` rejects with that error.
 */
export function startSession(opts: LiveOptions, sink: RecordSink, raw?: RawRecords): LiveSession {
  checkOptions(opts);
  const b = load();
  const device = opts.device ?? defaultDevice();
  const filter = opts.filter ?? "";
  const snaplen = opts.snaplen ?? 262144;
  const max = opts.count ?? Infinity;
  if (opts.signal?.aborted) throw new LiveCaptureError("EINVAL", "the signal is already aborted");
  // one batch holds at least one full packet; 4 MiB lets a wakeup drain the ring in one call
  const batch = Buffer.allocUnsafe(Math.max(4 << 20, snaplen + 16));
  let handle: object | null = null;
  let packets = 0;
  let nano = false;
  let linkType = 0;
  let stopped = false;
  let failure: unknown = null;
  let timer: NodeJS.Timeout | null = null;
  let resolve!: (s: LiveStats) => void, reject!: (e: unknown) => void;
  const done = new Promise<LiveStats>((res, rej) => { resolve = res; reject = rej; });
  const started = Date.now();
  const deadline = opts.seconds !== undefined ? started + opts.seconds * 1000 : 0;

  const onBatch = (bytes: number, n: number): void => {
    if (stopped) return;
    let off = 0;
    const rawBase = raw ? raw.used : 0;
    // the whole batch is kept or, once the cap is reached, nothing more (kept records stay a prefix)
    const keep = raw !== undefined && !raw.full && raw.used + bytes <= raw.maxBytes;
    if (raw !== undefined && !keep) raw.full = true;
    let end = 0, timeUp = false;
    try {
      for (let i = 0; i < n && packets < max; i++) {
        const sec = batch.readUInt32LE(off);
        const frac = batch.readUInt32LE(off + 4);
        const caplen = batch.readUInt32LE(off + 8);
        const len = batch.readUInt32LE(off + 12);
        if (keep) raw.mark(rawBase + off);
        else if (raw) raw.skipped++;
        end = off + 16 + caplen;
        packets++;
        sink.record(batch, off + 16, caplen, len, sec, nano ? frac : frac * 1000, linkType, 0, undefined);
        off = end;
        if (stopped) break; // the sink stopped the session
        // a slow sink must not outlive the time limit by a whole batch (the timer waits for us)
        if (deadline !== 0 && (i & 15) === 15 && Date.now() >= deadline) { timeUp = true; break; }
      }
    } catch (e) {
      failure = e;
    }
    if (keep && end > 0) raw.append(batch, 0, end);
    if (failure !== null) finish("error");
    else if (packets >= max) finish("count");
    else if (timeUp) finish("time");
  };

  const onAbort = () => finish("abort");

  function finish(reason: StopReason): void {
    if (stopped) return;
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    let st: PcapStats | undefined;
    if (handle !== null) {
      try { st = b.stats(handle); } catch { /* closed already */ }
      b.close(handle);
    }
    const stats: LiveStats = {
      device, packets, received: st?.received ?? 0, dropped: st?.dropped ?? 0, ifDropped: st?.ifDropped ?? 0,
      reason, started, stopped: Date.now(),
    };
    // settle after the native dispatch loop has returned (close is finished on the next turn)
    setImmediate(() => (failure !== null ? reject(failure) : resolve(stats)));
  }

  try {
    handle = b.open(device, filter, snaplen, opts.promisc ?? true, opts.bufferSize ?? 32 << 20, opts.nanosecond ?? false, batch, onBatch, opts.immediate ?? false);
  } catch (e) {
    const err = e as Error & { code?: string };
    throw explain(err.code ?? "EPCAP", err.message, device, filter);
  }
  nano = b.nanosecond(handle);
  linkType = b.linkType(handle);
  if (opts.seconds !== undefined) timer = setTimeout(() => finish("time"), opts.seconds * 1000);
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    device, linkType, snaplen, nanosecond: nano,
    get packets() { return packets; },
    stop: () => finish("stop"),
    done,
  };
}

export interface LiveStatus {
  ok: boolean;
  /** libpcap's version (when ok) */
  version?: string;
  /** why not (when not ok), and the LiveCaptureError code */
  reason?: string;
  code?: LiveCaptureError["code"];
}

/**
 * Whether live capture works here on `device` (default "lo"): the binding loads and libpcap opens
 * the device (so permissions are right). Opens and closes a handle; captures nothing.
 */
export function liveStatus(device = "lo"): LiveStatus {
  try {
    const s = startSession({ device, filter: "less 1 and greater 100000" }, { record() { /* none */ } });
    s.stop();
    return { ok: true, version: load().version() };
  } catch (e) {
    if (e instanceof LiveCaptureError) return { ok: false, code: e.code, reason: e.message };
    throw e;
  }
}
