/**
 * Rules on a live capture: a real HTTP exchange with a local server on 127.0.0.1, captured while it
 * happens; the rule set gives the same alert rows on the live capture (its retained records) as on
 * the same packets saved with save() and opened again.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as wb from "../../src/index";
import { httpExchange, NO_CAPTURE, sleep } from "./helpers";

const skip = NO_CAPTURE;

const RULES = [
  `alert http any any -> any any (msg:"uri"; http.uri; content:"/hello?from=wirebook"; sid:1;)`,
  `alert tcp any any -> any any (msg:"ua"; flow:established,to_server; content:"User-Agent|3a 20|wirebook-test"; sid:2;)`,
  `alert tcp any any -> any any (msg:"syn"; flags:S; sid:3;)`,
  `alert http any any -> any any (msg:"reply"; http.stat_code; content:"200"; sid:4;)`,
].join("\n");

test("a rule set on a live capture gives the rows of the same packets saved and opened again", { skip, timeout: 30_000 }, async () => {
  const srv = await httpExchange();
  try {
    const ac = new AbortController();
    const pending = wb.live({ device: "lo", filter: `tcp port ${srv.port}`, signal: ac.signal, seconds: 20 });
    assert.deepEqual(await srv.run(), { status: 200, body: "hi there" });
    await sleep(200); // the last ACKs
    ac.abort();
    const cap = await pending;
    const rs = wb.rules.load(RULES);
    const live = await rs.match(cap);
    assert.deepEqual(Object.fromEntries(live.countsBySid()), { 1: 1, 2: 1, 3: 1, 4: 1 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-live-rules-")), "http.pcap");
    await cap.save(file);
    const saved = await rs.match(await wb.open(file));
    assert.deepEqual(live.rows(), saved.rows());
    // the request's alerts are on the packet that carries the GET, from the client to the server
    const get = live.rows(["sid", "frame.number", "dport"]).find((r) => r.sid === 2);
    assert.equal(cap.column("http.request.method").get((get?.["frame.number"] as number) - 1), "GET");
    assert.equal(get?.dport, srv.port);
  } finally {
    await srv.close();
  }
});
