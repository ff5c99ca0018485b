/**
 * The Parquet dataset (docs/dataset.md): `wirebook convert` on data/ and ../shared/pcaps, read back
 * with DuckDB (read_parquet, hive_partitioning) and compared with `wirebook fields`, `wirebook
 * flows` and the application commands row for row; the Parquet types against the documented list
 * (DuckDB's parquet_schema()); packet counts against capinfos (the shared corpus's oracle files);
 * `wirebook sql`, `wb.sql` over open captures, Arrow.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as duck from "@duckdb/node-api";
import * as arrow from "apache-arrow";
import * as wb from "../../src/index";
import { CLI, DATA, NO_SHARED, ROOT, SHARED } from "../helpers/paths";

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
}

async function query(q: string): Promise<Record<string, unknown>[]> {
  const inst = await duck.DuckDBInstance.create(":memory:");
  const c = await inst.connect();
  await c.run("SET TimeZone = 'UTC'");
  const r = await c.runAndReadAll(q);
  const rows = r.getRowObjectsJS() as Record<string, unknown>[];
  c.closeSync();
  inst.closeSync();
  return rows;
}

const tmp = (p: string): string => fs.mkdtempSync(path.join(os.tmpdir(), p));
const glob = (ds: string, table: string): string => `read_parquet('${path.join(ds, table, "*", "*.parquet")}', hive_partitioning = true, hive_types = {'capture': VARCHAR})`;

/** The documented schema: docs/dataset.md's rows `| table | column | DuckDB type | physical | logical |`. */
function documentedSchema(): Map<string, { type: string; physical: string; logical: string }> {
  const text = fs.readFileSync(path.join(ROOT, "docs", "dataset.md"), "utf8");
  const out = new Map<string, { type: string; physical: string; logical: string }>();
  for (const line of text.split("\n")) {
    const m = /^\| `([a-z]+)` \| `([A-Za-z0-9_]+)` \| ([A-Z\[\]]+) \| ([A-Z0-9_]+) \| ([^|]*) \|$/.exec(line.trim());
    if (m) out.set(`${m[1]}.${m[2]}`, { type: m[3], physical: m[4], logical: m[5].trim() });
  }
  return out;
}

/** parquet_schema()'s logical type, as the docs write it */
function logicalOf(row: Record<string, unknown>): string {
  const lt = row.logical_type === null ? "" : String(row.logical_type);
  const ct = row.converted_type === null ? "" : String(row.converted_type);
  if (/TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=<null>, MICROS=MicroSeconds\(\)/.test(lt)) return "TIMESTAMP(MICROS, UTC)";
  return ct;
}

const DATA_DS = tmp("wb-ds-");
const ROW_GROUP = 1000; // small: office.pcap's 2500 packets make three windows and files
let converted: wb.ConvertResult | undefined;

async function dataset(): Promise<wb.ConvertResult> {
  converted ??= await wb.convert(DATA, DATA_DS, { rowGroupSize: ROW_GROUP });
  return converted;
}

test("convert data/: every table folder, Hive partitions, _dataset.json with the inputs' sha256", async () => {
  const res = await dataset();
  const caps = fs.readdirSync(DATA).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  assert.deepEqual(res.inputs.map((i) => i.capture), caps);
  for (const t of ["packets", "flows", "dns", "http", "tls", "quic", "dhcp", "files", "alerts", "smtp"]) {
    for (const c of caps) assert.ok(fs.existsSync(path.join(DATA_DS, t, `capture=${c}`)), `${t}/capture=${c}`);
  }
  assert.deepEqual(fs.readdirSync(path.join(DATA_DS, "packets", "capture=office.pcap")).sort(), ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]);
  const doc = JSON.parse(fs.readFileSync(path.join(DATA_DS, "_dataset.json"), "utf8"));
  assert.equal(doc.wirebook_version, JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
  assert.equal(doc.options.row_group_size, ROW_GROUP);
  assert.ok(doc.schema.packets.length > 100 && doc.schema.flows.length > 10);
  for (const c of caps) {
    const e = doc.inputs.find((i: { capture: string }) => i.capture === c);
    assert.equal(e.sha256, crypto.createHash("sha256").update(fs.readFileSync(path.join(DATA, c))).digest("hex"), c);
  }
  // row groups: at most the documented size
  const rg = await query(`SELECT max(row_group_num_rows) AS m, count(DISTINCT file_name) AS files FROM parquet_metadata('${path.join(DATA_DS, "packets", "*", "*.parquet")}')`);
  assert.equal(Number(rg[0].m), ROW_GROUP);
});

