/**
 * Connection tracking with Zeek's conn.log semantics over the columnar packet table.
 *
 * One pass over the packets in capture order. Connections are found through an open-addressing
 * hash table keyed on the canonical 5-tuple (typed arrays; no per-packet objects); each
 * connection is one object holding Zeek's per-connection state (TCP endpoints, history, counters,
 * pending timers). Zeek's timers (inactivity, TCP attempt, expire, close delay) fire when network
 * time passes them, before the packet that passes them is processed; here they are evaluated
 * lazily when the connection's next packet arrives, against the network time (the running maximum
 * of packet times) of the packets in between — the result is the same because a connection's state
 * only changes with its own packets.
 */
import type { Capture } from "../table/capture";
import { Defragmenter, type DefragOptions } from "../stream/defrag";
import { sharedPacketsOf, V6_BASE, type AddrTable, type PacketArrays } from "../stream/packets";
import { likelyServerPorts } from "./ports";
import { allocFlowData, resizeFlowData, type FlowData } from "./table";
import { NetworkTime, later } from "./time";
import { ACK, CLOSED, ESTABLISHED, INACTIVE, PARTIAL, RESET, SYN, SYN_ACK_SENT, SYN_SENT, TcpState, type Endpoint, type SegmentResult, type TcpConn } from "./tcp";

export interface ZeekOptions extends DefragOptions {
  /**
   * The Zeek protocol scripts whose ports count as likely server ports (who is the originator when
   * the first packet is not a SYN): Zeek's default scripts when omitted; `zeek -b` loads only what
   * the script @loads (e.g. ["http", "dns"]).
   */
  zeekScripts?: readonly string[];
  /** seconds: tcp_inactivity_timeout 300, udp/icmp/unknown 60 */
  tcpInactivity?: number;
  udpInactivity?: number;
  icmpInactivity?: number;
  unknownInactivity?: number;
  /**
   * Connections tracked at once at most (default MAX_CONNECTIONS). Connections whose timers have
   * expired are let go as Zeek does; past the cap the least recently active one is evicted (its row
   * is kept as it stands; a later packet of it starts a new connection) and counted in a warning.
   */
  maxConnections?: number;
  /**
   * Live connections past which all of them are checked for expired timers (again each time their
   * number grows by a quarter); default 65,536. Tuning only: rows do not depend on it.
   */
  sweepFrom?: number;
}

/** default of ZeekOptions.maxConnections */
export const MAX_CONNECTIONS = 500_000;
/** default of ZeekOptions.sweepFrom */
const SWEEP_MIN = 65_536;
/** connection objects kept for reuse at most */
const POOL_MAX = 65_536;

export const KIND_TCP = 0, KIND_UDP = 1, KIND_ICMP = 2, KIND_OTHER = 3;
export const KIND_NAMES = ["tcp", "udp", "icmp", "unknown_transport"];

/** dns_session_timeout, and the ports the DNS analyzer is registered for (UDP) */
const DNS_SESSION_TIMEOUT = 10;
const DNS_UDP_PORTS = [53, 137, 5353, 5355];
/** tunnel_max_changes_per_connection: past it, history gets an 'X' */
const TUNNEL_MAX_CHANGES = 5;
const HIST_TUNNEL_LIMIT = 0x40000000;
const ATTEMPT_DELAY = 5, CLOSE_DELAY = 5, SYN_TIMEOUT = 5, SESSION_TIMER = 6, CONNECTION_LINGER = 5;

