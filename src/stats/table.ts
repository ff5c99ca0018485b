/**
 * StatTable: the small result every statistic returns, a ResultTable (named "stats") over
 * row-major cells (`cells`), already in the order each statistic documents (docs/stats.md); cells
 * are numbers, strings or null (absent). Columns are typed from their cells: all whole numbers
 * "count" ("int" with negatives), other numbers "double", the rest "string".
 */
import { ResultTable, type Column } from "../result/table";

export type Cell = number | string | null;

function cellColumn(name: string, i: number, cells: Cell[][]): Column {
  let numbers = 0, strings = 0, ints = true, negative = false;
  for (const r of cells) {
    const v = r[i];
    if (typeof v === "number") { numbers++; if (!Number.isInteger(v)) ints = false; if (v < 0) negative = true; }
    else if (v !== null) strings++;
  }
  const type = strings > 0 || numbers === 0 ? "string" : ints ? (negative ? "int" : "count") : "double";
  const get = (r: number) => { const v = cells[r][i]; return v === null ? undefined : v; };
  return { name, type, get, text: (r) => { const v = cells[r][i]; return v === null ? "" : String(v); } };
}

export class StatTable extends ResultTable {
  /** the rows' cells, row-major (what the charts read) */
  readonly cells: Cell[][];

  constructor(columns: string[], cells: Cell[][], name = "stats") {
    for (const r of cells) if (r.length !== columns.length) throw new Error(`StatTable: a row has ${r.length} cells for ${columns.length} columns`);
    super(name, columns.map((c, i) => cellColumn(c, i, cells)), cells.length);
    this.cells = cells;
  }

  protected override noun(): string {
    return "statistics";
  }

  /** The cells of one column, top to bottom (null: absent); throws for an unknown column. */
  cellsOf(name: string): Cell[] {
    const i = this.columns.indexOf(name);
    this.column(name);
    return this.cells.map((r) => r[i]);
  }

  /** Rows as objects keyed by column name, null for absent (small tables: tests, JSON). */
  records(): Record<string, Cell>[] {
    return this.cells.map((r) => Object.fromEntries(this.columns.map((c, i) => [c, r[i]])));
  }
}
