/**
 * Connection uids in Zeek's style ("C" + base62 of 96 random bits), from a deterministic PRNG
 * seeded by the capture, so the same file gives the same uids on every run (not Zeek's values:
 * those come from Zeek's own seeded generator).
 */
const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A uid generator: each call gives the next uid of the sequence for `seed`. */
export function uidMaker(seed: number): () => string {
  let s = seed >>> 0;
  // splitmix32
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return () => {
    // 96 bits as three 32-bit words, base62 (most significant digit first)
    const w = [next(), next(), next()];
    const digits: number[] = [];
    while (w[0] !== 0 || w[1] !== 0 || w[2] !== 0) {
      let rem = 0;
      for (let k = 0; k < 3; k++) {
        const cur = rem * 2 ** 32 + w[k];
        w[k] = Math.floor(cur / 62);
        rem = cur % 62;
      }
      digits.push(B62.charCodeAt(rem));
    }
    // one flat string (prepending characters would build a rope of about 200 bytes per uid)
    return "C" + (digits.length === 0 ? "0" : String.fromCharCode(...digits.reverse()));
  };
}
