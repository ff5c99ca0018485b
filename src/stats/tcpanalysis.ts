/**
 * TCP streams and tshark's sequence analysis (the tcp.analysis.* flags), over columns.
 *
 * Streams follow tshark's tcp.stream: one per (address, port) pair, and a new one when a SYN
 * (without ACK) carries a sequence number other than the base sequence number known for its
 * direction (port reuse). The analysis follows packet-tcp.c's tcp_analyze_sequence_number: per
 * direction the next expected sequence number, the last ACK and window, duplicate-ACK counts,
 * the highest in-order sequence number to be acknowledged; raw (not relative) numbers compared
 * modulo 2^32. A packet is analysed when tshark knows its segment length: tcp.len is present
 * (not an IP fragment, not the quoted header of an ICMP error).
 *
 * State is per stream and direction (typed arrays grown as streams appear): nothing per packet
 * beyond the output arrays.
 */
import type { Capture } from "../table/capture";
import { numbers, relativeTimes } from "../table/bulk";
import type { Taps } from "./taps";

export const A = {
  RETRANSMISSION: 1 << 0,
  FAST_RETRANSMISSION: 1 << 1,
  OUT_OF_ORDER: 1 << 2,
  SPURIOUS_RETRANSMISSION: 1 << 3,
  DUPLICATE_ACK: 1 << 4,
  ZERO_WINDOW: 1 << 5,
  WINDOW_FULL: 1 << 6,
  KEEP_ALIVE: 1 << 7,
  LOST_SEGMENT: 1 << 8,
  ACKED_UNSEEN: 1 << 9,
  WINDOW_UPDATE: 1 << 10,
  ZERO_WINDOW_PROBE: 1 << 11,
  ZERO_WINDOW_PROBE_ACK: 1 << 12,
  KEEP_ALIVE_ACK: 1 << 13,
  RESET: 1 << 14,
  REUSED_PORTS: 1 << 15,
} as const;

/** kind names (as the tshark field after tcp.analysis., or tcp.flags.reset), in report order */
export const KINDS: [number, string, string][] = [
  [A.RETRANSMISSION, "retransmission", "tcp.analysis.retransmission"],
  [A.FAST_RETRANSMISSION, "fast_retransmission", "tcp.analysis.fast_retransmission"],
  [A.SPURIOUS_RETRANSMISSION, "spurious_retransmission", "tcp.analysis.spurious_retransmission"],
  [A.OUT_OF_ORDER, "out_of_order", "tcp.analysis.out_of_order"],
  [A.LOST_SEGMENT, "lost_segment", "tcp.analysis.lost_segment"],
  [A.ACKED_UNSEEN, "ack_lost_segment", "tcp.analysis.ack_lost_segment"],
  [A.DUPLICATE_ACK, "duplicate_ack", "tcp.analysis.duplicate_ack"],
  [A.ZERO_WINDOW, "zero_window", "tcp.analysis.zero_window"],
  [A.WINDOW_FULL, "window_full", "tcp.analysis.window_full"],
  [A.WINDOW_UPDATE, "window_update", "tcp.analysis.window_update"],
  [A.KEEP_ALIVE, "keep_alive", "tcp.analysis.keep_alive"],
  [A.KEEP_ALIVE_ACK, "keep_alive_ack", "tcp.analysis.keep_alive_ack"],
  [A.ZERO_WINDOW_PROBE, "zero_window_probe", "tcp.analysis.zero_window_probe"],
  [A.ZERO_WINDOW_PROBE_ACK, "zero_window_probe_ack", "tcp.analysis.zero_window_probe_ack"],
  [A.REUSED_PORTS, "reused_ports", "tcp.analysis.reused_ports"],
  [A.RESET, "reset", "tcp.flags.reset == 1"],
];

const FIN = 1, SYN = 2, RST = 4, ACK = 16;

/** a - b as a signed 32-bit sequence difference */
const sd = (a: number, b: number) => (a - b) | 0;

export interface TcpResult {
  /** stream per row (-1: no TCP tap on the row) */
  stream: Int32Array;
  streams: number;
  /** analysis flags per row (0 unless analyse was asked) */
  flags: Uint32Array;
}

