#!/usr/bin/env node
// Jupyter starts this with the connection file: node kernel/launcher.js {connection_file}
// The kernel itself is src/notebook/kernel.ts (compiled to dist/ by `npm run build`).
"use strict";
const path = require("path");
const connectionFile = process.argv[2];
if (!connectionFile) {
  process.stderr.write("usage: launcher.js CONNECTION_FILE\n");
  process.exit(2);
}
let kernel;
try {
  kernel = require(path.join(__dirname, "..", "dist", "src", "notebook", "kernel.js"));
} catch (e) {
  process.stderr.write(`wirebook kernel: cannot load dist/src/notebook/kernel.js (run npm run build): ${e && e.message}\n`);
  process.exit(1);
}
kernel
  .startKernel({ connectionFile, timing: process.env.WIREBOOK_KERNEL_TIMING === "1" })
  .catch((e) => {
    process.stderr.write(`wirebook kernel: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
