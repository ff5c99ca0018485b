/**
 * ResultTable's verbs, on every table Wirebook returns (flows, dns, files, alerts of detectors,
 * rules and eve, statistics, imported logs) and on a hand-built table. `where(expression)` is
 * checked against the same test written as a plain JavaScript predicate over `rows()`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DATA, ROOT } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/filter";
import "../../src/flows";
import "../../src/flows/apps";
import "../../src/files";
import "../../src/detect";
import * as stats from "../../src/stats";
import { load } from "../../src/rules";
import { importEve, importZeek } from "../../src/import";
import { ResultTable, isResultTable, type Column, type Value } from "../../src/result";
import { AlertTable } from "../../src/detect/alerts";

const office = path.join(DATA, "office.pcap");
const attacks = path.join(DATA, "attacks.pcap");
const FIX = path.join(ROOT, "test", "import", "fixtures");

/** a column over plain values (undefined: unset), text as String() */
function col(name: string, type: string, values: Value[]): Column {
  return { name, type, get: (r) => values[r], text: (r) => (values[r] === undefined ? "-" : Array.isArray(values[r]) ? (values[r] as unknown[]).join(",") : String(values[r])) };
}

function small(): ResultTable {
  return new ResultTable("t", [
    col("n", "count", [3, 1, undefined, 2, 10]),
    col("s", "string", ["b", "a", "c", undefined, "a"]),
    col("ok", "bool", [true, false, true, undefined, false]),
    col("port", "port", [80, 443, 53, 8080, undefined]),
    col("l", "vector[string]", [["x", "y"], [], undefined, ["y"], ["z"]]),
  ], 5);
}

test("verbs on a small table: rows, values, array, select, sortBy, head, tail, views", () => {
  const t = small();
  assert.equal(t.count, 5);
  assert.deepEqual(t.columns, ["n", "s", "ok", "port", "l"]);
  assert.deepEqual(t.rows(1, 3), [{ n: 1, s: "a", ok: false, port: 443, l: [] }, { n: undefined, s: "c", ok: true, port: 53, l: undefined }]);
  assert.deepEqual(t.rows(["s"], 0, 2), [{ s: "b" }, { s: "a" }]);
  assert.deepEqual(t.values("n"), [3, 1, undefined, 2, 10]);
  const n = t.array("n");
  assert.ok(n instanceof Float64Array);
  assert.deepEqual([...n].map((x) => (Number.isNaN(x) ? "NaN" : x)), [3, 1, "NaN", 2, 10]);
  const p = t.array("port");
  assert.ok(p instanceof Int32Array);
  assert.deepEqual([...p], [80, 443, 53, 8080, -1]);
  assert.deepEqual(t.array("s"), ["b", "a", "c", "", "a"]);
  assert.deepEqual(t.select(["s", "n"]).columns, ["s", "n"]);
  assert.deepEqual(t.sortBy("n").values("n"), [1, 2, 3, 10, undefined], "numbers numerically, unset last");
  assert.deepEqual(t.sortBy("n", { descending: true }).values("n"), [10, 3, 2, 1, undefined], "unset last either way");
  assert.deepEqual(t.sortBy("s").values("n"), [1, 10, 3, undefined, 2], "stable among equal values");
  assert.deepEqual(t.head(2).values("s"), ["b", "a"]);
  assert.deepEqual(t.tail(2).values("s"), [undefined, "a"]);
  assert.equal(t.head(99).count, 5);
  assert.equal(t.tail(0).count, 0);
  // views of views
  assert.deepEqual(t.where("n > 1").sortBy("n").head(2).rows(["n", "s"]), [{ n: 2, s: undefined }, { n: 3, s: "b" }]);
  for (const v of [t.where("n > 1"), t.select(["n"]), t.sortBy("s"), t.head(1), t.tail(1)]) assert.ok(v instanceof ResultTable && isResultTable(v));
  assert.throws(() => t.column("zz"), /unknown t column "zz"; columns: n, s, ok, port, l/);
  assert.deepEqual(JSON.parse(JSON.stringify(t.head(2))), [{ n: 3, s: "b", ok: true, port: 80, l: ["x", "y"] }, { n: 1, s: "a", ok: false, port: 443, l: [] }]);
});

