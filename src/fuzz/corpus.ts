/**
 * Fuzz seeds: whole capture files (data/, ../shared/pcaps when present) for the readers, and packets
 * taken from them, a few per distinct protocol stack, plus the hostile capture's frames, for the
 * decoders. The order is deterministic (sorted file names, file order of packets).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import "../decode";
import { decodeFrame } from "../decode";
import { readCapture } from "../io/reader";
import * as zlib from "node:zlib";
import { PcapngWriter, PcapWriter } from "../io/writer";
import { TableBuilder } from "../table/builder";
import { hostileFrames } from "./hostile";
import { fileFields, packetFields, type LengthField } from "./lengths";
import { timedCapture, type FrameRun } from "./times";
import { Rng } from "../gen/prng";

export interface FileSeed {
  name: string;
  bytes: Buffer;
  fields: LengthField[];
}

export interface PacketSeed {
  /** "file#frame" */
  name: string;
  linkType: number;
  bytes: Buffer;
  fields: LengthField[];
}

export interface Corpus {
  files: FileSeed[];
  packets: PacketSeed[];
  /** the first records of each capture file, in order (for ./times.ts) */
  runs: FrameRun[];
}

/** records kept per file for the runs */
const RUN_FRAMES = 64;

/** The capture files in the given folders (not the tshark/capinfos side files). */
export function captureFiles(dirs: string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).sort()) {
      if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(f)) out.push(path.join(d, f));
    }
  }
  return out;
}

/**
 * Loads the corpus. `maxFileBytes`: files larger than this are not file seeds (their packets still
 * are); `perStack`: packets kept per distinct protocol stack and file.
 */
export async function loadCorpus(dirs: string[], opts: { maxFileBytes?: number; perStack?: number } = {}): Promise<Corpus> {
  const maxFile = opts.maxFileBytes ?? 64 * 1024;
  const perStack = opts.perStack ?? 6;
  const files: FileSeed[] = [];
  const packets: PacketSeed[] = [];
  const runs: FrameRun[] = [];
  for (const file of captureFiles(dirs)) {
    const name = path.basename(file);
    const bytes = fs.readFileSync(file);
    if (bytes.length <= maxFile) files.push({ name, bytes, fields: fileFields(bytes) });
    const t = new TableBuilder();
    const seen = new Map<string, number>();
    let n = 0;
    const run: FrameRun = { name, linkType: -1, frames: [] };
    try {
      await readCapture(file, {
        record(b, off, caplen, len, sec, nsec, linkType, iface) {
          n++;
          if (run.frames.length < RUN_FRAMES && (run.linkType === -1 || run.linkType === linkType)) {
            run.linkType = linkType;
            run.frames.push(Buffer.from(b.subarray(off, off + caplen)));
          }
          t.begin(off);
          decodeFrame(t, linkType, b, off, caplen, len, sec, nsec, iface);
          t.end();
          const stack = `${linkType}:${t.paths.path(t.protoPath.get(t.row) ?? 0)}`;
          const k = seen.get(stack) ?? 0;
          if (k >= perStack) return;
          seen.set(stack, k + 1);
          const pkt = Buffer.from(b.subarray(off, off + caplen));
          packets.push({ name: `${name}#${n}`, linkType, bytes: pkt, fields: packetFields(pkt, linkType) });
        },
      });
    } catch {
      // a damaged seed file: its packets before the damage are kept
    }
    if (run.frames.length >= 2) runs.push(run);
  }
  const hostile = hostileFrames();
  hostile.forEach((b, i) => packets.push({ name: `hostile#${i + 1}`, linkType: 1, bytes: b, fields: packetFields(b, 1) }));
  // small files of every format, so the readers have seeds even without the shared corpus
  for (const f of smallFiles(hostile, runs)) if (f.bytes.length <= maxFile) files.push({ ...f, fields: fileFields(f.bytes) });
  return { files, packets, runs };
}

/** data/ and, when present, ../shared/pcaps (or $WIREBOOK_SHARED/pcaps) beside the repository. */
export function defaultDirs(root: string): string[] {
  const shared = process.env.WIREBOOK_SHARED ?? path.resolve(root, "..", "shared");
  return [path.join(root, "data"), path.join(shared, "pcaps")];
}

/**
 * A few hostile frames as pcap (big-endian, ns), pcapng (two interfaces, comments) and gzip; the
 * first records of the first run with no times (Simple Packet Blocks) and with the largest times.
 */
function smallFiles(frames: Buffer[], runs: FrameRun[]): { name: string; bytes: Buffer }[] {
  const pick = [frames[0], frames[1], frames[16], frames[frames.length - 1]].filter((f) => f !== undefined);
  const p = new PcapWriter({ nanosecond: true, bigEndian: true });
  pick.forEach((f, i) => p.write(1718000000 + i, i * 1000, f));
  const pcap = p.close()!;
  const ng = new PcapngWriter({
    comment: "fuzz seed",
    interfaces: [{ name: "eth0", linkType: 1, snaplen: 262144, tsresol: 6, writeTsresol: true }, { name: "eth1", linkType: 1, snaplen: 300, tsresol: 9 }],
  });
  pick.forEach((f, i) => ng.write(1718000000 + i, i * 1000, f.subarray(0, i === 1 ? 200 : f.length), f.length, { interfaceId: i & 1, comment: i === 2 ? "a comment" : undefined, simple: i === 3 }));
  const pcapng = ng.close()!;
  return [
    { name: "seed.pcap", bytes: pcap },
    { name: "seed.pcapng", bytes: pcapng },
    { name: "seed.pcapng.gz", bytes: zlib.gzipSync(pcapng) },
    ...(runs.length === 0 ? [] : [
      { name: "seed-spb.pcapng", bytes: timedCapture(runs[0].frames.slice(0, 8), runs[0].linkType, "spb", new Rng(1)) },
      { name: "seed-max-ns.pcapng", bytes: timedCapture(runs[0].frames.slice(0, 8), runs[0].linkType, "max-ns", new Rng(1)) },
    ]),
  ];
}
