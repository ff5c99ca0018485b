/** `wirebook insights FILE [--format tsv|csv|json]`: what stands out, ranked. */
import { open } from "../table/load";
import "../flows";
import "../flows/apps";
import { UsageError } from "../cli/usage";
import { Output } from "../cli/output";
import { writeTable } from "../result/format";
import { insights } from "./insights";
import { parseArgs } from "./diffcli";

export async function insightsCommand(args: string[]): Promise<number> {
  const { files, format, out } = parseArgs(args, "insights");
  if (files.length !== 1 || out !== undefined) throw new UsageError("insights needs one capture file: insights FILE [--format tsv|csv|json]");
  const cap = await open(files[0]);
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const t = await insights(cap);
  const o = new Output(1);
  writeTable(t, format, o, { path: "insights" });
  o.flush();
  return 0;
}
