/**
 * IPv4/IPv6 defragmentation for connection tracking. The packet table keeps headers, not payload,
 * so reassembly here is bookkeeping: which byte ranges of a datagram arrived, its total length
 * (known from the last fragment), and the row of its first fragment (whose transport header the
 * datagram's connection is keyed on). A datagram counts once, as one packet of its reassembled IP
 * length, at the time its last missing fragment arrives (as Zeek processes it).
 *
 * With the fragments' bytes (`add(r, i, b, off, end)`, the rule engine's use: the replay pass's
 * Replayed.fragOff/fragEnd) it also holds the data and hands back the reassembled IP payload
 * (`datagram`), overlaps resolved first-received-wins; lengths then come from the captured bytes.
 *
 * Memory is capped: at most `maxFragments` fragments and `maxFragmentBytes` fragment payload bytes
 * held in incomplete datagrams; past a cap the oldest incomplete datagram is dropped, and the drops
 * are reported in the flow table's warnings. The oldest is found in O(1) amortised, from a queue of
 * datagrams in arrival order (completed ones are skipped when they reach its head), not from the
 * Map's first entry: V8 steps over every deleted entry before it, ≈ 50 µs an eviction at 1M.
 */
import type { PacketArrays } from "./packets";
import { insertInterval } from "./intervals";

export interface DefragOptions {
  /** fragments held in incomplete datagrams at most (default 65 536) */
  maxFragments?: number;
  /** fragment payload bytes held at most (default 64 MiB) */
  maxFragmentBytes?: number;
}

interface Datagram {
  /** byte ranges received (start, end pairs, sorted, merged) */
  ranges: number[];
  /** payload length, known once the last fragment arrived (-1 before) */
  total: number;
  firstRow: number;
  hdrLen: number;
  /** view indexes of the fragments */
  indexes: number[];
  bytes: number;
  /** the fragments' data (bytes mode), in arrival order */
  parts: { off: number; data: Buffer }[] | null;
}

export class Defragmenter {
  private readonly held = new Map<string, Datagram>();
  /** datagrams in arrival order, from `head`; an entry whose datagram left `held` is stale */
  private order: Array<[string, Datagram]> = [];
  private head = 0;
  private fragments = 0;
  private bytes = 0;
  private dropped = 0;
  private droppedFragments = 0;
  private readonly maxFragments: number;
  private readonly maxBytes: number;
  /** of the datagram add() completed: its first fragment's row, IP total length, fragments' view indexes */
  firstRow = -1;
  totalLen = 0;
  doneIndexes: number[] = [];
  /** bytes mode: the IP payload (transport header first) of the datagram add() completed */
  datagram: Buffer = Buffer.alloc(0);

  constructor(private readonly P: PacketArrays, opts: DefragOptions = {}) {
    this.maxFragments = opts.maxFragments ?? 65536;
    this.maxBytes = opts.maxFragmentBytes ?? 64 * 1024 * 1024;
  }

  /**
   * Adds fragment row r (view index i); true when it completed its datagram. With `b`, the
   * fragment's data b[off, end) is kept and the completed datagram's payload is `datagram`.
   */
  add(r: number, i: number, b?: Uint8Array, off0 = 0, end0 = 0): boolean {
    const P = this.P;
    const v6 = P.ipv[r] === 6;
    const key = `${P.src[r]},${P.dst[r]},${P.fragId[r]},${v6 ? 6 : P.proto[r]}`;
    let d = this.held.get(key);
    if (d === undefined) {
      d = { ranges: [], total: -1, firstRow: -1, hdrLen: v6 ? 40 : P.ipHdr[r], indexes: [], bytes: 0, parts: b === undefined ? null : [] };
      this.held.set(key, d);
      this.order.push([key, d]);
    }
    // fragment payload: IPv4 total length minus header; IPv6 payload length minus the fragment header
    const len = b !== undefined ? end0 - off0 : v6 ? P.ipLen[r] - 40 - 8 : P.ipLen[r] - P.ipHdr[r];
    const off = P.fragOff[r];
    if (len < 0) return false;
    if (b !== undefined) (d.parts ??= []).push({ off, data: Buffer.from(b.subarray(off0, end0)) });
    if (off === 0) { d.firstRow = r; d.hdrLen = v6 ? 40 : P.ipHdr[r]; }
    if (P.fragMore[r] === 0) d.total = off + len;
    insertInterval(d.ranges, off, off + len);
    d.indexes.push(i);
    d.bytes += len;
    this.fragments++;
    this.bytes += len;
    if (d.total >= 0 && d.firstRow >= 0 && d.ranges.length === 2 && d.ranges[0] === 0 && d.ranges[1] >= d.total) {
      this.held.delete(key);
      this.fragments -= d.indexes.length;
      this.bytes -= d.bytes;
      this.firstRow = d.firstRow;
      this.totalLen = d.hdrLen + d.total;
      this.doneIndexes = d.indexes;
      if (d.parts !== null) {
        const out = Buffer.alloc(d.total);
        // the first fragment received wins where fragments overlap: write in reverse arrival order
        for (let k = d.parts.length - 1; k >= 0; k--) {
          const q = d.parts[k];
          if (q.off < d.total) q.data.copy(out, q.off, 0, Math.min(q.data.length, d.total - q.off));
        }
        this.datagram = out;
      }
      return true;
    }
    while ((this.fragments > this.maxFragments || this.bytes > this.maxBytes) && this.held.size > 0) {
      const [k, old] = this.order[this.head++];
      if (this.head > 1024 && this.head * 2 > this.order.length) { this.order = this.order.slice(this.head); this.head = 0; }
      if (this.held.get(k) !== old) continue; // completed (or dropped) since: stale
      this.held.delete(k);
      this.fragments -= old.indexes.length;
      this.bytes -= old.bytes;
      this.dropped++;
      this.droppedFragments += old.indexes.length;
    }
    return false;
  }

  warnings(): string[] {
    const w: string[] = [];
    if (this.dropped > 0) {
      w.push(`defragmentation: ${this.dropped} incomplete datagrams (${this.droppedFragments} fragments) dropped at the memory cap ` +
        `(${this.maxFragments} fragments, ${this.maxBytes} bytes)`);
    }
    if (this.held.size > 0) {
      let f = 0;
      for (const d of this.held.values()) f += d.indexes.length;
      w.push(`defragmentation: ${this.held.size} datagrams incomplete at the end of the capture (${f} fragments not counted)`);
    }
    return w;
  }
}

