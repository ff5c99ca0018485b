/**
 * The commands' inputs: `-` is standard input (spooled to a temporary file, since a capture is
 * read twice: once for the packets, again for payloads), and several captures' tables stacked
 * into one with a first column `capture` naming each row's file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TableSource } from "../result/format";
import { showControls } from "../result/format/escape";
import type { Column, Value } from "../result/table";
import { compileFilter, FilterError } from "../filter";
import { open } from "../table/load";
import type { Capture } from "../table/capture";
import { Progress } from "./progress";
import { CommandError } from "./usage";

let spooled: string | undefined;

/** The path to read for an input: the file itself, or standard input's bytes in a temporary file. */
export function inputPath(input: string): string {
  if (input !== "-") return input;
  if (spooled !== undefined) return spooled;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-stdin-"));
  const file = path.join(dir, "stdin");
  const out = fs.openSync(file, "w", 0o600);
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(0, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") continue;
        if (code === "EOF") break;
        throw e;
      }
      if (n === 0) break;
      fs.writeSync(out, buf, 0, n);
    }
  } finally {
    fs.closeSync(out);
  }
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  spooled = file;
  return file;
}

/** The name an input is shown with ("-" for standard input, as tshark and capinfos do). */
export const inputName = (input: string): string => input;

/**
 * Several tables of the same columns as one: the `capture` column first (the input's name), then
 * the tables' columns; rows in input order.
 */
export function stacked(parts: { capture: string; table: TableSource }[], columns: string[]): TableSource {
  const starts: number[] = [];
  let total = 0;
  for (const p of parts) { starts.push(total); total += p.table.count; }
  const locate = (row: number): [number, number] => {
    let lo = 0, hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= row) lo = mid; else hi = mid - 1;
    }
    return [lo, row - starts[lo]];
  };
  const captureCol: Column = {
    name: "capture",
    type: "string",
    get: (row: number): Value => parts[locate(row)[0]].capture,
    text: (row: number): string => parts[locate(row)[0]].capture,
  };
  const cols = new Map<string, Column>([["capture", captureCol]]);
  for (const name of columns) {
    const each = parts.map((p) => p.table.column(name));
    cols.set(name, {
      name,
      type: each[0]?.type ?? "string",
      get: (row) => { const [i, r] = locate(row); return each[i].get(r); },
      text: (row) => { const [i, r] = locate(row); return each[i].text(r); },
    });
  }
  return {
    name: parts[0]?.table.name ?? "table",
    count: total,
    columns: ["capture", ...columns],
    column: (name: string) => {
      const c = cols.get(name);
      if (c === undefined) throw new Error(`no column "${name}"`);
      return c;
    },
  };
}

/** A display filter's fields, checked before any reading (a FilterError is a usage error). */
export function filterFields(display: string | undefined): readonly string[] {
  if (display === undefined) return [];
  try {
    return compileFilter(display).fields;
  } catch (e) {
    if (e instanceof FilterError) throw new CommandError(e.message);
    throw e;
  }
}

/**
 * Opens each input with these columns (and the filter's), keeps the packets the display filter
 * matches, and writes the readers' warnings to stderr.
 */
export async function openInputs(inputs: string[], columns: readonly string[], display?: string, warn = true): Promise<{ capture: string; cap: Capture }[]> {
  const extra = filterFields(display);
  const out: { capture: string; cap: Capture }[] = [];
  for (const input of inputs) {
    const progress = new Progress(process.stderr);
    const all = await open(inputPath(input), { columns: [...columns, ...extra], onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
    progress.done();
    if (warn) for (const w of all.warnings) process.stderr.write(`wirebook: warning: ${inputs.length > 1 ? input + ": " : ""}${showControls(w)}\n`);
    out.push({ capture: input, cap: display === undefined ? all : all.filter(display) });
  }
  return out;
}
