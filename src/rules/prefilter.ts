/**
 * Multi-pattern prefilter: an Aho-Corasick automaton over every rule's fast pattern (lower-cased,
 * so one pass serves nocase and case-sensitive patterns; the verify step is exact), as a dense
 * DFA (Int32Array of states × 256). Past MAX_STATES it falls back to one indexOf per pattern.
 */

const MAX_STATES = 40000;

export class Prefilter {
  private readonly delta: Int32Array | null;
  /** per state: pattern ids ending here (including via failure links), or null */
  private readonly out: (Int32Array | null)[] = [];
  private readonly lowered: Buffer[];
  /** per pattern: the generation it was last seen in */
  readonly seen: Uint32Array;
  gen = 1;

  constructor(patterns: Buffer[]) {
    this.lowered = patterns.map((p) => lower(p));
    this.seen = new Uint32Array(patterns.length);
    let states = 1;
    for (const p of this.lowered) states += p.length;
    if (states > MAX_STATES || patterns.length === 0) {
      this.delta = null;
      return;
    }
    // trie
    const go: Int32Array = new Int32Array(states * 256).fill(-1);
    const outs: number[][] = [[]];
    let n = 1;
    this.lowered.forEach((p, id) => {
      let s = 0;
      for (const c of p) {
        let nx = go[s * 256 + c];
        if (nx < 0) { nx = n++; go[s * 256 + c] = nx; outs.push([]); }
        s = nx;
      }
      outs[s].push(id);
    });
    // BFS: failure links folded into a full DFA
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < 256; c++) {
      const nx = go[c];
      if (nx < 0) go[c] = 0;
      else { fail[nx] = 0; queue.push(nx); }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      for (const id of outs[fail[s]]) if (!outs[s].includes(id)) outs[s].push(id);
      for (let c = 0; c < 256; c++) {
        const nx = go[s * 256 + c];
        if (nx < 0) go[s * 256 + c] = go[fail[s] * 256 + c];
        else { fail[nx] = go[fail[s] * 256 + c]; queue.push(nx); }
      }
    }
    this.delta = go.slice(0, n * 256);
    for (let s = 0; s < n; s++) this.out.push(outs[s].length ? Int32Array.from(outs[s]) : null);
  }

  /** Marks the patterns present in b[off, off+len) with a new generation; returns how many. */
  scan(b: Buffer, off: number, len: number): number {
    const g = ++this.gen;
    const seen = this.seen;
    let hits = 0;
    const delta = this.delta;
    if (delta === null) {
      const v = b.subarray(off, off + len);
      const l = lower(v);
      for (let i = 0; i < this.lowered.length; i++) if (l.indexOf(this.lowered[i]) >= 0) { seen[i] = g; hits++; }
      return hits;
    }
    const out = this.out;
    let s = 0;
    for (let i = off, e = off + len; i < e; i++) {
      let c = b[i];
      if (c >= 65 && c <= 90) c += 32;
      s = delta[(s << 8) | c];
      const o = out[s];
      if (o !== null) for (let k = 0; k < o.length; k++) { if (seen[o[k]] !== g) { seen[o[k]] = g; hits++; } }
    }
    return hits;
  }

  has(id: number): boolean {
    return this.seen[id] === this.gen;
  }
}

function lower(b: Buffer): Buffer {
  const l = Buffer.allocUnsafe(b.length);
  for (let i = 0; i < b.length; i++) { const c = b[i]; l[i] = c >= 65 && c <= 90 ? c + 32 : c; }
  return l;
}
