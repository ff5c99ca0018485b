/**
 * capture.smtp(): one row per SMTP mail transaction (Zeek's smtp.log columns), over TCP flows to
 * port 25 or 587, both directions reassembled (./reassembly.ts).
 *
 * Zeek's semantics (base/protocols/smtp/main.zeek, base/utils/email.zeek):
 *  - a transaction row starts when the connection's first command or reply is seen, and again
 *    after each finished message; it is written when it saw client activity (MAIL, RCPT,
 *    STARTTLS): at the next MAIL FROM, at the server's reply to the end of the message ("." after
 *    DATA, the BDAT … LAST chunk), or at the end of the capture. `ts` is the time the row
 *    started; `trans_depth` the number of messages finished before it, plus one;
 *  - helo: the argument of the last HELO / EHLO; mailfrom: the first address in MAIL FROM's
 *    argument; rcptto: the addresses of every RCPT TO (without ORCPT=rfc822;);
 *  - from, to, cc, date, subject, reply_to, msg_id, in_reply_to, user_agent (X-Mailer, User-Agent,
 *    X-User-Agent), x_originating_ip, first_received / second_received: the message's top-level
 *    headers (folded lines joined, the value after the colon and its blanks), the last of each
 *    name wins; to and cc split at commas; path: the responder, the originator, then each
 *    Received header's address (the second of several), when it differs from the last one;
 *  - last_reply: "CODE text" of the last reply line before the row was written;
 *  - tls: a STARTTLS that the server accepted (220): the rest of the connection is not read.
 * Sets (rcptto, to, cc) keep the order addresses were first seen (Zeek prints sets in hash order).
 * Not filled: fuids (SMTP attachments are not extracted as files). `path` holds address text.
 *
 * Bounds: a line is read up to MAX_LINE bytes (the rest of a longer line is skipped); a header
 * block up to MAX_HEADER bytes; at most MAX_PENDING commands wait for their replies; at most
 * MAX_ADDRS addresses per set (Zeek's max_rcptto_addresses). Past a gap in a command line the
 * direction resumes at the next line end; data lines are not needed whole.
 */
import { ByteBuf, TcpStream, type StreamConsumer } from "../../stream/reassembly";
import type { FlowInfo, PayloadSink } from "../payloads";
import { AppTableBuilder, type ColSpec } from "./table";

export const SMTP_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "trans_depth", kind: "count" }, { name: "helo", kind: "string" },
  { name: "mailfrom", kind: "string" }, { name: "rcptto", kind: "set[string]" }, { name: "date", kind: "string" },
  { name: "from", kind: "string" }, { name: "to", kind: "set[string]" }, { name: "cc", kind: "set[string]" },
  { name: "reply_to", kind: "string" }, { name: "msg_id", kind: "string" }, { name: "in_reply_to", kind: "string" },
  { name: "subject", kind: "string" }, { name: "x_originating_ip", kind: "addr" },
  { name: "first_received", kind: "string" }, { name: "second_received", kind: "string" },
  { name: "last_reply", kind: "string" }, { name: "path", kind: "vector[string]" },
  { name: "user_agent", kind: "string" }, { name: "tls", kind: "bool" }, { name: "fuids", kind: "vector[string]" },
];

export const SMTP_PORTS = [25, 587];
export const MAX_LINE = 4096;
export const MAX_HEADER = 64 * 1024;
const MAX_PENDING = 256;
const MAX_ADDRS = 1000;

/** extract_email_addrs_vec (base/utils/email.zeek) */
const EMAIL = /(?:^|[<,:\t ])[^<,:\t @]+@[^>,;\t ]+(?:[>,;\t ]|$)/g;
export function emailAddrs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(EMAIL)) out.push(m[0].replace(/[<>,:;\t ]/g, ""));
  return out;
}

/** split_mime_email_addresses: comma-separated parts (a quoted display name may hold commas), stripped */
export function splitMimeAddrs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/(?:"[^"]*")?[^,]+/g)) out.push(m[0].trim());
  return out;
}

const IPV4 = /(?:^|[^0-9.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![0-9])/g;
/** IPv4 addresses in a header value (extract_ip_addresses, IPv4 only) */
function ipv4s(s: string, wrapped: boolean): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(IPV4)) {
    if (wrapped) {
      const at = (m.index ?? 0) + m[0].indexOf(m[1]);
      const before = s[at - 1], after = s[at + m[1].length];
      if (!((before === "[" && after === "]") || (before === "(" && after === ")"))) continue;
    }
    out.push(m[1]);
  }
  return out;
}

