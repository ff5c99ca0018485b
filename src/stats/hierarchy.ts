/**
 * Protocol hierarchy, as `tshark -q -z io,phs`: one row per node of the tree of protocol stacks,
 * parent before children, siblings in the order tshark shows them (the order of the first packet
 * that reached each node). frames counts packets through the node, bytes sums their frame.len.
 *
 * Built from the protocol-path trie (frame.protocols): counts per distinct path first (one pass
 * over a u16 column), then the few distinct paths are mapped to tshark's tree. tshark walks the
 * top-level items of its dissection tree, which differs from frame.protocols in that:
 *   - "frame" is the root and not shown; "ethertype" has no tree item;
 *   - an ICMP/ICMPv6 error's quoted packet is dissected inside the ICMP subtree (ip/ipv6, udp,
 *     tcp, icmp of the quoted packet are not top-level items), but an application protocol the
 *     quoted transport hands its payload to (dns …) is; the "data" of an ICMP message is inside
 *     it (for ICMPv6 mostly: tshark shows some ICMPv6 messages' data as top-level, see the tests'
 *     exceptions);
 *   - IPv6 extension headers (ipv6.hopopts, ipv6.routing …) are inside the IPv6 subtree;
 *   - the body of an HTTP message that has headers and no media-type dissector is a top-level
 *     "data"; a continuation's body (no headers in the packet) is inside the HTTP subtree;
 *   - a packet with a comment starts with "pkt_comment" (tshark 4.0 shows it as a protocol);
 *   - a packet a decoder flagged gets a top-level "_ws.short" when the capture cut it (caplen <
 *     len), "_ws.malformed" otherwise, after its last protocol.
 * So the key per packet is (path, comment, HTTP headers, malformed/short).
 */
import type { Capture } from "../table/capture";
import { commentedRows, isLoaded, malformedRows, numbers, pathIds, presentRows } from "../table/bulk";
import { StatTable } from "./table";

const QUOTED = new Set(["ip", "ipv6", "udp", "tcp", "icmp", "icmpv6", "udplite", "sctp"]);

export interface PhsExtras {
  /** the packet has a comment */
  comment?: boolean;
  /** the packet holds an HTTP request or response line (not a continuation) */
  httpHeaders?: boolean;
  /** flagged by a decoder: "short" when the capture cut the packet, else "malformed" */
  damage?: "" | "short" | "malformed";
}

/** The names tshark's io,phs shows for one frame.protocols path. */
export function phsNames(path: string, x: PhsExtras = {}): string[] {
  const names = path.split(":");
  const out: string[] = x.comment ? ["pkt_comment"] : [];
  let inIcmp = false;
  for (let i = 0; i < names.length; i++) {
    const p = names[i];
    if (p === "" || p === "frame" || p === "ethertype" || p.startsWith("ipv6.")) continue;
    if (inIcmp && (QUOTED.has(p) || p === "data")) continue;
    if (p === "data" && names[i - 1] === "http" && !x.httpHeaders) continue;
    out.push(p);
    if (p === "icmp" || p === "icmpv6") inIcmp = true;
  }
  if (x.damage) out.push(x.damage === "short" ? "_ws.short" : "_ws.malformed");
  return out;
}

interface Node {
  name: string;
  path: string;
  depth: number;
  frames: number;
  bytes: number;
  children: Node[];
  byName: Map<string, Node>;
}

/** The protocol hierarchy of a capture (or view), as tshark -z io,phs. */
export function hierarchy(cap: Capture): StatTable {
  const { ids, paths } = pathIds(cap), len = numbers(cap, "frame.len", 0);
  // per row: bit 0 flagged, bit 1 short (caplen < len), bit 2 comment, bit 3 HTTP request/status line
  const x = malformedRows(cap);
  const capLen = numbers(cap, "frame.cap_len"), comments = commentedRows(cap);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== 0 && capLen[i] < len[i]) x[i] |= 2;
    if (comments[i] !== 0) x[i] |= 4;
  }
  for (const f of ["http.request.method", "http.response.code"]) {
    if (!isLoaded(cap, f)) continue;
    const has = presentRows(cap, f);
    for (let i = 0; i < x.length; i++) if (has[i] !== 0) x[i] |= 8;
  }
  const np = paths.length;
  // per (path id, extras) key: frames, bytes, first row
  const frames = new Float64Array(np * 16), bytes = new Float64Array(np * 16), first = new Float64Array(np * 16).fill(Infinity);
  for (let i = 0; i < cap.count; i++) {
    const k = ids[i] * 16 + x[i];
    frames[k]++;
    bytes[k] += len[i];
    if (first[k] === Infinity) first[k] = i;
  }
  const keys: number[] = [];
  for (let k = 0; k < frames.length; k++) if (frames[k] > 0) keys.push(k);
  keys.sort((a, b) => first[a] - first[b]);
  const root: Node = { name: "", path: "", depth: -1, frames: 0, bytes: 0, children: [], byName: new Map() };
  for (const k of keys) {
    let node = root;
    const e = k & 15;
    const extras: PhsExtras = { damage: (e & 1) ? ((e & 2) ? "short" : "malformed") : "", comment: (e & 4) !== 0, httpHeaders: (e & 8) !== 0 };
    for (const name of phsNames(paths[k >> 4], extras)) {
      let c = node.byName.get(name);
      if (c === undefined) {
        c = { name, path: node.path === "" ? name : `${node.path}:${name}`, depth: node.depth + 1, frames: 0, bytes: 0, children: [], byName: new Map() };
        node.byName.set(name, c);
        node.children.push(c);
      }
      c.frames += frames[k];
      c.bytes += bytes[k];
      node = c;
    }
  }
  const rows: (string | number)[][] = [];
  const walk = (n: Node) => {
    for (const c of n.children) {
      rows.push([c.path, c.name, c.depth, c.frames, c.bytes]);
      walk(c);
    }
  };
  walk(root);
  return new StatTable(["path", "protocol", "depth", "frames", "bytes"], rows);
}
