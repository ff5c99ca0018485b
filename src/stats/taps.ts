/**
 * Where tshark's conversation and endpoint taps see a packet, read from our columns.
 *
 * tshark calls the eth / ip / ipv6 / tcp / udp tap once per header of that protocol it dissects,
 * with the addresses of that header (for tcp/udp: of the IP header right before it). An ICMP
 * error's quoted packet calls no tap. Our columns keep the first occurrence of each field (the
 * outer header) plus the innermost IP header of a tunnelled packet (inner.ip.* / inner.ipv6.*),
 * so per packet we can give: the outer header's tap, and for IP a second tap with the innermost
 * addresses when the packet has two or more IP headers of that version. TCP/UDP use the IP
 * header just before them: the outer one when it is the only one (UDP carrying VXLAN), the
 * innermost otherwise (TCP inside GRE or VXLAN). What we cannot see: a third IP header's tap
 * (IP in IP in IP), the inner Ethernet header of VXLAN, a second UDP header (DNS inside VXLAN).
 *
 * Two more of tshark's rules: the ipv6 tap does not fire for a fragment other than the first
 * (offset > 0, without reassembly); the tcp tap does not fire when the TCP header itself is
 * damaged (cut by the snaplen, or a bogus header length: a row our decoder flagged whose path
 * ends at tcp), as tshark stops before queueing it.
 *
 * A tap is given as per-row endpoint ids (src, dst; -1 when the tap does not fire) over an
 * endpoint table (address text, port or null).
 */
import { fieldByName } from "../fields/registry";
import { AddrTable } from "../stream/packets";
import type { Capture } from "../table/capture";
import { codes, malformedRows, numbers, pathIds } from "../table/bulk";

export type ConvType = "eth" | "ip" | "ipv6" | "tcp" | "udp";
export const CONV_TYPES: ConvType[] = ["eth", "ip", "ipv6", "tcp", "udp"];

export interface Taps {
  /** endpoint ids per row, one pair of arrays per tap pass (-1: no tap on that row) */
  passes: { src: Int32Array; dst: Int32Array }[];
  addr: string[];
  port: (number | null)[];
  /** address id of each endpoint (for ordering and for tcp stream keys) */
  addrId: number[];
}

interface PathInfo {
  /** number of headers of the tap's protocol before any ICMP (0: no tap) */
  count: number;
  /** for tcp/udp: IP headers before the first transport header, and the kind of the last one */
  ipBefore: number;
  lastIp: "ip" | "ipv6" | "";
}

function pathInfo(path: string, type: ConvType): PathInfo {
  const names = path.split(":");
  let count = 0, ipBefore = 0, seenTransport = false;
  let lastIp: "ip" | "ipv6" | "" = "";
  for (const p of names) {
    if (p === "icmp" || p === "icmpv6") break;
    if (type === "tcp" || type === "udp") {
      if (p === type) { if (!seenTransport) { seenTransport = true; count = 1; } else count++; continue; }
      if (!seenTransport && (p === "ip" || p === "ipv6")) { ipBefore++; lastIp = p; }
    } else if (p === type) count++;
  }
  return { count, ipBefore, lastIp };
}

/** Numbers addresses (in an AddrTable) and interns (address, port) endpoints as small ids. */
class Interner {
  readonly addr: string[] = [];
  readonly port: (number | null)[] = [];
  readonly addrId: number[] = [];
  readonly addrs = new AddrTable();
  private readonly eps = new Map<number, number>();

  /** endpoint of an address number and a port (-1: no port) */
  endpoint(a: number, port: number): number {
    const key = a * 65537 + (port + 1);
    let id = this.eps.get(key);
    if (id === undefined) {
      id = this.addr.length;
      this.eps.set(key, id);
      this.addr.push(this.addrs.text(a));
      this.port.push(port < 0 ? null : port);
      this.addrId.push(a);
    }
    return id;
  }
}

