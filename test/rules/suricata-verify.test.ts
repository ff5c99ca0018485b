/**
 * Suricata's own expectations (../shared/rules, from OISF/suricata-verify): for every test folder
 * whose rules are inside the subset, our alert count per sid equals Suricata's (`N` exact, `>=N` at
 * least). Suricata args in expected.tsv that change tracking (stream.midstream, async-oneside) are
 * passed on. Folders we cannot run are listed below with the reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { NO_SHARED, SHARED } from "../helpers/paths";
import { load } from "../../src/rules";
import { open } from "../../src/table/load";
import { RULE_FIELDS } from "../../src/rules";

/** folders that need what the engine lacks, and why */
export const NOT_RUN: Record<string, string> = {
  "http2-long-frame": "cleartext HTTP/2 (prior knowledge): http.uri needs HTTP/2 framing and HPACK header decoding, which the app parsers lack",
};

const dir = SHARED && path.join(SHARED, "rules");
const folders = dir && fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isDirectory()).sort() : [];

test("suricata-verify corpus is present and every folder is either run or listed", { skip: SHARED ? false : NO_SHARED }, () => {
  assert.ok(folders.length >= 20, `${folders.length} folders`);
  for (const k of Object.keys(NOT_RUN)) assert.ok(folders.includes(k), `NOT_RUN lists a missing folder ${k}`);
});

for (const name of folders) {
  const reason = NOT_RUN[name];
  test(`suricata-verify ${name}`, { skip: reason ?? false }, async () => {
    const d = path.join(dir as string, name);
    const pcap = fs.readdirSync(d).find((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f));
    assert.ok(pcap, "a capture in the folder");
    const expected = fs.readFileSync(path.join(d, "expected.tsv"), "utf8");
    const opts = { midstream: /stream\.midstream=true/.test(expected), asyncOneside: /stream\.async-oneside=true/.test(expected) };
    const rs = load(fs.readFileSync(path.join(d, "test.rules"), "utf8"));
    assert.deepEqual(rs.errors.map((e) => e.message), [], "every rule parses");
    assert.deepEqual(rs.unsupported, [], "every rule is inside the subset");
    const cap = await open(path.join(d, pcap as string), { columns: RULE_FIELDS });
    const alerts = await rs.match(cap, opts);
    const bySid = alerts.countsBySid();
    const rows = expected.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("sid\t"));
    assert.ok(rows.length > 0);
    for (const row of rows) {
      const [sid, want] = row.split("\t");
      const got = sid === "*" ? alerts.count : bySid.get(Number(sid)) ?? 0;
      if (want.startsWith(">=")) assert.ok(got >= Number(want.slice(2)), `sid ${sid}: ${got} alerts, Suricata ${want}`);
      else assert.equal(got, Number(want), `sid ${sid}: ${got} alerts, Suricata ${want}`);
    }
    // every alert's evidence names a packet of the capture, and tcp/udp alerts carry their flow's uid
    for (const r of alerts.rows(["frame.number", "evidence", "uid", "proto"])) {
      assert.ok((r["frame.number"] as number) >= 1 && (r["frame.number"] as number) <= cap.count);
      assert.equal(r.evidence, `frame.number == ${r["frame.number"]}`);
    }
  });
}
