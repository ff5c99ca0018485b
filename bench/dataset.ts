/**
 * Report figures (a script, not a timed test): `wirebook convert` on a capture — packets/s, MB/s,
 * peak RSS of each pass (packets in windows; flows and application tables) — beside `wirebook
 * summary` on the same file; then top talkers by `wb.sql` on the dataset, by `tshark -q -z
 * endpoints,ip`, and by dpkt → pandas groupby (when python3 has dpkt and pandas).
 *
 *   node dist/bench/dataset.js [FILE]   (default /tmp/wirebook-bench-1m.pcap, generated when missing:
 *   node dist/src/gen/cli.js office -o FILE --packets 1000000)
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { convert } from "../src/dataset/convert";
import { sql } from "../src/dataset/sql";

const ROOT = path.join(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "wirebook");
const MiB = 1024 * 1024;

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Peak RSS (MiB) and wall time of a command, by GNU time when there is one. */
function timed(cmd: string, args: string[]): { s: number; rss?: number; ok: boolean } {
  const t0 = performance.now();
  const haveTime = fs.existsSync("/usr/bin/time");
  const r = haveTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const s = seconds(t0);
  const rss = haveTime ? Number(r.stderr.trim().split("\n").pop()) / 1024 : undefined;
  return { s, rss, ok: r.status === 0 };
}

const DPKT = `
import sys, dpkt, socket, pandas as pd
src, ln = [], []
with open(sys.argv[1], 'rb') as f:
    for ts, buf in dpkt.pcap.Reader(f):
        eth = dpkt.ethernet.Ethernet(buf)
        ip = eth.data
        while isinstance(ip, dpkt.ethernet.VLANtag8021Q if hasattr(dpkt.ethernet, 'VLANtag8021Q') else ()):
            ip = ip.data
        if isinstance(ip, dpkt.ip.IP):
            src.append(socket.inet_ntoa(ip.src)); ln.append(len(buf))
df = pd.DataFrame({'ip_src': src, 'len': ln})
print(df.groupby('ip_src')['len'].agg(['count', 'sum']).sort_values('sum', ascending=False).head(10).to_string())
`;

async function main(): Promise<void> {
  const file = process.argv[2] ?? path.join(os.tmpdir(), "wirebook-bench-1m.pcap");
  if (!fs.existsSync(file)) {
    process.stdout.write(`generating ${file} (1M packets)…\n`);
    execFileSync(process.execPath, [path.join(ROOT, "dist", "src", "gen", "cli.js"), "office", "-o", file, "--packets", "1000000"], { stdio: "inherit" });
  }
  const bytes = fs.statSync(file).size;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-bench-ds-"));
  // convert in this process: peak RSS at the end of each pass (maxRSS only grows)
  let pass = 1, packets = 0, peak1 = 0;
  const t0 = performance.now();
  let t1 = 0;
  const res = await convert([file], out, {
    onProgress: (p) => {
      if (p.pass === 2 && pass === 1) { pass = 2; peak1 = process.resourceUsage().maxRSS / 1024; t1 = seconds(t0); }
      if (p.pass === 1) packets = p.packets;
    },
  });
  const total = seconds(t0);
  const peak = process.resourceUsage().maxRSS / 1024;
  const n = res.inputs[0].packets;
  void packets;
  const summary = timed(process.execPath, [CLI, "summary", file]);
  const out2 = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-bench-ds2-"));
  const cliConvert = timed(process.execPath, [CLI, "convert", file, "-o", out2]);
  fs.rmSync(out2, { recursive: true, force: true });
  const line = (k: string, v: string): void => { process.stdout.write(`${k.padEnd(44)} ${v}\n`); };
  process.stdout.write(`\n${path.basename(file)}: ${n} packets, ${(bytes / MiB).toFixed(0)} MiB\n`);
  line("convert (in process), total", `${total.toFixed(1)} s  ${(n / total).toFixed(0)} packets/s  ${(bytes / MiB / total).toFixed(1)} MiB/s`);
  line("  pass 1: packets (windows) → Parquet", `${t1.toFixed(1)} s  ${(n / t1).toFixed(0)} packets/s  peak RSS ${peak1.toFixed(0)} MiB`);
  line("  pass 2: flows + app tables → Parquet", `${(total - t1).toFixed(1)} s  peak RSS ${peak.toFixed(0)} MiB (whole process)`);
  line("wirebook convert (CLI)", `${cliConvert.s.toFixed(1)} s  peak RSS ${cliConvert.rss?.toFixed(0) ?? "?"} MiB`);
  line("wirebook summary (CLI)", `${summary.s.toFixed(1)} s  peak RSS ${summary.rss?.toFixed(0) ?? "?"} MiB`);
  line("convert speed / summary speed", `${(summary.s / cliConvert.s).toFixed(2)}`);
  line("peak RSS ≤ 300 MiB", `pass 1 ${peak1 <= 300 ? "yes" : "no"}, whole conversion ${(cliConvert.rss ?? peak) <= 300 ? "yes" : "no"}`);
  const dsBytes = fs.readdirSync(out, { recursive: true }).map(String).filter((p) => p.endsWith(".parquet")).reduce((s, p) => s + fs.statSync(path.join(out, p)).size, 0);
  line("dataset size (Parquet, zstd)", `${(dsBytes / MiB).toFixed(1)} MiB`);

  process.stdout.write("\ntop talkers (IPv4 source by bytes)\n");
  let t = performance.now();
  const top = await sql("SELECT ip_src, count(*) AS packets, sum(frame_len) AS bytes FROM packets WHERE ip_src IS NOT NULL GROUP BY 1 ORDER BY bytes DESC LIMIT 10", { dataset: out });
  line("wb.sql on the dataset", `${seconds(t).toFixed(2)} s  (${top.column("ip_src").get(0)} first, ${top.column("bytes").get(0)} bytes)`);
  const ts = timed("tshark", ["-r", file, "-n", "-q", "-z", "endpoints,ip"]);
  line("tshark -q -z endpoints,ip", ts.ok ? `${ts.s.toFixed(2)} s  peak RSS ${ts.rss?.toFixed(0) ?? "?"} MiB` : "not run (no tshark)");
  const py = spawnSync("python3", ["-c", "import dpkt, pandas"], { encoding: "utf8" });
  if (py.status === 0) {
    t = performance.now();
    const r = spawnSync("python3", ["-c", DPKT, file], { encoding: "utf8", maxBuffer: 1 << 26 });
    line("dpkt → pandas groupby", r.status === 0 ? `${seconds(t).toFixed(2)} s` : `failed: ${r.stderr.trim().split("\n").pop()}`);
  } else {
    line("dpkt → pandas groupby", "not run (python3 lacks dpkt or pandas)");
  }
  fs.rmSync(out, { recursive: true, force: true });
}

main().catch((e) => { process.stderr.write(String(e?.stack ?? e) + "\n"); process.exitCode = 1; });
