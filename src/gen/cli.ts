#!/usr/bin/env node
/**
 * wirebook-gen: deterministic captures.
 *   node dist/src/gen/cli.js data [DIR]        rewrite data/ (default: the repository's data/)
 *   node dist/src/gen/cli.js office -o FILE [--packets N] [--seed S] [--format pcap|pcapng]
 *        [--nanosecond] [--max-object BYTES] [--start EPOCH] [--variant office|vlan-ipv6]
 */
import * as fs from "fs";
import * as path from "path";
import { PcapngWriter, PcapWriter } from "../io/writer";
import { writeDataFiles } from "./data";
import { generateOffice } from "./office";

function usage(msg?: string): never {
  if (msg) process.stderr.write(`wirebook-gen: ${msg}\n`);
  process.stderr.write("usage: cli.js data [DIR] | cli.js office -o FILE [--packets N] [--seed S] [--format pcap|pcapng] [--nanosecond] [--max-object BYTES] [--start EPOCH] [--variant office|vlan-ipv6]\n");
  process.exit(2);
}

function main(argv: string[]): void {
  const cmd = argv[0];
  if (cmd === "data") {
    const dir = argv[1] ?? path.join(__dirname, "..", "..", "..", "data");
    fs.mkdirSync(dir, { recursive: true });
    for (const { name, stats } of writeDataFiles(dir)) {
      process.stdout.write(`${path.join(dir, name)}: ${stats.packets} packets, ${stats.bytes} bytes\n`);
    }
    return;
  }
  if (cmd !== "office") usage(cmd ? `unknown command ${cmd}` : undefined);
  let out = "";
  let packets = 100000;
  let seed = 1;
  let format = "pcap";
  let nanosecond = false;
  let maxObject: number | undefined;
  let start: number | undefined;
  let variant: "office" | "vlan-ipv6" = "office";
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => argv[++i] ?? usage(`${a} needs a value`);
    if (a === "-o" || a === "--out") out = v();
    else if (a === "--packets") packets = Number(v());
    else if (a === "--seed") seed = Number(v());
    else if (a === "--format") format = v();
    else if (a === "--nanosecond") nanosecond = true;
    else if (a === "--max-object") maxObject = Number(v());
    else if (a === "--start") start = Number(v());
    else if (a === "--variant") {
      const x = v();
      if (x !== "office" && x !== "vlan-ipv6") usage(`bad variant ${x}`);
      variant = x;
    } else usage(`unknown option ${a}`);
  }
  if (!out) usage("-o FILE is required");
  if (!(packets > 0)) usage("--packets must be positive");
  const t0 = process.hrtime.bigint();
  const w =
    format === "pcapng"
      ? new PcapngWriter({ path: out, interfaces: [{ name: "eth0", tsresol: nanosecond ? 9 : 6 }] })
      : format === "pcap"
        ? new PcapWriter({ path: out, nanosecond })
        : usage(`bad format ${format}`);
  const s = generateOffice({ seed, packets, maxObject, startTime: start, variant, sink: w });
  w.close();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${out}: ${s.packets} packets, ${s.bytes} bytes (${s.clamped} clamped) in ${secs.toFixed(2)} s (${Math.round(s.packets / secs)} packets/s)\n`);
}

main(process.argv.slice(2));