test("where: operators, sets, lists, unset values, errors", () => {
  const t = small();
  const w = (e: string) => t.where(e).values("n");
  assert.deepEqual(w('s == "a"'), [1, 10]);
  assert.deepEqual(w("s == a"), [1, 10], "a bare word on the right is a literal");
  assert.deepEqual(w('s != "a"'), [3, undefined], "unset s is in neither s == a nor s != a");
  assert.deepEqual(w('!(s == "a")'), [3, undefined, 2]);
  assert.deepEqual(w("n >= 2 && n < 10"), [3, 2]);
  assert.deepEqual(w("1 < n"), [3, 2, 10], "a literal on the left is turned round");
  assert.deepEqual(w("n == 1 || port == 53"), [1, undefined]);
  assert.deepEqual(w("port in {53 80}"), [3, undefined]);
  assert.deepEqual(w("port in {1..1024}"), [3, 1, undefined]);
  assert.deepEqual(w("port not in {1..1024}"), [2]);
  assert.deepEqual(w("ok"), [3, undefined], "a bare bool column: true");
  assert.deepEqual(w("ok == F"), [1, 10]);
  assert.deepEqual(w("n"), [3, 1, 2, 10], "a bare column: it has a value");
  assert.deepEqual(w('l == "y"'), [3, 2], "any element equals");
  assert.deepEqual(w('l contains "z"'), [10]);
  assert.deepEqual(w("len(l) == 0"), [1]);
  assert.deepEqual(w('s matches "^[ab]$"'), [3, 1, 10]);
  assert.deepEqual(w('upper(s) == "B"'), [3]);
  assert.deepEqual(w('s matches "(?i)^B"'), [3]);
  assert.throws(() => t.where("nope == 1"), /"nope" is not a column of this table/);
  assert.throws(() => t.where("s[0] == 1"), /slice is not supported/);
  assert.throws(() => t.where("n =="), /Unexpected end/);
  assert.deepEqual(t.where((r) => (r.n as number) > 2).values("n"), [3, 10]);
});

