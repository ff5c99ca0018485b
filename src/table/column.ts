/**
 * Columnar storage for packet tables.
 *
 * Rows are written once, in increasing row order (one packet after another), so storage is split
 * into fixed chunks of 65 536 rows (like Arrow record batches) that are never reallocated as the
 * table grows. Each chunk of each column is one of:
 *   - absent: no row of the chunk has a value (nothing allocated);
 *   - sparse: a short list of (row-in-chunk, value) pairs, for fields that few packets carry
 *     (DNS, HTTP, TLS … in a mostly-TCP capture);
 *   - dense: one typed array for the chunk plus a presence bitmap.
 * A sparse chunk turns dense when it holds more than 1/4 of the chunk's rows (about where a
 * dense u32 chunk, 4.125 bytes a row, starts to cost less than row-value pairs, 6 bytes an
 * entry). "Absent" is always distinct from zero.
 *
 * Writes are "first occurrence wins" (tshark's `-E occurrence=f`): a second write to the same row
 * is ignored. Because rows arrive in order, that check is one comparison with the last row written.
 */

import type { NumKind } from "../fields/registry";
export type { NumKind };

export const CHUNK_BITS = 16;
export const CHUNK_ROWS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_ROWS - 1;
const SPARSE_MAX = CHUNK_ROWS >>> 2;

export type NumArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

const LIMIT: Record<NumKind, number> = { u8: 0xff, u16: 0xffff, u32: 0xffffffff, i32: Infinity, f64: Infinity };

function alloc(kind: NumKind, n: number): NumArray {
  switch (kind) {
    case "u8": return new Uint8Array(n);
    case "u16": return new Uint16Array(n);
    case "u32": return new Uint32Array(n);
    case "i32": return new Int32Array(n);
    case "f64": return new Float64Array(n);
  }
}

class Chunk {
  /** dense values (CHUNK_ROWS long) or null while sparse */
  dense: NumArray | null = null;
  bits: Uint8Array | null = null;
  /** sparse rows (within the chunk) and values, `n` used */
  srows: Uint16Array | null;
  svals: NumArray | null;
  n = 0;
  constructor(kind: NumKind, dense: boolean) {
    if (dense) {
      this.dense = alloc(kind, CHUNK_ROWS);
      this.bits = new Uint8Array(CHUNK_ROWS >>> 3);
      this.srows = null;
      this.svals = null;
    } else {
      this.srows = new Uint16Array(16);
      this.svals = alloc(kind, 16);
    }
  }
}

/** A numeric column: typed values with an "absent" state. */
export class NumColumn {
  private chunks: (Chunk | null)[] = [];
  private lastRow = -1;
  /** the chunk rows are being written to, and its first row and dense storage (hot-path caches) */
  private cur: Chunk | null = null;
  private curBase = -2 * CHUNK_ROWS;
  private curDense: NumArray | null = null;
  private curBits: Uint8Array | null = null;
  private presentCount = -1;

  /** the element type chunks use now: unsigned columns start at u8 and widen as values need */
  private cur_kind: NumKind;
  /** largest value the current element type holds */
  private limit: number;

  /** @param kind the widest element type the column's values need (the field's storage) */
  constructor(readonly kind: NumKind) {
    this.cur_kind = kind === "u16" || kind === "u32" ? "u8" : kind;
    this.limit = LIMIT[this.cur_kind];
  }

  /** the element type in use (u8 until a value needs more) */
  get storedKind(): NumKind {
    return this.cur_kind;
  }

  /** Sets row's value unless the row already has one (first occurrence wins). */
  set(row: number, v: number): void {
    if (row === this.lastRow) return;
    if (v > this.limit) this.widen(v);
    this.lastRow = row;
    const r = row - this.curBase;
    if (r >= CHUNK_ROWS || r < 0) {
      this.startChunk(row);
      this.setSlow(row - this.curBase, v);
      return;
    }
    const d = this.curDense;
    if (d !== null) {
      d[r] = v;
      (this.curBits as Uint8Array)[r >>> 3] |= 1 << (r & 7);
      return;
    }
    this.setSlow(r, v);
  }

  /**
   * Sets row's value, replacing a value written earlier for the same row (last occurrence wins:
   * the innermost header of a tunnelled packet). Only the row being written can be replaced.
   */
  put(row: number, v: number): void {
    if (row !== this.lastRow) { this.set(row, v); return; }
    if (v > this.limit) this.widen(v);
    const c = this.cur as Chunk;
    if (c.dense !== null) c.dense[row - this.curBase] = v;
    else (c.svals as NumArray)[c.n - 1] = v;
  }

