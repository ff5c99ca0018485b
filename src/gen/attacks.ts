/**
 * Attack scenarios mixed into office traffic, deterministically: what the detectors of src/detect
 * must find (and the office alone must not trigger). Writes data/attacks.pcap (see data.ts).
 *
 * The office scenario (office.ts, same hosts and addresses) runs into a buffer; each attack is a
 * list of frames with times; the two are merged by time and written. Times below are seconds after
 * the start.
 *
 * | when (s) | scenario | attacker → victim |
 * |---|---|---|
 * | 5–7 | SYN scan of 60 ports (open ones answer SYN-ACK and get a RST) | 192.168.1.66 → 192.168.1.10 |
 * | 12, 16, 20 | FIN, NULL and Xmas scans of 30 ports each | 192.168.1.66 → 192.168.1.15 |
 * | 24–26 | horizontal SYN scan of port 3389 over 40 hosts | 192.168.1.66 → 192.168.1.100–139 |
 * | 30–31.5 | SYN flood, 300 SYNs from spoofed sources, the server answers SYN-ACK | * → 192.168.1.10:80 |
 * | 40–100 | dnscat-like DNS tunnel: 80 TXT queries with hex labels under tunnel.example | 192.168.1.37 → 192.168.1.1 |
 * | 50–70 | ARP spoof: 0a:00:27:00:00:66 claims 192.168.1.1 toward 192.168.1.23, every 2 s | MAC → 192.168.1.1 |
 * | 10–310 | beacon: one TCP connection every 30 s ± 1 s, 11 of them | 192.168.1.15 → 203.0.113.99:8443 |
 * | 120–150 | SSH brute force: 15 short connections | 192.168.1.66 → 192.168.1.10:22 |
 * | 170–204 | FTP brute force: 12 connections, USER admin / wrong PASS / 530 | 203.0.113.45 → 192.168.1.10:21 |
 * | 220–226 | HTTP brute force: 8 requests with Basic credentials answered 401 | 192.168.1.66 → 192.168.1.10:80 |
 * | 60 | HTTP Basic login (alice:wonderland) → 200 | 192.168.1.23 → 192.168.1.10:80 |
 * | 80 | FTP login (bob / hunter2) → 230 | 192.168.1.37 → 198.51.100.21:21 |
 * | 90 | POP3 login (carol / p0p-secret) → +OK | 192.168.1.52 → 198.51.100.60:110 |
 * | 100 | IMAP LOGIN (dave "imap pass") → OK | 192.168.1.23 → 198.51.100.60:143 |
 * | 110 | Telnet login (root / toor) | 192.168.1.15 → 192.168.1.10:23 |
 */
import type { PacketSink } from "../io/writer";
import { generateOffice, type GenStats } from "./office";
import { Frame, ip4, mac, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Mac } from "./packet";
import { dns, DNS_TXT } from "./apps";
import { Rng } from "./prng";

const TCP_URG = 0x20;

export const ATTACK = {
  start: 1718300000,
  attacker: "192.168.1.66",
  attackerMac: "0a:00:27:00:00:66",
  nas: "192.168.1.10",
  devbox: "192.168.1.15",
  alice: "192.168.1.23",
  bob: "192.168.1.37",
  carol: "192.168.1.52",
  router: "192.168.1.1",
  routerMac: "00:0d:b9:4a:21:c0",
  beaconServer: "203.0.113.99",
  ftpAttacker: "203.0.113.45",
  ftpServer: "198.51.100.21",
  mailServer: "198.51.100.60",
  tunnelDomain: "tunnel.example",
  scanPorts: 60,
  stealthPorts: 30,
  sweepHosts: 40,
  floodSyns: 300,
  tunnelQueries: 80,
  spoofReplies: 10,
  beacons: 11,
  sshAttempts: 15,
  ftpAttempts: 12,
  http401: 8,
} as const;