interface Rec {
  ts: number;
  depth: number;
  helo?: string;
  mailfrom?: string;
  rcptto?: string[];
  to?: string[];
  cc?: string[];
  hdr: Map<string, string>;
  firstReceived?: string;
  secondReceived?: string;
  xoip?: string;
  lastReply?: string;
  path: string[];
  tls: boolean;
  activity: boolean;
}

const enum Mode { Cmd, Data, Bdat, Done }

function addUnique(list: string[], v: string): void {
  if (list.length < MAX_ADDRS && !list.includes(v)) list.push(v);
}

/** the first LF in [o, e) of b, else e (a native search that never reads past e) */
function lineFeed(b: Uint8Array, o: number, e: number): number {
  const i = b.subarray(o, e).indexOf(0x0a);
  return i < 0 ? e : o + i;
}

/** Collects one line at a time (up to MAX_LINE bytes; a longer line, or one a gap cut, is dropped). */
class LineReader {
  private readonly buf = new ByteBuf(256, MAX_LINE);
  private skip = false;
  overlong = 0;

  /** appends [o, stop); with `complete` (stop is after the LF) returns the line without its end, unless dropped */
  take(b: Uint8Array, o: number, stop: number, complete: boolean): string | null {
    if (!this.skip && !this.buf.append(b, o, stop)) { this.skip = true; this.overlong++; }
    if (!complete) return null;
    const dropped = this.skip;
    const line = dropped ? null : this.buf.buf.toString("latin1", 0, this.buf.len).replace(/\r?\n$/, "");
    this.buf.clear();
    this.skip = false;
    return line;
  }

  /** a gap: the current line is lost */
  cut(): void {
    this.buf.clear();
    this.skip = true;
  }
}

/** One SMTP connection: the client's lines and data, the server's replies. */
class SmtpConn {
  rec!: Rec;
  helo?: string;
  messages = 0;
  now = 0;
  /** commands waiting for their final reply, oldest first ("." for the end of a message) */
  pending: string[] = [];
  mode = Mode.Cmd;
  bdatLeft = 0;
  bdatLast = false;
  /** the message's header block is being read */
  inHeaders = false;
  private readonly hdrBuf = new ByteBuf(1024, MAX_HEADER);
  private readonly cLine = new LineReader();
  /** the first bytes of the current data line */
  private readonly dHead = new Uint8Array(3);
  private dLen = 0;
  private readonly sLine = new LineReader();
  stopped = false;
  readonly orig: TcpStream;
  readonly resp: TcpStream;
  get overlong(): number {
    return this.cLine.overlong + this.sLine.overlong;
  }

  constructor(private readonly f: FlowInfo, private readonly write: (r: Rec) => void) {
    const self = this;
    const client: StreamConsumer = { data: (b, o, e) => self.clientData(b, o, e), gap: (n) => self.clientGap(n) };
    const server: StreamConsumer = { data: (b, o, e) => self.serverData(b, o, e), gap: () => { self.sLine.cut(); return !self.stopped; } };
    this.orig = new TcpStream(client);
    this.resp = new TcpStream(server);
  }

  private newRec(): Rec {
    return { ts: this.now, depth: this.messages + 1, helo: this.helo, hdr: new Map(), path: [this.f.respH, this.f.origH], tls: false, activity: false };
  }

  private session(): void {
    if (this.rec === undefined) this.rec = this.newRec();
  }

  /** smtp_message: write the row if it saw client activity, start the next */
  private flush(): void {
    if (this.rec.activity) { this.write(this.rec); this.rec = this.newRec(); }
  }

  finish(): void {
    if (this.rec !== undefined && this.rec.activity) this.write(this.rec);
  }

  // ---- client side

  private clientData(b: Uint8Array, o: number, e: number): boolean {
    while (o < e && !this.stopped) {
      if (this.mode === Mode.Bdat) {
        const n = Math.min(this.bdatLeft, e - o);
        if (this.inHeaders) this.headerBytes(b, o, o + n);
        this.bdatLeft -= n;
        o += n;
        if (this.bdatLeft === 0) {
          this.mode = Mode.Cmd;
          if (this.bdatLast) { this.endHeaders(); this.inMessage = false; }
        }
        continue;
      }
      // a line (command or data)
      const nl = lineFeed(b, o, e);
      const stop = nl < e ? nl + 1 : e;
      if (this.mode === Mode.Data) {
        // data lines: only the header block is kept; the first bytes of each line tell the "." line
        if (this.inHeaders) this.headerBytes(b, o, stop);
        for (let i = o; i < stop && this.dLen < 3; i++) this.dHead[this.dLen++] = b[i];
        o = stop;
        if (nl < e) {
          const h = this.dHead, n = this.dLen;
          this.dLen = 0;
          if (h[0] === 0x2e && ((n === 3 && h[1] === 0x0d && h[2] === 0x0a) || (n === 2 && h[1] === 0x0a))) this.endData();
        }
        continue;
      }
      const line = this.cLine.take(b, o, stop, nl < e);
      o = stop;
      if (line !== null) this.command(line);
    }
    return !this.stopped;
  }

