/**
 * pcapng (https://ietf-opsawg-wg.github.io/draft-ietf-opsawg-capture/): sections of either byte
 * order, several sections, one interface description per interface with its own link type,
 * if_tsresol and if_tsoffset; enhanced, simple and obsolete packet blocks; comments kept; unknown
 * blocks skipped. Block lengths are checked against the data before anything inside is read.
 */
import { MAX_BLOCK, MAX_PACKET, type CaptureInfo, type FormatParser, type InterfaceInfo, type RecordSink } from "./records";

const SHB = 0x0a0d0d0a, IDB = 1, OPB = 2, SPB = 3, EPB = 6;

export class PcapngParser implements FormatParser {
  info: CaptureInfo = {
    format: "pcapng", gzip: false, bigEndian: false, nanosecond: false, interfaces: [], comments: [], sections: 0,
  };
  need = 12;
  done = false;
  damage: { offset: number; reason: string } | null = null;
  records = 0;
  private le = true;
  /** global interface index of each interface of the current section */
  private section: number[] = [];
  private sec = 0;
  private nsec = 0;

  constructor(private readonly sink: RecordSink, private readonly limit = Infinity, gzip = false) {
    this.info.gzip = gzip;
  }

  private u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }
  private u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }

  private fail(offset: number, reason: string): void {
    this.damage = { offset, reason };
    this.done = true;
  }

  parse(b: Buffer, start: number, end: number, base: number): number {
    let o = start;
    while (end - o >= 12) {
      if (this.records >= this.limit) { this.done = true; return o; }
      const at = base + o;
      let type = b.readUInt32LE(o);
      if (type === SHB) {
        const bom = b.readUInt32LE(o + 8);
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else { this.fail(at + 8, `pcapng section header with a bad byte-order magic 0x${bom.toString(16)}`); return o; }
      } else {
        if (this.info.sections === 0) {
          this.fail(at, `not a pcapng file: first block type 0x${type.toString(16)} is not a section header`);
          return o;
        }
        type = this.u32(b, o);
      }
      const length = this.u32(b, o + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) {
        this.fail(at + 4, `pcapng block of type ${type} has an impossible length ${length}`);
        return o;
      }
      if (end - o < length) {
        this.need = length;
        return o;
      }
      if (this.u32(b, o + length - 4) !== length) {
        this.fail(at + length - 4, `pcapng block of type ${type}: trailing length differs from the leading ${length}`);
        return o;
      }
      switch (type) {
        case SHB: this.sectionHeader(b, o, length, at); break;
        case IDB: this.interfaceBlock(b, o, length, at); break;
        case EPB: this.enhancedPacket(b, o, length, at); break;
        case SPB: this.simplePacket(b, o, length, at); break;
        case OPB: this.obsoletePacket(b, o, length, at); break;
        default: break; // name resolution, statistics, secrets, custom … : skipped
      }
      if (this.done) return o;
      o += length;
    }
    this.need = 12;
    return o;
  }

  /** Walks options in [o, end): calls fn(code, valueOffset, valueLength). */
  private options(b: Buffer, o: number, end: number, fn: (code: number, v: number, n: number) => void): void {
    while (end - o >= 4) {
      const code = this.u16(b, o), n = this.u16(b, o + 2);
      if (code === 0) return;
      if (o + 4 + n > end) return; // an option that runs past its block: ignore the rest
      fn(code, o + 4, n);
      o += 4 + ((n + 3) & ~3);
    }
  }

  private sectionHeader(b: Buffer, o: number, length: number, at: number): void {
    if (length < 28) { this.fail(at, `pcapng section header block too short (${length} bytes)`); return; }
    const major = this.u16(b, o + 12);
    if (major !== 1) { this.fail(at + 12, `unsupported pcapng version ${major}`); return; }
    this.info.sections++;
    if (this.info.sections === 1) this.info.bigEndian = !this.le;
    this.section = [];
    this.options(b, o + 24, o + length - 4, (code, v, n) => {
      if (code >= 1 && code <= 4) this.info.comments.push(b.toString("utf8", v, v + n));
    });
  }

  private interfaceBlock(b: Buffer, o: number, length: number, at: number): void {
    if (length < 20) { this.fail(at, `pcapng interface description block too short (${length} bytes)`); return; }
    const iface: InterfaceInfo = {
      linkType: this.u16(b, o + 8), snaplen: this.u32(b, o + 12), unitsPerSecond: 1e6, offsetSeconds: 0,
    };
    this.options(b, o + 16, o + length - 4, (code, v, n) => {
      if (code === 2) iface.name = b.toString("utf8", v, v + n);
      else if (code === 3) iface.description = b.toString("utf8", v, v + n);
      else if (code === 9 && n >= 1) {
        const r = b[v];
        iface.unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === 14 && n >= 8) {
        iface.offsetSeconds = Number(this.le ? b.readBigInt64LE(v) : b.readBigInt64BE(v));
      }
    });
    if (iface.unitsPerSecond > 1e6) this.info.nanosecond = true;
    this.section.push(this.info.interfaces.length);
    this.info.interfaces.push(iface);
  }

  /** Converts a 64-bit timestamp in the interface's units to this.sec / this.nsec. */
  private time(iface: InterfaceInfo, hi: number, lo: number): void {
    const u = iface.unitsPerSecond;
    let sec: number, rem: number;
    if (u < 2 ** 32 && Number.isInteger(u)) {
      // long division of the 64-bit value by u, 16 bits at a time: exact in doubles
      const digits = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
      let r = 0, q = 0;
      for (const d of digits) {
        const cur = r * 65536 + d;
        const qd = Math.floor(cur / u);
        r = cur - qd * u;
        q = q * 65536 + qd;
      }
      sec = q;
      rem = r;
    } else {
      const t = (BigInt(hi) << 32n) | BigInt(lo);
      const ub = BigInt(u);
      sec = Number(t / ub);
      rem = Number(t % ub);
    }
    let nsec: number;
    if (u === 1e9) nsec = rem;
    else if (u < 1e9 && 1e9 % u === 0) nsec = rem * (1e9 / u);
    else if (rem * 1e9 < 2 ** 53) nsec = Math.floor((rem * 1e9) / u);
    else nsec = Number((BigInt(rem) * 1000000000n) / BigInt(Math.round(u)));
    this.sec = sec + iface.offsetSeconds;
    this.nsec = nsec;
  }

  private ifaceOf(idx: number, at: number): number {
    if (idx >= this.section.length) {
      this.fail(at, `packet block names interface ${idx}, but the section describes ${this.section.length}`);
      return -1;
    }
    return this.section[idx];
  }

  private packet(b: Buffer, o: number, length: number, at: number, iface: number, hi: number, lo: number,
    caplen: number, len: number, dataOff: number): void {
    if (caplen > MAX_PACKET || dataOff + caplen > length - 4) {
      this.fail(at, `pcapng packet block claims ${caplen} captured bytes in a ${length}-byte block`);
      return;
    }
    const gi = this.ifaceOf(iface, at);
    if (gi < 0) return;
    const info = this.info.interfaces[gi];
    this.time(info, hi, lo);
    let comment: string | undefined;
    const optStart = o + dataOff + ((caplen + 3) & ~3);
    if (optStart < o + length - 4) {
      this.options(b, optStart, o + length - 4, (code, v, n) => {
        if (code === 1 && comment === undefined) comment = b.toString("utf8", v, v + n);
      });
    }
    this.sink.record(b, o + dataOff, caplen, len, this.sec, this.nsec, info.linkType, gi, comment);
    this.records++;
  }

  private enhancedPacket(b: Buffer, o: number, length: number, at: number): void {
    if (length < 32) { this.fail(at, `pcapng enhanced packet block too short (${length} bytes)`); return; }
    this.packet(b, o, length, at, this.u32(b, o + 8), this.u32(b, o + 12), this.u32(b, o + 16),
      this.u32(b, o + 20), this.u32(b, o + 24), 28);
  }

  private obsoletePacket(b: Buffer, o: number, length: number, at: number): void {
    if (length < 32) { this.fail(at, `pcapng packet block too short (${length} bytes)`); return; }
    this.packet(b, o, length, at, this.u16(b, o + 8), this.u32(b, o + 12), this.u32(b, o + 16),
      this.u32(b, o + 20), this.u32(b, o + 24), 28);
  }

  private simplePacket(b: Buffer, o: number, length: number, at: number): void {
    if (length < 16) { this.fail(at, `pcapng simple packet block too short (${length} bytes)`); return; }
    const gi = this.ifaceOf(0, at);
    if (gi < 0) return;
    const info = this.info.interfaces[gi];
    const len = this.u32(b, o + 8);
    let caplen = Math.min(len, length - 16);
    if (info.snaplen > 0) caplen = Math.min(caplen, info.snaplen);
    this.sink.record(b, o + 12, caplen, len, -1, 0, info.linkType, gi, undefined);
    this.records++;
  }
}
