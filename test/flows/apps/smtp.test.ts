/**
 * capture.smtp() against tshark (the oracle for what was said: tshark with TCP desegmentation on
 * reads the whole command lines, replies and the message's IMF headers) and against Zeek's
 * smtp.log semantics (base/protocols/smtp/main.zeek: when a row starts and is written,
 * trans_depth, address extraction, header fields, path), on a real exchange captured on lo and on
 * scripted captures. There is no Zeek here and no smtp.log in ../shared: the semantics are
 * asserted from the script's rules on exchanges made for them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { open } from "../../../src/table/load";
import "../../../src/flows/apps";
import { SMTP_COLUMNS, type AppTable } from "../../../src/flows/apps";
import { emailAddrs, splitMimeAddrs } from "../../../src/flows/apps/smtp";
import { tmpFile } from "../../helpers/bytes";
import { CLI, hasTool, NO_SHARED, SHARED } from "../../helpers/paths";
import { liveSmtpCapture, noLiveCapture, SCRIPTS, scriptedPcap, sharedSmtpCaptures, tsharkSmtp, type Step } from "./smtpexchange";

const NO_TSHARK = !hasTool("tshark") && "tshark is not installed";

async function smtpOf(file: string): Promise<AppTable> {
  const cap = await open(file);
  return cap.smtp();
}

function rowsOf(t: AppTable): Record<string, unknown>[] {
  return t.rows() as Record<string, unknown>[];
}

interface Txn { imf?: boolean; helo?: string; mailfrom?: string; rcptto: string[]; from?: string; to?: string[]; subject?: string; msg_id?: string; last_reply?: string; tls: boolean }

/** tshark's -T fields text of a string field back to its bytes' text (it escapes CR, LF, TAB) */
const unescape = (s: string) => s.replace(/\\r/g, "\r").replace(/\\n/g, "\n").replace(/\\t/g, "\t");
/** a header value as Zeek's MIME analyzer gives it: folded lines joined */
const unfold = (s: string) => unescape(s).replace(/\r?\n/g, "");
const bracketed = (p: string) => /<([^>]*)>/.exec(p)?.[1];

/**
 * The transactions tshark shows: a MAIL command starts one (mailfrom: the address in <>), RCPT
 * adds an address, the IMF fields of the frame that ends the message fill the headers, the first
 * reply after that which is not 354 is the reply to "."; a 220 to STARTTLS marks TLS.
 */
function expected(file: string, desegment: boolean): Txn[] {
  const rows = tsharkSmtp(file, ["frame.number", "smtp.command_line", "smtp.response.code", "smtp.rsp.parameter",
    "smtp.response", "imf.from", "imf.to", "imf.subject", "imf.message_id"], desegment);
  const out: Txn[] = [];
  let cur: Txn | undefined, helo: string | undefined, waitReply = false, startTls = false;
  for (const r of rows) {
    for (const raw of r["smtp.command_line"]) {
      const line = unescape(raw).replace(/\r?\n$/, "");
      const sp = line.indexOf(" ");
      const cmd = (sp < 0 ? line : line.slice(0, sp)).toUpperCase(), arg = sp < 0 ? "" : line.slice(sp + 1);
      if (cmd === "HELO" || cmd === "EHLO") { helo = arg; if (cur !== undefined) cur.helo = arg; }
      else if (cmd === "MAIL") { cur = { helo, mailfrom: bracketed(arg), rcptto: [], tls: false }; out.push(cur); }
      else if (cmd === "RCPT" && cur !== undefined) { const a = bracketed(arg); if (a !== undefined) cur.rcptto.push(a); }
      else if (cmd === "STARTTLS") startTls = true;
      else if (cmd === "BDAT" && / LAST$/i.test(arg)) waitReply = true; // the reply to the last chunk ends the message
    }
    if (r["imf.subject"].length > 0 || r["imf.from"].length > 0) {
      if (cur !== undefined) {
        cur.from = r["imf.from"][0] === undefined ? undefined : unfold(r["imf.from"][0]);
        cur.subject = r["imf.subject"][0] === undefined ? undefined : unfold(r["imf.subject"][0]);
        cur.msg_id = r["imf.message_id"][0];
        cur.imf = true;
        cur.to = r["imf.to"][0] === undefined ? undefined : unfold(r["imf.to"][0]).split(",").map((x) => x.trim());
        waitReply = true;
      }
    }
    const codes = r["smtp.response.code"], params = r["smtp.rsp.parameter"];
    if (codes.length > 0) {
      if (waitReply && cur !== undefined) {
        // one reply per line here (no multi-line replies after DATA in these exchanges)
        for (let i = 0; i < codes.length; i++) {
          if (codes[i] === "354") continue;
          cur.last_reply = `${codes[i]} ${params[i] ?? ""}`;
          waitReply = false;
          cur = undefined;
          break;
        }
      }
      if (startTls && codes.includes("220")) {
        if (cur === undefined) { cur = { helo, rcptto: [], tls: true }; out.push(cur); } else cur.tls = true;
        startTls = false;
      } else if (startTls && codes.length > 0 && !codes.includes("220")) startTls = false;
    }
  }
  return out;
}

