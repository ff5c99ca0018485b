/**
 * SMTP and IMF packet fields against tshark 4.0 (the oracle, per-packet reference options:
 * `wirebook fields` and tshark's -T fields output compared byte for byte) on a real exchange
 * captured on lo and on deterministic scripted captures; plus hand-made frames for what must hold
 * without tshark (tshark 4.0.17's output for them is quoted in the assertions) and the bounds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareFields, describe } from "../conformance/reference";
import { tsharkFields } from "../conformance/reference";
import { ourFields } from "../conformance/compare";
import { tmpFile } from "../helpers/bytes";
import { decodeFrames, fieldsOf, tcpFrame } from "../helpers/decode";
import { hasTool, NO_SHARED, SHARED } from "../helpers/paths";
import { liveSmtpCapture, noLiveCapture, SCRIPTS, scriptedPcap, sharedSmtpCaptures } from "../flows/apps/smtpexchange";
import { MAX_MESSAGE } from "../../src/decode/smtp";

const FIELDS = ["frame.number", "frame.protocols", "smtp.req", "smtp.rsp", "smtp.req.command", "smtp.req.parameter",
  "smtp.response.code", "smtp.rsp.parameter", "imf.from", "imf.to", "imf.subject", "tls.record.content_type"];
const NO_TSHARK = !hasTool("tshark") && "tshark is not installed";

function sameAsTshark(file: string): void {
  const c = compareFields(ourFields(file, FIELDS), tsharkFields(file, FIELDS));
  assert.ok(c.headerEqual && c.rowsOurs === c.rowsTheirs && c.mismatches.length === 0, `${file}\n${describe(c)}`);
}

test("smtp: a payload on tcp port 25 is smtp; other ports are data", () => {
  const c = decodeFrames([tcpFrame(Buffer.from("EHLO x\r\n"), 50000, 25), tcpFrame(Buffer.from("abcdef"), 50000, 50001),
    tcpFrame(Buffer.from("abcdef"), 50001, 25)]);
  assert.equal(c.column("frame.protocols").text(0), "eth:ethertype:ip:tcp:smtp");
  assert.equal(c.column("frame.protocols").text(1), "eth:ethertype:ip:tcp:data");
  // not a command, first on its connection: message data of a capture that joined mid-message (tshark 4.0.17)
  assert.equal(c.column("frame.protocols").text(2), "eth:ethertype:ip:tcp:smtp:data-text-lines");
});

for (const [name, steps] of Object.entries(SCRIPTS)) {
  test(`smtp: scripted exchange "${name}" prints what tshark prints`, { skip: NO_TSHARK }, () => {
    sameAsTshark(tmpFile(`smtp-${name}.pcap`, scriptedPcap(steps)));
  });
}

test("smtp: the SMTP captures of ../shared print what tshark prints", { skip: NO_TSHARK || (SHARED === undefined && NO_SHARED) }, () => {
  for (const f of sharedSmtpCaptures()) sameAsTshark(f);
});

test("smtp: the same exchange on port 587 (submission), the client on a port below it", { skip: NO_TSHARK }, () => {
  sameAsTshark(tmpFile("smtp-587.pcap", scriptedPcap(SCRIPTS.split, 587, 586)));
});

test("smtp: a real exchange on 127.0.0.1 (smtplib client, tcpdump on lo) prints what tshark prints", { skip: NO_TSHARK || noLiveCapture(), timeout: 60_000 }, async () => {
  const file = await liveSmtpCapture();
  sameAsTshark(file);
  // and the exchange is what the test made: the message's headers on the frame that ends it
  const ours = ourFields(file, ["smtp.req.command", "smtp.response.code", "imf.from", "imf.subject"]).split("\n").slice(1).map((l) => l.split("\t"));
  const cmds = ours.map((r) => r[0]).filter((c) => c !== "");
  for (const c of ["ehlo", "mail", "rcpt", "data", "quit"]) assert.ok(cmds.includes(c), `command ${c} in ${cmds.join(" ")}`);
  assert.ok(ours.some((r) => r[2] === "Alice Example <alice@example.test>" && r[3] === "Quarterly report from wirebook"));
  assert.ok(ours.some((r) => r[1] === "250"));
});

const SERVER = 25, CLIENT = 40000;
const req = (s: string) => tcpFrame(s, CLIENT, SERVER);
const rsp = (s: string) => tcpFrame(s, SERVER, CLIENT);

test("smtp: hand-made frames (tshark 4.0.17 prints the values asserted)", () => {
  const c = decodeFrames([
    rsp("250-mx.test\r\n250-SIZE 1000\r\n250 HELP\r\n"),   // a multi-line reply: the first line's code and text
    req("STARTTLS\r\n"),                                   // the command is the first 4 bytes: STAR, TLS
    req("mail FROM:<a@b.test> SIZE=10\r\n"),               // as the client wrote it
    req("AUTH LOGIN\r\n"), rsp("334 VXNlcm5hbWU6\r\n"),
    req("dXNlcg==\r\n"),                                  // the username line: smtp.req, no command
    req("QUIT"),                                          // no line end: the line runs to the segment end
  ]);
  const f = (n: string, r: number) => c.column(n).text(r);
  assert.deepEqual([f("smtp.rsp", 0), f("smtp.response.code", 0), f("smtp.rsp.parameter", 0), f("smtp.req", 0)], ["1", "250", "mx.test", ""]);
  assert.deepEqual([f("smtp.req", 1), f("smtp.req.command", 1), f("smtp.req.parameter", 1)], ["1", "STAR", "TLS"]);
  assert.deepEqual([f("smtp.req.command", 2), f("smtp.req.parameter", 2)], ["mail", "FROM:<a@b.test> SIZE=10"]);
  assert.deepEqual([f("smtp.req", 5), f("smtp.req.command", 5)], ["1", ""]);
  assert.deepEqual([f("smtp.req.command", 6), f("smtp.req.parameter", 6)], ["QUIT", ""]);
});

test("smtp: a message split over segments reaches IMF on the frame with the '.' line", () => {
  const c = decodeFrames([
    req("DATA\r\n"), rsp("354 go\r\n"),
    req("From: A <a@b.test>\r\nTo: c@d.test\r\n"), req("Subject: hi\r\n\r\nbody\r\n"), req(".\r\n"),
  ]);
  assert.equal(c.column("frame.protocols").text(2), "eth:ethertype:ip:tcp:smtp:data-text-lines");
  assert.equal(c.column("imf.from").text(2), "");
  assert.equal(c.column("frame.protocols").text(4), "eth:ethertype:ip:tcp:smtp:imf");
  assert.deepEqual(["imf.from", "imf.to", "imf.subject"].map((n) => c.column(n).text(4)), ["A <a@b.test>", "c@d.test", "hi"]);
});

test("smtp: state is per connection (another client's DATA does not make this one's lines data)", () => {
  const other = (s: string) => tcpFrame(s, CLIENT + 1, SERVER);
  const c = decodeFrames([other("DATA\r\n"), req("MAIL FROM:<a@b.test>\r\n"), other("Subject: x\r\n\r\nb\r\n.\r\n")]);
  assert.equal(c.column("smtp.req.command").text(1), "MAIL");
  assert.equal(c.column("imf.subject").text(2), "x");
});

test("smtp: a message over MAX_MESSAGE is kept to its first MAX_MESSAGE bytes (headers still read), memory bounded", () => {
  const chunk = "x".repeat(60_000) + "\r\n";
  const frames = [req("DATA\r\n"), rsp("354 go\r\n"), req("Subject: big\r\n\r\n")];
  const n = Math.ceil((3 * MAX_MESSAGE) / chunk.length);
  for (let i = 0; i < n; i++) frames.push(req(chunk));
  frames.push(req(".\r\n"));
  const before = process.memoryUsage().arrayBuffers;
  const c = decodeFrames(frames);
  assert.equal(c.column("imf.subject").text(frames.length - 1), "big");
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * MAX_MESSAGE, "held bytes stay bounded");
});

test("smtp: hostile bytes on port 25 never throw (both directions, every state)", () => {
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const frames: Buffer[] = [];
  const pieces = ["DATA\r\n", "BDAT 5 LAST\r\n", "AUTH LOGIN\r\n", "334 x\r\n", "STARTTLS\r\n", "220 y\r\n", ".\r\n", "\r\n.\r\n", "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n", ":\r\n", "\r"];
  for (let i = 0; i < 400; i++) {
    const len = rnd() % 40;
    let s = "";
    for (let k = 0; k < len; k++) s += String.fromCharCode(rnd() % 256);
    if (rnd() % 2) s = pieces[rnd() % pieces.length] + s;
    frames.push(rnd() % 2 ? req(s) : rsp(s));
  }
  const c = decodeFrames(frames);
  assert.equal(c.count, frames.length);
  assert.equal(fieldsOf(req("HELO x\r\n"), ["smtp.req.command"])["smtp.req.command"], "HELO");
});