/** Grows-by-doubling per-(stream, direction) state. */
class DirState {
  cap = 0;
  baseSet = new Uint8Array(0); base = new Float64Array(0);
  nextseq = new Float64Array(0); nextseqTime = new Float64Array(0);
  lastack = new Float64Array(0); lastackTime = new Float64Array(0); dupacks = new Float64Array(0);
  window = new Float64Array(0); winScale = new Int8Array(0); maxToAck = new Float64Array(0); lastFlags = new Uint32Array(0);
  ensure(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(64, this.cap * 2, n);
    const grow = <T extends Float64Array | Uint8Array | Int8Array | Uint32Array>(a: T, fill: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.fill(fill as never);
      b.set(a as never);
      return b;
    };
    this.baseSet = grow(this.baseSet, 0); this.base = grow(this.base, 0);
    this.nextseq = grow(this.nextseq, 0); this.nextseqTime = grow(this.nextseqTime, 0);
    this.lastack = grow(this.lastack, 0); this.lastackTime = grow(this.lastackTime, 0); this.dupacks = grow(this.dupacks, 0);
    this.window = grow(this.window, 0xffffffff); this.winScale = grow(this.winScale, -1); this.maxToAck = grow(this.maxToAck, 0);
    this.lastFlags = grow(this.lastFlags, 0);
    this.cap = cap;
  }
}

/** tcp.stream per row, and with `analyse` the tcp.analysis flags per row. */
export function tcpAnalysis(cap: Capture, tcp: Taps, analyse: boolean): TcpResult {
  const { src, dst } = tcp.passes[0];
  const n = cap.count;
  const fl = numbers(cap, "tcp.flags", 0), seq = numbers(cap, "tcp.seq_raw", 0), ackN = numbers(cap, "tcp.ack_raw", 0);
  const seglenA = numbers(cap, "tcp.len"), winA = analyse ? numbers(cap, "tcp.window_size_value", 0) : seglenA;
  const wsA = analyse ? numbers(cap, "tcp.options.wscale.shift") : seglenA;
  const time = analyse ? relativeTimes(cap) : seglenA;
  const stream = new Int32Array(n).fill(-1), out = new Uint32Array(n);
  const current = new Map<number, number>();
  const d = new DirState();
  let streams = 0;
  // per stream: most recent SYN time, first RTT (NaN: unset)
  let mruSyn = new Float64Array(64).fill(NaN), firstRtt = new Float64Array(64).fill(NaN);
  const nEp = tcp.addr.length;
  for (let i = 0; i < n; i++) {
    const a = src[i], b = dst[i];
    if (a < 0) continue;
    const lo = a < b ? a : b, hi = a < b ? b : a;
    const key = lo * nEp + hi;
    // direction 0: from the lower endpoint id (any fixed rule works: both ends agree)
    const dir = a <= b ? 0 : 1;
    const f = fl[i], sq = seq[i], ak = ackN[i];
    let st = current.get(key);
    if (st === undefined) {
      st = streams++;
      current.set(key, st);
      d.ensure(streams * 2);
    }
    let fw = st * 2 + dir, rv = st * 2 + (1 - dir);
    let flags = 0;
    if ((f & (SYN | ACK)) === SYN && d.baseSet[fw] && sq !== d.base[fw]) {
      st = streams++;
      current.set(key, st);
      d.ensure(streams * 2);
      fw = st * 2 + dir; rv = st * 2 + (1 - dir);
      flags |= A.REUSED_PORTS;
    }
    stream[i] = st;
    if (!analyse) {
      // base sequence numbers are all stream splitting needs
      if (seglenA[i] === seglenA[i]) {
        if (!d.baseSet[fw]) { d.base[fw] = (f & SYN) ? sq : (sq - 1) >>> 0; d.baseSet[fw] = 1; }
        if (!d.baseSet[rv] && (f & ACK)) { d.base[rv] = (ak - 1) >>> 0; d.baseSet[rv] = 1; }
      }
      continue;
    }
    if (st >= mruSyn.length) {
      const m = new Float64Array(mruSyn.length * 2).fill(NaN); m.set(mruSyn); mruSyn = m;
      const r = new Float64Array(firstRtt.length * 2).fill(NaN); r.set(firstRtt); firstRtt = r;
    }
    if (f & RST) flags |= A.RESET;
    const seglen = seglenA[i];
    if (seglen === seglen) {
      flags = analyseSegment(d, fw, rv, sq, ak, seglen, f, winA[i], time[i], firstRtt[st], flags);
      // window scale: the option, then tshark's check on SYNs
      const ws = wsA[i];
      if (ws === ws) d.winScale[fw] = ws > 14 ? 14 : ws;
      if (f & SYN) {
        if (d.winScale[fw] === -1) { d.winScale[fw] = -2; d.winScale[rv] = -2; }
        else if ((f & ACK) && d.winScale[rv] === -2) d.winScale[fw] = -2;
      }
    }
    if ((f & (SYN | ACK)) === SYN) mruSyn[st] = time[i];
    if ((f & (SYN | ACK)) === ACK && mruSyn[st] === mruSyn[st] && firstRtt[st] !== firstRtt[st]) firstRtt[st] = time[i] - mruSyn[st];
    out[i] = flags;
  }
  return { stream, streams, flags: out };
}