  /** Re-stores every chunk in the next element type wide enough for `v`. */
  private widen(v: number): void {
    const kind: NumKind = v <= 0xffff && this.kind !== "u8" ? "u16" : this.kind;
    if (kind === this.cur_kind) return; // wider than the field's declared type: stored modulo, as a typed array does
    const conv = (a: NumArray | null): NumArray | null => {
      if (a === null) return null;
      const w = alloc(kind, a.length);
      w.set(a as never);
      return w;
    };
    for (const c of this.chunks) {
      if (c === null) continue;
      c.dense = conv(c.dense);
      c.svals = conv(c.svals);
    }
    this.cur_kind = kind;
    this.limit = LIMIT[kind];
    if (this.cur !== null) this.curDense = this.cur.dense;
    if (v > this.limit) this.widen(v);
  }

  /** Moves the write position to the chunk holding `row` (rows only grow). */
  private startChunk(row: number): void {
    const ci = row >>> CHUNK_BITS;
    while (this.chunks.length < ci) this.chunks.push(null);
    // a column that filled its last chunk densely will most likely do so again: start dense
    const prev = ci > 0 ? this.chunks[ci - 1] : null;
    const c = new Chunk(this.cur_kind, prev != null && prev.dense !== null);
    this.chunks[ci] = c;
    this.cur = c;
    this.curBase = ci << CHUNK_BITS;
    this.curDense = c.dense;
    this.curBits = c.bits;
    this.presentCount = -1;
  }

  private setSlow(r: number, v: number): void {
    this.presentCount = -1;
    const c = this.cur as Chunk;
    if (c.dense !== null) {
      c.dense[r] = v;
      (c.bits as Uint8Array)[r >>> 3] |= 1 << (r & 7);
      return;
    }
    let rows = c.srows as Uint16Array;
    if (c.n === rows.length) {
      if (c.n >= SPARSE_MAX) {
        const d = this.densify(c);
        this.curDense = d;
        this.curBits = c.bits;
        d[r] = v;
        (c.bits as Uint8Array)[r >>> 3] |= 1 << (r & 7);
        return;
      }
      const nr = new Uint16Array(rows.length * 4);
      nr.set(rows);
      const nv = alloc(this.cur_kind, rows.length * 4);
      nv.set(c.svals as never);
      c.srows = rows = nr;
      c.svals = nv;
    }
    rows[c.n] = r;
    (c.svals as NumArray)[c.n] = v;
    c.n++;
  }

  private densify(c: Chunk): NumArray {
    const d = alloc(this.cur_kind, CHUNK_ROWS);
    const bits = new Uint8Array(CHUNK_ROWS >>> 3);
    const rows = c.srows as Uint16Array, vals = c.svals as NumArray;
    for (let i = 0; i < c.n; i++) {
      const r = rows[i];
      d[r] = vals[i];
      bits[r >>> 3] |= 1 << (r & 7);
    }
    c.dense = d;
    c.bits = bits;
    c.srows = null;
    c.svals = null;
    return d;
  }

  /** whether any row holds a value */
  any(): boolean {
    for (const c of this.chunks) if (c !== null && (c.dense !== null || c.n > 0)) return true;
    return false;
  }

  /** number of rows holding a value */
  get present(): number {
    if (this.presentCount < 0) {
      let n = 0;
      for (const c of this.chunks) {
        if (c === null) continue;
        if (c.dense !== null) {
          const bits = c.bits as Uint8Array;
          for (let i = 0; i < bits.length; i++) {
            let x = bits[i];
            while (x !== 0) { x &= x - 1; n++; }
          }
        } else n += c.n;
      }
      this.presentCount = n;
    }
    return this.presentCount;
  }

  /** The row's value, or `undefined` when absent. */
  get(row: number): number | undefined {
    const c = this.chunks[row >>> CHUNK_BITS];
    if (c === undefined || c === null) return undefined;
    const r = row & CHUNK_MASK;
    if (c.dense !== null) {
      return ((c.bits as Uint8Array)[r >>> 3] & (1 << (r & 7))) !== 0 ? c.dense[r] : undefined;
    }
    const i = sparseIndex(c.srows as Uint16Array, c.n, r);
    return i < 0 ? undefined : (c.svals as NumArray)[i];
  }

