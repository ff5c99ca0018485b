/**
 * Feeding DuckDB from Wirebook's tables: packets (a window of a capture at a time) and result
 * tables are appended as data chunks into a staging table, which `COPY … TO 'x.parquet'` writes
 * with the final column types (src/dataset/columns.ts). DuckDB writes the Parquet; we only hand it
 * values.
 */
import type * as DuckNS from "@duckdb/node-api";
// loaded on first use: importing Wirebook must not load @duckdb/node-api (a native addon for DuckDB)
let duckMod: typeof DuckNS | undefined;
const duck: typeof DuckNS = new Proxy({} as typeof DuckNS, { get: (_t, k) => (duckMod ??= require("@duckdb/node-api") as typeof DuckNS)[k as keyof typeof DuckNS] });
import type { Capture } from "../table/capture";
import type { ResultTable } from "../result/table";
import { packetColumns, resultColumns, selectList, stageList, type DatasetColumn, type StageType } from "./columns";

const VECTOR = 2048;

/** A DuckDB connection set up for deterministic writing: UTC, one thread, a memory limit. */
export async function connect(opts: { path?: string; memoryLimit?: string; threads?: number; tempDirectory?: string } = {}): Promise<{ instance: DuckNS.DuckDBInstance; conn: DuckNS.DuckDBConnection }> {
  const config: Record<string, string> = { threads: String(opts.threads ?? 1), memory_limit: opts.memoryLimit ?? "128MB" };
  if (opts.tempDirectory !== undefined) config.temp_directory = opts.tempDirectory;
  const instance = await duck.DuckDBInstance.create(opts.path ?? ":memory:", config);
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return { instance, conn };
}

function duckType(t: StageType): DuckNS.DuckDBType {
  switch (t) {
    case "INTEGER": return duck.INTEGER;
    case "DOUBLE": return duck.DOUBLE;
    case "VARCHAR": return duck.VARCHAR;
    case "BOOLEAN": return duck.BOOLEAN;
    case "VARCHAR[]": return duck.LIST(duck.VARCHAR);
    case "DOUBLE[]": return duck.LIST(duck.DOUBLE);
  }
}

/** `"name"` with quotes doubled */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** 'text' with quotes doubled */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

type Cell = DuckNS.DuckDBValue;

/** A value of a packet column, converted to its staged type. */
function stagedValue(stageType: StageType, v: number | string | undefined): Cell {
  if (v === undefined) return null;
  switch (stageType) {
    case "BOOLEAN": return typeof v === "number" ? v !== 0 : v === "1" || v === "true";
    case "VARCHAR": return String(v);
    default: return typeof v === "number" ? v : Number(v);
  }
}

/** Where a capture window starts in the whole capture, and the times frame.time_relative/delta are taken from. */
export interface WindowState {
  /** packets before this window */
  rowBase: number;
  /** the first timed packet of the capture */
  firstSec?: number;
  firstNs?: number;
  /** the last timed packet before this row */
  prevSec?: number;
  prevNs?: number;
}

/**
 * The internals of node-api's vectors that `fillVector` writes directly (the values' typed array or
 * DataView, a JS-side string cache, and the validity words), each checked before use: through
 * `setItem` a value costs BigInt operations on the validity mask, ten times the rest of staging.
 */
interface VectorInternals {
  items?: Float64Array | Int32Array;
  dataView?: DataView;
  itemCache?: (string | null | undefined)[];
  itemCacheDirty?: boolean[];
  validity?: { data: BigUint64Array | null; setItemValid(i: number, valid: boolean): void };
}

/** Fills rows 0…m-1 of a vector with `get(from + k)` and flushes it. */
function fillVector(vector: DuckNS.DuckDBVector, stageType: StageType, m: number, from: number, get: (r: number) => Cell): void {
  const v = vector as unknown as VectorInternals;
  const validity = v.validity;
  const numeric = (stageType === "DOUBLE" && v.items instanceof Float64Array) || (stageType === "INTEGER" && v.items instanceof Int32Array);
  const bool = stageType === "BOOLEAN" && v.dataView instanceof DataView;
  const text = stageType === "VARCHAR" && Array.isArray(v.itemCache) && Array.isArray(v.itemCacheDirty);
  if (validity === undefined || typeof validity.setItemValid !== "function" || !(numeric || bool || text)) {
    for (let k = 0; k < m; k++) vector.setItem(k, get(from + k));
    vector.flush();
    return;
  }
  if (validity.data === null) validity.setItemValid(0, false); // makes the mask (all valid but row 0)
  const words = validity.data as BigUint64Array;
  const bits = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  bits.fill(0);
  if (numeric) {
    const items = v.items as Float64Array | Int32Array;
    for (let k = 0; k < m; k++) {
      const x = get(from + k);
      if (x === null) { items[k] = 0; continue; }
      items[k] = x as number;
      bits[k >>> 3] |= 1 << (k & 7);
    }
  } else if (bool) {
    const dv = v.dataView as DataView;
    for (let k = 0; k < m; k++) {
      const x = get(from + k);
      if (x === null) { dv.setUint8(k, 0); continue; }
      dv.setUint8(k, x ? 1 : 0);
      bits[k >>> 3] |= 1 << (k & 7);
    }
  } else {
    const cache = v.itemCache as (string | null | undefined)[], dirty = v.itemCacheDirty as boolean[];
    for (let k = 0; k < m; k++) {
      const x = get(from + k);
      if (x === null) { cache[k] = null; dirty[k] = false; continue; }
      cache[k] = x as string;
      dirty[k] = true;
      bits[k >>> 3] |= 1 << (k & 7);
    }
  }
  vector.flush();
}

/** Sources always staged: computed here, not read from the window's columns. */
const ALWAYS = new Set(["frame.number", "frame.time", "frame.time_epoch", "frame.time_relative", "frame.time_delta", "frame.interface_id"]);

