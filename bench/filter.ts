/**
 * Times display filters over an opened capture (in-process: the filter alone, not the load).
 *   node dist/bench/filter.js FILE  → one JSON line: rows, and rows/s per filter (best of 7 runs)
 */
import { open } from "../src";

const FILTERS = ["tcp.dstport == 443", "tcp.port == 443", "ip.addr == 192.168.0.0/16 && !tcp.port in {80, 443}", "dns.qry.name contains \"example\""];

async function main(): Promise<void> {
  const file = process.argv[2];
  const cap = await open(file);
  const out: Record<string, number> = { rows: cap.count };
  for (const f of FILTERS) {
    let best = Infinity;
    for (let k = 0; k < 7; k++) {
      const t0 = process.hrtime.bigint();
      cap.filter(f);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    out[f] = cap.count / best;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

void main();
