/**
 * Dispatch tables: link type → decoder, EtherType → decoder, IP protocol → decoder, and the
 * port tables for UDP and TCP payloads. Filled from the protocol list in ./index.ts.
 */
import { defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import type { Decoder, PortDecoder, Protocol } from "./protocol";

// plain arrays indexed by the 16-bit value (or 8-bit protocol): one load per packet, no hashing
const table = <T>(n: number): (T | undefined)[] => new Array<T | undefined>(n).fill(undefined);
const byLink = table<Decoder>(65536);
const byEther = table<Decoder>(65536);
const byIpProto = table<Decoder>(256);
const byUdpPort = table<PortDecoder>(65536);
const byTcpPort = table<PortDecoder>(65536);
const byName = new Map<string, Protocol>();
/** heuristic payload decoders (user-defined protocols), tried after the port tables, in order */
const udpHeuristics: PortDecoder[] = [];
const tcpHeuristics: PortDecoder[] = [];

/** Puts a protocol in the dispatch tables and its name in the field registry (the filter's list). */
export function register(p: Protocol): void {
  defineProtocol(p.name);
  if (!byName.has(p.name)) byName.set(p.name, p);
  const d = p.decode;
  if (d) {
    for (const t of p.linkTypes ?? []) byLink[t] = d;
    for (const t of p.etherTypes ?? []) byEther[t] = d;
    for (const t of p.ipProtos ?? []) byIpProto[t] = d;
  }
  const pd = p.decodePayload;
  if (pd) {
    for (const port of p.udpPorts ?? []) byUdpPort[port] = pd;
    for (const port of p.tcpPorts ?? []) byTcpPort[port] = pd;
  }
}

export function hasLinkType(t: number): boolean {
  return t >= 0 && t < 65536 && byLink[t] !== undefined;
}

export function decodeLink(p: Packet, linkType: number, b: Buffer, off: number, end: number): void {
  const d = linkType < 65536 ? byLink[linkType] : undefined;
  if (d !== undefined) d(p, b, off, end);
}

export function decodeEther(p: Packet, type: number, b: Buffer, off: number, end: number): void {
  const d = byEther[type & 0xffff];
  if (d !== undefined) d(p, b, off, end);
}

export function decodeIpProto(p: Packet, proto: number, b: Buffer, off: number, end: number): void {
  const d = byIpProto[proto];
  if (d !== undefined) d(p, b, off, end);
}

function byPorts(ports: (PortDecoder | undefined)[], p: Packet, sport: number, dport: number,
  b: Buffer, off: number, end: number): boolean {
  // as Wireshark: the lower port first, then the higher
  const lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
  const a = ports[lo];
  if (a !== undefined && a(p, b, off, end, sport, dport)) return true;
  const c = hi !== lo ? ports[hi] : undefined;
  return c !== undefined && c !== a && c(p, b, off, end, sport, dport);
}

function heuristic(list: PortDecoder[], p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  for (let i = 0; i < list.length; i++) if (list[i](p, b, off, end, sport, dport)) return true;
  return false;
}

export function decodeUdpPayload(p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  return byPorts(byUdpPort, p, sport, dport, b, off, end) || (udpHeuristics.length > 0 && heuristic(udpHeuristics, p, sport, dport, b, off, end));
}

export function decodeTcpPayload(p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  return byPorts(byTcpPort, p, sport, dport, b, off, end) || (tcpHeuristics.length > 0 && heuristic(tcpHeuristics, p, sport, dport, b, off, end));
}

/** A built-in protocol by its name ("dns"), for user-defined protocols that hand their payload on. */
export function builtinProtocol(name: string): Protocol | undefined {
  return byName.get(name);
}

/** The dissector tables a user-defined protocol can join (Wireshark's names). */
export type DispatchTable = "eth.type" | "ip.proto" | "udp.port" | "tcp.port" | "udp.heuristic" | "tcp.heuristic";

/**
 * Puts a decoder in a table entry, replacing what was there (as Wireshark's
 * `DissectorTable:add`), and returns the function that puts the old entry back. Heuristic
 * decoders (`key` ignored) are appended to the list tried after the port tables.
 */
export function bind(t: DispatchTable, key: number, d: Decoder | PortDecoder): () => void {
  if (t === "udp.heuristic" || t === "tcp.heuristic") {
    const list = t === "udp.heuristic" ? udpHeuristics : tcpHeuristics;
    list.push(d as PortDecoder);
    return () => { const i = list.indexOf(d as PortDecoder); if (i >= 0) list.splice(i, 1); };
  }
  const arr: (Decoder | PortDecoder | undefined)[] = t === "eth.type" ? byEther : t === "ip.proto" ? byIpProto : t === "udp.port" ? byUdpPort : byTcpPort;
  const old = arr[key];
  arr[key] = d;
  return () => { if (arr[key] === d) arr[key] = old; };
}
