/**
 * The statistics against tshark's own -z output on the shared corpus and data/: io,phs (tree,
 * order, frames, bytes), conv,eth/ip/ipv6/tcp/udp (addresses, ports, A→B and B→A frames, bytes as
 * tshark prints them, start, duration), endpoints,ip/tcp/udp (exact bytes), io,stat,1 (frames,
 * bytes per interval) and the TCP analysis flags per packet (tshark -Y tcp.analysis.* -T fields).
 * tshark runs with the project's per-packet preferences (no defragmentation, no TCP
 * desegmentation; its TCP sequence analysis is on by default). Exceptions: ./exceptions.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DATA, hasTool, SHARED } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/filter";
import { conversations, endpoints, hierarchy, ioStat, tcpTrouble } from "../../src/stats";
import { formatSize, phsText } from "../../src/stats/text";
import { excused } from "./exceptions";
import { parseConv, parseEndpoints, parseIoStat, parsePhs, statBlocks, tsharkAsync } from "./tshark";

const files = [
  ...fs.readdirSync(DATA).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f)).map((f) => path.join(DATA, f)),
  ...(SHARED ? [path.join(SHARED, "pcaps"), path.join(SHARED, "flows")].flatMap((d) =>
    fs.readdirSync(d).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => path.join(d, f))) : []),
];

const STATS = ["io,phs", "conv,eth", "conv,ip", "conv,ipv6", "conv,tcp", "conv,udp", "endpoints,ip", "endpoints,tcp", "endpoints,udp"];
/** io,stat,1 only where it makes at most this many intervals (tshark takes GBs for a capture spanning years) */
const MAX_IO_INTERVALS = 5000;
const KINDS = ["retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order", "lost_segment", "ack_lost_segment",
  "duplicate_ack", "zero_window", "window_full", "window_update", "keep_alive", "keep_alive_ack", "zero_window_probe",
  "zero_window_probe_ack", "reused_ports"];

const sorted = (a: string[]) => [...a].sort();

describe("statistics equal tshark's -z output", { skip: !hasTool("tshark") && "tshark is not installed", concurrency: 4 }, () => {
  for (const file of files) {
    const name = path.basename(file);
    test(name, async (t) => {
      const cap = await open(file);
      const span = cap.summary().duration;
      // tshark prints no interval for a capture of zero duration (one packet); ours has one
      const withIo = span > 0 && span <= MAX_IO_INTERVALS && excused(name, "io,stat,1") === undefined;
      const tcpOut = tsharkAsync(file, ["-Y", KINDS.map((k) => `tcp.analysis.${k}`).join(" || "), "-T", "fields", "-e", "frame.number",
        ...KINDS.flatMap((k) => ["-e", `tcp.analysis.${k}`])]);
      const blocks = statBlocks(await tsharkAsync(file, ["-q", ...(withIo ? [...STATS, "io,stat,1"] : STATS).flatMap((z) => ["-z", z])]));
      assert.equal(blocks.length, STATS.length + (withIo ? 1 : 0), "one block of tshark output per statistic");
      const check = async (stat: string, fn: () => void) => {
        const why = excused(name, stat);
        await t.test(stat, { skip: why }, fn);
      };
      await check("io,phs", () => {
        const theirs = parsePhs(blocks[0]);
        const ours = hierarchy(cap).records().map((r) => ({ path: r.path, protocol: r.protocol, depth: r.depth, frames: r.frames, bytes: r.bytes }));
        assert.deepEqual(ours, theirs);
        // and the text wirebook stats prints is tshark's, byte for byte
        assert.equal(phsText(hierarchy(cap)).trim(), ["", "=".repeat(67), blocks[0], "=".repeat(67)].join("\n").trim());
      });
      for (const [k, type] of (["eth", "ip", "ipv6", "tcp", "udp"] as const).entries()) {
        await check(`conv,${type}`, () => {
          const ports = type === "tcp" || type === "udp";
          const theirs = parseConv(blocks[1 + k], ports).map((r) =>
            [r.a, r.portA, r.b, r.portB, r.framesAB, r.bytesAB, r.framesBA, r.bytesBA, r.start, r.duration].join("|"));
          const ours = conversations(cap, type).records().map((r) =>
            [r.address_a, r.port_a, r.address_b, r.port_b, r.frames_a_to_b, formatSize(r.bytes_a_to_b as number), r.frames_b_to_a,
              formatSize(r.bytes_b_to_a as number), ((r.rel_start as number) ?? 0).toFixed(9), ((r.duration as number) ?? 0).toFixed(4)].join("|"));
          assert.deepEqual(sorted(ours), sorted(theirs));
        });
      }
      for (const [k, type] of (["ip", "tcp", "udp"] as const).entries()) {
        await check(`endpoints,${type}`, () => {
          const ports = type !== "ip";
          const theirs = parseEndpoints(blocks[6 + k], ports);
          const ours = endpoints(cap, type).records().map((r) => ({ address: r.address, port: r.port, frames: r.frames, bytes: r.bytes,
            txFrames: r.tx_frames, txBytes: r.tx_bytes, rxFrames: r.rx_frames, rxBytes: r.rx_bytes }));
          // same rows; the order is frames descending in both (ties: first seen first)
          const key = (r: { address: unknown; port: unknown }) => `${r.address}|${r.port}`;
          assert.deepEqual(sorted(ours.map((r) => JSON.stringify(r))), sorted(theirs.map((r) => JSON.stringify(r))));
          assert.deepEqual(ours.map((r) => r.frames), theirs.map((r) => r.frames));
          void key;
        });
      }
      if (withIo) await check("io,stat,1", () => {
        const theirs = parseIoStat(blocks[9]).map((r) => [r.start, r.cols[0][0], r.cols[0][1]]);
        const ours = ioStat(cap, 1).cells.map((r) => [r[0], r[1], r[2]]);
        assert.deepEqual(ours, theirs);
      });
      const out = await tcpOut;
      await check("tcp", () => {
        const theirs: string[] = [];
        for (const line of out.split("\n")) {
          if (line === "") continue;
          const c = line.split("\t");
          KINDS.forEach((k, j) => { if (c[j + 1] !== "") theirs.push(`${c[0]} ${k}`); });
        }
        const ours = tcpTrouble(cap, { uids: false }).packets.records().filter((r) => r.kind !== "reset").map((r) => `${r["frame.number"]} ${r.kind}`);
        assert.deepEqual(sorted(ours), sorted(theirs));
      });
    });
  }
});