function checkAgainstTshark(t: AppTable, file: string, desegment = true): void {
  const want = expected(file, desegment);
  const rows = rowsOf(t);
  assert.equal(rows.length, want.length, `${file}: ${rows.length} rows, tshark shows ${want.length} transactions`);
  rows.forEach((r, i) => {
    const w = want[i];
    const what = `${file} row ${i}`;
    assert.equal(r.trans_depth, i + 1, `${what}: trans_depth`);
    assert.equal(r.helo, w.helo, `${what}: helo`);
    assert.equal(r.mailfrom, w.mailfrom, `${what}: mailfrom`);
    if (w.mailfrom !== undefined) assert.deepEqual(r.rcptto, w.rcptto, `${what}: rcptto`);
    assert.equal(r.tls, w.tls, `${what}: tls`);
    // a header tshark shows (it misses one when the message shares a segment with the DATA
    // command: the command line is then part of the first header's name); an all-blank value
    // keeps its blanks in tshark, Zeek skips them; an empty To is an empty set for Zeek
    if (w.from !== undefined) assert.equal(r.from, w.from.replace(/^[ \t]+/, ""), `${what}: from`);
    if (w.subject !== undefined) assert.equal(r.subject, w.subject, `${what}: subject`);
    if (w.msg_id !== undefined) assert.equal(r.msg_id, w.msg_id, `${what}: msg_id`);
    if (w.to !== undefined) assert.deepEqual(r.to, w.to, `${what}: to`);
    else if (w.imf === true && r.to !== undefined) assert.deepEqual(r.to, [], `${what}: to`);
    if (w.last_reply !== undefined) assert.equal(r.last_reply, w.last_reply, `${what}: last_reply`);
  });
}

for (const [name, steps] of Object.entries(SCRIPTS)) {
  if (name === "emptybody") continue; // tshark's IMF cuts the header there (see SCRIPTS): below
  test(`smtp table: scripted exchange "${name}" against tshark`, { skip: NO_TSHARK }, async () => {
    const file = tmpFile(`smtp-${name}.pcap`, scriptedPcap(steps));
    checkAgainstTshark(await smtpOf(file), file, name !== "bdat");
  });
}

test("smtp table: a message that ends with its header block keeps its last header whole (Zeek), unlike tshark's IMF", async () => {
  const t = await smtpOf(tmpFile("smtp-emptybody.pcap", scriptedPcap(SCRIPTS.emptybody)));
  assert.deepEqual(rowsOf(t).map((r) => [r.mailfrom, r.subject, r.last_reply]), [["a@b.test", "no body", "250 ok"]]);
});