export class Conn implements TcpConn {
  // key (canonical) for the hash table
  k1 = 0; kp1 = 0; k2 = 0; kp2 = 0; kproto = 0;
  origH = 0; origP = 0; respH = 0; respP = 0;
  start = 0;
  last = 0;
  lastIdx = 0;
  history = "";
  histSeen = 0;
  timeout = 0;
  tcpTimeout = 300;
  isPartial = false;
  firstPacketSeen = 0;
  isActive = true;
  tcp: TcpState | null = null;
  origSize = -1;
  respSize = -1;
  origPkts = 0; origIp = 0; respPkts = 0; respIp = 0;
  // nfstream-style statistics over frames (frame.len)
  fwdPkts = 0; fwdBytes = 0; bwdPkts = 0; bwdBytes = 0;
  psMin = Infinity; psMax = 0; piatSum = 0; lastFrame = NaN;
  // timers (absolute times); expire chains
  attemptAt = Infinity;
  deleteAt = Infinity;
  /** the DNS analyzer's own expire timer (UDP conns on DNS ports) */
  dnsAt = Infinity;
  /** encapsulation of a tunnelled connection's last packet (outer conn id, or outer address pair) and its changes */
  encA = NaN;
  encB = NaN;
  tunnelChanges = 0;
  expires: number[] = [];
  removed = false;
  /** the TCP state object kept for reuse while the connection is not TCP */
  private spareTcp: TcpState | null = null;
  constructor(public id: number, public kind: number, public ipProto: number) {}

  /**
   * Makes a connection let go of earlier a fresh one (the tracker keeps a pool, so that millions of
   * short connections do not churn the garbage collector): every field as the constructor sets it.
   */
  reuse(id: number, kind: number, ipProto: number): void {
    const ex = this.expires, tcp = this.tcp ?? this.spareTcp;
    Object.assign(this, FRESH_CONN);
    ex.length = 0;
    this.expires = ex;
    this.spareTcp = tcp;
    this.id = id; this.kind = kind; this.ipProto = ipProto;
  }

  /** a TCP state (fresh) for this connection */
  startTcp(): TcpState {
    const t = this.spareTcp;
    this.spareTcp = null;
    if (t === null) return (this.tcp = new TcpState(this));
    t.reset();
    return (this.tcp = t);
  }

  flip(): void {
    let t = this.origH; this.origH = this.respH; this.respH = t;
    t = this.origP; this.origP = this.respP; this.respP = t;
    t = this.origPkts; this.origPkts = this.respPkts; this.respPkts = t;
    t = this.origIp; this.origIp = this.respIp; this.respIp = t;
    t = this.origSize; this.origSize = this.respSize; this.respSize = t;
    t = this.fwdPkts; this.fwdPkts = this.bwdPkts; this.bwdPkts = t;
    t = this.fwdBytes; this.fwdBytes = this.bwdBytes; this.bwdBytes = t;
    if (this.tcp !== null) this.tcp.flipRoles();
    this.history += "^";
  }

  /** conn_state of Zeek's base/protocols/conn/main.zeek */
  connState(): string {
    if (this.kind === KIND_UDP) {
      if (this.origSize >= 0) return this.respSize >= 0 ? "SF" : "S0";
      return this.respSize >= 0 ? "SHR" : "OTH";
    }
    if (this.kind !== KIND_TCP || this.tcp === null) return "OTH";
    const os = this.tcp.orig.state, rs = this.tcp.resp.state;
    const oInactive = os === INACTIVE || os === PARTIAL, rInactive = rs === INACTIVE || rs === PARTIAL;
    if (rs === RESET) {
      if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && this.tcp.orig.size() === 0 && this.tcp.resp.size() === 0)) return "REJ";
      return oInactive ? "RSTRH" : "RSTR";
    }
    if (os === RESET) {
      if (rInactive) return /^\^?S[^HAFGIQ]*R.*$/.test(this.history) ? "RSTOS0" : "OTH";
      return "RSTO";
    }
    if (rs === CLOSED && os === CLOSED) return "SF";
    if (os === CLOSED) return rInactive ? "SH" : "S2";
    if (rs === CLOSED) return oInactive ? "SHR" : "S3";
    if (os === SYN_SENT && rs === INACTIVE) return "S0";
    if (os === ESTABLISHED && rs === ESTABLISHED) return "S1";
    return "OTH";
  }

  origBytes(): number {
    if (this.tcp !== null) return this.tcp.orig.size();
    return this.origSize < 0 ? 0 : this.origSize;
  }
  respBytes(): number {
    if (this.tcp !== null) return this.tcp.resp.size();
    return this.respSize < 0 ? 0 : this.respSize;
  }
  missedBytes(): number {
    return this.tcp === null ? 0 : this.tcp.orig.missed + this.tcp.resp.missed;
  }
}

