/**
 * `table.where("…")`: a display-filter-like expression over a result table's columns, parsed by the
 * display-filter parser (src/filter/parser.ts) and evaluated per row.
 *
 * - A word on the left of a comparison (or alone) is a column; on the right it is a column when
 *   one has that name, else a literal (`proto == tcp`, `conn_state == S0`, `id.resp_h == 10.0.0.1`).
 * - Numbers compare numerically when the column's value is a number, else everything compares as
 *   text; booleans take true/false/T/F/1/0. `==` with an address prefix (`10.0.0.0/8`,
 *   `2001:db8::/32`) tests membership; IPv6 addresses are equal in any of their text forms.
 * - `==`, `contains`, `matches` and `in` hold when any element of a list column does; `!=` when
 *   none does (Wireshark's any/all semantics). An unset value makes every comparison false (as an
 *   absent field does in Wireshark): `!(service == "dns")` includes unset rows, `service != "dns"`
 *   does not.
 * - A bare column is true when the row has a value (and, for a bool column, it is true).
 * - Functions: len(), lower(), upper(). Slices and bitwise `&` are refused.
 */
import { parse, type Node, type Value as Expr } from "../filter/parser";
import { FilterError } from "../filter/errors";
import { ipv4Mask, parseIPv4, parseIPv6 } from "../filter/literals";
import type { Column, Value } from "./table";

interface TableLike {
  readonly columns: string[];
  has(name: string): boolean;
  column(name: string): Column;
}

type Getter = (row: number) => Value;

function scalars(v: Value): (string | number | boolean)[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function num(x: string | number | boolean): number {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  if (x === "T" || x === "true" || x === "True" || x === "TRUE") return 1;
  if (x === "F" || x === "false" || x === "False" || x === "FALSE") return 0;
  return x.trim() === "" ? NaN : Number(x);
}

/** -1, 0, 1, or NaN when the two cannot be ordered */
function cmp(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === "number" || typeof b === "number" || typeof a === "boolean" || typeof b === "boolean") {
    const x = num(a), y = num(b);
    if (x === x && y === y) return x === y ? 0 : x < y ? -1 : 1;
  }
  const s = String(a), t = String(b);
  return s === t ? 0 : s < t ? -1 : 1;
}

/** an address prefix literal (10.0.0.0/8, 2001:db8::/32) as a test of address text, or undefined */
function prefixTest(lit: string): ((x: string | number | boolean) => boolean) | undefined {
  const slash = lit.indexOf("/");
  if (slash < 0) return undefined;
  const v4 = parseIPv4(lit);
  if (v4 !== undefined && v4 !== "badbits") {
    const mask = ipv4Mask(v4.bits), want = (v4.addr & mask) >>> 0;
    return (x) => { const a = parseIPv4(String(x)); return a !== undefined && a !== "badbits" && ((a.addr & mask) >>> 0) === want; };
  }
  const net = parseIPv6(lit.slice(0, slash)), bits = Number(lit.slice(slash + 1));
  if (net === undefined || !(bits >= 0 && bits <= 128)) return undefined;
  return (x) => {
    const a = typeof x === "string" ? parseIPv6(x) : undefined;
    if (a === undefined) return false;
    for (let i = 0; i < bits; i++) if (((a[i >> 3] >> (7 - (i & 7))) & 1) !== ((net[i >> 3] >> (7 - (i & 7))) & 1)) return false;
    return true;
  };
}

/** equal values; IPv6 addresses in any of their text forms */
function same(x: string | number | boolean, y: string | number | boolean): boolean {
  if (cmp(x, y) === 0) return true;
  if (typeof x !== "string" || typeof y !== "string" || !x.includes(":") || !y.includes(":")) return false;
  const a = parseIPv6(x), b = parseIPv6(y);
  return a !== undefined && b !== undefined && a.every((v, i) => v === b[i]);
}

