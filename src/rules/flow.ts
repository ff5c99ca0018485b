/**
 * Flow tracking for rules, as Suricata sees a flow: the 5-tuple, the client (first sender; a
 * SYN/ACK picked up midstream makes its receiver the client), TCP session states (no session
 * without a SYN unless `midstream`; established after the 3-way handshake, or after SYN + ACK with
 * `asyncOneside`), other protocols established once both directions are seen. Each direction's
 * bytes are put in order by the stream layer's TcpStream (src/stream/reassembly.ts, its caps) and
 * reach the app-layer parsers once the other side acknowledges them.
 */
import { TcpStream, type StreamConsumer } from "../stream/reassembly";
import { AppParser, detect, dnsDatagram, MAX_BUFFER, type Tx } from "./app";
import type { Hdr as Decoded } from "./header";

export interface FlowOptions {
  /** pick up TCP sessions without a handshake (Suricata's stream.midstream) */
  midstream?: boolean;
  /** accept one-sided TCP sessions (stream.async-oneside) */
  asyncOneside?: boolean;
  /** idle flows are dropped after this many seconds of packet time (default 600) */
  timeout?: number;
}

const enum St { NONE = 0, SYN_SENT = 1, SYN_RECV = 2, ESTABLISHED = 3, CLOSED = 4 }

/** One direction's stream: TcpStream (src/stream/reassembly.ts) puts it in order; bytes wait here for the other side's ACK. */
class Stream implements StreamConsumer {
  readonly tcp: TcpStream = new TcpStream(this);
  parser: AppParser | null = null;
  /** bytes seen before detection (kept for detection and replay) */
  pre: Buffer[] = [];
  preLen = 0;
  /** in-order bytes not yet acknowledged by the other side (held until then, as Suricata's IDS mode) */
  pending: Buffer[] = [];
  pendingLen = 0;
  /** sequence number of pending[0]'s first byte */
  pendingSeq = 0;
  constructor(private readonly onGap: (s: Stream) => void) {}

  data(b: Uint8Array, off: number, end: number): boolean {
    if (this.pendingLen === 0) this.pendingSeq = this.tcp.nextSeq;
    if (this.pendingLen + (end - off) > 4 * MAX_BUFFER) {
      // never acknowledged for too long: keep the newest data only
      this.pending = [];
      this.pendingLen = 0;
      this.pendingSeq = this.tcp.nextSeq;
      this.parser?.gap();
    }
    this.pending.push(Buffer.from(b.subarray(off, end)));
    this.pendingLen += end - off;
    return true;
  }

  gap(): boolean {
    this.onGap(this);
    return true;
  }
}

export class Flow {
  bits: Set<string> | null = null;
  alproto = "";
  /** detection given up */
  alFailed = false;
  tcp: St = St.NONE;
  /** 1: to_server seen, 2: to_client seen */
  seen = 0;
  last = 0;
  /** both FINs seen: the session is closing (not established for later packets) */
  fins = 0;
  /** one-sided session (async-oneside): data goes to the app layer without waiting for ACKs */
  async = false;
  /** the client→server addresses and ports, for transactions completed at the end of the capture */
  hdr: { ipv: number; src: number; dst: number; sport: number; dport: number; proto: number } | null = null;
  readonly streams: [Stream, Stream];
  constructor(readonly id: number, public clientIsLo: boolean, readonly proto: number, onGap: (f: Flow, s: Stream) => void) {
    this.streams = [new Stream((s) => onGap(this, s)), new Stream((s) => onGap(this, s))];
  }
}

export class FlowTracker {
  private readonly flows = new Map<string, Flow>();
  private nextId = 0;
  private purgeAt = 0;
  readonly midstream: boolean;
  readonly asyncOneside: boolean;
  readonly timeout: number;
  /** results for the current packet */
  flow: Flow | null = null;
  toServer = false;
  established = false;
  /** a TCP session exists for this packet (stream data) */
  session = false;
  readonly txs: Tx[] = [];
  /**
   * Stream bytes whose delivery (on the other side's ACK) made the app protocol known in this
   * packet: rules on that protocol's payload inspect them, as Suricata's stream inspection would.
   */
  readonly detected: { toServer: boolean; data: Buffer }[] = [];
  private fromAck = false;

  constructor(opts: FlowOptions = {}) {
    this.midstream = opts.midstream ?? false;
    this.asyncOneside = opts.asyncOneside ?? false;
    this.timeout = opts.timeout ?? 600;
  }

  get count(): number { return this.nextId; }

