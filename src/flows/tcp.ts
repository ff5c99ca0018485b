/**
 * TCP connection state as Zeek keeps it (TCPSessionAdapter, TCP_Endpoint, TCP_Reassembler):
 * endpoint states, sequence-number bookkeeping (sizes from sequence numbers, 64-bit with wraps),
 * history letters, and the reassembler's gap accounting (missed_bytes), without holding payload.
 */
import { insertInterval } from "../stream/intervals";

export const INACTIVE = 0, SYN_SENT = 1, SYN_ACK_SENT = 2, PARTIAL = 3, ESTABLISHED = 4, CLOSED = 5, RESET = 6;
export const STATE_NAMES = ["INACTIVE", "SYN_SENT", "SYN_ACK_SENT", "PARTIAL", "ESTABLISHED", "CLOSED", "RESET"];

export const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

const HIST_SYN = 0x1, HIST_FIN = 0x2, HIST_RST = 0x4, HIST_FIN_RST = 0x8, HIST_DATA = 0x10, HIST_ACK = 0x20, HIST_MULTI = 0x40;

const TOO_LARGE_SEQ_DELTA = 1048576;
const TWO32 = 4294967296;
/** tcp_max_initial_window */
const MAX_INITIAL_WINDOW = 16384;

/** signed 32-bit difference of two sequence numbers */
export function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

function isHandshake(s: number): boolean {
  return s === INACTIVE || s === SYN_SENT || s === SYN_ACK_SENT;
}

/** What a TCP endpoint needs from its connection (the Conn of conn.ts). */
export interface TcpConn {
  history: string;
  histSeen: number;
  /** inactivity timeout in force */
  timeout: number;
  tcpTimeout: number;
  isPartial: boolean;
  firstPacketSeen: number;
  isActive: boolean;
  flip(): void;
}

export class Endpoint {
  state = INACTIVE;
  prevState = INACTIVE;
  startSeq = 0;
  lastSeq = 0;
  ackSeq = 0;
  seqWraps = 0;
  ackWraps = 0;
  finCnt = 0;
  rstCnt = 0;
  finSeq = 0;
  didClose = false;
  histLastSyn = 0;
  histLastFin = 0;
  histLastRst = 0;
  rxmtCnt = 0;
  rxmtThresh = 1;
  win0Cnt = 0;
  win0Thresh = 1;
  gapCnt = 0;
  gapThresh = 1;
  /** reassembler: next sequence to deliver, trim point, out-of-order blocks above it (start, end pairs) */
  lastReassem = 1;
  trimSeq = 1;
  blocks: number[] | null = null;
  /** bytes reported missing (content gaps) */
  missed = 0;
  peer!: Endpoint;
  constructor(public isOrig: boolean, private readonly conn: TcpConn) {}

  /** every field as the constructor sets it */
  reset(isOrig: boolean): void {
    Object.assign(this, FRESH_ENDPOINT, { conn: this.conn, isOrig });
  }

  setState(s: number): void {
    if (s === this.state) return;
    if (!isHandshake(s) && isHandshake(this.state) && isHandshake(this.peer.state)) this.conn.timeout = this.conn.tcpTimeout;
    this.prevState = this.state;
    this.state = s;
  }

  full(seq: number, wraps: number): number {
    return wraps * TWO32 + seq;
  }
  relative(seq: number, wraps: number): number {
    return this.full(seq, wraps) - this.startSeq;
  }
  updateLastSeq(seq: number): void {
    if (seq < this.lastSeq) this.seqWraps++;
    this.lastSeq = seq;
  }
  updateAckSeq(seq: number): void {
    if (seq < this.ackSeq) this.ackWraps++;
    this.ackSeq = seq;
  }
  noDataAcked(): boolean {
    const ack = this.full(this.ackSeq, this.ackWraps);
    return ack === this.startSeq || ack === this.startSeq + 1;
  }

