/**
 * The "small office" scenario: a handful of hosts behind one router (one host on a VLAN, some
 * dual-stack), booting with DHCP/NDP, resolving names, browsing HTTP and HTTPS with complete TCP
 * conversations, pinging, syncing time, talking to a NAS. Every session is a generator that
 * yields the time of its next packet and builds that packet when resumed; a heap merges them, so
 * timestamps are sorted and memory stays bounded however many packets are asked for.
 */
import type { PacketSink, PcapngPacketOptions } from "../io/writer";
import * as A from "./apps";
import {
  BROADCAST, Frame, IPv6, Mac, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH,
  TCP_RST, TCP_SYN, ZERO_MAC, eui64, ip4, ip6, mac, mcastMac6, solicitedNode,
} from "./packet";
import { Rng } from "./prng";
import { ByteStream, Pools } from "./stream";

const US = 1e3;
const MS = 1e6;
const SEC = 1e9;

type Step = Generator<number, number, void>;
type Session = Generator<number, void, void>;

interface Subnet {
  vlan: number;
  outerVlan: number;
  gw4: number;
  mask: number;
  prefix6: string | null;
  gw6: IPv6 | null;
}

type Os = "linux" | "mac" | "windows" | "android";

interface Host {
  name: string;
  mac: Mac;
  ip4: number;
  net: Subnet;
  os: Os;
  dhcp: boolean;
  ll6: IPv6 | null;
  g6: IPv6 | null;
  ttl: number;
  ipId: number;
  port: number;
  pingSeq: number;
  arp: Map<number, number>;
  nd: number;
  dns: Map<string, number>;
  ua: string;
  /** mean think time between activities (ns) */
  think: number;
  /** user host (browses) or a server */
  user: boolean;
}

interface Zone {
  cname?: string;
  a?: number[];
  aaaa?: IPv6[];
  txt?: string[];
  ptr?: string;
}

interface Site {
  name: string;
  rtt: number;
  ttl: number;
  https: boolean;
  http: boolean;
  /** relative popularity */
  weight: number;
  /** median object size */
  median: number;
  /** LAN server (the NAS) */
  lan?: Host;
}

/** L2/L3 view of a conversation: who sends what to which MAC. */
interface Path {
  h: Host;
  v6: boolean;
  /** MAC of the far side on this link: the router's, or a LAN peer's */
  peerMac: Mac;
  c4: number;
  s4: number;
  c6: IPv6;
  s6: IPv6;
  sTtl: number;
  rtt: number;
  cId: number;
  sId: number;
  flow: number;
}

const ROUTER_MAC = mac("00:0d:b9:4a:21:c0");
const ROUTER_LL = ip6("fe80::20d:b9ff:fe4a:21c0");
const ALL_NODES = ip6("ff02::1");
const ALL_ROUTERS = ip6("ff02::2");
const MLDV2_ROUTERS = ip6("ff02::16");
const UNSPEC6 = ip6("::");
const NTP_REF = ip4("192.0.2.123");

const UA: Record<Os, string> = {
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  windows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  linux: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  android: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
};

export interface OfficeOptions {
  /** PRNG seed (same seed, same options: same bytes) */
  seed?: number;
  /** stop after this many packets */
  packets: number;
  /** epoch seconds of the scenario start; default 1718000000 (2024-06-10 06:13:20 UTC) */
  startTime?: number;
  /** "office": LAN + one host on VLAN 20; "vlan-ipv6": everything tagged, QinQ, more IPv6 */
  variant?: "office" | "vlan-ipv6";
  /** largest HTTP(S) object in bytes (default 8 MB); small captures use less */
  maxObject?: number;
  /** where packets go (PcapWriter, PcapngWriter, or anything with write()) */
  sink: PacketSink;
  /** pcapng: interface id of the frames of a VLAN (default: all 0) */
  interfaceOf?: (vlan: number) => number;
  /** pcapng: put comments on a few notable packets */
  comments?: boolean;
}

export interface GenStats {
  packets: number;
  bytes: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  /** steps that asked for a time earlier than the previous one of the run (clamped; 0 in a sound scenario) */
  clamped: number;
}

function net(vlan: number, gw: string, prefix6: string | null, outerVlan = 0): Subnet {
  return {
    vlan,
    outerVlan,
    gw4: ip4(gw),
    mask: ip4("255.255.255.0"),
    prefix6,
    gw6: prefix6 === null ? null : ip6(prefix6.replace(/::$/, "::1")),
  };
}

function host(name: string, m: string, addr: string, n: Subnet, os: Os, opts: { dhcp?: boolean; v6?: boolean; think?: number; user?: boolean } = {}): Host {
  const mm = mac(m);
  const v6 = (opts.v6 ?? false) && n.prefix6 !== null;
  return {
    name,
    mac: mm,
    ip4: ip4(addr),
    net: n,
    os,
    dhcp: opts.dhcp ?? true,
    ll6: v6 ? eui64("fe80::", mm) : null,
    g6: v6 ? eui64(n.prefix6!, mm) : null,
    ttl: os === "windows" ? 128 : 64,
    ipId: 0,
    port: 0,
    pingSeq: 1,
    arp: new Map(),
    nd: 0,
    dns: new Map(),
    ua: UA[os],
    think: opts.think ?? 4 * SEC,
    user: opts.user ?? true,
  };
}