  private clientGap(n: number): boolean {
    if (this.mode === Mode.Data) {
      // the line the gap cuts cannot be the "." line
      this.dHead[0] = 0;
      this.dLen = 3;
      return true;
    }
    if (this.mode === Mode.Bdat) {
      this.bdatLeft -= Math.min(n, this.bdatLeft);
      if (this.bdatLeft === 0) { this.mode = Mode.Cmd; if (this.bdatLast) { this.endHeaders(); this.inMessage = false; } }
      return true;
    }
    this.cLine.cut();
    return !this.stopped;
  }

  private command(line: string): void {
    this.session();
    const sp = line.indexOf(" ");
    const cmd = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? "" : line.slice(sp + 1).replace(/^ +/, "");
    const r = this.rec;
    if (cmd === "HELO" || cmd === "EHLO") { this.helo = arg; r.helo = arg; }
    else if (cmd === "RCPT" && /^to:/i.test(arg)) {
      r.rcptto ??= [];
      for (const a of emailAddrs(arg)) addUnique(r.rcptto, a.replace(/ORCPT=rfc822;?/g, ""));
      r.activity = true;
    } else if (cmd === "MAIL" && /^from:/i.test(arg)) {
      this.flush();
      const a = emailAddrs(arg)[0];
      if (a !== undefined && a !== "") this.rec.mailfrom = a;
      this.rec.activity = true;
    } else if (cmd === "DATA") {
      this.mode = Mode.Data;
      this.startMessage();
    } else if (cmd === "BDAT") {
      const m = /^(\d+)(\s+LAST)?\s*$/i.exec(arg);
      const n = m === null ? 0 : Math.min(Number(m[1]), Number.MAX_SAFE_INTEGER);
      this.bdatLast = m !== null && m[2] !== undefined;
      if (!this.inMessage) this.startMessage();
      this.bdatLeft = n;
      if (n > 0) this.mode = Mode.Bdat;
      else if (this.bdatLast) { this.endHeaders(); this.inMessage = false; }
      this.expect(this.bdatLast ? "BDAT LAST" : "BDAT");
      return;
    }
    this.expect(cmd);
  }

  private expect(cmd: string): void {
    this.pending.push(cmd);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
  }

  /** a message (DATA, or BDAT chunks up to LAST) is being sent */
  private inMessage = false;

  private startMessage(): void {
    this.inMessage = true;
    this.inHeaders = true;
    this.dLen = 0;
    this.hdrBuf.clear();
  }

  private headerBytes(b: Uint8Array, o: number, e: number): void {
    // the block ends at an empty line: look for it in what is appended
    const from = this.hdrBuf.len;
    if (!this.hdrBuf.append(b, o, Math.min(e, o + (MAX_HEADER - this.hdrBuf.len)))) return;
    const s = this.hdrBuf.buf;
    for (let i = Math.max(1, from); i < this.hdrBuf.len; i++) {
      if (s[i] !== 0x0a) continue;
      if (s[i - 1] === 0x0a || (i >= 2 && s[i - 1] === 0x0d && s[i - 2] === 0x0a) || i === 1 && s[0] === 0x0d) {
        this.hdrBuf.len = i + 1;
        this.endHeaders();
        return;
      }
    }
    if (this.hdrBuf.len >= MAX_HEADER) this.endHeaders();
  }