export function compileWhere(src: string, table: TableLike): (row: number) => boolean {
  const tree = parse(src);
  const unknown = (name: string, pos: number, len: number): never => {
    throw new FilterError(`"${name}" is not a column of this table; columns: ${table.columns.join(", ")}`, src, pos, len);
  };
  const unsupported = (what: string, pos: number, len: number): never => {
    throw new FilterError(`${what} is not supported in table filters`, src, pos, len);
  };

  /** a value: column getter, or a constant */
  const value = (v: Expr, side: "column" | "either"): Getter => {
    switch (v.k) {
      case "word": {
        if (table.has(v.text)) { const c = table.column(v.text); return (r) => c.get(r); }
        if (side === "column") return unknown(v.text, v.pos, v.len);
        const t = v.text;
        return () => t;
      }
      case "string": { const t = v.text; return () => t; }
      case "call": {
        const arg = value(v.arg, side);
        const fn = v.fn.toLowerCase();
        if (fn === "len") return (r) => { const x = arg(r); return x === undefined ? undefined : Array.isArray(x) ? x.length : String(x).length; };
        if (fn === "lower") return (r) => { const x = arg(r); return x === undefined ? undefined : Array.isArray(x) ? x.map((e) => String(e).toLowerCase()) : String(x).toLowerCase(); };
        if (fn === "upper") return (r) => { const x = arg(r); return x === undefined ? undefined : Array.isArray(x) ? x.map((e) => String(e).toUpperCase()) : String(x).toUpperCase(); };
        return unsupported(`the function ${v.fn}()`, v.pos, v.len);
      }
      case "slice": return unsupported("a slice", v.pos, v.len);
      case "bitand": return unsupported("bitwise &", v.pos, v.len);
    }
  };

  const isColumnWord = (v: Expr): boolean => (v.k === "word" && table.has(v.text)) || (v.k === "call" && isColumnWord(v.arg));

  const node = (n: Node): ((row: number) => boolean) => {
    switch (n.k) {
      case "and": { const a = node(n.a), b = node(n.b); return (r) => a(r) && b(r); }
      case "or": { const a = node(n.a), b = node(n.b); return (r) => a(r) || b(r); }
      case "xor": { const a = node(n.a), b = node(n.b); return (r) => a(r) !== b(r); }
      case "not": { const a = node(n.a); return (r) => !a(r); }
      case "test": {
        const g = value(n.v, "column");
        return (r) => { const x = g(r); return x !== undefined && x !== false; };
      }
      case "in": {
        const g = value(n.a, "column");
        const items = n.items.map((it) => ({ lo: value(it.lo, "either"), hi: it.hi === undefined ? undefined : value(it.hi, "either") }));
        const inSet = (x: string | number | boolean, r: number) => items.some((it) => {
          const lo = it.lo(r);
          if (lo === undefined || Array.isArray(lo)) return false;
          if (it.hi === undefined) return cmp(x, lo) === 0;
          const hi = it.hi(r);
          return hi !== undefined && !Array.isArray(hi) && cmp(x, lo) >= 0 && cmp(x, hi) <= 0;
        });
        return (r) => {
          const xs = scalars(g(r));
          if (xs.length === 0) return false;
          return n.not ? xs.every((x) => !inSet(x, r)) : xs.some((x) => inSet(x, r));
        };
      }
      case "rel": {
        // the column goes left; a literal on the left with a column on the right is turned round
        let a = n.a, b = n.b, op = n.op;
        if (!isColumnWord(a) && isColumnWord(b) && ["==", "!=", "===", "~=", ">", "<", ">=", "<="].includes(op)) {
          [a, b] = [b, a];
          op = ({ ">": "<", "<": ">", ">=": "<=", "<=": ">=" } as Record<string, typeof op>)[op] ?? op;
        }
        const ga = value(a, "column"), gb = value(b, "either");
        let test: (x: string | number | boolean, y: string | number | boolean) => boolean;
        switch (op) {
          case "==": case "===": case "!=": case "~=": {
            // an address prefix on the right: the address is in it
            const prefix = b.k === "word" && !table.has(b.text) ? prefixTest(b.text) : undefined;
            test = prefix !== undefined ? (x) => prefix(x) : same;
            break;
          }
          case "<": test = (x, y) => cmp(x, y) < 0; break;
          case ">": test = (x, y) => cmp(x, y) > 0; break;
          case "<=": test = (x, y) => cmp(x, y) <= 0; break;
          case ">=": test = (x, y) => cmp(x, y) >= 0; break;
          case "contains": test = (x, y) => String(x).includes(String(y)); break;
          case "matches": {
            if (b.k !== "string" && b.k !== "word") return unsupported("matches against a column", b.pos, b.len);
            let pat = b.text, flags = "";
            if (pat.startsWith("(?i)")) { pat = pat.slice(4); flags = "i"; }
            let re: RegExp;
            try { re = new RegExp(pat, flags); } catch (e) { throw new FilterError(`bad regular expression: ${(e as Error).message}`, src, b.pos, b.len); }
            test = (x) => re.test(String(x));
            break;
          }
          default: return unsupported(`the operator ${op}`, n.opSpan.pos, n.opSpan.len);
        }
        const all = op === "===" || op === "!=";
        const negate = op === "!=" || op === "~=";
        return (r) => {
          const xs = scalars(ga(r)), yv = gb(r);
          if (xs.length === 0 || yv === undefined) return false;
          const ys = scalars(yv);
          const one = (x: string | number | boolean) => ys.some((y) => test(x, y));
          // == any equal; === all equal; != none equal (all not equal); ~= any not equal
          if (op === "===") return xs.every(one);
          if (all && negate) return xs.every((x) => !one(x));
          if (negate) return xs.some((x) => !one(x));
          return xs.some(one);
        };
      }
    }
  };
  return node(tree);
}
