/** Runs tshark's -z statistics and parses its text (the oracle for test/stats). */
import { execFile, execFileSync } from "node:child_process";

/** the per-packet preferences the project compares under (../shared/tools/tshark-reference.sh) */
export const PREFS = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE"];

/** tshark's output; a damaged file makes tshark exit 2 after printing what it read: that text is kept */
export function tshark(file: string, args: string[]): string {
  try {
    return execFileSync("tshark", ["-r", file, "-n", ...PREFS, ...args], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    if (typeof out === "string" && (e as { status?: number }).status === 2) return out;
    throw e;
  }
}

/** tshark without blocking (tests run captures concurrently) */
export function tsharkAsync(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("tshark", ["-r", file, "-n", ...PREFS, ...args], { encoding: "utf8", maxBuffer: 1 << 28 }, (err, stdout) => {
      if (err && !((err as { code?: unknown }).code === 2)) reject(err);
      else resolve(stdout);
    });
  });
}

/** Splits tshark's -q -z output into one block per statistic, in the order asked (tshark prints them reversed). */
export function statBlocks(out: string): string[] {
  const blocks: string[] = [];
  let cur: string[] | null = null;
  for (const line of out.split("\n")) {
    if (/^={20,}$/.test(line)) {
      if (cur === null) cur = [];
      else { blocks.push(cur.join("\n")); cur = null; }
      continue;
    }
    if (cur !== null) cur.push(line);
  }
  return blocks.reverse();
}

/**
 * Runs several -z statistics in one tshark pass; returns each one's section of the text in the
 * order asked (tshark prints them in reverse order).
 */
export function tsharkStats(file: string, stats: string[]): string[] {
  return statBlocks(tshark(file, ["-q", ...stats.flatMap((z) => ["-z", z])]));
}

export interface PhsRow { path: string; protocol: string; depth: number; frames: number; bytes: number }

export function parsePhs(text: string): PhsRow[] {
  const rows: PhsRow[] = [];
  const stack: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^( *)(\S+)\s+frames:(\d+) bytes:(\d+)\s*$/.exec(line);
    if (m === null) continue;
    const depth = m[1].length / 2;
    stack.length = depth;
    stack.push(m[2]);
    rows.push({ path: stack.join(":"), protocol: m[2], depth, frames: Number(m[3]), bytes: Number(m[4]) });
  }
  return rows;
}

export interface ConvRow {
  a: string; portA: number | null; b: string; portB: number | null;
  framesBA: number; bytesBA: string; framesAB: number; bytesAB: string; frames: number; bytes: string;
  start: string; duration: string;
}

function splitPort(s: string, ports: boolean): [string, number | null] {
  if (!ports) return [s, null];
  const i = s.lastIndexOf(":");
  return [s.slice(0, i), Number(s.slice(i + 1))];
}

/** -z conv,TYPE: sizes stay tshark's text ("9800 bytes", "151 kB"), compared as formatted. */
export function parseConv(text: string, ports: boolean): ConvRow[] {
  const rows: ConvRow[] = [];
  const size = "(\\d+ \\S*bytes|\\d+ [kMGT]B)";
  const re = new RegExp(`^(\\S+)\\s+<->\\s+(\\S+)\\s+(\\d+) ${size}\\s+(\\d+) ${size}\\s+(\\d+) ${size}\\s+(-?[\\d.]+)\\s+(-?[\\d.]+)\\s*$`);
  for (const line of text.split("\n")) {
    const m = re.exec(line);
    if (m === null) continue;
    const [a, pa] = splitPort(m[1], ports), [b, pb] = splitPort(m[2], ports);
    rows.push({ a, portA: pa, b, portB: pb, framesBA: Number(m[3]), bytesBA: m[4], framesAB: Number(m[5]), bytesAB: m[6],
      frames: Number(m[7]), bytes: m[8], start: m[9], duration: m[10] });
  }
  return rows;
}

export interface EndpointRow { address: string; port: number | null; frames: number; bytes: number; txFrames: number; txBytes: number; rxFrames: number; rxBytes: number }

export function parseEndpoints(text: string, ports: boolean): EndpointRow[] {
  const rows: EndpointRow[] = [];
  const re = ports ? /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/ : /^(\S+)()\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;
  for (const line of text.split("\n")) {
    const m = re.exec(line);
    if (m === null) continue;
    rows.push({ address: m[1], port: ports ? Number(m[2]) : null, frames: Number(m[3]), bytes: Number(m[4]), txFrames: Number(m[5]),
      txBytes: Number(m[6]), rxFrames: Number(m[7]), rxBytes: Number(m[8]) });
  }
  return rows;
}

/** -z io,stat,N: per interval, frames and bytes of each column */
export function parseIoStat(text: string): { start: number; cols: number[][] }[] {
  const rows: { start: number; cols: number[][] }[] = [];
  for (const line of text.split("\n")) {
    const m = /^\|\s*([\d.]+)\s*<>\s*(?:[\d.]+|Dur)\s*\|(.*)\|\s*$/.exec(line);
    if (m === null) continue;
    const cells = m[2].split("|").map((c) => c.trim()).filter((c) => c !== "").map(Number);
    const cols: number[][] = [];
    for (let i = 0; i + 1 < cells.length; i += 2) cols.push([cells[i], cells[i + 1]]);
    rows.push({ start: Number(m[1]), cols });
  }
  return rows;
}

/** Frame numbers tshark's display filter selects. */
export function tsharkFrames(file: string, filter: string): number[] {
  const out = tshark(file, ["-Y", filter, "-T", "fields", "-e", "frame.number"]);
  return out.split("\n").filter((l) => l !== "").map(Number);
}
