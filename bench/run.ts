/**
 * npm run bench: builds a deterministic 1M-packet capture with the generator (cached in
 * bench/out/) and times, in one run, `wirebook summary` against tcpdump, tshark, tshark→pandas,
 * dpkt→pandas, scapy→pandas (on a prefix: it is very slow) and the npm pcap-parser; then the
 * flow table and the report against tshark's statistics on the same file, and display-filter
 * rates. Prints markdown tables and writes them to bench/out/results.md.
 *
 * Environment: BENCH_PACKETS (default 1000000), BENCH_SEED (1), BENCH_SCAPY (20000),
 * BENCH_TIMEOUT seconds per tool (300), BENCH_ONLY (comma-separated tool keys).
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PcapWriter } from "../src/io/writer";
import { generateOffice } from "../src/gen/office";
import type { WalkResult } from "./walk";

const ROOT = path.join(__dirname, "..", "..");
const OUT = path.join(ROOT, "bench", "out");
const PY = "/usr/bin/python3";
const PEERS = path.join(ROOT, "bench", "peers.py");
const WIREBOOK = path.join(ROOT, "dist", "src", "cli", "main.js");
const WALK_BENCH = path.join(ROOT, "dist", "bench", "walk.js");
const PCAP_PARSER_WALK = path.join(ROOT, "dist", "bench", "pcap-parser-walk.js");
const FILTER_BENCH = path.join(ROOT, "dist", "bench", "filter.js");

const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const SCAPY_LIMIT = Number(process.env.BENCH_SCAPY ?? 20_000);
const TIMEOUT = Number(process.env.BENCH_TIMEOUT ?? 300) * 1000;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : null;
const TSHARK_FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"];
const TSHARK_OPTS = ["-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE"];

function have(cmd: string, args: string[] = ["--version"]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return r.error === undefined && r.status === 0;
}

/** the generator's compiled code: a cached capture is reused only if it has not changed */
function generatorHash(): string {
  const h = crypto.createHash("sha256");
  for (const f of ["src/gen/office.js", "src/gen/packet.js", "src/gen/apps.js", "src/gen/stream.js", "src/gen/prng.js", "src/io/writer.js"]) {
    h.update(fs.readFileSync(path.join(ROOT, "dist", f)));
  }
  return h.digest("hex").slice(0, 16);
}

function capture(): { file: string; packets: number; bytes: number; cached: boolean; seconds: number } {
  fs.mkdirSync(OUT, { recursive: true });
  const params = { packets: PACKETS, seed: SEED, format: "pcap-us-le", generator: generatorHash() };
  const file = path.join(OUT, `office-${PACKETS}-s${SEED}.pcap`);
  const meta = `${file}.json`;
  try {
    const m = JSON.parse(fs.readFileSync(meta, "utf8"));
    if (JSON.stringify(m.params) === JSON.stringify(params) && fs.statSync(file).size === m.size) {
      return { file, packets: m.packets, bytes: m.size, cached: true, seconds: 0 };
    }
  } catch {
    // no cache
  }
  const t0 = process.hrtime.bigint();
  const w = new PcapWriter({ path: file });
  const s = generateOffice({ seed: SEED, packets: PACKETS, sink: w });
  w.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const size = fs.statSync(file).size;
  fs.writeFileSync(meta, JSON.stringify({ params, packets: s.packets, size }, null, 1));
  return { file, packets: s.packets, bytes: size, cached: false, seconds };
}

interface Result {
  key: string;
  tool: string;
  what: string;
  packets: number | null;
  seconds: number | null;
  rssKb: number | null;
  note: string;
}

const HAVE_TIME = fs.existsSync("/usr/bin/time");

/**
 * Runs a command, measuring wall time and peak RSS (GNU time's %M, the largest resident set of
 * the command and its waited-for descendants; without /usr/bin/time a python3 wrapper reads
 * RUSAGE_CHILDREN). Returns stdout.
 */
