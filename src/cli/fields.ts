/**
 * `wirebook fields FILE -e FIELD … [-Y FILTER] [-c COUNT] [-E OPT=VALUE …] [-T fields|json|ek]`:
 * tshark's -T fields output byte for byte (its -E options), or its -T json / -T ek layouts. The
 * values are the text tshark prints (exact decimals in every format). Usage: src/cli/specs.ts.
 */
import { fieldByName } from "../fields/registry";
import { UsageError } from "./usage";
import { Output } from "./output";
import { jsonString, showControls } from "../result/format/escape";
import { count, flag, parseArgs, str, strs } from "./options";
import { FIELDS } from "./specs";
import { filterFields, inputPath } from "./inputs";
import { open } from "../table/load";
import type { Capture } from "../table/capture";

export interface FieldsLayout {
  header: boolean;
  separator: string;
  quote: "" | "\"" | "'";
  occurrence: "f" | "l" | "a";
  aggregator: string;
}

/** tshark's -E options (header=y|n, separator=/t|/s|C, quote=d|s|n, occurrence=f|l|a, aggregator=/s|C). */
export function parseE(opts: string[], header: boolean): FieldsLayout {
  const l: FieldsLayout = { header, separator: "\t", quote: "", occurrence: "a", aggregator: "," };
  const char = (v: string, what: string) => {
    if (v === "/t") return "\t";
    if (v === "/s") return " ";
    if (v.length !== 1) throw new UsageError(`-E ${what}= takes one character, /t or /s (not "${v}")`);
    return v;
  };
  for (const o of opts) {
    const eq = o.indexOf("=");
    const k = eq < 0 ? o : o.slice(0, eq), v = eq < 0 ? "" : o.slice(eq + 1);
    if (k === "header") {
      if (v !== "y" && v !== "n") throw new UsageError(`-E header= takes y or n (not "${v}")`);
      l.header = v === "y";
    } else if (k === "separator") l.separator = char(v, k);
    else if (k === "aggregator") l.aggregator = char(v, k);
    else if (k === "quote") {
      if (v !== "d" && v !== "s" && v !== "n") throw new UsageError(`-E quote= takes d, s or n (not "${v}")`);
      l.quote = v === "d" ? "\"" : v === "s" ? "'" : "";
    } else if (k === "occurrence") {
      if (v !== "f" && v !== "l" && v !== "a") throw new UsageError(`-E occurrence= takes f, l or a (not "${v}")`);
      // a column keeps a field's first occurrence in a packet (src/table/column.ts): f and a are that
      if (v === "l") throw new UsageError("-E occurrence=l is not supported: Wirebook keeps each field's first occurrence (f)");
      l.occurrence = v;
    } else throw new UsageError(`-E takes header, separator, quote, occurrence or aggregator (not "${k}")`);
  }
  return l;
}

export async function fieldsCommand(args: string[]): Promise<number> {
  const p = parseArgs(FIELDS, args);
  const fields = strs(p, "field");
  if (fields.length === 0) throw new UsageError("name at least one field with -e");
  for (const f of fields) if (!fieldByName(f)) throw new UsageError(`unknown field "${showControls(f)}"`);
  const limit = count(p, "count", "-c");
  const layout = parseE(strs(p, "E"), !flag(p, "noHeader"));
  const format = str(p, "T") ?? "fields";
  const display = str(p, "filter");
  const extra = filterFields(display);
  const time = format === "fields" ? [] : ["frame.time_epoch"];
  const all = await open(inputPath(p.inputs[0]), { columns: [...fields, ...extra, ...time], limit });
  const cap = display === undefined ? all : all.filter(display);
  for (const w of all.warnings) process.stderr.write(`wirebook: warning: ${showControls(w)}\n`);
  const out = new Output(process.stdout.fd);
  if (format === "fields") writeFields(cap, fields, layout, out);
  else if (format === "json") writeJson(cap, fields, out);
  else writeEk(cap, fields, out);
  out.flush();
  return 0;
}

/** The values of a field in a row, as tshark's -E occurrence picks them (one value a row is kept: the first). */
function values(text: string): string[] {
  return text === "" ? [] : [showControls(text)];
}

function writeFields(cap: Capture, fields: string[], l: FieldsLayout, out: Output): void {
  const cols = fields.map((f) => cap.column(f));
  const q = (s: string) => (s === "" ? s : l.quote + s + l.quote);
  if (l.header) out.write(fields.join(l.separator) + "\n");
  for (let r = 0; r < cap.count; r++) {
    let line = "";
    for (let i = 0; i < cols.length; i++) {
      if (i > 0) line += l.separator;
      line += q(values(cols[i].text(r)).join(l.aggregator));
    }
    out.write(line + "\n");
  }
}

/** the packet's day (UTC), as tshark's `_index` names it: packets-YYYY-MM-DD */
function indexName(epoch: number | undefined): string {
  const d = new Date(Math.floor((epoch ?? 0) * 1000));
  return `packets-${Number.isNaN(d.getTime()) ? "1970-01-01" : d.toISOString().slice(0, 10)}`;
}

/** tshark -T json -e …: an array, one {_index,_type,_score,_source:{layers}} a packet, 2-space indents. */
function writeJson(cap: Capture, fields: string[], out: Output): void {
  const cols = fields.map((f) => cap.column(f));
  const keys = fields.map(jsonString);
  const epoch = cap.column("frame.time_epoch");
  if (cap.count === 0) { out.write("[\n]\n"); return; }
  out.write("[\n");
  for (let r = 0; r < cap.count; r++) {
    const layers: string[] = [];
    for (let i = 0; i < cols.length; i++) {
      const vs = values(cols[i].text(r));
      if (vs.length === 0) continue;
      layers.push(`        ${keys[i]}: [\n${vs.map((v) => `          ${jsonString(v)}`).join(",\n")}\n        ]`);
    }
    const t = epoch.get(r);
    out.write(`  {\n    "_index": ${jsonString(indexName(typeof t === "number" ? t : undefined))},\n    "_type": "doc",\n    "_score": null,\n    "_source": {\n      "layers": {${layers.length ? "\n" + layers.join(",\n") + "\n      " : ""}}\n    }\n  }${r + 1 < cap.count ? "," : ""}\n`);
  }
  out.write("]\n");
}

/** tshark -T ek -e …: an index line, then the packet's line ({"timestamp":ms,"layers":{field_name:[…]}}). */
function writeEk(cap: Capture, fields: string[], out: Output): void {
  const cols = fields.map((f) => cap.column(f));
  const keys = fields.map((f) => jsonString(f.replace(/\./g, "_")));
  const epoch = cap.column("frame.time_epoch");
  for (let r = 0; r < cap.count; r++) {
    const t = epoch.get(r);
    const parts: string[] = [];
    for (let i = 0; i < cols.length; i++) {
      const vs = values(cols[i].text(r));
      if (vs.length) parts.push(`${keys[i]}:[${vs.map(jsonString).join(",")}]`);
    }
    // milliseconds from the exact text (seconds.nanoseconds), not from a float product
    const m = /^(\d+)(?:\.(\d{0,3}))?/.exec(epoch.text(r));
    const ms = m ? String(BigInt(m[1]) * 1000n + BigInt((m[2] ?? "").padEnd(3, "0"))) : "0";
    out.write(`{"index":{"_index":${jsonString(indexName(typeof t === "number" ? t : undefined))},"_type":"doc"}}\n{"timestamp":"${ms}","layers":{${parts.join(",")}}}\n`);
  }
}