  has(row: number): boolean {
    return this.get(row) !== undefined;
  }

  /**
   * Calls fn(row, value) for every present row in [from, to), in order, without a per-row
   * chunk lookup: the fast path for scans (filters, statistics).
   */
  forEach(fn: (row: number, v: number) => void, from = 0, to = Infinity): void {
    for (let ci = from >>> CHUNK_BITS; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      if (c === null) continue;
      const base = ci << CHUNK_BITS;
      if (base >= to) break;
      if (c.dense !== null) {
        const d = c.dense, bits = c.bits as Uint8Array;
        for (let r = 0; r < CHUNK_ROWS; r++) {
          if ((bits[r >>> 3] & (1 << (r & 7))) === 0) continue;
          const row = base + r;
          if (row < from) continue;
          if (row >= to) return;
          fn(row, d[r]);
        }
      } else {
        const rows = c.srows as Uint16Array, vals = c.svals as NumArray;
        for (let i = 0; i < c.n; i++) {
          const row = base + rows[i];
          if (row < from) continue;
          if (row >= to) return;
          fn(row, vals[i]);
        }
      }
    }
  }

  /**
   * Copies every present value into `out[row]` (rows beyond `out` are skipped); absent rows keep
   * what `out` holds, so fill it with a sentinel first. The bulk path for whole-table passes.
   */
  copyTo(out: { [i: number]: number; length: number }): void {
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      if (c === null) continue;
      const base = ci << CHUNK_BITS;
      if (base >= out.length) return;
      if (c.dense !== null) {
        const d = c.dense, bits = c.bits as Uint8Array, end = Math.min(CHUNK_ROWS, out.length - base);
        for (let r = 0; r < end; r += 8) {
          const m = bits[r >>> 3];
          if (m === 0) continue;
          if (m === 255 && r + 8 <= end) { for (let k = 0; k < 8; k++) out[base + r + k] = d[r + k]; continue; }
          for (let k = 0; k < 8 && r + k < end; k++) if ((m & (1 << k)) !== 0) out[base + r + k] = d[r + k];
        }
      } else {
        const rows = c.srows as Uint16Array, vals = c.svals as NumArray;
        for (let k = 0; k < c.n; k++) if (base + rows[k] < out.length) out[base + rows[k]] = vals[k];
      }
    }
  }

  /** Bytes held by this column's storage. */
  bytes(): number {
    let b = 0;
    for (const c of this.chunks) {
      if (c === null) continue;
      if (c.dense !== null) b += c.dense.byteLength + (c.bits as Uint8Array).byteLength;
      else b += (c.srows as Uint16Array).byteLength + (c.svals as NumArray).byteLength;
    }
    return b;
  }
}

