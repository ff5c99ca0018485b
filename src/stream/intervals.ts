/**
 * Sorted, disjoint [start, end) intervals kept flat in a number array (s0, e0, s1, e1 …): what
 * defragmentation (fragment ranges of a datagram) and TCP reassembly (blocks beyond a gap) track.
 */

/** Adds [s, e), merging every interval it touches or overlaps. */
export function insertInterval(b: number[], s: number, e: number): void {
  let i = 0;
  while (i < b.length && b[i + 1] < s) i += 2;
  let ns = s, ne = e, j = i;
  while (j < b.length && b[j] <= ne) {
    if (b[j] < ns) ns = b[j];
    if (b[j + 1] > ne) ne = b[j + 1];
    j += 2;
  }
  b.splice(i, j - i, ns, ne);
}
