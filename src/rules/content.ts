/**
 * content / pcre / isdataat inspection of one buffer, as Suricata's content inspection does it:
 * matchers in rule order, absolute ones (offset/depth) from the buffer start, relative ones
 * (distance/within, pcre /R, isdataat relative) from the end of the previous match; when a later
 * relative matcher fails, the previous content is retried at its next occurrence (bounded).
 */
import type { Matcher } from "./parser";

/** Suricata's inspection recursion limit (detect.inspection-recursion-limit) */
const BUDGET = 3000;

/** Per-buffer scratch: lazily built lower-case copy and latin1 text. */
export class Subject {
  buf: Buffer = Buffer.alloc(0);
  private lower: Buffer | null = null;
  private str: string | null = null;
  budget = 0;
  reset(b: Buffer): this {
    this.buf = b;
    this.lower = null;
    this.str = null;
    return this;
  }
  lowerBuf(): Buffer {
    if (this.lower === null) {
      const b = this.buf, l = Buffer.allocUnsafe(b.length);
      for (let i = 0; i < b.length; i++) { const c = b[i]; l[i] = c >= 65 && c <= 90 ? c + 32 : c; }
      this.lower = l;
    }
    return this.lower;
  }
  text(): string {
    if (this.str === null) this.str = this.buf.toString("latin1");
    return this.str;
  }
}

function relativeAt(list: Matcher[], i: number): boolean {
  const m = list[i];
  if (m === undefined) return false;
  if (m.kind === "content") return m.hasDistance || m.within >= 0;
  return m.relative;
}

function run(list: Matcher[], i: number, s: Subject, prevEnd: number): boolean {
  if (i === list.length) return true;
  if (++s.budget > BUDGET) return false;
  const m = list[i];
  const buf = s.buf, len = buf.length;
  if (m.kind === "content") {
    const n = m.bytes.length;
    let lo: number, hi: number;
    if (m.hasDistance || m.within >= 0) {
      lo = prevEnd + m.distance;
      if (lo < 0) lo = 0;
      hi = m.within >= 0 ? prevEnd + m.distance + m.within : len;
    } else {
      lo = m.offset;
      hi = m.depth >= 0 ? m.depth : len;
    }
    if (hi > len) hi = len;
    const hay = m.nocase ? s.lowerBuf() : buf;
    if (m.endswith) {
      const p = len - n;
      const ok = p >= lo && p + n <= hi && hay.compare(m.bytes, 0, n, p, len) === 0;
      if (m.negated) return !ok && run(list, i + 1, s, prevEnd);
      return ok && run(list, i + 1, s, p + n);
    }
    if (m.negated) {
      const p = lo + n <= hi ? hay.indexOf(m.bytes, lo) : -1;
      if (p >= 0 && p + n <= hi) return false;
      return run(list, i + 1, s, prevEnd);
    }
    let pos = lo;
    const retry = relativeAt(list, i + 1);
    for (;;) {
      if (pos + n > hi) return false;
      const p = hay.indexOf(m.bytes, pos);
      if (p < 0 || p + n > hi) return false;
      if (run(list, i + 1, s, p + n)) return true;
      if (!retry || s.budget > BUDGET) return false;
      pos = p + 1;
    }
  }
  if (m.kind === "pcre") {
    const from = m.relative ? prevEnd : 0;
    if (from > len) return m.negated && run(list, i + 1, s, prevEnd);
    const t = s.text();
    m.re.lastIndex = 0;
    const r = m.re.exec(from === 0 ? t : t.slice(from));
    if (m.negated) return r === null && run(list, i + 1, s, prevEnd);
    if (r === null) return false;
    return run(list, i + 1, s, from + r.index + r[0].length);
  }
  // isdataat
  const at = (m.relative ? prevEnd : 0) + m.n;
  const ok = at < len;
  if (ok === m.negated) return false;
  return run(list, i + 1, s, prevEnd);
}

/** Whether the matcher list matches the subject's buffer. */
export function inspect(list: Matcher[], s: Subject): boolean {
  s.budget = 0;
  return run(list, 0, s, 0);
}
