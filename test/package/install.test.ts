/**
 * The package as a user gets it: `npm pack`, then `npm install ./wirebook-x.tgz` in an empty
 * project with no overrides (only the npm registry is reached). The library alone must install,
 * load with require and import, open a capture (counts checked against tshark), and a user's
 * TypeScript script must type-check with `tsc --noEmit --strict` and no skipLibCheck. The tarball
 * holds what users run and nothing else; the kernel's packages (tslab, zeromq) and danfo are not
 * installed for a library-only user. The documented danfo recipe (DANFO_RECIPE) is run too.
 * Skipped, with a message, when the registry is unreachable. Takes about a minute.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DATA, ROOT, hasTool } from "../helpers/paths";
import { DANFO_RECIPE } from "../../src/table/danfo";

const OFFICE = path.join(DATA, "office.pcap");
const NPM_ENV = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", env: NPM_ENV, timeout, maxBuffer: 64 << 20 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Is the npm registry reachable (npm ping, 20 s)? */
function registryReachable(): boolean {
  return sh("npm", ["ping"], os.tmpdir(), 20_000).status === 0;
}

function duBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

/** tshark's packet count of a file (the oracle), or undefined without tshark. */
function tsharkCount(file: string): number | undefined {
  if (!hasTool("tshark")) return undefined;
  const r = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.number"], { encoding: "utf8", maxBuffer: 64 << 20 });
  return r.status === 0 ? r.stdout.split("\n").filter((l) => l !== "").length : undefined;
}

const reachable = registryReachable();
const skip = reachable ? false : "the npm registry is unreachable (npm ping failed): the install test is skipped";

test("npm pack → npm install in an empty project: the library installs, loads, type-checks", { skip, timeout: 900_000 }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "wb-install-"));
  try {
    // the tarball: what users run, nothing else
    const packed = JSON.parse(ok(sh("npm", ["pack", "--json", "--pack-destination", work], ROOT), "npm pack")) as { filename: string; files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    const tgz = path.join(work, path.basename(packed[0].filename));
    assert.ok(files.includes("dist/src/index.js") && files.includes("dist/src/index.d.ts") && files.includes("bin/wirebook"), "the entry points are packed");
    assert.ok(files.includes("kernel/launcher.js"), "the kernel launcher is packed");
    const strays = files.filter((f) => /^(test|bench|data|notebooks|\.ci|src)\//.test(f) || /^dist\/(test|bench)\//.test(f) || /\.(html|map|ts)$/.test(f) && !f.endsWith(".d.ts") || /^dist\/src\/(fuzz|gen)\//.test(f));
    assert.deepEqual(strays, [], "no tests, benches, data, sources, maps or HTML in the tarball");

    // an empty project, no overrides
    const proj = path.join(work, "project");
    fs.mkdirSync(proj);
    fs.writeFileSync(path.join(proj, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }, null, 2));
    ok(sh("npm", ["install", tgz, "@types/node@20"], proj), "npm install of the tarball");
    const nm = path.join(proj, "node_modules");
    for (const absent of ["tslab", "zeromq", "danfojs-node", "@tensorflow", "xlsx"]) {
      assert.ok(!fs.existsSync(path.join(nm, absent)), `a library-only install holds no ${absent}`);
    }
    const size = duBytes(nm);
    process.stderr.write(`# library alone: node_modules ${(size / 1e6).toFixed(0)} MB\n`);

    // require and import, on a real capture; the count is tshark's
    const cjs = ok(sh(process.execPath, ["-e", `const wb = require("wirebook"); wb.open(${JSON.stringify(OFFICE)}).then((c) => console.log(c.count, c.flows().count))`], proj), "require");
    const esm = ok(sh(process.execPath, ["--input-type=module", "-e", `import * as wb from "wirebook"; const c = await wb.open(${JSON.stringify(OFFICE)}); console.log(c.count, typeof wb.open, typeof wb.flows)`], proj), "import");
    const [cjsCount] = cjs.trim().split(" ").map(Number);
    const [esmCount, openType, flowsType] = esm.trim().split(" ");
    const oracle = tsharkCount(OFFICE);
    if (oracle !== undefined) assert.equal(cjsCount, oracle, "require: tshark's packet count");
    assert.ok(cjsCount > 0);
    assert.equal(Number(esmCount), cjsCount, "import: the same capture");
    assert.deepEqual([openType, flowsType], ["function", "function"]);
    // the bin works from the install
    const summary = ok(sh(path.join(nm, ".bin", "wirebook"), ["summary", OFFICE], proj), "wirebook summary");
    assert.match(summary, new RegExp(`^Packets:\\s+${cjsCount}$`, "m"));

    // DataFrames without danfo: a clear error with the recipe
    const missing = sh(process.execPath, ["-e", `require("wirebook").open(${JSON.stringify(OFFICE)}).then((c) => c.packets()).catch((e) => { console.log(e.name); console.log(e.message); })`], proj);
    assert.match(missing.stdout, /^DanfoMissingError\n/);
    assert.ok(missing.stdout.includes(DANFO_RECIPE), "the error names the one-line recipe");

    // a user's script type-checks: tsc --noEmit --strict, no skipLibCheck
    const script = path.join(proj, "script.ts");
    fs.writeFileSync(script, [
      `import * as wb from "wirebook";`,
      `async function main(): Promise<void> {`,
      `  const cap: wb.Capture = await wb.open("capture.pcap");`,
      `  const n: number = cap.count;`,
      `  const flows: wb.FlowTable = cap.flows();`,
      `  const dns = await cap.dns();`,
      `  const v: wb.Value = cap.column("frame.len").get(0);`,
      `  console.log(n, flows.count, dns.count, v, wb.toTsv(flows).length);`,
      `}`,
      `void main();`,
      ``,
    ].join("\n"));
    const tsc = require.resolve("typescript/bin/tsc");
    ok(sh(process.execPath, [tsc, "--noEmit", "--strict", "--types", "node", "script.ts"], proj), "tsc --noEmit --strict");
    // and a type error in the script is found (the check is real)
    fs.writeFileSync(path.join(proj, "bad.ts"), `import * as wb from "wirebook";\nconst n: string = wb.open;\n`);
    const bad = sh(process.execPath, [tsc, "--noEmit", "--strict", "--types", "node", "bad.ts"], proj);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /bad\.ts\(2,7\)/);

    // the documented danfo recipe installs from the registry alone and gives DataFrames
    ok(sh("sh", ["-c", DANFO_RECIPE], proj), "the danfo recipe");
    const withDanfo = duBytes(nm);
    process.stderr.write(`# with the danfo recipe: node_modules ${(withDanfo / 1e6).toFixed(0)} MB\n`);
    const df = ok(sh(process.execPath, ["-e", `require("wirebook").open(${JSON.stringify(OFFICE)}).then(async (c) => { const df = await c.packets(["frame.number", "frame.len"]); console.log(df.shape.join(" "), df.constructor.name); })`], proj), "packets() with danfo");
    assert.equal(df.trim(), `${cjsCount} 2 DataFrame`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
