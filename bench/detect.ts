/**
 * Detector speed: `node dist/bench/detect.js [FILE]` (default: the bench's 1M-packet office
 * capture in bench/out/, made by `npm run bench`, else generated here with BENCH_PACKETS packets).
 * Loads only the fields detectors read, builds the flows once, then times each detector over
 * columns + flows (the budget: all of them under 1 s for 1M packets) and the cleartext-credentials
 * pass over the file. Also reports the alerts found: on benign office traffic there must be none.
 */
import * as fs from "fs";
import * as path from "path";
import { PcapWriter } from "../src/io/writer";
import { generateOffice } from "../src/gen/office";
import { open } from "../src/table/load";
import { detect, detectSync, DETECT_FIELDS, DETECTORS } from "../src/detect";

const ROOT = path.join(__dirname, "..", "..");
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  let file = process.argv[2];
  if (file === undefined) {
    file = path.join(ROOT, "bench", "out", `office-${PACKETS}-s1.pcap`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const w = new PcapWriter({ path: file });
      generateOffice({ seed: 1, packets: PACKETS, sink: w });
      w.close();
    }
  }
  let t0 = process.hrtime.bigint();
  const cap = await open(file, { columns: DETECT_FIELDS });
  const load = ms(t0);
  t0 = process.hrtime.bigint();
  const flows = cap.flows();
  const flowMs = ms(t0);
  const lines = [`# detectors on ${path.basename(file)}: ${cap.count} packets, ${flows.count} flows`, "",
    `load (detector fields only) ${(load / 1000).toFixed(2)} s, flows ${(flowMs / 1000).toFixed(2)} s`, "",
    "| detector | ms | alerts |", "|---|---:|---:|"];
  for (const d of DETECTORS.filter((x) => x !== "cleartext_credentials")) {
    t0 = process.hrtime.bigint();
    const a = detectSync(cap, { detectors: [d], flows });
    lines.push(`| ${d} | ${ms(t0).toFixed(0)} | ${a.count} |`);
  }
  t0 = process.hrtime.bigint();
  const all = detectSync(cap, { flows });
  const allMs = ms(t0);
  lines.push(`| **all six (shared context)** | **${allMs.toFixed(0)}** | ${all.count} |`);
  t0 = process.hrtime.bigint();
  const ct = await detect(cap, { detectors: ["cleartext_credentials"], flows });
  lines.push(`| cleartext_credentials (second pass over the file) | ${ms(t0).toFixed(0)} | ${ct.count} |`);
  lines.push("", `budget: detectors over columns + flows for 1M packets < 1000 ms: ${allMs < 1000 * (cap.count / 1e6) ? "met" : "MISSED"}`);
  if (all.count + ct.count > 0) lines.push("", "alerts:", "", "```", all.format("tsv", ["detector", "src", "dst", "summary"]) + ct.format("tsv", ["detector", "src", "dst", "summary"]), "```");
  const text = lines.join("\n") + "\n";
  process.stdout.write(text);
  fs.mkdirSync(path.join(ROOT, "bench", "out"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench", "out", "detect.md"), text);
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
