/** `wirebook summary FILE [FILE …] [--json]`: what capinfos tells of each file, plus packets per protocol. */
import type { CaptureSummary } from "../table/capture";
import { showControls } from "../result/format/escape";
import { flag, parseArgs } from "./options";
import { SUMMARY } from "./specs";
import { openInputs } from "./inputs";

export async function summaryCommand(args: string[]): Promise<number> {
  const p = parseArgs(SUMMARY, args);
  const summaries: CaptureSummary[] = [];
  for (const input of p.inputs) {
    // one at a time: a summary is kept, the capture is not
    const [{ cap }] = await openInputs([input], [], undefined, false);
    summaries.push({ ...cap.summary(), file: input });
  }
  if (flag(p, "json")) {
    const doc = summaries.length === 1 ? summaries[0] : summaries;
    process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    return 0;
  }
  process.stdout.write(summaries.map(summaryText).join("\n"));
  return 0;
}

function summaryText(s: CaptureSummary): string {
  const iso = (t?: number) => (t === undefined ? "n/a" : new Date(Math.floor(t * 1000)).toISOString().replace("T", " ").replace("Z", " UTC"));
  const lines = [
    `File name:           ${showControls(s.file)}`,
    `File format:         ${s.format}`,
    `Link types:          ${s.linkTypes.join(", ")}`,
    `Packets:             ${s.packets}`,
    `Bytes on the wire:   ${s.bytes}`,
    `Bytes captured:      ${s.capturedBytes}`,
    `First packet:        ${iso(s.first)}`,
    `Last packet:         ${iso(s.last)}`,
    `Duration:            ${s.duration.toFixed(6)} s`,
    `Average packet rate: ${s.duration > 0 ? (s.packets / s.duration).toFixed(1) : "n/a"} packets/s`,
    `Malformed packets:   ${s.malformed}`,
    "",
    "Protocol            Packets   Share",
    ...s.protocols.map((p) => `${showControls(p.protocol).padEnd(18)} ${String(p.packets).padStart(8)}  ${((100 * p.packets) / Math.max(1, s.packets)).toFixed(1).padStart(5)}%`),
  ];
  for (const w of s.warnings) lines.push(`warning: ${showControls(w)}`);
  return lines.join("\n") + "\n";
}
