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
import { Output } from "./output";
import { Progress } from "./progress";

const FILES_FIELDS = [...FLOW_FIELDS, "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.hdr_len", "tcp.len", "udp.length"];

export async function filesCommand(args: string[]): Promise<number> {
  let file: string | undefined, format = "tsv", extract: string | undefined, reputation: string | undefined, cacheDir: string | undefined;
  const value = (i: number, a: string): string => {
    const v = args[i];
    if (v === undefined || v === "") throw new UsageError(`${a} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format" || a === "-T") format = value(++i, a);
    else if (a.startsWith("--format=")) format = a.slice(9);
    else if (a === "--extract") extract = value(++i, a);
    else if (a.startsWith("--extract=")) extract = a.slice(10);
    else if (a === "--reputation") reputation = value(++i, a);
    else if (a.startsWith("--reputation=")) reputation = a.slice(13);
    else if (a === "--cache-dir") cacheDir = value(++i, a);
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!["tsv", "csv", "json", "arrow"].includes(format)) throw new UsageError("--format takes tsv, csv, json or arrow");
  if (reputation !== undefined && reputation !== "virustotal") throw new UsageError("--reputation takes virustotal");
  if (file === undefined) throw new UsageError("files: no capture file given");
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
