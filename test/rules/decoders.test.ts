/**
 * The engine stands on the packet table's decoders and the stream layer: a rule fires on HTTP
 * inside an 802.11 radiotap capture (a link type only the table decodes), on a view's packets only,
 * and on a TCP payload split across IP fragments (the one defragmenter).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { load } from "../../src/rules";
import { open } from "../../src/table/load";
import "../../src/filter";
import { pcap, tmpFile } from "../helpers/bytes";
import { Conv, F } from "./build";

const RADIOTAP = 127;
/** radiotap (version 0, length 8, nothing present) + 802.11 data frame to the AP + LLC/SNAP for IPv4 */
function wifi(ipPacket: Buffer): Buffer {
  const rt = Buffer.from("0000080000000000", "hex");
  // FC 0x08 0x01 (data, to DS), duration, addr1 BSSID, addr2 SA, addr3 DA, sequence control
  const wlan = Buffer.from("0801" + "0000" + "8a15149b5ae0" + "907240977bf5" + "442b03aaab8d" + "0000", "hex");
  const snap = Buffer.from("aaaa030000000800", "hex");
  return Buffer.concat([rt, wlan, snap, ipPacket]);
}

const get = (path = "/index.html") => new Conv().handshake()
  .send(true, `GET ${path} HTTP/1.1\r\nHost: example.com\r\n\r\n`)
  .send(false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
  .tcp(true, F.FIN | F.ACK).tcp(false, F.FIN | F.ACK).tcp(true, F.ACK);

const RULES = [
  `alert tcp any any -> any any (msg:"secret path"; flow:established,to_server; content:"/secret.php"; sid:1;)`,
  `alert http any any -> any any (msg:"uri"; http.uri; content:"/secret.php"; sid:2;)`,
].join("\n");

test("a content rule fires on HTTP inside an 802.11 radiotap capture, and not without the content", async () => {
  const radiotap = (c: Conv, name: string) =>
    tmpFile(name, pcap(c.recs.map((r) => ({ ...r, data: wifi(r.data) })), { linkType: RADIOTAP }));
  const hit = await open(radiotap(get("/secret.php"), "wifi-hit.pcap"));
  assert.equal(hit.column("frame.protocols").get(3), "radiotap:wlan_radio:wlan:llc:ip:tcp:http");
  const a = await load(RULES).match(hit);
  assert.deepEqual(Object.fromEntries(a.countsBySid()), { 1: 1, 2: 1 });
  const row = a.rows(["sid", "src", "dst", "dport", "frame.number"]).find((r) => r.sid === 1);
  assert.deepEqual(row, { sid: 1, src: "10.0.0.1", dst: "10.0.0.2", dport: 80, "frame.number": 4 });
  const miss = await load(RULES).match(await open(radiotap(get("/index.html"), "wifi-miss.pcap")));
  assert.equal(miss.count, 0);
});

test("a rule set on a view alerts only on the view's packets", async () => {
  const c1 = new Conv("10.0.0.1", "10.0.0.2", 40000, 80).handshake().send(true, "GET /secret.php HTTP/1.1\r\n\r\n");
  const c2 = new Conv("10.0.0.3", "10.0.0.4", 40001, 80).handshake().send(true, "GET /secret.php HTTP/1.1\r\n\r\n");
  for (const r of c2.recs) r.sec += 100;
  const cap = await open(tmpFile("two.pcap", pcap([...c1.recs, ...c2.recs], { linkType: 228 })));
  const rs = load(`alert tcp any any -> any any (content:"/secret.php"; sid:1;)`);
  const all = await rs.match(cap);
  assert.deepEqual(all.rows(["frame.number", "src"]), [{ "frame.number": 4, src: "10.0.0.1" }, { "frame.number": 9, src: "10.0.0.3" }]);
  const view = cap.filter("ip.addr == 10.0.0.3");
  assert.equal(view.count, 5);
  const v = await rs.match(view);
  assert.equal(v.packetsRead, 5, "only the view's packets are read");
  assert.deepEqual(v.rows(["frame.number", "src"]), [{ "frame.number": 9, src: "10.0.0.3" }]);
  assert.ok(v.column("uid").get(0), "the alert carries the view's flow uid");
  assert.equal((await rs.match(cap.filter("ip.addr == 10.0.0.9"))).count, 0);
});

/** an IPv4 packet cut into fragments of `size` payload bytes (a multiple of 8) */
function fragments(packet: Buffer, size: number): Buffer[] {
  const hl = (packet[0] & 15) * 4, body = packet.subarray(hl), out: Buffer[] = [];
  for (let o = 0; o < body.length; o += size) {
    const part = body.subarray(o, Math.min(body.length, o + size));
    const h = Buffer.from(packet.subarray(0, hl));
    h.writeUInt16BE(hl + part.length, 2);
    h.writeUInt16BE(7, 4);
    h.writeUInt16BE((o + size < body.length ? 0x2000 : 0) | (o / 8), 6);
    out.push(Buffer.concat([h, part]));
  }
  return out;
}

test("a TCP payload split across IP fragments is matched once, on the packet that completes it", async () => {
  const c = new Conv().handshake().send(true, "GET /aaaaaaaa/secret.php HTTP/1.1\r\n\r\n");
  const data = c.recs[3].data;
  // TCP header (20) + "GET " in the first fragment: "GET /" straddles the first and the second
  const parts = fragments(data, 24);
  assert.equal(parts.length, 3);
  c.recs.splice(3, 1, ...parts.map((p, i) => ({ sec: c.recs[3].sec, frac: i * 1000, data: p })));
  const rs = load(`alert tcp any any -> any any (flow:established,to_server; content:"/secret.php"; sid:1;)\n` +
    `alert tcp any 40000 -> any 80 (content:"GET /"; depth:5; sid:2;)`);
  const a = await rs.match(await open(c.file("frag.pcap")));
  assert.deepEqual(a.rows(["sid", "frame.number", "sport", "dport"]),
    [{ sid: 1, "frame.number": 6, sport: 40000, dport: 80 }, { sid: 2, "frame.number": 6, sport: 40000, dport: 80 }]);
  // the fragments alone (no first one): nothing to reassemble, no alert, a warning
  const rest = await rs.match(await open(tmpFile("frag-rest.pcap", pcap(c.recs.filter((_, i) => i !== 3), { linkType: 228 }))));
  assert.equal(rest.count, 0);
  assert.ok(rest.warnings.some((w) => /defragmentation: 1 datagrams incomplete/.test(w)), rest.warnings.join("; "));
});