  /** the top-level header block of the message (MIME headers, as Zeek's mime_one_header sees them) */
  private endHeaders(): void {
    if (!this.inHeaders) return;
    this.inHeaders = false;
    const text = this.hdrBuf.buf.toString("latin1", 0, this.hdrBuf.len);
    this.hdrBuf.clear();
    const data = this.mode === Mode.Data;
    const lines = text.split(/\r?\n/);
    const headers: [string, string][] = [];
    for (let l of lines) {
      if (data && l.startsWith(".")) l = l.slice(1); // dot-stuffing
      if (l === "") break;
      if ((l[0] === " " || l[0] === "\t") && headers.length > 0) { headers[headers.length - 1][1] += l; continue; }
      const c = l.indexOf(":");
      if (c <= 0) continue;
      headers.push([l.slice(0, c).trim().toUpperCase(), l.slice(c + 1).replace(/^[ \t]+/, "")]);
    }
    const r = this.rec;
    for (const [name, value] of headers) {
      switch (name) {
        case "MESSAGE-ID": r.hdr.set("msg_id", value); break;
        case "IN-REPLY-TO": r.hdr.set("in_reply_to", value); break;
        case "SUBJECT": r.hdr.set("subject", value); break;
        case "FROM": r.hdr.set("from", value); break;
        case "REPLY-TO": r.hdr.set("reply_to", value); break;
        case "DATE": r.hdr.set("date", value); break;
        case "X-MAILER": case "USER-AGENT": case "X-USER-AGENT": r.hdr.set("user_agent", value); break;
        case "TO": r.to ??= []; for (const a of splitMimeAddrs(value)) addUnique(r.to, a); break;
        case "CC": r.cc ??= []; for (const a of splitMimeAddrs(value)) addUnique(r.cc, a); break;
        case "X-ORIGINATING-IP": { const ip = ipv4s(value, false)[0]; if (ip !== undefined) r.xoip = ip; break; }
        case "RECEIVED": {
          if (r.firstReceived !== undefined) r.secondReceived = r.firstReceived;
          r.firstReceived = value;
          const ips = ipv4s(value, true);
          const ip = ips.length > 1 ? ips[1] : ips[0];
          if (ip !== undefined && r.path[r.path.length - 1] !== ip && r.path.length < MAX_ADDRS) r.path.push(ip);
          break;
        }
      }
    }
  }

  private endData(): void {
    this.endHeaders();
    this.inMessage = false;
    this.mode = Mode.Cmd;
    this.expect(".");
  }

  // ---- server side

  private serverData(b: Uint8Array, o: number, e: number): boolean {
    while (o < e && !this.stopped) {
      const nl = lineFeed(b, o, e);
      const stop = nl < e ? nl + 1 : e;
      const line = this.sLine.take(b, o, stop, nl < e);
      o = stop;
      if (line !== null) this.reply(line);
    }
    return !this.stopped;
  }

  private reply(line: string): void {
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    if (m === null) return;
    this.session();
    const code = Number(m[1]);
    this.rec.lastReply = `${code} ${m[3]}`;
    if (m[2] === "-") return; // a continuation line: the reply goes on
    const cmd = this.pending.shift();
    if (cmd === "." || cmd === "BDAT LAST") {
      this.messages++;
      this.flush();
      this.rec = this.newRec();
    } else if (cmd === "STARTTLS" && code === 220) {
      this.rec.tls = true;
      this.rec.activity = true;
      this.stopped = true; // TLS from here on
      this.orig.done = true;
      this.resp.done = true;
    }
  }
}

export class SmtpApp implements PayloadSink {
  readonly t = new AppTableBuilder(SMTP_COLUMNS);
  private readonly conns = new Map<number, SmtpConn>();

  wants(f: FlowInfo): boolean {
    return f.proto === "tcp" && SMTP_PORTS.includes(f.respP);
  }

  packet(f: FlowInfo, fromOrig: boolean, t: number, b: Buffer, off: number, end: number, len: number, seq: number, flags: number): void {
    let c = this.conns.get(f.row);
    if (c === undefined) {
      c = new SmtpConn(f, (r) => this.row(f, r));
      this.conns.set(f.row, c);
    }
    if (c.stopped) return;
    c.now = t;
    (fromOrig ? c.orig : c.resp).segment(seq, flags, b, off, end, len);
  }

  private row(f: FlowInfo, r: Rec): void {
    const T = this.t;
    const i = T.row(f.row);
    T.num(i, "ts", r.ts);
    T.num(i, "trans_depth", r.depth);
    T.str(i, "helo", r.helo);
    T.str(i, "mailfrom", r.mailfrom);
    T.list(i, "rcptto", r.rcptto);
    for (const k of ["date", "from", "reply_to", "msg_id", "in_reply_to", "subject", "user_agent"]) T.str(i, k, r.hdr.get(k));
    T.list(i, "to", r.to);
    T.list(i, "cc", r.cc);
    T.str(i, "x_originating_ip", r.xoip);
    T.str(i, "first_received", r.firstReceived);
    T.str(i, "second_received", r.secondReceived);
    T.str(i, "last_reply", r.lastReply);
    T.list(i, "path", r.path);
    T.bool(i, "tls", r.tls);
  }

  finish(): void {
    let overlong = 0;
    for (const c of this.conns.values()) {
      if (!c.stopped) { c.orig.finish(); c.resp.finish(); }
      c.finish();
      overlong += c.overlong;
    }
    if (overlong > 0) this.t.warnings.push(`smtp: ${overlong} command or reply lines over ${MAX_LINE} bytes were skipped`);
  }
}
