/** `wirebook summary FILE`: what capinfos tells, plus packets per protocol. */
import { open } from "../table/load";
import { UsageError } from "./usage";
import { Progress } from "./progress";

export async function summaryCommand(args: string[]): Promise<number> {
  let file: string | undefined, json = false;
  for (const a of args) {
    if (a === "--json") json = true;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError("summary: no capture file given");
  const progress = new Progress(process.stderr);
  const cap = await open(file, { onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.packets) });
  progress.done();
  const s = cap.summary();
  if (json) {
    process.stdout.write(JSON.stringify(s, null, 2) + "\n");
    return 0;
  }
  const iso = (t?: number) => (t === undefined ? "n/a" : new Date(Math.floor(t * 1000)).toISOString().replace("T", " ").replace("Z", " UTC"));
  const lines = [
    `File name:           ${s.file}`,
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
    ...s.protocols.map((p) => `${p.protocol.padEnd(18)} ${String(p.packets).padStart(8)}  ${((100 * p.packets) / Math.max(1, s.packets)).toFixed(1).padStart(5)}%`),
  ];
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}
