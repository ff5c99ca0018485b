/**
 * arp_spoof: an IPv4 address claimed (as ARP sender) by a second MAC while the first one's claim
 * is recent, and unsolicited ARP replies (a reply no request of its target asked for, including
 * gratuitous replies whose sender and target address are the same). When two MACs claim an
 * address, the attacker is the one that sent unsolicited replies for it (else the newer one).
 * `src` is that MAC, `dst` the address it claims.
 */
import type { AlertInput } from "./alerts";
import type { DetectContext } from "./context";
import { formatIPv4 } from "../fields/registry";

export interface ArpSpoofOptions {
  /** seconds a claim stays current: a different MAC claiming the address sooner is a conflict */
  claimWindow: number;
  /** seconds a request waits for its reply (later replies are unsolicited) */
  requestWindow: number;
  /** unsolicited replies from one MAC, without a conflict, before they are reported */
  minUnsolicited: number;
}

export const ARP_SPOOF_DEFAULTS: ArpSpoofOptions = { claimWindow: 600, requestWindow: 5, minUnsolicited: 5 };

interface Claim { mac: number; last: number }

export function arpSpoof(ctx: DetectContext, o: ArpSpoofOptions): AlertInput[] {
  const op = ctx.num("arp.opcode"), spa = ctx.num("arp.src.proto_ipv4"), tpa = ctx.num("arp.dst.proto_ipv4");
  const sha = ctx.dict("arp.src.hw_mac");
  const t = ctx.time();
  const claims = new Map<number, Claim>();
  /** pending requests: "asker ip|wanted ip" → time */
  const pending = new Map<string, number>();
  /** per (mac, claimed ip): unsolicited reply rows */
  const unsolicited = new Map<string, number[]>();
  /** conflicts: "ip" → [old mac, new mac, first row] */
  const conflicts = new Map<string, { ip: number; macs: Set<number>; first: number; prev: number }>();
  for (let i = 0; i < ctx.n; i++) {
    const code = op[i];
    if (code !== 1 && code !== 2) continue;
    const ip = spa[i], m = sha.codes[i];
    if (ip !== ip || m === 0 || ip === 0) continue;
    const now = t[i];
    if (code === 1) pending.set(`${ip}|${tpa[i]}`, now);
    else {
      const asked = pending.get(`${tpa[i]}|${ip}`);
      if (asked === undefined || now - asked > o.requestWindow || tpa[i] === ip) {
        const k = `${m}|${ip}`;
        let a = unsolicited.get(k);
        if (a === undefined) unsolicited.set(k, (a = []));
        a.push(i);
      }
    }
    const c = claims.get(ip);
    if (c !== undefined && c.mac !== m && now - c.last <= o.claimWindow) {
      const k = String(ip);
      let x = conflicts.get(k);
      if (x === undefined) conflicts.set(k, (x = { ip, macs: new Set([c.mac]), first: i, prev: c.mac }));
      x.macs.add(m);
    }
    claims.set(ip, { mac: m, last: now });
  }
  const macText = (m: number) => sha.values[m];
  const out: AlertInput[] = [];
  const reported = new Set<number>();
  const rowsOf = (m: number, ip: number) => {
    const rows: number[] = [];
    for (let i = 0; i < ctx.n; i++) if (sha.codes[i] === m && spa[i] === ip && (op[i] === 1 || op[i] === 2)) rows.push(i);
    return rows;
  };
  for (const x of conflicts.values()) {
    // the attacker: the MAC with the most unsolicited replies for this address, else the newer one
    let attacker = -1, most = 0;
    for (const m of x.macs) { const n = unsolicited.get(`${m}|${x.ip}`)?.length ?? 0; if (n > most) { most = n; attacker = m; } }
    if (attacker < 0) attacker = sha.codes[x.first];
    const others = [...x.macs].filter((m) => m !== attacker).map(macText);
    const ip = formatIPv4(x.ip), mac = macText(attacker);
    const rows = rowsOf(attacker, x.ip);
    const targets = new Set(rows.map((r) => formatIPv4(tpa[r])));
    reported.add(attacker);
    out.push({
      ts: t[rows[0]], detector: "arp_spoof", severity: 1, src: mac, dst: ip, proto: "arp",
      summary: `${ip} claimed by ${mac} (also ${others.join(", ")}); ${rows.length} ARP packets, ${most} unsolicited replies, to ${[...targets].join(", ")}`,
      evidence: `arp.src.hw_mac == ${mac} && arp.src.proto_ipv4 == ${ip}`,
      uids: [], packets: rows.length,
    });
  }
  for (const [k, rows] of unsolicited) {
    const [m, ip] = k.split("|").map(Number);
    if (reported.has(m) || rows.length < o.minUnsolicited) continue;
    const mac = macText(m), a = formatIPv4(ip);
    out.push({
      ts: t[rows[0]], detector: "arp_spoof", severity: 3, src: mac, dst: a, proto: "arp",
      summary: `${rows.length} unsolicited ARP replies from ${mac} for ${a}`,
      evidence: `arp.opcode == 2 && arp.src.hw_mac == ${mac} && arp.src.proto_ipv4 == ${a}`,
      uids: [], packets: rows.length,
    });
  }
  return out;
}
