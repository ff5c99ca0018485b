/**
 * Report figure (not a timed test): conversations / hierarchy / io on a large capture, side by
 * side with `tshark -q -z conv,tcp -z io,phs` on the same file.
 *   node dist/bench/stats.js [FILE]   (default: bench/out/office-1000000-s1.pcap, which bench/run.ts makes;
 *   or: node dist/src/gen/cli.js office -o FILE --packets 1000000)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { open } from "../src/table/load";
import { conversations, endpoints, hierarchy, ioStat, tcpTrouble } from "../src/stats";

async function main(): Promise<void> {
  const file = process.argv[2] ?? path.join(__dirname, "..", "..", "bench", "out", "office-1000000-s1.pcap");
  if (!fs.existsSync(file)) {
    process.stderr.write(`no ${file}: node dist/src/gen/cli.js office -o ${file} --packets 1000000\n`);
    process.exitCode = 2;
    return;
  }
  let t = performance.now();
  const cap = await open(file);
  const load = (performance.now() - t) / 1000;
  const time = (name: string, fn: () => unknown) => {
    const t0 = performance.now();
    fn();
    process.stdout.write(`${name.padEnd(26)} ${((performance.now() - t0) / 1000).toFixed(3)} s\n`);
  };
  process.stdout.write(`${path.basename(file)}: ${cap.count} packets, loaded in ${load.toFixed(2)} s\n`);
  time("conversations(tcp)", () => conversations(cap, "tcp"));
  time("conversations(ip)", () => conversations(cap, "ip"));
  time("endpoints(ip)", () => endpoints(cap, "ip"));
  time("hierarchy", () => hierarchy(cap));
  time("ioStat(1)", () => ioStat(cap, 1));
  time("tcpTrouble (no uids)", () => tcpTrouble(cap, { uids: false }));
  t = performance.now();
  execFileSync("tshark", ["-r", file, "-n", "-q", "-z", "conv,tcp", "-z", "io,phs"], { stdio: "ignore", maxBuffer: 1 << 30 });
  process.stdout.write(`${"tshark -z conv,tcp -z io,phs".padEnd(26)} ${((performance.now() - t) / 1000).toFixed(3)} s (load included)\n`);
}

main().catch((e) => { process.stderr.write(String(e?.stack ?? e) + "\n"); process.exitCode = 1; });