test("every column's Parquet physical and logical type is the one docs/dataset.md lists (no unsigned types)", async () => {
  const res = await dataset();
  const docs = documentedSchema();
  let checked = 0;
  for (const [table, cols] of Object.entries(res.schema)) {
    const file = path.join(DATA_DS, table, "capture=office.pcap", table === "packets" ? "part-00000.parquet" : "part-0.parquet");
    const rows = await query(`SELECT name, type, converted_type, logical_type, num_children FROM parquet_schema('${file}')`);
    // top-level columns: those after the root, skipping the inner nodes of lists
    const top = new Map<string, Record<string, unknown>>();
    for (let i = 1; i < rows.length; i++) {
      const r = rows[i];
      if (r.converted_type === "LIST") { top.set(String(r.name), { ...rows[i + 2], converted_type: `LIST<${rows[i + 2].converted_type ?? rows[i + 2].type}>` }); i += 2; continue; }
      top.set(String(r.name), r);
    }
    assert.deepEqual([...top.keys()], cols.map((c) => c.name), `${table}: the columns, in order`);
    for (const c of cols) {
      const d = docs.get(`${table}.${c.name}`);
      assert.ok(d !== undefined, `docs/dataset.md lists ${table}.${c.name}`);
      const r = top.get(c.name) as Record<string, unknown>;
      assert.equal(String(r.type), d.physical, `${table}.${c.name} physical`);
      const logical = String(r.converted_type ?? "").startsWith("LIST<") ? String(r.converted_type) : logicalOf(r);
      assert.equal(logical, d.logical, `${table}.${c.name} logical`);
      assert.ok(!/UINT/.test(String(r.converted_type)), `${table}.${c.name} is not unsigned`);
      checked++;
    }
  }
  assert.ok(checked > 300, `${checked} columns checked`);
});

/** `wirebook fields` as rows of text */
function fields(file: string, names: string[]): string[][] {
  const r = cli(["fields", file, ...names.flatMap((n) => ["-e", n])]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "").slice(1).map((l) => l.split("\t"));
}

/** a dataset value as `wirebook fields` prints it */
function fieldText(name: string, v: unknown): string {
  if (v === null || v === undefined) return "";
  const def = wb.fieldByName(name);
  if (typeof v === "boolean") return v ? "1" : "0";
  if (def?.display === "hex") return "0x" + Number(v).toString(16).padStart(def.hexDigits, "0");
  return String(v);
}