  /** Size(): payload bytes from the sequence-number span (SYN and FIN octets excluded) */
  size(): number {
    if (this.prevState === SYN_SENT && this.state === RESET && this.peer.state === INACTIVE && !this.noDataAcked()) return 0;
    const last = this.full(this.lastSeq, this.seqWraps), ack = this.full(this.ackSeq, this.ackWraps);
    let size = (last > ack ? last : ack) - this.startSeq;
    if (size < 0) size += 2 ** 64; // uint64 arithmetic, as Zeek
    if (size !== 0) size--;
    if (this.finCnt > 0 && size !== 0) size--;
    return size;
  }

  // --- history
  checkHistory(mask: number, code: string): boolean {
    const c = this.conn;
    if (!this.isOrig) { mask <<= 16; code = code.toLowerCase(); }
    if ((c.histSeen & mask) === 0) {
      c.histSeen |= mask;
      c.history += code;
      return false;
    }
    return true;
  }
  addHistory(code: string): void {
    this.conn.history += this.isOrig ? code : code.toLowerCase();
  }
  didRxmit(): void {
    if (++this.rxmtCnt === this.rxmtThresh) { this.addHistory("T"); this.rxmtThresh *= 10; }
  }
  zeroWindow(): void {
    if (++this.win0Cnt === this.win0Thresh) { this.addHistory("W"); this.win0Thresh *= 10; }
  }
  private gapHistory(): void {
    if (++this.gapCnt === this.gapThresh) { this.addHistory("G"); this.gapThresh *= 10; }
  }

  // --- reassembler (gap accounting only)
  private isClean(): boolean {
    return this.state === ESTABLISHED || (this.state === CLOSED && this.prevState === ESTABLISHED);
  }
  private gap(len: number): void {
    if (this.isClean() && this.peer.isClean()) {
      this.gapHistory();
      this.missed += len;
    }
  }
  /** data [seq, seq+len) of this endpoint's stream seen (relative sequence numbers) */
  dataSent(seq: number, len: number): void {
    const ack = this.relative(this.ackSeq, this.ackWraps);
    let upper = seq + len;
    if (seq < ack) {
      if (upper <= ack) return;
      seq = ack;
    }
    if (upper <= this.trimSeq) return;
    if (seq < this.trimSeq) seq = this.trimSeq;
    if (seq <= this.lastReassem) {
      if (upper > this.lastReassem) {
        this.lastReassem = upper;
        this.deliverBlocks();
      }
    } else {
      this.addBlock(seq, upper);
    }
    upper = 0;
    // BlockInserted: trim delivered data when nothing was acked after a large initial window
    if (this.noDataAcked() && this.size() > MAX_INITIAL_WINDOW && this.trimSeq < this.lastReassem) this.trimTo(this.lastReassem);
  }
  private addBlock(s: number, e: number): void {
    insertInterval(this.blocks ?? (this.blocks = []), s, e);
  }
  private deliverBlocks(): void {
    const b = this.blocks;
    if (b === null) return;
    while (b.length > 0 && b[0] <= this.lastReassem) {
      if (b[1] > this.lastReassem) this.lastReassem = b[1];
      b.splice(0, 2);
    }
  }
  /** Reassembler::TrimToSeq: data below seq will never come; report the holes */
  private trimTo(seq: number): void {
    if (this.lastReassem < seq) this.undelivered(seq);
    const b = this.blocks;
    if (b !== null) while (b.length > 0 && b[1] <= seq) b.splice(0, 2);
    this.trimSeq = seq;
  }
  private undelivered(upTo: number): void {
    if (upTo <= 2 && this.conn.isPartial) return;
    const b = this.blocks;
    if (b !== null) {
      while (b.length > 0 && b[0] < upTo) {
        if (b[0] > this.lastReassem) {
          this.gap(b[0] - this.lastReassem);
          this.lastReassem = b[0];
        }
        if (b[1] > this.lastReassem) this.lastReassem = b[1];
        b.splice(0, 2);
      }
    }
    if (upTo > this.lastReassem) {
      this.gap(upTo - this.lastReassem);
      this.lastReassem = upTo;
    }
  }
  /** the peer acknowledged up to relative sequence `seq` of this endpoint's stream */
  ackReceived(seq: number): void {
    if (this.finCnt > 0 && seq >= this.finSeq) seq = this.finSeq - 1;
    if (seq <= this.trimSeq) return;
    this.trimTo(seq);
  }
}

