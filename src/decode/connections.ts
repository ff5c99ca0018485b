/**
 * Connection ids for decoders that keep per-connection state (TLS, HTTP, QUIC): the innermost IP
 * addresses and the two ports, direction-free, mapped to small integers in a byte-keyed
 * open-addressing table, so a known connection costs a hash and a compare, no allocation.
 * Decoders keep their state in arrays indexed by the id.
 */
export class ConnectionIds {
  private slots = new Int32Array(1024); // id + 1, 0 = empty
  private keys = new Uint8Array(16 * 1024);
  private keyAt: number[] = [];
  private keyLen: number[] = [];
  private used = 0;
  private readonly scratch = new Uint8Array(36);
  /** after `id()`: whether the packet's source is the endpoint that sorts first */
  fromLower = true;

  /** number of distinct connections seen */
  get count(): number {
    return this.keyAt.length;
  }

  /**
   * The id of the connection between (srcAddr, srcport) and (dstAddr, dstport), where the
   * addresses are `alen` bytes at b[src] and b[dst].
   */
  id(b: Uint8Array, src: number, dst: number, alen: number, srcport: number, dstport: number): number {
    // order the endpoints: address bytes, then port
    let cmp = 0;
    for (let i = 0; i < alen && cmp === 0; i++) cmp = b[src + i] - b[dst + i];
    if (cmp === 0) cmp = srcport - dstport;
    const lower = cmp <= 0;
    this.fromLower = lower;
    const k = this.scratch;
    const a = lower ? src : dst, z = lower ? dst : src;
    const ap = lower ? srcport : dstport, zp = lower ? dstport : srcport;
    for (let i = 0; i < alen; i++) { k[i] = b[a + i]; k[alen + i] = b[z + i]; }
    const n = 2 * alen + 4;
    k[2 * alen] = ap >> 8; k[2 * alen + 1] = ap & 255; k[2 * alen + 2] = zp >> 8; k[2 * alen + 3] = zp & 255;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ k[i], 0x01000193);
    const mask = this.slots.length - 1;
    let s = h & mask;
    for (;;) {
      const v = this.slots[s];
      if (v === 0) break;
      const id = v - 1, at = this.keyAt[id];
      if (this.keyLen[id] === n) {
        let j = 0;
        while (j < n && this.keys[at + j] === k[j]) j++;
        if (j === n) return id;
      }
      s = (s + 1) & mask;
    }
    const id = this.keyAt.length;
    if (this.used + n > this.keys.length) {
      const nk = new Uint8Array(this.keys.length * 2);
      nk.set(this.keys);
      this.keys = nk;
    }
    this.keys.set(k.subarray(0, n), this.used);
    this.keyAt.push(this.used);
    this.keyLen.push(n);
    this.used += n;
    this.slots[s] = id + 1;
    if (this.keyAt.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.keyAt.length; id++) {
      const at = this.keyAt[id], n = this.keyLen[id];
      let h = 0x811c9dc5;
      for (let i = 0; i < n; i++) h = Math.imul(h ^ this.keys[at + i], 0x01000193);
      let s = h & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
  }
}

/** A growable byte array indexed by connection id (per-connection flags of a decoder). */
export class ConnectionBytes {
  private a = new Uint8Array(256);
  get(id: number): number {
    return id < this.a.length ? this.a[id] : 0;
  }
  set(id: number, v: number): void {
    if (id >= this.a.length) {
      const n = new Uint8Array(Math.max(this.a.length * 2, id + 1));
      n.set(this.a);
      this.a = n;
    }
    this.a[id] = v;
  }
}
