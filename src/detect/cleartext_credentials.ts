/**
 * cleartext_credentials: user names and passwords sent in clear — HTTP Basic (`Authorization:` and
 * `Proxy-Authorization:` on any port), FTP `USER`/`PASS` (21), POP3 `USER`/`PASS` (110), IMAP
 * `LOGIN` (143) and Telnet logins (23: the characters typed after the server's `login:` and
 * `Password:` prompts, Telnet commands removed). One alert per protocol, client, server and user,
 * with the attempts and their outcome (FTP 230/5xx, POP3 +OK/-ERR, IMAP OK/NO, HTTP 2xx-3xx/401,
 * Telnet shell prompt / "incorrect"). The user is shown; the secret is masked unless
 * `showSecrets` is set.
 *
 * The packet table keeps headers, not payload, so this detector is a consumer of the payload pass
 * (`scanPayloads`: the rows of the capture or view, with their transport payload). Each direction
 * of a TCP connection is reassembled (TcpStream: sequence order, retransmissions dropped,
 * out-of-order segments held), so a login split across segments, retransmitted or reordered is
 * read whole; at most `maxBytesPerFlow` stream bytes per connection and direction are read (the
 * server's side of an HTTP connection is not cut: its bodies are skipped, never kept, so that a
 * large response does not hide the outcome of the next request). A connection on 21, 110, 143 or
 * 23 speaks that protocol; any other one (and one whose packets the decoders call HTTP requests)
 * is HTTP when its client's stream starts with a request line. Evidence names the packets that
 * carried the login's bytes.
 */
import { contentLength, HttpDir, type Head } from "../flows/apps/http";
import { TcpStream, type StreamConsumer } from "../stream/reassembly";
import { scanPayloads, type FlowInfo, type PayloadSink } from "../flows/payloads";
import type { AlertInput } from "./alerts";
import { framesFilter, type DetectContext } from "./context";

export interface CleartextOptions {
  /** show the secrets in the summary instead of ******** */
  showSecrets: boolean;
  /** payload bytes read per connection and direction */
  maxBytesPerFlow: number;
}

export const CLEARTEXT_DEFAULTS: CleartextOptions = { showSecrets: false, maxBytesPerFlow: 16384 };

const MASK = "********";
const LINE_PORTS: Record<number, string> = { 21: "ftp", 23: "telnet", 110: "pop", 143: "imap" };
const NAMES: Record<string, string> = { ftp: "FTP", telnet: "Telnet", pop: "POP3", imap: "IMAP", http: "HTTP Basic" };
/** segments remembered per direction for evidence (stream position → packet row) */
const MAX_SPANS = 4096;
/** a longer line (no newline yet) is dropped */
const MAX_LINE = 8192;

type Outcome = "succeeded" | "failed" | "unknown";
interface Attempt { user: string; secret: string; rows: number[]; outcome: Outcome; ts: number }

/** What reads one direction's reassembled bytes; `at` is the stream position of b[o]. */
interface Reader {
  data(b: Uint8Array, o: number, e: number, at: number): boolean;
  gap(n: number): boolean;
}

/**
 * One direction of a connection: its TcpStream, the stream position of each segment (so that the
 * bytes of a login name the rows that carried them), and the byte cap.
 */
class Dir implements StreamConsumer {
  readonly stream = new TcpStream(this);
  reader: Reader | null = null;
  /** stream bytes delivered or declared missing */
  pos = 0;
  /** the sequence number of stream position 0 (as TcpStream sets its start), -1 before */
  private base = -1;
  /** start, end, row of each segment, in arrival order */
  private readonly spans: number[] = [];

  constructor(private readonly max: number, private readonly track: boolean) {}

  segment(seq: number, flags: number, b: Buffer, off: number, end: number, len: number, row: number): void {
    if (this.stream.done) return;
    let s = seq;
    if ((flags & 2) !== 0) {
      if (this.base === -1) this.base = (seq + 1) >>> 0;
      s = (seq + 1) >>> 0;
    }
    if (len > 0 && this.track) {
      if (this.base === -1) this.base = s >>> 0;
      const start = (s - this.base) | 0;
      if (start + len > this.pos && start < this.max && this.spans.length < MAX_SPANS * 3) this.spans.push(start, Math.min(start + len, this.max), row);
    }
    this.stream.segment(seq, flags, b, off, end, len);
  }

  data(b: Uint8Array, o: number, e: number): boolean {
    const n = Math.min(e - o, this.max - this.pos);
    const ok = n <= 0 || this.reader === null || this.reader.data(b, o, o + n, this.pos);
    this.pos += e - o;
    return ok && this.pos < this.max;
  }

