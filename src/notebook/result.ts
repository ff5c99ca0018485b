/**
 * A result table (src/result: flows, application tables, files, alerts, statistics, imported
 * logs) as an escaped HTML table with its row and column counts (head and tail when long) and as
 * text. Recognised by its brand (`isResultTable`), read through its columns (no danfo).
 */
import { isResultTable, type ResultTable } from "../result/table";
import { gridHtml, gridText, resultCaption, resultGrid, type TableOptions } from "../html/table";
import { MIME, MimeBundle } from "./mime";

export { isResultTable };

export function resultBundle(t: ResultTable, options: TableOptions = {}): MimeBundle {
  const g = resultGrid(t, options);
  const shown = g.rows.filter((r) => r !== null).length;
  const caption = resultCaption(t, shown);
  const text = gridText(g).split("\n");
  text[text.length - 1] = `[${caption}]`;
  return { [MIME.html]: gridHtml(g, caption), [MIME.plain]: text.join("\n") };
}
