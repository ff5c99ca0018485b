/**
 * cleartext_credentials: user names and passwords sent in clear — HTTP Basic (`Authorization:` and
 * `Proxy-Authorization:` on any port), FTP `USER`/`PASS` (21), POP3 `USER`/`PASS` (110), IMAP
 * `LOGIN` (143) and Telnet logins (23: the characters typed after the server's `login:` and
 * `Password:` prompts, Telnet commands removed). One alert per protocol, client, server and user,
 * with the attempts and their outcome (FTP 230/5xx, POP3 +OK/-ERR, IMAP OK/NO, HTTP 2xx-3xx/401,
 * Telnet shell prompt / "incorrect"). The user is shown; the secret is masked unless
 * `showSecrets` is set.
 *
 * The packet table keeps headers, not payload, so this detector makes a bounded second pass over
 * the capture file: only the records of candidate packets (HTTP requests, TCP payload on the
 * ports above) are looked at, at most `maxBytesPerFlow` bytes per connection and direction. It
 * needs the file the capture was opened from (`capture.path`).
 */
import { readCapture } from "../io/reader";
import { tableRows } from "../table/bulk";
import type { AlertInput } from "./alerts";
import { framesFilter, type DetectContext } from "./context";

export interface CleartextOptions {
  /** show the secrets in the summary instead of ******** */
  showSecrets: boolean;
  /** payload bytes kept per connection and direction */
  maxBytesPerFlow: number;
}

export const CLEARTEXT_DEFAULTS: CleartextOptions = { showSecrets: false, maxBytesPerFlow: 16384 };

const MASK = "********";
const LINE_PORTS: Record<number, string> = { 21: "ftp", 23: "telnet", 110: "pop", 143: "imap" };
const NAMES: Record<string, string> = { ftp: "FTP", telnet: "Telnet", pop: "POP3", imap: "IMAP", http: "HTTP Basic" };

interface Seg { row: number; client: boolean; data: Buffer }
interface Conn { proto: string; segs: Seg[]; bytes: [number, number]; client: string; server: string; uid: string }
interface Attempt { user: string; secret: string; rows: number[]; outcome: "succeeded" | "failed" | "unknown"; ts: number }

/** Telnet data with IAC commands and option negotiation removed */
function telnetText(b: Buffer): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0xff) { s += String.fromCharCode(c); continue; }
    const cmd = b[i + 1];
    if (cmd === 0xff) { s += "\xff"; i++; }
    else if (cmd >= 251 && cmd <= 254) i += 2;
    else if (cmd === 250) { let j = i + 2; while (j + 1 < b.length && !(b[j] === 0xff && b[j + 1] === 240)) j++; i = j + 1; }
    else i++;
  }
  return s;
}

/** IMAP astring: quoted "…" (with \" escapes) or an atom */
function imapArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
  return out;
}

function parseLines(c: Conn, t: Float64Array): Attempt[] {
  const attempts: Attempt[] = [];
  const part = ["", ""];
  let user: { name: string; row: number } | null = null;
  let pending: Attempt | null = null;
  let imapTag = "";
  for (const s of c.segs) {
    const d = s.client ? 0 : 1;
    part[d] += s.data.toString("latin1");
    const lines = part[d].split(/\r?\n/);
    part[d] = lines.pop() as string;
    for (const raw of lines) {
      const line = raw.trim();
      if (s.client) {
        let m: RegExpExecArray | null;
        if (c.proto !== "imap" && (m = /^USER\s+(.*)$/i.exec(line))) user = { name: m[1], row: s.row };
        else if (c.proto !== "imap" && (m = /^PASS\s?(.*)$/i.exec(line))) {
          pending = { user: user?.name ?? "", secret: m[1], rows: user ? [user.row, s.row] : [s.row], outcome: "unknown", ts: t[user ? user.row : s.row] };
          attempts.push(pending);
        } else if (c.proto === "imap" && (m = /^(\S+)\s+LOGIN\s+(.*)$/i.exec(line))) {
          const [u, p] = imapArgs(m[2]);
          imapTag = m[1];
          pending = { user: u ?? "", secret: p ?? "", rows: [s.row], outcome: "unknown", ts: t[s.row] };
          attempts.push(pending);
        }
      } else if (pending !== null) {
        let res: "succeeded" | "failed" | null = null;
        if (c.proto === "ftp") res = /^230/.test(line) ? "succeeded" : /^[45]\d\d/.test(line) ? "failed" : null;
        else if (c.proto === "pop") res = /^\+OK/i.test(line) ? "succeeded" : /^-ERR/i.test(line) ? "failed" : null;
        else if (c.proto === "imap" && line.startsWith(imapTag + " ")) res = /^\S+\s+OK/i.test(line) ? "succeeded" : "failed";
        if (res !== null) { pending.outcome = res; pending = null; }
      }
    }
  }
  return attempts;
}

