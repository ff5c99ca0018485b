/**
 * `npm run fuzz -- [--minutes N] [--target packet|file|all] [--mode truncate|mutate|all] [--seed S]
 *                  [--workers W] [--out DIR] [--shallow]`
 * `npm run fuzz -- --target T --mode M --seed S --case N`   replays one case in this process
 *
 * A long run by hand: every truncation of every seed packet and seed file first, then mutations
 * (packets and files) until the time is up. Failures are written to DIR (default
 * dist/fuzz-failures): the input (a one-packet pcap for a packet case) and a JSON line each.
 * Exit code 0 when nothing failed, 1 otherwise, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PcapWriter } from "../io/writer";
import { mutateCase, TruncateIndex, type Mode, type Target } from "./cases";
import { FileChecker, PacketChecker, type Failure } from "./check";
import { defaultDirs, loadCorpus } from "./corpus";
import { runFuzz, type FuzzResult } from "./run";

const ROOT = path.resolve(__dirname, "..", "..", "..");

interface Args {
  minutes: number;
  target: Target | "all";
  mode: Mode | "all";
  seed: number;
  workers: number;
  out: string;
  replay?: number;
  /** file cases: flows and application tables too (default; --shallow: open() only) */
  deep: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = {
    minutes: 1, target: "all", mode: "all", seed: Date.now() % 1000000, workers: Math.max(1, os.availableParallelism()),
    out: path.join(ROOT, "dist", "fuzz-failures"), deep: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    const need = (): string => {
      if (v === undefined) throw new Error(`${k} needs a value`);
      i++;
      return v;
    };
    switch (k) {
      case "--minutes": a.minutes = Number(need()); break;
      case "--target": a.target = need() as Args["target"]; break;
      case "--mode": a.mode = need() as Args["mode"]; break;
      case "--seed": a.seed = Number(need()); break;
      case "--workers": a.workers = Number(need()); break;
      case "--out": a.out = path.resolve(need()); break;
      case "--case": a.replay = Number(need()); break;
      case "--shallow": a.deep = false; break;
      default: throw new Error(`unknown option ${k}`);
    }
  }
  if (!(a.minutes > 0) || !["packet", "file", "all"].includes(a.target) || !["truncate", "mutate", "all"].includes(a.mode)
    || !Number.isInteger(a.seed) || !(a.workers >= 1)) throw new Error("bad option value");
  return a;
}

function save(out: string, seed: number, mode: Mode, target: Target, f: Failure): string {
  fs.mkdirSync(out, { recursive: true });
  const base = path.join(out, `${target}-${mode}-s${seed}-c${f.index}`);
  const bytes = Buffer.from(f.input, "base64");
  if (target === "packet") {
    const w = new PcapWriter({ path: `${base}.pcap`, linkType: f.linkType });
    w.write(1700000000, 0, bytes);
    w.close();
  } else fs.writeFileSync(`${base}.bin`, bytes);
  fs.writeFileSync(`${base}.json`, JSON.stringify({ ...f, input: undefined, seed, mode, target }, null, 1));
  return base;
}

async function replay(a: Args): Promise<number> {
  const target: Target = a.target === "all" ? "packet" : a.target;
  const mode: Mode = a.mode === "all" ? "mutate" : a.mode;
  const corpus = await loadCorpus(defaultDirs(ROOT));
  const c = mode === "truncate" ? new TruncateIndex(corpus, target).get(a.replay!) : mutateCase(corpus, target, a.seed, a.replay!);
  process.stdout.write(`case ${c.index} from ${c.from} (link type ${c.linkType}, ${c.bytes.length} bytes): ${c.what.join("; ")}\n`);
  const t = Date.now();
  const f = target === "packet" ? new PacketChecker().check(c) : await new FileChecker(path.join(os.tmpdir(), `wirebook-replay-${process.pid}`), a.deep).check(c);
  process.stdout.write(f === null ? `passes (${Date.now() - t} ms)\n` : `FAILS: ${f.kind}: ${f.message}\nsaved: ${save(a.out, a.seed, mode, target, f)}\n`);
  return f === null ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  let a: Args;
  try {
    a = parse(argv);
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n`);
    return 2;
  }
  if (a.replay !== undefined) return replay(a);
  const dirs = defaultDirs(ROOT);
  const total = a.minutes * 60_000;
  const t0 = Date.now();
  const phases: { target: Target; mode: Mode; share: number }[] = [];
  for (const mode of ["truncate", "mutate"] as Mode[]) {
    if (a.mode !== "all" && a.mode !== mode) continue;
    for (const target of ["packet", "file"] as Target[]) {
      if (a.target !== "all" && a.target !== target) continue;
      phases.push({ target, mode, share: mode === "truncate" ? 0.15 : target === "packet" ? 0.5 : 0.5 });
    }
  }
  process.stdout.write(`fuzz: seed ${a.seed}, ${a.workers} workers, ${a.minutes} min, corpus ${dirs.filter(fs.existsSync).join(", ")}\n`);
  const results: FuzzResult[] = [];
  for (let i = 0; i < phases.length; i++) {
    const ph = phases[i];
    const left = total - (Date.now() - t0);
    if (left <= 0) break;
    // truncation phases get a share of the time; the mutation phases split what is left
    const rest = phases.slice(i).filter((p) => p.mode === "mutate").length;
    const budget = ph.mode === "truncate" ? Math.min(left, total * ph.share) : left / Math.max(1, rest);
    let lastLine = 0;
    const r = await runFuzz({
      dirs, target: ph.target, mode: ph.mode, seed: a.seed, workers: a.workers, timeLimitMs: budget, deep: a.deep,
      onFailure: (f) => {
        const file = save(a.out, a.seed, ph.mode, ph.target, f);
        process.stdout.write(`  FAIL ${f.kind} case ${f.index} (${f.from}: ${f.what.join("; ")}): ${f.message.split("\n")[0]}\n    → ${file}.*\n`);
      },
      onProgress: (cases, ms) => {
        if (ms - lastLine > 30_000) {
          lastLine = ms;
          process.stdout.write(`  ${ph.target}/${ph.mode}: ${cases} cases, ${(ms / 1000).toFixed(0)} s\n`);
        }
      },
    });
    results.push(r);
    process.stdout.write(`${ph.target}/${ph.mode}: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.cases / (r.ms / 1000))}/s), ` +
      `${r.failures.length} failures (seeds: ${r.packetSeeds} packets, ${r.fileSeeds} files)` +
      `${r.slow.length ? `; ${r.slow.length} cases slow once but not alone (a loaded machine?): ${r.slow.slice(0, 10).join(", ")}` : ""}\n`);
  }
  const cases = results.reduce((n, r) => n + r.cases, 0);
  const fails = results.reduce((n, r) => n + r.failures.length, 0);
  const byKind = new Map<string, number>();
  for (const r of results) for (const f of r.failures) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  process.stdout.write(`total: ${cases} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${fails} failures` +
    `${fails ? ` (${[...byKind].map(([k, n]) => `${k}: ${n}`).join(", ")}; inputs in ${a.out})` : ""}\n`);
  return fails === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`fuzz: internal error: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  });
}
