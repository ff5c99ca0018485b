/**
 * Display-filter lexer: Wireshark's token set (4.0), with positions for error messages.
 *
 * A "word" is a maximal run of letters, digits and `_ . : / -` (and `+` inside a word): the parser
 * decides whether it is a field name, a protocol, a keyword (`and`, `eq`, `contains` …) or a literal
 * (number, IPv4/IPv6 address with an optional prefix, MAC address, byte string, bare string), as
 * Wireshark does: `10.0.0.0/8`, `aa:bb:cc:dd:ee:ff`, `fe80::1` and `1..1024` are one word each.
 */
import { FilterError } from "./errors";

export type TokKind =
  | "word" //   field, protocol, keyword or unquoted literal
  | "string" // "quoted" (value unescaped)
  | "op" //     == != === !== ~= > < >= <= && || ! ^^ &
  | "(" | ")" | "{" | "}" | "[" | "]" | "," | ".." | ":"
  | "eof";

export interface Token {
  kind: TokKind;
  /** the text: a word, an operator, or a string's value (unescaped) */
  text: string;
  /** offset of the first character in the expression, and the token's length there */
  pos: number;
  len: number;
}

const WORD = /[A-Za-z0-9_.:\/\-+]/;

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") { i++; continue; }
    const start = i;
    // raw string r"…": backslashes kept as written
    if ((c === "r" || c === "R") && src[i + 1] === '"') {
      const { value, end } = readString(src, i + 1, true);
      out.push({ kind: "string", text: value, pos: start, len: end - start });
      i = end;
      continue;
    }
    if (c === '"') {
      const { value, end } = readString(src, i, false);
      out.push({ kind: "string", text: value, pos: start, len: end - start });
      i = end;
      continue;
    }
    const two = src.slice(i, i + 2), three = src.slice(i, i + 3);
    if (three === "===" || three === "!==") { out.push({ kind: "op", text: three, pos: i, len: 3 }); i += 3; continue; }
    if (two === "==" || two === "!=" || two === "~=" || two === ">=" || two === "<=" || two === "&&" || two === "||" || two === "^^") {
      out.push({ kind: "op", text: two, pos: i, len: 2 });
      i += 2;
      continue;
    }
    if (c === ">" || c === "<" || c === "!" || c === "&") { out.push({ kind: "op", text: c, pos: i, len: 1 }); i++; continue; }
    if (c === "(" || c === ")" || c === "{" || c === "}" || c === "[" || c === "]" || c === ",") {
      out.push({ kind: c, text: c, pos: i, len: 1 });
      i++;
      continue;
    }
    if (WORD.test(c)) {
      while (i < n && WORD.test(src[i])) i++;
      out.push({ kind: "word", text: src.slice(start, i), pos: start, len: i - start });
      continue;
    }
    throw new FilterError(`"${c}" was unexpected in this context.`, src, start, 1);
  }
  out.push({ kind: "eof", text: "", pos: n, len: 0 });
  return out;
}

/** Reads a double-quoted string at src[i] ('"'); escapes as Wireshark: \\ \" \n \t \r \xhh \ooo. */
function readString(src: string, i: number, raw: boolean): { value: string; end: number } {
  const start = raw ? i - 1 : i;
  let j = i + 1, v = "";
  for (;;) {
    if (j >= src.length) throw new FilterError("The final quote is missing from a quoted string.", src, start, src.length - start);
    const c = src[j];
    if (c === '"') return { value: v, end: j + 1 };
    if (c !== "\\") { v += c; j++; continue; }
    const e = src[j + 1];
    if (e === undefined) throw new FilterError("The final quote is missing from a quoted string.", src, start, src.length - start);
    if (raw) { v += e === '"' ? '"' : "\\" + e; j += 2; continue; }
    switch (e) {
      case "n": v += "\n"; j += 2; break;
      case "t": v += "\t"; j += 2; break;
      case "r": v += "\r"; j += 2; break;
      case "a": v += "\x07"; j += 2; break;
      case "b": v += "\b"; j += 2; break;
      case "f": v += "\f"; j += 2; break;
      case "v": v += "\v"; j += 2; break;
      case "0": case "1": case "2": case "3": case "4": case "5": case "6": case "7": {
        const m = /^[0-7]{1,3}/.exec(src.slice(j + 1)) as RegExpExecArray;
        v += String.fromCharCode(parseInt(m[0], 8) & 255);
        j += 1 + m[0].length;
        break;
      }
      case "x": {
        const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(j + 2));
        if (!m) throw new FilterError(`"\\x" needs hexadecimal digits.`, src, j, 2);
        v += String.fromCharCode(parseInt(m[0], 16));
        j += 2 + m[0].length;
        break;
      }
      default: v += e; j += 2;
    }
  }
}
