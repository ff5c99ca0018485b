/** The danfo adapter: the one place the table meets danfojs-node (loaded lazily). */
import type { Capture } from "./capture";

let dfd: typeof import("danfojs-node") | undefined;

/** danfojs-node, loaded on first use (its require takes 2–3 s). */
export function danfo(): typeof import("danfojs-node") {
  if (dfd === undefined) dfd = require("danfojs-node") as typeof import("danfojs-node");
  return dfd;
}

/**
 * A DataFrame of named columns; with no rows, an empty frame that still has the columns (danfo
 * throws "end must be greater than start" on columns of length 0). Every toDataFrame() uses it.
 */
export function dataFrame(data: Record<string, unknown[]>, columns: string[]): import("danfojs-node").DataFrame {
  const d = danfo();
  const rows = columns.length === 0 ? 0 : (data[columns[0]]?.length ?? 0);
  if (rows === 0) return new d.DataFrame([], { columns });
  return new d.DataFrame(data as never, { columns });
}

export function toDataFrame(c: Capture, columns: string[]): import("danfojs-node").DataFrame {
  const data: Record<string, (number | string | null)[]> = {};
  for (const name of columns) {
    const col = c.column(name);
    const out = new Array<number | string | null>(c.count);
    for (let r = 0; r < c.count; r++) {
      const v = col.get(r);
      out[r] = v === undefined ? null : v;
    }
    data[name] = out;
  }
  return dataFrame(data, columns);
}
