/**
 * `wb.convert(inputs, out, options?)`: captures → a Parquet dataset (docs/dataset.md).
 *
 *   OUT/_dataset.json
 *   OUT/packets/capture=office.pcap/part-00000.parquet (one file per row group)
 *   OUT/flows/capture=office.pcap/part-0.parquet   (and dns, http, tls, dhcp, quic, smtp, files, alerts)
 *
 * Packets are decoded in windows of `rowGroupSize` packets (a fresh TableBuilder each); each window
 * is staged in DuckDB, written by its COPY as one Parquet file of one row group (zstd) and
 * forgotten before the reader goes on. Flows and the application tables need the whole capture today: they
 * come from a second pass that opens the capture with only the fields they read.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { readCapture } from "../io/reader";
import type { RecordSink, CaptureInfo } from "../io/records";
import { decodingSink, open } from "../table/load";
import { Capture } from "../table/capture";
import { FLOW_FIELDS, ZEEK_COLUMNS } from "../flows";
import { APP_NAMES, appTable } from "../flows/apps";
import { files as filesTable } from "../files";
import { DETECT_FIELDS, detect } from "../detect";
import type { ResultTable } from "../result/table";
import { packetColumns, parquetTypes, selectList, type DatasetColumn } from "./columns";
import { connect, ident, literal, packetSelect, stagePackets, stageResult, type WindowState } from "./duck";

/**
 * Rows per Parquet row group by default (4 vectors of 2048): a window of packets staged in DuckDB and written as one file costs ~100 MB of native memory with the 259 packet columns, whatever the capture's size; packets are
 * decoded and written in windows of this many packets, one file (of one row group) each.
 */
export const ROW_GROUP_SIZE = 8192;

/** Every table of a dataset, in order; each is a folder of OUT. */
export const TABLES: string[] = ["packets", "flows", ...APP_NAMES, "files", "alerts"];

export interface ConvertOptions {
  /** rows per Parquet row group (default 8192) */
  rowGroupSize?: number;
  /** zstd (default) or snappy */
  compression?: "zstd" | "snappy";
  /** inputs converted at once, each in its own process (default 1: in this process) */
  jobs?: number;
  /** progress of the capture being read: its name, bytes read of totalBytes, packets so far, the pass (1 packets, 2 tables) */
  onProgress?: (p: { capture: string; bytes: number; totalBytes: number; packets: number; pass: 1 | 2 }) => void;
  /** DuckDB's memory limit while converting (default "128MB") */
  memoryLimit?: string;
}

export interface ConvertedInput {
  capture: string;
  path: string;
  sha256: string;
  bytes: number;
  packets: number;
  rows: Record<string, number>;
  warnings: string[];
}

export interface ConvertResult {
  out: string;
  inputs: ConvertedInput[];
  schema: Record<string, SchemaColumn[]>;
}

export interface SchemaColumn {
  name: string;
  /** DuckDB's type name */
  type: string;
  parquet_physical: string;
  parquet_logical: string;
}

/** Inputs refused (a glob matching nothing, two inputs of one name, a capture a child could not read): exit 2 in the CLI. */
export class ConvertError extends Error {}

const TABLE_FIELDS = [...new Set([...FLOW_FIELDS, "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.len", "udp.length", ...DETECT_FIELDS])];

/** A Hive partition value: the name, with characters other than letters, digits and `._-` as %XX. */
export function partitionValue(name: string): string {
  return Array.from(Buffer.from(name, "utf8")).map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
}

function isCaptureFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const b = Buffer.alloc(4);
    if (fs.readSync(fd, b, 0, 4, 0) < 4) return false;
    const m = b.readUInt32LE(0);
    return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34, 0x34cdb2a1, 0x0a0d0d0a].includes(m) || (b[0] === 0x1f && b[1] === 0x8b);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function globRegex(pattern: string): RegExp {
  let s = "^";
  for (const ch of pattern) s += ch === "*" ? "[^/]*" : ch === "?" ? "[^/]" : ch.replace(/[\\^$.+()|{}[\]]/g, "\\$&");
  return new RegExp(s + "$");
}