test("smtp table: the SMTP captures of ../shared against tshark", { skip: NO_TSHARK || (SHARED === undefined && NO_SHARED) }, async () => {
  const files = sharedSmtpCaptures();
  for (const f of files) {
    const t = await smtpOf(f);
    checkAgainstTshark(t, f);
    assert.ok(t.count > 0);
  }
});

test("smtp table: a real exchange on 127.0.0.1 (smtplib, tcpdump on lo) against tshark and Zeek's columns", { skip: NO_TSHARK || noLiveCapture(), timeout: 60_000 }, async () => {
  const file = await liveSmtpCapture();
  const t = await smtpOf(file);
  checkAgainstTshark(t, file);
  assert.equal(t.count, 1);
  const r = rowsOf(t)[0];
  assert.equal(r.helo, "client.example.test");
  assert.equal(r.mailfrom, "alice@example.test");
  assert.deepEqual(r.rcptto, ["bob@example.test", "carol@example.test"]);
  assert.deepEqual(r.to, ["bob@example.test", "Carol <carol@example.test>"]);
  assert.deepEqual(r.cc, ["dave@example.test"]);
  assert.equal(r.date, "Fri, 04 Dec 2026 17:00:00 +0000");
  assert.equal(r.user_agent, "wirebook-test");
  assert.equal(r.last_reply, "250 2.0.0 Ok: queued as 4F2A1C");
  assert.deepEqual(r.path, ["127.0.0.1", "127.0.0.1"]);
  assert.equal(r["id.resp_h"], "127.0.0.1");
  assert.ok([25, 587].includes(r["id.resp_p"] as number));
  // ts: the row started with the connection's first reply (the greeting)
  const cap = await open(file);
  const ts = cap.column("frame.time_epoch"), len = cap.column("tcp.len"), sp = cap.column("tcp.srcport");
  let first = -1;
  for (let i = 0; i < cap.count && first < 0; i++) if ((len.get(i) as number) > 0 && sp.get(i) === r["id.resp_p"]) first = i;
  assert.ok(Math.abs((r.ts as number) - (ts.get(first) as number)) < 1e-6, "ts is the greeting's time");
});

const HEAD = (steps: Step[]): Step[] => [["s", "220 mx.test\r\n"], ["c", "EHLO c.test\r\n"], ["s", "250 mx.test\r\n"], ...steps];
const MSG = (headers: string): Step[] => [["c", "DATA\r\n"], ["s", "354 go\r\n"], ["c", headers + "\r\nbody\r\n.\r\n"], ["s", "250 queued\r\n"]];

test("smtp table: Zeek's rules for when a row is written, trans_depth and ts", async () => {
  const quiet = await smtpOf(tmpFile("quiet.pcap", scriptedPcap(HEAD([["c", "QUIT\r\n"], ["s", "221 bye\r\n"]]))));
  assert.equal(quiet.count, 0, "no MAIL, RCPT or STARTTLS: nothing is logged");
  const file = tmpFile("rules.pcap", scriptedPcap(HEAD([
    ["c", "MAIL FROM:<first@x.test>\r\n"], ["s", "250 ok\r\n"], ["c", "RCPT TO:<b@y.test>\r\n"], ["s", "550 no\r\n"],
    ["c", "MAIL FROM:<second@x.test> SIZE=5\r\n"], ["s", "250 ok\r\n"], ["c", "RCPT TO:<b@y.test> ORCPT=rfc822;b@y.test\r\n"], ["s", "250 ok\r\n"],
    ...MSG("Subject: one\r\n"),
    ["c", "MAIL FROM:<>\r\n"], ["s", "250 ok\r\n"], ["c", "RCPT TO:<c@y.test>\r\n"], ["s", "250 ok\r\n"],
    ["c", "BDAT 14\r\n"], ["c", "Subject: two\r\n"], ["s", "250 ok\r\n"], ["c", "BDAT 0 LAST\r\n"], ["s", "250 done\r\n"],
    ["c", "MAIL FROM:<third@x.test>\r\n"], ["s", "250 ok\r\n"], ["c", "QUIT\r\n"], ["s", "221 bye\r\n"],
  ])));
  const t = await smtpOf(file);
  const rows = rowsOf(t);
  assert.deepEqual(rows.map((r) => [r.trans_depth, r.mailfrom, r.rcptto, r.subject, r.last_reply]), [
    [1, "first@x.test", ["b@y.test"], undefined, "550 no"],         // written at the next MAIL (no message finished yet), after RCPT's reply
    [1, "second@x.test", ["b@y.test"], "one", "250 queued"],        // ORCPT=rfc822; removed, one address
    [2, undefined, ["c@y.test"], "two", "250 done"],                 // "<>": no address; BDAT … LAST ends the message
    [3, "third@x.test", undefined, undefined, "221 bye"],           // written at the end of the capture
  ]);
  const cap = await open(file);
  const time = cap.column("frame.time_epoch");
  const at = (text: string) => { // the time of the server segment that starts with `text`
    for (let i = 0; i < cap.count; i++) if (String(cap.column("tcp.len").get(i)) !== "0" && frameText(file, i).startsWith(text)) return time.get(i) as number;
    return NaN;
  };
  assert.ok(Math.abs((rows[2].ts as number) - at("250 queued")) < 1e-6, "a row after a message starts at the reply to '.'");
  assert.ok(Math.abs((rows[3].ts as number) - at("250 done")) < 1e-6);
});

