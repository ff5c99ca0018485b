/**
 * Every result table displays as a table in a notebook: a notebook whose cells end in each kind of
 * table (flows, dns, http, tls, dhcp, smtp (empty here), files, detector alerts, rule alerts, Suricata alerts, statistics,
 * imported logs, a view) and in `cap.summary()` is executed on the wirebook kernel (installed into
 * a temporary prefix, run by test/notebook/execute.py with nbclient); each cell's result must be
 * an escaped HTML table whose caption gives the table's row and column counts (computed here
 * from the same captures), head and tail for a long table, and text/plain.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { DATA, ROOT } from "../helpers/paths";
import { installKernel, jupyterEnv, missingBuild, missingNbconvert, PYTHON } from "../kernel/jupyter";
import { open } from "../../src/table/load";
import "../../src/filter";
import "../../src/flows";
import "../../src/flows/apps";
import "../../src/files";
import "../../src/detect";
import * as stats from "../../src/stats";
import { load } from "../../src/rules";
import { importEve, importZeek } from "../../src/import";
import type { ResultTable } from "../../src/result";

const FIX = path.join(ROOT, "test", "import", "fixtures");
const RULE = 'alert tcp any any -> any 21 (msg:"FTP USER <b>"; content:"USER "; sid:9000001;)';
const skip = missingBuild() ?? missingNbconvert();

test("every result table type displays as an HTML table with its counts in an executed notebook", { skip: skip ?? false, timeout: 240_000 }, async () => {
  const office = path.join(DATA, "office.pcap"), attacks = path.join(DATA, "attacks.pcap");
  const j = JSON.stringify;
  const setup = [
    `const cap = await wb.open(${j(office)});`,
    `const att = await wb.open(${j(attacks)});`,
    `const flows = cap.flows();`,
    `const eve = wb.importEve(${j(path.join(FIX, "eve.json"))}, att);`,
    `const hostile = new wb.ResultTable("hostile", [{ name: "<img src=x onerror=alert(1)>", type: "string", get: () => "<script>alert(1)</script>\\u001b[2J", text: () => "<script>alert(1)</script>\\u001b[2J" }], 1);`,
    `"ready"`,
  ].join("\n");
  // [cell code, the table it shows (computed here)]
  const cap = await open(office), att = await open(attacks);
  const flows = cap.flows();
  const eve = importEve(path.join(FIX, "eve.json"), att);
  const cells: [string, ResultTable | null][] = [
    ["flows", flows],
    ["await cap.dns()", await cap.dns()],
    ["await cap.http()", await cap.http()],
    ["await cap.tls()", await cap.tls()],
    ["await cap.dhcp()", await cap.dhcp()],
    ["await cap.smtp()", await cap.smtp()],
    ["await cap.files()", await cap.files()],
    ["await att.alerts()", await att.alerts()],
    [`await wb.rules.load(${j(RULE)}).match(att)`, await load(RULE).match(att)],
    ["eve.alerts()", eve.alerts()],
    ["eve", eve],
    [`wb.stats.conversations(cap, "tcp")`, stats.conversations(cap, "tcp")],
    [`wb.stats.hierarchy(cap)`, stats.hierarchy(cap)],
    [`wb.importZeek(${j(path.join(FIX, "dns.zeek.json"))}, cap)`, importZeek(path.join(FIX, "dns.zeek.json"), cap)],
    [`flows.where('proto == "udp"').select(["uid", "id.resp_p", "service"]).sortBy("uid")`, flows.where('proto == "udp"').select(["uid", "id.resp_p", "service"])],
    ["hostile", null],
    ["cap.summary()", null],
  ];
  const nb = {
    cells: [setup, ...cells.map(([c]) => c)].map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: "wirebook", display_name: "Wirebook (TypeScript)", language: "typescript" } },
    nbformat: 4, nbformat_minor: 5,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-result-nb-"));
  const file = path.join(dir, "tables.ipynb");
  fs.writeFileSync(file, JSON.stringify(nb));
  const { jupyterPath } = installKernel();
  const reportFile = path.join(dir, "report.json");
  const r = spawnSync(PYTHON, [path.join(ROOT, "test", "notebook", "execute.py"), dir, reportFile, file], { env: jupyterEnv(jupyterPath), encoding: "utf8", timeout: 200_000 });
  assert.equal(r.status, 0, `execute.py failed: ${r.stderr}`);
  const [rep] = JSON.parse(fs.readFileSync(reportFile, "utf8")) as { error: string | null; errors: unknown[]; ipynb: string }[];
  assert.equal(rep.error, null, rep.error ?? "");
  assert.deepEqual(rep.errors, []);
  const done = JSON.parse(fs.readFileSync(rep.ipynb, "utf8")) as { cells: { outputs: { output_type: string; data?: Record<string, string | string[]> }[] }[] };
  const result = (i: number) => {
    const o = done.cells[i].outputs.find((x) => x.output_type === "execute_result");
    assert.ok(o?.data, `cell ${i} (${cells[i - 1]?.[0]}) has a result`);
    const s = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : v ?? "");
    return { html: s(o.data["text/html"]), text: s(o.data["text/plain"]) };
  };
  cells.forEach(([code, t], k) => {
    const { html, text } = result(k + 1);
    if (t === null) return;
    const caption = `${t.name} table: ${t.count.toLocaleString("en-US")} row${t.count === 1 ? "" : "s"} × ${t.columns.length} column${t.columns.length === 1 ? "" : "s"}`;
    assert.match(html, /<table class="wirebook-table">/, `${code}: an HTML table`);
    assert.ok(html.includes(caption), `${code}: "${caption}" in the caption`);
    assert.ok(text.includes(caption), `${code}: the counts in text/plain`);
    const bodyRows = (html.match(/<tr>/g) ?? []).length - 1; // minus the header row
    assert.equal(bodyRows, t.count > 15 ? 15 : t.count, `${code}: head and tail (10 + 5) of a long table`);
    if (t.count > 15) assert.match(html, /<tr class="gap">/, `${code}: the gap between head and tail`);
    for (const c of t.columns.slice(0, 3)) assert.ok(html.includes(`<th>${c.replace(/&/g, "&amp;").replace(/</g, "&lt;")}<br>`), `${code}: column ${c}`);
  });
  const hostile = result(cells.findIndex(([c]) => c === "hostile") + 1);
  assert.ok(!hostile.html.includes("<script>alert") && !hostile.html.includes("<img src=x"), "values and column names escaped");
  assert.ok(hostile.html.includes("&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J"), "control characters shown, not sent");
  assert.ok(!hostile.text.includes("\u001b"), "no raw ESC in text/plain either");
  const card = result(cells.length);
  assert.match(card.html, /class="wirebook-capture"/, "cap.summary() displays as the capture card");
  assert.ok(card.html.includes("2,500") && card.text.includes("packets: 2,500"));
  fs.rmSync(dir, { recursive: true, force: true });
});