/**
 * The capture files of the inputs: a file as given; a folder: every capture directly in it (by its
 * magic bytes, sorted by name); a glob (`*`, `?` in the last path element): the files it matches.
 */
export function resolveInputs(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    let st: fs.Stats | undefined;
    try { st = fs.statSync(input); } catch { st = undefined; }
    if (st?.isDirectory()) {
      const names = fs.readdirSync(input).sort();
      for (const n of names) {
        const f = path.join(input, n);
        if (fs.statSync(f).isFile() && isCaptureFile(f)) out.push(f);
      }
    } else if (st === undefined && /[*?]/.test(path.basename(input))) {
      const dir = path.dirname(input);
      const re = globRegex(path.basename(input));
      let names: string[] = [];
      try { names = fs.readdirSync(dir).sort(); } catch { throw new ConvertError(`${input}: no such folder ${dir}`); }
      const hit = names.filter((n) => re.test(n)).map((n) => path.join(dir, n)).filter((f) => fs.statSync(f).isFile());
      if (hit.length === 0) throw new ConvertError(`${input}: matches no file`);
      out.push(...hit);
    } else {
      out.push(input); // a missing file is reported by the reader (file, offset)
    }
  }
  return out;
}

async function sha256(file: string): Promise<{ hash: string; bytes: number }> {
  const h = crypto.createHash("sha256");
  let bytes = 0;
  for await (const b of fs.createReadStream(file)) { h.update(b as Buffer); bytes += (b as Buffer).length; }
  return { hash: h.digest("hex"), bytes };
}

function wirebookVersion(): string {
  for (const p of [path.join(__dirname, "../../../package.json"), path.join(__dirname, "../../package.json")]) {
    try {
      const j = JSON.parse(fs.readFileSync(p, "utf8")) as { name?: string; version?: string };
      if (j.name === "wirebook" && j.version) return j.version;
    } catch { /* next */ }
  }
  return "unknown";
}

function schemaOf(cols: DatasetColumn[]): SchemaColumn[] {
  return cols.map((c) => {
    const p = parquetTypes(c.type);
    return { name: c.name, type: c.type, parquet_physical: p.physical, parquet_logical: p.logical };
  });
}

const BLANK_INFO: CaptureInfo = { format: "pcap", gzip: false, bigEndian: false, nanosecond: false, interfaces: [], comments: [], sections: 0 };

