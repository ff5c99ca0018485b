/**
 * wb.diff and capture.insights on captures the generator makes (src/gen/enrich.ts): the injected
 * changes come first, `diff A A` is empty, each injected anomaly is found, the office capture gives
 * info lines only; every filter is one tshark accepts and that shows the row's packets.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import * as wb from "../../src";
import { PcapWriter } from "../../src/io/writer";
import { writeMerged, changeFrames, anomalyFrames, INJECTED } from "../../src/gen/enrich";
import { CLI, DATA, hasTool } from "../helpers/paths";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wb-diff-"));
const file = (name: string, extra: ReturnType<typeof changeFrames>) => {
  const p = path.join(tmp, name);
  const w = new PcapWriter({ path: p });
  writeMerged(w, extra);
  w.close();
  return p;
};
const A = file("a.pcap", []), B = file("b.pcap", changeFrames()), C = file("c.pcap", anomalyFrames());
const TSHARK = hasTool("tshark");

/** packets tshark's display filter selects (throws when tshark rejects the filter) */
function tsharkCount(f: string, filter: string): number {
  const out = execFileSync("tshark", ["-r", f, "-Y", filter, "-T", "fields", "-e", "frame.number"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
  return out.split("\n").filter(Boolean).length;
}

test("diff: the injected changes first, each with a filter tshark accepts; diff A A is empty", async () => {
  const [a, b] = [await wb.open(A), await wb.open(B)];
  const d = await wb.diff(a, b);
  assert.deepEqual(d.columns, ["section", "kind", "key", "count_a", "count_b", "ratio", "filter"]);
  const C0 = INJECTED.changes;
  const rows = d.rows();
  const top = rows.slice(0, 4).map((r) => `${r.section} ${r.kind} ${r.key}`).sort();
  assert.deepEqual(top, [`conversations new ${C0.client} ${C0.host}`, `dns new ${C0.dnsName}`, `endpoints new ${C0.host}`, `ports new tcp/${C0.port}`].sort());
  assert.equal(rows.find((r) => r.section === "ports" && r.key === `tcp/${C0.port}`)?.count_b, C0.connections);
  assert.equal(rows.find((r) => r.section === "dns" && r.key === C0.dnsName)?.count_b, C0.queries);
  // nothing vanished: B is A plus the changes
  assert.equal(rows.filter((r) => r.kind === "gone").length, 0);
  // every later row is a consequence of the injection: the client, its DNS server, DNS and the protocols under it
  for (const r of rows.slice(4)) {
    assert.match(`${r.section} ${r.key}`, /^(endpoints 192\.168\.1\.(1|37)|conversations 192\.168\.1\.1 192\.168\.1\.37|ports udp\/53|services dns|protocols \S+)$/, JSON.stringify(r));
    assert.equal(r.kind, "changed");
  }
  // the rows' counts are what their filters select, in A and in B
  for (const r of rows) {
    if (r.section === "endpoints" || r.section === "conversations" || r.section === "dns" || r.section === "protocols") {
      assert.equal(b.filter(String(r.filter)).count, r.count_b, `B ${r.filter}`);
      assert.equal(a.filter(String(r.filter)).count, r.count_a, `A ${r.filter}`);
    }
    if (TSHARK) assert.equal(tsharkCount(B, String(r.filter)), b.filter(String(r.filter)).count, `tshark on B: ${r.filter}`);
  }
  assert.equal((await wb.diff(a, a)).count, 0);
  assert.equal((await a.diff(await wb.open(A))).count, 0);
  // reversed: the same keys, gone
  const back = await wb.diff(b, a);
  assert.deepEqual(back.rows().slice(0, 4).map((r) => `${r.section} ${r.kind}`).sort(), ["conversations gone", "dns gone", "endpoints gone", "ports gone"]);
});

test("wirebook diff A B: TSV/JSON rows and an offline HTML page with the chart", () => {
  const tsv = execFileSync(process.execPath, [CLI, "diff", A, B], { encoding: "utf8" });
  assert.match(tsv, /^#fields\tsection\tkind\tkey\tcount_a\tcount_b\tratio\tfilter$/m);
  assert.match(tsv, /\tnew\ttcp\/4444\t0\t40\t-\ttcp\.port == 4444$/m);
  const json = execFileSync(process.execPath, [CLI, "diff", A, A, "--format", "json"], { encoding: "utf8" });
  assert.equal(json.trim(), "");
  const html = path.join(tmp, "diff.html");
  execFileSync(process.execPath, [CLI, "diff", A, B, "-o", html], { stdio: "pipe" });
  const page = fs.readFileSync(html, "utf8");
  assert.match(page, /update\.badexample\.test/);
  assert.ok(!/<script[^>]+src=/.test(page), "no external script");
  assert.throws(() => execFileSync(process.execPath, [CLI, "diff", A], { stdio: "pipe" }), /two capture files/);
});

test("insights: each injected anomaly is found with a filter that shows it (tshark too)", async () => {
  const c = await wb.open(C);
  const t = await c.insights();
  assert.deepEqual(t.columns, ["rank", "severity", "kind", "observation", "evidence", "filter"]);
  const rows = t.rows();
  const X = INJECTED.anomalies;
  const find = (kind: string, re: RegExp) => {
    const r = rows.find((x) => x.kind === kind && re.test(`${x.observation} ${x.evidence} ${x.filter}`));
    assert.ok(r, `${kind} ${re}: ${JSON.stringify(rows.map((x) => x.kind))}`);
    assert.ok(c.filter(String(r.filter)).count > 0, `${kind}: ${r.filter} selects packets`);
    if (TSHARK) assert.ok(tsharkCount(C, String(r.filter)) > 0, `tshark accepts and matches ${r.filter}`);
    return r;
  };
  assert.equal(find("many_peers", new RegExp(X.scanner.replace(/\./g, "\\."))).severity, "warning");
  assert.match(String(find("dns_nxdomain", /nxdomain=4\d/).evidence), /nxdomain=(4[0-9])/);
  find("dns_txt", new RegExp(`txt=${X.txt}\\b`));
  find("rare_port", new RegExp(`tcp/${X.rarePort}`));
  find("large_connection", new RegExp(X.large.host.replace(/\./g, "\\.")));
  find("long_connection", new RegExp(X.long.host.replace(/\./g, "\\.")));
  find("retransmissions", new RegExp(X.retransmit.host.replace(/\./g, "\\.")));
  find("unusual_hour", new RegExp(`packets=${X.nightPackets}\\b`));
  find("rare_ja4", new RegExp(X.ja4Sni.replace(/\./g, "\\.")));
  // ranked: warnings, then notices, then info
  const order = rows.map((r) => ({ warning: 3, notice: 2, info: 1 })[String(r.severity) as "info"]);
  assert.deepEqual(order, [...order].sort((x, y) => y - x));
});

test("insights: quiet on the office capture (info lines only, a few)", async () => {
  for (const f of ["office.pcap", "office.pcapng"]) {
    const t = await (await wb.open(path.join(DATA, f))).insights();
    const sev = t.rows().map((r) => r.severity);
    assert.ok(sev.every((s) => s === "info") && sev.length <= 4, `${f}: ${JSON.stringify(t.rows())}`);
  }
  const out = execFileSync(process.execPath, [CLI, "insights", path.join(DATA, "office.pcap"), "--format", "csv"], { encoding: "utf8" });
  assert.match(out, /^rank,severity,kind,observation,evidence,filter$/m);
});

test("the report has a 'What stands out' section with the insights", () => {
  const out = path.join(tmp, "c.html");
  execFileSync(process.execPath, [CLI, "report", C, "-o", out], { stdio: "pipe" });
  const html = fs.readFileSync(out, "utf8");
  assert.match(html, /What stands out/);
  assert.match(html, new RegExp(`${INJECTED.anomalies.scanner.replace(/\./g, "\\.")} opened connections to ${INJECTED.anomalies.peers} different hosts`));
});

test("the diff page escapes what the captures say (a hostile DNS name)", async () => {
  const { DiffTable } = await import("../../src/enrich/diff");
  const { diffPage } = await import("../../src/enrich/diffhtml");
  const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>.test`;
  const t = new DiffTable([{ section: "dns", kind: "new", key: evil, a: 0, b: 3, ratio: NaN, filter: `dns.qry.name == "${evil}"`, score: 2 }],
    undefined as never, undefined as never);
  const page = diffPage(t, "a<b>.pcap", "b.pcap");
  assert.ok(!page.includes("<script>alert(1)"), "no live script from the data");
  assert.ok(!page.includes("<img src=x"), "no element from the data");
  assert.match(page, /&lt;script&gt;alert\(1\)/);
  assert.match(page, /a&lt;b&gt;\.pcap/);
});

test("diff office → attacks: every filter tshark accepts selects what ours does, in both captures; counts are the filters'", { skip: TSHARK ? false : "tshark is not installed" }, async () => {
  const { tsharkBatch } = await import("../filter/oracle");
  const fa = path.join(DATA, "office.pcap"), fb = path.join(DATA, "attacks.pcap");
  const [a, b] = [await wb.open(fa), await wb.open(fb)];
  const rows = (await wb.diff(a, b)).rows();
  const sections = new Set(rows.map((r) => r.section));
  for (const s of ["endpoints", "conversations", "ports", "services", "protocols", "dns", "tls_sni", "ja4", "http_host", "alerts"]) assert.ok(sections.has(s), s);
  const filters = [...new Set(rows.map((r) => String(r.filter)))];
  for (const [file, cap] of [[fa, a], [fb, b]] as const) {
    const theirs = await tsharkBatch(file, filters);
    filters.forEach((f, i) => {
      assert.notEqual(theirs[i], null, `tshark rejects ${f}`);
      const v = cap.filter(f);
      assert.deepEqual(Array.from({ length: v.count }, (_, k) => v.baseRow(k) + 1), theirs[i], `${path.basename(file)}: ${f}`);
    });
  }
  // packet-counted sections: the count is what the filter selects
  for (const r of rows) if (/^(endpoints|conversations|protocols|dns|tls_sni|http_host)$/.test(String(r.section))) {
    assert.equal(a.filter(String(r.filter)).count, r.count_a, `A ${r.filter}`);
    assert.equal(b.filter(String(r.filter)).count, r.count_b, `B ${r.filter}`);
  }
});
