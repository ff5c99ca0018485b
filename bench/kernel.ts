/**
 * Kernel benchmarks (issue 3's targets on this machine):
 *   1. kernel start to the first cell's result (≤ 6 s): Jupyter starts the wirebook kernel
 *      (tslab's TypeScript compiler, then the prelude), then runs `1 + 1`;
 *   2. opening a 100k-packet capture in a cell (≤ 1 s): `await wb.open(path)` timed inside the
 *      cell, and the cell's round trip as the client sees it.
 * Also prints the first danfo use (lazy load) and `cap.packets()` on the same capture.
 *
 *   npm run build && node dist/bench/kernel.js [--runs N]
 * Needs /usr/bin/python3 with jupyter_client (Debian's python3-jupyter-client).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { installKernel, missingJupyter, runCells } from "../test/kernel/jupyter";
import { generateOffice } from "../src/gen/office";
import { PcapWriter } from "../src/io/writer";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): number {
  const why = missingJupyter();
  if (why) {
    console.error(`bench/kernel: ${why}`);
    return 2;
  }
  const runsArg = process.argv.indexOf("--runs");
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-bench-kernel-"));
  const capture = path.join(dir, "office-100k.pcap");
  const writer = new PcapWriter({ path: capture });
  const stats = generateOffice({ seed: 1, packets: 100_000, sink: writer });
  writer.close();
  console.log(`capture: ${stats.packets} packets, ${(fs.statSync(capture).size / 1e6).toFixed(1)} MB (generated office scenario)`);
  const { prefix, jupyterPath } = installKernel();
  const rows: Array<{ ready: number; first: number; openInCell: number; openCell: number; danfo: number; packets: number }> = [];
  try {
    for (let i = 0; i < runs; i++) {
      const run = runCells(jupyterPath, dir, [
        { code: "1 + 1" },
        { code: `const t0 = performance.now(); const cap = await wb.open(${JSON.stringify(capture)}); const openMs = performance.now() - t0; [cap.count, openMs]` },
        { code: "const t1 = performance.now(); dfd.DataFrame.name; performance.now() - t1" },
        { code: "const t2 = performance.now(); const df = await cap.packets(['frame.time_relative', 'ip.src', 'ip.dst', 'frame.len']); [df.shape[0], performance.now() - t2]" },
      ]);
      const result = (k: number) => run.cells[k].messages.find((m) => m.msg_type === "execute_result")?.content.data["text/plain"] ?? "";
      const nums = (k: number) => (result(k).match(/[\d.]+/g) ?? []).map(Number);
      const [count, openMs] = nums(1);
      if (count !== 100_000) throw new Error(`open returned ${result(1)} (${JSON.stringify(run.cells[1].messages)})`);
      rows.push({
        ready: run.ready_seconds,
        first: run.ready_seconds + run.cells[0].seconds,
        openInCell: openMs / 1000,
        openCell: run.cells[1].seconds,
        danfo: nums(2)[0] / 1000,
        packets: nums(3)[1] / 1000,
      });
      const r = rows[rows.length - 1];
      console.log(
        `run ${i + 1}: kernel ready ${r.ready.toFixed(2)} s, first cell result ${r.first.toFixed(2)} s; ` +
          `wb.open 100k ${r.openInCell.toFixed(3)} s in the cell (${r.openCell.toFixed(3)} s round trip); ` +
          `danfo first use ${r.danfo.toFixed(2)} s; cap.packets(4 columns) ${r.packets.toFixed(2)} s`,
      );
    }
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const m = (k: keyof (typeof rows)[0]) => median(rows.map((r) => r[k]));
  console.log(`median of ${runs}:`);
  console.log(`  kernel start → first cell result  ${m("first").toFixed(2)} s   (target ≤ 6 s)`);
  console.log(`  wb.open, 100k packets, in a cell  ${m("openInCell").toFixed(3)} s  (target ≤ 1 s; cell round trip ${m("openCell").toFixed(3)} s)`);
  console.log(`  danfo loaded on first use         ${m("danfo").toFixed(2)} s`);
  console.log(`  cap.packets(4 columns), 100k      ${m("packets").toFixed(2)} s`);
  return 0;
}

process.exitCode = main();
