/**
 * An application protocol is one spec: for every entry of APPS there is a Capture method, a CLI
 * command printing the same rows, an export, and a line in docs/apps.md's table (made from APPS).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import * as wb from "../../../src/index";
import { APPS, appsMarkdown } from "../../../src/flows/apps";
import { CLI, DATA, ROOT } from "../../helpers/paths";

test("every application spec has its Capture method, CLI command and docs line", async () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "apps.md"), "utf8");
  assert.ok(doc.includes(appsMarkdown()), `docs/apps.md must hold the table made from APPS:\n${appsMarkdown()}`);
  const cap = await wb.open(path.join(DATA, "office.pcap"));
  for (const spec of APPS) {
    const method = (cap as unknown as Record<string, (() => Promise<wb.AppTable>) | undefined>)[spec.name];
    assert.equal(typeof method, "function", `capture.${spec.name}()`);
    const t = await method!.call(cap);
    assert.deepEqual(t.columns.slice(0, 2), ["ts", "uid"], spec.name);
    for (const c of spec.columns) assert.ok(t.columns.includes(c.name), `${spec.name}: column ${c.name}`);
    const out = execFileSync(CLI, [spec.name, path.join(DATA, "office.pcap"), "--format", "json"], { encoding: "utf8" });
    const lines = out.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, t.count, `wirebook ${spec.name} prints the table's rows`);
    if (t.count > 0) assert.equal(JSON.parse(lines[0]).uid, t.column("uid").get(0));
  }
});
