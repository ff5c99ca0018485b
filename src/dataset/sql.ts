/**
 * `await wb.sql(query, { dataset?, captures? })`: SQL on an embedded DuckDB over the tables
 * packets, flows, dns, http, tls, dhcp, quic, smtp, files, alerts — views over a converted dataset
 * (`read_parquet(…, hive_partitioning = true)`), and/or over open Captures' tables, staged in
 * memory (no files written). Every view has the `capture` column. The answer is a ResultTable.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as DuckNS from "@duckdb/node-api";
// loaded on first use: importing Wirebook must not load @duckdb/node-api (a native addon for DuckDB)
let duckMod: typeof DuckNS | undefined;
const duck: typeof DuckNS = new Proxy({} as typeof DuckNS, { get: (_t, k) => (duckMod ??= require("@duckdb/node-api") as typeof DuckNS)[k as keyof typeof DuckNS] });
import type { Capture } from "../table/capture";
import { ResultTable, type Column, type Value } from "../result/table";
import { ZEEK_COLUMNS } from "../flows";
import { APP_NAMES, appTable, type AppName } from "../flows/apps";
import { files as filesTable } from "../files";
import { detect } from "../detect";
import { selectList, type DatasetColumn } from "./columns";
import { connect, ident, literal, packetSelect, stagePackets, stageResult } from "./duck";
import { TABLES } from "./convert";

/** A query DuckDB refused (bad SQL, a missing table or column): its message on one line. */
export class SqlError extends Error {}

export interface SqlOptions {
  /** a dataset folder written by `convert` */
  dataset?: string;
  /** open captures whose tables are queried too (named by file name, or by the record's keys) */
  captures?: Capture[] | Record<string, Capture>;
}

/** DuckDB's message, on one line (the position marker and hints dropped to the first blank line). */
function oneLine(msg: string): string {
  const head = msg.split(/\n\s*\n/)[0];
  return head.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
}

/** The tables a query names (a word of the query), to stage only those of the captures. */
function mentioned(query: string, table: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${table}($|[^A-Za-z0-9_])`, "i").test(query);
}

/** A captured value of a DuckDB result as a Wirebook value. */
function jsValue(v: DuckNS.DuckDBValue): Value {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof duck.DuckDBListValue || v instanceof duck.DuckDBArrayValue) {
    return v.items.map((x) => { const y = jsValue(x); return typeof y === "number" ? y : y === undefined ? "" : String(y); });
  }
  if (v instanceof duck.DuckDBTimestampTZValue || v instanceof duck.DuckDBTimestampValue) return Number(v.micros) / 1e6;
  if (v instanceof duck.DuckDBTimestampNanosecondsValue) return Number(v.nanos) / 1e9;
  if (v instanceof duck.DuckDBTimestampMillisecondsValue) return Number(v.millis) / 1e3;
  if (v instanceof duck.DuckDBTimestampSecondsValue) return Number(v.seconds);
  if (v instanceof duck.DuckDBDecimalValue) return v.toDouble();
  return String(v);
}

/** The Zeek type name of a DuckDB type (what a ResultTable's column says). */
function zeekType(t: DuckNS.DuckDBType): string {
  switch (t.typeId) {
    case duck.DuckDBTypeId.TINYINT: case duck.DuckDBTypeId.SMALLINT: case duck.DuckDBTypeId.INTEGER: case duck.DuckDBTypeId.BIGINT:
    case duck.DuckDBTypeId.HUGEINT: case duck.DuckDBTypeId.UTINYINT: case duck.DuckDBTypeId.USMALLINT: case duck.DuckDBTypeId.UINTEGER:
    case duck.DuckDBTypeId.UBIGINT: case duck.DuckDBTypeId.UHUGEINT:
      return "int";
    case duck.DuckDBTypeId.FLOAT: case duck.DuckDBTypeId.DOUBLE: case duck.DuckDBTypeId.DECIMAL:
      return "double";
    case duck.DuckDBTypeId.TIMESTAMP: case duck.DuckDBTypeId.TIMESTAMP_TZ: case duck.DuckDBTypeId.TIMESTAMP_S:
    case duck.DuckDBTypeId.TIMESTAMP_MS: case duck.DuckDBTypeId.TIMESTAMP_NS:
      return "time";
    case duck.DuckDBTypeId.BOOLEAN: return "bool";
    case duck.DuckDBTypeId.LIST: case duck.DuckDBTypeId.ARRAY: return "vector[string]";
    default: return "string";
  }
}

/** A DuckDB result as a ResultTable named "sql" (times: epoch seconds as values, DuckDB's text as text). */
/* not exported: DuckDB's types stay out of the public declarations (a user's tsc --strict reads them) */
function resultTable(reader: DuckNS.DuckDBResultReader, name = "sql"): ResultTable {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const raw = reader.getColumns();
  const n = reader.currentRowCount;
  const used = new Set<string>();
  const cols: Column[] = names.map((cname, i) => {
    // a column name twice (SELECT a.x, b.x): the second is x_2, as a table's names must differ
    let nm = cname, k = 2;
    while (used.has(nm)) nm = `${cname}_${k++}`;
    used.add(nm);
    const type = zeekType(types[i]);
    const vals = raw[i].map(jsValue);
    const rawCol = raw[i];
    const text = (r: number): string => {
      const v = vals[r];
      if (v === undefined) return "";
      if (type === "time") return String(rawCol[r]);
      if (Array.isArray(v)) return v.join(",");
      if (typeof v === "boolean") return v ? "T" : "F";
      return String(v);
    };
    return { name: nm, type, get: (r: number) => vals[r], text };
  });
  return new ResultTable(name, cols, n);
}

function captureList(c: SqlOptions["captures"]): [string, Capture][] {
  if (c === undefined) return [];
  if (Array.isArray(c)) {
    const out: [string, Capture][] = [];
    const seen = new Map<string, number>();
    for (const cap of c) {
      const base = path.basename(cap.path);
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      out.push([k === 1 ? base : `${base}#${k}`, cap]);
    }
    return out;
  }
  return Object.entries(c);
}