test("every table is a ResultTable with the same verbs", async () => {
  const cap = await open(office);
  const att = await open(attacks);
  const flows = cap.flows();
  const dns = await cap.dns();
  const files = await cap.files();
  const alerts = await att.alerts();
  const rules = await load('alert tcp any any -> any 21 (msg:"FTP USER"; content:"USER "; sid:9000001;)').match(att);
  const conv = stats.conversations(cap, "tcp");
  const zeek = importZeek(path.join(FIX, "dns.zeek.json"), cap);
  const eve = importEve(path.join(FIX, "eve.json"), att);
  const tables: [string, ResultTable][] = [["flows", flows], ["dns", dns], ["files", files], ["alerts", alerts], ["rules", rules],
    ["stats", conv], ["zeek", zeek], ["eve", eve], ["eve alerts", eve.alerts()]];
  for (const [what, t] of tables) {
    assert.ok(t instanceof ResultTable && isResultTable(t), what);
    assert.ok(t.count > 0, `${what} has rows`);
    const first = t.columns[0];
    assert.equal(t.head(3).count, Math.min(3, t.count), what);
    assert.deepEqual(t.head(3).rows(), t.rows(0, 3), what);
    assert.deepEqual(t.tail(1).rows(), t.rows(t.count - 1, t.count), what);
    assert.deepEqual(t.select([first]).columns, [first], what);
    assert.equal(t.where(() => true).count, t.count, what);
    assert.equal(t.where(() => false).count, 0, what);
    assert.equal(t.array(first).length, t.count, what);
    const df = t.toDataFrame();
    assert.deepEqual(df.shape, [t.count, t.columns.length], what);
    const empty = t.where(() => false).toDataFrame();
    assert.deepEqual(empty.shape, [0, t.columns.length], `${what}: an empty table's DataFrame`);
    assert.equal(JSON.parse(JSON.stringify(t)).length, t.count, what);
  }
  // the rule engine's, the detectors' and Suricata's alerts are one class, and concatenate
  assert.ok(rules instanceof AlertTable && alerts instanceof AlertTable && eve.alerts() instanceof AlertTable);
  const all = AlertTable.concat(alerts, rules, eve.alerts());
  assert.equal(all.count, alerts.count + rules.count + eve.alerts().count);
  assert.deepEqual(all.columns, rules.columns);
  assert.equal(all.where('detector == "rules"').count, rules.count);
  assert.ok(all.where('detector == "rules"') instanceof AlertTable, "an AlertTable's where is an AlertTable");
  assert.ok(rules.rows(["sid", "frame.number", "proto", "action"]).every((r) => r.sid === 9000001 && (r["frame.number"] as number) >= 1 && r.proto === "tcp" && r.action === "alert"));
  // where(expression) agrees with the same test as a predicate
  const expr = flows.where('conn_state == "S0" && orig_bytes > 100 || proto == "icmp"');
  const pred = flows.where((r) => (r.conn_state === "S0" && (r.orig_bytes as number) > 100) || r.proto === "icmp");
  assert.deepEqual(expr.values("uid"), pred.values("uid"));
  assert.ok(expr.count > 0);
  const notDns = flows.where('!(service == "dns")');
  assert.equal(notDns.count, flows.count - flows.where('service == "dns"').count);
  assert.equal(flows.where("id.resp_p in {53 5353}").count, flows.where((r) => r["id.resp_p"] === 53 || r["id.resp_p"] === 5353).count);
  const q = dns.where('query contains "."');
  assert.equal(q.count, dns.where((r) => typeof r.query === "string" && r.query.includes(".")).count);
  // address prefixes and IPv6 text forms
  const inNet = flows.where("id.orig_h == 192.168.0.0/16").values("uid");
  assert.deepEqual(inNet, flows.where((r) => String(r["id.orig_h"]).startsWith("192.168.")).values("uid"));
  assert.ok(inNet.length > 0 && inNet.length < flows.count);
  assert.equal(flows.where("id.orig_h != 192.168.0.0/16").count, flows.count - inNet.length);
  const v6 = new ResultTable("v6", [col("a", "addr", ["2001:db8::1", "fe80::1", "10.0.0.1", "2001:0db8:0:0::0001"])], 4);
  assert.deepEqual(v6.where("a == 2001:db8::/32").values("a"), ["2001:db8::1", "2001:0db8:0:0::0001"]);
  assert.deepEqual(v6.where("a == 2001:db8:0::1").values("a"), ["2001:db8::1", "2001:0db8:0:0::0001"]);
  assert.deepEqual(v6.where("a == 10.0.0.0/8").values("a"), ["10.0.0.1"]);
  assert.throws(() => flows.where("orig_bites > 1"), /"orig_bites" is not a column of this table; columns: ts, uid/);
  // sortBy agrees with a JavaScript sort of the values
  const d = flows.sortBy("duration", { descending: true }).array("duration") as Float64Array;
  const want = [...(flows.array("duration") as Float64Array)].filter((x) => !Number.isNaN(x)).sort((a, b) => b - a);
  assert.deepEqual([...d].slice(0, want.length), want);
  // typed arrays straight from the columns
  assert.ok(flows.array("orig_bytes") instanceof Float64Array);
  assert.ok(flows.array("id.resp_p") instanceof Int32Array);
  assert.ok(Array.isArray(flows.array("uid")));
  // the flow-only methods stay
  assert.equal(flows.rowOf(flows.column("uid").get(0) as string), 0);
  assert.ok(flows.packetsOf(0).count > 0);
});
