/**
 * SMTP on TCP 25 and 587: command and response lines, and the message after DATA / BDAT, which
 * tshark reassembles itself (its own DATA reassembly works with TCP desegmentation off) and hands
 * to IMF (./imf.ts) on the frame that ends it, as tshark 4.0 prints them with TCP desegmentation
 * off.
 *
 * Checked against tshark 4.0.17 (packet-smtp.c, dissect_smtp) on exchanges the tests make:
 *  - a segment is a request when its destination port is the SMTP port that matched (the lower
 *    of the two ports when it is 25 or 587), else a response;
 *  - lines end at CR, LF or CRLF (tvb_find_line_end), the last one at the segment end;
 *  - per connection, a state: start, commands, data (after DATA, or BDAT n until n bytes came),
 *    awaiting the STARTTLS answer; and the AUTH LOGIN / PLAIN / NTLM exchange. Each request line
 *    is classified in order: a command (4 letters, or STARTTLS, X-EXPS, X-LINK2STATE, XEXCH50,
 *    up to the first blank) changes the state; in data state, a line ".\r\n" after a CRLF (the
 *    previous segment's end counts, responses included) or a line starting "\r\n.\r\n" ends the
 *    message (the rest of the segment is not read); another line is message data when a DATA /
 *    BDAT was seen or the state is still "start" (a capture that joined mid-message), else a
 *    command. The segment is what its last classified line says;
 *  - a command segment: smtp.req, and per line smtp.req.command (the first 4 bytes, whatever the
 *    command's length: "STARTTLS" is "STAR") and smtp.req.parameter (from byte 5 when the line is
 *    longer than 5); an AUTH username / password line has neither. A message segment: no fields,
 *    "data-text-lines" in frame.protocols, its bytes kept for the message; the end of a message:
 *    the bytes before the "." line are added and IMF gets the whole message (also for BDAT 0 LAST;
 *    not for a BDAT chunk that completes the message: tshark then shows "Reassembled in" only);
 *  - a response segment: smtp.rsp; per line, a 3-digit code starts a reply, smtp.response.code is
 *    the first reply's code (continuation lines "250-…" of a multi-line reply add none),
 *    smtp.rsp.parameter the first line's text from byte 4 (when the line has 4 bytes or more);
 *    a 220 to STARTTLS makes the rest of the connection TLS (./tls.ts).
 * Bounds: a message is kept up to MAX_MESSAGE bytes (past that IMF reads the first MAX_MESSAGE
 * bytes), and all connections together hold at most MAX_HELD bytes of unfinished messages.
 * Not done: a segment the snaplen cut (taken as if whole); AUTH parameter decoding (off in tshark
 * by default); a connection on port 465 (TLS from the start: ./tls.ts does not follow it).
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import { decodeImf } from "./imf";
import type { Protocol } from "./protocol";
import { decodeTls } from "./tls";
import { asciiText } from "./tsharktext";

export const SMTP = {
  req: defineField("smtp.req", { display: "bool", description: "Request (a client command segment)" }),
  rsp: defineField("smtp.rsp", { display: "bool", description: "Response (a server reply segment)" }),
  command: defineField("smtp.req.command", { display: "string", description: "Command (first 4 bytes of the line)" }),
  parameter: defineField("smtp.req.parameter", { display: "string", description: "Request parameter" }),
  code: defineField("smtp.response.code", { storage: "u16", description: "Response code (first reply of the segment)" }),
  rsp_parameter: defineField("smtp.rsp.parameter", { display: "string", description: "Response parameter (first line)" }),
};

/** the longest message kept for IMF */
export const MAX_MESSAGE = 1 << 20;
/** the bytes of unfinished messages all connections may hold together */
export const MAX_HELD = 64 << 20;

const enum St { Start, Cmds, Data, StartTls }
const enum Auth { None, Start, UserReq, UserRsp, PassReq, PassRsp, PlainStartReq, PlainCredReq, PlainReq, PlainRsp, NtlmReq, NtlmChallenge, NtlmRsp, Success, Failed }
const enum Pdu { Cmd, Message, Eom }