  update(d: Decoded, t: number): Flow | null {
    this.txs.length = 0;
    this.detected.length = 0;
    this.flow = null;
    this.established = false;
    this.session = false;
    if (d.ipv === 0) return null;
    const ports = d.l4ok && (d.proto === 6 || d.proto === 17);
    const sp = ports ? d.sport : 0, dp = ports ? d.dport : 0;
    const a = d.src, bb = d.dst;
    const srcIsLo = a < bb || (a === bb && sp <= dp);
    const proto = d.fragment ? d.proto : d.proto;
    const key = srcIsLo ? `${proto}|${a}|${sp}|${bb}|${dp}` : `${proto}|${bb}|${dp}|${a}|${sp}`;
    if (t >= this.purgeAt) this.purge(t);
    let f = this.flows.get(key);
    if (f !== undefined && d.proto === 6 && d.l4ok && f.tcp === St.CLOSED && (d.tcpFlags & 0x12) === 0x02) {
      f = undefined; // port reuse: a new SYN after the session closed
    }
    if (f === undefined) {
      f = new Flow(this.nextId++, srcIsLo, proto, this.onGap);
      this.flows.set(key, f);
      if (d.proto === 6 && d.l4ok) this.tcpNew(f, d, srcIsLo);
      f.hdr = this.header(d, srcIsLo === f.clientIsLo);
      this.established = false;
    } else if (d.proto === 6 && d.l4ok) {
      // Suricata flags the packet from the state before the stream engine sees it
      this.established = f.tcp === St.ESTABLISHED && f.fins !== 3;
      this.tcpNext(f, d, srcIsLo);
    } else this.established = f.tcp === St.ESTABLISHED && f.fins !== 3;
    f.last = t;
    this.flow = f;
    const toServer = srcIsLo === f.clientIsLo;
    this.toServer = toServer;
    f.seen |= toServer ? 1 : 2;
    if (d.proto === 6) {
      this.session = f.tcp !== St.NONE;
      if (this.session && d.l4ok && (d.tcpFlags & 0x01) !== 0) f.fins |= toServer ? 1 : 2;
      if (this.established && d.l4ok && (d.tcpFlags & 0x10) !== 0 && !f.async) {
        this.fromAck = true;
        this.acked(f, toServer ? 1 : 0, d.ack, d);
        this.fromAck = false;
      }
      if (this.session && d.l4ok && !d.fragment) this.tcpData(f, d, toServer);
      if (f.async && d.l4ok) this.acked(f, toServer ? 0 : 1, 0, d, true);
    } else {
      this.established = f.seen === 3;
      if (d.proto === 17 && d.l4ok && !d.fragment) this.udpData(f, d, toServer);
    }
    return f;
  }

  private tcpNew(f: Flow, d: Decoded, srcIsLo: boolean): void {
    const fl = d.tcpFlags;
    if ((fl & 0x04) !== 0) return; // RST: no session
    if ((fl & 0x12) === 0x02) { f.tcp = St.SYN_SENT; return; }
    if (!this.midstream) return;
    if ((fl & 0x12) === 0x12) {
      // SYN/ACK picked up: its receiver is the client
      f.clientIsLo = !srcIsLo;
      f.tcp = St.SYN_RECV;
      return;
    }
    if ((fl & 0x10) !== 0) f.tcp = St.ESTABLISHED;
  }

  private tcpNext(f: Flow, d: Decoded, srcIsLo: boolean): void {
    const fl = d.tcpFlags;
    const toServer = srcIsLo === f.clientIsLo;
    if ((fl & 0x04) !== 0) {
      if (f.tcp !== St.NONE) f.tcp = St.CLOSED;
      return;
    }
    switch (f.tcp) {
      case St.NONE:
        // a flow without a session stays so (Suricata does not start one on a later packet)
        return;
      case St.SYN_SENT:
        if (!toServer && (fl & 0x12) === 0x12) f.tcp = St.SYN_RECV;
        else if (toServer && (fl & 0x12) === 0x10 && this.asyncOneside) { f.tcp = St.ESTABLISHED; f.async = true; }
        return;
      case St.SYN_RECV:
        if (toServer && (fl & 0x12) === 0x10) f.tcp = St.ESTABLISHED;
        return;
      default:
        return;
    }
  }

  private tcpData(f: Flow, d: Decoded, toServer: boolean): void {
    if ((d.payLen === 0 && (d.tcpFlags & 0x02) === 0) || f.alFailed && f.alproto === "") return;
    const s = f.streams[toServer ? 0 : 1];
    if (s.parser !== null && s.parser.done) return; // nothing more to parse on this side: no copies
    s.tcp.segment(d.seq, d.tcpFlags, d.buf, d.payOff, d.payOff + d.payLen, d.payLen);
  }

