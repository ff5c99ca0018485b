/**
 * `frame.time` in DataFrames: the packet's time as ISO 8601 text in a time zone (UTC by default),
 * checked against tshark's own frame.time text printed with TZ set (the oracle: the wall-clock
 * date and time to the nanosecond), and read by danfo's `.dt` as a datetime.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { open } from "../../src/table/load";
import { DATA, hasTool } from "../helpers/paths";

const OFFICE = path.join(DATA, "office.pcap");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** tshark's frame.time ("Jun 10, 2024 02:13:20.187100000 EDT") as "2024-06-10T02:13:20.187100000" */
function tsharkWallClock(tz: string): string[] {
  const r = spawnSync("tshark", ["-r", OFFICE, "-T", "fields", "-e", "frame.time"], { encoding: "utf8", env: { ...process.env, TZ: tz }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split("\n").map((l) => {
    const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d:\d\d:\d\d\.\d{9})/.exec(l);
    assert.ok(m, l);
    return `${m[3]}-${String(MONTHS.indexOf(m[1]) + 1).padStart(2, "0")}-${m[2].padStart(2, "0")}T${m[4]}`;
  });
}

test("packets(): frame.time is tshark's time in UTC and in another zone, with the zone's offset", { skip: hasTool("tshark") ? false : "tshark is not installed" }, async () => {
  const cap = await open(OFFICE);
  const utc = await cap.packets(["frame.number", "frame.time"]);
  const values = utc["frame.time"].values as string[];
  assert.deepEqual(values.map((v) => v.replace(/Z$/, "")), tsharkWallClock("UTC"));
  assert.ok(values.every((v) => v.endsWith("Z")));
  const ny = await cap.packets(["frame.time"], { timeZone: "America/New_York" });
  const nyValues = ny["frame.time"].values as string[];
  assert.deepEqual(nyValues.map((v) => v.slice(0, 29)), tsharkWallClock("America/New_York"));
  assert.ok(nyValues.every((v) => v.endsWith("-04:00")), "June: EDT");
  // the same instants
  assert.deepEqual(nyValues.map((v) => Date.parse(v)), values.map((v) => Date.parse(v)));
  // a datetime for danfo: .dt works on it
  const hours = utc["frame.time"].dt.hours().values as number[];
  assert.deepEqual(hours, values.map((v) => Number(v.slice(11, 13))));
  // it leads the default columns
  assert.equal((await cap.head(3).packets()).columns[0], "frame.time");
  await assert.rejects(cap.packets(["frame.time"], { timeZone: "Mars/Olympus" }), RangeError);
});
