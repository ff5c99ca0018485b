/**
 * capture.tls(): one row per TLS connection over TCP (any port: a flow is TLS when its
 * originator's first bytes are a handshake record), with Zeek's ssl.log columns plus the client's
 * fingerprints. Both directions are reassembled (./reassembly.ts); records are read across
 * segments and handshake messages across records. ClientHello and ServerHello are kept whole
 * (at most MAX_HELLO bytes), the ServerKeyExchange's first bytes give the TLS 1.2 curve, other
 * messages are skipped as they stream by; a direction stops at ChangeCipherSpec, application data,
 * or once it has told what the table needs.
 */
import { cipherName, groupName, ja3, ja3s, ja3String, ja4, ja4r, parseHello, serverVersion, versionName, type Hello } from "./hello";
import { ByteBuf, TcpStream, type StreamConsumer } from "../../stream/reassembly";
import type { FlowInfo, PayloadSink } from "../payloads";
import { AppTableBuilder, type ColSpec } from "./table";

const MAX_HELLO = 128 * 1024;

export const TLS_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "version", kind: "string" }, { name: "cipher", kind: "string" },
  { name: "curve", kind: "string" }, { name: "server_name", kind: "string" }, { name: "resumed", kind: "bool" },
  { name: "next_protocol", kind: "string" }, { name: "client_version", kind: "string" },
  { name: "client_alpn", kind: "vector[string]" }, { name: "client_ciphers", kind: "count" },
  { name: "ja3", kind: "string" }, { name: "ja3_string", kind: "string" }, { name: "ja3s", kind: "string" },
  { name: "ja4", kind: "string" }, { name: "ja4_r", kind: "string" }, { name: "cipher_code", kind: "count" },
];

/** Handshake messages out of a stream of handshake-record bodies. */
export class HandshakeReader {
  private readonly hdr = new ByteBuf(4, 4);
  private readonly body = new ByteBuf(512, MAX_HELLO);
  private need = 0;
  private skip = 0;
  private type = -1;
  /** a message was larger than the cap */
  overflow = false;
  constructor(private readonly keep: (type: number) => boolean, private readonly onMessage: (type: number, b: Buffer, len: number) => boolean) {}

  /** returns false when onMessage asked to stop */
  data(b: Uint8Array, o: number, e: number): boolean {
    while (o < e) {
      if (this.type < 0) {
        const n = Math.min(4 - this.hdr.len, e - o);
        this.hdr.append(b, o, o + n);
        o += n;
        if (this.hdr.len < 4) return true;
        const h = this.hdr.buf;
        this.type = h[0];
        const len = (h[1] << 16) | (h[2] << 8) | h[3];
        this.hdr.clear();
        if (this.keep(this.type)) {
          if (len > MAX_HELLO) { this.overflow = true; this.skip = len; this.need = 0; }
          else { this.need = len; this.body.clear(); }
        } else this.skip = len;
        if (this.need === 0 && this.skip === 0) {
          const t = this.type;
          this.type = -1;
          if (!this.onMessage(t, this.body.buf, 0)) return false;
        }
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, e - o);
        this.skip -= n;
        o += n;
        if (this.skip === 0) this.type = -1;
        continue;
      }
      const n = Math.min(this.need - this.body.len, e - o);
      this.body.append(b, o, o + n);
      o += n;
      if (this.body.len === this.need) {
        const t = this.type;
        this.type = -1;
        this.need = 0;
        if (!this.onMessage(t, this.body.buf, this.body.len)) return false;
      }
    }
    return true;
  }
}

/** One direction's record layer. */
class TlsDir implements StreamConsumer {
  private readonly hdr = new ByteBuf(5, 5);
  private remain = 0;
  private ctype = 0;
  private first = true;
  private ccs = false;
  readonly hs: HandshakeReader;
  /** not TLS (first record invalid) */
  notTls = false;
  lostSync = false;
  constructor(private readonly client: boolean, keep: (t: number) => boolean, onMessage: (t: number, b: Buffer, len: number) => boolean, private readonly onEnd: () => void) {
    this.hs = new HandshakeReader(keep, onMessage);
  }

  data(b: Uint8Array, o: number, e: number): boolean {
    while (o < e) {
      if (this.remain === 0) {
        const n = Math.min(5 - this.hdr.len, e - o);
        this.hdr.append(b, o, o + n);
        o += n;
        if (this.hdr.len < 5) return true;
        const h = this.hdr.buf;
        const ct = h[0], major = h[1], len = (h[3] << 8) | h[4];
        this.hdr.clear();
        if (ct < 20 || ct > 24 || (major !== 3 && major !== 0xfe) || len > 18432) {
          if (this.first) this.notTls = true; else this.lostSync = true;
          this.onEnd();
          return false;
        }
        // the client must start with a handshake record; a server may warn (an alert) before its hello
        if (this.first && ct !== 22 && this.client) { this.notTls = true; this.onEnd(); return false; }
        this.first = false;
        this.ctype = ct;
        this.remain = len;
        if (ct === 20) this.ccs = true;
        if (ct === 23) { this.onEnd(); return false; } // application data: the handshake is over
        if (len === 0) continue;
        continue;
      }
      const n = Math.min(this.remain, e - o);
      if (this.ctype === 22 && !this.ccs && !this.hs.data(b, o, o + n)) return false;
      this.remain -= n;
      o += n;
    }
    return true;
  }

