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

/** Puts a protocol in the dispatch tables and its name in the field registry (the filter's list). */
export function register(p: Protocol): void {
  defineProtocol(p.name);
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

export function decodeUdpPayload(p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  return byPorts(byUdpPort, p, sport, dport, b, off, end);
}

export function decodeTcpPayload(p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  return byPorts(byTcpPort, p, sport, dport, b, off, end);
}