function measure(cmd: string, args: string[], stdoutTo: "pipe" | "null"): { ok: boolean; seconds: number; rssKb: number | null; stdout: string; err: string } {
  const tf = path.join(os.tmpdir(), `wb-bench-${process.pid}-${Math.random().toString(36).slice(2)}.time`);
  let argv: string[];
  let exe: string;
  if (HAVE_TIME) {
    exe = "/usr/bin/time";
    argv = ["-f", "%e %M", "-o", tf, cmd, ...args];
  } else {
    exe = PY;
    const wrapper =
      "import resource,subprocess,sys,time\n" +
      "t=time.perf_counter();r=subprocess.call(sys.argv[2:])\n" +
      "open(sys.argv[1],'w').write('%f %d'%(time.perf_counter()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n" +
      "sys.exit(r)";
    argv = ["-c", wrapper, tf, cmd, ...args];
  }
  const nul = fs.openSync("/dev/null", "w");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(exe, argv, {
    stdio: ["ignore", stdoutTo === "null" ? nul : "pipe", "pipe"],
    timeout: TIMEOUT,
    maxBuffer: 16 << 20,
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(nul);
  let rssKb: number | null = null;
  try {
    const [, m] = fs.readFileSync(tf, "utf8").trim().split(/\s+/).slice(-2);
    rssKb = Number(m);
    fs.unlinkSync(tf);
  } catch {
    // timed out or killed
  }
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  const err = timedOut ? `timed out after ${TIMEOUT / 1000} s` : (r.stderr ?? "").split("\n").filter((l) => l && !/Running as user "root"|Command exited with non-zero/.test(l)).slice(-1)[0] ?? "";
  return { ok: r.status === 0, seconds: wall, rssKb, stdout: r.stdout ?? "", err };
}

function dur(s: number): string {
  return s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(0)} min`;
}

function lastJson(s: string): Record<string, number> | null {
  const line = s.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line) return null;
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

function run(): void {
  const t0 = Date.now();
  process.stderr.write(`bench: ${PACKETS} packets, seed ${SEED}\n`);
  const cap = capture();
  process.stderr.write(cap.cached ? `bench: reusing ${cap.file}\n` : `bench: generated ${cap.file} in ${cap.seconds.toFixed(1)} s\n`);
  // read the file once so every tool starts from the same (warm) page cache
  spawnSync("cat", [cap.file], { stdio: ["ignore", "ignore", "ignore"] });
  const file = cap.file;
  const results: Result[] = [];
  const want = (k: string): boolean => ONLY === null || ONLY.has(k);
  const py = have(PY, ["-c", "import sys"]) ? lastJson(spawnSync(PY, [PEERS, "check"], { encoding: "utf8" }).stdout ?? "") : null;
  const step = (r: Result): void => {
    results.push(r);
    const s = r.seconds === null ? "—" : `${r.seconds.toFixed(2)} s`;
    process.stderr.write(`bench: ${r.tool}: ${s}${r.note ? ` (${r.note})` : ""}\n`);
  };

  if (want("wirebook")) {
    if (!fs.existsSync(WIREBOOK)) {
      step({ key: "wirebook", tool: "wirebook summary", what: "decode every packet into the table", packets: null, seconds: null, rssKb: null, note: "not built yet: dist/src/cli/main.js is missing" });
    } else {
      const m = measure(process.execPath, [WIREBOOK, "summary", file], "pipe");
      step({ key: "wirebook", tool: "wirebook summary", what: "read + decode every packet into the columnar table", packets: m.ok ? cap.packets : null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? "" : `failed: ${m.err}` });
    }
  }
  if (have("tcpdump")) {
    if (want("tcpdump-w")) {
      const m = measure("tcpdump", ["-r", file, "-w", "/dev/null"], "null");
      step({ key: "tcpdump-w", tool: "tcpdump -r FILE -w /dev/null", what: "read and rewrite every record (no decoding)", packets: m.ok ? cap.packets : null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? "" : `failed: ${m.err}` });
    }
    if (want("tcpdump-count")) {
      const m = measure("tcpdump", ["-r", file, "--count"], "pipe");
      const n = /(\d+) packets?/.exec(m.stdout);
      step({ key: "tcpdump-count", tool: "tcpdump -r FILE --count", what: "count records (no decoding)", packets: m.ok && n ? Number(n[1]) : null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? "" : `not supported: ${m.err}` });
    }
  } else step({ key: "tcpdump", tool: "tcpdump", what: "", packets: null, seconds: null, rssKb: null, note: "tcpdump not installed" });
  if (have("tshark", ["-v"])) {
    if (want("tshark")) {
      const m = measure("tshark", ["-r", file, ...TSHARK_OPTS, "-T", "fields", ...TSHARK_FIELDS.flatMap((f) => ["-e", f])], "null");
      step({ key: "tshark", tool: "tshark -T fields (12 fields) > /dev/null", what: "dissect every packet, print fields", packets: m.ok ? cap.packets : null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? "" : `failed: ${m.err}` });
    }
    if (want("tshark-pandas") && py?.pandas) {
      const m = measure(PY, [PEERS, "tshark-pandas", file], "pipe");
      const j = lastJson(m.stdout);
      const rss = j ? Math.round(j.self_kb + j.children_kb) : m.rssKb;
      step({ key: "tshark-pandas", tool: "tshark → pandas", what: "tshark -T fields piped into pandas.read_csv (11 columns)", packets: j?.packets ?? null, seconds: m.ok ? m.seconds : null, rssKb: rss, note: m.ok ? "RSS: python + tshark peaks added" : `failed: ${m.err}` });
    }
  } else step({ key: "tshark", tool: "tshark", what: "", packets: null, seconds: null, rssKb: null, note: "tshark not installed" });
  if (py === null) step({ key: "python", tool: "python peers", what: "", packets: null, seconds: null, rssKb: null, note: `${PY} not found` });
  if (want("dpkt-pandas") && py?.dpkt && py.pandas) {
    const m = measure(PY, [PEERS, "dpkt-pandas", file], "pipe");
    const j = lastJson(m.stdout);
    step({ key: "dpkt-pandas", tool: "dpkt → pandas", what: "dpkt pcap.Reader + Ethernet/IP/TCP/UDP, DataFrame (7 columns)", packets: j?.packets ?? null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? "" : `failed: ${m.err}` });
  }
  if (want("scapy-pandas") && py?.scapy && py.pandas) {
    const limit = Math.min(SCAPY_LIMIT, cap.packets);
    const m = measure(PY, [PEERS, "scapy-pandas", file, String(limit)], "pipe");
    const j = lastJson(m.stdout);
    step({ key: "scapy-pandas", tool: `scapy → pandas (first ${limit} packets)`, what: "scapy PcapReader, full dissection, DataFrame (7 columns)", packets: j?.packets ?? null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? `only ${limit} packets (all ${cap.packets} would take ≈ ${dur((m.seconds * cap.packets) / limit)})` : `failed: ${m.err}` });
  }
  if (want("pcap-parser")) {
    if (!fs.existsSync(PCAP_PARSER_WALK)) step({ key: "pcap-parser", tool: "pcap-parser (npm)", what: "", packets: null, seconds: null, rssKb: null, note: "dist/bench/pcap-parser-walk.js missing" });
    else {
      const m = measure(process.execPath, [PCAP_PARSER_WALK, file], "pipe");
      const j = lastJson(m.stdout);
      step({ key: "pcap-parser", tool: "pcap-parser (npm) walk", what: "parse records, one object + events per packet (no decoding)", packets: j?.packets ?? null, seconds: m.ok ? m.seconds : null, rssKb: m.rssKb, note: m.ok ? "" : `failed: ${m.err}` });
    }
  }

  // the tables and the report against tshark's statistics on the same file
  const pairs: Pair[] = [];
  const pair = (key: string, ours: [string, string[]], theirs: [string, string[]] | null, label: string, peer: string): void => {
    if (!want(key)) return;
    const a = measure(process.execPath, [WIREBOOK, ...ours[1]], "null");
    const b = theirs !== null && have("tshark", ["-v"]) ? measure(theirs[0], theirs[1], "null") : null;
    pairs.push({ label, peer, ours: a.ok ? a.seconds : null, oursRss: a.rssKb, theirs: b?.ok ? b.seconds : null, theirsRss: b?.rssKb ?? null, note: a.ok ? "" : `failed: ${a.err}` });
    process.stderr.write(`bench: ${label}: ${a.ok ? a.seconds.toFixed(2) : "failed"} s vs ${peer}: ${b?.ok ? b.seconds.toFixed(2) : "—"} s\n`);
  };
  pair("flows", ["flows", ["flows", file]], ["tshark", ["-r", file, "-q", "-n", "-z", "conv,tcp", "-z", "conv,udp"]],
    "wirebook flows FILE (Zeek conn.log)", "tshark -q -z conv,tcp -z conv,udp");
  pair("report", ["report", ["report", file, "-o", path.join(OUT, "report.html")]], ["tshark", ["-r", file, "-q", "-n", "-z", "conv,tcp", "-z", "io,phs"]],
    "wirebook report FILE -o report.html", "tshark -q -z conv,tcp -z io,phs");
  let filterRates: Record<string, number> | null = null;
  if (want("filter") && fs.existsSync(FILTER_BENCH)) {
    const r = spawnSync(process.execPath, [FILTER_BENCH, file], { encoding: "utf8", timeout: TIMEOUT });
    filterRates = lastJson(r.stdout ?? "");
  }

  // the analyst's walk (open → flows → dns → http → tls → files → alerts → rules), step by step
  let walkMd = "";
  if (want("walk") && fs.existsSync(WALK_BENCH)) {
    const r = spawnSync(process.execPath, [WALK_BENCH, file, "--json"], { encoding: "utf8", timeout: TIMEOUT });
    try {
      const w = JSON.parse((r.stdout ?? "").trim().split("\n").pop() ?? "") as WalkResult;
      walkMd = ["", `The analyst's walk in one process (bench/walk.ts; flow tables built: ${w.flowTablesBuilt}):`, "",
        "| step | s | rows | peak RSS MiB after it |", "| --- | ---: | ---: | ---: |",
        ...w.steps.map((x) => `| ${x.step} | ${x.seconds.toFixed(2)} | ${x.rows} | ${x.peakRssMiB.toFixed(0)} |`),
        `| total | ${w.total.toFixed(2)} | | |`, ""].join("\n");
    } catch {
      walkMd = `\nThe analyst's walk failed: ${(r.stderr ?? "").trim().split("\n").pop()}\n`;
    }
  }

  const md = table(cap, results, (Date.now() - t0) / 1000) + pairTable(cap.packets, pairs, filterRates) + walkMd;
  fs.writeFileSync(path.join(OUT, "results.md"), md);
  process.stdout.write(md);
}

