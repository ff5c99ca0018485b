/**
 * ResultTable: the one table every result of Wirebook is (flows, application tables, files,
 * alerts, statistics, imported logs). Like Arquero's single Table class: columns (typed by Zeek's
 * type names) read by row, and verbs that return new tables sharing the columns (a view keeps an
 * index of rows; copying is never needed for the small tables results are).
 *
 *   flows.where('conn_state == "S0" && orig_bytes > 100').select(["uid", "id.resp_h"]).sortBy("ts").head(5)
 *   flows.array("duration")           // Float64Array (NaN unset)
 *   toTsv(flows) / toCsv(flows) / toJsonLines(flows)   (src/result/format)
 */
import { compileWhere } from "./where";
import { rowObjects } from "../table/rows";

export type Value = number | string | boolean | (string | number)[] | undefined;

/** A column of a result table. */
export interface Column {
  readonly name: string;
  /**
   * Zeek's type names: time interval count int double port string addr enum bool
   * vector[string] vector[count] vector[interval] set[string] (what a TSV `#types` line says).
   */
  readonly type: string;
  /** the value of a row (undefined: unset) */
  get(row: number): Value;
  /** the value's text as Zeek's TSV writer prints it, before escaping (what an unset row gives is the table's own) */
  text(row: number): string;
}

/** A row predicate for `where` (the row as a plain object). */
export type RowPredicate = (row: Record<string, Value>) => boolean;

const NUMERIC_TYPES = new Set(["time", "interval", "count", "int", "double", "port"]);

/** True for the numeric Zeek types (their `array()` is typed). */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.has(type);
}

/** The brand `display()` recognises (a symbol, so no module has to import this class to test). */
export const RESULT_TABLE = Symbol.for("wirebook.resultTable");

export function isResultTable(x: unknown): x is ResultTable {
  return typeof x === "object" && x !== null && (x as { [RESULT_TABLE]?: boolean })[RESULT_TABLE] === true;
}

/** A column read through a row index (a view's column). */
function viewColumn(c: Column, index: ArrayLike<number>): Column {
  return { name: c.name, type: c.type, get: (r) => c.get(index[r]), text: (r) => c.text(index[r]) };
}

export class ResultTable {
  /** the table's name (Zeek's log path: "conn", "dns", "ssl", "files", "alerts" …) */
  readonly name: string;
  /** number of rows */
  readonly count: number;
  /** column names, in output order */
  readonly columns: string[];
  /** caps that tripped, damaged input skipped, … */
  readonly warnings: string[];
  protected readonly cols = new Map<string, Column>();

  constructor(name: string, columns: readonly Column[], count: number, warnings: string[] = []) {
    this.name = name;
    this.count = count;
    this.warnings = warnings;
    this.columns = [];
    for (const c of columns) this.setColumn(c);
    Object.defineProperty(this, RESULT_TABLE, { value: true, enumerable: false });
  }

  /** Adds a column at the end, or replaces the one of that name in place. */
  protected setColumn(c: Column): void {
    if (!this.cols.has(c.name)) this.columns.push(c.name);
    this.cols.set(c.name, c);
  }

  /** The column named `name`; throws naming the columns there are. */
  column(name: string): Column {
    const c = this.cols.get(name);
    if (c === undefined) throw new Error(`unknown ${this.noun()} column "${name}"; columns: ${this.columns.join(", ")}`);
    return c;
  }

  /** what a column error calls the table ("flow", "dns", "alert" …) */
  protected noun(): string {
    return this.name;
  }

  /** True when the table has a column `name`. */
  has(name: string): boolean {
    return this.cols.has(name);
  }

  /** The values of one column, top to bottom (undefined: unset). */
  values(name: string): Value[] {
    const c = this.column(name);
    const out = new Array<Value>(this.count);
    for (let r = 0; r < this.count; r++) out[r] = c.get(r);
    return out;
  }

  /**
   * One column as an array: a Float64Array for numeric columns (NaN unset), an Int32Array for
   * ports (-1 unset), 1/0/NaN in a Float64Array for booleans, else the text of each row (Zeek's text; "" unset).
   */
  array(name: string): Float64Array | Int32Array | string[] {
    const c = this.column(name);
    const n = this.count;
    if (c.type === "port") {
      const a = new Int32Array(n);
      for (let r = 0; r < n; r++) { const v = c.get(r); a[r] = typeof v === "number" ? v : -1; }
      return a;
    }
    if (NUMERIC_TYPES.has(c.type) || c.type === "bool") {
      const a = new Float64Array(n);
      for (let r = 0; r < n; r++) { const v = c.get(r); a[r] = typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : NaN; }
      return a;
    }
    const a = new Array<string>(n);
    for (let r = 0; r < n; r++) a[r] = c.get(r) === undefined ? "" : c.text(r);
    return a;
  }

