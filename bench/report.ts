/**
 * `node dist/bench/report.js [FILE]`: times `wirebook report FILE -o …` against
 * `tshark -q -z conv,tcp -z io,phs -r FILE` on the same file (page cache warmed first), and prints
 * wall time, CPU time (user + system, from GNU time when present) and peak RSS of each, with the
 * ratio. Without FILE it uses bench/out/office-1000000-s1.pcap, generating it when missing
 * (`node dist/src/gen/cli.js office -o FILE --packets 1000000`).
 *
 * Environment: BENCH_RUNS (default 1; the median is printed), BENCH_PACKETS (default 1000000).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const GNU_TIME = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

interface Run { wall: number; cpu: number | null; rssMiB: number | null }

function timed(cmd: string, args: string[]): Run {
  const t0 = process.hrtime.bigint();
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ["-f", "WBTIME %e %U %S %M", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 })
    : spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr?.toString() ?? "";
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${err.slice(-2000)}`);
  const m = /WBTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  return m ? { wall, cpu: Number(m[2]) + Number(m[3]), rssMiB: Number(m[4]) / 1024 } : { wall, cpu: null, rssMiB: null };
}

function median(runs: Run[]): Run {
  const by = (k: keyof Run) => { const v = runs.map((r) => r[k]).filter((x): x is number => x !== null).sort((a, b) => a - b); return v.length ? v[v.length >> 1] : null; };
  return { wall: by("wall") as number, cpu: by("cpu"), rssMiB: by("rssMiB") };
}

function main(): void {
  let file = process.argv[2];
  if (file === undefined) {
    file = path.join(ROOT, "bench", "out", `office-${PACKETS}-s1.pcap`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      process.stderr.write(`generating ${file} (${PACKETS} packets)…\n`);
      const g = spawnSync(process.execPath, [path.join(ROOT, "dist", "src", "gen", "cli.js"), "office", "-o", file, "--packets", String(PACKETS)], { stdio: "inherit" });
      if (g.status !== 0) throw new Error("the generator failed");
    }
  }
  const tshark = spawnSync("tshark", ["--version"], { stdio: "ignore" }).status === 0;
  const out = path.join(os.tmpdir(), `wirebook-bench-report-${process.pid}.html`);
  // page cache
  const fd = fs.openSync(file, "r"), buf = Buffer.allocUnsafe(1 << 22);
  while (fs.readSync(fd, buf) > 0) { /* warm */ }
  fs.closeSync(fd);
  const wb: Run[] = [], ts: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    wb.push(timed(process.execPath, [path.join(ROOT, "dist", "src", "cli", "main.js"), "report", file, "-o", out]));
    if (tshark) ts.push(timed("tshark", ["-q", "-n", "-z", "conv,tcp", "-z", "io,phs", "-r", file]));
  }
  const size = fs.statSync(out).size;
  fs.rmSync(out, { force: true });
  const w = median(wb);
  const f = (x: number | null, d = 2) => (x === null ? "n/a" : x.toFixed(d));
  const lines = [
    `### wirebook report vs tshark -z conv,tcp -z io,phs`,
    "",
    `Capture: \`${path.relative(ROOT, file) || file}\` (${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB), median of ${RUNS} run${RUNS === 1 ? "" : "s"}, file in the page cache; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs.`,
    "",
    "| tool | wall s | CPU s (user+sys) | peak RSS MiB |",
    "| --- | ---: | ---: | ---: |",
    `| wirebook report (HTML ${(size / 1e6).toFixed(1)} MB) | ${f(w.wall)} | ${f(w.cpu)} | ${f(w.rssMiB, 0)} |`,
  ];
  if (tshark) {
    const t = median(ts);
    lines.push(`| tshark -q -z conv,tcp -z io,phs | ${f(t.wall)} | ${f(t.cpu)} | ${f(t.rssMiB, 0)} |`);
    lines.push("", `wirebook report is ${(t.wall / w.wall).toFixed(2)}× as fast as tshark by wall time` +
      (t.cpu !== null && w.cpu !== null ? `, ${(t.cpu / w.cpu).toFixed(2)}× by CPU time` : "") +
      ` (target: > 1×: ${t.wall > w.wall ? "met" : "missed"}).`);
  } else lines.push("", "tshark is not installed: no comparison.");
  process.stdout.write(lines.join("\n") + "\n");
}

main();
