/**
 * toDataFrame() on an empty table (issue 18, item 7): danfo throws on columns of length 0, so
 * every table went through it and threw; now each gives a 0-row frame with its columns.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as wb from "../../src/index";
import { StatTable } from "../../src/stats/table";
import { DATA } from "../helpers/paths";

test("an empty packets/flows/alerts/http/stat table is an empty DataFrame with its columns", { timeout: 120_000 }, async () => {
  const cap = await wb.open(path.join(DATA, "office.pcap"));
  const none = cap.filter("frame.number == 0");
  assert.equal(none.count, 0);
  const flows = none.flows();
  const alerts = await none.alerts();
  const http = await none.http();
  const frames: [string, import("danfojs-node").DataFrame, number][] = [
    ["packets", await none.packets(), none.defaultColumns().length],
    ["flows", flows.toDataFrame(), flows.columns.length],
    ["alerts", alerts.toDataFrame(), alerts.columns.length],
    ["http", http.toDataFrame(), http.columns.length],
    ["stat", new StatTable(["interval_start", "frames"], []).toDataFrame(), 2],
  ];
  for (const [what, df, columns] of frames) {
    assert.deepEqual(df.shape, [0, columns], what);
    assert.ok(columns > 0, what);
  }
  // a full one still has its rows
  assert.equal(cap.flows().toDataFrame().shape[0], cap.flows().count);
});