  /**
   * Plain rows (objects keyed by column name) for small slices: `rows()`, `rows(from, to)`, or
   * `rows(columns, from, to)`.
   */
  rows(from?: number, to?: number): Record<string, Value>[];
  rows(columns: string[], from?: number, to?: number): Record<string, Value>[];
  rows(a?: number | string[], b?: number, c?: number): Record<string, Value>[] {
    const columns = Array.isArray(a) ? a : this.columns;
    const from = Math.max(0, (Array.isArray(a) ? b : a) ?? 0);
    const to = Math.min(this.count, (Array.isArray(a) ? c : b) ?? this.count);
    return rowObjects(columns.map((n) => this.column(n)), from, to);
  }

  /** A view of some rows (in this order) with the same columns. */
  take(index: ArrayLike<number>, columns: string[] = this.columns): ResultTable {
    for (let i = 0; i < index.length; i++) {
      if (!(index[i] >= 0 && index[i] < this.count)) throw new RangeError(`take: no row ${index[i]} in ${this.count}`);
    }
    const idx = Uint32Array.from(index as ArrayLike<number>);
    return new ResultTable(this.name, columns.map((n) => viewColumn(this.column(n), idx)), idx.length, this.warnings);
  }

  /**
   * The rows for which `test` holds: a function of the row object, or a display-filter-like
   * expression over the columns (`conn_state == "S0" && orig_bytes > 100`, `proto in {tcp udp}`,
   * `query contains "evil"`, `!(service == "dns")`; see docs/tables.md).
   */
  where(test: RowPredicate | string): ResultTable {
    return this.take(this.whereRows(test));
  }

  /** The row numbers `where(test)` keeps. */
  protected whereRows(test: RowPredicate | string): number[] {
    const keep: number[] = [];
    if (typeof test === "string") {
      const f = compileWhere(test, this);
      for (let r = 0; r < this.count; r++) if (f(r)) keep.push(r);
    } else {
      const cs = this.columns.map((n) => this.column(n));
      for (let r = 0; r < this.count; r++) if (test(rowObjects(cs, r, r + 1)[0])) keep.push(r);
    }
    return keep;
  }

  /** The same rows with only these columns, in this order. */
  select(columns: string[]): ResultTable {
    return new ResultTable(this.name, columns.map((n) => this.column(n)), this.count, this.warnings);
  }

  /**
   * Rows ordered by a column (stable; unset values last either way; numbers numerically, the
   * rest by their text).
   */
  sortBy(column: string, opts: { descending?: boolean } = {}): ResultTable {
    const c = this.column(column);
    const n = this.count;
    const vals = new Array<Value>(n);
    for (let r = 0; r < n; r++) { const v = c.get(r); vals[r] = v === undefined ? undefined : typeof v === "number" || typeof v === "boolean" ? Number(v) : c.text(r); }
    const dir = opts.descending ? -1 : 1;
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const x = vals[a], y = vals[b];
      if (x === undefined || y === undefined) return x === y ? a - b : x === undefined ? 1 : -1;
      const d = typeof x === "number" && typeof y === "number" ? (x === y ? 0 : x < y ? -1 : 1)
        : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      return d === 0 ? a - b : d * dir;
    });
    return this.take(idx);
  }

  /** The first n rows. */
  head(n = 10): ResultTable {
    return this.take(Array.from({ length: Math.max(0, Math.min(n, this.count)) }, (_, i) => i));
  }

  /** The last n rows. */
  tail(n = 10): ResultTable {
    const k = Math.max(0, Math.min(n, this.count));
    return this.take(Array.from({ length: k }, (_, i) => this.count - k + i));
  }

  /**
   * As a danfo DataFrame (danfo is loaded on first call): unset → null, lists → their Zeek text.
   * An empty table gives an empty frame with the columns.
   */
  toDataFrame(columns: string[] = this.columns): import("../table/danfo").DataFrame {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { danfo } = require("../table/danfo") as typeof import("../table/danfo");
    const d = danfo();
    if (this.count === 0) return new d.DataFrame([], { columns });
    const data: Record<string, (number | string | boolean | null)[]> = {};
    for (const name of columns) {
      const c = this.column(name);
      const a = new Array<number | string | boolean | null>(this.count);
      for (let r = 0; r < this.count; r++) {
        const v = c.get(r);
        a[r] = v === undefined ? null : Array.isArray(v) ? c.text(r) : v;
      }
      data[name] = a;
    }
    return new d.DataFrame(data, { columns });
  }

  /** JSON.stringify(table): the rows as objects (unset fields left out). */
  toJSON(): Record<string, Value>[] {
    return this.rows();
  }
}
