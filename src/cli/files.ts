/**
 * `wirebook files FILE [--format tsv|csv|json] [--extract DIR] [--reputation virustotal]
 * [--cache-dir DIR]`: HTTP bodies as files (Zeek's files.log columns), optionally written into DIR
 * (as <fuid>-<safe name>), optionally looked up (VirusTotal, needs VT_API_KEY; offline otherwise).
 */
import { FLOW_FIELDS } from "../flows";
import "../files";
import type { AppTable } from "../flows/apps";
import type { FilesOptions } from "../files";
import { open } from "../table/load";
import { writeApp } from "./apps";
import { UsageError } from "./usage";
import { parseArgs, str } from "./options";
import { FILES } from "./specs";
import { inputPath } from "./inputs";
import { Output } from "./output";
import { Progress } from "./progress";

const FILES_FIELDS = [...FLOW_FIELDS, "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.len", "udp.length"];

export async function filesCommand(args: string[]): Promise<number> {
  const p = parseArgs(FILES, args);
  const file = inputPath(p.inputs[0]);
  const format = str(p, "format") ?? "tsv", extract = str(p, "extract"), reputation = str(p, "reputation"), cacheDir = str(p, "cache-dir");
  for (const [k, v] of [["--extract", extract], ["--cache-dir", cacheDir]]) if (v === "") throw new UsageError(`${k} needs a value`);
  const progress = new Progress(process.stderr);
  const cap = await open(file, { columns: FILES_FIELDS, onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const ft = cap.flows();
  for (const w of ft.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const opts: FilesOptions = { flows: ft };
  if (extract !== undefined) opts.extract = extract;
  if (reputation === "virustotal") {
    opts.reputation = "virustotal";
    if (cacheDir !== undefined) opts.reputationOptions = { cacheDir };
  }
  const t: AppTable = await cap.files(opts);
  for (const w of t.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  // columns that only mean something when asked for
  let cols = t.columns;
  if (extract === undefined) cols = cols.filter((c) => c !== "extracted" && c !== "extracted_cutoff");
  if (reputation === undefined) cols = cols.filter((c) => !c.startsWith("rep_"));
  const out = new Output(1);
  writeApp(t, format, out, cols);
  out.flush();
  return 0;
}
