/**
 * Capture writers: classic pcap and pcapng.
 *
 * Both stream into one reused output buffer that is flushed with `fs.writeSync` in large chunks
 * (default 4 MiB), so writing millions of packets allocates nothing per packet. Without a path they
 * write into memory and `close()` returns the whole file as a Buffer (for tests).
 */
import * as fs from "fs";

/** Common link types (LINKTYPE_* numbers from tcpdump.org). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
} as const;

export interface SinkOptions {
  /** write to this file (created or truncated); omitted: write into memory */
  path?: string;
  /** with `path`: create it exclusively (O_EXCL: fails when it exists, a symlink included) */
  exclusive?: boolean;
  /** size of the reused output buffer; default 4 MiB */
  bufferSize?: number;
}

/** The byte sink shared by both writers: one reused buffer, flushed in large chunks. */
class Sink {
  buf: Buffer;
  pos = 0;
  /** total bytes handed to the sink (flushed or not) */
  total = 0;
  private fd: number | null;
  private chunks: Buffer[] | null;
  private closed = false;

  constructor(opts: SinkOptions) {
    const size = Math.max(opts.bufferSize ?? 4 << 20, 1 << 16);
    this.buf = Buffer.allocUnsafe(size);
    if (opts.path !== undefined) {
      this.fd = fs.openSync(opts.path, opts.exclusive ? "wx" : "w", 0o666);
      this.chunks = null;
    } else {
      this.fd = null;
      this.chunks = [];
    }
  }