/** the payload text of frame row `i` (tshark-free: the scripted pcap's own bytes) */
const payloads = new Map<string, string[]>();
function frameText(file: string, i: number): string {
  let p = payloads.get(file);
  if (p === undefined) {
    const b = fs.readFileSync(file);
    p = [];
    for (let o = 24; o + 16 <= b.length;) {
      const n = b.readUInt32LE(o + 8);
      p.push(b.subarray(o + 16 + 54, o + 16 + n).toString("latin1"));
      o += 16 + n;
    }
    payloads.set(file, p);
  }
  return p[i] ?? "";
}

test("smtp table: header columns as Zeek's mime_one_header fills them; path from Received", async () => {
  const t = await smtpOf(tmpFile("headers.pcap", scriptedPcap(HEAD([
    ["c", "MAIL FROM:<a@x.test>\r\n"], ["s", "250 ok\r\n"], ["c", "RCPT TO:<b@y.test>\r\n"], ["s", "250 ok\r\n"],
    ...MSG("Received: from relay2 (relay2 [198.51.100.7]) by mx\r\nReceived: from pc (pc [192.0.2.10]) by relay2\r\n" +
      "From: \"Doe, Jane\" <jane@x.test>\r\nTo: b@y.test\r\nCc: \"Roe, Rick\" <r@y.test>, s@y.test\r\nReply-To: j@x.test\r\n" +
      "Message-ID: <m@x.test>\r\nIn-Reply-To: <p@x.test>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nX-Mailer: mailer 1\r\n" +
      "X-Originating-IP: [203.0.113.5]\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n  folded\r\n..dot: header\r\n"),
  ]))));
  assert.equal(t.count, 1);
  const r = rowsOf(t)[0];
  assert.deepEqual(r.cc, ["\"Roe, Rick\" <r@y.test>", "s@y.test"]);
  assert.equal(r.from, "\"Doe, Jane\" <jane@x.test>");
  assert.equal(r.reply_to, "j@x.test");
  assert.equal(r.in_reply_to, "<p@x.test>");
  assert.equal(r.msg_id, "<m@x.test>");
  assert.equal(r.user_agent, "mailer 1");
  assert.equal(r.x_originating_ip, "203.0.113.5");
  assert.equal(r.subject, "=?utf-8?q?caf=C3=A9?=  folded");
  assert.equal(r.first_received, "from pc (pc [192.0.2.10]) by relay2");
  assert.equal(r.second_received, "from relay2 (relay2 [198.51.100.7]) by mx");
  assert.deepEqual(r.path, ["10.1.0.2", "10.1.0.1", "198.51.100.7", "192.0.2.10"]);
  assert.equal(r.tls, false);
  assert.equal(r.fuids, undefined);
});

