/**
 * GeoIP and ASN: the ip.geoip.* / ipv6.geoip.* fields against tshark with the same MaxMind test
 * databases (../shared/geoip), the flows' columns, the environment variables and CLI options, and
 * the map chart rendering in headless Chromium with no network.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import * as wb from "../../src";
import { Frame, mac, ip4, ip6, PROTO_UDP, PROTO_TCP, TCP_SYN } from "../../src/gen/packet";
import { PcapWriter } from "../../src/io/writer";
import { GEOIP_FIELDS } from "../../src/enrich/geoip";
import { CLI, SHARED, NO_SHARED, hasTool } from "../helpers/paths";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;
const GEO = SHARED ? path.join(SHARED, "geoip") : undefined;
const skip = !GEO ? NO_SHARED : !hasTool("tshark") ? "tshark is not installed" : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wb-geoip-"));

// addresses the MaxMind test databases know (their source-data), plus some they don't
const V4 = ["81.2.69.160", "2.125.160.216", "89.160.20.112", "216.160.83.56", "1.128.0.1", "175.16.199.1", "67.43.156.1",
  "10.0.0.1", "1.0.0.1", "12.81.92.1", "214.78.120.1", "149.101.100.1", "202.196.224.1"];
const V6 = ["2001:218::1", "2001:480::1", "2a02:cf40::1", "2001:db8::1", "2001:230::1", "2c0f:ff00::1", "2a02:d300::1"];

function capture(file: string): string {
  const w = new PcapWriter({ path: file });
  const A = mac("02:00:00:00:00:01"), B = mac("02:00:00:00:00:02");
  let t = 1_700_000_000;
  const put = (f: Frame) => { const n = f.finish(); w.write(t++, 0, f.buf.subarray(0, n)); };
  for (let i = 0; i < V4.length; i++) for (const j of [1, 3]) put(new Frame().eth(B, A).ipv4(ip4(V4[i]), ip4(V4[(i + j) % V4.length]), PROTO_UDP, 64, i, false).udp(1000 + i, 53).ascii("q"));
  for (let i = 0; i < V6.length; i++) put(new Frame().eth(B, A).ipv6(ip6(V6[i]), ip6(V6[(i + 2) % V6.length]), PROTO_TCP, 64).tcp(2000 + i, 443, 1, 0, TCP_SYN, 1024));
  w.close();
  return file;
}

/** tshark reading the databases of `dbs` (a config folder whose maxmind_db_paths names a folder of links) */
function tsharkGeo(file: string, dbs: string[], fields: string[]): string[][] {
  const base = fs.mkdtempSync(path.join(tmp, "ts-"));
  fs.mkdirSync(path.join(base, "db"));
  for (const d of dbs) fs.symlinkSync(d, path.join(base, "db", path.basename(d)));
  fs.mkdirSync(path.join(base, "cfg", "wireshark"), { recursive: true });
  fs.writeFileSync(path.join(base, "cfg", "wireshark", "maxmind_db_paths"), `"${path.join(base, "db")}"\n`);
  const out = execFileSync("tshark", ["-r", file, "-T", "fields", ...fields.flatMap((f) => ["-e", f])],
    { encoding: "utf8", env: { ...process.env, XDG_CONFIG_HOME: path.join(base, "cfg") }, stdio: ["ignore", "pipe", "ignore"] });
  return out.split("\n").slice(0, -1).map((l) => l.split("\t"));
}

test("ip.geoip.* and ipv6.geoip.* equal tshark's with MaxMind's test databases", { skip }, async () => {
  const file = capture(path.join(tmp, "geo.pcap"));
  const names = GEOIP_FIELDS.map((f) => f.name);
  assert.equal(names.length, 28);
  for (const city of ["GeoLite2-City-Test.mmdb", "GeoIP2-City-Test.mmdb"]) {
    const dbs = [path.join(GEO as string, city), path.join(GEO as string, "GeoLite2-ASN-Test.mmdb")];
    const want = tsharkGeo(file, dbs, names);
    const c = await wb.open(file, { geoip: { city: dbs[0], asn: dbs[1] } });
    let values = 0;
    for (let i = 0; i < c.count; i++) names.forEach((n, k) => {
      const got = c.column(n).text(i);
      if (got !== "") values++;
      assert.equal(got, want[i][k] ?? "", `${city}: frame ${i + 1} ${n}`);
    });
    assert.ok(values > 100, `${values} values`);
    assert.ok(c.columns.includes("ip.geoip.src_country"));
    // a display filter on a GeoIP field
    assert.equal(c.filter("ip.geoip.src_asnum == 1221").count, 2);
    const gb = want.filter((r) => r[names.indexOf("ip.geoip.dst_country_iso")] === "GB").length;
    assert.ok(gb > 0);
    assert.equal(c.filter('ip.geoip.dst_country_iso == "GB"').count, gb);
  }
});

