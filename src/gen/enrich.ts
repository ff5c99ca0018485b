/**
 * Captures for the enrich tests and notebook (src/enrich): office traffic (src/gen/office.ts)
 * with known changes or anomalies injected, merged by time. `diff(office, office+changes)` must
 * list the injected changes first; `insights(office+anomalies)` must find each anomaly.
 */
import { Frame, mac, ip4, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, TCP_RST, type Mac } from "./packet";
import { dns, DNS_A, DNS_TXT, tlsClientHello } from "./apps";
import { Rng } from "./prng";
import { generateOffice } from "./office";

export interface Rec { sec: number; nsec: number; data: Buffer }
export interface RecordSink { write(sec: number, nsec: number, data: Uint8Array): void }

const START = 1718000000; // the office scenario's start (2024-06-10 06:13:20 UTC)
const CLIENT_MAC = mac("02:42:ac:11:00:66"), ROUTER_MAC = mac("02:42:ac:11:00:01");

/** What the changes and anomalies are, for the tests to look for. */
export const INJECTED = {
  changes: { host: "198.51.100.77", client: "192.168.1.37", port: 4444, dnsName: "update.badexample.test", connections: 40, queries: 40 },
  anomalies: {
    rarePort: 31337, rareHost: "203.0.113.200", large: { host: "203.0.113.201", bytes: 12_000_000 },
    long: { host: "203.0.113.202", seconds: 7200 }, nxdomain: 40, txt: 40, scanner: "192.168.1.66", peers: 70,
    retransmit: { host: "203.0.113.203", times: 20 }, nightSec: 1717988400 /* 03:00 UTC */, nightPackets: 24, ja4Sni: "odd-client.example",
  },
};

class Builder {
  readonly out: Rec[] = [];
  private readonly f = new Frame();
  private id = 1;
  constructor(readonly rng: Rng) {}

  private put(t: number, n: number): void {
    const sec = Math.floor(t), nsec = Math.round((t - sec) * 1e6) * 1000;
    this.out.push({ sec, nsec, data: Buffer.from(this.f.buf.subarray(0, n)) });
  }

  tcp(t: number, src: string, dst: string, sp: number, dp: number, seq: number, ack: number, flags: number, payload?: Uint8Array, macs: [Mac, Mac] = [ROUTER_MAC, CLIENT_MAC]): void {
    const f = this.f.eth(macs[0], macs[1]).ipv4(ip4(src), ip4(dst), PROTO_TCP, 64, this.id++ & 0xffff, true).tcp(sp, dp, seq >>> 0, ack >>> 0, flags, 65535);
    if (payload) f.bytes(payload);
    this.put(t, f.finish());
  }

  udpDns(t: number, src: string, dst: string, sp: number, m: Parameters<typeof dns>[1], response: boolean): void {
    const f = this.f.eth(response ? CLIENT_MAC : ROUTER_MAC, response ? ROUTER_MAC : CLIENT_MAC).ipv4(ip4(src), ip4(dst), PROTO_UDP, 64, this.id++ & 0xffff, false);
    if (response) f.udp(53, sp); else f.udp(sp, 53);
    dns(f, m);
    this.put(t, f.finish());
  }

  /** A whole TCP connection: handshake, `bytes` from the client in `chunk`-byte segments, answers, FIN; `dt` between packets. */
  conn(t: number, c: string, s: string, cp: number, sp: number, bytes: number, o: { chunk?: number; dt?: number; first?: Uint8Array; retransmit?: number; reply?: number } = {}): number {
    const chunk = o.chunk ?? 1400, dt = o.dt ?? 0.001;
    let cs = this.rng.int(1 << 30), ss = this.rng.int(1 << 30);
    this.tcp(t, c, s, cp, sp, cs, 0, TCP_SYN); t += dt;
    this.tcp(t, s, c, sp, cp, ss, cs + 1, TCP_SYN | TCP_ACK); t += dt;
    cs++; ss++;
    this.tcp(t, c, s, cp, sp, cs, ss, TCP_ACK); t += dt;
    let sent = 0, first = true;
    while (sent < bytes) {
      const data = first && o.first ? o.first : new Uint8Array(Math.min(chunk, bytes - sent)).fill(0x41);
      const copies = first && o.retransmit ? o.retransmit : 1;
      for (let k = 0; k < copies; k++) { this.tcp(t, c, s, cp, sp, cs, ss, TCP_ACK | TCP_PSH, data); t += dt * (k > 0 ? 200 : 1); }
      first = false;
      cs += data.length; sent += data.length;
      this.tcp(t, s, c, sp, cp, ss, cs, TCP_ACK); t += dt;
    }
    if (o.reply) { this.tcp(t, s, c, sp, cp, ss, cs, TCP_ACK | TCP_PSH, new Uint8Array(o.reply).fill(0x42)); ss += o.reply; t += dt; this.tcp(t, c, s, cp, sp, cs, ss, TCP_ACK); t += dt; }
    this.tcp(t, c, s, cp, sp, cs, ss, TCP_FIN | TCP_ACK); t += dt;
    this.tcp(t, s, c, sp, cp, ss, cs + 1, TCP_FIN | TCP_ACK); t += dt;
    this.tcp(t, c, s, cp, sp, cs + 1, ss + 1, TCP_ACK);
    return t;
  }
}

