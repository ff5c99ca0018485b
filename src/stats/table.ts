/**
 * StatTable: the small columnar result every statistic returns. Rows are row-major and already in
 * the order each statistic documents (docs/stats.md); cells are numbers, strings or null (absent).
 */
import { dataFrame } from "../table/danfo";

export type Cell = number | string | null;

export class StatTable {
  constructor(readonly columns: string[], readonly rows: Cell[][]) {
    for (const r of rows) if (r.length !== columns.length) throw new Error(`StatTable: a row has ${r.length} cells for ${columns.length} columns`);
  }

  /** number of rows */
  get count(): number {
    return this.rows.length;
  }

  /** The cells of one column, top to bottom; throws for an unknown column. */
  column(name: string): Cell[] {
    const i = this.columns.indexOf(name);
    if (i < 0) throw new Error(`no column "${name}"; columns: ${this.columns.join(", ")}`);
    return this.rows.map((r) => r[i]);
  }

  /** Rows as objects keyed by column name (small tables: tests, JSON). */
  records(): Record<string, Cell>[] {
    return this.rows.map((r) => Object.fromEntries(this.columns.map((c, i) => [c, r[i]])));
  }

  /** The table as a danfo DataFrame (danfo is loaded on first use). */
  toDataFrame(): import("danfojs-node").DataFrame {
    const data: Record<string, Cell[]> = {};
    for (const c of this.columns) data[c] = this.column(c);
    return dataFrame(data, this.columns);
  }
}