class Heap {
  t: number[] = [];
  s: number[] = [];
  g: Session[] = [];
  get size(): number {
    return this.t.length;
  }
  private less(i: number, j: number): boolean {
    return this.t[i] < this.t[j] || (this.t[i] === this.t[j] && this.s[i] < this.s[j]);
  }
  private swap(i: number, j: number): void {
    const t = this.t[i], s = this.s[i], g = this.g[i];
    this.t[i] = this.t[j]; this.s[i] = this.s[j]; this.g[i] = this.g[j];
    this.t[j] = t; this.s[j] = s; this.g[j] = g;
  }
  push(t: number, s: number, g: Session): void {
    this.t.push(t); this.s.push(s); this.g.push(g);
    let i = this.t.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): void {
    const last = this.t.length - 1;
    this.swap(0, last);
    this.t.pop(); this.s.pop(); this.g.pop();
    let i = 0;
    const n = this.t.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

/** The running scenario: shared state for all sessions. */
class Office {
  readonly f = new Frame();
  readonly rng: Rng;
  readonly pools: Pools;
  readonly hosts: Host[];
  readonly users: Host[];
  readonly nets: Subnet[];
  readonly zone = new Map<string, Zone>();
  readonly sites: Site[];
  readonly nas: Host | null;
  readonly maxObject: number;
  readonly startMs: number;
  private heap = new Heap();
  private seq = 0;
  /** current time (ns since start) */
  now = 0;
  built = false;
  private commented = new Set<string>();
  readonly comments: boolean;

  constructor(readonly opts: OfficeOptions) {
    this.rng = new Rng(opts.seed ?? 1);
    this.pools = new Pools(new Rng((opts.seed ?? 1) ^ 0x5eed));
    this.maxObject = opts.maxObject ?? 8 << 20;
    this.startMs = (opts.startTime ?? 1718000000) * 1000;
    this.comments = opts.comments ?? false;
    const variant = opts.variant ?? "office";
    let lan: Subnet, other: Subnet[];
    if (variant === "office") {
      lan = net(0, "192.168.1.1", "2001:db8:1::");
      other = [net(20, "192.168.20.1", null)];
      this.nas = host("nas", "00:11:32:5c:7e:01", "192.168.1.10", lan, "linux", { dhcp: false, user: false });
      this.hosts = [
        host("alice-mbp", "3c:22:fb:1a:2b:3c", "192.168.1.23", lan, "mac", { v6: true, think: 3 * SEC }),
        host("bob-pc", "f4:8e:38:4d:5e:6f", "192.168.1.37", lan, "windows", { think: 4 * SEC }),
        host("carol-phone", "a6:7a:11:22:33:44", "192.168.1.52", lan, "android", { v6: true, think: 6 * SEC }),
        host("devbox", "52:54:00:12:34:56", "192.168.1.15", lan, "linux", { v6: true, dhcp: false, think: 5 * SEC }),
        host("dave-desk", "18:66:da:01:02:03", "192.168.20.41", other[0], "windows", { think: 4 * SEC }),
        this.nas,
      ];
    } else {
      lan = net(10, "192.168.10.1", "2001:db8:10::");
      other = [net(20, "192.168.20.1", "2001:db8:20::"), net(30, "192.168.30.1", "2001:db8:30::", 100)];
      this.nas = host("nas", "00:11:32:5c:7e:01", "192.168.10.10", lan, "linux", { dhcp: false, user: false, v6: true });
      this.hosts = [
        host("erin-laptop", "8c:85:90:aa:01:02", "192.168.10.31", lan, "mac", { v6: true, think: 2 * SEC }),
        host("frank-pc", "d4:be:d9:10:20:30", "192.168.20.44", other[0], "windows", { v6: true, think: 3 * SEC }),
        host("gina-phone", "ae:12:34:56:78:9a", "192.168.30.17", other[1], "android", { v6: true, think: 3 * SEC }),
        host("lab-linux", "52:54:00:ab:cd:ef", "192.168.30.5", other[1], "linux", { v6: true, dhcp: false, think: 4 * SEC }),
        this.nas,
      ];
    }
    this.nets = [lan, ...other];
    this.users = this.hosts.filter((h) => h.user);
    for (const h of this.hosts) {
      h.ipId = this.rng.int(65536);
      h.port = h.os === "windows" ? this.rng.range(49152, 60000) : this.rng.range(32768, 55000);
    }
    this.sites = this.buildZone();
  }

  private buildZone(): Site[] {
    const z = this.zone;
    const add = (name: string, r: Zone): void => void z.set(name, r);
    add("www.example.com", { a: [ip4("198.51.100.10")], aaaa: [ip6("2001:db8:100::10")] });
    add("static.example.com", { cname: "static.cdn.example.net" });
    add("static.cdn.example.net", { a: [ip4("203.0.113.20"), ip4("203.0.113.21")], aaaa: [ip6("2001:db8:200::20")] });
    add("api.example.org", { a: [ip4("198.51.100.30")] });
    add("news.example.net", { a: [ip4("198.51.100.40")], aaaa: [ip6("2001:db8:100::40")] });
    add("updates.example.org", { a: [ip4("203.0.113.50")] });
    add("mail.example.com", { a: [ip4("198.51.100.60")], aaaa: [ip6("2001:db8:100::60")] });
    add("connectivity.example.net", { a: [ip4("203.0.113.70")], aaaa: [ip6("2001:db8:200::70")] });
    add("time.example.net", { a: [ip4("203.0.113.123")], aaaa: [ip6("2001:db8:200::123")] });
    add("example.com", { txt: ["v=spf1 include:_spf.example.com -all", "site-verification=Zm9vYmFy"], a: [ip4("198.51.100.10")] });
    add("nas.office.example", { a: [this.nas!.ip4], aaaa: this.nas!.g6 ? [this.nas!.g6] : [] });
    for (const [name, r] of [...z]) {
      for (const a of r.a ?? []) {
        const rev = `${a & 255}.${(a >>> 8) & 255}.${(a >>> 16) & 255}.${a >>> 24}.in-addr.arpa`;
        if (!z.has(rev)) z.set(rev, { ptr: name });
      }
    }
    const rtt = (ms: number): number => ms * MS;
    const sites: Site[] = [
      { name: "www.example.com", rtt: rtt(24), ttl: 52, https: true, http: true, weight: 5, median: 30000 },
      { name: "static.example.com", rtt: rtt(9), ttl: 58, https: true, http: false, weight: 6, median: 45000 },
      { name: "api.example.org", rtt: rtt(48), ttl: 49, https: true, http: false, weight: 4, median: 2500 },
      { name: "news.example.net", rtt: rtt(31), ttl: 54, https: true, http: true, weight: 3, median: 60000 },
      { name: "updates.example.org", rtt: rtt(71), ttl: 47, https: true, http: true, weight: 1, median: 400000 },
      { name: "mail.example.com", rtt: rtt(18), ttl: 55, https: true, http: false, weight: 3, median: 8000 },
      { name: "connectivity.example.net", rtt: rtt(12), ttl: 57, https: false, http: true, weight: 1, median: 0 },
    ];
    if (this.nas) sites.push({ name: "nas.office.example", rtt: 250 * US, ttl: 64, https: false, http: true, weight: 3, median: 120000, lan: this.nas });
    return sites;
  }

  // ------------------------------------------------------------ scheduler

  spawn(g: Session): void {
    const r = g.next();
    if (!r.done) this.heap.push(Math.max(r.value, this.now), this.seq++, g);
  }

  /** mark the frame built by the current step as a packet to emit */
  emit(): void {
    this.f.finish();
    this.built = true;
  }

  note(key: string, text: string): void {
    if (this.comments && !this.commented.has(key)) {
      this.commented.add(key);
      this.f.comment = text;
    }
  }

  run(): GenStats {
    const { sink, packets } = this.opts;
    const start = this.opts.startTime ?? 1718000000;
    const ifOf = this.opts.interfaceOf;
    const popts: PcapngPacketOptions = { interfaceId: 0 };
    const stats: GenStats = { packets: 0, bytes: 0, firstSec: 0, firstNsec: 0, lastSec: 0, lastNsec: 0, clamped: 0 };
    this.spawn(this.router());
    for (const h of this.hosts) this.spawn(this.life(h));
    const heap = this.heap;
    const f = this.f;
    while (stats.packets < packets && heap.size > 0) {
      const t = heap.t[0];
      const g = heap.g[0];
      heap.pop();
      this.now = t;
      this.built = false;
      const r = g.next();
      if (this.built) {
        const tn = Math.round(t);
        const sec = start + Math.floor(tn / SEC);
        const nsec = tn % SEC;
        const data = f.view();
        if (ifOf !== undefined || f.comment !== undefined) {
          popts.interfaceId = ifOf ? ifOf(f.vlan) : 0;
          popts.comment = f.comment;
          sink.write(sec, nsec, data, data.length, popts);
        } else sink.write(sec, nsec, data);
        if (stats.packets === 0) {
          stats.firstSec = sec;
          stats.firstNsec = nsec;
        }
        stats.lastSec = sec;
        stats.lastNsec = nsec;
        stats.packets++;
        stats.bytes += data.length;
      }
      if (!r.done) {
        if (r.value < t) stats.clamped++;
        heap.push(Math.max(r.value, t), this.seq++, g);
      }
    }
    return stats;
  }

  // ------------------------------------------------------------ helpers

  jitter(ns: number, frac = 0.2): number {
    return ns * (1 - frac + 2 * frac * this.rng.float());
  }

  ephemeral(h: Host): number {
    const lo = h.os === "windows" ? 49152 : 32768;
    const hi = h.os === "windows" ? 65535 : 60999;
    h.port++;
    if (h.port > hi) h.port = lo;
    return h.port;
  }

  nextId(h: Host): number {
    h.ipId = (h.ipId + 1) & 0xffff;
    return h.ipId;
  }

  /** an Ethernet frame from host h (tagged as its VLAN) */
  ethFrom(h: Host, dst: Mac): Frame {
    return this.f.eth(dst, h.mac, h.net.vlan, h.net.outerVlan);
  }

  /** an Ethernet frame to host h from src */
  ethTo(h: Host, src: Mac): Frame {
    return this.f.eth(h.mac, src, h.net.vlan, h.net.outerVlan);
  }

  peerMacOf(h: Host, addr: number): Mac {
    for (const o of this.hosts) if (o.ip4 === addr && o.net === h.net) return o.mac;
    return ROUTER_MAC;
  }

  sameNet4(h: Host, a: number): boolean {
    return ((a ^ h.net.gw4) & h.net.mask) === 0;
  }

  /** IPv4 next hop resolution: ARP request/reply when the cache entry is missing or stale */
  *arp(h: Host, target: number, t: number): Step {
    const hop = this.sameNet4(h, target) ? target : h.net.gw4;
    const exp = h.arp.get(hop);
    if (exp !== undefined && exp > t) return t;
    h.arp.set(hop, t + this.jitter(60 * SEC, 0.5));
    const m = this.peerMacOf(h, hop);
    yield t;
    this.ethFrom(h, BROADCAST).arp(1, h.mac, h.ip4, ZERO_MAC, hop);
    this.emit();
    t += this.jitter(300 * US, 0.5);
    yield t;
    this.ethTo(h, m).arp(2, m, hop, h.mac, h.ip4);
    this.emit();
    return t + this.jitter(40 * US);
  }

  /** IPv6 neighbor discovery of the router (NS/NA) when the entry is stale */
  *nd(h: Host, t: number): Step {
    if (h.nd > t || h.g6 === null) return t;
    h.nd = t + this.jitter(40 * SEC, 0.5);
    const sn = solicitedNode(ROUTER_LL);
    yield t;
    this.ethFrom(h, mcastMac6(sn)).ipv6(h.g6, sn, PROTO_ICMPV6, 255).icmp(135, 0, 0).bytes(ROUTER_LL).u8(1).u8(1).bytes(h.mac);
    this.emit();
    t += this.jitter(350 * US, 0.5);
    yield t;
    this.ethTo(h, ROUTER_MAC).ipv6(ROUTER_LL, h.g6, PROTO_ICMPV6, 255).icmp(136, 0, 0xe0000000).bytes(ROUTER_LL).u8(2).u8(1).bytes(ROUTER_MAC);
    this.emit();
    return t + this.jitter(40 * US);
  }

  /** IPv4/IPv6 header of a packet on a path */
  l3(p: Path, fromClient: boolean, proto: number): Frame {
    const h = p.h;
    if (fromClient) {
      const f = this.ethFrom(h, p.peerMac);
      if (p.v6) return f.ipv6(p.c6, p.s6, proto, 64, p.flow);
      p.cId = (p.cId + 1) & 0xffff;
      return f.ipv4(p.c4, p.s4, proto, h.ttl, p.cId, proto !== PROTO_UDP || h.os !== "windows");
    }
    const f = this.ethTo(h, p.peerMac);
    if (p.v6) return f.ipv6(p.s6, p.c6, proto, p.sTtl, p.flow ^ 0x5a5a5);
    p.sId = (p.sId + 1) & 0xffff;
    return f.ipv4(p.s4, p.c4, proto, p.sTtl, p.sId, true);
  }

  path(h: Host, v6: boolean, s4: number, s6: IPv6 | null, rtt: number, ttl: number, lanPeer?: Host): Path {
    return {
      h,
      v6,
      peerMac: lanPeer ? lanPeer.mac : ROUTER_MAC,
      c4: h.ip4,
      s4,
      c6: h.g6 ?? UNSPEC6,
      s6: s6 ?? UNSPEC6,
      sTtl: ttl,
      rtt,
      cId: this.rng.int(65536),
      sId: this.rng.int(65536),
      flow: this.rng.int(1 << 20),
    };
  }

  /** first-hop resolution for a path */
  *resolve(p: Path, t: number): Step {
    return p.v6 ? yield* this.nd(p.h, t) : yield* this.arp(p.h, p.s4, t);
  }

  // ------------------------------------------------------------ DNS

  answer(qname: string, qtype: number): { rcode: number; answers: A.DnsRecord[]; authority: A.DnsRecord[] } {
    const answers: A.DnsRecord[] = [];
    let name = qname;
    for (let hops = 0; hops < 8; hops++) {
      const r = this.zone.get(name);
      if (r === undefined) {
        if (hops === 0) return { rcode: 3, answers, authority: [this.soa(qname)] };
        break;
      }
      if (r.cname !== undefined && qtype !== A.DNS_CNAME) {
        answers.push({ type: A.DNS_CNAME, name, ttl: 300, target: r.cname });
        name = r.cname;
        continue;
      }
      if (qtype === A.DNS_A) for (const a of r.a ?? []) answers.push({ type: A.DNS_A, name, ttl: 300, addr: a });
      if (qtype === A.DNS_AAAA) for (const a of r.aaaa ?? []) answers.push({ type: A.DNS_AAAA, name, ttl: 300, addr: a });
      if (qtype === A.DNS_TXT && r.txt) answers.push({ type: A.DNS_TXT, name, ttl: 3600, texts: r.txt });
      if (qtype === A.DNS_PTR && r.ptr) answers.push({ type: A.DNS_PTR, name, ttl: 3600, target: r.ptr });
      break;
    }
    return { rcode: 0, answers, authority: answers.length === 0 ? [this.soa(name)] : [] };
  }

  soa(name: string): A.DnsRecord {
    const labels = name.split(".");
    const zone = labels.slice(-2).join(".");
    return { type: A.DNS_SOA, name: zone, ttl: 900, mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 2024061001 };
  }

  /** Look up qname (types in parallel); returns the time the last answer arrived. */
  *lookup(h: Host, qname: string, qtypes: number[], t: number): Step {
    const v6 = h.g6 !== null && h.net.gw6 !== null && this.rng.chance(0.3);
    const p = this.path(h, v6, h.net.gw4, h.net.gw6, 0, 64, undefined);
    p.peerMac = ROUTER_MAC;
    t = yield* this.resolve(p, t);
    const sport = this.ephemeral(h);
    const ids = qtypes.map(() => this.rng.int(65536));
    const cached = this.rng.chance(0.6);
    const edns = h.os === "linux" || h.os === "mac" ? 1232 : 0;
    for (let i = 0; i < qtypes.length; i++) {
      yield t;
      this.l3(p, true, PROTO_UDP).udp(sport + (h.os === "windows" ? i : 0), 53);
      A.dns(this.f, { id: ids[i], response: false, qname, qtype: qtypes[i], edns });
      this.emit();
      t += this.jitter(60 * US);
    }
    t += cached ? this.jitter(600 * US, 0.5) : this.jitter(25 * MS, 0.8);
    for (let i = 0; i < qtypes.length; i++) {
      yield t;
      const res = this.answer(qname, qtypes[i]);
      this.l3(p, false, PROTO_UDP).udp(53, sport + (h.os === "windows" ? i : 0));
      A.dns(this.f, { id: ids[i], response: true, qname, qtype: qtypes[i], rcode: res.rcode, answers: res.answers, authority: res.authority, edns });
      if (res.rcode === 3) this.note("nx", `NXDOMAIN for ${qname}`);
      this.emit();
      t += this.jitter(150 * US, 0.8);
    }
    return t;
  }

  /** resolve a name unless cached; returns [time, A?, AAAA?] */
  *dnsFor(h: Host, name: string, t: number, out: { a: number; aaaa: IPv6 | null }): Step {
    const res4 = this.answer(name, A.DNS_A).answers.filter((r) => r.type === A.DNS_A);
    const res6 = this.answer(name, A.DNS_AAAA).answers.filter((r) => r.type === A.DNS_AAAA);
    out.a = res4.length ? (res4[this.rng.int(res4.length)] as { addr: number }).addr : 0;
    out.aaaa = h.g6 && res6.length ? (res6[0] as { addr: IPv6 }).addr : null;
    const exp = h.dns.get(name);
    if (exp !== undefined && exp > t) return t;
    h.dns.set(name, t + this.jitter(120 * SEC, 0.5));
    return yield* this.lookup(h, name, h.g6 ? [A.DNS_A, A.DNS_AAAA] : [A.DNS_A], t);
  }

  // ------------------------------------------------------------ host life

  *life(h: Host): Session {
    let t = this.jitter(1.5 * SEC, 0.9);
    yield t;
    if (h.dhcp) t = yield* this.dhcp(h, t);
    t = yield* this.garp(h, t);
    if (h.g6) t = yield* this.ipv6Boot(h, t);
    if (!h.user) {
      // a server: keeps its clock in sync now and then
      for (;;) {
        t += this.jitter(64 * SEC, 0.3);
        yield t;
        this.spawn(this.ntp(h, t));
      }
    }
    t += this.jitter(400 * MS, 0.5);
    // what a host does first once it has an address: an OS connectivity check, or a ping of the
    // gateway from the Linux box
    yield t;
    if (h.os === "linux") this.spawn(this.ping(h, t, true));
    else this.spawn(this.web(h, this.sites.find((s) => s.name === "connectivity.example.net")!, false, t));
    t += this.jitter(1 * SEC, 0.5);
    for (;;) {
      yield t;
      const kind = this.rng.weighted([60, 14, 7, 5, 3, 2, 2, 6]);
      const s = this.activity(h, kind, t);
      if (s !== null) this.spawn(s);
      t += Math.min(this.rng.exp(h.think), 60 * SEC) + 5 * MS;
    }
  }

  activity(h: Host, kind: number, t: number): Session | null {
    switch (kind) {
      case 0: return this.web(h, this.pickSite((s) => s.https && !s.lan), true, t);
      case 1: return this.web(h, this.pickSite((s) => s.http && !s.lan), false, t);
      case 2: return this.miscDns(h, t);
      case 3: return this.ping(h, t);
      case 4: return this.ntp(h, t);
      case 5: return this.ndOrArpChatter(h, t);
      case 6: return this.web(h, this.sites.find((s) => s.name === "connectivity.example.net")!, false, t);
      default: {
        if (this.nas === null || h.net !== this.nas.net) return this.web(h, this.pickSite((s) => s.https && !s.lan), true, t);
        return this.web(h, this.sites.find((s) => s.lan !== undefined)!, false, t);
      }
    }
  }

  pickSite(ok: (s: Site) => boolean): Site {
    const c = this.sites.filter(ok);
    return c[this.rng.weighted(c.map((s) => s.weight))];
  }

  *dhcp(h: Host, t: number): Step {
    const xid = this.rng.u32();
    const n = h.net;
    const lease = { mask: n.mask, router: n.gw4, dns: n.gw4, domain: "office.example", seconds: 86400 };
    const cli = (type: number): void => {
      this.ethFrom(h, BROADCAST).ipv4(0, 0xffffffff, PROTO_UDP, 64, 0, false, 0x10).udp(68, 67);
      A.dhcp(this.f, { type, xid, chaddr: h.mac, hostname: h.name, requested: type === A.DHCPREQUEST ? h.ip4 : undefined, serverId: type === A.DHCPREQUEST ? n.gw4 : undefined, secs: 0 });
      this.note("dhcp", `${h.name} boots: DHCP`);
      this.emit();
    };
    const srv = (type: number): void => {
      this.ethTo(h, ROUTER_MAC).ipv4(n.gw4, h.ip4, PROTO_UDP, 64, this.rng.int(65536), false, 0xc0).udp(67, 68);
      A.dhcp(this.f, { type, xid, chaddr: h.mac, yiaddr: h.ip4, siaddr: n.gw4, serverId: n.gw4, lease });
      this.emit();
    };
    yield t;
    cli(A.DHCPDISCOVER);
    t += this.jitter(3 * MS, 0.5);
    yield t;
    srv(A.DHCPOFFER);
    t += this.jitter(1.2 * MS, 0.5);
    yield t;
    cli(A.DHCPREQUEST);
    t += this.jitter(1.5 * MS, 0.5);
    yield t;
    srv(A.DHCPACK);
    return t + this.jitter(20 * MS, 0.5);
  }

  /** gratuitous ARP announcing the address */
  *garp(h: Host, t: number): Step {
    for (let i = 0; i < 2; i++) {
      yield t;
      this.ethFrom(h, BROADCAST).arp(1, h.mac, h.ip4, ZERO_MAC, h.ip4);
      this.emit();
      t += this.jitter(i === 0 ? 1 * SEC : 10 * MS, 0.1);
    }
    return t;
  }

  /** MLDv2 join, DAD, router solicitation/advertisement */
  *ipv6Boot(h: Host, t: number): Step {
    const ll = h.ll6!;
    const g = h.g6!;
    const sn = solicitedNode(ll);
    yield t;
    this.ethFrom(h, mcastMac6(MLDV2_ROUTERS)).ipv6(UNSPEC6, MLDV2_ROUTERS, 0, 1).hopByHopRouterAlert(PROTO_ICMPV6)
      .icmp(143, 0, 2).u8(4).u8(0).u16(0).bytes(sn).u8(4).u8(0).u16(0).bytes(solicitedNode(g));
    this.emit();
    t += this.jitter(200 * MS, 0.5);
    for (const target of [ll, g]) {
      yield t;
      const s = solicitedNode(target);
      this.ethFrom(h, mcastMac6(s)).ipv6(UNSPEC6, s, PROTO_ICMPV6, 255).icmp(135, 0, 0).bytes(target);
      this.emit();
      t += this.jitter(target === ll ? 300 * MS : 5 * MS, 0.3);
      if (target === ll) {
        yield t;
        this.ethFrom(h, mcastMac6(ALL_ROUTERS)).ipv6(ll, ALL_ROUTERS, PROTO_ICMPV6, 255).icmp(133, 0, 0).u8(1).u8(1).bytes(h.mac);
        this.emit();
        t += this.jitter(2 * MS, 0.5);
        yield t;
        this.routerAdvert(h.net);
        this.emit();
        t += this.jitter(10 * MS, 0.5);
      }
    }
    h.nd = t + 30 * SEC;
    return t + this.jitter(1 * SEC, 0.3);
  }

  routerAdvert(n: Subnet): void {
    const dst = ALL_NODES;
    const f = this.f.eth(mcastMac6(dst), ROUTER_MAC, n.vlan, n.outerVlan);
    f.ipv6(ROUTER_LL, dst, PROTO_ICMPV6, 255).icmp(134, 0, (64 << 24) | (0 << 16) | 1800).u32(0).u32(0);
    f.u8(1).u8(1).bytes(ROUTER_MAC);
    f.u8(5).u8(1).u16(0).u32(1500);
    f.u8(3).u8(4).u8(64).u8(0xc0).u32(86400).u32(14400).u32(0).bytes(ip6(n.prefix6!));
    f.u8(25).u8(3).u16(0).u32(1800).bytes(n.gw6!);
  }

  /** the router: periodic router advertisements and ARP refreshes of its neighbours */
  *router(): Session {
    let t = 5 * SEC;
    let nextRa = this.jitter(30 * SEC, 0.3);
    for (;;) {
      t += this.jitter(25 * SEC, 0.6);
      if (t >= nextRa) {
        for (const n of this.nets) {
          if (n.prefix6 === null) continue;
          yield nextRa;
          this.routerAdvert(n);
          this.emit();
          nextRa += 1 * MS;
        }
        nextRa += this.jitter(200 * SEC, 0.3);
      }
      const h = this.rng.pick(this.hosts);
      yield t;
      this.f.eth(BROADCAST, ROUTER_MAC, h.net.vlan, h.net.outerVlan).arp(1, ROUTER_MAC, h.net.gw4, ZERO_MAC, h.ip4);
      this.emit();
      yield t + this.jitter(400 * US, 0.5);
      this.ethFrom(h, ROUTER_MAC).arp(2, h.mac, h.ip4, ROUTER_MAC, h.net.gw4);
      this.emit();
    }
  }

  *ndOrArpChatter(h: Host, t: number): Session {
    yield t;
    if (h.g6 && this.rng.chance(0.5)) {
      h.nd = 0;
      yield* this.nd(h, t);
    } else {
      h.arp.clear();
      yield* this.arp(h, h.net.gw4, t);
    }
  }

  *miscDns(h: Host, t: number): Session {
    yield t;
    const k = this.rng.weighted([4, 3, 2, 2]);
    if (k === 0) {
      const s = this.rng.pick(this.sites.filter((x) => !x.lan));
      const a = this.answer(s.name, A.DNS_A).answers.find((r) => r.type === A.DNS_A) as { addr: number } | undefined;
      if (a) {
        const rev = `${a.addr & 255}.${(a.addr >>> 8) & 255}.${(a.addr >>> 16) & 255}.${a.addr >>> 24}.in-addr.arpa`;
        yield* this.lookup(h, rev, [A.DNS_PTR], t);
      }
    } else if (k === 1) {
      const bad = this.rng.pick(["wpad.office.example", "www.exmaple.com", "printer.local.example", "telemetry.example.invalid"]);
      yield* this.lookup(h, bad, [A.DNS_A], t);
    } else if (k === 2) {
      yield* this.lookup(h, "example.com", [A.DNS_TXT], t);
    } else {
      yield* this.lookup(h, "static.example.com", h.g6 ? [A.DNS_A, A.DNS_AAAA] : [A.DNS_A], t);
    }
  }

  *ping(h: Host, t: number, gateway4 = false): Session {
    yield t;
    const v6 = !gateway4 && h.g6 !== null && this.rng.chance(0.4);
    const remote = !gateway4 && this.rng.chance(0.6);
    const rtt = remote ? this.jitter(24 * MS, 0.3) : this.jitter(400 * US, 0.5);
    const p = this.path(h, v6, remote ? ip4("198.51.100.10") : h.net.gw4, remote ? ip6("2001:db8:100::10") : h.net.gw6, rtt, remote ? (v6 ? 52 : 52) : 64);
    t = yield* this.resolve(p, t);
    const count = this.rng.range(2, 5);
    const id = h.os === "windows" ? 1 : this.rng.int(65536);
    const proto = v6 ? PROTO_ICMPV6 : PROTO_ICMP;
    const base = this.startMs / 1000;
    for (let i = 0; i < count; i++) {
      const seq = h.os === "windows" ? h.pingSeq++ & 0xffff : i + 1;
      const payload = (): void => {
        const f = this.f;
        if (h.os === "windows") f.ascii("abcdefghijklmnopqrstuvwabcdefghi");
        else {
          const us = Math.floor(t / 1000);
          f.buf.writeUInt32LE(base + Math.floor(us / 1e6), f.pos);
          f.buf.writeUInt32LE(0, f.pos + 4);
          f.buf.writeUInt32LE(us % 1e6, f.pos + 8);
          f.buf.writeUInt32LE(0, f.pos + 12);
          f.pos += 16;
          for (let b = 0x10; b < 0x38; b++) f.u8(b);
        }
      };
      yield t;
      this.l3(p, true, proto).icmp(v6 ? 128 : 8, 0, (id << 16) | seq);
      payload();
      this.emit();
      yield t + p.rtt * (0.9 + 0.2 * this.rng.float());
      this.l3(p, false, proto).icmp(v6 ? 129 : 0, 0, (id << 16) | seq);
      payload();
      this.emit();
      t += this.jitter(1 * SEC, 0.002);
    }
  }

  *ntp(h: Host, t: number): Session {
    yield t;
    const out = { a: 0, aaaa: null as IPv6 | null };
    t = yield* this.dnsFor(h, "time.example.net", t, out);
    const v6 = out.aaaa !== null && this.rng.chance(0.5);
    const p = this.path(h, v6, out.a, out.aaaa, this.jitter(12 * MS, 0.3), 57);
    t = yield* this.resolve(p, t);
    const sport = h.user ? this.ephemeral(h) : 123;
    const base = this.startMs / 1000;
    for (let i = 0, n = this.rng.range(1, 3); i < n; i++) {
      yield t;
      const ts = Math.floor(t);
      this.l3(p, true, PROTO_UDP).udp(sport, 123);
      A.ntpRequest(this.f, base + Math.floor(ts / SEC), ts % SEC);
      this.emit();
      const t2 = t + p.rtt;
      yield t2;
      const tr = Math.floor(t + p.rtt / 2);
      this.l3(p, false, PROTO_UDP).udp(123, sport);
      A.ntpResponse(this.f, base + Math.floor(ts / SEC), ts % SEC, base + Math.floor(tr / SEC), tr % SEC, NTP_REF);
      this.emit();
      t = t2 + this.jitter(2 * SEC, 0.5);
    }
  }

  // ------------------------------------------------------------ web

  objectSize(site: Site): number {
    if (site.median === 0) return 0;
    return this.rng.lognormal(site.median, 3, 200, this.maxObject);
  }

  *web(h: Host, site: Site, https: boolean, t: number): Session {
    yield t;
    let p: Path;
    if (site.lan) {
      const out = { a: 0, aaaa: null as IPv6 | null };
      t = yield* this.dnsFor(h, site.name, t, out);
      p = this.path(h, false, site.lan.ip4, null, this.jitter(site.rtt, 0.3), 64, site.lan);
    } else {
      const out = { a: 0, aaaa: null as IPv6 | null };
      t = yield* this.dnsFor(h, site.name, t, out);
      const v6 = out.aaaa !== null && this.rng.chance(0.7);
      p = this.path(h, v6, out.a, out.aaaa, this.jitter(site.rtt, 0.15), site.ttl);
    }
    t = yield* this.resolve(p, t + this.jitter(200 * US, 0.5));
    const tcp = new Tcp(this, p, this.ephemeral(h), https ? 443 : 80);
    const rtt = p.rtt;
    // handshake
    yield t;
    tcp.seg(true, TCP_SYN, null);
    t += rtt;
    yield t;
    tcp.seg(false, TCP_SYN | TCP_ACK, null);
    t += this.jitter(60 * US, 0.5);
    yield t;
    tcp.seg(true, TCP_ACK, null);
    t += this.jitter(150 * US, 0.5);
    let tls13 = true;
    if (https) {
      tls13 = this.rng.chance(0.8);
      const sessionId = Array.from({ length: 32 }, () => this.rng.u32() & 255);
      const alpn = h.os === "linux" && this.rng.chance(0.3) ? ["http/1.1"] : ["h2", "http/1.1"];
      const ch = new ByteStream(this.pools).literal(A.tlsClientHello(this.rng, { sni: site.name, alpn, tls13, sessionId }));
      this.note(`ch-${tls13}`, `TLS ${tls13 ? "1.3" : "1.2"} ClientHello to ${site.name}`);
      t = yield* tcp.send(true, ch, t, false);
      t = Math.max(t, tcp.lastData + rtt + this.jitter(2 * MS, 0.7));
      const flight = new ByteStream(this.pools).literal(A.tlsServerFlight(this.rng, tls13, sessionId, alpn[0], this.rng.range(2400, 5200)));
      t = yield* tcp.send(false, flight, t);
      t += this.jitter(1 * MS, 0.5);
      t = yield* tcp.send(true, new ByteStream(this.pools).literal(A.tlsClientFinished(this.rng, tls13)), t, false);
    }
    const requests = site.lan ? this.rng.range(1, 6) : this.rng.weighted([3, 3, 2, 1, 1]) + 1;
    for (let i = 0; i < requests; i++) {
      const req = new ByteStream(this.pools);
      const resp = new ByteStream(this.pools);
      this.exchange(h, site, https, i, req, resp, t);
      t = yield* tcp.send(true, req, t + this.jitter(100 * US, 0.5), false);
      t = Math.max(t, tcp.lastData + rtt + (site.lan ? this.jitter(1 * MS, 0.5) : this.jitter(20 * MS, 0.9)));
      t = yield* tcp.send(false, resp, t);
      t += i + 1 < requests ? this.rng.exp(300 * MS) + 1 * MS : this.jitter(50 * MS, 0.9);
    }
    // closing
    const how = this.rng.weighted([6, 2, 1]);
    if (https && how !== 2) {
      yield t;
      tcp.seg(true, TCP_PSH | TCP_ACK, new ByteStream(this.pools).tlsAppData(tls13 ? 19 : 26, 1 << 14, 0x15));
      t += this.jitter(30 * US, 0.5);
    }
    if (how === 0) {
      yield t;
      tcp.seg(true, TCP_FIN | TCP_ACK, null);
      t += rtt;
      yield t;
      tcp.seg(false, TCP_FIN | TCP_ACK, null);
      t += this.jitter(50 * US, 0.5);
      yield t;
      tcp.seg(true, TCP_ACK, null);
    } else if (how === 1) {
      // server closes an idle keep-alive connection
      t += this.jitter(5 * SEC, 0.5);
      yield t;
      tcp.seg(false, TCP_FIN | TCP_ACK, null);
      t += this.jitter(80 * US, 0.5);
      yield t;
      tcp.seg(true, TCP_ACK, null);
      t += this.jitter(2 * MS, 0.5);
      yield t;
      tcp.seg(true, TCP_FIN | TCP_ACK, null);
      t += rtt;
      yield t;
      tcp.seg(false, TCP_ACK, null);
    } else {
      yield t;
      tcp.seg(true, TCP_RST | TCP_ACK, null);
    }
  }

  /** one request and its response (HTTP/1.1 text, or opaque TLS records) */
  exchange(h: Host, site: Site, https: boolean, i: number, req: ByteStream, resp: ByteStream, t: number): void {
    const rng = this.rng;
    if (https) {
      req.tlsAppData(rng.range(90, 900));
      const n = site.median === 0 ? 0 : this.objectSize(site);
      resp.tlsAppData(n + rng.range(60, 400));
      return;
    }
    const date = A.httpDate(this.startMs + Math.floor(t / MS));
    if (site.name === "connectivity.example.net") {
      req.literal(`GET /generate_204 HTTP/1.1\r\nHost: ${site.name}\r\nUser-Agent: ${h.ua}\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n`);
      resp.literal(`HTTP/1.1 204 No Content\r\nDate: ${date}\r\nServer: nginx\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n`);
      return;
    }
    const kind = rng.weighted([5, 2, 2, 1, 1, 1, site.median > 100000 ? 2 : 0]);
    const paths = ["/", "/index.html", "/news/today", "/products", "/about", "/docs/intro"];
    const head = (method: string, path: string, accept: string, extra = ""): string =>
      `${method} ${path} HTTP/1.1\r\nHost: ${site.name}\r\nUser-Agent: ${h.ua}\r\nAccept: ${accept}\r\nAccept-Language: en-US,en;q=0.9\r\nAccept-Encoding: identity\r\n${extra}Connection: keep-alive\r\n\r\n`;
    const ok = (type: string, n: number, status = "200 OK"): string =>
      `HTTP/1.1 ${status}\r\nDate: ${date}\r\nServer: nginx/1.24.0\r\nContent-Type: ${type}\r\nContent-Length: ${n}\r\nConnection: keep-alive\r\nCache-Control: max-age=300\r\n\r\n`;
    switch (kind) {
      case 0: {
        const n = this.objectSize(site);
        req.literal(head("GET", i === 0 ? "/" : rng.pick(paths), "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        resp.literal(ok("text/html; charset=utf-8", n)).text(n);
        break;
      }
      case 1: {
        const n = Math.max(200, Math.floor(this.objectSize(site) / 3));
        req.literal(head("GET", `/static/app.${rng.int(1000)}.css`, "text/css,*/*;q=0.1"));
        resp.literal(ok("text/css", n)).text(n);
        break;
      }
      case 2: {
        const n = Math.max(200, Math.floor(this.objectSize(site) / 2));
        req.literal(head("GET", `/static/app.${rng.int(1000)}.js`, "*/*"));
        resp.literal(ok("application/javascript", n)).text(n);
        break;
      }
      case 3: {
        const body = `{"user":"${h.name}","action":"sync","items":[${rng.int(100)},${rng.int(100)},${rng.int(100)}],"ok":true}`;
        req.literal(head("POST", "/api/v1/events", "application/json", `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`)).literal(body);
        const rb = `{"status":"ok","id":${rng.int(1e6)},"received":3}`;
        resp.literal(ok("application/json", rb.length)).literal(rb);
        break;
      }
      case 4:
        req.literal(head("GET", rng.pick(paths), "text/html", `If-None-Match: "${rng.u32().toString(16)}"\r\n`));
        resp.literal(`HTTP/1.1 304 Not Modified\r\nDate: ${date}\r\nServer: nginx/1.24.0\r\nETag: "${rng.u32().toString(16)}"\r\nConnection: keep-alive\r\n\r\n`);
        break;
      case 5: {
        const body = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n";
        req.literal(head("GET", "/favicon.ico", "image/avif,image/webp,*/*"));
        resp.literal(ok("text/html", body.length, "404 Not Found")).literal(body);
        break;
      }
      default: {
        const n = this.objectSize(site) * 4;
        const size = Math.min(n, this.maxObject);
        req.literal(head("GET", `/files/update-${rng.int(100)}.bin`, "*/*"));
        resp.literal(ok("application/octet-stream", size)).random(size);
      }
    }
  }
}

const SYN_OPTS: Record<Os, number[]> = {
  // MSS 1460, SACK_PERM, TS, NOP, WS 7
  linux: [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7],
  android: [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 9],
  // MSS, NOP, WS 6, NOP, NOP, TS, SACK_PERM, EOL
  mac: [2, 4, 5, 180, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2, 0, 0],
  // MSS, NOP, WS 8, NOP, NOP, SACK_PERM
  windows: [2, 4, 5, 180, 1, 3, 3, 8, 1, 1, 4, 2],
};

/** One TCP connection: sequence/ack state, timestamps, segmentation. */
class Tcp {
  cSeq: number;
  sSeq: number;
  private cIsn: number;
  private sIsn: number;
  readonly ts: boolean;
  private cTs: number;
  private sTs: number;
  private lastCTs = 0;
  private lastSTs = 0;
  private opt = new Uint8Array(40);
  readonly mss: number;
  /** time of the last data segment sent by send() */
  lastData = 0;

  constructor(private o: Office, private p: Path, readonly cport: number, readonly sport: number) {
    this.cIsn = this.cSeq = o.rng.u32();
    this.sIsn = this.sSeq = o.rng.u32();
    this.ts = p.h.os !== "windows";
    this.cTs = o.rng.u32();
    this.sTs = o.rng.u32();
    this.mss = (p.v6 ? 1440 : 1460) - (this.ts ? 12 : 0);
  }

  private tsval(client: boolean): number {
    const ms = Math.floor(this.o.now / MS);
    return ((client ? this.cTs : this.sTs) + ms) >>> 0;
  }

  /** build one segment; returns payload bytes carried */
  seg(fromClient: boolean, flags: number, stream: ByteStream | null, maxLen = this.mss, ack?: number): number {
    const o = this.o;
    const p = this.p;
    const f = o.l3(p, fromClient, PROTO_TCP);
    const opt = this.opt;
    let optLen = 0;
    const mssv = p.v6 ? 1440 : 1460;
    if (flags & TCP_SYN) {
      if (fromClient) {
        const so = SYN_OPTS[p.h.os];
        opt.set(so);
        optLen = so.length;
        opt[2] = mssv >> 8;
        opt[3] = mssv & 255;
      } else {
        // MSS, SACK_PERM, TS (when offered), NOP, WS 7 (or MSS, NOP, WS, SACK_PERM)
        const so = this.ts ? [2, 4, mssv >> 8, mssv & 255, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7] : [2, 4, mssv >> 8, mssv & 255, 1, 3, 3, 7, 1, 1, 4, 2];
        opt.set(so);
        optLen = so.length;
      }
      if (this.ts) {
        const at = opt.indexOf(8);
        const v = this.tsval(fromClient);
        writeU32(opt, at + 2, v);
        writeU32(opt, at + 6, fromClient ? 0 : this.lastCTs);
        if (fromClient) this.lastCTs = v;
        else this.lastSTs = v;
      }
    } else if (this.ts) {
      opt[0] = 1;
      opt[1] = 1;
      opt[2] = 8;
      opt[3] = 10;
      const v = this.tsval(fromClient);
      writeU32(opt, 4, v);
      writeU32(opt, 8, fromClient ? this.lastSTs : this.lastCTs);
      if (fromClient) this.lastCTs = v;
      else this.lastSTs = v;
      optLen = 12;
    }
    const seq = fromClient ? this.cSeq : this.sSeq;
    const ackv = ack ?? (fromClient ? this.sSeq : this.cSeq);
    const win = flags & TCP_SYN ? (p.h.os === "mac" ? 65535 : 64240) : fromClient ? (p.h.os === "windows" ? 1026 : 2052) : 501;
    f.tcp(fromClient ? this.cport : this.sport, fromClient ? this.sport : this.cport, seq, ackv, flags, win, opt, optLen);
    const n = stream ? stream.take(f, maxLen) : 0;
    const adv = n + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0);
    if (fromClient) this.cSeq = (this.cSeq + adv) >>> 0;
    else this.sSeq = (this.sSeq + adv) >>> 0;
    o.emit();
    return n;
  }

  /**
   * Send a whole stream in slow-start bursts, with the receiver's ACKs (every second segment and
   * after the last) interleaved in time order. The capture point is near the client: data from
   * the server arrives in bursts an RTT apart and the client ACKs at once; data from the client
   * leaves in bursts and the server's ACKs come back an RTT later.
   */
  *send(fromClient: boolean, s: ByteStream, t: number, ackLast = true): Step {
    const o = this.o;
    const p = this.p;
    const lan = p.peerMac !== ROUTER_MAC;
    const mbps = lan ? 940 : 60 + 240 * o.rng.float();
    const gap = ((this.mss + 78) * 8) / (mbps * 1e-3);
    let cwnd = 10;
    let last = t;
    const segT: number[] = [];
    const ackT: number[] = [];
    const ackOf: number[] = [];
    const seqAfter: number[] = [];
    while (s.remaining > 0) {
      const n = Math.min(cwnd, Math.ceil(s.remaining / this.mss));
      segT.length = ackT.length = ackOf.length = seqAfter.length = 0;
      for (let i = 0, at = t; i < n; i++, at += gap * (0.9 + 0.2 * o.rng.float())) segT.push(at);
      for (let i = 1; i < n; i += 2) {
        ackT.push(segT[i] + (fromClient ? p.rtt : o.jitter(40 * US, 0.5)));
        ackOf.push(i);
      }
      if (n % 2 === 1 && (ackLast || s.remaining > n * this.mss)) {
        ackT.push(segT[n - 1] + (fromClient ? p.rtt : o.jitter(90 * US, 0.5)));
        ackOf.push(n - 1);
      }
      // ack times must not decrease
      for (let j = 1; j < ackT.length; j++) if (ackT[j] < ackT[j - 1]) ackT[j] = ackT[j - 1];
      let i = 0;
      let j = 0;
      while (i < n || j < ackT.length) {
        if (i < n && (j >= ackT.length || segT[i] <= ackT[j])) {
          yield segT[i];
          const lastSeg = s.remaining <= this.mss;
          this.seg(fromClient, TCP_ACK | (lastSeg || i === n - 1 ? TCP_PSH : 0), s);
          seqAfter.push(fromClient ? this.cSeq : this.sSeq);
          last = segT[i];
          this.lastData = last;
          i++;
        } else {
          yield ackT[j];
          this.seg(!fromClient, TCP_ACK, null, 0, seqAfter[ackOf[j]]);
          last = ackT[j];
          j++;
        }
      }
      const firstAck = ackT.length > 0 ? ackT[0] : last;
      t = Math.max(last + gap, fromClient ? firstAck + o.jitter(20 * US) : firstAck + p.rtt);
      cwnd = Math.min(cwnd * 2, 64);
    }
    return last + o.jitter(30 * US, 0.5);
  }
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

/** Generate the office scenario into a sink; returns what was written. */
export function generateOffice(opts: OfficeOptions): GenStats {
  return new Office(opts).run();
}
