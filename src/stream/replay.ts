/**
 * The one replay pass: walks the rows of a Capture or of a view and hands each consumer the row,
 * its record's bytes and where the decoders found its layers (src/table/builder.ts `Layers`), so
 * nothing above the packet table reads the capture file itself, searches bytes for headers or
 * decodes link, IP or transport layers again.
 *
 * The bytes come from the table's RecordSource: the capture file read again (a view reads up to
 * its last row and hands on only its rows) or the records a live capture retained. Consumers that
 * want only some rows say so up front (`rows`), and records of other rows are skipped unread where
 * the source allows it.
 */
import { PAYLOAD_NONE, type PayloadKind } from "../decode/packet";
import type { Capture } from "../table/capture";

/** One packet as the replay pass hands it on; a single object reused for every packet. */
export class Replayed {
  /** row in the capture (or view) the pass runs over, and row of the full table */
  row = -1;
  base = -1;
  /** the record's bytes: b[off, off + caplen) (valid only during the call) */
  b: Buffer = Buffer.alloc(0);
  off = 0;
  caplen = 0;
  /** length on the wire */
  len = 0;
  /** time: seconds (NaN when the record has none) */
  t = NaN;
  linkType = 0;
  /** the transport payload: kind (1 UDP, 2 TCP, 3 ICMP; 0 none) and b[payOff, payEnd) */
  payKind: PayloadKind = PAYLOAD_NONE;
  payOff = 0;
  payEnd = 0;
  /** an IP fragment's data, b[fragOff, fragEnd) (-1 when the packet is no fragment) */
  fragOff = -1;
  fragEnd = -1;
}

export interface ReplayStats {
  /** packets handed on */
  packets: number;
  /** rows whose record the source no longer has (the file changed, a live cap was reached) */
  missing: number;
}

export interface ReplayOptions {
  /**
   * only these rows of the capture (ascending row numbers of `cap`); all rows when omitted. The
   * records of other rows are not handed on.
   */
  rows?: ArrayLike<number>;
}

/** Whether the capture's records can be read again (a file, or a live capture that kept them). */
export function canReplay(cap: Capture): boolean {
  return cap.storage.table.source !== null;
}

/**
 * Runs `fn` once per row (of `opts.rows`, or of every row), in the order of the records in the
 * source: file order, which is the capture's row order (for a view selected out of order, file
 * order too; `p.row` tells the view row).
 */
export async function replay(cap: Capture, fn: (p: Replayed) => void, opts: ReplayOptions = {}): Promise<ReplayStats> {
  const { table, index } = cap.storage;
  const source = table.source;
  if (source === null) {
    throw new Error(`${cap.path}: its records were not kept (a live capture with keepRecords: false), so payloads cannot be read`);
  }
  const total = table.count;
  // the base rows to read, ascending, and the view row each one is
  let wanted: Uint32Array | null = null;
  let viewRow: Int32Array | null = null;
  if (index !== null || opts.rows !== undefined) {
    const pick = opts.rows ?? null;
    const n = pick === null ? cap.count : pick.length;
    const base = new Uint32Array(n);
    const vr = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = pick === null ? i : pick[i];
      if (!(r >= 0 && r < cap.count)) throw new RangeError(`replay: row ${r} is outside 0…${cap.count - 1}`);
      vr[i] = r;
      base[i] = cap.baseRow(r);
    }
    // sort by base row (views may be in any order), dropping repeats
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (base[i] <= base[i - 1]) sorted = false;
    if (sorted) {
      wanted = base;
      viewRow = vr;
    } else {
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => base[a] - base[b] || vr[a] - vr[b]);
      const w: number[] = [], v: number[] = [];
      for (const i of order) {
        if (w.length > 0 && w[w.length - 1] === base[i]) continue;
        w.push(base[i]);
        v.push(vr[i]);
      }
      wanted = Uint32Array.from(w);
      viewRow = Int32Array.from(v);
    }
  }
  const L = table.layers;
  const p = new Replayed();
  let k = 0, next = 0;
  const packets = await source.replay(wanted, total, {
    record(b, off, caplen, len, sec, nsec, linkType) {
      let base: number;
      if (wanted === null) base = next++;
      else {
        base = wanted[k];
        p.row = (viewRow as Int32Array)[k++];
      }
      if (base >= total) return;
      if (wanted === null) p.row = base;
      p.base = base;
      p.b = b;
      p.off = off;
      p.caplen = caplen;
      p.len = len;
      p.t = sec >= 0 ? sec + nsec / 1e9 : NaN;
      p.linkType = linkType;
      const pay = L.pay.get(base);
      if (pay === undefined) {
        p.payKind = PAYLOAD_NONE;
        p.payOff = p.payEnd = off;
      } else {
        p.payKind = (pay & 3) as PayloadKind;
        p.payOff = off + Math.floor(pay / 4);
        p.payEnd = off + (L.payEnd.get(base) as number);
      }
      const fr = L.frag.get(base);
      if (fr === undefined) p.fragOff = p.fragEnd = -1;
      else {
        p.fragOff = off + fr;
        p.fragEnd = off + (L.fragEnd.get(base) as number);
      }
      // offsets were taken from this record when it was decoded: a file changed since is caught here
      if (p.payEnd > off + caplen || p.fragEnd > off + caplen) return;
      fn(p);
    },
  });
  const asked = wanted === null ? total : wanted.length;
  return { packets: wanted === null ? Math.min(next, total) : k, missing: Math.max(0, asked - Math.min(packets, asked)) };
}
