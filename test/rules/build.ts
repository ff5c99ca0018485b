/** Hand-made IPv4 TCP/UDP/ICMP conversations (raw IPv4 link type) for rule-engine tests. */
import { pcap, tmpFile, type Rec } from "../helpers/bytes";

function ip(src: string, dst: string, proto: number, l4: Buffer, ttl = 64): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = ttl;
  h[9] = proto;
  src.split(".").forEach((o, i) => { h[12 + i] = Number(o); });
  dst.split(".").forEach((o, i) => { h[16 + i] = Number(o); });
  return Buffer.concat([h, l4]);
}

export const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };

export class Conv {
  readonly recs: Rec[] = [];
  private t = 1_700_000_000;
  private cseq = 1000;
  private sseq = 5000;
  constructor(readonly client = "10.0.0.1", readonly server = "10.0.0.2", readonly cport = 40000, readonly sport = 80) {}

  /** a raw TCP segment */
  tcp(fromClient: boolean, flags: number, payload: Buffer | string = "", seq?: number, ack?: number, ttl = 64): this {
    const data = typeof payload === "string" ? Buffer.from(payload, "latin1") : payload;
    const h = Buffer.alloc(20);
    h.writeUInt16BE(fromClient ? this.cport : this.sport, 0);
    h.writeUInt16BE(fromClient ? this.sport : this.cport, 2);
    h.writeUInt32BE((seq ?? (fromClient ? this.cseq : this.sseq)) >>> 0, 4);
    h.writeUInt32BE((ack ?? (fromClient ? this.sseq : this.cseq)) >>> 0, 8);
    h[12] = 5 << 4;
    h[13] = flags;
    h.writeUInt16BE(65535, 14);
    const l4 = Buffer.concat([h, data]);
    this.recs.push({ sec: this.t++, frac: 0, data: fromClient ? ip(this.client, this.server, 6, l4, ttl) : ip(this.server, this.client, 6, l4, ttl) });
    const adv = data.length + ((flags & (F.SYN | F.FIN)) !== 0 ? 1 : 0);
    if (seq === undefined) { if (fromClient) this.cseq += adv; else this.sseq += adv; }
    return this;
  }

  handshake(): this {
    return this.tcp(true, F.SYN).tcp(false, F.SYN | F.ACK).tcp(true, F.ACK);
  }

  /** data then the peer's ACK */
  send(fromClient: boolean, payload: Buffer | string): this {
    return this.tcp(fromClient, F.ACK | F.PSH, payload).tcp(!fromClient, F.ACK);
  }

  udp(fromClient: boolean, payload: Buffer | string): this {
    const data = typeof payload === "string" ? Buffer.from(payload, "latin1") : payload;
    const h = Buffer.alloc(8);
    h.writeUInt16BE(fromClient ? this.cport : this.sport, 0);
    h.writeUInt16BE(fromClient ? this.sport : this.cport, 2);
    h.writeUInt16BE(8 + data.length, 4);
    const l4 = Buffer.concat([h, data]);
    this.recs.push({ sec: this.t++, frac: 0, data: fromClient ? ip(this.client, this.server, 17, l4) : ip(this.server, this.client, 17, l4) });
    return this;
  }

  icmp(fromClient: boolean, type: number, code = 0, at?: number): this {
    const l4 = Buffer.from([type, code, 0, 0, 0, 1, 0, 1, 0x61, 0x62]);
    if (at !== undefined) this.t = at;
    this.recs.push({ sec: this.t++, frac: 0, data: fromClient ? ip(this.client, this.server, 1, l4) : ip(this.server, this.client, 1, l4) });
    return this;
  }

  /** time of the next packet */
  at(t: number): this {
    this.t = t;
    return this;
  }

  file(name = "conv.pcap"): string {
    return tmpFile(name, pcap(this.recs, { linkType: 228 }));
  }
}

/** several conversations interleaved in order of addition → one file */
export function fileOf(convs: Conv[], name = "convs.pcap"): string {
  const recs = convs.flatMap((c) => c.recs).sort((a, b) => a.sec - b.sec);
  return tmpFile(name, pcap(recs, { linkType: 228 }));
}

/** a DNS query message for `name` */
export function dnsQuery(name: string, id = 0x1234): Buffer {
  const labels = name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}
