/**
 * The kernel against a local user without the key (issue 18, items 1 and 2): a message with a bad
 * signature must not run, nor make the kernel reveal the signature it expected on any channel a
 * keyless subscriber reads (IOPub), nor in its log; a notebook folder's node_modules must not run
 * code when the kernel starts.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { missingBuild } from "./jupyter";
import { WireKernel, sleep } from "./wire";

const skip = missingBuild() ?? false;

test("a bad signature runs nothing and the expected signature appears nowhere (IOPub, kernel log)", { skip, timeout: 180_000 }, async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "wb-nbdir-"));
  const marker = path.join(cwd, "PWNED");
  const k = new WireKernel();
  try {
    await k.start(cwd);
    // The first cell: tslab (and our handler) then route process.stderr to IOPub.
    const first = await k.execute("1 + 1");
    assert.equal(first.content.status, "ok");
    const evil = `require("fs").writeFileSync(${JSON.stringify(marker)}, "ran")`;
    const correct: string[] = [];
    const forge = async (signature: string) => {
      const m = k.build("execute_request", { code: evil, silent: false, store_history: true, user_expressions: {}, allow_stdin: false }, signature);
      correct.push(m.correct);
      await k.send(m.frames);
    };
    // Between cells, with a wrong and with an empty signature.
    await forge("0".repeat(64));
    await forge("");
    await sleep(1_000);
    // During a cell's execution (stderr belongs to the running cell then).
    const running = k.execute("await new Promise((r) => setTimeout(r, 1500)); 'slept'");
    await sleep(500);
    await forge("f".repeat(64));
    const slept = await running;
    assert.equal(slept.content.status, "ok");
    // Frames that are not a message at all.
    await k.send(["no delimiter"]);
    await k.send(["<IDS|MSG>", "x", "{not json", "{}", "{}", "{}"]);
    await sleep(500);
    // The kernel still works, and the forged code never ran.
    const after = await k.execute("'alive'");
    assert.equal(after.content.status, "ok");
    assert.ok(!fs.existsSync(marker), "the code of a message with a bad signature ran");
    const everything = k.iopub.flatMap((m) => m.frames).join("\n") + k.stderr + k.stdout;
    for (const sig of correct) assert.ok(!everything.includes(sig), `the expected signature ${sig} was revealed`);
    const iopubText = k.iopub.flatMap((m) => m.frames.slice(m.frames.indexOf("<IDS|MSG>") + 2)).join("\n");
    assert.doesNotMatch(iopubText, /hmac|signature/i, "the kernel's own diagnostics reached IOPub");
    // The kernel says once, in its own log, that it dropped messages (without any signature).
    assert.match(k.stderr, /dropped a message with a bad signature/);
  } finally {
    await k.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("the kernel's own stderr never reaches IOPub outside a cell's execution", { skip, timeout: 180_000 }, async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "wb-nbdir-"));
  const k = new WireKernel();
  try {
    await k.start(cwd);
    // A cell that writes to stderr while it runs: that output is the cell's.
    const cell = await k.execute("process.stderr.write('in-cell\\n'); 1");
    assert.deepEqual(k.outputsOf(cell.parent_header.msg_id!).filter((m) => m.header.msg_type === "stream").map((m) => m.content), [{ name: "stderr", text: "in-cell\n" }]);
    // After the cell, the process's stderr (here: a timer the cell left) is the kernel's log again.
    await k.execute("setTimeout(() => process.stderr.write('after-cell\\n'), 300); 2");
    await sleep(1_000);
    await k.execute("3");
    const streams = k.iopub.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text);
    assert.ok(!streams.some((t) => t.includes("after-cell")), `stderr written after the cell reached IOPub: ${JSON.stringify(streams)}`);
    assert.match(k.stderr, /after-cell/, "it goes to the kernel's own stderr");
  } finally {
    await k.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("a notebook folder with node_modules/wirebook (and danfojs-node) runs none of their code", { skip, timeout: 180_000 }, async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "wb-nbdir-"));
  const marker = path.join(cwd, "PLANTED-RAN");
  for (const name of ["wirebook", "danfojs-node"]) {
    const dir = path.join(cwd, "node_modules", name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "9.9.9", main: "index.js", types: "index.d.ts" }));
    fs.writeFileSync(path.join(dir, "index.js"), `require("fs").appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(name + "\n")}); exports.open = () => "planted";`);
    fs.writeFileSync(path.join(dir, "index.d.ts"), "export declare function open(): string;\n");
    for (const sub of ["dist/src/plot", "dist/src/notebook"]) {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
      for (const f of ["index.js", "prelude.js"]) fs.writeFileSync(path.join(dir, sub, f), `require("fs").appendFileSync(${JSON.stringify(marker)}, "${name}/${sub}/${f}\\n");`);
    }
  }
  const k = new WireKernel();
  try {
    await k.start(cwd);
    const r = await k.execute("[typeof wb.open, typeof wb.plot.figure, typeof display, new dfd.DataFrame({ a: [1, 2] }).shape.join('x')]");
    assert.ok(!fs.existsSync(marker), `planted code ran: ${fs.existsSync(marker) ? fs.readFileSync(marker, "utf8") : ""}`);
    assert.equal(r.content.status, "ok", JSON.stringify(k.outputsOf(r.parent_header.msg_id!).map((m) => m.content)));
    const result = k.outputsOf(r.parent_header.msg_id!).find((m) => m.header.msg_type === "execute_result");
    assert.equal(result?.content.data["text/plain"], "[ 'function', 'function', 'function', '2x1' ]");
    // A cell's own `import` of the names means the kernel's packages too.
    const own = await k.execute(`import * as lib from "wirebook"; import * as d from "danfojs-node"; [lib.open === wb.open || typeof lib.open, typeof d.DataFrame]`);
    assert.ok(!fs.existsSync(marker), `planted code ran: ${fs.existsSync(marker) ? fs.readFileSync(marker, "utf8") : ""}`);
    assert.equal(k.outputsOf(own.parent_header.msg_id!).find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"], "[ 'function', 'function' ]");
  } finally {
    await k.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