const FRESH_CONN = new Conn(0, 0, 0);

/** ICMP "ports": (type, counterpart type) for request/reply pairs, else (type, code) one-way. */
function icmpCounterpart(v6: boolean, type: number, code: number): number {
  if (!v6) {
    switch (type) {
      case 8: return 0; case 0: return 8; case 13: return 14; case 14: return 13; case 15: return 16; case 16: return 15;
      case 10: return 9; case 9: return 10; case 17: return 18; case 18: return 17;
    }
  } else {
    switch (type) {
      case 128: return 129; case 129: return 128; case 133: return 134; case 134: return 133; case 135: return 136;
      case 136: return 135; case 130: return 131; case 131: return 130; case 139: return 140; case 140: return 139;
      case 144: return 145; case 145: return 144;
    }
  }
  return -1 - code; // one-way: the code (encoded negative to tell the caller)
}

/** Result of tracking: connections (row = id, creation order) and the connection of each packet. */
export interface Tracked {
  /** one row per connection (uid left empty) */
  data: FlowData;
  /** per packet of the capture (view rows): the connection row, or 0xffffffff */
  flowOf: Uint32Array;
  addrs: AddrTable;
  warnings: string[];
  packets: PacketArrays;
  /** rows of the capture in processing order (view index → base row) */
  index: Uint32Array | null;
}

export const NO_FLOW = 0xffffffff;

class ConnTable {
  private slots = new Int32Array(1024).fill(-1);
  private used = 0;
  /** the live connections by id (holes for those let go) */
  constructor(private readonly conns: (Conn | undefined)[]) {}
  private static hash(a: number, pa: number, b: number, pb: number, pr: number): number {
    let h = Math.imul((a >>> 0) ^ (a >= V6_BASE ? 0x9e3779b9 : 0), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ pa, 0xc2b2ae35);
    h = Math.imul(h ^ ((b >>> 0) ^ (b >= V6_BASE ? 0x7f4a7c15 : 0)), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16) ^ pb ^ (pr << 20), 0xc2b2ae35);
    return (h ^ (h >>> 15)) >>> 0;
  }
  /** slot index of the key (holding -1 when the key is new) */
  find(a: number, pa: number, b: number, pb: number, pr: number): number {
    const mask = this.slots.length - 1;
    let i = ConnTable.hash(a, pa, b, pb, pr) & mask;
    for (;;) {
      const id = this.slots[i];
      if (id < 0) return i;
      const c = this.conns[id] as Conn;
      if (c.k1 === a && c.kp1 === pa && c.k2 === b && c.kp2 === pb && c.kproto === pr) return i;
      i = (i + 1) & mask;
    }
  }
  get(slot: number): number {
    return this.slots[slot];
  }
  /** sets the slot found by find(); returns false when the table grew (slots moved) */
  set(slot: number, id: number): void {
    if (this.slots[slot] < 0) {
      this.slots[slot] = id;
      if (++this.used * 2 > this.slots.length) this.grow();
    } else this.slots[slot] = id;
  }
  /** removes a connection (backward-shift deletion: no tombstones) */
  remove(c: Conn): void {
    const mask = this.slots.length - 1;
    let i = this.find(c.k1, c.kp1, c.k2, c.kp2, c.kproto);
    if (this.slots[i] !== c.id) return;
    this.slots[i] = -1;
    this.used--;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const id = this.slots[j];
      if (id < 0) return;
      const o = this.conns[id] as Conn;
      const k = ConnTable.hash(o.k1, o.kp1, o.k2, o.kp2, o.kproto) & mask;
      // o stays when its home k lies cyclically in (i, j]
      if (i <= j ? (k > i && k <= j) : (k > i || k <= j)) continue;
      this.slots[i] = id;
      this.slots[j] = -1;
      i = j;
    }
  }
  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (let k = 0; k < old.length; k++) {
      const id = old[k];
      if (id < 0) continue;
      const c = this.conns[id] as Conn;
      let i = ConnTable.hash(c.k1, c.kp1, c.k2, c.kp2, c.kproto) & mask;
      while (this.slots[i] >= 0) i = (i + 1) & mask;
      this.slots[i] = id;
    }
  }
}

