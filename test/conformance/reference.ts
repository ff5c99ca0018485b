/**
 * The tshark oracle: the per-packet reference command (as ../shared/tools/tshark-reference.sh runs
 * it) and a field-by-field comparison of our `wirebook fields` output against it.
 */
import { execFileSync } from "node:child_process";

export const STANDARD_FIELDS = [
  "frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "eth.src", "eth.dst", "eth.type", "vlan.id",
  "sll.pkttype", "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.id", "ip.flags.mf", "ip.frag_offset", "ipv6.src", "ipv6.dst",
  "ipv6.nxt", "ipv6.hlim", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "tcp.srcport", "tcp.dstport",
  "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.window_size_value", "tcp.len", "udp.srcport", "udp.dstport",
  "udp.length", "icmp.type", "icmp.code", "icmpv6.type", "dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type",
  "dns.flags.rcode", "dns.count.answers", "http.request.method", "http.host", "http.request.uri",
  "http.response.code", "tls.handshake.type", "tls.handshake.extensions_server_name", "mpls.label",
  "gre.proto", "vxlan.vni",
];

/** tshark's per-packet fields for `file` (header line first), as the reference script prints them. */
export function tsharkFields(file: string, fields: string[] = STANDARD_FIELDS, extra: readonly string[] = []): string {
  const args = [...extra, "-r", file, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
    "-o", "tcp.desegment_tcp_streams:FALSE", "-T", "fields", "-E", "header=y", "-E", "separator=/t", "-E", "occurrence=f"];
  for (const f of fields) args.push("-e", f);
  try {
    return execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28, env: { ...process.env, TZ: "UTC" } });
  } catch (e) {
    // tshark exits 2 on a cut-off or corrupt file after printing the packets before the damage
    const out = (e as { stdout?: string }).stdout;
    if (typeof out === "string") return out;
    throw e;
  }
}

export interface Mismatch {
  field: string;
  frame: number;
  ours: string;
  theirs: string;
}

export interface Comparison {
  rowsOurs: number;
  rowsTheirs: number;
  headerEqual: boolean;
  mismatches: Mismatch[];
  /** mismatch count per field */
  byField: Map<string, number>;
}

/** Compares two -T fields outputs cell by cell. */
export function compareFields(ours: string, theirs: string): Comparison {
  const a = ours.split("\n"), b = theirs.split("\n");
  if (a[a.length - 1] === "") a.pop();
  if (b[b.length - 1] === "") b.pop();
  const header = b[0]?.split("\t") ?? [];
  const res: Comparison = {
    rowsOurs: a.length - 1, rowsTheirs: b.length - 1, headerEqual: a[0] === b[0], mismatches: [], byField: new Map(),
  };
  const n = Math.max(a.length, b.length);
  for (let i = 1; i < n; i++) {
    const x = (a[i] ?? "").split("\t"), y = (b[i] ?? "").split("\t");
    for (let j = 0; j < header.length; j++) {
      const xs = x[j] ?? "", ys = y[j] ?? "";
      if (xs !== ys) {
        res.mismatches.push({ field: header[j], frame: i, ours: xs, theirs: ys });
        res.byField.set(header[j], (res.byField.get(header[j]) ?? 0) + 1);
      }
    }
  }
  return res;
}

/** A short human report of a comparison. */
export function describe(c: Comparison, max = 12): string {
  const lines = [`rows: ours ${c.rowsOurs}, tshark ${c.rowsTheirs}; header ${c.headerEqual ? "equal" : "differs"}`];
  for (const [f, k] of c.byField) lines.push(`  ${f}: ${k} mismatches`);
  for (const m of c.mismatches.slice(0, max)) lines.push(`  frame ${m.frame} ${m.field}: ours "${m.ours}" tshark "${m.theirs}"`);
  return lines.join("\n");
}
