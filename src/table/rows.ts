/** Plain row objects for small slices of any columnar table (packets, flows, app tables, alerts, logs). */

/** `{ columnName: value }` for each row in [from, to), in order. */
export function rowObjects<V>(columns: readonly { readonly name: string; get(row: number): V }[], from: number, to: number): Record<string, V>[] {
  const out: Record<string, V>[] = [];
  for (let r = from; r < to; r++) {
    const o: Record<string, V> = {};
    for (const c of columns) o[c.name] = c.get(r);
    out.push(o);
  }
  return out;
}