interface Pair {
  label: string;
  peer: string;
  ours: number | null;
  oursRss: number | null;
  theirs: number | null;
  theirsRss: number | null;
  note: string;
}

function pairTable(packets: number, ps: Pair[], filters: Record<string, number> | null): string {
  if (ps.length === 0 && filters === null) return "";
  const lines: string[] = ["", "| wirebook | s | packets/s | peak RSS MiB | peer | s | peak RSS MiB | wirebook speed ÷ peer |", "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"];
  const n = (x: number | null, d = 2) => (x === null ? "—" : x.toFixed(d));
  const mib = (kb: number | null) => (kb === null ? "—" : (kb / 1024).toFixed(0));
  for (const p of ps) {
    const rate = p.ours ? `${((packets / p.ours) / 1e6).toFixed(2)} M` : "—";
    const ratio = p.ours && p.theirs ? `${(p.theirs / p.ours).toFixed(2)}×` : "—";
    lines.push(`| ${p.label}${p.note ? ` — ${p.note}` : ""} | ${n(p.ours)} | ${rate} | ${mib(p.oursRss)} | ${p.peer} | ${n(p.theirs)} | ${mib(p.theirsRss)} | ${ratio} |`);
  }
  lines.push("");
  if (filters !== null) {
    lines.push(`Display filters over the opened capture (${filters.rows} rows, best of 7, the filter alone): ` +
      Object.entries(filters).filter(([k]) => k !== "rows").map(([k, v]) => `\`${k}\` ${(v / 1e6).toFixed(0)} M rows/s`).join("; ") + ".");
    lines.push("");
  }
  return lines.join("\n");
}