function sparseIndex(rows: Uint16Array, n: number, r: number): number {
  let lo = 0, hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = rows[mid];
    if (x === r) return mid;
    if (x < r) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * A dictionary-encoded column: each distinct value is stored once, rows hold 32-bit codes.
 * Keys may be numbers (a MAC address as a 48-bit integer) or strings (raw address bytes, names);
 * the display text is made once per distinct key.
 */
export class DictColumn {
  readonly codes = new NumColumn("u32");
  /** code → value text; code 0 is never used */
  readonly values: string[] = [""];
  private readonly index = new Map<string | number, number>();

  /** Sets the row to the value whose key is `key`; `text(key)` makes its text on first sight. */
  setKeyed<K extends string | number>(row: number, key: K, text: (key: K) => string): void {
    let code = this.index.get(key);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(text(key));
      this.index.set(key, code);
    }
    this.codes.set(row, code);
  }

  /** Sets the row to a string value (the string is its own key). */
  setString(row: number, s: string): void {
    let code = this.index.get(s);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(s);
      this.index.set(s, code);
    }
    this.codes.set(row, code);
  }

  /**
   * Sets the row to the value whose key is the `n` bytes at b[off…] (a MAC or IPv6 address):
   * looked up in a byte-keyed hash table, so nothing is allocated unless the key is new;
   * `text(b, off)` makes the value's text on first sight.
   */
  setBytes(row: number, b: Uint8Array, off: number, n: number, text: (b: Uint8Array, off: number) => string,
    last = false): void {
    if (n < 4 || n > 16) throw new RangeError("setBytes keys are 4 to 16 bytes");
    // most packets repeat one of the last two addresses seen in this column: compare the key's
    // first 8 and last 8 bytes (as 32-bit words, keys are at most 16 bytes) before hashing
    const a = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
    const e = off + n - 4;
    const z = (b[e] << 24) | (b[e + 1] << 16) | (b[e + 2] << 8) | b[e + 3];
    let m = 0, y = 0;
    if (n > 8) {
      m = (b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7];
      const f = e - 4;
      y = (b[f] << 24) | (b[f + 1] << 16) | (b[f + 2] << 8) | b[f + 3];
    }
    let code: number;
    if (this.hit0 !== 0 && this.h0a === a && this.h0z === z && this.h0m === m && this.h0y === y && this.keyLen[this.hit0] === n) {
      code = this.hit0;
    } else if (this.hit1 !== 0 && this.h1a === a && this.h1z === z && this.h1m === m && this.h1y === y && this.keyLen[this.hit1] === n) {
      code = this.hit1;
      this.hit1 = this.hit0; this.h1a = this.h0a; this.h1z = this.h0z; this.h1m = this.h0m; this.h1y = this.h0y;
      this.hit0 = code; this.h0a = a; this.h0z = z; this.h0m = m; this.h0y = y;
    } else {
      code = this.lookupBytes(b, off, n, text);
      this.hit1 = this.hit0; this.h1a = this.h0a; this.h1z = this.h0z; this.h1m = this.h0m; this.h1y = this.h0y;
      this.hit0 = code; this.h0a = a; this.h0z = z; this.h0m = m; this.h0y = y;
    }
    if (last) this.codes.put(row, code);
    else this.codes.set(row, code);
  }

  // the last two codes looked up, with the words of their keys (see setBytes); only keys of up to
  // 16 bytes whose first, last and (over 8 bytes) second and second-last words all match are hits:
  // exact for the 4–16-byte keys used here (MAC 6, IPv6 16)
  private hit0 = 0;
  private hit1 = 0;
  private h0a = 0; private h0z = 0; private h0m = 0; private h0y = 0;
  private h1a = 0; private h1z = 0; private h1m = 0; private h1y = 0;

  private lookupBytes(b: Uint8Array, off: number, n: number, text: (b: Uint8Array, off: number) => string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[off + i], 0x01000193);
    const mask = this.slots.length - 1;
    let i = h & mask;
    for (;;) {
      const code = this.slots[i];
      if (code === 0) break;
      const k = this.keyAt[code];
      if (this.keyLen[code] === n) {
        let same = true;
        for (let j = 0; j < n; j++) if (this.keyPool[k + j] !== b[off + j]) { same = false; break; }
        if (same) return code;
      }
      i = (i + 1) & mask;
    }
    const code = this.values.length;
    this.values.push(text(b, off));
    if (this.poolUsed + n > this.keyPool.length) {
      const np = new Uint8Array(Math.max(this.keyPool.length * 2, this.poolUsed + n));
      np.set(this.keyPool);
      this.keyPool = np;
    }
    this.keyPool.set(b.subarray(off, off + n), this.poolUsed);
    this.keyAt[code] = this.poolUsed;
    this.keyLen[code] = n;
    this.poolUsed += n;
    this.slots[i] = code;
    if (++this.keyCount * 2 > this.slots.length) this.rehash();
    return code;
  }

  private slots = new Int32Array(64);
  private keyPool = new Uint8Array(256);
  private poolUsed = 0;
  private keyAt: number[] = [0];
  private keyLen: number[] = [0];
  private keyCount = 0;

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let code = 1; code < this.keyAt.length; code++) {
      const k = this.keyAt[code], n = this.keyLen[code];
      if (n === undefined || n === 0) continue;
      let h = 0x811c9dc5;
      for (let i = 0; i < n; i++) h = Math.imul(h ^ this.keyPool[k + i], 0x01000193);
      let i = h & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = code;
    }
    this.slots = slots;
  }

  get(row: number): string | undefined {
    const c = this.codes.get(row);
    return c === undefined ? undefined : this.values[c];
  }

  /** number of distinct values */
  get cardinality(): number {
    return this.values.length - 1;
  }

  bytes(): number {
    let b = this.codes.bytes();
    for (let i = 1; i < this.values.length; i++) b += 16 + this.values[i].length * 2;
    return b;
  }
}
