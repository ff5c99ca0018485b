/**
 * SMTP captures for the SMTP tests (test/decode/smtp.test.ts, test/flows/apps/smtp.test.ts):
 *  - `liveSmtpCapture()`: a real exchange on 127.0.0.1 — a small SMTP server (node:net) and
 *    Python's smtplib as the client (EHLO with a multi-line 250, MAIL FROM, RCPT TO ×2, DATA with
 *    From/To/Cc/Subject headers, QUIT) — captured by tcpdump on lo into a temporary file;
 *  - `scriptedPcap(steps)`: a deterministic capture of a scripted exchange, one TCP segment per
 *    step, so the cases that depend on where segments end (a command cut in two, "." in a
 *    segment of its own, pipelining, BDAT, AUTH, STARTTLS) are the same on every run.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { hasTool, SHARED } from "../../helpers/paths";
import { pcap, type Rec } from "../../helpers/bytes";

/** [who writes: client "c" / server "s", the bytes (latin1)] */
export type Step = ["c" | "s", string];

export const SCRIPTS: Record<string, Step[]> = {
  // a command cut over two segments, two commands in one, folded headers, a dot-stuffed line,
  // "." alone in a segment; a second message; AUTH LOGIN; a refused STARTTLS
  split: [["s", "220 mx.test ESMTP\r\n"], ["c", "EHLO client.test\r\n"], ["s", "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"],
    ["c", "MAIL FROM:<a"], ["c", "lice@x.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<bob@y.test>\r\nRCPT TO:<carol@y.test>\r\n"], ["s", "250 OK\r\n250 OK\r\n"],
    ["c", "DATA\r\n"], ["s", "354 go\r\n"], ["c", "From: A <alice@x.test>\r\nTo: bob@y.test,\r\n carol@y.test\r\n"],
    ["c", "Subject: folded\r\n subject line\r\nContent-Type: text/plain; charset=us-ascii\r\nMessage-ID: <m1@x.test>\r\n\r\nbody line 1\r\n"],
    ["c", "..dot\r\nlast\r\n"], ["c", ".\r\n"], ["s", "250 queued\r\n"],
    ["c", "RSET\r\n"], ["s", "250 OK\r\n"], ["c", "MAIL FROM:<x@x.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<z@z.test>\r\n"], ["s", "250 OK\r\n"],
    ["c", "DATA\r\n"], ["s", "354 go\r\n"], ["c", "Subject: second\r\nFrom: me\r\n\r\nhi\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "NOOP\r\n"], ["s", "250\r\n"], ["c", "AUTH LOGIN\r\n"], ["s", "334 VXNlcm5hbWU6\r\n"], ["c", "dXNlcg==\r\n"], ["s", "334 UGFzc3dvcmQ6\r\n"],
    ["c", "cGFzcw==\r\n"], ["s", "235 ok\r\n"], ["c", "STARTTLS\r\n"], ["s", "454 no tls\r\n"], ["c", "quit\r\n"], ["s", "221 bye\r\n"]],
  // a multipart message; DATA, the message, "." and QUIT in one segment (the message holds "DATA")
  pipelined: [["s", "220 mx\r\n"], ["c", "HELO c\r\n"], ["s", "250 mx\r\n"], ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"],
    ["c", "DATA\r\n"], ["s", "354 go\r\n"],
    ["c", "From: x@y.test\r\nContent-Type: multipart/alternative; boundary=\"BB\"\r\nSubject: multi\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain\r\n--BB\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>h</p>\r\n--BB--\r\n"],
    ["c", "\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"],
    ["c", "DATA\r\nFrom: pipelined@x.test\r\nSubject: p\r\nContent-Type: Text/HTML; x=y\r\n\r\n<b>x</b>\r\n.\r\nQUIT\r\n"], ["s", "354 go\r\n250 ok\r\n221 bye\r\n"]],
  // BDAT chunks (CHUNKING), AUTH PLAIN, an accepted STARTTLS and TLS records after it
  bdat: [["s", "220 mx\r\n"], ["c", "EHLO c\r\n"], ["s", "250-mx\r\n250 CHUNKING\r\n"], ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"],
    ["c", "BDAT 26\r\n"], ["c", "From: bd@x.test\r\nTo: t\r\n\r\n"], ["s", "250 ok\r\n"], ["c", "BDAT 10 LAST\r\n"], ["c", "Subject: q"], ["s", "250 ok\r\n"],
    ["c", "AUTH PLAIN AGEAYg==\r\n"], ["s", "235 ok\r\n"], ["c", "STARTTLS\r\n"], ["s", "220 go ahead\r\n"],
    ["c", "\x16\x03\x01\x00\x05hello"], ["s", "\x16\x03\x03\x00\x02ab"]],
  // bodies by Content-Type: multipart parts without a type, of unknown types, base64, message/rfc822;
  // an unknown top-level type; a type without parameters; empty and blank headers
  mime: [["s", "220 mx\r\n"], ["c", "HELO c\r\n"], ["s", "250 mx\r\n"], ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"],
    ["c", "DATA\r\n"], ["s", "354 go\r\n"],
    ["c", "Content-Type: multipart/mixed; boundary=BB\r\nSubject: m2\r\n\r\npreamble\r\n--BB\r\n\r\nno type\r\n--BB\r\nContent-Type: application/x-foo\r\n\r\nfoo\r\n--BB\r\ncontent-type: image/png\r\n\r\nxx\r\n--BB\r\nContent-Type: application/octet-stream; name=a\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--BB--\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"], ["c", "DATA\r\n"], ["s", "354 go\r\n"], ["c", "Content-Type: application/x-foo; a=b\r\nSubject: unk\r\n\r\nzz\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"], ["c", "DATA\r\n"], ["s", "354 go\r\n"], ["c", "Content-Type: text/plain\r\nSubject: noparam\r\nTo:\r\nFrom: \r\n\r\nzz\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"], ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"], ["c", "DATA\r\n"], ["s", "354 go\r\n"],
    ["c", "Content-Type: multipart/mixed; boundary=\"q\"\r\nSubject: m3\r\n\r\n--q\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n--q--\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "QUIT\r\n"], ["s", "221 bye\r\n"]],
  // a message that ends right after its header block: tshark's end-of-data mark takes the blank
  // line, so IMF reads the last header to the message end and cuts it ("no bo"); no body layer
  emptybody: [["s", "220 mx\r\n"], ["c", "HELO c\r\n"], ["s", "250 mx\r\n"], ["c", "MAIL FROM:<a@b.test>\r\n"], ["s", "250 OK\r\n"],
    ["c", "RCPT TO:<c@d.test>\r\n"], ["s", "250 OK\r\n"], ["c", "DATA\r\n"], ["s", "354 go\r\n"],
    ["c", "Content-Type: text/plain; charset=us-ascii\r\nSubject: no body\r\n\r\n.\r\n"], ["s", "250 ok\r\n"],
    ["c", "QUIT\r\n"], ["s", "221 bye\r\n"]],
};

const CLIENT = [10, 1, 0, 1], SERVER = [10, 1, 0, 2];

/** Ethernet/IPv4/TCP, flags and payload; addresses by direction */
function segment(fromClient: boolean, cport: number, sport: number, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const ethHdr = Buffer.from((fromClient ? "020000000002" + "020000000001" : "020000000001" + "020000000002") + "0800", "hex");
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; ip.writeUInt16BE(40 + payload.length, 2); ip[8] = 64; ip[9] = 6;
  Buffer.from(fromClient ? CLIENT : SERVER).copy(ip, 12);
  Buffer.from(fromClient ? SERVER : CLIENT).copy(ip, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(fromClient ? cport : sport, 0); tcp.writeUInt16BE(fromClient ? sport : cport, 2);
  tcp.writeUInt32BE(seq >>> 0, 4); tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 0x50; tcp[13] = flags; tcp.writeUInt16BE(65535, 14);
  return Buffer.concat([ethHdr, ip, tcp, payload]);
}

/** A deterministic capture of `steps` between 10.1.0.1:cport and 10.1.0.2:port (handshake, one segment a step, FIN). */
export function scriptedPcap(steps: Step[], port = 25, cport = 40001): Buffer {
  const recs: Rec[] = [];
  let cs = 1000, ss = 5000, t = 0;
  const add = (fromClient: boolean, flags: number, payload: Buffer) => {
    recs.push({ sec: 1700000000 + Math.floor(t / 1e6), frac: t % 1e6, data: segment(fromClient, cport, port, fromClient ? cs : ss, fromClient ? ss : cs, flags, payload) });
    t += 1000;
    const n = payload.length + ((flags & 3) !== 0 ? 1 : 0);
    if (fromClient) cs += n; else ss += n;
  };
  add(true, 0x02, Buffer.alloc(0));
  add(false, 0x12, Buffer.alloc(0));
  add(true, 0x10, Buffer.alloc(0));
  for (const [who, text] of steps) add(who === "c", 0x18, Buffer.from(text, "latin1"));
  add(true, 0x11, Buffer.alloc(0));
  add(false, 0x11, Buffer.alloc(0));
  add(true, 0x10, Buffer.alloc(0));
  return pcap(recs);
}

/** the SMTP captures of ../shared (a real Postfix → Yahoo exchange in the rules corpus) */
export function sharedSmtpCaptures(): string[] {
  if (SHARED === undefined) return [];
  const f = path.join(SHARED, "rules", "bug-1045", "smtpsuricataflowbitsFN.pcap");
  return fs.existsSync(f) ? [f] : [];
}

/** Why the live SMTP capture cannot run here, or false. */
export function noLiveCapture(): string | false {
  if (!hasTool("tcpdump")) return "tcpdump is not installed: the live SMTP capture is skipped";
  if (process.getuid?.() !== 0) return "capturing on lo needs root: the live SMTP capture is skipped";
  if (!hasTool("/usr/bin/python3") && !hasTool("python3")) return "python3 (smtplib, the client) is not installed: the live SMTP capture is skipped";
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A small SMTP server: greeting, EHLO (multi-line 250), MAIL/RCPT/RSET/NOOP, DATA … ".", QUIT. */
function smtpServer(): net.Server {
  return net.createServer((s) => {
    s.on("error", () => { /* the client went away */ });
    s.write("220 mail.example.test ESMTP wirebook-test\r\n");
    let buf = "", data = false;
    s.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        if (data) {
          const i = buf.indexOf("\r\n.\r\n");
          if (i < 0) return;
          buf = buf.slice(i + 5); data = false;
          s.write("250 2.0.0 Ok: queued as 4F2A1C\r\n");
          continue;
        }
        const i = buf.indexOf("\r\n");
        if (i < 0) return;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const cmd = line.split(" ")[0].toUpperCase();
        if (cmd === "EHLO") s.write("250-mail.example.test Hello\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 HELP\r\n");
        else if (cmd === "HELO") s.write("250 mail.example.test\r\n");
        else if (cmd === "MAIL" || cmd === "RCPT" || cmd === "RSET" || cmd === "NOOP") s.write("250 2.1.0 Ok\r\n");
        else if (cmd === "DATA") { s.write("354 End data with <CR><LF>.<CR><LF>\r\n"); data = true; }
        else if (cmd === "QUIT") { s.end("221 2.0.0 Bye\r\n"); return; }
        else s.write("502 5.5.2 Error: command not recognized\r\n");
      }
    });
  });
}

const CLIENT_PY = `
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Alice Example <alice@example.test>"
m["To"] = "bob@example.test, Carol <carol@example.test>"
m["Cc"] = "dave@example.test"
m["Subject"] = "Quarterly report from wirebook"
m["Date"] = "Fri, 04 Dec 2026 17:00:00 +0000"
m["Message-ID"] = "<report-1@example.test>"
m["X-Mailer"] = "wirebook-test"
m.set_content("Hi Bob,\\n\\nthe report is attached.\\n.\\nbye\\n")
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example.test")
s.send_message(m, from_addr="alice@example.test", to_addrs=["bob@example.test", "carol@example.test"])
s.quit()
`;

/**
 * A real SMTP exchange on 127.0.0.1 captured with tcpdump on lo; returns the capture's path. The
 * server listens on port 25 (587 when 25 is taken): SMTP is decoded by port, as tshark does.
 */
export async function liveSmtpCapture(): Promise<string> {
  const server = smtpServer();
  let port = 0;
  for (const p of [25, 587]) {
    const ok = await new Promise<boolean>((r) => {
      const fail = () => r(false);
      server.once("error", fail);
      server.listen(p, "127.0.0.1", () => { server.off("error", fail); r(true); });
    });
    if (ok) { port = p; break; }
  }
  if (port === 0) throw new Error("neither port 25 nor 587 is free on 127.0.0.1");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-smtp-"));
  const file = path.join(dir, "smtp-live.pcap");
  const td = spawn("tcpdump", ["-i", "lo", "--immediate-mode", "-U", "-n", "-Z", "root", "-w", file, `tcp port ${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  td.stderr.on("data", (c) => { err += c; });
  try {
    for (let i = 0; i < 100 && !err.includes("listening on"); i++) await sleep(50);
    if (!err.includes("listening on")) throw new Error(`tcpdump did not start: ${err}`);
    await new Promise<void>((resolve, reject) => {
      const py = spawn(hasTool("/usr/bin/python3") ? "/usr/bin/python3" : "python3", ["-c", CLIENT_PY, String(port)], { stdio: ["ignore", "ignore", "pipe"] });
      let perr = "";
      py.stderr.on("data", (c) => { perr += c; });
      py.on("error", reject);
      py.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`smtplib client failed (${code}): ${perr}`))));
    });
    await sleep(300);
  } finally {
    const exited = td.exitCode !== null ? Promise.resolve() : new Promise((r) => td.once("exit", r));
    td.kill("SIGINT");
    await Promise.race([exited, sleep(10_000)]);
    await new Promise<void>((r) => server.close(() => r()));
  }
  return file;
}

/**
 * tshark's fields for `file`, all occurrences, with TCP desegmentation on (SMTP lines whole) unless
 * `desegment` is false (tshark's line reassembly then waits for a CRLF that a BDAT chunk need not
 * end with, and takes the next commands as data)
 */
export function tsharkSmtp(file: string, fields: string[], desegment = true): Record<string, string[]>[] {
  const args = ["-n", "-r", file, "-o", `tcp.desegment_tcp_streams:${desegment ? "TRUE" : "FALSE"}`, "-Y", "smtp || imf", "-T", "fields",
    "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=\x01", "-E", "quote=n"];
  for (const f of fields) args.push("-e", f);
  const out = execFileSync("tshark", args, { encoding: "latin1", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] });
  return out.split("\n").filter((l) => l !== "").map((l) => {
    const cells = l.split("\t");
    const r: Record<string, string[]> = {};
    fields.forEach((f, i) => { const c = cells[i] ?? ""; r[f] = c === "" ? [] : c.split("\x01"); });
    return r;
  });
}