const FRESH_ENDPOINT = new Endpoint(true, null as unknown as TcpConn);

/** get_relative_seq; `under[0]` is set when the sequence lies before the endpoint's start */
function relativeSeq(e: Endpoint, cur: number, last: number, wraps: number, under: boolean[]): number {
  const d = seqDelta(cur, last);
  if (d < 0) { if (wraps !== 0 && cur > last) wraps--; }
  else if (d > 0) { if (cur < last) wraps++; }
  if (wraps === 0) {
    const r = seqDelta(cur, e.startSeq);
    if (r < 0) under[0] = true;
    return r;
  }
  return e.relative(cur, wraps);
}

const scratch = [false];

/** What one segment did to the connection: whether to close, and with which event. */
export interface SegmentResult { doClose: boolean; genEvent: boolean }

export class TcpState {
  orig: Endpoint;
  resp: Endpoint;
  /** the sending endpoint of the last segment */
  endpoint!: Endpoint;
  constructor(private readonly c: TcpConn) {
    this.orig = new Endpoint(true, c);
    this.resp = new Endpoint(false, c);
    this.orig.peer = this.resp;
    this.resp.peer = this.orig;
  }

  /** back to the state of a new connection (the objects are reused) */
  reset(): void {
    if (!this.orig.isOrig) { const t = this.orig; this.orig = this.resp; this.resp = t; }
    this.orig.reset(true);
    this.resp.reset(false);
    this.orig.peer = this.resp;
    this.resp.peer = this.orig;
  }

  isClosed(): boolean {
    return this.orig.didClose || this.resp.didClose;
  }

  flipRoles(): void {
    const t = this.resp;
    this.resp = this.orig;
    this.orig = t;
    this.orig.isOrig = !this.orig.isOrig;
    this.resp.isOrig = !this.resp.isOrig;
    const f = this.c.firstPacketSeen;
    this.c.firstPacketSeen = ((f & 1) ? 2 : 0) | ((f & 2) ? 1 : 0);
    this.c.isPartial = false;
  }

  /** IsReuse: a SYN that starts a new connection on this 5-tuple */
  isReuse(flags: number, seq: number): boolean {
    if ((flags & SYN) === 0) return false;
    let co = this.orig;
    if ((flags & ACK) !== 0) {
      if (this.orig.state !== INACTIVE) return false;
      co = this.resp;
    }
    if (!this.isClosed()) {
      if (seq === co.startSeq) return false;
      if ((flags & ACK) === 0 && co.state === SYN_ACK_SENT && this.resp.state === INACTIVE && seq === this.resp.startSeq) return false;
    }
    return true;
  }

  private setPartialStatus(flags: number, isOrig: boolean): void {
    const c = this.c;
    if (isOrig) {
      if ((c.firstPacketSeen & 1) === 0) c.isPartial = (flags & SYN) === 0 || (flags & ACK) !== 0;
    } else if ((c.firstPacketSeen & 2) === 0 && !c.isPartial) c.isPartial = (flags & SYN) === 0;
  }

