/** Hand-made capture files for reader tests (independent of the project's writers). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

export function tmpFile(name: string, data: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-test-"));
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

export function gzip(b: Uint8Array): Buffer {
  return zlib.gzipSync(b);
}

/** A minimal Ethernet/IPv4/UDP frame whose UDP source port is `n` (so records can be told apart). */
export function frame(n: number, size = 60): Buffer {
  const b = Buffer.alloc(Math.max(size, 42));
  b.writeUIntBE(0x020000000001, 0, 6);
  b.writeUIntBE(0x020000000002, 6, 6);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(b.length - 14, 16);
  b[22] = 64;
  b[23] = 17;
  b.writeUInt32BE(0x0a000001, 26);
  b.writeUInt32BE(0x0a000002, 30);
  b.writeUInt16BE(n & 0xffff, 34);
  b.writeUInt16BE(9, 36);
  b.writeUInt16BE(b.length - 34, 38);
  return b;
}

export interface Rec { sec: number; frac: number; data: Buffer; origLen?: number }

/** A classic pcap file. */
export function pcap(recs: Rec[], opts: { le?: boolean; nano?: boolean; linkType?: number; snaplen?: number } = {}): Buffer {
  const le = opts.le ?? true;
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  w32(h, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, opts.snaplen ?? 65535, 16);
  w32(h, opts.linkType ?? 1, 20);
  const parts = [h];
  for (const r of recs) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0);
    w32(rh, r.frac, 4);
    w32(rh, r.data.length, 8);
    w32(rh, r.origLen ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** pcapng blocks. */
export class Ng {
  parts: Buffer[] = [];
  constructor(readonly le = true) {}
  private w32(b: Buffer, v: number, o: number) { if (this.le) b.writeUInt32LE(v >>> 0, o); else b.writeUInt32BE(v >>> 0, o); }
  private w16(b: Buffer, v: number, o: number) { if (this.le) b.writeUInt16LE(v, o); else b.writeUInt16BE(v, o); }
  opts(list: [number, Buffer][]): Buffer {
    const out: Buffer[] = [];
    for (const [code, v] of list) {
      const h = Buffer.alloc(4);
      this.w16(h, code, 0);
      this.w16(h, v.length, 2);
      out.push(h, v, Buffer.alloc((4 - (v.length % 4)) % 4));
    }
    if (list.length) out.push(Buffer.alloc(4));
    return Buffer.concat(out);
  }
  block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    const h = Buffer.alloc(8), t = Buffer.alloc(4);
    this.w32(h, type, 0);
    this.w32(h, len, 4);
    this.w32(t, len, 0);
    this.parts.push(h, body, t);
    return this;
  }
  shb(comment?: string): this {
    const b = Buffer.alloc(16);
    this.w32(b, 0x1a2b3c4d, 0);
    this.w16(b, 1, 4);
    this.w16(b, 0, 6);
    b.writeInt32LE(-1, 8);
    b.writeInt32LE(-1, 12);
    return this.block(0x0a0d0d0a, Buffer.concat([b, this.opts(comment ? [[1, Buffer.from(comment)]] : [])]));
  }
  idb(linkType: number, o: { snaplen?: number; tsresol?: number; tsoffset?: bigint; name?: string } = {}): this {
    const b = Buffer.alloc(8);
    this.w16(b, linkType, 0);
    this.w32(b, o.snaplen ?? 0, 4);
    const list: [number, Buffer][] = [];
    if (o.name) list.push([2, Buffer.from(o.name)]);
    if (o.tsresol !== undefined) list.push([9, Buffer.from([o.tsresol])]);
    if (o.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(o.tsoffset); else v.writeBigInt64BE(o.tsoffset);
      list.push([14, v]);
    }
    return this.block(1, Buffer.concat([b, this.opts(list)]));
  }
  epb(iface: number, ts: bigint, data: Buffer, o: { origLen?: number; comment?: string } = {}): this {
    const b = Buffer.alloc(20);
    this.w32(b, iface, 0);
    this.w32(b, Number(ts >> 32n), 4);
    this.w32(b, Number(ts & 0xffffffffn), 8);
    this.w32(b, data.length, 12);
    this.w32(b, o.origLen ?? data.length, 16);
    const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
    return this.block(6, Buffer.concat([b, data, pad, this.opts(o.comment ? [[1, Buffer.from(o.comment)]] : [])]));
  }
  spb(data: Buffer, origLen = data.length): this {
    const b = Buffer.alloc(4);
    this.w32(b, origLen, 0);
    return this.block(3, Buffer.concat([b, data, Buffer.alloc((4 - (data.length % 4)) % 4)]));
  }
  opb(iface: number, ts: bigint, data: Buffer): this {
    const b = Buffer.alloc(20);
    this.w16(b, iface, 0);
    this.w32(b, Number(ts >> 32n), 4);
    this.w32(b, Number(ts & 0xffffffffn), 8);
    this.w32(b, data.length, 12);
    this.w32(b, data.length, 16);
    return this.block(2, Buffer.concat([b, data, Buffer.alloc((4 - (data.length % 4)) % 4)]));
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}
