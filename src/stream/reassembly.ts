/**
 * TCP stream reassembly for the application tables: one TcpStream per flow direction puts the
 * payload back in sequence order (32-bit wraparound handled with signed differences), drops
 * retransmitted bytes (the first copy wins), and holds out-of-order segments — bounded: past
 * MAX_HELD_BYTES or MAX_HELD_SEGMENTS held, or at the end of the capture, the hole before the
 * earliest held segment is declared a gap (the consumer is told how many bytes are missing) and
 * delivery goes on from there. Payload the snaplen cut is a gap too.
 */

/** What a stream delivers to. `data` returns false when the consumer wants nothing more. */
export interface StreamConsumer {
  data(b: Uint8Array, off: number, end: number): boolean;
  /** `n` bytes are missing here (never captured, or given up on) */
  gap(n: number): boolean;
}

export const MAX_HELD_BYTES = 256 * 1024;
export const MAX_HELD_SEGMENTS = 512;

interface Held {
  seq: number;
  data: Buffer;
  /** length on the wire (≥ data.length when the snaplen cut it) */
  len: number;
}

export class TcpStream {
  /** the next expected sequence number (unsigned 32-bit), -1 before the first segment */
  private next = -1;
  private held: Held[] = [];
  private heldBytes = 0;
  /** the consumer wants nothing more */
  done = false;
  /** times a cap forced a gap */
  capped = 0;
  /** bytes declared missing */
  gapBytes = 0;

  constructor(private readonly c: StreamConsumer) {}

  /** the sequence number of the next byte in order (during `data`, the first byte handed on); -1 before any segment */
  get nextSeq(): number {
    return this.next;
  }

  /**
   * One segment: flags (SYN sets the initial sequence number), payload [off, end) of b, `len` its
   * length on the wire.
   */
  segment(seq: number, flags: number, b: Uint8Array, off: number, end: number, len: number): void {
    if (this.done) return;
    if ((flags & 2) !== 0) {
      if (this.next === -1) this.next = (seq + 1) >>> 0;
      seq = (seq + 1) >>> 0; // data in a SYN follows the SYN's sequence number
    }
    if (len <= 0) return;
    if (this.next === -1) this.next = seq >>> 0;
    const d = (seq - this.next) | 0;
    if (d <= 0) {
      this.deliver(b, off, end, len, -d);
      this.drain();
    } else {
      if (this.heldBytes + len > MAX_HELD_BYTES || this.held.length >= MAX_HELD_SEGMENTS) {
        this.capped++;
        this.skipToEarliest(seq);
        if (this.done) return;
        const d2 = (seq - this.next) | 0;
        if (d2 <= 0) { this.deliver(b, off, end, len, -d2); this.drain(); return; }
      }
      const data = Buffer.from(b.subarray(off, end));
      this.held.push({ seq: seq >>> 0, data, len });
      this.heldBytes += data.length;
    }
  }

  /** The end of the capture: what is held is delivered, the holes before it as gaps. */
  finish(): void {
    while (!this.done && this.held.length > 0) this.skipToEarliest(-1);
    this.held = [];
    this.heldBytes = 0;
  }

  /** delivers a segment starting `skip` bytes before the next expected byte */
  private deliver(b: Uint8Array, off: number, end: number, len: number, skip: number): void {
    if (skip >= len) return;
    const have = end - off;
    if (skip < have && !this.c.data(b, off + skip, end)) { this.stop(); return; }
    const missing = len - Math.max(have, skip);
    if (missing > 0) {
      this.gapBytes += missing;
      if (!this.c.gap(missing)) { this.stop(); return; }
    }
    this.next = (this.next + len - skip) >>> 0;
  }

  private drain(): void {
    for (let again = true; again && !this.done;) {
      again = false;
      for (let i = 0; i < this.held.length; i++) {
        const h = this.held[i];
        const d = (h.seq - this.next) | 0;
        if (d > 0) continue;
        this.held.splice(i, 1);
        this.heldBytes -= h.data.length;
        this.deliver(h.data, 0, h.data.length, h.len, -d);
        again = true;
        break;
      }
    }
  }

  /** declares the hole before the earliest held segment (or `seq`, when ≥ 0) a gap */
  private skipToEarliest(seq: number): void {
    let best = seq >= 0 ? (seq - this.next) | 0 : Infinity;
    for (const h of this.held) { const d = (h.seq - this.next) | 0; if (d < best) best = d; }
    if (best === Infinity) return;
    if (best > 0) {
      this.gapBytes += best;
      if (!this.c.gap(best)) { this.stop(); return; }
      this.next = (this.next + best) >>> 0;
    }
    this.drain();
  }

  private stop(): void {
    this.done = true;
    this.held = [];
    this.heldBytes = 0;
  }
}

/**
 * A bounded byte accumulator for consumers that need a whole unit (a header block, a handshake
 * message) before they can parse it.
 */
export class ByteBuf {
  buf: Buffer;
  len = 0;
  constructor(initial = 1024, readonly max = 65536) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  /** appends; false when that would pass `max` (nothing appended) */
  append(b: Uint8Array, off: number, end: number): boolean {
    const n = end - off;
    if (this.len + n > this.max) return false;
    if (this.len + n > this.buf.length) {
      const nb = Buffer.allocUnsafe(Math.min(this.max, Math.max(this.len + n, this.buf.length * 2)));
      this.buf.copy(nb, 0, 0, this.len);
      this.buf = nb;
    }
    this.buf.set(b.subarray(off, end), this.len);
    this.len += n;
    return true;
  }
  /** drops the first n bytes */
  consume(n: number): void {
    if (n >= this.len) { this.len = 0; return; }
    this.buf.copy(this.buf, 0, n, this.len);
    this.len -= n;
  }
  clear(): void {
    this.len = 0;
  }
}
