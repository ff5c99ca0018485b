/**
 * cleartext_credentials over reassembled TCP streams, on captures built here: a login split across
 * segments, segments out of order and retransmitted (whole and repacketized), HTTP Basic on a port
 * the packet decoders do not call HTTP, the per-direction byte cap, and views. The expected user,
 * outcome and evidence frames come from how each capture was built, not from the detector.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DATA } from "../helpers/paths";
import { pcap, tmpFile, type Rec } from "../helpers/bytes";
import { Frame, ip4, mac, PROTO_TCP, TCP_ACK, TCP_PSH, TCP_SYN } from "../../src/gen/packet";
import { open } from "../../src/table/load";
import type { Capture } from "../../src/table/capture";
import "../../src/filter";
import "../../src/detect";
import type { AlertTable } from "../../src/detect";

const T0 = 1700000000;
const PA = TCP_PSH | TCP_ACK;

/** capture records of TCP connections; each `seg` returns the 0-based record (row) it wrote */
class Builder {
  readonly recs: Rec[] = [];
  private readonly f = new Frame();
  private us = 0;

  private add(src: string, dst: string, sp: number, dp: number, seq: number, ack: number, flags: number, data: string): number {
    const f = this.f.eth(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")).ipv4(ip4(src), ip4(dst), PROTO_TCP, 64, this.recs.length, true)
      .tcp(sp, dp, seq, ack, flags, 65535).ascii(data);
    f.finish();
    this.us += 1000;
    this.recs.push({ sec: T0 + Math.floor(this.us / 1e6), frac: this.us % 1e6, data: Buffer.from(f.view()) });
    return this.recs.length - 1;
  }

  /** a connection after its handshake: `seg(fromClient, offset, data)` sends data at that stream offset */
  conn(client: string, server: string, cport: number, sport: number) {
    const ci = 1000, si = 50000;
    this.add(client, server, cport, sport, ci, 0, TCP_SYN, "");
    this.add(server, client, sport, cport, si, ci + 1, TCP_SYN | TCP_ACK, "");
    this.add(client, server, cport, sport, ci + 1, si + 1, TCP_ACK, "");
    return (fromClient: boolean, offset: number, data: string): number => fromClient
      ? this.add(client, server, cport, sport, ci + 1 + offset, si + 1, PA, data)
      : this.add(server, client, sport, cport, si + 1 + offset, ci + 1, PA, data);
  }

  async open(): Promise<Capture> {
    return open(tmpFile("cleartext.pcap", pcap(this.recs)));
  }
}

/** a stream's text cut at the given offsets: [offset, piece] */
function cut(s: string, ...at: number[]): [number, string][] {
  const b = [0, ...at, s.length];
  return b.slice(0, -1).map((x, i) => [x, s.slice(x, b[i + 1])]);
}

function alertOf(a: AlertTable, proto: string, client: string): number {
  const rows: number[] = [];
  for (let r = 0; r < a.count; r++) if (a.proto[r] === proto && a.src[r] === client) rows.push(r);
  assert.equal(rows.length, 1, `one ${proto} alert from ${client}:\n${a.format("tsv", ["src", "dst", "proto", "summary", "evidence"])}`);
  return rows[0];
}

function evidence(cap: Capture, a: AlertTable, r: number): number[] {
  const v = a.packets(r, cap);
  return Array.from({ length: v.count }, (_, i) => v.baseRow(i));
}

const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString("base64");

test("cleartext_credentials: logins split across TCP segments (FTP, IMAP, HTTP Basic on a non-HTTP port)", async () => {
  const b = new Builder();
  // FTP: the PASS line split in the middle, the 230 reply too
  const ftp = b.conn("10.0.0.1", "10.0.0.9", 40001, 21);
  ftp(false, 0, "220 ready\r\n");
  const cmds = "USER alice\r\nPASS wonder";
  const [u1, u2] = cut(cmds, 9).map(([o, s]) => ftp(true, o, s));
  ftp(false, 11, "331 password please\r\n");
  const u3 = ftp(true, cmds.length, "land\r\n");
  ftp(false, 32, "23");
  ftp(false, 34, "0 logged in\r\n");
  // IMAP: the LOGIN command in three pieces
  const imap = b.conn("10.0.0.2", "10.0.0.9", 40002, 143);
  imap(false, 0, "* OK IMAP ready\r\n");
  const login = 'a1 LOGIN "dave" "imap pass"\r\n';
  const lr = cut(login, 5, 17).map(([o, s]) => imap(true, o, s));
  imap(false, 17, "a1 NO [AUTHENTICATIONFAILED] bad\r\n");
  // HTTP Basic on 8081 (not one of tshark's HTTP ports): the Authorization value split in two
  const http = b.conn("10.0.0.3", "10.0.0.9", 40003, 8081);
  const req = `GET /admin HTTP/1.1\r\nHost: nas\r\nAuthorization: Basic ${basic("root", "hunter2")}\r\n\r\n`;
  const hr = cut(req, req.indexOf("Basic") + 10).map(([o, s]) => http(true, o, s));
  http(false, 0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const cap = await b.open();
  assert.equal(cap.column("http.request.method").get(hr[0]), undefined, "the decoders do not call 8081 HTTP");

  const a = await cap.alerts({ detectors: ["cleartext_credentials"], showSecrets: true });
  assert.equal(a.count, 3, a.format("tsv", ["src", "proto", "summary"]));
  const f = alertOf(a, "ftp", "10.0.0.1");
  assert.equal(a.dst[f], "10.0.0.9");
  assert.equal(a.summary[f], 'FTP login as "alice" with password "wonderland" in clear (succeeded)');
  assert.deepEqual(evidence(cap, a, f), [u1, u2, u3], "the USER line's and the two PASS pieces' packets");
  assert.ok(Math.abs(a.ts[f] - (T0 + (u1 + 1) * 1e-3)) < 1e-6, "the time of the USER line's first packet");
  const i = alertOf(a, "imap", "10.0.0.2");
  assert.equal(a.summary[i], 'IMAP login as "dave" with password "imap pass" in clear (failed)');
  assert.deepEqual(evidence(cap, a, i), lr);
  const h = alertOf(a, "http", "10.0.0.3");
  assert.equal(a.summary[h], 'HTTP Basic login as "root" with password "hunter2" in clear (succeeded)');
  assert.deepEqual(evidence(cap, a, h), hr);
  const ft = cap.flows();
  assert.deepEqual(a.uidsOf(h), [ft.column("uid").get(ft.flowOf[hr[0]]) as string]);
  // masked by default
  const masked = await cap.alerts({ detectors: ["cleartext_credentials"] });
  assert.ok(!masked.format("json").includes("wonderland") && !masked.format("json").includes("hunter2"));
  assert.match(masked.summary[alertOf(masked, "ftp", "10.0.0.1")], /as "alice" with password \*{8}/);
});

test("cleartext_credentials: segments out of order and retransmitted (POP3, FTP repacketized, Telnet, HTTP)", async () => {
  const b = new Builder();
  // POP3: PASS in two pieces, the second first, then the first, then the second again
  const pop = b.conn("10.0.0.4", "10.0.0.9", 40004, 110);
  pop(false, 0, "+OK POP3 ready\r\n");
  const pu = pop(true, 0, "USER carol\r\n");
  pop(false, 16, "+OK\r\n");
  const pass = "PASS p0p-secret\r\n";
  const p2 = pop(true, 12 + 8, pass.slice(8));
  const p1 = pop(true, 12, pass.slice(0, 8));
  pop(true, 12 + 8, pass.slice(8)); // retransmitted: already read
  pop(false, 21, "-ERR denied\r\n");
  // FTP: "PASS hun" then a repacketized retransmission of the whole line
  const ftp = b.conn("10.0.0.5", "10.0.0.9", 40005, 21);
  ftp(false, 0, "220 ready\r\n");
  const fu = ftp(true, 0, "USER bob\r\n");
  ftp(false, 11, "331 ok\r\n");
  const f1 = ftp(true, 10, "PASS hun");
  const f2 = ftp(true, 10, "PASS hunter2\r\n");
  ftp(true, 10, "PASS hunter2\r\n"); // and once more
  ftp(false, 19, "230 welcome\r\n");
  // Telnet: the password's characters, the second arriving before the first; a duplicate echo
  const tel = b.conn("10.0.0.6", "10.0.0.9", 40006, 23);
  tel(false, 0, "\xff\xfd\x18\xff\xfb\x01login: ");
  const t1 = tel(true, 0, "r");
  const t2 = tel(true, 1, "oot\r\n");
  tel(false, 13, "Pass");
  tel(false, 17, "word: ");
  const t4 = tel(true, 7, "r\r\n");
  const t3 = tel(true, 6, "t");
  tel(true, 7, "r\r\n"); // retransmitted
  tel(false, 23, "Login incorrect\r\n");
  // HTTP (port 80): the request's two segments swapped; a 401 answers
  const http = b.conn("10.0.0.7", "10.0.0.9", 40007, 80);
  const req = `GET / HTTP/1.1\r\nHost: nas\r\nProxy-Authorization: Basic ${basic("admin", "letmein")}\r\n\r\n`;
  const k = req.indexOf("Proxy");
  const h2 = http(true, k, req.slice(k));
  const h1 = http(true, 0, req.slice(0, k));
  http(false, 0, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\n\r\nnope!");
  const cap = await b.open();

  const a = await cap.alerts({ detectors: ["cleartext_credentials"], showSecrets: true });
  assert.equal(a.count, 4, a.format("tsv", ["src", "proto", "summary"]));
  const p = alertOf(a, "pop", "10.0.0.4");
  assert.equal(a.summary[p], 'POP3 login as "carol" with password "p0p-secret" in clear (failed)');
  assert.deepEqual(evidence(cap, a, p), [pu, p2, p1], "the first copies, not the retransmission");
  const f = alertOf(a, "ftp", "10.0.0.5");
  assert.equal(a.summary[f], 'FTP login as "bob" with password "hunter2" in clear (succeeded)');
  assert.deepEqual(evidence(cap, a, f), [fu, f1, f2]);
  const t = alertOf(a, "telnet", "10.0.0.6");
  assert.equal(a.summary[t], 'Telnet login as "root" with password "tr" in clear (failed)');
  assert.deepEqual(evidence(cap, a, t), [t1, t2, t4, t3]);
  const h = alertOf(a, "http", "10.0.0.7");
  assert.equal(a.summary[h], 'HTTP Basic login as "admin" with password "letmein" in clear (failed)');
  assert.deepEqual(evidence(cap, a, h), [h2, h1]);
  assert.ok(Math.abs(a.ts[h] - (T0 + (h2 + 1) * 1e-3)) < 1e-6, "the earliest packet of the request");
});

test("cleartext_credentials: maxBytesPerFlow bounds what is read of each direction", async () => {
  const b = new Builder();
  const ftp = b.conn("10.0.0.8", "10.0.0.9", 40008, 21);
  const noise = "NOOP\r\n".repeat(500); // 3000 bytes before the login
  ftp(true, 0, noise);
  ftp(true, noise.length, "USER eve\r\nPASS x\r\n");
  ftp(false, 0, "230 ok\r\n");
  const cap = await b.open();
  assert.equal((await cap.alerts({ detectors: ["cleartext_credentials"], cleartext_credentials: { maxBytesPerFlow: 2048 } })).count, 0);
  const a = await cap.alerts({ detectors: ["cleartext_credentials"], cleartext_credentials: { maxBytesPerFlow: 4096 } });
  assert.equal(a.count, 1);
  assert.match(a.summary[0], /FTP login as "eve" .*\(succeeded\)/);
});

test("cleartext_credentials on a view: tcp.port == 21 gives the FTP alerts only, evidence as in the whole capture", async () => {
  const cap = await open(path.join(DATA, "attacks.pcap"));
  const all = await cap.alerts({ detectors: ["cleartext_credentials"] });
  const view = cap.filter("tcp.port == 21");
  const va = await view.alerts({ detectors: ["cleartext_credentials"] });
  const ftpRows = [...Array(all.count).keys()].filter((r) => all.proto[r] === "ftp");
  assert.equal(ftpRows.length, 2);
  assert.ok(all.count > ftpRows.length, "the capture has other cleartext logins");
  assert.equal(va.count, ftpRows.length);
  const key = (t: AlertTable, r: number) => `${t.src[r]} ${t.dst[r]} ${t.summary[r]} ${t.ts[r]}`;
  assert.deepEqual([...Array(va.count).keys()].map((r) => key(va, r)).sort(), ftpRows.map((r) => key(all, r)).sort());
  for (let r = 0; r < va.count; r++) {
    assert.equal(va.proto[r], "ftp");
    const same = ftpRows.find((x) => key(all, x) === key(va, r)) as number;
    assert.deepEqual(evidence(cap, va, r), evidence(cap, all, same), "view rows map back to the same frames");
  }
});

test("cleartext_credentials on hostile streams: random bytes and sequence numbers on every port, no throw, bounded", async () => {
  const b = new Builder();
  let x = 12345;
  const rnd = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
  const words = ["\xff", "\xfa", "\xf0", "\xfb", "\xff\xff", "\r\n", "\n", "\0", "\x7f", "x", "USER u", "PASS p", "a1 LOGIN u p", "login: ", "Password: ",
    "Authorization: Basic YTpi", "\r\n\r\n", "GET / HTTP/1.1", "HTTP/1.1 401 x", "HTTP/1.1 100 c", "Transfer-Encoding: chunked", "230 ok", "+OK", "a1 OK", "$ ",
    "Content-Length: 99999"];
  for (const port of [21, 23, 80, 110, 143, 8080]) {
    for (let n = 0; n < 5; n++) {
      const seg = b.conn(`10.1.${port & 255}.${n + 1}`, "10.0.0.9", 41000 + n, port);
      for (let k = 0; k < 60; k++) {
        let s = "";
        for (let j = rnd(60); j > 0; j--) s += words[rnd(words.length)];
        seg(rnd(3) > 0, rnd(4) === 0 ? rnd(0xffffffff) : rnd(6000), s);
      }
    }
  }
  const cap = await b.open();
  const t0 = Date.now();
  const a = await cap.alerts({ detectors: ["cleartext_credentials"] });
  assert.ok(Date.now() - t0 < 10000);
  assert.ok(a.count > 0 && a.count <= 6 * 5 * 60, `${a.count} alerts`);
  for (let r = 0; r < a.count; r++) assert.ok(cap.filter(a.evidence[r]).count > 0, "evidence selects packets");
});
