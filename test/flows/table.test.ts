/** FlowTable API on committed data: columns, rows, packetsOf, deterministic uids, views, danfo. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DATA } from "../helpers/paths";
import { open } from "../../src/table/load";
import { FLOW_FIELDS } from "../../src/flows";

test("flows(): every packet of a flow is in packetsOf(uid), uids are deterministic, views work", async () => {
  const cap = await open(path.join(DATA, "office.pcap"));
  const ft = cap.flows();
  assert.ok(ft.count > 0);
  const again = (await open(path.join(DATA, "office.pcap"), { columns: FLOW_FIELDS })).flows();
  assert.deepEqual(again.rows(["uid", "history", "orig_pkts"]), ft.rows(["uid", "history", "orig_pkts"]), "same uids and values with only FLOW_FIELDS loaded");
  let total = 0;
  for (let r = 0; r < ft.count; r++) {
    const uid = ft.column("uid").get(r) as string;
    const pk = ft.packetsOf(uid);
    const o = ft.column("orig_pkts").get(r) as number, p = ft.column("resp_pkts").get(r) as number;
    assert.equal(pk.count, ft.column("bidirectional_packets").get(r));
    if (ft.column("proto").get(r) !== "udp" || true) assert.ok(pk.count >= o + p - 0, `${uid}: ${pk.count} packets for ${o}+${p}`);
    total += pk.count;
  }
  assert.ok(total <= cap.count);
  // a view: the flows of the first 100 packets
  const head = cap.head(100).flows();
  assert.ok(head.count > 0 && head.count <= ft.count);
  assert.throws(() => ft.column("nope"), /unknown flow column/);
});

test("flows(): toDataFrame has the conn.log columns", async () => {
  const ft = (await open(path.join(DATA, "office.pcap"), { limit: 500 })).flows();
  const df = ft.toDataFrame(["uid", "id.orig_h", "conn_state", "duration"]);
  assert.deepEqual(df.columns, ["uid", "id.orig_h", "conn_state", "duration"]);
  assert.equal(df.shape[0], ft.count);
});