/** The result table `table` of a capture (flows as `wirebook flows`, the rest as their commands). */
async function captureTable(cap: Capture, table: string): Promise<[ResultTable, string[]]> {
  const ft = cap.flows();
  if (table === "flows") return [ft, [...ZEEK_COLUMNS]];
  if ((APP_NAMES as string[]).includes(table)) { const t = await appTable(cap, table as AppName, { flows: ft }); return [t, t.columns]; }
  if (table === "files") {
    const t = await filesTable(cap, { flows: ft });
    return [t, t.columns.filter((c) => c !== "extracted" && c !== "extracted_cutoff" && !c.startsWith("rep_"))];
  }
  const t = await detect(cap);
  return [t, t.columns];
}

/** Sets up the views of a connection: a dataset's, and the named captures' (staged). */
async function attach(conn: DuckNS.DuckDBConnection, query: string, opts: SqlOptions): Promise<void> {
  const parts = new Map<string, string[]>(TABLES.map((t) => [t, []]));
  if (opts.dataset !== undefined) {
    if (!fs.existsSync(opts.dataset) || !fs.statSync(opts.dataset).isDirectory()) throw new SqlError(`no dataset folder ${opts.dataset}`);
    let any = false;
    for (const t of TABLES) {
      const dir = path.join(opts.dataset, t);
      const has = fs.existsSync(dir) && fs.readdirSync(dir).some((p) => p.startsWith("capture=") && fs.readdirSync(path.join(dir, p)).some((f) => f.endsWith(".parquet")));
      if (!has) continue;
      any = true;
      const glob = path.join(dir, "*", "*.parquet");
      parts.get(t)!.push(`SELECT * FROM read_parquet(${literal(glob)}, hive_partitioning = true, hive_types = {'capture': VARCHAR}, union_by_name = true)`);
    }
    if (!any) throw new SqlError(`${opts.dataset} is not a dataset (no TABLE/capture=NAME/*.parquet in it; see wirebook convert)`);
  }
  const caps = captureList(opts.captures);
  let k = 0;
  for (const [name, cap] of caps) {
    for (const t of TABLES) {
      if (!mentioned(query, t)) continue;
      const stage = `_stage_${t}_${k++}`;
      let cols: string;
      if (t === "packets") {
        cols = packetSelect(await stagePackets(conn, stage, cap));
      } else {
        const [rt, names] = await captureTable(cap, t);
        const dcols: DatasetColumn[] = await stageResult(conn, stage, rt, names);
        cols = selectList(dcols);
      }
      parts.get(t)!.push(`SELECT ${cols}, ${literal(name)} AS capture FROM ${ident(stage)}`);
    }
  }
  for (const [t, selects] of parts) {
    if (selects.length === 0) continue;
    await conn.run(`CREATE VIEW ${ident(t)} AS ${selects.map((s) => `(${s})`).join(" UNION ALL BY NAME ")}`);
  }
}

/**
 * Runs `query` over the dataset's and captures' tables; the answer as a ResultTable (named "sql").
 * A query DuckDB refuses throws a SqlError with its message on one line.
 */
export async function sql(query: string, opts: SqlOptions = {}): Promise<ResultTable> {
  // an open capture's tables are staged in memory; past the limit DuckDB spills them to a temporary folder
  const spill = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-sql-"));
  const { instance, conn } = await connect({ threads: 2, memoryLimit: "1GB", tempDirectory: spill });
  try {
    await attach(conn, query, opts);
    let reader: DuckNS.DuckDBResultReader;
    try {
      reader = await conn.runAndReadAll(query);
    } catch (e) {
      throw new SqlError(oneLine((e as Error).message));
    }
    return resultTable(reader);
  } finally {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(spill, { recursive: true, force: true });
  }
}