const MACS: Record<string, Mac> = {
  "192.168.1.1": mac(ATTACK.routerMac),
  "192.168.1.10": mac("00:11:32:5c:7e:01"),
  "192.168.1.15": mac("52:54:00:12:34:56"),
  "192.168.1.23": mac("3c:22:fb:1a:2b:3c"),
  "192.168.1.37": mac("f4:8e:38:4d:5e:6f"),
  "192.168.1.52": mac("a6:7a:11:22:33:44"),
  "192.168.1.66": mac(ATTACK.attackerMac),
};
const LAN = (a: number) => (a >>> 8) === (ip4("192.168.1.0") >>> 8);
/** the MAC a frame between two addresses carries on the office LAN (off-LAN: the router's) */
function macOf(a: number): Mac {
  const s = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  return MACS[s] ?? (LAN(a) ? mac(`02:00:00:00:01:${(a & 255).toString(16).padStart(2, "0")}`) : MACS["192.168.1.1"]);
}

interface Rec { t: number; seq: number; data: Buffer }

/** Frames with times (ns since start), kept in memory (the capture is small). */
class Track {
  readonly f = new Frame();
  readonly out: Rec[] = [];
  private seq = 0;
  readonly ipIds = new Map<number, number>();
  constructor(readonly rng: Rng) {}
  push(t: number): void {
    this.f.finish();
    this.out.push({ t: Math.round(t), seq: this.seq++, data: Buffer.from(this.f.view()) });
  }
  id(a: number): number {
    const v = ((this.ipIds.get(a) ?? (a & 0xffff)) + 1) & 0xffff;
    this.ipIds.set(a, v);
    return v;
  }
  ip(src: number, dst: number, proto: number, ttl = 64): Frame {
    return this.f.eth(macOf(dst), macOf(src)).ipv4(src, dst, proto, ttl, this.id(src), true);
  }
  tcp(t: number, src: number, dst: number, sp: number, dp: number, seq: number, ack: number, flags: number, payload?: string | Uint8Array): void {
    const f = this.ip(src, dst, PROTO_TCP).tcp(sp, dp, seq, ack, flags, 64240);
    if (payload !== undefined) typeof payload === "string" ? f.ascii(payload) : f.bytes(payload);
    this.push(t);
  }
}

const SEC = 1e9;
const MS = 1e6;

/**
 * A complete TCP conversation: handshake, the messages (c = client, s = server, each after `gap`
 * seconds), FIN close. Returns the time after the last packet.
 */
function conversation(tr: Track, t: number, c: number, s: number, cp: number, sp: number,
  msgs: [("c" | "s"), string | Uint8Array][], rtt = 0.002, gap = 0.05, close: "fin" | "rst" = "fin"): number {
  let cs = tr.rng.u32(), ss = tr.rng.u32();
  const r = rtt * SEC;
  tr.tcp(t, c, s, cp, sp, cs, 0, TCP_SYN);
  tr.tcp(t += r / 2, s, c, sp, cp, ss, cs + 1, TCP_SYN | TCP_ACK);
  tr.tcp(t += r / 2, c, s, cp, sp, ++cs, ++ss, TCP_ACK);
  for (const [who, body] of msgs) {
    t += gap * SEC;
    const len = typeof body === "string" ? Buffer.byteLength(body, "latin1") : body.length;
    if (who === "c") {
      tr.tcp(t, c, s, cp, sp, cs, ss, TCP_PSH | TCP_ACK, body);
      cs += len;
      tr.tcp(t += r / 2, s, c, sp, cp, ss, cs, TCP_ACK);
    } else {
      tr.tcp(t, s, c, sp, cp, ss, cs, TCP_PSH | TCP_ACK, body);
      ss += len;
      tr.tcp(t += r / 2, c, s, cp, sp, cs, ss, TCP_ACK);
    }
  }
  t += gap * SEC;
  if (close === "rst") {
    tr.tcp(t, c, s, cp, sp, cs, ss, TCP_RST | TCP_ACK);
    return t;
  }
  tr.tcp(t, c, s, cp, sp, cs, ss, TCP_FIN | TCP_ACK);
  tr.tcp(t += r / 2, s, c, sp, cp, ss, cs + 1, TCP_FIN | TCP_ACK);
  tr.tcp(t += r / 2, c, s, cp, sp, cs + 1, ss + 1, TCP_ACK);
  return t;
}