  /** a hole the stream gave up on: what waits goes up first, then the parser loses its framing */
  private readonly onGap = (f: Flow, s: Stream): void => {
    this.acked(f, s === f.streams[0] ? 0 : 1, 0, null, true);
    s.parser?.gap();
  };

  /** Hands stream `dir`'s pending bytes up to `ack` (everything when `all`) to the app layer. */
  private acked(f: Flow, dir: number, ack: number, d: Decoded | null, all = false): void {
    const s = f.streams[dir];
    if (s.pendingLen === 0) return;
    let n = all ? s.pendingLen : (ack - s.pendingSeq) >>> 0;
    if (!all && (n === 0 || n > s.pendingLen)) {
      if (n > s.pendingLen && n < 0x80000000) n = s.pendingLen; else return;
    }
    const data = s.pending.length === 1 ? s.pending[0] : Buffer.concat(s.pending);
    const now = data.subarray(0, n), rest = data.subarray(n);
    s.pending = rest.length ? [rest] : [];
    s.pendingLen = rest.length;
    s.pendingSeq = (s.pendingSeq + n) >>> 0;
    this.deliver(f, s, dir === 0, now, d);
  }

  /** End of capture: pending data goes to the app layer (Suricata's flow-timeout pseudo packets). */
  flushAll(each: (f: Flow, txs: Tx[]) => void): void {
    for (const f of this.flows.values()) {
      this.txs.length = 0;
      this.acked(f, 0, 0, null, true);
      this.acked(f, 1, 0, null, true);
      if (this.txs.length) each(f, this.txs);
    }
    this.txs.length = 0;
  }

  private header(d: Decoded, clientIsSrc: boolean): Flow["hdr"] {
    return clientIsSrc
      ? { ipv: d.ipv, src: d.src, dst: d.dst, sport: d.sport, dport: d.dport, proto: d.proto }
      : { ipv: d.ipv, src: d.dst, dst: d.src, sport: d.dport, dport: d.sport, proto: d.proto };
  }

  private deliver(f: Flow, s: Stream, toServer: boolean, data: Buffer, d: Decoded | null): void {
    if (f.alproto === "" && !f.alFailed) {
      s.pre.push(Buffer.from(data));
      s.preLen += data.length;
      const head = s.pre.length === 1 ? s.pre[0] : Buffer.concat(s.pre);
      const hp = f.hdr;
      const p = detect(head, toServer, true, hp?.sport ?? -1, hp?.dport ?? -1);
      if (p !== "") {
        f.alproto = p;
        for (const st of f.streams) {
          if (st.preLen > 0) {
            const other = st !== s;
            st.parser = new AppParser(p, st === f.streams[0]);
            if (other) { st.parser.feed(Buffer.concat(st.pre), this.txs); }
          }
          st.pre = [];
          st.preLen = 0;
        }
        s.parser = s.parser ?? new AppParser(p, toServer);
        s.parser.feed(head, this.txs);
        if (this.fromAck) this.detected.push({ toServer, data: head });
        return;
      }
      // give up after enough bytes in both directions (or a lot in one)
      const a = f.streams[0].preLen, b = f.streams[1].preLen;
      if (a + b > MAX_BUFFER / 8 || (a > 0 && b > 0 && (a > 512 || b > 512))) {
        f.alFailed = true;
        for (const st of f.streams) { st.pre = []; st.preLen = 0; }
      }
      return;
    }
    if (s.parser === null && f.alproto !== "") s.parser = new AppParser(f.alproto, toServer);
    s.parser?.feed(data, this.txs);
  }

  private udpData(f: Flow, d: Decoded, toServer: boolean): void {
    if (f.alproto === "" && !f.alFailed) {
      const p = detect(d.buf.subarray(d.payOff, d.payOff + d.payLen), toServer, false, d.sport, d.dport);
      if (p !== "") f.alproto = p;
      else if (d.payLen > 0) f.alFailed = true;
    }
    if (f.alproto === "dns") {
      const tx = dnsDatagram(d.buf, d.payOff, d.payOff + d.payLen, toServer);
      if (tx !== null) this.txs.push(tx);
    }
  }

  /** Drops flows idle past the timeout (bounded memory on long captures). */
  private purge(t: number): void {
    const limit = t - this.timeout;
    if (this.purgeAt !== 0) for (const [k, f] of this.flows) if (f.last < limit) this.flows.delete(k);
    this.purgeAt = t + 60;
  }
}