interface Conn {
  state: St;
  auth: Auth;
  crlfSeen: boolean;
  dataSeen: boolean;
  msgRead: number;
  msgTotal: number;
  msgLast: boolean;
  tls: boolean;
  /** the message being reassembled (fragments so far), or null */
  msg: Buffer | null;
  msgLen: number;
  /** fragments were added (a message exists even when its bytes were not kept) */
  frags: number;
}

interface Conns {
  byId: (Conn | undefined)[];
  held: number;
}

/** per-capture connection state, indexed by the packet's connection id */
const states = new WeakMap<Packet, Conns>();

function conn(p: Packet, b: Uint8Array, sport: number, dport: number): { c: Conn; all: Conns } {
  let all = states.get(p);
  if (all === undefined) { all = { byId: [], held: 0 }; states.set(p, all); }
  const id = p.connection(b, sport, dport);
  let c = all.byId[id];
  if (c === undefined) {
    c = { state: St.Start, auth: Auth.None, crlfSeen: false, dataSeen: false, msgRead: 0, msgTotal: 0, msgLast: true, tls: false, msg: null, msgLen: 0, frags: 0 };
    all.byId[id] = c;
  }
  return { c, all };
}

/**
 * tvb_find_line_end without desegmentation: the line's end (the first CR or LF, else `end`);
 * sets `lineNext` past the CR, LF or CRLF. The next CR and LF are found with native searches
 * (never past `end`) and kept, so a segment's lines cost one pass; `lineStart` resets them.
 */
let lineNext = 0, nextCr = 0, nextLf = 0;
function lineStart(): void {
  nextCr = -1;
  nextLf = -1;
}
function lineEnd(b: Uint8Array, off: number, end: number): number {
  if (nextCr < off) { const i = b.subarray(off, end).indexOf(0x0d); nextCr = i < 0 ? end : off + i; }
  if (nextLf < off) { const i = b.subarray(off, end).indexOf(0x0a); nextLf = i < 0 ? end : off + i; }
  const i = nextCr < nextLf ? nextCr : nextLf;
  lineNext = i >= end ? end : b[i] === 0x0d && i + 1 < end && b[i + 1] === 0x0a ? i + 2 : i + 1;
  return i;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** the bytes at off start with `upper` ignoring ASCII case (within end) */
function startsCi(b: Uint8Array, off: number, end: number, upper: string): boolean {
  if (end - off < upper.length) return false;
  for (let i = 0; i < upper.length; i++) {
    let c = b[off + i];
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== upper.charCodeAt(i)) return false;
  }
  return true;
}

