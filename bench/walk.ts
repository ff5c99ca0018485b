/**
 * The analyst's walk on one capture, step by step, in one process: open → flows → dns → http →
 * tls → files → alerts → rules (100 content rules), each step's seconds, the process's peak RSS
 * after it, and how many flow tables were built (connection tracking runs once when the tables
 * share it).
 *
 *   node dist/src/gen/cli.js office -o /tmp/x.pcap --packets 1000000
 *   node dist/bench/walk.js /tmp/x.pcap [--json]
 */
import * as path from "node:path";
import * as wb from "../src/index";
import { contentRules } from "./rules";

export interface WalkStep {
  step: string;
  seconds: number;
  rows: number;
  peakRssMiB: number;
}

export interface WalkResult {
  file: string;
  packets: number;
  steps: WalkStep[];
  total: number;
  flowTablesBuilt: number;
}

function peakMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export async function walk(file: string): Promise<WalkResult> {
  // count the flow tables built: a memoised flows() returns the same table every time
  const built = new Set<object>();
  const proto = wb.Capture.prototype as unknown as { flows: (...a: unknown[]) => object };
  const orig = proto.flows;
  proto.flows = function counted(this: unknown, ...a: unknown[]) {
    const t = orig.apply(this, a);
    built.add(t);
    return t;
  };
  const steps: WalkStep[] = [];
  const step = async (name: string, f: () => Promise<{ count: number }> | { count: number }) => {
    const t0 = process.hrtime.bigint();
    const r = await f();
    steps.push({ step: name, seconds: Number(process.hrtime.bigint() - t0) / 1e9, rows: r.count, peakRssMiB: peakMiB() });
    return r;
  };
  try {
    const cap = (await step("open", () => wb.open(file))) as wb.Capture;
    await step("flows", () => cap.flows());
    await step("dns", () => cap.dns());
    await step("http", () => cap.http());
    await step("tls", () => cap.tls());
    await step("files", () => cap.files());
    await step("alerts", () => cap.alerts());
    const rs = wb.rules.load(contentRules(100));
    await step("rules (100 content)", () => rs.match(cap));
    return { file, packets: cap.count, steps, total: steps.reduce((s, x) => s + x.seconds, 0), flowTablesBuilt: built.size };
  } finally {
    proto.flows = orig;
  }
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: node dist/bench/walk.js FILE [--json]");
  const r = await walk(file);
  if (process.argv.includes("--json")) { console.log(JSON.stringify(r)); return; }
  console.log(`${path.basename(file)}: ${r.packets} packets; flow tables built: ${r.flowTablesBuilt}`);
  for (const s of r.steps) console.log(`${s.step.padEnd(22)} ${s.seconds.toFixed(2).padStart(7)} s  ${String(s.rows).padStart(8)} rows  peak RSS ${s.peakRssMiB.toFixed(0)} MiB`);
  console.log(`${"total".padEnd(22)} ${r.total.toFixed(2).padStart(7)} s`);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exitCode = 1; });
