/**
 * Temporary files and secrets (issue 18, item 7): capture.save() and the reputation cache wrote
 * `<target>.<pid>.tmp`-style names, which a local user can plant as a symlink to a victim file;
 * they now create a random name beside the target exclusively. An API key with characters a
 * header cannot carry is neither sent nor shown in an error.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as wb from "../../src/index";
import { VerdictCache, VirusTotalProvider } from "../../src/files/reputation";
import { DATA } from "../helpers/paths";

function plant(dir: string, names: string[]): string {
  const victim = path.join(dir, "victim.txt");
  fs.writeFileSync(victim, "precious");
  for (const n of names) fs.symlinkSync(victim, path.join(dir, n));
  return victim;
}

test("capture.save() does not follow a symlink planted at the temporary name", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-save-"));
  try {
    const target = path.join(dir, "out.pcap");
    const victim = plant(dir, [`out.pcap.wirebook-${process.pid}.tmp`, `out.pcap.${process.pid}.tmp`]);
    const cap = await wb.open(path.join(DATA, "office.pcap"));
    const tcp = cap.filter("tcp");
    const r = await tcp.save(target);
    assert.equal(fs.readFileSync(victim, "utf8"), "precious", "the victim was overwritten through the symlink");
    assert.equal(r.packets, tcp.count);
    assert.equal((await wb.open(target)).count, tcp.count);
    const left = fs.readdirSync(dir).filter((f) => f.endsWith(".tmp") && !fs.lstatSync(path.join(dir, f)).isSymbolicLink());
    assert.deepEqual(left, [], "no temporary file is left behind");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the reputation cache does not follow a symlink planted at the temporary name", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-cache-"));
  try {
    const file = path.join(dir, "virustotal.json");
    const victim = plant(dir, [`virustotal.json.${process.pid}.tmp`]);
    const cache = new VerdictCache(file);
    cache.set("a".repeat(64), { status: "not_found", fetched: 1 });
    cache.save();
    assert.equal(cache.warning, undefined);
    assert.equal(fs.readFileSync(victim, "utf8"), "precious", "the victim was overwritten through the symlink");
    assert.ok(JSON.parse(fs.readFileSync(file, "utf8")).entries["a".repeat(64)]);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("an API key with bad header characters is not sent and not shown", async () => {
  const key = "secret-part\r\nX-Injected: 1";
  const vt = new VirusTotalProvider({ apiKey: key, baseUrl: "http://127.0.0.1:9", cacheDir: null });
  const out = await vt.lookup(["b".repeat(64)]);
  const v = out.get("b".repeat(64));
  assert.equal(v?.status, "error");
  assert.match(v?.error ?? "", /cannot carry/);
  assert.ok(!(v?.error ?? "").includes("secret-part"), v?.error);
  assert.equal(vt.requests, 0);
});