/** Converts one capture into OUT's partitions `capture=NAME` (replacing them). */
export async function convertOne(input: string, out: string, opts: ConvertOptions = {}): Promise<{ input: ConvertedInput; schema: Record<string, SchemaColumn[]> }> {
  const name = path.basename(input);
  const part = `capture=${partitionValue(name)}`;
  const rowGroup = Math.max(1, Math.floor(opts.rowGroupSize ?? ROW_GROUP_SIZE));
  const compression = opts.compression ?? "zstd";
  const copyOpts = `(FORMAT parquet, COMPRESSION ${compression}, ROW_GROUP_SIZE ${rowGroup})`;
  const { hash, bytes } = await sha256(input).catch(() => ({ hash: "", bytes: 0 }));
  for (const t of TABLES) {
    const dir = path.join(out, t, part);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }
  const tmp = fs.mkdtempSync(path.join(out, `.wirebook-tmp-`));
  const { instance, conn } = await connect({ tempDirectory: tmp, memoryLimit: opts.memoryLimit });
  const schema: Record<string, SchemaColumn[]> = {};
  const rows: Record<string, number> = {};
  const warnings: string[] = [];
  try {
    // pass 1: packets, a window at a time: each window's table is staged, written as one file
    // (one row group) and forgotten before the reader goes on (`between`)
    const state: WindowState = { rowBase: 0 };
    let win = decodingSink();
    const pending: Capture[] = [];
    const winWarnings: string[] = [];
    let fileNo = 0;
    const cut = (): void => {
      if (win.table.count === 0) return;
      pending.push(new Capture(input, win.table, BLANK_INFO, []));
      winWarnings.push(...win.warnings());
      win = decodingSink();
    };
    const drain = async (): Promise<void> => {
      while (pending.length > 0) {
        const w = pending.shift() as Capture;
        const staged = await stagePackets(conn, "packets_stage", w, state);
        const file = path.join(out, "packets", part, `part-${String(fileNo++).padStart(5, "0")}.parquet`);
        await conn.run(`COPY (SELECT ${packetSelect(staged)} FROM packets_stage) TO ${literal(file)} ${copyOpts}`);
        await conn.run("DROP TABLE packets_stage");
      }
    };
    const sink: RecordSink = {
      record(b, off, caplen, len, sec, nsec, linkType, iface, comment) {
        win.sink.record(b, off, caplen, len, sec, nsec, linkType, iface, comment);
        if (win.table.count >= rowGroup) cut();
      },
    };
    const progress = opts.onProgress;
    const res = await readCapture(input, sink, {
      onProgress: progress && ((b, total, packets) => progress({ capture: name, bytes: b, totalBytes: total, packets, pass: 1 })),
      between: drain,
    });
    cut();
    await drain();
    if (fileNo === 0) {
      // no packet: an empty file with the schema
      const staged = await stagePackets(conn, "packets_stage", new Capture(input, decodingSink().table, BLANK_INFO, []), state);
      await conn.run(`COPY (SELECT ${packetSelect(staged)} FROM packets_stage) TO ${literal(path.join(out, "packets", part, "part-00000.parquet"))} ${copyOpts}`);
      await conn.run("DROP TABLE packets_stage");
    }
    warnings.push(...res.warnings, ...winWarnings);
    rows.packets = state.rowBase;
    schema.packets = schemaOf(packetColumns());

    // pass 2: flows and the tables made from them (they need the whole capture today)
    const cap = await open(input, {
      columns: TABLE_FIELDS,
      onProgress: progress && ((p) => progress({ capture: name, bytes: p.bytes, totalBytes: p.totalBytes, packets: p.packets, pass: 2 })),
    });
    const ft = cap.flows();
    warnings.push(...ft.warnings);
    const tables: [string, ResultTable, string[]][] = [["flows", ft, [...ZEEK_COLUMNS]]];
    for (const app of APP_NAMES) {
      const t = await appTable(cap, app, { flows: ft });
      tables.push([app, t, t.columns]);
    }
    const fl = await filesTable(cap, { flows: ft });
    tables.push(["files", fl, fl.columns.filter((c) => c !== "extracted" && c !== "extracted_cutoff" && !c.startsWith("rep_"))]);
    const alerts = await detect(cap);
    tables.push(["alerts", alerts, alerts.columns]);
    for (const [t, rt, cols] of tables) {
      for (const w of rt.warnings) if (!warnings.includes(w)) warnings.push(w);
      const stage = `${t}_stage`;
      const dcols = await stageResult(conn, stage, rt, cols);
      await conn.run(`COPY (SELECT ${selectList(dcols)} FROM ${ident(stage)}) TO ${literal(path.join(out, t, part, "part-0.parquet"))} ${copyOpts}`);
      await conn.run(`DROP TABLE ${ident(stage)}`);
      schema[t] = schemaOf(dcols);
      rows[t] = rt.count;
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { input: { capture: name, path: input, sha256: hash, bytes, packets: rows.packets, rows, warnings }, schema };
}

/** Runs `convertOne` in a child process (`wirebook convert --one`), for --jobs. */
function convertInChild(input: string, out: string, opts: ConvertOptions): Promise<{ input: ConvertedInput; schema: Record<string, SchemaColumn[]> }> {
  const main = path.join(__dirname, "../cli/main.js");
  const args = [main, "convert", "--one", input, "-o", out];
  if (opts.rowGroupSize !== undefined) args.push("--row-group-size", String(opts.rowGroupSize));
  if (opts.compression !== undefined) args.push("--compression", opts.compression);
  return new Promise((resolve, reject) => {
    // fewer malloc arenas: DuckDB's native memory fragments less (measured: ~70 MiB less peak RSS)
    const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString("utf8"); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString("utf8"); });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        const msg = stderr.trim().replace(/^wirebook: /, "") || `converting ${input} failed (exit ${code})`;
        reject(code === 2 ? new ConvertError(msg) : new Error(msg));
        return;
      }
      try { resolve(JSON.parse(stdout)); } catch (e) { reject(new Error(`converting ${input}: ${(e as Error).message}`)); }
    });
  });
}