function parseTelnet(c: Conn, t: Float64Array): Attempt[] {
  const attempts: Attempt[] = [];
  let tail = "", mode: "" | "user" | "pass" = "", buf = "", rows: number[] = [];
  let curUser = "", userRows: number[] = [];
  let pending: Attempt | null = null;
  for (const s of c.segs) {
    const text = telnetText(s.data);
    if (!s.client) {
      tail = (tail + text).slice(-256);
      if (pending !== null) {
        if (/incorrect|failed|denied|invalid/i.test(text)) { pending.outcome = "failed"; pending = null; }
        else if (/last login|[$#>%]\s*$/i.test(text)) { pending.outcome = "succeeded"; pending = null; }
      }
      if (/(login|username|user name)\s*:\s*$/i.test(tail)) { mode = "user"; buf = ""; rows = []; tail = ""; }
      else if (/password\s*:\s*$/i.test(tail)) { mode = "pass"; buf = ""; rows = []; tail = ""; }
      continue;
    }
    if (mode === "") continue;
    for (const ch of text) {
      if (ch === "\r" || ch === "\n" || ch === "\0") {
        if (rows.length === 0 && buf === "") continue;
        if (!rows.includes(s.row)) rows.push(s.row);
        if (mode === "user") { curUser = buf; userRows = rows; }
        else {
          pending = { user: curUser, secret: buf, rows: [...userRows, ...rows], outcome: "unknown", ts: t[userRows[0] ?? rows[0]] };
          attempts.push(pending);
        }
        mode = ""; buf = ""; rows = [];
        break;
      }
      if (ch === "\x7f" || ch === "\b") buf = buf.slice(0, -1);
      else buf += ch;
      if (!rows.includes(s.row)) rows.push(s.row);
    }
  }
  return attempts;
}

export async function cleartextCredentials(ctx: DetectContext, o: CleartextOptions): Promise<AlertInput[]> {
  const cap = ctx.capture;
  const sport = ctx.num("tcp.srcport"), dport = ctx.num("tcp.dstport"), tlen = ctx.num("tcp.len"), hlen = ctx.num("tcp.hdr_len");
  const seq = ctx.num("tcp.seq_raw"), method = ctx.dict("http.request.method"), code = ctx.num("http.response.code");
  const { src, dst, text } = ctx.addrs();
  const t = ctx.time();
  const fc = ctx.flowCols(), flowOf = ctx.flows.flowOf;
  const tableCount = tableRows(cap);
  // candidate packets, by row of the full table
  const want = new Int32Array(tableCount).fill(-1);
  let candidates = 0;
  for (let i = 0; i < ctx.n; i++) {
    if (!(tlen[i] > 0) || flowOf[i] >= fc.n) continue;
    if (method.codes[i] !== 0 || LINE_PORTS[dport[i]] !== undefined || LINE_PORTS[sport[i]] !== undefined) {
      want[cap.baseRow(i)] = i;
      candidates++;
    }
  }
  if (candidates === 0) return [];
  const conns = new Map<number, Conn>();
  let rec = -1;
  await readCapture(cap.path, {
    record(b, off, caplen) {
      rec++;
      const i = rec < want.length ? want[rec] : -1;
      if (i < 0) return;
      const fr = flowOf[i];
      const isHttp = method.codes[i] !== 0;
      const svc = isHttp ? "http" : LINE_PORTS[dport[i]] ?? LINE_PORTS[sport[i]];
      const client = isHttp || LINE_PORTS[dport[i]] !== undefined;
      let c = conns.get(fr);
      if (c === undefined) {
        conns.set(fr, (c = { proto: svc, segs: [], bytes: [0, 0], client: text(client ? src[i] : dst[i]), server: text(client ? dst[i] : src[i]), uid: fc.uid[fr] }));
      }
      const d = client ? 0 : 1;
      if (c.bytes[d] >= o.maxBytesPerFlow) return;
      // the TCP header: ports then sequence number, within the first bytes of the record
      const sp = sport[i], dp = dport[i], sq = seq[i];
      let at = -1;
      for (let j = 0, end = Math.min(caplen - 20, 256); j <= end; j++) {
        const p = off + j;
        if (b[p] === sp >> 8 && b[p + 1] === (sp & 255) && b[p + 2] === dp >> 8 && b[p + 3] === (dp & 255) && b.readUInt32BE(p + 4) === sq) { at = j; break; }
      }
      if (at < 0) return;
      const start = at + (hlen[i] > 0 ? hlen[i] : 20);
      const len = Math.min(tlen[i], caplen - start, o.maxBytesPerFlow - c.bytes[d]);
      if (len <= 0) return;
      c.segs.push({ row: i, client, data: Buffer.from(b.subarray(off + start, off + start + len)) });
      c.bytes[d] += len;
    },
  }, { limit: tableCount });

  const groups = new Map<string, { c: Conn; attempts: Attempt[]; uids: Set<string> }>();
  for (const [fr, c] of conns) {
    let attempts: Attempt[];
    if (c.proto === "http") {
      attempts = [];
      for (const s of c.segs) {
        if (!s.client) continue;
        const head = s.data.toString("latin1").split("\r\n\r\n")[0];
        const m = /^(?:proxy-)?authorization:[ \t]*basic[ \t]+([A-Za-z0-9+/=]+)/im.exec(head);
        if (!m) continue;
        const plain = Buffer.from(m[1], "base64").toString("latin1");
        const k = plain.indexOf(":");
        attempts.push({ user: k < 0 ? plain : plain.slice(0, k), secret: k < 0 ? "" : plain.slice(k + 1), rows: [s.row], outcome: "unknown", ts: t[s.row] });
      }
      // outcomes: the flow's responses, in order, after each request
      let r = 0;
      for (const a of attempts) {
        r = Math.max(r, a.rows[0] + 1);
        while (r < ctx.n && !(flowOf[r] === fr && code[r] === code[r])) r++;
        if (r < ctx.n) { a.outcome = code[r] === 401 || code[r] === 403 ? "failed" : code[r] < 400 ? "succeeded" : "unknown"; r++; }
      }
    } else if (c.proto === "telnet") attempts = parseTelnet(c, t);
    else attempts = parseLines(c, t);
    for (const a of attempts) {
      const k = `${c.proto}|${c.client}|${c.server}|${a.user}`;
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = { c, attempts: [], uids: new Set() }));
      g.attempts.push(a);
      g.uids.add(c.uid);
    }
  }
  const out: AlertInput[] = [];
  const show = (s: string) => JSON.stringify(s.length > 64 ? s.slice(0, 64) + "…" : s);
  for (const g of groups.values()) {
    const a = g.attempts, n = a.length;
    const ok = a.filter((x) => x.outcome === "succeeded").length, bad = a.filter((x) => x.outcome === "failed").length;
    const secrets = o.showSecrets ? [...new Set(a.map((x) => x.secret))] : [];
    const secretText = o.showSecrets ? (secrets.length === 1 ? `password ${show(secrets[0])}` : `passwords ${secrets.slice(0, 5).map(show).join(", ")}${secrets.length > 5 ? " …" : ""}`) : `password ${MASK}`;
    const result = n === 1 ? a[0].outcome : `${n} attempts, ${ok} succeeded, ${bad} failed`;
    const rows = a.flatMap((x) => x.rows);
    out.push({
      ts: Math.min(...a.map((x) => x.ts)), detector: "cleartext_credentials",
      severity: g.c.proto === "ftp" && /^(anonymous|ftp)$/i.test(a[0].user) ? 3 : 2, src: g.c.client, dst: g.c.server, proto: g.c.proto,
      summary: `${NAMES[g.c.proto]} login as ${show(a[0].user)} with ${secretText} in clear (${result})`,
      evidence: framesFilter(cap, rows),
      uids: [...g.uids], packets: new Set(rows).size,
    });
  }
  return out;
}
