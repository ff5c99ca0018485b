/**
 * The dataset's columns: how a packet field or a result table's column becomes a Parquet column
 * (its name, the DuckDB type it is written as, and the type it is staged in while appending).
 *
 * Names are the Wireshark/Zeek names with `.` replaced by `_` (`ip_src`, `id_orig_h`). Types are
 * the ones every engine reads: signed INT32/INT64 (no UINT64, which Spark 3 cannot read), DOUBLE,
 * BOOLEAN, UTF-8 strings, LIST<UTF8> for Zeek's vectors and sets, and timestamps as INT64
 * TIMESTAMP(MICROS, isAdjustedToUTC = true) beside the epoch seconds as DOUBLE.
 */
import { allFields, type FieldDef } from "../fields/registry";

/** The type a value is appended in (a DuckDB type name), before the final cast of COPY. */
export type StageType = "INTEGER" | "DOUBLE" | "VARCHAR" | "BOOLEAN" | "VARCHAR[]" | "DOUBLE[]";

export interface DatasetColumn {
  /** the Parquet column name */
  readonly name: string;
  /** the DuckDB type written to Parquet (INTEGER, BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMPTZ, VARCHAR[] …) */
  readonly type: string;
  /** the staged column this one is computed from, and its staged type */
  readonly stage: string;
  readonly stageType: StageType;
  /** where the value comes from: a field of the packet table, or a column of a result table */
  readonly source: string;
}

/** Parquet's physical and logical type of a DuckDB type, as `parquet_schema()` reports them. */
export function parquetTypes(type: string): { physical: string; logical: string } {
  switch (type) {
    case "INTEGER": return { physical: "INT32", logical: "INT_32" };
    case "BIGINT": return { physical: "INT64", logical: "INT_64" };
    case "DOUBLE": return { physical: "DOUBLE", logical: "" };
    case "BOOLEAN": return { physical: "BOOLEAN", logical: "" };
    case "VARCHAR": return { physical: "BYTE_ARRAY", logical: "UTF8" };
    case "TIMESTAMPTZ": return { physical: "INT64", logical: "TIMESTAMP(MICROS, UTC)" };
    case "VARCHAR[]": return { physical: "BYTE_ARRAY", logical: "LIST<UTF8>" };
    case "BIGINT[]": return { physical: "INT64", logical: "LIST<INT_64>" };
    case "DOUBLE[]": return { physical: "DOUBLE", logical: "LIST<DOUBLE>" };
    default: throw new Error(`no Parquet type for ${type}`);
  }
}

/** `ip.src` → `ip_src` */
export function columnName(name: string): string {
  return name.replace(/\./g, "_");
}

/** The staged and written types of a packet field. */
function fieldTypes(f: FieldDef): { stageType: StageType; type: string } {
  if (f.display === "bool") return { stageType: "BOOLEAN", type: "BOOLEAN" };
  if (f.display === "ipv4" || f.display === "ipv6" || f.display === "mac" || f.display === "string") return { stageType: "VARCHAR", type: "VARCHAR" };
  switch (f.name) {
    case "frame.interface_id": return { stageType: "INTEGER", type: "INTEGER" };
    case "frame.protocols": case "frame.comment": return { stageType: "VARCHAR", type: "VARCHAR" };
    case "frame.time_epoch": case "frame.time_relative": case "frame.time_delta": return { stageType: "DOUBLE", type: "DOUBLE" };
    default: break;
  }
  const storage = f.from !== undefined ? "u32" : f.storage;
  switch (storage) {
    case "u8": case "u16": case "i32": return { stageType: "INTEGER", type: "INTEGER" };
    case "f64": return { stageType: "DOUBLE", type: "DOUBLE" };
    case "dict": return { stageType: "VARCHAR", type: "VARCHAR" };
    // u32 (and computed values, and frame.number): exact in a double, written as signed INT64
    default: return { stageType: "DOUBLE", type: "BIGINT" };
  }
}

let packetCols: DatasetColumn[] | undefined;

/**
 * The packets table: frame_number, frame_len, frame_time (TIMESTAMP, UTC, microseconds),
 * frame_time_epoch, then every field of the registry in its order (NULL where a packet has none).
 * Every capture's partition has all the columns, so that every engine sees one schema.
 */
