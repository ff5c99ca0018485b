/** Decodes hand-made frames into a Capture, for decoder unit tests. */
import "../../src/decode";
import { decodeFrame } from "../../src/decode";
import { TableBuilder } from "../../src/table/builder";
import { Capture } from "../../src/table/capture";

/** Bytes from a hex string (spaces, newlines and `|` are ignored). */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]/g, ""), "hex");
}

/** Decodes each frame (link type 1, Ethernet, by default) into one row. */
export function decodeFrames(frames: Uint8Array[], linkType = 1): Capture {
  const t = new TableBuilder();
  frames.forEach((f, i) => {
    const b = Buffer.from(f);
    t.begin();
    decodeFrame(t, linkType, b, 0, b.length, b.length, 1700000000 + i, 0, 0);
    t.end();
  });
  return new Capture("<test>", t, {
    format: "pcap", gzip: false, bigEndian: false, nanosecond: false, comments: [], sections: 1,
    interfaces: [{ linkType, snaplen: 65535, unitsPerSecond: 1e6, offsetSeconds: 0 }],
  }, []);
}

/** One frame's fields as tshark text: { "ip.src": "10.0.0.1", … } for the named fields. */
export function fieldsOf(frame: Uint8Array, names: string[], linkType = 1): Record<string, string> {
  const c = decodeFrames([frame], linkType);
  const o: Record<string, string> = {};
  for (const n of names) o[n] = c.column(n).text(0);
  return o;
}

/**
 * An Ethernet/IPv4 frame carrying `l4` with IP protocol `proto`. The client is 10.0.0.1 and the
 * server 10.0.0.2: the side with the higher port is the client, so a reply swaps the addresses
 * (decoders with per-connection state see one connection in both directions).
 */
export function ipv4Frame(proto: number, l4: Buffer, sport = 1, dport = 0): Buffer {
  const client = "0a000001", server = "0a000002";
  const ip = Buffer.from("450000000001400040000000" + (sport > dport ? client + server : server + client), "hex");
  ip[9] = proto;
  ip.writeUInt16BE(20 + l4.length, 2);
  return Buffer.concat([Buffer.from("00112233445566778899aabb0800", "hex"), ip, l4]);
}

/** Ethernet/IPv4/UDP carrying `payload` (a string is latin1 bytes). */
export function udpFrame(payload: Buffer | string, sport: number, dport: number): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload, "latin1") : payload;
  const l4 = Buffer.alloc(8);
  l4.writeUInt16BE(sport, 0); l4.writeUInt16BE(dport, 2); l4.writeUInt16BE(8 + p.length, 4);
  return ipv4Frame(17, Buffer.concat([l4, p]), sport, dport);
}

/** Ethernet/IPv4/TCP (PSH+ACK, seq 1000, window 65535) carrying `payload`. */
export function tcpFrame(payload: Buffer | string, sport: number, dport: number): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload, "latin1") : payload;
  const l4 = Buffer.alloc(20);
  l4.writeUInt16BE(sport, 0); l4.writeUInt16BE(dport, 2); l4.writeUInt32BE(1000, 4);
  l4[12] = 0x50; l4[13] = 0x18; l4.writeUInt16BE(65535, 14);
  return ipv4Frame(6, Buffer.concat([l4, p]), sport, dport);
}