/**
 * Converts captures (files, folders, globs; gzip too) into a Parquet dataset at `out`: one folder
 * per table, Hive-partitioned by capture, and `_dataset.json`. Converting a capture again replaces
 * its partitions; other captures already in `out` stay (and stay listed in `_dataset.json`).
 */
export async function convert(inputs: string | string[], out: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const files = resolveInputs(Array.isArray(inputs) ? inputs : [inputs]);
  if (files.length === 0) throw new ConvertError("convert: no capture among the inputs");
  const names = new Map<string, string>();
  for (const f of files) {
    const n = path.basename(f);
    if (names.has(n)) throw new ConvertError(`convert: two inputs have the name ${n} (${names.get(n)} and ${f}): a capture's partition is its file name`);
    names.set(n, f);
  }
  fs.mkdirSync(out, { recursive: true });
  for (const t of TABLES) fs.mkdirSync(path.join(out, t), { recursive: true });
  const jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
  const results: { input: ConvertedInput; schema: Record<string, SchemaColumn[]> }[] = new Array(files.length);
  if (jobs === 1) {
    for (let i = 0; i < files.length; i++) results[i] = await convertOne(files[i], out, opts);
  } else {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        results[i] = await convertInChild(files[i], out, opts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  }
  const schema = results[0].schema;
  // _dataset.json: this run's inputs, with those of earlier runs into the same folder kept
  const manifest = path.join(out, "_dataset.json");
  let previous: ConvertedInput[] = [];
  try { previous = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { inputs?: ConvertedInput[] }).inputs ?? []; } catch { previous = []; }
  const byName = new Map(previous.map((p) => [p.capture, p]));
  for (const r of results) byName.set(r.input.capture, r.input);
  const all = [...byName.values()].sort((a, b) => (a.capture < b.capture ? -1 : a.capture > b.capture ? 1 : 0));
  const doc = {
    wirebook_version: wirebookVersion(),
    options: {
      compression: opts.compression ?? "zstd",
      row_group_size: Math.max(1, Math.floor(opts.rowGroupSize ?? ROW_GROUP_SIZE)),
      partitioning: "hive: TABLE/capture=NAME/part-NNNNN.parquet (packets: one file per row group; other tables: part-0.parquet)",
      timestamps: "TIMESTAMP(MICROS, isAdjustedToUTC=true) beside NAME_epoch / frame_time_epoch DOUBLE seconds",
    },
    tables: TABLES,
    schema,
    inputs: all,
  };
  fs.writeFileSync(manifest, JSON.stringify(doc, null, 2) + "\n");
  return { out, inputs: results.map((r) => r.input), schema };
}

/** docs/dataset.md's schema table: a row per column of every table (a test holds the Parquet files to it). */
export function schemaMarkdown(schema: Record<string, SchemaColumn[]>): string {
  const rows = ["| table | column | DuckDB type | Parquet physical | Parquet logical |", "|---|---|---|---|---|"];
  for (const [t, cols] of Object.entries(schema)) {
    for (const c of cols) rows.push(`| \`${t}\` | \`${c.name}\` | ${c.type} | ${c.parquet_physical} | ${c.parquet_logical} |`);
  }
  return rows.join("\n");
}