const BROADCAST4 = 0xffffffff;

export function trackZeek(cap: Capture, opts: ZeekOptions = {}): Tracked {
  const { P, addrs, index } = sharedPacketsOf(cap);
  const n = index === null ? P.n : index.length;
  const likely = likelyServerPorts(opts.zeekScripts);
  const dnsLoaded = opts.zeekScripts === undefined || opts.zeekScripts.includes("dns");
  const tcpTimeout = opts.tcpInactivity ?? 300, udpTimeout = opts.udpInactivity ?? 60;
  const icmpTimeout = opts.icmpInactivity ?? 60, otherTimeout = opts.unknownInactivity ?? 60;
  const maxConns = Math.max(1, Math.floor(opts.maxConnections ?? MAX_CONNECTIONS));
  /** live connections by id; a connection let go is written to `data` and dropped */
  const conns: (Conn | undefined)[] = [];
  const ht = new ConnTable(conns);
  // rows for one connection per packet (pages never written cost no memory), grown past that (tunnels)
  const rows0 = Math.max(1024, n);
  let data = allocFlowData(rows0, KIND_NAMES, STATE_NAMES);
  const pool: Conn[] = [];
  const histCode = new Map<string, number>();
  const sweepFrom = Math.max(1, opts.sweepFrom ?? SWEEP_MIN);
  let created = 0, liveCount = 0, evicted = 0, nextSweep = sweepFrom, sweepAgainAt = 0;
  // live connections from least to most recently active (a doubly linked list over ids)
  let prev = new Int32Array(rows0), next = new Int32Array(rows0);
  let head = -1, tail = -1;
  const unlink = (id: number): void => {
    const p = prev[id], q = next[id];
    if (p >= 0) next[p] = q; else head = q;
    if (q >= 0) prev[q] = p; else tail = p;
  };
  const append = (id: number): void => {
    prev[id] = tail; next[id] = -1;
    if (tail >= 0) next[tail] = id; else head = id;
    tail = id;
  };
  /** the connection leaves tracking: its row is final */
  const letGo = (c: Conn): void => {
    ht.remove(c);
    unlink(c.id);
    conns[c.id] = undefined;
    liveCount--;
    c.removed = true;
    writeRow(data, c.id, c, histCode);
    if (pool.length < POOL_MAX) pool.push(c);
  };
  const flowOf = new Uint32Array(n).fill(NO_FLOW);
  const NT = new Float64Array(n);
  const defrag = new Defragmenter(P, opts);
  const seg: SegmentResult = { doClose: false, genEvent: false };
  const clock = new NetworkTime();
  /** encapsulation of the packet being tracked (NaN: not tunnelled) */
  let encA = NaN, encB = NaN;
  let cur: Conn | null = null; // connection of the segment being processed (attempt timer callback)
  let curT = 0;
  const onAttempt = () => { if (cur !== null) cur.attemptAt = curT + ATTEMPT_DELAY; };

  /** first view index j in [lo, hi] with NT[j] >= s (hi when none) */
  const fireIndex = (s: number, lo: number, hi: number): number => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (NT[mid] >= s) hi = mid; else lo = mid + 1;
    }
    return lo;
  };

  /** whether a timer removed the connection before packet i */
  const expired = (c: Conn, i: number): boolean => {
    const now = NT[i];
    if (c.timeout > 0 && now >= c.last + c.timeout) return true;
    if (c.deleteAt <= now) return true;
    while (c.dnsAt <= now) {
      const f = NT[fireIndex(c.dnsAt, c.lastIdx + 1, i)];
      if (f - c.last >= DNS_SESSION_TIMEOUT - 1) return true;
      c.dnsAt = later(f, DNS_SESSION_TIMEOUT);
    }
    if (c.attemptAt <= now) {
      const t = c.tcp as TcpState;
      if (c.isActive && (t.orig.state === SYN_SENT || t.orig.state === SYN_ACK_SENT) && t.resp.state === INACTIVE) return true;
      c.attemptAt = Infinity;
    }
    const ex = c.expires;
    for (let k = 0; k < ex.length; k++) {
      let s = ex[k];
      while (s <= now) {
        if (!c.isActive) { s = Infinity; break; }
        const f = NT[fireIndex(s, c.lastIdx + 1, i)];
        const t = c.tcp as TcpState;
        if (c.last + CONNECTION_LINGER < f) {
          const o = t.orig, r = t.resp;
          if ((o.didClose || r.didClose) &&
            ((o.didClose && r.didClose) || o.state === RESET || r.state === RESET || o.state === INACTIVE || r.state === INACTIVE)) return true;
          if (r.state === INACTIVE && o.state === INACTIVE) return true;
        }
        s = later(f, SESSION_TIMER);
      }
      ex[k] = s;
    }
    return false;
  };

  const connectionClosed = (c: Conn, endpoint: Endpoint, peer: Endpoint, genEvent: boolean): void => {
    if (endpoint.didClose) return;
    endpoint.didClose = true;
    const complete = endpoint.state === RESET || peer.didClose || peer.state === INACTIVE;
    if (complete) {
      if ((endpoint.prevState !== INACTIVE || peer.state !== INACTIVE) && genEvent) c.isActive = false;
      c.attemptAt = Infinity;
      c.expires.length = 0;
      c.deleteAt = c.last + CLOSE_DELAY;
    } else if (endpoint.prevState !== INACTIVE) c.expires.push(c.last + SESSION_TIMER);
  };

  /** lets go of the live connections whose timers expired by packet i */
  const sweep = (i: number): void => {
    for (let id = head; id >= 0;) {
      const nxt = next[id];
      const c = conns[id] as Conn;
      // expired() looks at the packets after the connection's last one: not for one of packet i (a tunnel's)
      if (c.lastIdx < i && expired(c, i)) letGo(c);
      id = nxt;
    }
  };

  const newConn = (kind: number, ipProto: number, src: number, sp: number, dst: number, dp: number,
    k1: number, kp1: number, k2: number, kp2: number, kpr: number, t: number, i: number, flags: number): Conn => {
    if (liveCount >= nextSweep || (liveCount >= maxConns && created >= sweepAgainAt)) {
      sweep(i);
      nextSweep = Math.max(sweepFrom, Math.ceil(1.25 * liveCount));
      sweepAgainAt = created + Math.max(1, maxConns >> 3);
    }
    while (liveCount >= maxConns) {
      const old = conns[head] as Conn;
      if (old.lastIdx >= i || !expired(old, i)) evicted++;
      letGo(old);
    }
    const spare = pool.pop();
    let c: Conn;
    if (spare === undefined) c = new Conn(created++, kind, ipProto);
    else { c = spare; c.reuse(created++, kind, ipProto); }
    if (c.id >= prev.length) {
      const grow = (a: Int32Array) => { const b = new Int32Array(Math.ceil(a.length * 1.5)); b.set(a); return b; };
      prev = grow(prev); next = grow(next);
      data = resizeFlowData(data, prev.length);
    }
    conns[c.id] = c;
    liveCount++;
    append(c.id);
    c.k1 = k1; c.kp1 = kp1; c.k2 = k2; c.kp2 = kp2; c.kproto = kpr;
    c.origH = src; c.origP = sp; c.respH = dst; c.respP = dp;
    c.start = c.last = t;
    c.lastIdx = i;
    let flip = false;
    if (kind === KIND_TCP) {
      c.startTcp();
      c.timeout = udpTimeout;
      c.tcpTimeout = tcpTimeout;
      c.expires.push(NT[i] + SYN_TIMEOUT);
      if ((flags & SYN) === 0 || (flags & ACK) !== 0) {
        if (likely[sp] === 1) flip = likely[dp] === 1 ? ((flags & SYN) === 0 && sp < dp) : true;
      }
    } else if (kind === KIND_UDP) {
      c.timeout = udpTimeout;
      flip = likely[65536 + sp] === 1 && likely[65536 + dp] !== 1;
    } else c.timeout = kind === KIND_ICMP ? icmpTimeout : otherTimeout;
    if (flip && dst !== BROADCAST4) c.flip();
    if (kind === KIND_UDP && dnsLoaded && DNS_UDP_PORTS.includes(c.respP)) c.dnsAt = NT[i] + DNS_SESSION_TIMEOUT;
    return c;
  };

  /** one IP packet (or reassembled datagram) for connection tracking; returns the connection */
  const track = (i: number, r: number, kind: number, ipProto: number, src: number, dst: number, sp: number, dp: number,
    oneWay: boolean, ipLen: number, t: number, tcpLen: number, payload: number): Conn | null => {
    let k1 = src, kp1 = sp, k2 = dst, kp2 = dp;
    if (!oneWay && (dst < src || (dst === src && dp < sp))) { k1 = dst; kp1 = dp; k2 = src; kp2 = sp; }
    const kpr = ipProto + (oneWay ? 256 : 0);
    let slot = ht.find(k1, kp1, k2, kp2, kpr);
    const id = ht.get(slot);
    let c: Conn | null = id < 0 ? null : conns[id] as Conn;
    const flags = kind === KIND_TCP ? P.tcpFlags[r] : 0;
    if (c !== null) {
      if (expired(c, i)) { letGo(c); c = null; }
      else if (kind === KIND_TCP && (c.tcp as TcpState).isReuse(flags, P.tcpSeq[r])) { letGo(c); c = null; }
      else if (tail !== c.id) { unlink(c.id); append(c.id); }
    }
    if (c === null) {
      c = newConn(kind, ipProto, src, sp, dst, dp, k1, kp1, k2, kp2, kpr, t, i, flags);
      slot = ht.find(k1, kp1, k2, kp2, kpr);
      ht.set(slot, c.id);
      c.encA = encA; c.encB = encB;
    } else if (encA === encA && (c.encA !== encA || c.encB !== encB)) {
      // Connection::CheckEncapsulation: the tunnel changed
      c.encA = encA; c.encB = encB;
      if (++c.tunnelChanges > TUNNEL_MAX_CHANGES && (c.histSeen & HIST_TUNNEL_LIMIT) === 0) {
        c.histSeen |= HIST_TUNNEL_LIMIT;
        c.history += "X";
      }
    }
    const isOrig = src === c.origH && sp === c.origP;
    switch (kind) {
      case KIND_TCP: {
        const tcp = c.tcp as TcpState;
        if (!tcp.orig.didClose || !tcp.resp.didClose) c.last = t;
        cur = c;
        curT = t;
        tcp.segment(isOrig, flags, P.tcpSeq[r], P.tcpAck[r], tcpLen, P.tcpWin[r], P.cut[r] === 0, seg, onAttempt);
        cur = null;
        if (seg.doClose) connectionClosed(c, tcp.endpoint, tcp.endpoint.peer, seg.genEvent);
        break;
      }
      case KIND_UDP: {
        c.last = t;
        // the mask is per direction, not shifted (UDP's own history bits)
        const orig = src === c.origH && sp === c.origP;
        const mask = orig ? 1 : 2;
        if ((c.histSeen & mask) === 0) { c.histSeen |= mask; c.history += orig ? "D" : "d"; }
        if (payload >= 0) {
          if (orig) c.origSize = (c.origSize < 0 ? 0 : c.origSize) + payload;
          else c.respSize = (c.respSize < 0 ? 0 : c.respSize) + payload;
        }
        break;
      }
      case KIND_ICMP:
        c.last = t;
        if (isOrig) c.origSize = (c.origSize < 0 ? 0 : c.origSize) + payload;
        else c.respSize = (c.respSize < 0 ? 0 : c.respSize) + payload;
        break;
      default:
        c.last = t;
    }
    // ConnSize (counted with the direction the packet had when it arrived)
    if (isOrig) { c.origPkts++; c.origIp += ipLen; } else { c.respPkts++; c.respIp += ipLen; }
    c.lastIdx = i;
    return c;
  };

  /** frame statistics (nfstream style) for packet row r assigned to c */
  const frameStats = (c: Conn, r: number, src: number, sp: number): void => {
    const len = P.frameLen[r], t = P.t[r] === P.t[r] ? P.t[r] : c.last;
    if (src === c.origH && sp === c.origP) { c.fwdPkts++; c.fwdBytes += len; } else { c.bwdPkts++; c.bwdBytes += len; }
    if (len < c.psMin) c.psMin = len;
    if (len > c.psMax) c.psMax = len;
    if (c.lastFrame === c.lastFrame) c.piatSum += t - c.lastFrame;
    c.lastFrame = t;
  };

  for (let i = 0; i < n; i++) {
    const r = index === null ? i : index[i];
    NT[i] = clock.advance(P.t[r]);
    // a packet without a time (pcapng SPB) happens at the network time
    const t = P.t[r] === P.t[r] ? P.t[r] : NT[i];
    const src = P.src[r];
    if (src !== src) continue;
    const dst = P.dst[r];
    let proto = P.proto[r], ipLen = P.ipLen[r];
    let row = r;
    let extra = 0; // bytes a reassembled datagram has beyond its first fragment
    const fragmented = P.fragOff[r] >= 0 && !(P.fragOff[r] === 0 && P.fragMore[r] === 0);
    if (fragmented) {
      if (!defrag.add(r, i)) continue;
      row = defrag.firstRow;
      ipLen = defrag.totalLen;
      extra = defrag.totalLen - P.ipLen[row];
      proto = P.proto[row];
    }
    encA = encB = NaN;
    // a UDP tunnel (VXLAN, Teredo, GTP …) is a connection of its own, besides the inner one
    if (P.inner[row] === 1 && P.outProto[row] === 17 && P.udpSport[row] >= 0) {
      const oc: Conn | null = track(i, row, KIND_UDP, 17, P.outSrc[row], P.outDst[row], P.udpSport[row], P.udpDport[row], false,
        P.outLen[row], t, 0, P.udpLen[row] >= 8 ? P.udpLen[row] - 8 : -1);
      if (oc !== null) { flowOf[i] = oc.id; frameStats(oc, r, P.outSrc[row], P.udpSport[row]); encA = oc.id; encB = -1; }
      if (proto === 17) continue; // inner UDP ports are not in the table (first occurrence is the outer header)
    } else if (P.inner[row] === 1) {
      // an IP tunnel (GRE, IP in IP) is the same tunnel both ways
      const a = P.outSrc[row], b = P.outDst[row];
      encA = a < b ? a : b; encB = a < b ? b : a;
    }
    let c: Conn | null = null;
    let sp = 0;
    const v6 = src >= V6_BASE;
    if (proto === 6) {
      if (P.tcpFlags[row] < 0 || P.tcpHdr[row] < 20 || P.tcpSport[row] < 0) continue;
      sp = P.tcpSport[row];
      const len = (P.tcpLen[row] < 0 ? 0 : P.tcpLen[row]) + extra;
      c = track(i, row, KIND_TCP, 6, src, dst, sp, P.tcpDport[row], false, ipLen, t, len, 0);
    } else if (proto === 17) {
      if (P.udpSport[row] < 0) continue;
      sp = P.udpSport[row];
      c = track(i, row, KIND_UDP, 17, src, dst, sp, P.udpDport[row], false, ipLen, t, 0, P.udpLen[row] >= 8 ? P.udpLen[row] - 8 : -1);
    } else if (proto === 1 || proto === 58) {
      const type = P.icmpType[row];
      if (type < 0) continue;
      const payload = ipLen - P.ipHdr[row] - 8;
      if (payload < 0) continue;
      const cp = icmpCounterpart(proto === 58, type, P.icmpCode[row]);
      sp = type;
      c = track(i, row, KIND_ICMP, proto, src, dst, type, cp >= 0 ? cp : -1 - cp, cp < 0, ipLen, t, 0, payload);
    } else if (proto >= 0 && proto !== 4 && proto !== 41 && proto !== 47) {
      c = track(i, row, KIND_OTHER, proto, src, dst, 0, 0, false, ipLen, t, 0, 0);
    }
    if (c === null) continue;
    if (fragmented) {
      for (const fi of defrag.doneIndexes) { flowOf[fi] = c.id; frameStats(c, index === null ? fi : index[fi], src, sp); }
    } else {
      flowOf[i] = c.id;
      frameStats(c, r, src, sp);
    }
  }
  for (let id = head; id >= 0; id = next[id]) writeRow(data, id, conns[id] as Conn, histCode);
  conns.length = 0;
  data = resizeFlowData(data, created);
  const warnings = defrag.warnings();
  if (evicted > 0) warnings.push(`flows: ${evicted} connections evicted at the ${maxConns}-connection cap (maxConnections), least recently active first; a later packet of one starts a new connection`);
  return { data, flowOf, addrs, warnings, packets: P, index };
}