function table(cap: { file: string; packets: number; bytes: number; cached: boolean; seconds: number }, rs: Result[], total: number): string {
  const pps = (r: Result): number | null => (r.packets !== null && r.seconds ? r.packets / r.seconds : null);
  const wb = rs.find((r) => r.key === "wirebook");
  const wbPps = wb ? pps(wb) : null;
  const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));
  const cpu = os.cpus()[0]?.model ?? "?";
  const ver = (cmd: string, args: string[]): string => (spawnSync(cmd, args, { encoding: "utf8" }).stdout ?? "").split("\n")[0].trim().replace(/\.$/, "");
  const lines: string[] = [];
  lines.push(`### Benchmark: ${fmt(cap.packets)} packets`);
  lines.push("");
  lines.push(`Capture: \`${path.relative(ROOT, cap.file)}\`, generated by \`generateOffice({ seed: ${SEED}, packets: ${cap.packets} })\` (classic pcap, µs), ${(cap.bytes / 2 ** 20).toFixed(0)} MiB, ${(cap.bytes / cap.packets).toFixed(0)} bytes/packet on average${cap.cached ? " (cached)" : `, written in ${cap.seconds.toFixed(1)} s`}. File in the page cache before each run.`);
  lines.push(`Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${ver("tshark", ["-v"])}; ${ver("tcpdump", ["--version"])}.`);
  lines.push("");
  lines.push("| tool | what it does | packets | wall s | packets/s | wirebook ÷ this (speed) | peak RSS MiB |");
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rs) {
    const p = pps(r);
    const ratio = p !== null && wbPps !== null && wbPps !== undefined ? `${(wbPps / p).toFixed(2)}×` : "—";
    lines.push(
      `| ${r.tool} | ${r.what}${r.note ? ` — ${r.note}` : ""} | ${r.packets ?? "—"} | ${r.seconds === null ? "—" : r.seconds.toFixed(2)} | ${p === null ? "—" : fmt(p)} | ${ratio} | ${r.rssKb === null ? "—" : (r.rssKb / 1024).toFixed(0)} |`,
    );
  }
  lines.push("");
  const tw = rs.find((r) => r.key === "tcpdump-w");
  if (wb && wbPps && tw && pps(tw)) {
    const ratio = wbPps / pps(tw)!;
    const rss = wb.rssKb === null ? null : wb.rssKb / 1024;
    lines.push(`Targets: wirebook summary at ${ratio.toFixed(2)}× the speed of \`tcpdump -w /dev/null\` (target ≥ 1.0×: ${ratio >= 1 ? "met" : `missed by ${((1 - ratio) * 100).toFixed(0)}%`}); peak RSS ${rss === null ? "?" : rss.toFixed(0)} MiB (target ≤ 150 MiB: ${rss !== null && rss <= 150 ? "met" : "missed"}).`);
  } else {
    lines.push("Targets: not evaluated (wirebook summary or tcpdump did not run).");
  }
  lines.push(`Peak RSS is GNU time's maximum resident set size of the process tree's largest process (for tshark → pandas, python's and tshark's peaks added). Whole bench run: ${total.toFixed(0)} s.`);
  lines.push("");
  return lines.join("\n");
}

run();