test("smtp table: Zeek's address helpers (base/utils/email.zeek)", () => {
  assert.deepEqual(emailAddrs("FROM:<alice@example.test> SIZE=12"), ["alice@example.test"]);
  assert.deepEqual(emailAddrs("FROM:<>"), []);
  assert.deepEqual(emailAddrs("TO:bob@y.test"), ["bob@y.test"]);
  // a quoted display name protects its comma only where a part starts with it (Zeek's regex)
  assert.deepEqual(splitMimeAddrs("\"X, Y\" <c@d> ,e@f"), ["\"X, Y\" <c@d>", "e@f"]);
  assert.deepEqual(splitMimeAddrs("a@b, \"X, Y\" <c@d>"), ["a@b", "\"X", "Y\" <c@d>"]);
});

test("smtp table: a STARTTLS the server accepts: tls is T and the rest is not read", async () => {
  const t = await smtpOf(tmpFile("starttls.pcap", scriptedPcap(HEAD([["c", "STARTTLS\r\n"], ["s", "220 go\r\n"],
    ["c", "\x16\x03\x01\x00\x05MAIL FROM:<x@y.z>\r\n"], ["s", "\x16\x03\x03\x00\x02ab"]]))));
  assert.deepEqual(rowsOf(t).map((r) => [r.tls, r.helo, r.mailfrom, r.last_reply]), [[true, "c.test", undefined, "220 go"]]);
});

test("smtp table: bounds: an overlong command line is skipped with a warning; a huge message is not held", async () => {
  const big = "x".repeat(3 << 20);
  const t = await smtpOf(tmpFile("bounds.pcap", scriptedPcap(HEAD([
    ["c", "MAIL FROM:<" + "a".repeat(10_000) + "@x.test>\r\n"], ["s", "250 ok\r\n"], ["c", "RCPT TO:<b@y.test>\r\n"], ["s", "250 ok\r\n"],
    ["c", "DATA\r\n"], ["s", "354 go\r\n"], ["c", "Subject: big\r\n\r\n"],
    ...Array.from({ length: 48 }, (): Step => ["c", big.slice(0, 65000) + "\r\n"]), ["c", ".\r\n"], ["s", "250 queued\r\n"],
  ]))));
  assert.equal(t.count, 1);
  const r = rowsOf(t)[0];
  assert.equal(r.mailfrom, undefined);
  assert.deepEqual(r.rcptto, ["b@y.test"]);
  assert.equal(r.subject, "big");
  assert.equal(r.last_reply, "250 queued");
  assert.ok(t.warnings.some((w) => /over 4096 bytes/.test(w)), t.warnings.join("; "));
});

test("smtp table: wirebook smtp FILE prints a Zeek smtp.log", () => {
  const file = tmpFile("cli.pcap", scriptedPcap(SCRIPTS.split));
  const out = execFileSync(process.execPath, [CLI, "smtp", file], { encoding: "utf8" });
  const lines = out.split("\n");
  assert.ok(lines.includes("#path\tsmtp"));
  const fields = lines.find((l) => l.startsWith("#fields\t"))?.split("\t").slice(1);
  assert.deepEqual(fields, ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", ...SMTP_COLUMNS.slice(1).map((c) => c.name), "community_id"]);
  assert.equal(lines.filter((l) => l !== "" && !l.startsWith("#")).length, 2);
  const json = execFileSync(process.execPath, [CLI, "smtp", file, "--format", "json"], { encoding: "utf8" }).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(json.map((o) => [o.mailfrom, o.rcptto, o.subject]), [["alice@x.test", ["bob@y.test", "carol@y.test"], "folded subject line"], ["x@x.test", ["z@z.test"], "second"]]);
});