function startsWith(b: Uint8Array, off: number, end: number, s: string): boolean {
  if (end - off < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** line_is_smtp_command on the token [off, tokEnd) */
function isCommand(b: Uint8Array, off: number, tokEnd: number): boolean {
  const n = tokEnd - off;
  if (n === 4) return isAlpha(b[off]) && isAlpha(b[off + 1]) && isAlpha(b[off + 2]) && isAlpha(b[off + 3]);
  if (n === 8) return startsCi(b, off, tokEnd, "STARTTLS");
  if (n === 6) return startsCi(b, off, tokEnd, "X-EXPS");
  if (n === 12) return startsCi(b, off, tokEnd, "X-LINK2STATE");
  if (n === 7) return startsCi(b, off, tokEnd, "XEXCH50");
  return false;
}

/** strtoul(line + 5, NULL, 10) within the line (0 when the line is shorter) */
function bdatLength(b: Uint8Array, off: number, le: number): number {
  let i = off + 5;
  while (i < le && isSpaceC(b[i])) i++;
  if (i < le && b[i] === 0x2b) i++;
  let n = 0;
  while (i < le && b[i] >= 0x30 && b[i] <= 0x39) { n = n * 10 + b[i] - 0x30; i++; if (n > 0xffffffff) n = 0xffffffff; }
  return n;
}

function isSpaceC(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Adds a fragment [off, end) to the connection's message, within the caps. */
function addFragment(c: Conn, all: Conns, b: Uint8Array, off: number, end: number): void {
  c.frags++;
  const want = Math.min(end - off, MAX_MESSAGE - c.msgLen);
  if (want <= 0 || all.held + want > MAX_HELD) return;
  if (c.msg === null || c.msg.length < c.msgLen + want) {
    const n = Buffer.allocUnsafe(Math.min(MAX_MESSAGE, Math.max(4096, (c.msgLen + want) * 2)));
    if (c.msg !== null) c.msg.copy(n, 0, 0, c.msgLen);
    c.msg = n;
  }
  c.msg.set(b.subarray(off, off + want), c.msgLen);
  c.msgLen += want;
  all.held += want;
}

/** The end of a message: IMF on what was reassembled, and the connection's buffer released. */
function endMessage(p: Packet, c: Conn, all: Conns): void {
  if (c.frags > 0) decodeImf(p, c.msg ?? new Uint8Array(0), c.msgLen);
  all.held -= c.msgLen;
  c.msg = null;
  c.msgLen = 0;
  c.frags = 0;
}

function request(p: Packet, c: Conn, all: Conns, b: Buffer, off: number, end: number): void {
  // first pass over the lines: classify (tshark's spd_frame_data), change the state
  let pdu = Pdu.Cmd, moreFrags = true, authLine = false, eomAt = off;
  lineStart();
  for (let lo = off; lo < end;) {
    const le = lineEnd(b, lo, end);
    let next = lineNext;
    let eom = false;
    if (c.state === St.Data) {
      if ((c.crlfSeen && startsWith(b, lo, end, ".\r\n")) || startsWith(b, lo, end, "\r\n.\r\n")) eom = true;
      c.crlfSeen = end - off >= 2 && b[end - 2] === 0x0d && b[end - 1] === 0x0a;
      if (eom) { pdu = Pdu.Eom; c.state = St.Cmds; eomAt = lo; break; }
      pdu = Pdu.Message;
      if (c.msgTotal > 0) {
        // a BDAT chunk: the rest of the segment is data
        c.msgRead += end - lo;
        next = end;
        if (c.msgRead === c.msgTotal) {
          c.state = St.Cmds;
          if (c.msgLast) moreFrags = false;
          break;
        }
      }
    } else {
      let t = lo;
      while (t < le && b[t] !== 0x20) t++;
      const linelen = le - lo;
      if (isCommand(b, lo, t)) {
        pdu = Pdu.Cmd;
        if (startsCi(b, lo, le, "DATA")) { c.state = St.Data; c.dataSeen = true; }
        else if (startsCi(b, lo, le, "BDAT")) {
          const n = bdatLength(b, lo, le);
          c.dataSeen = true;
          c.msgTotal += n;
          c.state = n === 0 ? St.Cmds : St.Data;
          if (linelen >= 4 && startsCi(b, le - 4, le, "LAST")) { c.msgLast = true; if (n === 0) moreFrags = false; }
          else c.msgLast = false;
        } else if (startsCi(b, lo, le, "AUTH LOGIN")) { c.state = St.Cmds; c.auth = linelen <= 11 ? Auth.Start : Auth.UserRsp; }
        else if (startsCi(b, lo, le, "AUTH PLAIN")) { c.state = St.Cmds; c.auth = linelen <= 11 ? Auth.PlainStartReq : Auth.PlainCredReq; }
        else if (startsCi(b, lo, le, "AUTH NTLM") && linelen > 10) { c.state = St.Cmds; c.auth = Auth.NtlmReq; }
        else if (startsCi(b, lo, le, "STARTTLS")) c.state = St.StartTls;
      } else if (c.auth === Auth.UserReq) { c.auth = Auth.UserRsp; authLine = true; }
      else if (c.auth === Auth.PassReq) { c.auth = Auth.PassRsp; authLine = true; }
      else if (c.auth === Auth.PlainReq) { c.auth = Auth.PlainRsp; authLine = true; }
      else if (c.auth === Auth.NtlmChallenge) { c.auth = Auth.NtlmRsp; authLine = true; }
      else pdu = c.dataSeen || c.state === St.Start ? Pdu.Message : Pdu.Cmd;
    }
    lo = next;
  }
  // then the fields
  if (pdu === Pdu.Message) {
    addFragment(c, all, b, off, end);
    if (!moreFrags) { c.msg = null; all.held -= c.msgLen; c.msgLen = 0; c.frags = 0; } // reassembled, not dissected
    p.enter("data-text-lines");
    return;
  }
  if (pdu === Pdu.Eom) {
    if (eomAt > off) addFragment(c, all, b, off, eomAt);
    endMessage(p, c, all);
    return;
  }
  lineStart();
  for (let lo = off; lo < end;) {
    const le = lineEnd(b, lo, end);
    p.u(SMTP.req, 1);
    if (!authLine) {
      p.s(SMTP.command, asciiText(b, lo, Math.min(le, lo + 4)));
      if (le - lo > 5) p.s(SMTP.parameter, asciiText(b, lo + 5, le));
    }
    lo = lineNext;
  }
  if (!moreFrags) endMessage(p, c, all);
}

function response(p: Packet, c: Conn, b: Buffer, off: number, end: number): void {
  p.u(SMTP.rsp, 1);
  let multi = 0; // 0 none, 1 start, 2 continue, 3 end
  lineStart();
  for (let lo = off; lo < end;) {
    const le = lineEnd(b, lo, end);
    const next = lineNext;
    if (c.state === St.Data) c.crlfSeen = end - off >= 2 && b[end - 2] === 0x0d && b[end - 1] === 0x0a;
    const linelen = le - lo;
    if (linelen >= 3 && isDigit(b[lo]) && isDigit(b[lo + 1]) && isDigit(b[lo + 2])) {
      const code = (b[lo] - 0x30) * 100 + (b[lo + 1] - 0x30) * 10 + b[lo + 2] - 0x30;
      if (linelen > 3 && b[lo + 3] === 0x2d) multi = multi === 0 ? 1 : 2;
      else if (multi === 1 || multi === 2) multi = 3;
      if (c.state === St.StartTls) {
        if (code === 220) c.tls = true;
        c.state = St.Cmds;
      }
      if (code === 334) {
        if (c.auth === Auth.Start) c.auth = Auth.UserReq;
        else if (c.auth === Auth.UserRsp) c.auth = Auth.PassReq;
        else if (c.auth === Auth.PlainReq) c.auth = Auth.PlainRsp;
        else if (c.auth === Auth.PlainStartReq) c.auth = Auth.PlainReq;
        else if (c.auth === Auth.NtlmReq) c.auth = Auth.NtlmChallenge;
      } else if (c.auth === Auth.PassRsp || c.auth === Auth.PlainRsp || c.auth === Auth.NtlmRsp || c.auth === Auth.PlainCredReq) {
        c.auth = code === 235 ? Auth.Success : Auth.Failed;
      }
      if (multi !== 2 && multi !== 3) p.u(SMTP.code, code);
      if (linelen >= 4) p.s(SMTP.rsp_parameter, asciiText(b, lo + 4, le));
      if (multi === 3) multi = 0;
    }
    lo = next;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function decodeSmtp(p: Packet, b: Buffer, off: number, end: number, sport: number, dport: number): boolean {
  const { c, all } = conn(p, b, sport, dport);
  if (c.tls) return decodeTls(p, b, off, end, sport, dport);
  if (!p.enter("smtp")) return true;
  // the port that matched: tshark tries the lower port first
  const lo = sport < dport ? sport : dport;
  const matched = lo === 25 || lo === 587 ? lo : sport < dport ? dport : sport;
  if (dport === matched) request(p, c, all, b, off, end);
  else response(p, c, b, off, end);
  return true;
}

export const smtp: Protocol = { name: "smtp", tcpPorts: [25, 587], decodePayload: decodeSmtp };
