/**
 * Regular expressions that run in linear time, for the user's patterns applied to packet data
 * (display filter `matches`, rule `pcre`). V8's backtracking engine takes exponential time on
 * patterns such as `^(a+)+$`; V8 also has a non-backtracking engine (an NFA simulation, linear in
 * the subject), reached with the `l` flag once `--enable-experimental-regexp-engine` is set. That
 * engine takes a subset of the syntax: no `i` flag, no lookaround, no backreference, counted
 * repetitions up to 16. `linearRegExp` rewrites the rest where it can (case folding as character
 * classes, large counted repetitions unrolled) and refuses what has no linear form, with a message
 * naming the construct.
 *
 * The V8 flags are set when this module loads (they act on regular expressions created after
 * that); `--enable-experimental-regexp-engine-on-excessive-backtracks` also makes every other
 * regular expression of the process fall back to the linear engine when it backtracks too much.
 */
import * as v8 from "node:v8";

v8.setFlagsFromString("--enable-experimental-regexp-engine");
v8.setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");

/** A pattern that has no linear-time form (lookaround, backreference …). */
export class NotLinearError extends Error {}

/** V8's linear engine takes counted repetitions up to this; larger ones are unrolled */
const MAX_REPLICATION = 16;
/** the rewritten pattern's length at most (unrolled repetitions grow it) */
const MAX_PATTERN = 1 << 16;

/** Whether the `l` flag works in this process (the flags took effect). */
export const LINEAR_ENGINE = (() => {
  try { new RegExp("a", "l"); return true; } catch { return false; }
})();

/**
 * `new RegExp(pattern, flags)` run by the linear-time engine. flags: any of `i m s g y`.
 * Throws SyntaxError for a bad pattern, NotLinearError for one with no linear form.
 */
