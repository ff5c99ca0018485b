/**
 * A capture whose attacker-controlled strings are HTML/JS injection payloads: DNS query names,
 * HTTP Host / request URI / User-Agent and TLS SNI. Written with PcapWriter and the generator's
 * frame builder, so every packet decodes as real traffic would.
 */
import { PcapWriter } from "../../src/io/writer";
import { Frame, ip4, mac, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_PSH, TCP_SYN } from "../../src/gen/packet";
import { dns, DNS_A, tlsClientHello } from "../../src/gen/apps";
import { Rng } from "../../src/gen/prng";

export const PAYLOADS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "</script><script>alert(2)</script>",
  "<svg onload=alert(3)>",
  "<b>bold</b>&amp;<br>",
  "'-alert(4)-'<a href=javascript:alert(5)>x</a>",
];

/** The capture as pcap bytes, and the strings that must show as text. */
export function hostileCapture(path?: string): Buffer | undefined {
  const w = new PcapWriter(path === undefined ? {} : { path });
  const f = new Frame();
  const rng = new Rng(7);
  const cmac = mac("02:00:00:00:00:01"), smac = mac("02:00:00:00:00:02");
  const client = ip4("10.0.0.5"), resolver = ip4("10.0.0.53"), web = ip4("203.0.113.80");
  let sec = 1717999200, us = 0;
  const emit = () => { f.finish(); us += 7000; w.write(sec + Math.floor(us / 1e6), (us % 1e6) * 1000, f.view()); };
  PAYLOADS.forEach((p, i) => {
    // DNS query and answer whose name is the payload (a label may not hold "."; these do not)
    f.eth(smac, cmac).ipv4(client, resolver, PROTO_UDP, 64, 100 + i, false).udp(40000 + i, 53);
    dns(f, { id: 0x1000 + i, response: false, qname: `${p}.example`, qtype: DNS_A });
    emit();
    f.eth(cmac, smac).ipv4(resolver, client, PROTO_UDP, 64, 200 + i, false).udp(53, 40000 + i);
    dns(f, { id: 0x1000 + i, response: true, qname: `${p}.example`, qtype: DNS_A, answers: [{ type: DNS_A, name: `${p}.example`, ttl: 60, addr: web }] });
    emit();
    // HTTP request: Host, URI and User-Agent are the payload
    const sport = 50000 + i;
    let seq = 1000 * (i + 1), ack = 9000 * (i + 1);
    f.eth(smac, cmac).ipv4(client, web, PROTO_TCP, 64, 300 + i, true).tcp(sport, 80, seq, 0, TCP_SYN, 64240);
    emit();
    f.eth(cmac, smac).ipv4(web, client, PROTO_TCP, 64, 400 + i, true).tcp(80, sport, ack, seq + 1, TCP_SYN | TCP_ACK, 65160);
    emit();
    seq++; ack++;
    const req = `GET /${p} HTTP/1.1\r\nHost: ${p}\r\nUser-Agent: ${p}\r\nAccept: */*\r\n\r\n`;
    f.eth(smac, cmac).ipv4(client, web, PROTO_TCP, 64, 500 + i, true).tcp(sport, 80, seq, ack, TCP_PSH | TCP_ACK, 502).ascii(req);
    emit();
    f.eth(cmac, smac).ipv4(web, client, PROTO_TCP, 64, 600 + i, true).tcp(80, sport, ack, seq + req.length, TCP_ACK, 509);
    emit();
    // TLS ClientHello whose SNI is the payload
    const tport = 51000 + i;
    f.eth(smac, cmac).ipv4(client, web, PROTO_TCP, 64, 700 + i, true).tcp(tport, 443, 5000, 0, TCP_SYN, 64240);
    emit();
    f.eth(cmac, smac).ipv4(web, client, PROTO_TCP, 64, 800 + i, true).tcp(443, tport, 7000, 5001, TCP_SYN | TCP_ACK, 65160);
    emit();
    const hello = tlsClientHello(rng, { sni: p, alpn: ["h2"], tls13: true, sessionId: [] });
    f.eth(smac, cmac).ipv4(client, web, PROTO_TCP, 64, 900 + i, true).tcp(tport, 443, 5001, 7001, TCP_PSH | TCP_ACK, 502).bytes(hello);
    emit();
    sec += 1;
  });
  return w.close();
}