const COMMON_PORTS = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 199, 443, 445, 465, 514, 587, 993, 995, 1025,
  1433, 1720, 1723, 3306, 3389, 5060, 5432, 5900, 8080, 8443, 8888, 554, 113, 179, 26, 81, 1026, 2000, 2049, 6000,
  6001, 1027, 8000, 8008, 49152, 49153, 49154, 3000, 5000, 9000, 9090, 10000, 32768, 4899, 5800, 5631, 631, 873, 990, 7070];
const OPEN_ON_NAS = new Set([22, 80, 445, 21, 23]);

function hex(rng: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[rng.int(16)];
  return s;
}

/** All attack frames, by scenario (times in ns since the start). */
export function attackFrames(seed = 8): Rec[] {
  const rng = new Rng(seed);
  const tr = new Track(rng);
  const A = ip4(ATTACK.attacker), NAS = ip4(ATTACK.nas), DEV = ip4(ATTACK.devbox);
  let port = 40000;
  const eph = () => (port = port >= 60999 ? 40000 : port + 1 + rng.int(3));

  // SYN scan (nmap -sS): SYN; open → SYN-ACK, RST; closed → RST-ACK
  let t = 5 * SEC;
  const sp = 51234;
  for (const p of COMMON_PORTS.slice(0, ATTACK.scanPorts)) {
    const seq = rng.u32();
    tr.tcp(t, A, NAS, sp, p, seq, 0, TCP_SYN);
    if (OPEN_ON_NAS.has(p)) {
      tr.tcp(t + 0.3 * MS, NAS, A, p, sp, rng.u32(), seq + 1, TCP_SYN | TCP_ACK);
      tr.tcp(t + 0.4 * MS, A, NAS, sp, p, seq + 1, 0, TCP_RST);
    } else tr.tcp(t + 0.3 * MS, NAS, A, p, sp, 0, seq + 1, TCP_RST | TCP_ACK);
    t += 30 * MS + rng.int(10) * MS;
  }
  // FIN, NULL, Xmas scans: closed ports answer RST-ACK, open ones stay silent
  const stealth: [number, number][] = [[12, TCP_FIN], [16, 0], [20, TCP_FIN | TCP_PSH | TCP_URG]];
  for (const [at, flags] of stealth) {
    t = at * SEC;
    const sp2 = 60000 + at;
    for (const p of COMMON_PORTS.slice(0, ATTACK.stealthPorts)) {
      const seq = rng.u32();
      tr.tcp(t, A, DEV, sp2, p, seq, 0, flags);
      if (p !== 22 && p !== 80) tr.tcp(t + 0.3 * MS, DEV, A, p, sp2, 0, seq + (flags & TCP_FIN ? 1 : 0), TCP_RST | TCP_ACK);
      t += 40 * MS + rng.int(10) * MS;
    }
  }
  // horizontal scan of 3389: nobody answers
  t = 24 * SEC;
  for (let i = 0; i < ATTACK.sweepHosts; i++) {
    tr.tcp(t, A, ip4("192.168.1.100") + i, eph(), 3389, rng.u32(), 0, TCP_SYN);
    t += 50 * MS + rng.int(5) * MS;
  }
  // SYN flood on the NAS's web server from spoofed sources; the server answers each SYN
  t = 30 * SEC;
  for (let i = 0; i < ATTACK.floodSyns; i++) {
    const src = (i & 1 ? ip4("198.51.100.0") : ip4("203.0.113.0")) + 1 + rng.int(254);
    const p = 1024 + rng.int(64000), seq = rng.u32();
    tr.f.eth(macOf(NAS), MACS["192.168.1.1"]).ipv4(src, NAS, PROTO_TCP, 50 + rng.int(10), rng.int(65536), false)
      .tcp(p, 80, seq, 0, TCP_SYN, 1024);
    tr.push(t);
    tr.tcp(t + 0.1 * MS, NAS, src, 80, p, rng.u32(), seq + 1, TCP_SYN | TCP_ACK);
    t += (1.5 * SEC) / ATTACK.floodSyns;
  }
  // dnscat-like tunnel: TXT queries, hex labels, hex TXT answers
  const BOB = ip4(ATTACK.bob), DNS = ip4(ATTACK.router);
  t = 40 * SEC;
  for (let i = 0; i < ATTACK.tunnelQueries; i++) {
    const qname = `${hex(rng, 52)}.${hex(rng, 18 + rng.int(20))}.${ATTACK.tunnelDomain}`;
    const id = rng.int(65536), p = 50000 + i;
    tr.ip(BOB, DNS, PROTO_UDP).udp(p, 53);
    dns(tr.f, { id, response: false, qname, qtype: DNS_TXT });
    tr.push(t);
    tr.ip(DNS, BOB, PROTO_UDP).udp(53, p);
    dns(tr.f, { id, response: true, qname, qtype: DNS_TXT, answers: [{ type: DNS_TXT, name: qname, ttl: 0, texts: [hex(rng, 40)] }] });
    tr.push(t + 20 * MS);
    t += 750 * MS;
  }
  // ARP spoof: unsolicited replies claiming the router's address, toward alice
  const ALICE = ip4(ATTACK.alice), ROUTER = ip4(ATTACK.router), AM = mac(ATTACK.attackerMac);
  t = 50 * SEC;
  for (let i = 0; i < ATTACK.spoofReplies; i++) {
    tr.f.eth(MACS["192.168.1.23"], AM).arp(2, AM, ROUTER, MACS["192.168.1.23"], ALICE);
    tr.push(t);
    t += 2 * SEC;
  }
  // beacon every 30 s ± 1 s
  const BEACON = ip4(ATTACK.beaconServer);
  for (let i = 0; i < ATTACK.beacons; i++) {
    const at = (10 + 30 * i + (rng.float() * 2 - 1)) * SEC;
    conversation(tr, at, DEV, BEACON, eph(), 8443, [["c", hexBytes(rng, 96)], ["s", hexBytes(rng, 48)]], 0.04);
  }
  // SSH brute force: banner exchange, a key exchange's worth of bytes, then the server hangs up
  t = 120 * SEC;
  for (let i = 0; i < ATTACK.sshAttempts; i++) {
    conversation(tr, t, A, NAS, eph(), 22, [["s", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"], ["c", "SSH-2.0-libssh_0.9.6\r\n"],
      ["c", hexBytes(rng, 120)], ["s", hexBytes(rng, 160)], ["c", hexBytes(rng, 48)], ["s", hexBytes(rng, 32)]], 0.001, 0.1);
    t += 1.9 * SEC + rng.int(200) * MS;
  }
  // FTP brute force from outside: one guess per connection
  const FA = ip4(ATTACK.ftpAttacker);
  t = 170 * SEC;
  for (let i = 0; i < ATTACK.ftpAttempts; i++) {
    conversation(tr, t, FA, NAS, eph(), 21, [["s", "220 nas FTP server ready\r\n"], ["c", "USER admin\r\n"],
      ["s", "331 Password required for admin\r\n"], ["c", `PASS guess${i}\r\n`], ["s", "530 Login incorrect.\r\n"],
      ["c", "QUIT\r\n"], ["s", "221 Goodbye.\r\n"]], 0.03, 0.2);
    t += 2.8 * SEC;
  }
  // HTTP brute force: Basic credentials, 401 each time, one keep-alive connection
  t = 220 * SEC;
  {
    const msgs: [("c" | "s"), string][] = [];
    for (let i = 0; i < ATTACK.http401; i++) {
      const cred = Buffer.from(`admin:admin${i}`).toString("base64");
      msgs.push(["c", `GET /admin/ HTTP/1.1\r\nHost: nas.office.example\r\nAuthorization: Basic ${cred}\r\nUser-Agent: hydra\r\n\r\n`]);
      msgs.push(["s", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"nas\"\r\nContent-Length: 0\r\n\r\n"]);
    }
    conversation(tr, t, A, NAS, eph(), 80, msgs, 0.001, 0.6);
  }
  // cleartext logins
  const basic = Buffer.from("alice:wonderland").toString("base64");
  conversation(tr, 60 * SEC, ALICE, NAS, eph(), 80, [
    ["c", `GET /admin/status HTTP/1.1\r\nHost: nas.office.example\r\nAuthorization: Basic ${basic}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`],
    ["s", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"]], 0.001);
  conversation(tr, 80 * SEC, BOB, ip4(ATTACK.ftpServer), eph(), 21, [["s", "220 ProFTPD Server ready.\r\n"], ["c", "USER bob\r\n"],
    ["s", "331 Password required for bob\r\n"], ["c", "PASS hunter2\r\n"], ["s", "230 User bob logged in\r\n"],
    ["c", "PWD\r\n"], ["s", "257 \"/home/bob\" is the current directory\r\n"], ["c", "QUIT\r\n"], ["s", "221 Goodbye.\r\n"]], 0.03);
  const CAROL = ip4(ATTACK.carol), MAIL = ip4(ATTACK.mailServer);
  conversation(tr, 90 * SEC, CAROL, MAIL, eph(), 110, [["s", "+OK POP3 server ready\r\n"], ["c", "USER carol\r\n"],
    ["s", "+OK\r\n"], ["c", "PASS p0p-secret\r\n"], ["s", "+OK Logged in.\r\n"], ["c", "STAT\r\n"], ["s", "+OK 0 0\r\n"],
    ["c", "QUIT\r\n"], ["s", "+OK Logging out.\r\n"]], 0.02);
  conversation(tr, 100 * SEC, ALICE, MAIL, eph(), 143, [["s", "* OK [CAPABILITY IMAP4rev1] ready\r\n"],
    ["c", "a001 LOGIN dave \"imap pass\"\r\n"], ["s", "a001 OK LOGIN completed\r\n"], ["c", "a002 LOGOUT\r\n"],
    ["s", "* BYE\r\na002 OK LOGOUT completed\r\n"]], 0.02);
  const telnet: [("c" | "s"), string | Uint8Array][] = [["s", Buffer.from([0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20])],
    ["c", Buffer.from([0xff, 0xfc, 0x18, 0xff, 0xfc, 0x20])], ["s", "Debian GNU/Linux 12\r\nnas login: "]];
  for (const ch of "root\r\n") telnet.push(["c", ch]);
  telnet.push(["s", "Password: "]);
  for (const ch of "toor\r\n") telnet.push(["c", ch]);
  telnet.push(["s", "Last login: Mon Jun 10 06:00:00\r\nroot@nas:~# "], ["c", "exit\r\n"], ["s", "logout\r\n"]);
  conversation(tr, 110 * SEC, DEV, NAS, eph(), 23, telnet, 0.001, 0.15);
  return tr.out;
}

function hexBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

export interface AttackOptions {
  sink: PacketSink;
  /** office packets mixed in (default 400) */
  officePackets?: number;
  seed?: number;
}

/** Office traffic with the attacks merged in by time; returns the writer's statistics. */
export function generateAttacks(opts: AttackOptions): GenStats {
  const office: Rec[] = [];
  let seq = 0;
  const start = ATTACK.start;
  generateOffice({
    seed: opts.seed ?? 4, packets: opts.officePackets ?? 400, maxObject: 3000, startTime: start,
    sink: { write(sec, nsec, data) { office.push({ t: (sec - start) * SEC + nsec, seq: seq++, data: Buffer.from(data) }); } },
  });
  const attacks = attackFrames((opts.seed ?? 4) + 4);
  attacks.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const stats: GenStats = { packets: 0, bytes: 0, firstSec: 0, firstNsec: 0, lastSec: 0, lastNsec: 0, clamped: 0 };
  let i = 0, j = 0;
  while (i < office.length || j < attacks.length) {
    const r = j >= attacks.length || (i < office.length && office[i].t <= attacks[j].t) ? office[i++] : attacks[j++];
    const sec = start + Math.floor(r.t / SEC), nsec = r.t % SEC;
    opts.sink.write(sec, nsec, r.data);
    if (stats.packets === 0) { stats.firstSec = sec; stats.firstNsec = nsec; }
    stats.lastSec = sec; stats.lastNsec = nsec;
    stats.packets++;
    stats.bytes += r.data.length;
  }
  return stats;
}