export function packetColumns(): DatasetColumn[] {
  if (packetCols !== undefined) return packetCols;
  const fields = allFields();
  const byName = new Map(fields.map((f) => [f.name, f]));
  const lead = ["frame.number", "frame.len", "frame.time", "frame.time_epoch"];
  const out: DatasetColumn[] = [];
  for (const name of lead) {
    if (name === "frame.time") {
      out.push({ name: "frame_time", type: "TIMESTAMPTZ", stage: "s_frame_time_us", stageType: "DOUBLE", source: "frame.time" });
      continue;
    }
    const f = byName.get(name);
    if (f === undefined) throw new Error(`no field ${name} in the registry`);
    out.push({ name: columnName(name), ...fieldTypes(f), stage: `s_${columnName(name)}`, source: name });
  }
  for (const f of fields) {
    if (lead.includes(f.name)) continue;
    out.push({ name: columnName(f.name), ...fieldTypes(f), stage: `s_${columnName(f.name)}`, source: f.name });
  }
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) throw new Error(`two fields give the column name ${c.name}`);
    seen.add(c.name);
  }
  packetCols = out;
  return out;
}

/**
 * The columns of a result table (Zeek's type names): time → TIMESTAMPTZ plus `NAME_epoch` DOUBLE,
 * interval/double → DOUBLE, count/int → BIGINT, port → INTEGER, bool → BOOLEAN, vectors and sets of
 * strings → VARCHAR[], of counts → BIGINT[], of intervals/times → DOUBLE[], the rest → VARCHAR.
 */
export function resultColumns(cols: readonly { name: string; type: string }[]): DatasetColumn[] {
  const out: DatasetColumn[] = [];
  cols.forEach((c, i) => {
    const name = columnName(c.name);
    const stage = `s${i}`;
    const add = (n: string, type: string, stageType: StageType): void => { out.push({ name: n, type, stage, stageType, source: c.name }); };
    switch (c.type) {
      case "time": add(name, "TIMESTAMPTZ", "DOUBLE"); add(`${name}_epoch`, "DOUBLE", "DOUBLE"); break;
      case "interval": case "double": add(name, "DOUBLE", "DOUBLE"); break;
      case "count": case "int": add(name, "BIGINT", "DOUBLE"); break;
      case "port": add(name, "INTEGER", "INTEGER"); break;
      case "bool": add(name, "BOOLEAN", "BOOLEAN"); break;
      case "vector[string]": case "set[string]": add(name, "VARCHAR[]", "VARCHAR[]"); break;
      case "vector[count]": add(name, "BIGINT[]", "DOUBLE[]"); break;
      case "vector[interval]": case "vector[time]": case "vector[double]": add(name, "DOUBLE[]", "DOUBLE[]"); break;
      default: add(name, "VARCHAR", "VARCHAR"); break;
    }
  });
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) throw new Error(`two columns give the column name ${c.name}`);
    seen.add(c.name);
  }
  return out;
}

/** The SELECT list that turns the staged columns into the written ones. */
export function selectList(cols: readonly DatasetColumn[]): string {
  return cols.map((c) => {
    const s = `"${c.stage}"`;
    let e: string;
    if (c.type === "TIMESTAMPTZ") e = c.source === "frame.time" ? `make_timestamp(CAST(${s} AS BIGINT))::TIMESTAMPTZ` : `to_timestamp(${s})`;
    else if (c.type === c.stageType) e = s;
    else e = `CAST(${s} AS ${c.type})`;
    return `${e} AS "${c.name}"`;
  }).join(", ");
}

/** The staged columns (each once), for CREATE TABLE. */
export function stageList(cols: readonly DatasetColumn[]): { stage: string; stageType: StageType; source: string }[] {
  const seen = new Set<string>();
  const out: { stage: string; stageType: StageType; source: string }[] = [];
  for (const c of cols) {
    if (seen.has(c.stage)) continue;
    seen.add(c.stage);
    out.push({ stage: c.stage, stageType: c.stageType, source: c.source });
  }
  return out;
}