/** conn_state values (index 0: unset) */
export const STATE_NAMES = ["", "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"];
const STATE_CODE = new Map(STATE_NAMES.map((s, i) => [s, i]));

/** the connection's conn.log row r (uid aside) */
function writeRow(d: FlowData, r: number, c: Conn, hist: Map<string, number>): void {
  d.ts[r] = c.start;
  d.origH[r] = c.origH; d.origP[r] = c.origP; d.respH[r] = c.respH; d.respP[r] = c.respP;
  d.proto[r] = c.kind;
  const dur = c.last - c.start;
  if (dur > 0) {
    d.duration[r] = dur;
    d.origBytes[r] = c.origBytes();
    d.respBytes[r] = c.respBytes();
  } else d.duration[r] = d.origBytes[r] = d.respBytes[r] = NaN;
  d.connState[r] = STATE_CODE.get(c.connState()) as number;
  d.missedBytes[r] = c.missedBytes();
  d.history[r] = 0;
  if (c.history !== "") {
    let h = hist.get(c.history);
    if (h === undefined) { h = d.historyNames.length; d.historyNames.push(c.history); hist.set(c.history, h); }
    d.history[r] = h;
  }
  d.origPkts[r] = c.origPkts; d.origIpBytes[r] = c.origIp; d.respPkts[r] = c.respPkts; d.respIpBytes[r] = c.respIp;
  d.ipProto[r] = c.ipProto;
  d.fwdPkts[r] = c.fwdPkts; d.fwdBytes[r] = c.fwdBytes; d.bwdPkts[r] = c.bwdPkts; d.bwdBytes[r] = c.bwdBytes;
  const pk = c.fwdPkts + c.bwdPkts;
  d.psMin[r] = pk > 0 ? c.psMin : NaN;
  d.psMax[r] = pk > 0 ? c.psMax : NaN;
  d.piatMeanMs[r] = pk > 1 ? (c.piatSum * 1000) / (pk - 1) : NaN;
}
