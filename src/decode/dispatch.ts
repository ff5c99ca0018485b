/**
 * Dispatch tables: link type → decoder, EtherType → decoder, IP protocol → decoder, and the
 * port tables for UDP and TCP payloads. Filled from the protocol list in ./index.ts.
 */
import type { Packet } from "../table/builder";
import type { Decoder, PortDecoder, Protocol } from "./protocol";

const byLink = new Map<number, Decoder>();
const byEther = new Map<number, Decoder>();
const byIpProto: (Decoder | undefined)[] = new Array(256);
const byUdpPort = new Map<number, PortDecoder>();
const byTcpPort = new Map<number, PortDecoder>();

export function register(p: Protocol): void {
  const d = p.decode;
  if (d) {
    for (const t of p.linkTypes ?? []) byLink.set(t, d);
    for (const t of p.etherTypes ?? []) byEther.set(t, d);
    for (const t of p.ipProtos ?? []) byIpProto[t] = d;
  }
  const pd = p.decodePayload;
  if (pd) {
    for (const port of p.udpPorts ?? []) byUdpPort.set(port, pd);
    for (const port of p.tcpPorts ?? []) byTcpPort.set(port, pd);
  }
}

export function hasLinkType(t: number): boolean {
  return byLink.has(t);
}

export function decodeLink(p: Packet, linkType: number, b: Buffer, off: number, end: number): void {
  const d = byLink.get(linkType);
  if (d !== undefined) d(p, b, off, end);
}

export function decodeEther(p: Packet, type: number, b: Buffer, off: number, end: number): void {
  const d = byEther.get(type);
  if (d !== undefined) d(p, b, off, end);
}

export function decodeIpProto(p: Packet, proto: number, b: Buffer, off: number, end: number): void {
  const d = byIpProto[proto];
  if (d !== undefined) d(p, b, off, end);
}

function byPorts(table: Map<number, PortDecoder>, p: Packet, sport: number, dport: number,
  b: Buffer, off: number, end: number): boolean {
  // as Wireshark: the lower port first, then the higher
  const lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
  const a = table.get(lo);
  if (a !== undefined && a(p, b, off, end, sport, dport)) return true;
  const c = hi !== lo ? table.get(hi) : undefined;
  return c !== undefined && c !== a && c(p, b, off, end, sport, dport);
}

export function decodeUdpPayload(p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  return byPorts(byUdpPort, p, sport, dport, b, off, end);
}

export function decodeTcpPayload(p: Packet, sport: number, dport: number, b: Buffer, off: number, end: number): boolean {
  return byPorts(byTcpPort, p, sport, dport, b, off, end);
}
