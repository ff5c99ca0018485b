/** `wirebook report FILE -o report.html [--title T]`: one self-contained offline HTML report. */
import * as fs from "fs";
import * as path from "path";
import { open } from "../table/load";
import "../flows"; // Capture.flows()
import { buildReport } from "../report/index";
import { parseArgs, str } from "./options";
import { REPORT } from "./specs";
import { inputPath } from "./inputs";
import { Progress } from "./progress";

export async function reportCommand(args: string[]): Promise<number> {
  const p = parseArgs(REPORT, args);
  const file = p.inputs[0];
  let out = str(p, "out");
  if (file === "-") out ??= "stdin.report.html";
  const title = str(p, "title");
  out ??= path.basename(file).replace(/\.(pcapng|pcap|cap)(\.gz)?$/i, "") + ".report.html";
  const tty = process.stderr.isTTY === true;
  const progress = new Progress(process.stderr);
  const t0 = Date.now();
  const cap = await open(inputPath(file), { onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: ${file}: warning: ${w}\n`);
  const flows = cap.flows();
  for (const w of flows.warnings) process.stderr.write(`wirebook: ${file}: warning: ${w}\n`); // the connection cap's evictions among them
  const html = buildReport(cap, {
    title, insights: await (await import("../enrich/insights")).insights(cap),
    flows,
    onStep: (step, done, total) => { if (tty) process.stderr.write(`\r\x1b[K[${done + 1}/${total}] ${step}…`); },
  });
  if (tty) process.stderr.write("\r\x1b[K");
  fs.writeFileSync(out, html);
  if (tty) process.stderr.write(`wrote ${out} (${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB, ${cap.count} packets, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  return 0;
}