/** The diff test's changes: a new host on a new port (many connections) and a new DNS name asked often. */
export function changeFrames(seed = 17): Rec[] {
  const b = new Builder(new Rng(seed));
  const C = INJECTED.changes;
  for (let i = 0; i < C.connections; i++) b.conn(START + 5 + i, C.client, C.host, 40000 + i, C.port, 600, { reply: 300 });
  for (let i = 0; i < C.queries; i++) {
    b.udpDns(START + 3 + i * 1.5, C.client, "192.168.1.1", 50000 + i, { id: 0x4000 + i, response: false, qname: C.dnsName, qtype: DNS_A }, false);
    b.udpDns(START + 3 + i * 1.5 + 0.01, "192.168.1.1", C.client, 50000 + i, { id: 0x4000 + i, response: true, qname: C.dnsName, qtype: DNS_A,
      answers: [{ type: DNS_A, name: C.dnsName, ttl: 60, addr: ip4(C.host) }] }, true);
  }
  return b.out;
}

/** The insights test's anomalies (see INJECTED.anomalies). */
export function anomalyFrames(seed = 19): Rec[] {
  const rng = new Rng(seed);
  const b = new Builder(rng);
  const A = INJECTED.anomalies, me = "192.168.1.37";
  b.conn(START + 10, me, A.rareHost, 45001, A.rarePort, 20_000, { reply: 20_000 });
  b.conn(START + 12, "192.168.1.23", A.large.host, 45002, 443, A.large.bytes, { dt: 0.00002 });
  // a long connection: a byte every few minutes for two hours
  b.conn(START + 30, "192.168.1.52", A.long.host, 45003, 22, 12, { chunk: 1, dt: A.long.seconds / 30 });
  for (let i = 0; i < A.nxdomain; i++) {
    const q = `${rng.int(1e9).toString(36)}x${i}.example.com`;
    b.udpDns(START + 20 + i * 0.5, me, "192.168.1.1", 51000 + i, { id: 0x5000 + i, response: false, qname: q, qtype: DNS_A }, false);
    b.udpDns(START + 20 + i * 0.5 + 0.01, "192.168.1.1", me, 51000 + i, { id: 0x5000 + i, response: true, rcode: 3, qname: q, qtype: DNS_A }, true);
  }
  for (let i = 0; i < A.txt; i++) {
    const q = `${rng.int(1e9).toString(16)}.t.tunnel.example`;
    b.udpDns(START + 40 + i * 0.5, me, "192.168.1.1", 52000 + i, { id: 0x6000 + i, response: false, qname: q, qtype: DNS_TXT }, false);
  }
  for (let i = 0; i < A.peers; i++) {
    const peer = `10.20.${Math.floor(i / 200)}.${(i % 200) + 1}`;
    b.tcp(START + 50 + i * 0.05, A.scanner, peer, 46000 + i, 80, rng.int(1 << 30), 0, TCP_SYN);
    b.tcp(START + 50 + i * 0.05 + 0.001, peer, A.scanner, 80, 46000 + i, 0, 1, TCP_RST | TCP_ACK);
  }
  b.conn(START + 60, me, A.retransmit.host, 45004, 443, 14_000, { retransmit: A.retransmit.times });
  for (let i = 0; i < A.nightPackets / 2; i++) b.tcp(A.nightSec + i, me, "203.0.113.70", 47000, 80, 1000 + i, 1, TCP_ACK);
  for (let i = 0; i < A.nightPackets / 2; i++) b.tcp(A.nightSec + i + 0.5, "203.0.113.70", me, 80, 47000, 1, 1000 + i, TCP_ACK);
  // a TLS client unlike the office's browsers
  const hello = tlsClientHello(rng, { sni: A.ja4Sni, alpn: [], tls13: false, sessionId: [] });
  b.conn(START + 70, "192.168.1.15", "203.0.113.204", 45005, 443, hello.length, { first: hello, reply: 200 });
  return b.out;
}

/** Office traffic (`packets`, `seed`) with `extra` frames merged in by time, written to `sink`. */
export function writeMerged(sink: RecordSink, extra: Rec[], o: { seed?: number; packets?: number } = {}): number {
  const office: Rec[] = [];
  generateOffice({ seed: o.seed ?? 4, packets: o.packets ?? 2500, maxObject: 200_000, startTime: START,
    sink: { write(sec, nsec, data) { office.push({ sec, nsec, data: Buffer.from(data) }); } } });
  const all = [...office.map((r, i) => ({ r, k: i })), ...extra.map((r, i) => ({ r, k: office.length + i }))];
  all.sort((a, b) => a.r.sec - b.r.sec || a.r.nsec - b.r.nsec || a.k - b.k);
  for (const { r } of all) sink.write(r.sec, r.nsec, r.data);
  return all.length;
}
