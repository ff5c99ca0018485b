/**
 * A hostile capture: HTTP Host, URI, User-Agent and Server, DNS names (question, CNAME) and TLS SNI
 * and ALPN that hold HTML and script payloads. Every payload, if it ever ran or were parsed as
 * markup, would set `window.__wb_pwned` (or open a dialog): the hostile-content tests load what
 * Wirebook renders in Chromium and check that it did not. Used by test/hostile/, the report's
 * hostile test (through test/helpers/hostile.ts) and as fuzz seeds.
 */
import { PcapWriter } from "../io/writer";
import { Rng } from "../gen/prng";
import { Frame, ip4, mac, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_PSH } from "../gen/packet";
import { dns, DNS_A, DNS_CNAME, tlsClientHello } from "../gen/apps";

/** The global a payload would set if it ran. */
export const CANARY = "__wb_pwned";

/** Payloads for text fields (HTTP headers, SNI). */
export const HOSTILE_TEXT: readonly string[] = [
  `<script>window.${CANARY}=1;alert(1)</script>`,
  `"><img src=x onerror="window.${CANARY}=2;alert(2)">`,
  `'><svg onload="window.${CANARY}=3">`,
  `</textarea></title></style></script><script>window.${CANARY}=4</script>`,
  `javascript:window.${CANARY}=5`,
  `<iframe srcdoc="<script>parent.${CANARY}=6</script>"></iframe>`,
  `<a href="javascript:window.${CANARY}=7" id="wb-injected">x</a>`,
  `{{constructor.constructor('window.${CANARY}=8')()}} \${window.${CANARY}=9} <!-- ]]> &lt;b&gt;`,
];

/** Payloads that fit a DNS name (labels of at most 63 bytes, no dots inside a payload). */
export const HOSTILE_DNS: readonly string[] = [
  `<script>alert(1)</script>.example.com`,
  `"><img src=x onerror=alert(2)>.example.org`,
  `<svg onload=alert(3)>.example.net`,
  `</textarea><b id=wb-injected>x</b>.example.com`,
  `javascript:alert(4).example.com`,
];

const CLIENT = mac("02:00:00:00:00:01"), SERVER = mac("02:00:00:00:00:02");
const C = ip4("192.0.2.10"), S = ip4("198.51.100.20"), R = ip4("192.0.2.53");

/** The hostile frames (Ethernet), in order. */
export function hostileFrames(): Buffer[] {
  const f = new Frame();
  const out: Buffer[] = [];
  const push = (): void => {
    f.finish();
    out.push(Buffer.from(f.view()));
  };
  let port = 40000;
  let seq = 1000;
  const tcp = (dport: number, payload: Buffer | string): void => {
    f.eth(SERVER, CLIENT).ipv4(C, S, PROTO_TCP, 64, port, true).tcp(port++, dport, seq, 1, TCP_PSH | TCP_ACK, 65535);
    if (typeof payload === "string") f.ascii(payload);
    else f.bytes(payload);
    seq += 1000;
    push();
  };
  HOSTILE_TEXT.forEach((p, i) => {
    const uri = `/search?q=${p}`;
    tcp(80, `GET ${uri} HTTP/1.1\r\nHost: ${p}\r\nUser-Agent: ${p}\r\nAccept: */*\r\n\r\n`);
    f.eth(CLIENT, SERVER).ipv4(S, C, PROTO_TCP, 64, 7000 + i, true).tcp(80, port - 1, 1, seq, TCP_PSH | TCP_ACK, 65535)
      .ascii(`HTTP/1.1 200 ${p}\r\nServer: ${p}\r\nContent-Type: ${p}\r\nContent-Length: 0\r\n\r\n`);
    push();
  });
  const rng = new Rng(7);
  HOSTILE_TEXT.forEach((p) => {
    tcp(443, tlsClientHello(rng, { sni: p, alpn: [p.slice(0, 40), "h2"], tls13: true, sessionId: [] }));
  });
  HOSTILE_DNS.forEach((name, i) => {
    f.eth(SERVER, CLIENT).ipv4(C, R, PROTO_UDP, 64, 100 + i, false).udp(50000 + i, 53);
    dns(f, { id: 0x100 + i, response: false, qname: name, qtype: DNS_A });
    push();
    f.eth(CLIENT, SERVER).ipv4(R, C, PROTO_UDP, 64, 200 + i, false).udp(53, 50000 + i);
    dns(f, {
      id: 0x100 + i, response: true, qname: name, qtype: DNS_A,
      answers: [
        { type: DNS_CNAME, name, ttl: 60, target: HOSTILE_DNS[(i + 1) % HOSTILE_DNS.length] },
        { type: DNS_A, name: HOSTILE_DNS[(i + 1) % HOSTILE_DNS.length], ttl: 60, addr: S },
      ],
    });
    push();
  });
  return out;
}

/** Writes the hostile capture (classic pcap) to `file`; returns the number of packets. */
export function writeHostileCapture(file: string): number {
  const w = new PcapWriter({ path: file, snaplen: 262144 });
  const frames = hostileFrames();
  frames.forEach((b, i) => w.write(1718000000 + i, 1000 * i, b));
  w.close();
  return frames.length;
}