const PACKET_FIELDS = ["frame.number", "frame.len", "frame.cap_len", "eth.src", "eth.dst", "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.flags.df",
  "ipv6.src", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.flags.syn", "tcp.seq_raw", "udp.dstport", "dns.qry.name", "http.host", "frame.protocols", "vlan.id"];

async function comparePackets(ds: string, file: string, capture: string): Promise<number> {
  const want = fields(file, [...PACKET_FIELDS, "frame.time_epoch", "frame.time_relative", "frame.time_delta"]);
  const cols = PACKET_FIELDS.map((f) => f.replace(/\./g, "_"));
  const got = await query(`SELECT ${cols.join(", ")}, frame_time_epoch, frame_time_relative, frame_time_delta, epoch_us(frame_time) AS us FROM ${glob(ds, "packets")} WHERE capture = '${capture.replace(/'/g, "''")}' ORDER BY frame_number`);
  assert.equal(got.length, want.length, `${capture}: packets`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    PACKET_FIELDS.forEach((f, j) => assert.equal(fieldText(f, g[cols[j]]), w[j] ?? "", `${capture} frame ${i + 1} ${f}`));
    const k = PACKET_FIELDS.length;
    for (const [j, name] of [[k, "frame_time_epoch"], [k + 1, "frame_time_relative"], [k + 2, "frame_time_delta"]] as const) {
      if (w[j] === "" || w[j] === undefined) { assert.equal(g[name], null); continue; }
      assert.ok(Math.abs(Number(g[name]) - Number(w[j])) < 1e-6, `${capture} frame ${i + 1} ${name}: ${g[name]} vs ${w[j]}`);
    }
    if (w[k] !== "" && w[k] !== undefined) {
      const [s, frac] = w[k].split(".");
      assert.equal(Number(g.us), Number(s) * 1e6 + Math.floor(Number(frac.padEnd(9, "0")) / 1000), `${capture} frame ${i + 1} frame_time`);
    }
  }
  return got.length;
}

test("packets equal `wirebook fields`, across windows (frame numbers, relative and delta times)", async () => {
  await dataset();
  for (const c of ["office.pcap", "office.pcapng", "office-vlan-ipv6.pcap", "attacks.pcap"]) await comparePackets(DATA_DS, path.join(DATA, c), c);
});

/** a dataset value as the JSON lines of a command hold it */
function jsonOf(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(jsonOf);
  return v;
}

async function compareTable(ds: string, file: string, capture: string, table: string, command: string[]): Promise<number> {
  const r = cli([...command, file, "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  const want = r.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
  const got = await query(`SELECT * EXCLUDE (capture) FROM ${glob(ds, table)} WHERE capture = '${capture.replace(/'/g, "''")}'`);
  assert.equal(got.length, want.length, `${capture} ${table}: rows`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    for (const [k, wv] of Object.entries(want[i])) {
      const col = k.replace(/\./g, "_");
      if (typeof wv === "number" && /^(ts|duration|rtt)/.test(k)) {
        const gv = g[`${col}_epoch`] ?? g[col];
        assert.ok(Math.abs(Number(jsonOf(gv)) - wv) < 1e-5, `${capture} ${table} row ${i} ${k}: ${gv} vs ${wv}`);
      } else if (Array.isArray(wv)) {
        assert.deepEqual((jsonOf(g[col]) as unknown[]).map(String), wv.map(String), `${capture} ${table} row ${i} ${k}`);
      } else {
        assert.equal(jsonOf(g[col]), wv, `${capture} ${table} row ${i} ${k}`);
      }
    }
    // and nothing the command leaves unset is set here
    for (const [col, gv] of Object.entries(g)) {
      if (gv === null || col.endsWith("_epoch")) continue;
      const k = Object.keys(want[i]).find((x) => x.replace(/\./g, "_") === col);
      assert.ok(k !== undefined, `${capture} ${table} row ${i}: ${col} is set (${String(gv)}) where the command has it unset`);
    }
  }
  // frame_time / ts as TIMESTAMP equal the epoch column
  if (table === "flows" && got.length > 0) {
    const ts = await query(`SELECT count(*) AS bad FROM ${glob(ds, table)} WHERE abs(epoch_us(ts) - ts_epoch * 1e6) > 1`);
    assert.equal(Number(ts[0].bad), 0);
  }
  return got.length;
}

test("flows equal `wirebook flows`, application tables their commands, row for row", async () => {
  await dataset();
  let rows = 0;
  for (const c of ["office.pcap", "office.pcapng", "attacks.pcap", "office-vlan-ipv6.pcap"]) {
    const f = path.join(DATA, c);
    rows += await compareTable(DATA_DS, f, c, "flows", ["flows"]);
    for (const app of ["dns", "http", "tls", "dhcp", "quic", "files", "alerts"]) rows += await compareTable(DATA_DS, f, c, app, [app]);
  }
  assert.ok(rows > 1000, `${rows} rows compared`);
  // uid and id_orig_h on the application tables
  const j = await query(`SELECT count(*) AS n, count(f.uid) AS joined FROM ${glob(DATA_DS, "dns")} d LEFT JOIN ${glob(DATA_DS, "flows")} f USING (capture, uid) WHERE d.id_orig_h = f.id_orig_h OR f.uid IS NULL`);
  assert.ok(Number(j[0].n) > 0);
  assert.equal(Number(j[0].joined), Number(j[0].n), "every dns row's uid is a flow of its capture with the same originator");
});

test("deterministic: the same inputs and options write the same bytes; a missing input is an error", async () => {
  const a = tmp("wb-det-a-"), b = tmp("wb-det-b-");
  const f = path.join(DATA, "office.pcapng");
  await wb.convert([f], a, { rowGroupSize: 500 });
  await wb.convert([f], b, { rowGroupSize: 500 });
  const list = (d: string): string[] => fs.readdirSync(d, { recursive: true }).map(String).filter((p) => p.endsWith(".parquet")).sort();
  assert.deepEqual(list(a), list(b));
  assert.ok(list(a).length >= 12);
  for (const p of list(a)) assert.ok(fs.readFileSync(path.join(a, p)).equals(fs.readFileSync(path.join(b, p))), p);
  assert.equal(fs.readFileSync(path.join(a, "_dataset.json"), "utf8"), fs.readFileSync(path.join(b, "_dataset.json"), "utf8"));
  const r = cli(["convert", path.join(DATA, "nope.pcap"), "-o", tmp("wb-miss-")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope\.pcap.*no such file/);
});

test("gzip and glob inputs, --jobs: partitions named by the file name", async () => {
  const dir = tmp("wb-gz-");
  const gz = path.join(dir, "office.pcapng.gz");
  fs.writeFileSync(gz, require("node:zlib").gzipSync(fs.readFileSync(path.join(DATA, "office.pcapng"))));
  const out = tmp("wb-gz-out-");
  const r = cli(["convert", path.join(dir, "*.gz"), path.join(DATA, "office-vlan-*"), "-o", out, "--jobs", "2"]);
  assert.equal(r.status, 0, r.stderr);
  const n = await query(`SELECT capture, count(*) AS n FROM ${glob(out, "packets")} GROUP BY capture ORDER BY capture`);
  assert.deepEqual(n.map((x) => [x.capture, Number(x.n)]), [["office-vlan-ipv6.pcap", 700], ["office.pcapng.gz", 1200]]);
  // a name with a space, a quote and a non-ASCII letter: escaped as Hive does (%XX), read back as it is
  const odd = path.join(dir, "it's a trace é.pcap");
  fs.copyFileSync(path.join(DATA, "office-vlan-ipv6.pcap"), odd);
  const r2 = cli(["convert", odd, "-o", out]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.ok(fs.existsSync(path.join(out, "flows", "capture=it%27s%20a%20trace%20%C3%A9.pcap")));
  const q = cli(["sql", out, "SELECT capture, count(*) AS n FROM flows GROUP BY 1 ORDER BY 1"]);
  assert.equal(q.status, 0, q.stderr);
  assert.deepEqual(q.stdout.trim().split("\n").slice(1).map((l) => l.split("\t")[0]), ["it's a trace é.pcap", "office-vlan-ipv6.pcap", "office.pcapng.gz"]);
});

test("wirebook sql: tsv header and rows, the capture column, one-line errors with exit 2, arrow", async () => {
  await dataset();
  const r = cli(["sql", DATA_DS, "SELECT capture, count(*) AS n FROM packets GROUP BY capture ORDER BY capture", "--format", "tsv"]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines[0], "capture\tn");
  const counts = Object.fromEntries(lines.slice(1).map((l) => l.split("\t")));
  assert.equal(counts["office.pcap"], String(fields(path.join(DATA, "office.pcap"), ["frame.number"]).length));
  for (const t of ["flows", "dns", "http", "tls", "quic", "dhcp", "files", "alerts"]) {
    const x = cli(["sql", DATA_DS, `SELECT count(DISTINCT capture) AS c FROM ${t}`]);
    assert.equal(x.status, 0, `${t}: ${x.stderr}`);
  }
  for (const bad of ["SELEC 1", "SELECT * FROM no_such_table", "SELECT no_such_column FROM flows"]) {
    const e = cli(["sql", DATA_DS, bad]);
    assert.equal(e.status, 2, bad);
    assert.equal(e.stderr.trim().split("\n").length, 1, e.stderr);
    assert.match(e.stderr, /^wirebook: sql: /);
  }
  const a = spawnSync(process.execPath, [CLI, "sql", DATA_DS, "SELECT id_orig_h, sum(orig_bytes) AS b FROM flows GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5", "--format", "arrow"]);
  assert.equal(a.status, 0, String(a.stderr));
  const t = arrow.tableFromIPC(a.stdout);
  assert.equal(t.numRows, 5);
  assert.deepEqual(t.schema.fields.map((f) => f.name), ["id_orig_h", "b"]);
  const flowsArrow = spawnSync(process.execPath, [CLI, "flows", path.join(DATA, "office.pcap"), "--format", "arrow"]);
  assert.equal(flowsArrow.status, 0, String(flowsArrow.stderr));
  const ft = arrow.tableFromIPC(flowsArrow.stdout);
  const tsvFlows = cli(["flows", path.join(DATA, "office.pcap")]).stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.equal(ft.numRows, tsvFlows.length);
  assert.equal(String(ft.getChild("uid")?.get(0)), tsvFlows[0].split("\t")[1]);
});

test("wb.sql over open captures (no files), a ResultTable; capture.toArrow", async () => {
  const cap = await wb.open(path.join(DATA, "office.pcap"));
  const t = await wb.sql("SELECT capture, count(*) AS n, sum(frame_len) AS bytes FROM packets GROUP BY capture", { captures: [cap] });
  assert.ok(wb.isResultTable(t));
  assert.equal(t.count, 1);
  assert.equal(t.column("capture").get(0), "office.pcap");
  assert.equal(t.column("n").get(0), cap.count);
  assert.equal(t.column("bytes").get(0), cap.summary().bytes);
  const flows = cap.flows();
  const f = await wb.sql("SELECT uid FROM flows ORDER BY ts_epoch, uid", { captures: { office: cap } });
  assert.equal(f.count, flows.count);
  assert.deepEqual([...f.values("uid")].sort(), [...flows.values("uid")].sort());
  assert.equal(f.toDataFrame().shape[0], flows.count);
  await assert.rejects(wb.sql("SELECT * FROM nothing_here", { captures: [cap] }), wb.SqlError);
  const a = await cap.toArrow(["frame.number", "ip.src", "tcp.dstport", "tcp.flags.syn"]);
  assert.equal(a.numRows, cap.count);
  for (const r of [0, 100, 2499]) {
    assert.equal(a.getChild("ip.src")?.get(r) ?? undefined, cap.column("ip.src").get(r));
    assert.equal(a.getChild("tcp.dstport")?.get(r) ?? undefined, cap.column("tcp.dstport").get(r));
  }
  const ra = flows.toArrow();
  assert.equal(ra.numRows, flows.count);
  assert.equal(ra.getChild("uid")?.get(3), flows.column("uid").get(3));
});

test("the shared corpus converts; counts equal capinfos, packets equal `wirebook fields`, flows `wirebook flows`", { timeout: 180_000 }, async (t) => {
  if (SHARED === undefined) { t.skip(NO_SHARED); return; }
  const dir = path.join(SHARED, "pcaps");
  const out = tmp("wb-shared-");
  const r = cli(["convert", dir, "-o", out, "--jobs", "2"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(fs.readFileSync(path.join(out, "_dataset.json"), "utf8")) as { inputs: { capture: string; packets: number }[] };
  const counts = new Map((await query(`SELECT capture, count(*) AS n FROM ${glob(out, "packets")} GROUP BY capture`)).map((x) => [String(x.capture), Number(x.n)]));
  let compared = 0;
  for (const i of doc.inputs) {
    assert.equal(counts.get(i.capture) ?? 0, i.packets, i.capture);
    const info = path.join(dir, `${i.capture}.capinfos.txt`);
    if (fs.existsSync(info)) {
      const m = /Number of packets:\s+(\d+)/.exec(fs.readFileSync(info, "utf8"));
      // a damaged capture: we keep the packets before the damage, as capinfos counts them
      if (m && !i.capture.includes("truncated") && !i.capture.includes("fuzz")) { assert.equal(i.packets, Number(m[1]), `${i.capture}: capinfos`); compared++; }
    }
  }
  assert.ok(compared > 20, `${compared} captures compared with capinfos`);
  for (const c of ["chrissanders__synscan.pcapng", "zeek__vlan-qinqinq.pcap", "zeek__linux_dlt_sll2.pcap", "scapy__http_chunk.pcap.gz"]) {
    if (!fs.existsSync(path.join(dir, c))) continue;
    await comparePackets(out, path.join(dir, c), c);
    await compareTable(out, path.join(dir, c), c, "flows", ["flows"]);
  }
});