  /**
   * One segment (TCPSessionAdapter::Process). `onAttempt` schedules the attempt timer; returns
   * whether the connection closed (ConnectionClosed is then up to the caller).
   */
  segment(isOrig: boolean, flags: number, seq: number, ack: number, len: number, win: number, captured: boolean,
    out: SegmentResult, onAttempt: () => void): void {
    const endpoint = isOrig ? this.orig : this.resp;
    const peer = endpoint.peer;
    this.setPartialStatus(flags, endpoint.isOrig);
    const syn = (flags & SYN) !== 0, fin = (flags & FIN) !== 0, rst = (flags & RST) !== 0, isAck = (flags & ACK) !== 0;
    let segLen = len;
    if (syn) segLen++;
    if (fin) segLen++;
    if (rst) segLen -= len;
    const onePast = (seq + segLen) >>> 0;

    // init_endpoint
    switch (endpoint.state) {
      case INACTIVE:
        if (syn) { endpoint.ackSeq = seq; endpoint.startSeq = seq; endpoint.lastSeq = onePast; }
        else {
          const s = (seq - 1) >>> 0;
          endpoint.ackSeq = s; endpoint.startSeq = s; endpoint.lastSeq = seq;
        }
        break;
      case SYN_SENT: case SYN_ACK_SENT:
        if (syn && seq !== endpoint.startSeq) { endpoint.startSeq = seq; endpoint.ackSeq = seq; endpoint.lastSeq = onePast; }
        break;
      case ESTABLISHED: case PARTIAL:
        if (syn) { endpoint.startSeq = seq; endpoint.ackSeq = seq; endpoint.lastSeq = onePast; }
        break;
      case RESET:
        if (syn && endpoint.prevState === INACTIVE) { endpoint.startSeq = seq; endpoint.ackSeq = seq; endpoint.lastSeq = onePast; }
        break;
    }

    scratch[0] = false;
    const relSeq = relativeSeq(endpoint, seq, endpoint.lastSeq, endpoint.seqWraps, scratch);
    const seqUnderflow = scratch[0];

    // update_history
    const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) endpoint.checkHistory(HIST_FIN_RST, "I");
      else endpoint.checkHistory(HIST_MULTI, "Q");
    } else if (bits === 1) {
      if (syn) {
        const code = isAck ? "H" : "S";
        if (endpoint.checkHistory(HIST_SYN, code) && relSeq !== endpoint.histLastSyn) endpoint.addHistory(code);
        endpoint.histLastSyn = relSeq;
      }
      if (fin) {
        if (endpoint.checkHistory(HIST_FIN, "F") && relSeq + len !== endpoint.histLastFin) endpoint.addHistory("F");
        endpoint.histLastFin = relSeq + len;
      }
      if (rst) {
        if (endpoint.checkHistory(HIST_RST, "R") && relSeq !== endpoint.histLastRst) endpoint.addHistory("R");
        endpoint.histLastRst = relSeq;
      }
    } else if (len > 0) endpoint.checkHistory(HIST_DATA, "D");
    else if (isAck) endpoint.checkHistory(HIST_ACK, "A");

    // update_window: zero windows
    if (win === 0 && !rst && peer.state !== CLOSED && endpoint.state !== RESET) endpoint.zeroWindow();

    if (fin) { endpoint.finCnt++; endpoint.finSeq = relSeq + segLen; }
    if (rst) endpoint.rstCnt++;

    let relAck = 0;
    if (isAck) {
      if (peer.state === INACTIVE) {
        relAck = 1;
        const s = (ack - 1) >>> 0;
        peer.startSeq = s; peer.ackSeq = s; peer.lastSeq = s;
      } else {
        scratch[0] = false;
        relAck = relativeSeq(peer, ack, peer.ackSeq, peer.ackWraps, scratch);
        if (scratch[0]) relAck = 0;
        else if (!rst) {
          const d = seqDelta(ack, peer.ackSeq);
          if (!(ack === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) peer.updateAckSeq(ack);
        }
      }
    }

    // update_last_seq
    const deltaLast = seqDelta(onePast, endpoint.lastSeq);
    if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) { /* distrust */ }
    else if (fin && endpoint.lastSeq === ((endpoint.startSeq + 1) >>> 0)) endpoint.updateLastSeq(onePast);
    else if (endpoint.state === RESET) { /* distrust */ }
    else if (deltaLast > 0) endpoint.updateLastSeq(onePast);
    else if (len > 0) endpoint.didRxmit();

    out.doClose = false;
    out.genEvent = false;
    this.stateMachine(endpoint, peer, seq, ack, len, deltaLast, isOrig, flags, out, onAttempt);

    if (isAck) peer.ackReceived(relAck);
    // CheckPIA_FirstPacket
    this.c.firstPacketSeen |= endpoint.isOrig ? 1 : 2;
    const relData = syn ? relSeq + 1 : relSeq;
    // a payload the snaplen cut never reaches the reassembler (TCP_Endpoint::DataSent): acks make it a gap
    if (len > 0 && !rst && !seqUnderflow && captured) endpoint.dataSent(relData, len);
    this.endpoint = endpoint;
  }

  private stateMachine(endpoint: Endpoint, peer: Endpoint, seq: number, ack: number, len: number, deltaLast: number,
    isOrig: boolean, flags: number, out: SegmentResult, onAttempt: () => void): void {
    const syn = (flags & SYN) !== 0, fin = (flags & FIN) !== 0, rst = (flags & RST) !== 0, isAck = (flags & ACK) !== 0;
    const c = this.c;
    switch (endpoint.state) {
      case INACTIVE: {
        if (syn) {
          if (isOrig) {
            endpoint.setState(isAck ? SYN_ACK_SENT : SYN_SENT);
            onAttempt();
          } else {
            if (!isAck && peer.state === SYN_ACK_SENT && seq === endpoint.startSeq) {
              c.isPartial = false;
              c.flip();
              peer.setState(ESTABLISHED);
              c.firstPacketSeen |= 1;
            }
            if (peer.state === SYN_SENT) peer.setState(ESTABLISHED);
            endpoint.setState(ESTABLISHED);
          }
        }
        if (fin) {
          endpoint.setState(CLOSED);
          out.doClose = out.genEvent = true;
        }
        if (rst) {
          endpoint.setState(RESET);
          let reject = false;
          if (isOrig) { if (peer.state === ESTABLISHED) reject = true; }
          else if (peer.state === SYN_SENT || peer.state === SYN_ACK_SENT) reject = true;
          out.doClose = true;
          out.genEvent = !reject;
        }
        if (endpoint.state === INACTIVE) {
          if (!isOrig && len === 0 && this.orig.state === SYN_SENT) { /* ack before SYN-ACK */ }
          else if (isAck && peer.state === ESTABLISHED) {
            endpoint.setState(ESTABLISHED);
            c.isPartial = false;
            c.firstPacketSeen |= endpoint.isOrig ? 1 : 2;
          } else endpoint.setState(PARTIAL);
        }
        break;
      }
      case SYN_SENT: case SYN_ACK_SENT:
        if (fin) {
          endpoint.setState(CLOSED);
          out.doClose = out.genEvent = true;
        }
        if (rst) {
          endpoint.setState(RESET);
          c.isActive = false; // ConnectionReset
          out.doClose = true;
        }
        break;
      case ESTABLISHED: case PARTIAL:
        if (syn && endpoint.state === PARTIAL && peer.state === INACTIVE && !isAck) endpoint.setState(SYN_SENT);
        if (fin && !rst) {
          endpoint.setState(CLOSED);
          if (peer.state === RESET && peer.prevState === CLOSED) peer.setState(CLOSED);
          out.doClose = out.genEvent = true;
        }
        if (rst) {
          endpoint.setState(RESET);
          out.doClose = true;
          if (peer.state !== RESET || peer.prevState !== ESTABLISHED) c.isActive = false;
        }
        break;
      case CLOSED:
        if (rst && endpoint.peer.state !== CLOSED) {
          endpoint.setState(RESET);
          if (!endpoint.didClose) out.doClose = true;
        }
        break;
      case RESET:
        break;
    }
    void ack; void deltaLast;
  }
}