  gap(): boolean {
    // a hole in the record stream: the record boundaries are lost
    this.lostSync = true;
    this.onEnd();
    return false;
  }
}

interface Conn {
  row: number;
  client: TcpStream;
  server: TcpStream;
  clientDir: TlsDir;
  serverDir: TlsDir;
  time: number;
  hello?: Hello;
  ecdhe: boolean;
  rejected: boolean;
}

export class TlsApp implements PayloadSink {
  readonly t = new AppTableBuilder(TLS_COLUMNS);
  private readonly conns = new Map<number, Conn>();
  private lost = 0;
  private overflow = 0;

  wants(f: FlowInfo): boolean {
    return f.proto === "tcp";
  }

  private conn(f: FlowInfo): Conn {
    let c = this.conns.get(f.row);
    if (c !== undefined) return c;
    const T = this.t;
    const cc: Conn = { row: -1, time: 0, ecdhe: false, rejected: false } as Conn;
    const rowOf = () => {
      if (cc.row < 0) { cc.row = T.row(f.row); T.num(cc.row, "ts", cc.time); }
      return cc.row;
    };
    cc.clientDir = new TlsDir(true, (t) => t === 1, (type, b, len) => {
      if (type !== 1) return true;
      const h = parseHello(1, b, 0, len);
      if (h === null) return false;
      const r = rowOf();
      cc.hello = h;
      T.str(r, "client_version", versionName(Math.max(h.version, ...h.versions.filter((v) => (v & 0x0f0f) !== 0x0a0a))));
      T.str(r, "server_name", h.sni);
      T.list(r, "client_alpn", h.alpn);
      T.num(r, "client_ciphers", h.ciphers.length);
      T.str(r, "ja3", ja3(h));
      T.str(r, "ja3_string", ja3String(h));
      T.str(r, "ja4", ja4(h, "t"));
      T.str(r, "ja4_r", ja4r(h, "t"));
      return false; // the client's side has told what we need
    }, () => undefined);
    cc.serverDir = new TlsDir(false, (t) => t === 2 || t === 12, (type, b, len) => {
      if (cc.rejected) return false;
      if (type === 2) {
        const h = parseHello(2, b, 0, len);
        if (h === null) return false;
        if (h.hrr) return true; // HelloRetryRequest: the real ServerHello follows
        const r = rowOf();
        const v = serverVersion(h);
        T.str(r, "version", versionName(v));
        T.str(r, "cipher", cipherName(h.ciphers[0]));
        T.num(r, "cipher_code", h.ciphers[0]);
        T.str(r, "ja3s", ja3s(h));
        if (h.alpn.length > 0) T.str(r, "next_protocol", h.alpn[0]);
        if (h.keyShare !== undefined) T.str(r, "curve", groupName(h.keyShare));
        const hello = cc.hello;
        T.bool(r, "resumed", v === 0x0304 ? h.psk : hello !== undefined && h.sessionId !== "" && h.sessionId === hello.sessionId);
        cc.ecdhe = v !== 0x0304 && cipherName(h.ciphers[0]).includes("ECDHE");
        return cc.ecdhe; // TLS 1.2 ECDHE: the curve is in the ServerKeyExchange
      }
      if (type === 12 && cc.ecdhe && len >= 3 && b[0] === 3 && cc.row >= 0) T.str(cc.row, "curve", groupName((b[1] << 8) | b[2]));
      return false;
    }, () => undefined);
    cc.client = new TcpStream(cc.clientDir);
    cc.server = new TcpStream(cc.serverDir);
    this.conns.set(f.row, cc);
    c = cc;
    return c;
  }

  packet(f: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number, len: number, seq: number, flags: number, _frame?: number): void {
    let c = this.conns.get(f.row);
    if (c === undefined) {
      if (len === 0 && (flags & 2) === 0) return; // nothing to decide on yet (SYN sets the ISN: keep it)
      if (len === 1 && (flags & 2) === 0) return; // a keep-alive probe's byte (the capture began mid-connection)
      if (len > 0 && !fromOrig) {
        // the responder speaks first: not TLS
        if (!this.conns.has(f.row)) { this.conns.set(f.row, { rejected: true } as Conn); return; }
      }
      if (len > 0 && (b[off] !== 22 || (end - off >= 2 && b[off + 1] !== 3))) { this.conns.set(f.row, { rejected: true } as Conn); return; }
      c = this.conn(f);
    }
    if (c.rejected) return;
    c.time = t;
    (fromOrig ? c.client : c.server).segment(seq, flags, b, off, end, len);
    if (c.clientDir.notTls && c.row < 0) c.rejected = true;
  }

  finish(): void {
    for (const c of this.conns.values()) {
      if (c.rejected) continue;
      c.client.finish();
      c.server.finish();
      if (c.row >= 0 && (c.clientDir.lostSync || c.serverDir.lostSync)) this.lost++;
      if (c.clientDir.hs.overflow || c.serverDir.hs.overflow) this.overflow++;
    }
    if (this.lost > 0) this.t.warnings.push(`tls: ${this.lost} connections lost the record boundaries (a gap or a damaged record) before the hellos were read`);
    if (this.overflow > 0) this.t.warnings.push(`tls: ${this.overflow} connections had a hello larger than ${MAX_HELLO} bytes (not read)`);
  }
}