export function linearRegExp(pattern: string, flags = ""): RegExp {
  const checked = new RegExp(pattern, flags); // the pattern's own syntax errors, as JavaScript says them
  if (!LINEAR_ENGINE) throw new NotLinearError("this Node.js has no linear-time regular expression engine");
  const fold = flags.includes("i");
  const out = new Rewriter(pattern, fold).run();
  if (out.length > MAX_PATTERN) throw new NotLinearError(`the pattern unrolls to more than ${MAX_PATTERN} characters`);
  try {
    return new RegExp(out, flags.replace("i", "") + "l");
  } catch (e) {
    void checked;
    throw new NotLinearError(`this pattern cannot run in linear time (${(e as Error).message.replace(/^.*: /, "")})`);
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** the other case of a character, or undefined (one UTF-16 unit each way only) */
function otherCase(c: string): string | undefined {
  const u = c.toUpperCase(), l = c.toLowerCase();
  const o = c === u ? l : u;
  return o !== c && o.length === 1 && (o.toUpperCase() === c || o.toLowerCase() === c) ? o : undefined;
}

const esc = (cp: number): string => `\\u${cp.toString(16).padStart(4, "0")}`;

/** One pass over the pattern: copies it, folding case and unrolling counted repetitions. */
class Rewriter {
  private i = 0;
  /** capture groups seen so far */
  private groups = 0;
  constructor(private readonly p: string, private readonly fold: boolean) {}

  run(): string {
    const s = this.alternation();
    if (this.i < this.p.length) throw new SyntaxError(`unmatched ")" at ${this.i}`);
    return s;
  }

  private alternation(): string {
    let out = "";
    for (;;) {
      out += this.sequence();
      if (this.p[this.i] !== "|") return out;
      this.i++;
      out += "|";
    }
  }

  private sequence(): string {
    let out = "";
    while (this.i < this.p.length && this.p[this.i] !== "|" && this.p[this.i] !== ")") {
      const atom = this.atom();
      out += this.quantified(atom.text, atom.captures, atom.quantifiable);
    }
    return out;
  }

  /** one atom: its rewritten text, whether it holds a capture group */
  private atom(): { text: string; captures: boolean; quantifiable: boolean } {
    const p = this.p, c = p[this.i];
    if (c === "(") {
      this.i++;
      let head = "(", captures = true;
      if (p[this.i] === "?") {
        const rest = p.slice(this.i, this.i + 3);
        if (rest.startsWith("?:")) { head = "(?:"; captures = false; this.i += 2; }
        else if (rest.startsWith("?=") || rest.startsWith("?!") || rest === "?<=" || rest === "?<!") {
          throw new NotLinearError("lookahead and lookbehind (?= ?! ?<= ?<!) cannot run in linear time");
        } else if (rest.startsWith("?<")) {
          const end = p.indexOf(">", this.i);
          head = "(" + p.slice(this.i, end + 1);
          this.i = end + 1;
        }
      }
      const before = this.groups;
      if (captures) this.groups++;
      const inner = this.alternation();
      this.i++; // ")"
      return { text: head + inner + ")", captures: this.groups > before, quantifiable: true };
    }
    if (c === "[") return { text: this.charClass(), captures: false, quantifiable: true };
    if (c === "\\") {
      const e = this.escape(false);
      const o = this.fold && e.cp !== undefined ? otherCase(String.fromCharCode(e.cp)) : undefined;
      const text = o !== undefined ? `[${e.text}${esc(o.charCodeAt(0))}]` : e.text;
      return { text, captures: false, quantifiable: !/^\\[bB]$/.test(e.text) };
    }
    this.i++;
    if (c === "^" || c === "$") return { text: c, captures: false, quantifiable: false };
    if (this.fold) {
      const o = otherCase(c);
      if (o !== undefined) return { text: `[${c}${o}]`, captures: false, quantifiable: true };
    }
    return { text: c, captures: false, quantifiable: true };
  }

  /** an escape at this.i; cp: the code point it stands for, when it is one character */
  private escape(inClass: boolean): { text: string; cp?: number } {
    const p = this.p, start = this.i;
    const c = p[this.i + 1];
    this.i += 2;
    if (c === undefined) throw new SyntaxError("\\ at end of pattern");
    if (!inClass && (c === "k" && p[this.i] === "<" || isDigit(c) && c !== "0")) {
      throw new NotLinearError("backreferences (\\1, \\k<name>) cannot run in linear time");
    }
    if (c === "x" && /^[0-9a-fA-F]{2}$/.test(p.slice(this.i, this.i + 2))) {
      this.i += 2;
      return { text: p.slice(start, this.i), cp: parseInt(p.slice(this.i - 2, this.i), 16) };
    }
    if (c === "u" && /^[0-9a-fA-F]{4}$/.test(p.slice(this.i, this.i + 4))) {
      this.i += 4;
      return { text: p.slice(start, this.i), cp: parseInt(p.slice(this.i - 4, this.i), 16) };
    }
    if (c === "c" && /^[a-zA-Z]$/.test(p[this.i] ?? "")) { this.i++; return { text: p.slice(start, this.i) }; }
    if (c === "0" && !isDigit(p[this.i])) return { text: "\\0", cp: 0 };
    if (inClass && c === "b") return { text: "\\b", cp: 8 };
    if ("dDwWsSbB".includes(c) || isDigit(c)) return { text: p.slice(start, this.i) };
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11 };
    if (simple[c] !== undefined) return { text: p.slice(start, this.i), cp: simple[c] };
    // an identity escape: the character itself
    return { text: p.slice(start, this.i), cp: c.codePointAt(0) };
  }

  /** a character class, with the other case of its letters added when folding */
  private charClass(): string {
    const p = this.p;
    this.i++; // "["
    let out = "[";
    if (p[this.i] === "^") { out += "^"; this.i++; }
    const extra: string[] = [];
    while (this.i < p.length && p[this.i] !== "]") {
      const a = this.classAtom();
      if (p[this.i] === "-" && p[this.i + 1] !== "]" && this.i + 1 < p.length && a.cp !== undefined) {
        this.i++;
        const b = this.classAtom();
        out += `${a.text}-${b.text}`;
        if (b.cp !== undefined && this.fold) extra.push(...foldRange(a.cp, b.cp));
        continue;
      }
      out += a.text;
      if (this.fold && a.cp !== undefined) {
        const o = otherCase(String.fromCharCode(a.cp));
        if (o !== undefined) extra.push(esc(o.charCodeAt(0)));
      }
    }
    this.i++; // "]"
    return out + extra.join("") + "]";
  }

  private classAtom(): { text: string; cp?: number } {
    const c = this.p[this.i];
    if (c === "\\") return this.escape(true);
    this.i++;
    return { text: c, cp: c.charCodeAt(0) };
  }

  /** the quantifier after an atom, if any, applied (counted ones unrolled past V8's limit) */
  private quantified(atom: string, captures: boolean, quantifiable: boolean): string {
    const p = this.p, c = p[this.i];
    if (c === "*" || c === "+" || c === "?") {
      this.i++;
      const lazy = p[this.i] === "?" ? (this.i++, "?") : "";
      return atom + c + lazy;
    }
    if (c !== "{" || !quantifiable) return atom;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(this.i));
    if (!m) return atom; // a literal "{"
    this.i += m[0].length;
    const lazy = p[this.i] === "?" ? (this.i++, "?") : "";
    const min = Number(m[1]), max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    if (min <= MAX_REPLICATION && max <= MAX_REPLICATION) return atom + m[0] + lazy;
    if (captures) throw new NotLinearError(`a group with captures repeated ${m[0]} cannot run in linear time`);
    if ((max === Infinity ? min + 1 : max) * (atom.length + 6) > MAX_PATTERN) {
      throw new NotLinearError(`the pattern unrolls to more than ${MAX_PATTERN} characters`);
    }
    const unit = atom.startsWith("(") || atom.length === 1 || /^\\.$|^\[.*\]$/s.test(atom) ? atom : `(?:${atom})`;
    let out = unit.repeat(min);
    if (max === Infinity) return out + unit + "*" + lazy;
    let opt = "";
    for (let k = min; k < max; k++) opt = `(?:${unit}${opt})?${lazy}`;
    return out + opt;
  }
}

/** the other case of the letters in the range lo-hi (ASCII and Latin-1 letters) */
function foldRange(lo: number, hi: number): string[] {
  const out: string[] = [];
  const add = (from: number, to: number, shift: number): void => {
    const a = Math.max(lo, from), b = Math.min(hi, to);
    if (a <= b) out.push(`${esc(a + shift)}-${esc(b + shift)}`);
  };
  add(0x41, 0x5a, 32); add(0x61, 0x7a, -32);
  add(0xc0, 0xd6, 32); add(0xd8, 0xde, 32); add(0xe0, 0xf6, -32); add(0xf8, 0xfe, -32);
  return out;
}
