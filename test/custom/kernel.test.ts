/**
 * The notebook kernel loads WIREBOOK_PROTOCOLS at start (src/notebook/prelude.ts): the protocols'
 * fields are there in the first cell; a bad file is one line on stderr and the kernel still works.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import { installKernel, missingBuild, missingJupyter, runCells, type CellRun } from "../kernel/jupyter";
import { tmpFile } from "../helpers/bytes";

const result = (c: CellRun): string => c.messages.find((m) => m.msg_type === "execute_result")?.content.data["text/plain"] ?? "";

test("the kernel loads WIREBOOK_PROTOCOLS at start", { skip: missingBuild() ?? missingJupyter() ?? false, timeout: 120_000 }, () => {
  const { prefix, jupyterPath } = installKernel();
  const spec = tmpFile("kproto.js", Buffer.from(`module.exports = [{ name: "wbkern", over: { "udp.port": 7010 },
    fields: [{ name: "wbkern.a", type: "uint8", base: "hex" }, { name: "wbkern.b", type: "string" }] }];\n`));
  const bad = tmpFile("kbad.js", Buffer.from(`module.exports = { name: "wbkbad", over: {}, fields: [{ name: "wbkbad.a", type: "nope" }] };\n`));
  try {
    const good = runCells(jupyterPath, os.tmpdir(), [{ code: `[wb.fieldByName("wbkern.a")?.display, wb.definedProtocols().includes("wbkern")]` }], { WIREBOOK_PROTOCOLS: spec });
    assert.equal(good.cells[0].reply.status, "ok");
    assert.equal(result(good.cells[0]), "[ 'hex', true ]");
    const broken = runCells(jupyterPath, os.tmpdir(), [{ code: "1 + 1" }], { WIREBOOK_PROTOCOLS: `${bad}` });
    assert.equal(broken.cells[0].reply.status, "ok");
    assert.equal(result(broken.cells[0]), "2");
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
});
