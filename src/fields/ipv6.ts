/**
 * IPv6 addresses as text: the one formatter (bytes → tshark's text) and the one parser (any valid
 * text form → bytes) of the project.
 */

/**
 * IPv6 text from the 16 bytes at `b[off]`, as tshark prints it (and Zeek, through inet_ntop):
 * RFC 5952 (lower case, no leading zeros, the longest run of two or more zero groups as "::", the
 * first on a tie), and the embedded IPv4 forms `::ffff:a.b.c.d` (IPv4-mapped: five zero groups,
 * then ffff) and `::a.b.c.d` (IPv4-compatible, deprecated: six zero groups, then a non-zero
 * seventh, so `::1` and `::2` stay as they are). The one IPv6-to-text routine of the project.
 */
export function formatIPv6(b: Uint8Array, off = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 &&
    (words[5] === 0xffff || (words[5] === 0 && words[6] !== 0))) {
    const v4 = `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
    return words[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
  }
  // longest run of zero words (length >= 2), first one on ties
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (w: number) => w.toString(16);
  if (bestStart < 0) return words.map(hex).join(":");
  const head = words.slice(0, bestStart).map(hex).join(":");
  const tail = words.slice(bestStart + bestLen).map(hex).join(":");
  return `${head}::${tail}`;
}

/** IPv6 text (any valid form, embedded IPv4 allowed) → 16 bytes. */
export function parseIPv6(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return undefined;
  let head = s, tail = "";
  const dbl = s.indexOf("::");
  if (dbl >= 0) {
    if (s.indexOf("::", dbl + 1) >= 0) return undefined;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const words = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes(".")) {
        const q = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(g);
        if (!q) return undefined;
        const o = [q[1], q[2], q[3], q[4]].map(Number);
        if (o.some((x) => x > 255)) return undefined;
        out.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const h = words(head), t = words(tail);
  if (h === undefined || t === undefined) return undefined;
  let all: number[];
  if (dbl >= 0) {
    if (h.length + t.length > 7) return undefined;
    all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  } else {
    if (h.length !== 8) return undefined;
    all = h;
  }
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) { b[2 * i] = all[i] >> 8; b[2 * i + 1] = all[i] & 255; }
  return b;
}