  gap(n: number): boolean {
    this.pos += n;
    return (this.reader === null || this.reader.gap(n)) && this.pos < this.max;
  }

  /** the rows whose segments first brought the bytes [a, b) of the stream */
  rows(a: number, b: number): number[] {
    if (b <= a) return [];
    const seen = new Uint8Array(b - a), out: number[] = [];
    const sp = this.spans;
    for (let k = 0; k < sp.length; k += 3) {
      const lo = Math.max(a, sp[k]), hi = Math.min(b, sp[k + 1]);
      let fresh = false;
      for (let i = lo; i < hi; i++) if (seen[i - a] === 0) { seen[i - a] = 1; fresh = true; }
      if (fresh && !out.includes(sp[k + 2])) out.push(sp[k + 2]);
    }
    return out.sort((x, y) => x - y);
  }
}

function latin1(b: Uint8Array, o: number, e: number): string {
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length)).toString("latin1", o, e);
}

/** Lines (LF-terminated, CR and blanks trimmed) of a stream, with their stream positions. */
class Lines implements Reader {
  private part = "";
  private partAt = 0;
  /** the current line lost bytes (a gap, or too long): dropped up to its end */
  private skip = false;

  constructor(private readonly onLine: (line: string, from: number, to: number) => void) {}

  data(b: Uint8Array, o: number, e: number, at: number): boolean {
    for (let i = o; i < e;) {
      let nl = i;
      while (nl < e && b[nl] !== 10) nl++;
      if (this.part === "" && !this.skip) this.partAt = at + (i - o);
      if (!this.skip) this.part += latin1(b, i, nl);
      if (this.part.length > MAX_LINE) { this.part = ""; this.skip = true; }
      if (nl >= e) break;
      if (!this.skip) this.onLine(this.part.trim(), this.partAt, at + (nl + 1 - o));
      this.part = "";
      this.skip = false;
      i = nl + 1;
    }
    return true;
  }

  gap(): boolean {
    this.part = "";
    this.skip = true;
    return true;
  }
}

/** Telnet data with IAC commands and option negotiation removed (state kept across segments). */
class TelnetText {
  /** 0 data, 1 after IAC, 2 the option byte of WILL/WONT/DO/DONT, 3 subnegotiation, 4 IAC in it */
  private st = 0;
  /** the data characters of b[o, e) and the stream position of each */
  feed(b: Uint8Array, o: number, e: number, at: number): { text: string; pos: number[] } {
    let text = "";
    const pos: number[] = [];
    for (let i = o; i < e; i++) {
      const c = b[i];
      switch (this.st) {
        case 0: if (c === 0xff) this.st = 1; else { text += String.fromCharCode(c); pos.push(at + i - o); } break;
        case 1:
          if (c === 0xff) { text += "\xff"; pos.push(at + i - o); this.st = 0; }
          else this.st = c >= 251 && c <= 254 ? 2 : c === 250 ? 3 : 0;
          break;
        case 2: this.st = 0; break;
        case 3: if (c === 0xff) this.st = 4; break;
        default: this.st = c === 240 ? 0 : 3;
      }
    }
    return { text, pos };
  }
}

/** IMAP astring: quoted "…" (with \" escapes) or an atom */
function imapArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
  return out;
}

interface Conn {
  proto: string;
  client: string;
  server: string;
  uid: string;
  clientIsOrig: boolean;
  cli: Dir;
  srv: Dir;
  attempts: Attempt[];
}

type TimeOf = (rows: number[]) => number;

/** FTP, POP3, IMAP: USER/PASS or LOGIN lines from the client, the reply that decides them. */
function lineReaders(c: Conn, timeOf: TimeOf): void {
  let user: { name: string; rows: number[] } | null = null;
  let pending: Attempt | null = null;
  let imapTag = "";
  c.cli.reader = new Lines((line, from, to) => {
    let m: RegExpExecArray | null;
    const rows = () => c.cli.rows(from, to);
    if (c.proto !== "imap" && (m = /^USER\s+(.*)$/i.exec(line))) user = { name: m[1], rows: rows() };
    else if (c.proto !== "imap" && (m = /^PASS\s?(.*)$/i.exec(line))) {
      const r = [...(user?.rows ?? []), ...rows()];
      pending = { user: user?.name ?? "", secret: m[1], rows: r, outcome: "unknown", ts: timeOf(r) };
      c.attempts.push(pending);
    } else if (c.proto === "imap" && (m = /^(\S+)\s+LOGIN\s+(.*)$/i.exec(line))) {
      const [u, p] = imapArgs(m[2]);
      imapTag = m[1];
      const r = rows();
      pending = { user: u ?? "", secret: p ?? "", rows: r, outcome: "unknown", ts: timeOf(r) };
      c.attempts.push(pending);
    }
  });
  c.srv.reader = new Lines((line) => {
    if (pending === null) return;
    let res: "succeeded" | "failed" | null = null;
    if (c.proto === "ftp") res = /^230/.test(line) ? "succeeded" : /^[45]\d\d/.test(line) ? "failed" : null;
    else if (c.proto === "pop") res = /^\+OK/i.test(line) ? "succeeded" : /^-ERR/i.test(line) ? "failed" : null;
    else if (c.proto === "imap" && line.startsWith(imapTag + " ")) res = /^\S+\s+OK/i.test(line) ? "succeeded" : "failed";
    if (res !== null) { pending.outcome = res; pending = null; }
  });
}

