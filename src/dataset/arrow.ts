/**
 * Arrow (apache-arrow) tables of Wirebook's tables: `await capture.toArrow(columns?)` and every
 * result table's `toArrow(columns?)`, and the Arrow IPC file bytes the CLI writes (`--format arrow`).
 *
 * Capture columns keep their Wireshark names (`ip.src`); types: booleans Bool, 8/16-bit and signed
 * fields Int32, 32-bit fields and frame.number Uint32, doubles and times (epoch seconds) Float64,
 * addresses and strings Utf8. Result table columns (Zeek types): time, interval, double, count and
 * int Float64 (exact to 2^53), port Int32, bool Bool, vectors and sets List<Utf8>, the rest Utf8.
 * Unset values are nulls.
 */
import type * as ArrowNS from "apache-arrow";
// loaded on first use: importing Wirebook must not load apache-arrow (it is large; most sessions never need it)
let arrowMod: typeof ArrowNS | undefined;
const arrow: typeof ArrowNS = new Proxy({} as typeof ArrowNS, { get: (_t, k) => (arrowMod ??= require("apache-arrow") as typeof ArrowNS)[k as keyof typeof ArrowNS] });
import { Capture } from "../table/capture";
import { ResultTable } from "../result/table";
import { fieldByName } from "../fields/registry";
import type { TableSource } from "../result/format";
import { packetColumns } from "./columns";

declare module "../table/capture" {
  interface Capture {
    /** The packets as an apache-arrow Table (default: every column the capture has). */
    toArrow(columns?: string[]): Promise<ArrowNS.Table>;
  }
}

declare module "../result/table" {
  interface ResultTable {
    /** The table as an apache-arrow Table (default: every column). */
    toArrow(columns?: string[]): ArrowNS.Table;
  }
}

function arrowOfField(name: string): ArrowNS.DataType {
  const c = packetColumns().find((p) => p.source === name);
  switch (c?.type) {
    case "BOOLEAN": return new arrow.Bool();
    case "INTEGER": return new arrow.Int32();
    case "BIGINT": return new arrow.Uint32();
    case "DOUBLE": return new arrow.Float64();
    default: return new arrow.Utf8();
  }
}

/** The packets of a capture (or view) as an Arrow table. */
export function captureArrow(cap: Capture, columns: string[] = cap.columns): ArrowNS.Table {
  const vectors: Record<string, ArrowNS.Vector> = {};
  for (const name of columns) {
    if (fieldByName(name) === undefined) cap.column(name); // throws naming the fields
    const col = cap.column(name);
    const type = arrowOfField(name);
    const vals = new Array<unknown>(cap.count);
    const isBool = type instanceof arrow.Bool, isStr = type instanceof arrow.Utf8;
    for (let r = 0; r < cap.count; r++) {
      const v = col.get(r);
      vals[r] = v === undefined ? null : isBool ? v !== 0 : isStr ? String(v) : typeof v === "number" ? v : Number(v);
    }
    vectors[name] = arrow.vectorFromArray(vals, type);
  }
  return new arrow.Table(vectors);
}

function arrowOfZeek(type: string): ArrowNS.DataType {
  switch (type) {
    case "time": case "interval": case "double": case "count": case "int": return new arrow.Float64();
    case "port": return new arrow.Int32();
    case "bool": return new arrow.Bool();
    default:
      if (/^(vector|set)\[/.test(type)) return new arrow.List(new arrow.Field("item", new arrow.Utf8(), true));
      return new arrow.Utf8();
  }
}

/** A result table (anything with columns of Zeek types) as an Arrow table. */
export function tableArrow(t: TableSource, columns: string[] = t.columns): ArrowNS.Table {
  const vectors: Record<string, ArrowNS.Vector> = {};
  for (const name of columns) {
    const c = t.column(name);
    const type = arrowOfZeek(c.type);
    const vals = new Array<unknown>(t.count);
    for (let r = 0; r < t.count; r++) {
      const v = c.get(r);
      if (v === undefined) vals[r] = null;
      else if (type instanceof arrow.List) vals[r] = (Array.isArray(v) ? v : [v]).map(String);
      else if (type instanceof arrow.Bool) vals[r] = typeof v === "boolean" ? v : v === 1 || v === "T";
      else if (type instanceof arrow.Utf8) vals[r] = typeof v === "string" ? v : c.text(r);
      else { const x = typeof v === "number" ? v : Number(v); vals[r] = Number.isNaN(x) ? null : x; }
    }
    vectors[name] = arrow.vectorFromArray(vals, type);
  }
  return new arrow.Table(vectors);
}

/** The Arrow IPC file (the "file" format, with its footer) of a table. */
export function arrowIpc(t: TableSource, columns?: string[]): Uint8Array {
  return arrow.tableToIPC(tableArrow(t, columns), "file");
}

Capture.prototype.toArrow = async function toArrow(this: Capture, columns?: string[]): Promise<ArrowNS.Table> {
  return captureArrow(this, columns);
};

ResultTable.prototype.toArrow = function toArrow(this: ResultTable, columns?: string[]): ArrowNS.Table {
  return tableArrow(this, columns);
};