test("flows: orig_cc … resp_as_org are the GeoIP of their endpoints; the environment names the databases", { skip: GEO ? false : NO_SHARED }, async () => {
  const file = capture(path.join(tmp, "flows.pcap"));
  const city = path.join(GEO as string, "GeoLite2-City-Test.mmdb"), asn = path.join(GEO as string, "GeoLite2-ASN-Test.mmdb");
  const plain = await wb.open(file);
  assert.ok(!plain.flows().columns.includes("orig_cc"), "no databases: no GeoIP columns");
  assert.ok(!plain.columns.includes("ip.geoip.src_country"));
  process.env.WIREBOOK_GEOIP_CITY = city;
  process.env.WIREBOOK_GEOIP_ASN = asn;
  try {
    const c = await wb.open(file);
    const ft = c.flows();
    for (const n of ["orig_cc", "resp_cc", "orig_city", "resp_city", "orig_asn", "resp_asn", "orig_as_org", "resp_as_org"]) assert.ok(ft.columns.includes(n), n);
    let checked = 0;
    for (let r = 0; r < ft.count; r++) {
      const pk = ft.packetsOf(r);
      const v6 = String(ft.column("id.orig_h").get(r)).includes(":") ? "ipv6" : "ip";
      const fwd = pk.column(`${v6}.src`).text(0) === ft.column("id.orig_h").text(r);
      const [o, x] = fwd ? ["src", "dst"] : ["dst", "src"];
      const pair: [string, string][] = [["orig_cc", `${o}_country_iso`], ["resp_cc", `${x}_country_iso`], ["orig_city", `${o}_city`], ["resp_city", `${x}_city`],
        ["orig_asn", `${o}_asnum`], ["resp_asn", `${x}_asnum`], ["orig_as_org", `${o}_org`], ["resp_as_org", `${x}_org`]];
      for (const [fc, pf] of pair) {
        const p = pk.column(`${v6}.geoip.${pf}`).text(0);
        assert.equal(ft.column(fc).text(r), p === "" ? "-" : p, `flow ${r} ${fc}`);
        if (p !== "") checked++;
      }
    }
    assert.ok(checked > 40, `${checked} values`);
    // the CLI: --geoip-city / --geoip-asn on a command that reads captures
    const env = { ...process.env };
    delete env.WIREBOOK_GEOIP_CITY; delete env.WIREBOOK_GEOIP_ASN;
    const out = execFileSync(process.execPath, [CLI, "fields", file, "-e", "ip.src", "-e", "ip.geoip.src_country", "-e", "ip.geoip.src_asnum", "--geoip-city", city, "--geoip-asn", asn], { encoding: "utf8", env });
    assert.match(out, /^81\.2\.69\.160\tUnited Kingdom\t$/m);
    assert.match(out, /^1\.128\.0\.1\t\t1221$/m);
    assert.throws(() => execFileSync(process.execPath, [CLI, "summary", file, "--geoip-city", path.join(tmp, "none.mmdb")], { stdio: "pipe", env }), /no such file/);
  } finally {
    delete process.env.WIREBOOK_GEOIP_CITY;
    delete process.env.WIREBOOK_GEOIP_ASN;
  }
  await assert.rejects(wb.open(file, { geoip: { city: file } }), /not a MaxMind database/);
});

const noChromium = fs.existsSync("/usr/bin/chromium") ? false : "no /usr/bin/chromium";

test("the geo map renders in headless Chromium offline: markers drawn, no request leaves the page", { skip: GEO ? noChromium : NO_SHARED, timeout: 120_000 }, async () => {
  const file = capture(path.join(tmp, "map.pcap"));
  const c = await wb.open(file, { geoip: { city: path.join(GEO as string, "GeoLite2-City-Test.mmdb") } });
  const fig = wb.plot.geoMap(c);
  assert.equal(fig.data[0].type, "scattergeo");
  assert.ok((fig.data[0].lat as number[]).length >= 8);
  const { figureHtml } = await import("../../src/html/figure");
  const html = path.join(tmp, "map.html");
  fs.writeFileSync(html, `<!doctype html><html><body>${figureHtml(fig, { withPlotly: true })}</body></html>`);
  const { launch } = await import("../notebook/browser");
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ offline: true });
    const page = await ctx.newPage();
    const requests: string[] = [], errors: string[] = [];
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto("file://" + html);
    await page.waitForFunction(() => document.querySelectorAll(".geo .scattergeo path.point").length > 0, null, { timeout: 60_000 });
    const points = await page.evaluate(() => document.querySelectorAll(".geo .scattergeo path.point").length);
    assert.equal(points, (fig.data[0].lat as number[]).length);
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
