/**
 * Display-filter parser: tokens → syntax tree. Precedence as Wireshark 4.0: `not` binds tightest,
 * then `and`, then `xor` (ours: tshark 4.0 has none), then `or`; all left-associative.
 *
 *   expr     := or
 *   or       := xor (("or" | "||") xor)*
 *   xor      := and (("xor" | "^^") and)*
 *   and      := unary (("and" | "&&") unary)*
 *   unary    := ("not" | "!") unary | "(" expr ")" | test
 *   test     := value [relop value | ["not"] "in" set | "contains" value | "matches" value]
 *   value    := atom ["&" atom]
 *   atom     := word [slice] | string | fn "(" value ")" [slice]
 *   set      := "{" item ([","] item)* "}"      item := atom [".." atom]
 *   slice    := "[" range ("," range)* "]"     range := i:j | i-j | i: | :j | i
 */
import { FilterError } from "./errors";
import { lex, type Token } from "./lexer";

export type RelOp = "==" | "!=" | "===" | "~=" | ">" | "<" | ">=" | "<=" | "contains" | "matches" | "in" | "not in";

export interface Span { pos: number; len: number }

export type Value =
  | ({ k: "word"; text: string } & Span) //          a field, protocol or unquoted literal
  | ({ k: "string"; text: string } & Span) //        a quoted string
  | ({ k: "call"; fn: string; arg: Value } & Span)
  | ({ k: "slice"; of: Value; ranges: SliceRange[] } & Span)
  | ({ k: "bitand"; a: Value; b: Value } & Span);

/** a slice range: start (negative from the end) and length (undefined: to the end) */
export interface SliceRange { start: number; len: number | undefined }

export interface SetItem { lo: Value; hi?: Value }

export type Node =
  | ({ k: "and" | "or" | "xor"; a: Node; b: Node } & Span)
  | ({ k: "not"; a: Node } & Span)
  | ({ k: "test"; v: Value } & Span) //                     existence, or a bitwise "&" being non-zero
  | ({ k: "rel"; op: RelOp; opSpan: Span; a: Value; b: Value } & Span)
  | ({ k: "in"; not: boolean; opSpan: Span; a: Value; items: SetItem[] } & Span);

const REL_WORDS: Record<string, RelOp> = {
  eq: "==", any_eq: "==", ne: "!=", all_ne: "!=", all_eq: "===", any_ne: "~=",
  gt: ">", lt: "<", ge: ">=", le: "<=", contains: "contains", matches: "matches", "~": "matches",
};
const REL_OPS: Record<string, RelOp> = {
  "==": "==", "!=": "!=", "===": "===", "!==": "~=", "~=": "~=", ">": ">", "<": "<", ">=": ">=", "<=": "<=",
};
const KEYWORDS = new Set(["and", "or", "not", "xor", "in", ...Object.keys(REL_WORDS)]);

/**
 * How deep parentheses, `not` and function calls may nest. tshark 4.0's parser stops near 100
 * levels with `")" was unexpected in this context.`; without a limit, a filter nested 5,000 deep
 * overflowed the stack here (and in the compiler and evaluator behind it, which recurse too).
 */
export const MAX_NESTING = 100;

