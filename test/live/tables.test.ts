/**
 * One decode, many readers, live: a loopback capture of real DNS, HTTP (with Basic credentials)
 * and TLS exchanges that this test makes gives the same application tables, files, alerts and
 * rule alerts as the same packets saved with save() and opened again; and on a view the tables
 * hold only the view's transactions.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import * as wb from "../../src/index";
import type { Capture } from "../../src/index";
import { hasTool } from "../helpers/paths";
import { httpExchange, NO_CAPTURE, sleep } from "./helpers";

const skip = NO_CAPTURE || (!hasTool("openssl") && "openssl is not installed (the TLS server's certificate)");

/** a DNS query for `name` (type A, class IN) */
function dnsQuery(id: number, name: string): Buffer {
  const labels = name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** the answer to a query: the question echoed, one A record 10.1.2.3 */
function dnsAnswer(q: Buffer): Buffer {
  const head = Buffer.from(q.subarray(0, 12));
  head[2] = 0x81; head[3] = 0x80; head[7] = 1;
  return Buffer.concat([head, q.subarray(12), Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3])]);
}

/** a DNS server on 127.0.0.1:53 (root) or a free port the decoders know (5353 is mDNS: use 53 only) */
async function dnsServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = dgram.createSocket("udp4");
  s.on("message", (m, r) => s.send(dnsAnswer(m), r.port, r.address));
  await new Promise<void>((res, rej) => { s.once("error", rej); s.bind(53, "127.0.0.1", () => res()); });
  return { port: (s.address() as AddressInfo).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

async function dnsAsk(port: number, names: string[]): Promise<void> {
  const c = dgram.createSocket("udp4");
  await new Promise<void>((r) => c.bind(0, "127.0.0.1", r));
  let id = 0x1200;
  for (const n of names) {
    await new Promise<void>((res) => {
      c.once("message", () => res());
      c.send(dnsQuery(id++, n), port, "127.0.0.1");
    });
  }
  await new Promise<void>((r) => c.close(() => r()));
}

function tlsKeyPair(dir: string): { key: Buffer; cert: Buffer } {
  const key = path.join(dir, "k.pem"), cert = path.join(dir, "c.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=wirebook.test"], { stdio: "ignore" });
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

async function tlsExchange(dir: string): Promise<void> {
  const server = https.createServer(tlsKeyPair(dir), (_req, res) => { res.writeHead(200, { Connection: "close" }); res.end("secret"); });
  await new Promise<void>((r) => server.listen(8443, "127.0.0.1", r));
  await new Promise<void>((resolve, reject) => {
    https.get({ host: "127.0.0.1", port: 8443, path: "/", servername: "tls.wirebook.test", rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on("end", resolve);
    }).on("error", reject);
  });
  await new Promise<void>((r) => server.close(() => r()));
}

/** every table a capture answers, as plain rows (JSON text), in one object */
async function everything(cap: Capture, rules: wb.rules.RuleSet): Promise<Record<string, string>> {
  const json = (t: { rows(): object[] }) => JSON.stringify(t.rows());
  return {
    flows: json(cap.flows()),
    dns: json(await cap.dns()),
    http: json(await cap.http()),
    tls: json(await cap.tls()),
    files: json(await cap.files()),
    alerts: json(await cap.alerts()),
    rules: json(await rules.match(cap)),
  };
}

if (skip) test("live capture into application tables", { skip }, () => {});

test("a live loopback capture gives the same tables, files, alerts and rule alerts as its packets saved and opened again; views hold only their transactions", { skip, timeout: 90_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-live-tables-"));
  const dns = await dnsServer();
  const web = await httpExchange();
  const ac = new AbortController();
  const capturing = wb.live({ device: "lo", filter: "host 127.0.0.1", signal: ac.signal, seconds: 60 });
  await sleep(300);
  try {
    await dnsAsk(dns.port, ["www.wirebook.test", "mail.wirebook.test"]);
    const r = await web.run();
    assert.equal(r.status, 200);
    // an HTTP request with Basic credentials (cleartext_credentials), on the same server
    await new Promise<void>((resolve, reject) => {
      const http = require("node:http") as typeof import("node:http");
      http.get({ host: "127.0.0.1", port: web.port, path: "/login", agent: false, headers: { Authorization: `Basic ${Buffer.from("alice:s3cret").toString("base64")}` } }, (res) => {
        res.resume();
        res.on("end", resolve);
      }).on("error", reject);
    });
    await tlsExchange(dir);
    await sleep(300);
  } finally {
    ac.abort();
    await dns.close();
    await web.close();
  }
  const live = await capturing;
  const rules = wb.rules.load([
    `alert http any any -> any any (msg:"hello request"; content:"hello?from=wirebook"; sid:1000001; rev:1;)`,
    `alert tcp any any -> any any (msg:"payload hi there"; content:"hi there"; sid:1000002; rev:1;)`,
    `alert udp any any -> any 53 (msg:"dns query mail"; content:"|04|mail"; sid:1000003; rev:1;)`,
  ].join("\n"));
  const fromLive = await everything(live, rules);
  // the live capture's tables are real: each exchange is there
  const dnsRows = (await live.dns()).rows();
  assert.deepEqual(dnsRows.map((x) => x.query).sort(), ["mail.wirebook.test", "www.wirebook.test"]);
  const httpRows = (await live.http()).rows();
  assert.ok(httpRows.some((x) => x.uri === "/hello?from=wirebook" && x.status_code === 200), JSON.stringify(httpRows));
  assert.ok((await live.tls()).rows().some((x) => x.server_name === "tls.wirebook.test"));
  assert.ok((await live.files()).count >= 1);
  const alerts = (await live.alerts()).rows();
  assert.ok(alerts.some((a) => a.detector === "cleartext_credentials" && String(a.summary).includes("alice")), JSON.stringify(alerts));
  const sids = (await rules.match(live)).rows().map((a) => a.sid).sort();
  assert.deepEqual([...new Set(sids)], [1000001, 1000002, 1000003]);

  // the same packets saved and opened again: the same rows everywhere
  const file = path.join(dir, "live.pcap");
  await live.save(file);
  const reopened = await wb.open(file);
  assert.equal(reopened.count, live.count);
  const fromFile = await everything(reopened, rules);
  for (const k of Object.keys(fromLive)) assert.equal(fromLive[k], fromFile[k], `${k} differs between the live capture and its saved file`);

  // a view: only its transactions (the HTTP server's port keeps no DNS, no TLS)
  for (const cap of [live, reopened]) {
    const view = cap.filter(`tcp.port == ${web.port}`);
    assert.ok(view.count > 0 && view.count < cap.count);
    assert.equal((await view.dns()).count, 0);
    assert.equal((await view.tls()).count, 0);
    const vh = (await view.http()).rows().map((x) => x.uri);
    assert.deepEqual(vh, httpRows.map((x) => x.uri));
    const dv = cap.filter("dns");
    assert.deepEqual((await dv.dns()).rows().map((x) => x.query), dnsRows.map((x) => x.query));
    assert.equal((await dv.http()).count, 0);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
