/**
 * Hand-built HTTP conversations as pcap files: a TCP handshake, the client's bytes, the server's
 * bytes cut into segments (some may be dropped or reordered), FINs. Checksums are left zero (no
 * reader here verifies them; tshark does not by default).
 */
import { pcap, type Rec } from "../helpers/bytes";

const CLIENT = [10, 1, 0, 1], SERVER = [10, 1, 0, 2];

export function frame(fromClient: boolean, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const eth = Buffer.from("020000000002020000000001" + "0800", "hex");
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; ip.writeUInt16BE(20 + 20 + payload.length, 2); ip[6] = 0x40; ip[8] = 64; ip[9] = 6;
  Buffer.from(fromClient ? CLIENT : SERVER).copy(ip, 12);
  Buffer.from(fromClient ? SERVER : CLIENT).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0); tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(seq >>> 0, 4); tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 0x50; tcp[13] = flags; tcp.writeUInt16BE(65535, 14);
  return Buffer.concat([eth, ip, tcp, payload]);
}

export interface ConvOptions {
  /** segment size of the server's bytes (default 1400) */
  mss?: number;
  /** server segment indexes to leave out (a gap) */
  drop?: number[];
  /** swap each pair of server segments (out of order) */
  reorder?: boolean;
  clientPort?: number;
  serverPort?: number;
  /** no FINs (the capture just ends) */
  noFin?: boolean;
}

/** A pcap of one TCP connection: the client sends `req`, the server answers `resp`. */
export function conversation(req: Buffer, resp: Buffer, o: ConvOptions = {}): Buffer {
  const cp = o.clientPort ?? 40000, sp = o.serverPort ?? 80, mss = o.mss ?? 1400;
  const recs: Rec[] = [];
  let t = 0;
  const add = (data: Buffer) => { recs.push({ sec: 1700000000 + Math.floor(t / 1e6), frac: t % 1e6, data }); t += 1000; };
  let cs = 1000, ss = 5000;
  add(frame(true, cp, sp, cs, 0, 0x02, Buffer.alloc(0)));
  add(frame(false, sp, cp, ss, cs + 1, 0x12, Buffer.alloc(0)));
  cs++; ss++;
  add(frame(true, cp, sp, cs, ss, 0x10, Buffer.alloc(0)));
  for (let i = 0; i < req.length; i += mss) {
    const p = req.subarray(i, i + mss);
    add(frame(true, cp, sp, cs, ss, 0x18, p));
    cs += p.length;
  }
  const segs: [number, Buffer][] = [];
  for (let i = 0; i < resp.length; i += mss) {
    const p = resp.subarray(i, i + mss);
    segs.push([ss, p]);
    ss += p.length;
  }
  const order = segs.map((_, i) => i);
  if (o.reorder) for (let i = 0; i + 1 < order.length; i += 2) [order[i], order[i + 1]] = [order[i + 1], order[i]];
  const drop = new Set(o.drop ?? []);
  for (const i of order) if (!drop.has(i)) add(frame(false, sp, cp, segs[i][0], cs, 0x18, segs[i][1]));
  if (!o.noFin) {
    add(frame(false, sp, cp, ss, cs, 0x11, Buffer.alloc(0)));
    add(frame(true, cp, sp, cs, ss + 1, 0x11, Buffer.alloc(0)));
    add(frame(false, sp, cp, ss + 1, cs + 1, 0x10, Buffer.alloc(0)));
  }
  return pcap(recs);
}

/** An HTTP/1.1 response: status line, headers (in order), body. */
export function response(headers: [string, string][], body: Buffer, status = "200 OK"): Buffer {
  const h = headers.map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status}\r\n${h}\r\n`, "latin1"), body]);
}

export function request(uri: string, extra: [string, string][] = [], method = "GET", body = Buffer.alloc(0)): Buffer {
  const h = [["Host", "files.example"], ...extra].map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return Buffer.concat([Buffer.from(`${method} ${uri} HTTP/1.1\r\n${h}\r\n`, "latin1"), body]);
}

/** chunked transfer coding of `body` in pieces of `size` (the last 0-chunk unless `endless`) */
export function chunked(body: Buffer, size: number, endless = false): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const p = body.subarray(i, i + size);
    parts.push(Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from("\r\n"));
  }
  if (!endless) parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}
