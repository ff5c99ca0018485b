/**
 * Reading a Zeek ASCII log as zeek-cut does (independent of src/result): the `#fields` line names
 * the columns, other `#` lines are skipped, cells split on tabs. `unescape` turns `\xHH` escapes
 * back into bytes (decoded as UTF-8), as Zeek's own log reader does.
 */
export interface ZeekLog {
  fields: string[];
  types: string[];
  path: string | undefined;
  /** rows of raw cells (as zeek-cut prints them) */
  rows: string[][];
}

export function zeekCut(text: string): ZeekLog {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const log: ZeekLog = { fields: [], types: [], path: undefined, rows: [] };
  for (const l of lines) {
    if (l.startsWith("#fields\t")) log.fields = l.split("\t").slice(1);
    else if (l.startsWith("#types\t")) log.types = l.split("\t").slice(1);
    else if (l.startsWith("#path\t")) log.path = l.split("\t")[1];
    else if (!l.startsWith("#")) log.rows.push(l.split("\t"));
  }
  return log;
}

/** The cells of one column by name (zeek-cut NAME). */
export function cut(log: ZeekLog, name: string): string[] {
  const i = log.fields.indexOf(name);
  if (i < 0) throw new Error(`no field ${name} in ${log.fields.join(" ")}`);
  return log.rows.map((r) => r[i]);
}

/** `\xHH` escapes back to bytes, read as UTF-8. */
export function unescape(cell: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < cell.length; i++) {
    const m = /^\\x([0-9a-f]{2})/.exec(cell.slice(i, i + 4));
    if (m) { bytes.push(parseInt(m[1], 16)); i += 3; continue; }
    for (const b of Buffer.from(cell[i], "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}
