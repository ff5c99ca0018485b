import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { open } from "../../src";
import { DATA } from "../helpers/paths";

test("service names the application protocols of each flow, in Zeek's words", async () => {
  const cap = await open(path.join(DATA, "office.pcap"));
  const ft = cap.flows();
  const byPort = new Map<string, Set<string>>();
  for (const r of ft.rows(["proto", "id.resp_p", "service"])) {
    const k = `${r.proto}/${r["id.resp_p"]}`;
    const set = byPort.get(k) ?? new Set<string>();
    set.add(String(r.service ?? "-"));
    byPort.set(k, set);
  }
  assert.deepEqual([...byPort.get("tcp/443")!], ["ssl"]);
  assert.deepEqual([...byPort.get("tcp/80")!], ["http"]);
  assert.deepEqual([...byPort.get("udp/53")!], ["dns"]);
  assert.deepEqual([...byPort.get("udp/67")!], ["dhcp"]);
  assert.deepEqual([...byPort.get("udp/123")!], ["ntp"]);
  for (const [k, v] of byPort) if (k.startsWith("icmp/")) assert.deepEqual([...v], ["-"], k);
  // a view's flows name services from the view's own packets
  const v = cap.filter("dns");
  const vf = v.flows();
  assert.ok(vf.count > 0);
  for (let r = 0; r < vf.count; r++) assert.equal(vf.column("service").get(r), "dns");
});
