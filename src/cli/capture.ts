/**
 * `wirebook capture -i DEV [-c COUNT] [-a duration:SECONDS] [-f BPF] [-w FILE]`: live capture with
 * tshark's options. Without -w, one summary line per packet on stdout; with -w, the packets are
 * written to FILE as they arrive (pcapng, or pcap when FILE ends in .pcap or -F pcap) with their
 * kernel timestamps. "Capturing on …" and the count go to stderr, as tshark does. Ctrl-C (SIGINT)
 * or SIGTERM stops the capture and keeps what was captured.
 */
import { devices, LiveCaptureError, sniff } from "../table/live";
import { startSession, type LiveOptions, type LiveStats } from "../io/livecap";
import { PcapngWriter, PcapWriter } from "../io/writer";
import { escapeControls } from "./escape";
import { UsageError } from "./usage";
import { Output } from "./output";

const HELP = `usage: wirebook capture -i DEV [-c COUNT] [-a duration:SECONDS] [-f BPF] [-w FILE] [-F pcap|pcapng] [-s SNAPLEN] [-p] [-q]
       wirebook capture -D            list the capture devices
`;

function num(v: string | undefined, opt: string, int: boolean): number {
  const n = Number(v);
  if (v === undefined || v === "" || !Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) {
    throw new UsageError(`${opt} needs a positive ${int ? "integer" : "number"} (got ${v ?? "nothing"})`);
  }
  return n;
}

export async function captureCommand(args: string[]): Promise<number> {
  const o: LiveOptions = {};
  let file: string | undefined, format: "pcap" | "pcapng" | undefined, quiet = false, list = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      return args[++i];
    };
    switch (a) {
      case "-i": o.device = val(); break;
      case "-c": o.count = num(val(), "-c", true); break;
      case "-a": {
        const v = val();
        const m = /^duration:(.+)$/.exec(v);
        if (!m) throw new UsageError(`-a takes duration:SECONDS (got ${v})`);
        o.seconds = num(m[1], "-a duration:", false);
        break;
      }
      case "-f": o.filter = val(); break;
      case "-s": o.snaplen = num(val(), "-s", true); break;
      case "-p": o.promisc = false; break;
      case "-w": file = val(); break;
      case "-F": {
        const v = val();
        if (v !== "pcap" && v !== "pcapng") throw new UsageError(`-F takes pcap or pcapng (got ${v})`);
        format = v;
        break;
      }
      case "-q": quiet = true; break;
      case "-D": list = true; break;
      case "-h": case "--help": process.stdout.write(HELP); return 0;
      default: throw new UsageError(`capture: unknown option ${a}`);
    }
  }
  try {
    if (list) {
      devices().forEach((d, i) => {
        const addrs = d.addresses.map((x) => x.addr).join(", ");
        process.stdout.write(`${i + 1}. ${d.name}${d.description ? ` (${d.description})` : ""}${d.loopback ? " [loopback]" : ""}${addrs ? `  ${addrs}` : ""}\n`);
      });
      return 0;
    }
    // Ctrl-C / SIGTERM: stop and keep what was captured (as tshark)
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    o.signal = ac.signal;
    try {
      const stats = file !== undefined ? await toFile(o, file, format ?? (/\.pcap$/i.test(file) ? "pcap" : "pcapng"), quiet) : await toLines(o, quiet);
      process.stderr.write(`${stats.packets} packet${stats.packets === 1 ? "" : "s"} captured` +
        (stats.dropped > 0 ? ` (${stats.dropped} dropped by the kernel)` : "") + "\n");
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    return 0;
  } catch (e) {
    if (e instanceof LiveCaptureError) {
      process.stderr.write(`wirebook: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function toLines(o: LiveOptions, quiet: boolean): Promise<LiveStats> {
  const out = new Output(1);
  let pending = false;
  const s = sniff({
    ...o,
    onPacket: (p) => {
      if (quiet) return;
      out.write(escapeControls(p.summary()) + "\n");
      if (!pending) { pending = true; setImmediate(() => { pending = false; out.flush(); }); }
    },
  });
  process.stderr.write(`Capturing on '${s.device}'\n`);
  try {
    return await s;
  } finally {
    out.flush();
  }
}

async function toFile(o: LiveOptions, file: string, format: "pcap" | "pcapng", quiet: boolean): Promise<LiveStats> {
  let w: PcapWriter | PcapngWriter | null = null;
  const s = startSession(o, {
    record(b, off, caplen, len, sec, nsec) {
      (w as PcapWriter | PcapngWriter).write(sec, nsec, b.subarray(off, off + caplen), len);
    },
  });
  const snaplen = s.snaplen, linkType = s.linkType, nanosecond = s.nanosecond;
  try {
    w = format === "pcap"
      ? new PcapWriter({ path: file, linkType, snaplen, nanosecond, bufferSize: 1 << 20 })
      : new PcapngWriter({ path: file, userAppl: "Wirebook", bufferSize: 1 << 20, interfaces: [{ linkType, snaplen, name: s.device, tsresol: nanosecond ? 9 : 6 }] });
  } catch (e) {
    s.stop();
    await s.done.catch(() => undefined);
    throw e;
  }
  if (!quiet) process.stderr.write(`Capturing on '${s.device}'\n`);
  try {
    return await s.done;
  } finally {
    w.close();
  }
}