  /** Make room for `n` more bytes in `buf` (flushing or growing as needed). */
  reserve(n: number): void {
    if (this.closed) throw new Error("writer is closed");
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      // one record larger than the buffer: grow (rare: jumbo records)
      let size = this.buf.length;
      while (size < n) size *= 2;
      this.buf = Buffer.allocUnsafe(size);
    }
  }

  flush(): void {
    if (this.pos === 0) return;
    if (this.fd !== null) {
      let off = 0;
      while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    } else if (this.chunks !== null) {
      this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
    }
    this.total += this.pos;
    this.pos = 0;
  }

  close(): Buffer | undefined {
    if (this.closed) return undefined;
    this.flush();
    this.closed = true;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
      return undefined;
    }
    const out = Buffer.concat(this.chunks ?? []);
    this.chunks = null;
    return out;
  }

  get bytesWritten(): number {
    return this.total + this.pos;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

export interface PcapWriterOptions extends SinkOptions {
  /** LINKTYPE_* of every record; default 1 (Ethernet) */
  linkType?: number;
  /** snapshot length; longer packets are truncated to it (orig_len keeps the real length). Default 262144 */
  snaplen?: number;
  /** nanosecond magic (0xa1b23c4d) instead of microseconds (0xa1b2c3d4) */
  nanosecond?: boolean;
  /** write big-endian (the magic reads 0xa1b2c3d4 in file order) */
  bigEndian?: boolean;
}

/** What both writers share: the output sink and the packet count. */
abstract class CaptureWriter {
  protected readonly sink: Sink;
  protected count = 0;

  constructor(opts: SinkOptions) {
    this.sink = new Sink(opts);
  }

  get packets(): number {
    return this.count;
  }
  get bytesWritten(): number {
    return this.sink.bytesWritten;
  }

  /** Flush and close. A memory writer returns the whole file. */
  close(): Buffer | undefined {
    return this.sink.close();
  }
}

/** Classic libpcap file writer. */
export class PcapWriter extends CaptureWriter {
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  readonly bigEndian: boolean;

  constructor(opts: PcapWriterOptions = {}) {
    super(opts);
    this.linkType = opts.linkType ?? LinkType.ETHERNET;
    this.snaplen = opts.snaplen ?? 262144;
    this.nanosecond = opts.nanosecond ?? false;
    this.bigEndian = opts.bigEndian ?? false;
    if (!(this.snaplen > 0 && this.snaplen <= 0xffffffff)) throw new RangeError(`bad snaplen ${this.snaplen}`);
    const s = this.sink;
    s.reserve(24);
    const b = s.buf;
    const p = s.pos;
    this.u32(b, p, this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    this.u16(b, p + 4, 2);
    this.u16(b, p + 6, 4);
    this.u32(b, p + 8, 0); // thiszone
    this.u32(b, p + 12, 0); // sigfigs
    this.u32(b, p + 16, this.snaplen);
    this.u32(b, p + 20, this.linkType);
    s.pos += 24;
  }

  private u32(b: Buffer, p: number, v: number): void {
    if (this.bigEndian) b.writeUInt32BE(v >>> 0, p);
    else b.writeUInt32LE(v >>> 0, p);
  }
  private u16(b: Buffer, p: number, v: number): void {
    if (this.bigEndian) b.writeUInt16BE(v, p);
    else b.writeUInt16LE(v, p);
  }

  /**
   * Write one record.
   * @param sec  seconds since the epoch
   * @param nsec nanoseconds within the second (0..999999999); truncated to µs for a µs file
   * @param data the packet bytes as captured (cut to snaplen here if longer)
   * @param origLen the length on the wire; default data.length
   */
  write(sec: number, nsec: number, data: Uint8Array, origLen?: number): void {
    const incl = Math.min(data.length, this.snaplen);
    const orig = origLen ?? data.length;
    const s = this.sink;
    s.reserve(16 + incl);
    const b = s.buf;
    const p = s.pos;
    const frac = this.nanosecond ? nsec : Math.floor(nsec / 1000);
    if (this.bigEndian) {
      b.writeUInt32BE(sec >>> 0, p);
      b.writeUInt32BE(frac >>> 0, p + 4);
      b.writeUInt32BE(incl, p + 8);
      b.writeUInt32BE(orig >>> 0, p + 12);
    } else {
      b.writeUInt32LE(sec >>> 0, p);
      b.writeUInt32LE(frac >>> 0, p + 4);
      b.writeUInt32LE(incl, p + 8);
      b.writeUInt32LE(orig >>> 0, p + 12);
    }
    b.set(incl === data.length ? data : data.subarray(0, incl), p + 16);
    s.pos = p + 16 + incl;
    this.count++;
  }
}

export interface PcapngInterface {
  /** LINKTYPE_*; default 1 (Ethernet) */
  linkType?: number;
  /** default 262144 */
  snaplen?: number;
  /** if_name option */
  name?: string;
  /** if_description option */
  description?: string;
  /**
   * if_tsresol as a power of ten (0..9): 6 = µs (the pcapng default, option omitted unless
   * `writeTsresol`), 9 = ns.
   */
  tsresol?: number;
  /** write the if_tsresol option even for the default 6 */
  writeTsresol?: boolean;
  /** if_tsoffset option (seconds added to every timestamp by readers); written only when set */
  tsoffset?: number;
  /** opt_comment on the IDB */
  comment?: string;
}

export interface PcapngWriterOptions extends SinkOptions {
  /** shb_comment */
  comment?: string;
  /** shb_hardware / shb_os / shb_userappl */
  hardware?: string;
  os?: string;
  userAppl?: string;
  /** interfaces to declare right after the SHB (more can be added later with addInterface) */
  interfaces?: PcapngInterface[];
}

export interface PcapngPacketOptions {
  /** interface id (index of the IDB); default 0 */
  interfaceId?: number;
  /** opt_comment of the EPB */
  comment?: string;
  /** epb_flags (direction etc.) */
  flags?: number;
  /** write a Simple Packet Block instead (no timestamp, interface 0, no options) */
  simple?: boolean;
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const TWO32 = 4294967296;

interface IfState {
  linkType: number;
  snaplen: number;
  resolution: number; // units per second
  divisor: number; // nanoseconds per unit
}

/** pcapng writer (little-endian, one section). */
export class PcapngWriter extends CaptureWriter {
  private ifs: IfState[] = [];
  /** high and low 32 bits of the last computed timestamp (scratch, avoids allocation) */
  private tsHi = 0;
  private tsLo = 0;

  constructor(opts: PcapngWriterOptions = {}) {
    super(opts);
    const options: [number, Buffer][] = [];
    if (opts.comment !== undefined) options.push([1, Buffer.from(opts.comment, "utf8")]);
    if (opts.hardware !== undefined) options.push([2, Buffer.from(opts.hardware, "utf8")]);
    if (opts.os !== undefined) options.push([3, Buffer.from(opts.os, "utf8")]);
    if (opts.userAppl !== undefined) options.push([4, Buffer.from(opts.userAppl, "utf8")]);
    const body = Buffer.alloc(16);
    body.writeUInt32LE(0x1a2b3c4d, 0);
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(0, 6);
    body.writeInt32LE(-1, 8); // section length unknown (-1 as 64 bits)
    body.writeInt32LE(-1, 12);
    this.block(0x0a0d0d0a, body, options);
    for (const i of opts.interfaces ?? []) this.addInterface(i);
  }

  /** Write an Interface Description Block; returns the interface id. */
  addInterface(i: PcapngInterface = {}): number {
    const linkType = i.linkType ?? LinkType.ETHERNET;
    const snaplen = i.snaplen ?? 262144;
    const res = i.tsresol ?? 6;
    if (!Number.isInteger(res) || res < 0 || res > 9) throw new RangeError(`if_tsresol ${res}: only powers of ten 0..9`);
    const options: [number, Buffer][] = [];
    if (i.comment !== undefined) options.push([1, Buffer.from(i.comment, "utf8")]);
    if (i.name !== undefined) options.push([2, Buffer.from(i.name, "utf8")]);
    if (i.description !== undefined) options.push([3, Buffer.from(i.description, "utf8")]);
    if (res !== 6 || i.writeTsresol) options.push([9, Buffer.from([res])]);
    if (i.tsoffset !== undefined) {
      const o = Buffer.alloc(8);
      o.writeBigInt64LE(BigInt(i.tsoffset), 0);
      options.push([14, o]);
    }
    const body = Buffer.alloc(8);
    body.writeUInt16LE(linkType, 0);
    body.writeUInt16LE(0, 2);
    body.writeUInt32LE(snaplen, 4);
    this.block(1, body, options);
    this.ifs.push({ linkType, snaplen, resolution: POW10[res], divisor: 1e9 / POW10[res] });
    return this.ifs.length - 1;
  }

  /** Write a generic block (type, fixed body, options); body is padded to 32 bits. */
  private block(type: number, body: Uint8Array, options: [number, Uint8Array][]): void {
    let len = 12 + pad4(body.length);
    for (const [, v] of options) len += 4 + pad4(v.length);
    if (options.length > 0) len += 4;
    const s = this.sink;
    s.reserve(len);
    const b = s.buf;
    let p = s.pos;
    b.writeUInt32LE(type, p);
    b.writeUInt32LE(len, p + 4);
    p += 8;
    b.set(body, p);
    p = zeroPad(b, p + body.length);
    p = writeOptions(b, p, options);
    b.writeUInt32LE(len, p);
    s.pos = p + 4;
  }

  /** Split sec*resolution + sub-units into 32-bit halves exactly (no BigInt, no precision loss). */
  private timestamp(sec: number, nsec: number, ifs: IfState): void {
    const R = ifs.resolution;
    const sub = ifs.divisor === 1 ? nsec : Math.floor(nsec / ifs.divisor);
    const secHi = Math.floor(sec / 65536);
    const secLo = sec - secHi * 65536;
    const A = secHi * R; // < 2^47
    const aHi = Math.floor(A / 65536);
    const aLo = A - aHi * 65536;
    const C = aLo * 65536 + secLo * R + sub; // < 2^48, exact
    const cHi = Math.floor(C / TWO32);
    this.tsHi = aHi + cHi;
    this.tsLo = C - cHi * TWO32;
  }

  /**
   * Write one packet as an Enhanced Packet Block (or a Simple Packet Block with `opts.simple`).
   * @param nsec nanoseconds within the second; converted to the interface's if_tsresol
   */
  write(sec: number, nsec: number, data: Uint8Array, origLen?: number, opts?: PcapngPacketOptions): void {
    if (this.ifs.length === 0) this.addInterface({});
    const orig = origLen ?? data.length;
    if (opts?.simple) {
      const ifs = this.ifs[0];
      const incl = Math.min(data.length, ifs.snaplen);
      const len = 16 + pad4(incl);
      const s = this.sink;
      s.reserve(len);
      const b = s.buf;
      const p = s.pos;
      b.writeUInt32LE(3, p);
      b.writeUInt32LE(len, p + 4);
      b.writeUInt32LE(orig >>> 0, p + 8);
      b.set(incl === data.length ? data : data.subarray(0, incl), p + 12);
      const q = zeroPad(b, p + 12 + incl);
      b.writeUInt32LE(len, q);
      s.pos = q + 4;
      this.count++;
      return;
    }
    const id = opts?.interfaceId ?? 0;
    const ifs = this.ifs[id];
    if (ifs === undefined) throw new RangeError(`no interface ${id}`);
    const incl = Math.min(data.length, ifs.snaplen);
    let optLen = 0;
    let comment: Buffer | null = null;
    if (opts !== undefined) {
      if (opts.comment !== undefined) {
        comment = Buffer.from(opts.comment, "utf8");
        optLen += 4 + pad4(comment.length);
      }
      if (opts.flags !== undefined) optLen += 8;
      if (optLen > 0) optLen += 4;
    }
    const len = 32 + pad4(incl) + optLen;
    const s = this.sink;
    s.reserve(len);
    const b = s.buf;
    let p = s.pos;
    this.timestamp(sec, nsec, ifs);
    b.writeUInt32LE(6, p);
    b.writeUInt32LE(len, p + 4);
    b.writeUInt32LE(id, p + 8);
    b.writeUInt32LE(this.tsHi, p + 12);
    b.writeUInt32LE(this.tsLo, p + 16);
    b.writeUInt32LE(incl, p + 20);
    b.writeUInt32LE(orig >>> 0, p + 24);
    b.set(incl === data.length ? data : data.subarray(0, incl), p + 28);
    p = zeroPad(b, p + 28 + incl);
    if (optLen > 0) {
      if (comment !== null) {
        b.writeUInt16LE(1, p);
        b.writeUInt16LE(comment.length, p + 2);
        b.set(comment, p + 4);
        p = zeroPad(b, p + 4 + comment.length);
      }
      if (opts!.flags !== undefined) {
        b.writeUInt16LE(2, p);
        b.writeUInt16LE(4, p + 2);
        b.writeUInt32LE(opts!.flags >>> 0, p + 4);
        p += 8;
      }
      b.writeUInt32LE(0, p); // opt_endofopt
      p += 4;
    }
    b.writeUInt32LE(len, p);
    s.pos = p + 4;
    this.count++;
  }

  get interfaces(): number {
    return this.ifs.length;
  }
}

/** Anything a generator can stream packets into. */
export interface PacketSink {
  write(sec: number, nsec: number, data: Uint8Array, origLen?: number, opts?: PcapngPacketOptions): void;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function zeroPad(b: Buffer, p: number): number {
  while (p & 3) b[p++] = 0;
  return p;
}

function writeOptions(b: Buffer, p: number, options: [number, Uint8Array][]): number {
  if (options.length === 0) return p;
  for (const [code, v] of options) {
    b.writeUInt16LE(code, p);
    b.writeUInt16LE(v.length, p + 2);
    b.set(v, p + 4);
    p = zeroPad(b, p + 4 + v.length);
  }
  b.writeUInt32LE(0, p);
  return p + 4;
}