export function parse(src: string): Node {
  const p = new Parser(src, lex(src));
  if (p.peek().kind === "eof") throw new FilterError("The filter expression is empty.", src, 0, 1);
  const n = p.expr();
  const t = p.peek();
  if (t.kind !== "eof") p.unexpected(t);
  return n;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string, private readonly toks: Token[]) {}

  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }
  next(): Token {
    return this.toks[this.i++];
  }
  private isWord(t: Token, w: string): boolean {
    return t.kind === "word" && t.text.toLowerCase() === w;
  }
  unexpected(t: Token): never {
    if (t.kind === "eof") throw new FilterError("Unexpected end of filter expression.", this.src, this.src.length, 1);
    throw new FilterError(`"${t.kind === "string" ? this.src.slice(t.pos, t.pos + t.len) : t.text}" was unexpected in this context.`,
      this.src, t.pos, t.len);
  }
  /** enters one level of nesting at token t (a "(", "not" or function call) */
  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING) {
      throw new FilterError(`"${t.text}" was unexpected in this context: the filter nests deeper than ${MAX_NESTING} levels.`, this.src, t.pos, t.len);
    }
  }
  private span(a: Span, b: Span): Span {
    return { pos: a.pos, len: b.pos + b.len - a.pos };
  }

  expr(): Node {
    return this.chain("or", "||", () => this.xor());
  }
  private xor(): Node {
    return this.chain("xor", "^^", () => this.and());
  }
  private and(): Node {
    return this.chain("and", "&&", () => this.unary());
  }
  /**
   * `a OP b OP c …`: the operands as a balanced tree (the operators are associative), so a chain
   * of 50,000 terms is 16 levels deep, not 50,000, for the compiler and evaluator that recurse.
   */
  private chain(k: "and" | "or" | "xor", op: string, operand: () => Node): Node {
    const items = [operand()];
    for (;;) {
      const t = this.peek();
      if (!(this.isWord(t, k) || (t.kind === "op" && t.text === op))) break;
      this.next();
      items.push(operand());
    }
    const build = (lo: number, hi: number): Node => {
      if (hi - lo === 1) return items[lo];
      const mid = (lo + hi) >>> 1;
      const a = build(lo, mid), b = build(mid, hi);
      return { k, a, b, ...this.span(a, b) };
    };
    return build(0, items.length);
  }
  private unary(): Node {
    const t = this.peek();
    if (this.isWord(t, "not") || (t.kind === "op" && t.text === "!")) {
      this.enter(t);
      this.next();
      const a = this.unary();
      this.depth--;
      return { k: "not", a, ...this.span(t, a) };
    }
    if (t.kind === "(") {
      this.enter(t);
      this.next();
      const e = this.expr();
      const c = this.peek();
      if (c.kind !== ")") this.unexpected(c);
      this.next();
      this.depth--;
      return e;
    }
    return this.test();
  }

  private test(): Node {
    const a = this.value();
    const t = this.peek();
    let op: RelOp | undefined;
    if (t.kind === "op") op = REL_OPS[t.text];
    else if (t.kind === "word") op = REL_WORDS[t.text.toLowerCase()];
    if (op !== undefined) {
      this.next();
      const b = this.value();
      return { k: "rel", op, opSpan: { pos: t.pos, len: t.len }, a, b, ...this.span(a, b) };
    }
    if (this.isWord(t, "in") || (this.isWord(t, "not") && this.isWord(this.peek(1), "in"))) {
      const not = this.isWord(t, "not");
      this.next();
      if (not) this.next();
      const items = this.set();
      const end = this.toks[this.i - 1];
      return { k: "in", not, opSpan: { pos: t.pos, len: t.len }, a, items, ...this.span(a, end) };
    }
    return { k: "test", v: a, pos: a.pos, len: a.len };
  }

  private set(): SetItem[] {
    const open = this.peek();
    if (open.kind !== "{") this.unexpected(open);
    this.next();
    const items: SetItem[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "}") {
        if (items.length === 0) throw new FilterError("A set needs at least one element.", this.src, t.pos, 1);
        this.next();
        return items;
      }
      if (t.kind === "," && items.length > 0) { this.next(); continue; }
      // "1..1024" lexes as one word: split it
      if (t.kind === "word" && t.text.includes("..") && !t.text.startsWith("..")) {
        this.next();
        const at = t.text.indexOf("..");
        const lo: Value = { k: "word", text: t.text.slice(0, at), pos: t.pos, len: at };
        const rest = t.text.slice(at + 2);
        if (rest === "") {
          items.push({ lo, hi: this.atom() });
        } else {
          items.push({ lo, hi: { k: "word", text: rest, pos: t.pos + at + 2, len: rest.length } });
        }
        continue;
      }
      const lo = this.atom();
      const d = this.peek();
      if (d.kind === "word" && d.text.startsWith("..")) {
        this.next();
        const rest = d.text.slice(2);
        items.push({ lo, hi: rest === "" ? this.atom() : { k: "word", text: rest, pos: d.pos + 2, len: rest.length } });
      } else items.push({ lo });
    }
  }

  value(): Value {
    const a = this.atom();
    const t = this.peek();
    if (t.kind === "op" && t.text === "&") {
      this.next();
      const b = this.atom();
      return { k: "bitand", a, b, ...this.span(a, b) };
    }
    return a;
  }

  atom(): Value {
    const t = this.peek();
    let v: Value;
    if (t.kind === "string") {
      this.next();
      v = { k: "string", text: t.text, pos: t.pos, len: t.len };
    } else if (t.kind === "word") {
      if (KEYWORDS.has(t.text.toLowerCase()) && this.peek(1).kind !== "(") this.unexpected(t);
      this.next();
      if (this.peek().kind === "(" && /^[a-z_]+$/i.test(t.text)) {
        this.enter(this.peek());
        this.next();
        const arg = this.value();
        const c = this.peek();
        if (c.kind !== ")") this.unexpected(c);
        this.next();
        this.depth--;
        v = { k: "call", fn: t.text.toLowerCase(), arg, ...this.span(t, c) };
      } else v = { k: "word", text: t.text, pos: t.pos, len: t.len };
    } else if (t.kind === "op" && t.text === ":" ) {
      this.unexpected(t);
    } else {
      this.unexpected(t);
    }
    while (this.peek().kind === "[") v = this.slice(v);
    return v;
  }

  /** `[i:j]` (start:length), `[i-j]` (start-end, inclusive), `[i:]`, `[:j]`, `[i]`, comma lists */
  private slice(of: Value): Value {
    const open = this.next();
    const ranges: SliceRange[] = [];
    let text = "", first = -1;
    for (;;) {
      const t = this.next();
      if (t.kind === "eof") this.unexpected(t);
      if (t.kind === "]") {
        if (text !== "") ranges.push(this.range(text, first));
        if (ranges.length === 0) throw new FilterError("Empty slice.", this.src, open.pos, t.pos - open.pos + 1);
        return { k: "slice", of, ranges, ...this.span(of, t) };
      }
      if (t.kind === ",") {
        ranges.push(this.range(text, first));
        text = "";
        first = -1;
        continue;
      }
      if (t.kind !== "word") this.unexpected(t);
      if (first < 0) first = t.pos;
      text += t.text;
    }
  }

  private range(text: string, pos: number): SliceRange {
    const bad = (): never => { throw new FilterError(`"${text}" is not a valid slice.`, this.src, pos, text.length); };
    const int = (s: string): number => {
      if (!/^-?\d+$/.test(s)) bad();
      return parseInt(s, 10);
    };
    let m: RegExpExecArray | null;
    if ((m = /^(-?\d*):(\d*)$/.exec(text))) {
      return { start: m[1] === "" ? 0 : int(m[1]), len: m[2] === "" ? undefined : int(m[2]) };
    }
    if ((m = /^(-?\d+)-(-?\d+)$/.exec(text))) {
      const s = int(m[1]), e = int(m[2]);
      if (e < s && e >= 0) bad();
      return { start: s, len: e - s + 1 };
    }
    return { start: int(text), len: 1 };
  }
}