/** Telnet: what the client types after the server's login and password prompts. */
function telnetReaders(c: Conn, timeOf: TimeOf): void {
  let tail = "", after = "", mode: "" | "user" | "pass" = "", buf = "", rows: number[] = [];
  let curUser = "", userRows: number[] = [];
  let pending: Attempt | null = null;
  const cliText = new TelnetText(), srvText = new TelnetText();
  c.srv.reader = {
    data(b, o, e, at) {
      const { text } = srvText.feed(b, o, e, at);
      tail = (tail + text).slice(-256);
      if (pending !== null) {
        after = (after + text).slice(-256);
        if (/incorrect|failed|denied|invalid/i.test(after)) { pending.outcome = "failed"; pending = null; }
        else if (/last login|[$#>%]\s*$/i.test(after)) { pending.outcome = "succeeded"; pending = null; }
      }
      if (/(login|username|user name)\s*:\s*$/i.test(tail)) { mode = "user"; buf = ""; rows = []; tail = ""; }
      else if (/password\s*:\s*$/i.test(tail)) { mode = "pass"; buf = ""; rows = []; tail = ""; }
      return true;
    },
    gap() { tail = ""; after = ""; return true; },
  };
  c.cli.reader = {
    data(b, o, e, at) {
      if (mode === "") return true;
      const { text, pos } = cliText.feed(b, o, e, at);
      const addRow = (p: number) => { for (const r of c.cli.rows(p, p + 1)) if (!rows.includes(r)) rows.push(r); };
      for (let k = 0; k < text.length; k++) {
        const ch = text[k];
        if (ch === "\r" || ch === "\n" || ch === "\0") {
          if (rows.length === 0 && buf === "") continue;
          addRow(pos[k]);
          if (mode === "user") { curUser = buf; userRows = rows; }
          else {
            const r = [...userRows, ...rows];
            pending = { user: curUser, secret: buf, rows: r, outcome: "unknown", ts: timeOf(r) };
            after = "";
            c.attempts.push(pending);
          }
          mode = ""; buf = ""; rows = [];
          break; // the rest of this segment is not a login field
        }
        if (ch === "\x7f" || ch === "\b") buf = buf.slice(0, -1);
        else buf += ch;
        addRow(pos[k]);
      }
      return true;
    },
    gap() { mode = ""; buf = ""; rows = []; return true; },
  };
}

/** HTTP: Basic credentials in request headers, the matching response's status. */
function httpReaders(c: Conn, timeOf: TimeOf): void {
  const pending: { a: Attempt | null; method: string }[] = [];
  let from = 0, curFrom = 0, curTo = 0, clientDone = false;
  const req = new HttpDir(true, (h: Head) => {
    const method = /^\S+/.exec(h.start)?.[0] ?? "";
    let a: Attempt | null = null;
    const auth = h.headers.get("authorization") ?? h.headers.get("proxy-authorization");
    const m = auth === undefined ? null : /^basic[ \t]+([A-Za-z0-9+/=]+)/i.exec(auth);
    if (m !== null) {
      const plain = Buffer.from(m[1], "base64").toString("latin1");
      const k = plain.indexOf(":");
      const rows = c.cli.rows(from, curTo);
      a = { user: k < 0 ? plain : plain.slice(0, k), secret: k < 0 ? "" : plain.slice(k + 1), rows, outcome: "unknown", ts: timeOf(rows) };
      c.attempts.push(a);
    }
    if (pending.length < 256) pending.push({ a, method });
    if (method === "CONNECT") return null; // a tunnel follows
    return { len: contentLength(h) ?? 0 };
  }, (len) => { from = len === 0 ? curTo : curFrom; });
  c.cli.reader = {
    // line by line, so that a header block ends where a piece ends (its stream position is known)
    data(b, o, e, at) {
      for (let i = o; i < e;) {
        let nl = i;
        while (nl < e && b[nl] !== 10) nl++;
        const stop = Math.min(nl + 1, e);
        curFrom = at + i - o;
        curTo = at + stop - o;
        if (!req.data(b, i, stop)) { clientDone = true; return false; }
        i = stop;
      }
      return true;
    },
    gap(n) { if (!req.gap(n)) { clientDone = true; return false; } return true; },
  };
  const resp = new HttpDir(false, (h: Head) => {
    const m = /^HTTP\/\d+\.\d+ +(\d{3})/.exec(h.start);
    if (m === null) return null;
    const code = Number(m[1]);
    if (code >= 100 && code < 200 && code !== 101) return { len: 0 };
    const p = pending.shift();
    if (p?.a != null) p.a.outcome = code === 401 || code === 403 ? "failed" : code < 400 ? "succeeded" : "unknown";
    if (code === 101 || (clientDone && !pending.some((x) => x.a !== null))) return null; // nothing more to learn
    return { len: p?.method === "HEAD" || code === 204 || code === 304 ? 0 : contentLength(h) ?? "eof" };
  }, () => undefined);
  c.srv.reader = {
    data(b, o, e) { return !(clientDone && !pending.some((x) => x.a !== null)) && resp.data(b, o, e); },
    gap(n) { return resp.gap(n); },
  };
}

/** The payload-pass consumer: one Conn per TCP flow that may carry a login. */
class CleartextSink implements PayloadSink {
  readonly conns = new Map<number, Conn>();
  /** flows with HTTP requests by the packet columns: whether the originator sends them */
  private readonly httpFlows = new Map<number, boolean>();
  private readonly uid: string[];
  private readonly timeOf: TimeOf;

  constructor(ctx: DetectContext, private readonly o: CleartextOptions) {
    const t = ctx.time();
    this.timeOf = (rows) => { let m = Infinity; for (const r of rows) if (t[r] < m) m = t[r]; return m; };
    const fc = ctx.flowCols(), flowOf = ctx.flows.flowOf;
    this.uid = fc.uid;
    const method = ctx.dict("http.request.method"), sport = ctx.num("tcp.srcport");
    let addrs: ReturnType<DetectContext["addrs"]> | null = null;
    for (let i = 0; i < ctx.n; i++) {
      const f = flowOf[i];
      if (method.codes[i] === 0 || f >= fc.n || this.httpFlows.has(f)) continue;
      if (fc.origP[f] !== fc.respP[f]) { this.httpFlows.set(f, sport[i] === fc.origP[f]); continue; }
      addrs ??= ctx.addrs(); // two equal ports: the source address tells
      this.httpFlows.set(f, addrs.text(addrs.src[i]) === fc.origH[f]);
    }
  }

  wants(f: FlowInfo): boolean {
    return f.proto === "tcp";
  }

  private conn(f: FlowInfo): Conn {
    // HTTP by the packet columns, else by the port, else HTTP if the client's stream says so
    let proto = "http", clientIsOrig = this.httpFlows.get(f.row) ?? true;
    if (!this.httpFlows.has(f.row)) {
      if (LINE_PORTS[f.respP] !== undefined) proto = LINE_PORTS[f.respP];
      else if (LINE_PORTS[f.origP] !== undefined) { proto = LINE_PORTS[f.origP]; clientIsOrig = false; }
    }
    const max = this.o.maxBytesPerFlow;
    const c: Conn = {
      proto, clientIsOrig, uid: this.uid[f.row], attempts: [],
      client: clientIsOrig ? f.origH : f.respH, server: clientIsOrig ? f.respH : f.origH,
      cli: new Dir(max, true), srv: new Dir(proto === "http" ? Infinity : max, proto === "telnet"),
    };
    if (proto === "http") httpReaders(c, this.timeOf);
    else if (proto === "telnet") telnetReaders(c, this.timeOf);
    else lineReaders(c, this.timeOf);
    this.conns.set(f.row, c);
    return c;
  }

  packet(f: FlowInfo, fromOrig: boolean, _t: number, b: Buffer, off: number, end: number, len: number, seq: number, flags: number, _frame: number, row: number): void {
    const c = this.conns.get(f.row) ?? this.conn(f);
    (fromOrig === c.clientIsOrig ? c.cli : c.srv).segment(seq, flags, b, off, end, len, row);
  }

  finish(): void {
    for (const c of this.conns.values()) { c.cli.stream.finish(); c.srv.stream.finish(); }
  }
}

export async function cleartextCredentials(ctx: DetectContext, o: CleartextOptions): Promise<AlertInput[]> {
  const cap = ctx.capture;
  const sink = new CleartextSink(ctx, o);
  await scanPayloads(cap, ctx.flows, sink);
  const groups = new Map<string, { c: Conn; attempts: Attempt[]; uids: Set<string> }>();
  for (const c of sink.conns.values()) {
    for (const a of c.attempts) {
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
