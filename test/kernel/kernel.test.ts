/**
 * The Wirebook kernel in Debian's Jupyter: kernelspec install/uninstall, the prelude, and the
 * tslab traps it fixes. Skipped (with the reason) where /usr/bin/python3 has no jupyter_client.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT, DATA } from "../helpers/paths";
import { installKernel, jupyterEnv, missingBuild, missingJupyter, PYTHON, runCells, CellRun } from "./jupyter";
import { kernelCommand, kernelSpec, targetDir } from "../../src/cli/kernel";
import { expandShorthand } from "../../src/notebook/kernel";

test("kernelspec: argv runs this checkout's launcher with this node; display name and language", () => {
  const spec = kernelSpec("/opt/wb", "/usr/bin/node");
  assert.deepEqual(spec.argv, ["/usr/bin/node", "/opt/wb/kernel/launcher.js", "{connection_file}"]);
  assert.equal(spec.display_name, "Wirebook (TypeScript)");
  assert.equal(spec.language, "typescript");
});

test("kernel install targets: --prefix, --user, bad usage", async () => {
  assert.equal(targetDir(["--prefix", "/x"]).kernelsDir, "/x/share/jupyter/kernels");
  assert.equal(targetDir(["--prefix=/y"]).kernelsDir, "/y/share/jupyter/kernels");
  const saved = process.env.JUPYTER_DATA_DIR;
  process.env.JUPYTER_DATA_DIR = "/tmp/jdata";
  try {
    assert.equal(targetDir(["--user"]).kernelsDir, "/tmp/jdata/kernels");
  } finally {
    if (saved === undefined) delete process.env.JUPYTER_DATA_DIR;
    else process.env.JUPYTER_DATA_DIR = saved;
  }
  assert.throws(() => targetDir(["--user", "--prefix", "/x"]), /at most one/);
  const err = process.stderr.write;
  process.stderr.write = () => true;
  try {
    assert.equal(await kernelCommand(["install", "--bogus"]), 2);
    assert.equal(await kernelCommand(["frobnicate"]), 2);
  } finally {
    process.stderr.write = err;
  }
});

test("kernel install --prefix writes kernel.json and logos; uninstall removes them", { skip: missingBuild() ?? false }, async () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "wb-kspec-"));
  const out = process.stdout.write;
  process.stdout.write = () => true;
  try {
    assert.equal(await kernelCommand(["install", "--prefix", prefix]), 0);
    const dir = path.join(prefix, "share", "jupyter", "kernels", "wirebook");
    const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8"));
    assert.equal(spec.argv[1], path.join(ROOT, "kernel", "launcher.js"));
    assert.ok(fs.existsSync(spec.argv[0]) && fs.existsSync(spec.argv[1]));
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      const png = fs.readFileSync(path.join(dir, logo));
      assert.equal(png.subarray(1, 4).toString(), "PNG");
      const size = Number(logo.match(/(\d+)x/)![1]);
      assert.equal(png.readUInt32BE(16), size);
    }
    if (!missingJupyter()) {
      const r = spawnSync(PYTHON, ["-c", "import jupyter_client.kernelspec as k, json; print(json.dumps(k.KernelSpecManager().find_kernel_specs()))"], {
        env: jupyterEnv(path.join(prefix, "share", "jupyter")),
        encoding: "utf8",
      });
      assert.equal(JSON.parse(r.stdout).wirebook, dir, "Jupyter finds it with JUPYTER_PATH");
    }
    assert.equal(await kernelCommand(["uninstall", "--prefix", prefix]), 0);
    assert.ok(!fs.existsSync(dir));
  } finally {
    process.stdout.write = out;
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});

test("expandShorthand rewrites { a } to { a: a } and nothing else", () => {
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [path.dirname(require.resolve("tslab/package.json"))] }));
  assert.equal(expandShorthand(ts, "const o = { data, b: 1 };"), "const o = { data: data, b: 1 };");
  assert.equal(expandShorthand(ts, "f({ x })"), "f({ x: x })");
  assert.equal(expandShorthand(ts, "const { a } = o;"), "const { a } = o;", "destructuring declarations are not shorthand assignments");
  assert.equal(expandShorthand(ts, "const s = '{ a }';"), "const s = '{ a }';");
  assert.equal(expandShorthand(ts, "x = 1"), "x = 1");
});

function outputs(run: CellRun, type: string): any[] {
  return run.messages.filter((m) => m.msg_type === type).map((m) => m.content);
}

test("the kernel: prelude, execute_input/execute_result, rich results, real errors, stop_on_error, { data }", { skip: missingBuild() ?? missingJupyter() ?? false, timeout: 120_000 }, () => {
  const { prefix, jupyterPath } = installKernel();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "wb-nbdir-")); // a folder with no node_modules
  try {
    const cells = [
      /* 0 */ { code: "1 + 1" },
      /* 1 */ { code: "[typeof wb.open, typeof wb.plot.figure, typeof display, typeof dfd]" },
      /* 2 */ { code: "Object.keys(require.cache).some((k) => k.includes('danfojs-node'))" },
      /* 3 */ { code: "const data = [1, 2, 3];" },
      /* 4 */ { code: "const o = { data }; o.data.length" },
      /* 5 */ { code: "const x: number = 'text';", stop_on_error: false },
      /* 6 */ { code: "throw new RangeError('boom <b>');", stop_on_error: false },
      /* 7 */ { code: "const df = new dfd.DataFrame({ a: [1, 2, 3], b: ['x', '<y>', 'z'] }); df" },
      /* 8 */ { code: "const g = df.groupby(['b']).count(); g.shape" },
      /* 9 */ { code: "display(wb.plot.figure({ data: [{ type: 'bar', x: ['a'], y: [1] }] }))" },
      /* 10 */ { code: "console.log('out'); 'last'" },
      /* 11 */ { code: "const __hidden = 1;", stop_on_error: false },
    ];
    const run = runCells(jupyterPath, cwd, cells);
    const c = run.cells;
    // every cell numbered (execute_input), in order
    const counts = c.map((cell) => outputs(cell, "execute_input")[0]?.execution_count);
    assert.deepEqual(counts, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(outputs(c[0], "execute_result")[0].data, { "text/plain": "2" });
    assert.equal(outputs(c[0], "execute_result")[0].execution_count, 1);
    assert.equal(outputs(c[1], "execute_result")[0].data["text/plain"], "[ 'function', 'function', 'function', 'object' ]");
    assert.equal(outputs(c[2], "execute_result")[0].data["text/plain"], "false", "danfo is not loaded until used");
    assert.equal(c[4].reply.status, "ok", "{ data } naming an earlier cell's variable works");
    assert.equal(outputs(c[4], "execute_result")[0].data["text/plain"], "3");
    // a type error is an error output with its text
    assert.equal(c[5].reply.status, "error");
    const typeError = outputs(c[5], "error")[0];
    assert.equal(typeError.ename, "TypeScriptError");
    assert.match(typeError.evalue, /not assignable to type 'number'/);
    // stop_on_error: false → the next cell still ran
    assert.equal(c[6].reply.status, "error");
    const thrown = outputs(c[6], "error")[0];
    assert.equal(thrown.ename, "RangeError");
    assert.equal(thrown.evalue, "boom <b>");
    // a DataFrame as the last expression is a rich execute_result
    assert.equal(c[7].reply.status, "ok");
    const frame = outputs(c[7], "execute_result")[0].data;
    assert.match(frame["text/html"], /DataFrame: 3 rows × 2 columns/);
    assert.ok(frame["text/html"].includes("&lt;y&gt;"));
    assert.equal(c[8].reply.status, "ok", "danfo types from outside the notebook's folder can be named");
    assert.equal(outputs(c[8], "execute_result")[0].data["text/plain"], "[ 3, 2 ]");
    const fig = outputs(c[9], "display_data")[0].data;
    assert.equal(typeof fig["application/vnd.plotly.v1+json"], "object");
    assert.ok(fig["text/html"].length > 1_000_000, "the session's first figure carries plotly.js");
    assert.equal(outputs(c[9], "execute_result").length, 0, "display() returns nothing to show");
    assert.deepEqual(outputs(c[10], "stream"), [{ name: "stdout", text: "out\n" }]);
    assert.equal(outputs(c[10], "execute_result")[0].data["text/plain"], "'last'");
    assert.match(outputs(c[11], "error")[0].traceback.join("\n"), /two underscores/);
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("the kernel aborts the cells queued behind an error when stop_on_error is true", { skip: missingBuild() ?? missingJupyter() ?? false, timeout: 120_000 }, () => {
  const { prefix, jupyterPath } = installKernel();
  try {
    const run = runCells(jupyterPath, os.tmpdir(), [{ code: "throw new Error('x')" }, { code: "1" }]);
    assert.equal(run.cells[0].reply.status, "error");
    // execute_interactive sends the next request after the reply: within tslab's 200 ms window it is aborted
    assert.equal(run.cells[1].reply.status, "abort");
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});

test("a load shows its progress in the cell (display_data, update_display_data, one display_id), then the result", { skip: missingBuild() ?? missingJupyter() ?? (fs.existsSync(path.join(DATA, "office.pcap")) ? false : "data/office.pcap is missing"), timeout: 120_000 }, () => {
  const { prefix, jupyterPath } = installKernel();
  try {
    const capture = path.join(DATA, "office.pcap");
    const run = runCells(jupyterPath, os.tmpdir(), [{ code: `const cap = await wb.open(${JSON.stringify(capture)}); cap` }], { WIREBOOK_PROGRESS_DELAY_MS: "0" });
    const cell = run.cells[0];
    assert.equal(cell.reply.status, "ok");
    const progress = cell.messages.filter((m) => m.msg_type === "display_data" || m.msg_type === "update_display_data");
    assert.ok(progress.length >= 2, `progress messages: ${progress.map((m) => m.msg_type)}`);
    assert.equal(progress[0].msg_type, "display_data");
    assert.ok(progress.slice(1).every((m) => m.msg_type === "update_display_data"));
    assert.equal(new Set(progress.map((m) => m.content.transient.display_id)).size, 1);
    assert.match(progress[progress.length - 1].content.data["text/plain"], /^office\.pcap: [\d,]+ packets/);
    const result = outputs(cell, "execute_result")[0].data;
    assert.match(result["text/html"], /wirebook-capture/);
    assert.match(result["text/plain"], /^Capture /);
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});