function analyseSegment(d: DirState, fw: number, rv: number, seq: number, ack: number, seglen: number, flags: number,
  window: number, t: number, firstRtt: number, ta: number): number {
  if (!d.baseSet[fw]) {
    d.base[fw] = (flags & SYN) ? seq : (seq - 1) >>> 0;
    d.baseSet[fw] = 1;
  }
  if (!d.baseSet[rv] && (flags & ACK)) { d.base[rv] = (ack - 1) >>> 0; d.baseSet[rv] = 1; }
  const nextseq = d.nextseq[fw];
  const noSFR = (flags & (SYN | FIN | RST)) === 0;
  finished: {
    if (seglen === 1 && seq === nextseq && d.window[rv] === 0) { ta |= A.ZERO_WINDOW_PROBE; break finished; }
    if (window === 0 && noSFR) ta |= A.ZERO_WINDOW;
    if (nextseq !== 0 && sd(seq, nextseq) > 0 && (flags & RST) === 0) ta |= A.LOST_SEGMENT;
    if ((seglen === 0 || seglen === 1) && seq === ((nextseq - 1) >>> 0) && noSFR) ta |= A.KEEP_ALIVE;
    if (seglen === 0 && window !== 0 && window !== d.window[fw] && seq === nextseq && ack === d.lastack[fw] && noSFR) ta |= A.WINDOW_UPDATE;
    const rs = d.winScale[rv];
    if (seglen > 0 && rs !== -1 && ((seq + seglen) >>> 0) === ((d.lastack[rv] + d.window[rv] * 2 ** (rs === -2 ? 0 : rs)) % 4294967296) && noSFR) ta |= A.WINDOW_FULL;
    const same = seglen === 0 && seq === nextseq && ack === d.lastack[fw] && noSFR;
    if (same && window !== 0 && window === d.window[fw] && (d.lastFlags[rv] & A.KEEP_ALIVE)) { ta |= A.KEEP_ALIVE_ACK; break finished; }
    if (same && window === 0 && window === d.window[fw] && (d.lastFlags[rv] & A.ZERO_WINDOW_PROBE)) { ta |= A.ZERO_WINDOW_PROBE_ACK; break finished; }
    if (same && window !== 0 && window === d.window[fw]) { d.dupacks[fw]++; ta |= A.DUPLICATE_ACK; }
  }
  if (ack !== d.lastack[fw]) d.dupacks[fw] = 0;
  if (d.maxToAck[rv] !== 0 && sd(ack, d.maxToAck[rv]) > 0 && (flags & ACK)) {
    ta |= A.ACKED_UNSEEN;
    d.maxToAck[rv] = d.nextseq[rv];
  }
  if (seglen > 0 || (flags & (SYN | FIN))) {
    retrans: {
      let notAdvanced = nextseq !== 0 && sd(seq, nextseq) < 0;
      if (ta & A.KEEP_ALIVE) break retrans;
      if (seglen > 1 && ((nextseq - 1) >>> 0) === seq) notAdvanced = false;
      if (notAdvanced && d.dupacks[rv] >= 2 && d.lastack[rv] === seq && t - d.lastackTime[rv] < 0.02) { ta |= A.FAST_RETRANSMISSION | A.RETRANSMISSION; break retrans; }
      const ooo = firstRtt === firstRtt && firstRtt !== 0 ? firstRtt : 0.003;
      if (notAdvanced && t - d.nextseqTime[fw] < ooo && nextseq !== ((seq + seglen + ((flags & (SYN | FIN)) ? 1 : 0)) >>> 0)) { ta |= A.OUT_OF_ORDER; break retrans; }
      if (seglen > 0 && d.lastack[rv] !== 0 && sd((seq + seglen) >>> 0, d.lastack[rv]) <= 0) { ta |= A.SPURIOUS_RETRANSMISSION | A.RETRANSMISSION; break retrans; }
      if (notAdvanced) ta |= A.RETRANSMISSION;
    }
  }
  let nxt = (seq + seglen) >>> 0;
  if ((seglen > 0 || (flags & (SYN | FIN))) && (flags & (SYN | FIN))) nxt = (nxt + 1) >>> 0;
  if (sd(nxt, d.nextseq[fw]) > 0 || d.nextseq[fw] === 0) {
    if (!(ta & A.ZERO_WINDOW_PROBE)) { d.nextseq[fw] = nxt; d.nextseqTime[fw] = t; }
  }
  if (seq === d.maxToAck[fw] || d.maxToAck[fw] === 0) {
    if (!(ta & A.ZERO_WINDOW_PROBE)) d.maxToAck[fw] = d.nextseq[fw];
  }
  d.window[fw] = window;
  d.lastack[fw] = ack;
  d.lastackTime[fw] = t;
  d.lastFlags[fw] = ta;
  return ta;
}