/**
 * Stages the packets of `cap` (a capture, a view, or a window of a capture whose rows follow those
 * staged before, as `state` tells) as DuckDB table `table`: only the columns the rows have (a
 * DuckDB table costs memory per column), the rest come out NULL from `packetSelect(staged)`.
 * Values come from the Capture's columns (`column(name).get`), except the frame numbers and the
 * times relative to the whole capture. Returns the staged sources.
 */
export async function stagePackets(conn: DuckNS.DuckDBConnection, table: string, cap: Capture, state: WindowState = { rowBase: 0 }): Promise<Set<string>> {
  const present = new Set(cap.columns);
  const stages = stageList(packetColumns()).filter((s) => ALWAYS.has(s.source) || present.has(s.source));
  await conn.run(`CREATE TABLE ${ident(table)} (${stages.map((s) => `${ident(s.stage)} ${s.stageType}`).join(", ")})`);
  const appender = await conn.createAppender(table);
  const types = stages.map((s) => duckType(s.stageType));
  const { table: t, index } = cap.storage;
  const base = (r: number): number => (index === null ? r : index[r]); // a view's row in the table
  const n = cap.count;
  const st = state;
  // the times relative to the capture's first packet and to the previous packet (NaN when untimed)
  const rel = new Float64Array(n), delta = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const sec = t.timeSec.get(base(r));
    if (sec === undefined) { rel[r] = NaN; delta[r] = NaN; continue; }
    const ns = t.timeNsec.get(base(r)) as number;
    if (st.firstSec === undefined) { st.firstSec = sec; st.firstNs = ns; }
    rel[r] = (sec - st.firstSec) + (ns - (st.firstNs as number)) / 1e9;
    delta[r] = st.prevSec === undefined ? 0 : (sec - st.prevSec) + (ns - (st.prevNs as number)) / 1e9;
    st.prevSec = sec; st.prevNs = ns;
  }
  const rowBase = st.rowBase;
  const getters: ((r: number) => Cell)[] = stages.map((s) => {
    switch (s.source) {
      case "frame.number": return (r) => rowBase + base(r) + 1;
      case "frame.time": return (r) => { const b = base(r), sec = t.timeSec.get(b); return sec === undefined ? null : sec * 1e6 + Math.floor((t.timeNsec.get(b) as number) / 1000); };
      case "frame.time_epoch": return (r) => { const b = base(r), sec = t.timeSec.get(b); return sec === undefined ? null : sec + (t.timeNsec.get(b) as number) / 1e9; };
      case "frame.time_relative": return (r) => (Number.isNaN(rel[r]) ? null : rel[r]);
      case "frame.time_delta": return (r) => (Number.isNaN(delta[r]) ? null : delta[r]);
      default: {
        const c = cap.column(s.source);
        const ty = s.stageType;
        return (r) => stagedValue(ty, c.get(r));
      }
    }
  });
  const full = duck.DuckDBDataChunk.create(types, VECTOR);
  for (let from = 0; from < n; from += VECTOR) {
    const m = Math.min(VECTOR, n - from);
    const chunk = m === VECTOR ? full : duck.DuckDBDataChunk.create(types, m);
    getters.forEach((g, i) => fillVector(chunk.getColumnVector(i), stages[i].stageType, m, from, g));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
  st.rowBase += index === null ? n : t.count;
  return new Set(stages.map((s) => s.source));
}

/** The SELECT list giving every packet column from a staging table (NULL for the columns not staged). */
export function packetSelect(staged: Set<string>): string {
  return packetColumns().map((c) => (staged.has(c.source) ? selectList([c]) : `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`)).join(", ");
}

/** A value of a result table column, converted to its staged type. */
function resultValue(stageType: StageType, v: unknown, text: () => string): Cell {
  if (v === undefined || v === null) return null;
  switch (stageType) {
    case "BOOLEAN": return typeof v === "boolean" ? v : typeof v === "number" ? v !== 0 : v === "T" || v === "true" || v === "1";
    case "INTEGER": case "DOUBLE": { const x = typeof v === "number" ? v : Number(v); return Number.isNaN(x) ? null : x; }
    case "VARCHAR[]": return duck.listValue((v as unknown[]).map((x) => String(x)));
    case "DOUBLE[]": return duck.listValue((v as unknown[]).map((x) => Number(x)));
    default: return Array.isArray(v) ? text() : typeof v === "string" ? v : text();
  }
}

/**
 * Stages a result table as DuckDB table `name`; returns its dataset columns (whose SELECT list,
 * `selectList`, gives the written types).
 */
export async function stageResult(conn: DuckNS.DuckDBConnection, name: string, rt: ResultTable, columns: string[] = rt.columns): Promise<DatasetColumn[]> {
  const src = columns.map((c) => rt.column(c));
  const cols = resultColumns(src);
  const stages = stageList(cols);
  await conn.run(`CREATE TABLE ${ident(name)} (${stages.map((s) => `${ident(s.stage)} ${s.stageType}`).join(", ")})`);
  const appender = await conn.createAppender(name);
  const types = stages.map((s) => duckType(s.stageType));
  const bySource = new Map(src.map((c) => [c.name, c]));
  for (let from = 0; from < rt.count; from += VECTOR) {
    const m = Math.min(VECTOR, rt.count - from);
    const chunk = duck.DuckDBDataChunk.create(types, m);
    stages.forEach((s, i) => {
      const c = bySource.get(s.source)!;
      const vals = new Array<Cell>(m);
      for (let k = 0; k < m; k++) vals[k] = resultValue(s.stageType, c.get(from + k), () => c.text(from + k));
      chunk.setColumnValues(i, vals);
    });
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
  return cols;
}