/** Per-row address numbers of one address column (IPv4 values; MAC / IPv6 dictionaries); -1 absent. */
function addressIds(cap: Capture, field: string, intern: Interner): Float64Array {
  const def = fieldByName(field);
  if (def === undefined) throw new Error(`unknown field ${field}`);
  const ids = new Float64Array(cap.count).fill(-1);
  if (def.storage === "dict") {
    const { codes: c, values } = codes(cap, field);
    const map = intern.addrs.idsOf(values);
    for (let i = 0; i < cap.count; i++) if (c[i] !== 0) ids[i] = map[c[i]];
  } else {
    if (def.display !== "ipv4") throw new Error(`${field} is not an address field`);
    const v = numbers(cap, field);
    for (let i = 0; i < cap.count; i++) if (v[i] === v[i]) ids[i] = v[i];
  }
  return ids;
}

/** The taps of one conversation/endpoint type over a capture's rows. */
export function taps(cap: Capture, type: ConvType): Taps {
  const intern = new Interner();
  const { ids, paths, last } = pathIds(cap);
  const infos = paths.map((path) => pathInfo(path, type));
  const passes: { src: Int32Array; dst: Int32Array }[] = [];
  const newPass = () => { const p = { src: new Int32Array(cap.count).fill(-1), dst: new Int32Array(cap.count).fill(-1) }; passes.push(p); return p; };

  if (type === "eth" || type === "ip" || type === "ipv6") {
    const [sf, df, isf, idf] = type === "eth" ? ["eth.src", "eth.dst", "", ""] :
      type === "ip" ? ["ip.src", "ip.dst", "inner.ip.src", "inner.ip.dst"] : ["ipv6.src", "ipv6.dst", "inner.ipv6.src", "inner.ipv6.dst"];
    const outer = newPass();
    const a = addressIds(cap, sf, intern), b = addressIds(cap, df, intern);
    const frag = type === "ipv6" ? numbers(cap, "ipv6.fraghdr.offset", 0) : null;
    for (let i = 0; i < cap.count; i++) {
      if (infos[ids[i]].count === 0 || a[i] < 0 || b[i] < 0) continue;
      if (frag !== null && frag[i] > 0) continue;
      outer.src[i] = intern.endpoint(a[i], -1);
      outer.dst[i] = intern.endpoint(b[i], -1);
    }
    if (isf !== "") {
      const inner = newPass();
      const ia = addressIds(cap, isf, intern), ib = addressIds(cap, idf, intern);
      for (let i = 0; i < cap.count; i++) {
        if (infos[ids[i]].count < 2 || ia[i] < 0 || ib[i] < 0) continue;
        inner.src[i] = intern.endpoint(ia[i], -1);
        inner.dst[i] = intern.endpoint(ib[i], -1);
      }
    }
    return { passes, addr: intern.addr, port: intern.port, addrId: intern.addrId };
  }

  const sp = numbers(cap, `${type}.srcport`), dp = numbers(cap, `${type}.dstport`);
  const cols = {
    ip: [addressIds(cap, "ip.src", intern), addressIds(cap, "ip.dst", intern)],
    ipv6: [addressIds(cap, "ipv6.src", intern), addressIds(cap, "ipv6.dst", intern)],
    "inner.ip": [addressIds(cap, "inner.ip.src", intern), addressIds(cap, "inner.ip.dst", intern)],
    "inner.ipv6": [addressIds(cap, "inner.ipv6.src", intern), addressIds(cap, "inner.ipv6.dst", intern)],
  };
  const pass = newPass();
  const bad = malformedRows(cap);
  const endsAt = last.map((name) => name === type);
  for (let i = 0; i < cap.count; i++) {
    const info = infos[ids[i]];
    if (info.count === 0 || info.lastIp === "" || sp[i] !== sp[i] || dp[i] !== dp[i]) continue;
    if (type === "tcp" && endsAt[ids[i]] && bad[i]) continue;
    let pair = info.ipBefore >= 2 ? cols[info.lastIp === "ip" ? "inner.ip" : "inner.ipv6"] : cols[info.lastIp];
    if (pair[0][i] < 0 && info.ipBefore >= 2) pair = cols[info.lastIp];
    const x = pair[0][i], y = pair[1][i];
    if (x < 0 || y < 0) continue;
    pass.src[i] = intern.endpoint(x, sp[i]);
    pass.dst[i] = intern.endpoint(y, dp[i]);
  }
  return { passes, addr: intern.addr, port: intern.port, addrId: intern.addrId };
}
