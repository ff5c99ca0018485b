/**
 * `wirebook stats FILE -z conv,tcp [-z endpoints,ip] [-z io,phs] [-z io,stat,1[,FILTER…]] [-z top,FIELD[,N]] [-z tcp,trouble]
 * [--format tsv|csv|json]`: tshark-like text for each statistic, in the order given; with --format, each statistic's
 * table through the writers every table uses (src/result/format; the TSV's #path names the statistic).
 */
import { open } from "../table/load";
import "../filter";
import { conversationsByFrames, endpoints, hierarchy, ioStat, tcpTrouble, topN, type StatTable } from "../stats";
import { CONV_TYPES, type ConvType } from "../stats/taps";
import { convText, endpointsText, phsText, tableText } from "../stats/text";
import { CommandError, UsageError } from "./usage";
import { parseArgs, str, strs } from "./options";
import { STATS } from "./specs";
import { inputPath } from "./inputs";
import { writeTable, type Format } from "../result/format";
import { Output } from "./output";
import { Progress } from "./progress";

export async function statsCommand(args: string[]): Promise<number> {
  const p = parseArgs(STATS, args);
  const file = inputPath(p.inputs[0]);
  const zs = strs(p, "z");
  const format = str(p, "format") as Format | undefined;
  if (zs.length === 0) throw new UsageError("stats: no statistic given (-z io,phs | conv,TYPE | endpoints,TYPE | io,stat,SECONDS[,FILTER…] | top,FIELD[,N] | tcp,trouble)");
  const type = (t: string): ConvType => {
    if (!(CONV_TYPES as string[]).includes(t)) throw new UsageError(`unknown type "${t}"; one of ${CONV_TYPES.join(", ")}`);
    return t as ConvType;
  };
  // check every -z before the (long) load
  for (const z of zs) {
    const [k, v, ...rest] = z.split(",");
    if (z === "io,phs" || z === "tcp,trouble") continue;
    if (k === "conv" || k === "endpoints") { type(v ?? ""); continue; }
    if (k === "io" && v === "stat" && Number(rest[0]) > 0) continue;
    if (k === "top" && v !== undefined) continue;
    throw new UsageError(`unknown statistic "${z}"`);
  }
  const progress = new Progress(process.stderr);
  const cap = await open(file, { onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  const out = new Output(1);
  for (const z of zs) {
    const [k, v, ...rest] = z.split(",");
    // each statistic: its tables (with the #path a TSV gives them) and tshark's text of them
    let tables: [string, StatTable][], text: () => string;
    if (z === "io,phs") { const t = hierarchy(cap); tables = [["io_phs", t]]; text = () => phsText(t); }
    else if (z === "tcp,trouble") {
      const t = tcpTrouble(cap);
      tables = [["tcp_trouble", t.summary], ["tcp_trouble_packets", t.packets]];
      text = () => tableText(t.summary, "TCP trouble") + tableText(t.packets, "TCP trouble: packets");
    } else if (k === "conv") { const t = conversationsByFrames(cap, type(v)); tables = [[`conv_${v}`, t]]; text = () => convText(t, v); }
    else if (k === "endpoints") { const t = endpoints(cap, type(v)); tables = [[`endpoints_${v}`, t]]; text = () => endpointsText(t, v); }
    else if (k === "io") {
      let t: ReturnType<typeof ioStat>;
      try {
        t = ioStat(cap, Number(rest[0]), { filters: rest.slice(1) });
      } catch (e) {
        // too many intervals, a bad interval: the user's to change (one line, exit 2)
        if (e instanceof Error && e.message.startsWith("ioStat: ")) throw new CommandError(`-z ${z}: ${e.message.slice(8)}`);
        throw e;
      }
      tables = [["io_stat", t]]; text = () => tableText(t, `IO statistics, ${rest[0]} s intervals`);
    } else {
      const t = topN(cap, v, rest[0] === undefined ? 10 : Number(rest[0]));
      tables = [[`top_${v}`, t]]; text = () => tableText(t, `Top ${v}`);
    }
    if (format === undefined) out.write(text());
    else for (const [name, t] of tables) writeTable(t, format, out, { path: name });
  }
  out.flush();
  for (const w of cap.warnings) process.stderr.write(`warning: ${w}\n`);
  return 0;
}
