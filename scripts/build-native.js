#!/usr/bin/env node
/**
 * Builds native/livecap (Wirebook's libpcap binding for live capture) with node-gyp.
 * Run by `npm ci` / `npm install` (the postinstall script) and by scripts/setup.sh.
 *
 * Live capture is optional: when the build fails (no libpcap-dev, no compiler) this prints why and
 * exits 0, so the install goes on and everything else in Wirebook works; `wb.live()` then throws a
 * clear error. Nothing is done when the binding is newer than its sources (--force rebuilds).
 * Exit 1 only with --strict.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const dir = path.join(root, "native", "livecap");
const out = path.join(dir, "build", "Release", "livecap.node");
const args = process.argv.slice(2);
const force = args.includes("--force");
const strict = args.includes("--strict");

function mtime(f) {
  try { return fs.statSync(f).mtimeMs; } catch { return -1; }
}

function upToDate() {
  const built = mtime(out);
  if (built < 0) return false;
  return ["livecap.c", "binding.gyp"].every((f) => mtime(path.join(dir, f)) <= built);
}

/** node-gyp: npm's own copy (npm sets npm_config_node_gyp for lifecycle scripts), else beside node. */
function nodeGyp() {
  const c = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    path.join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  for (const f of c) if (f && fs.existsSync(f)) return f;
  try { return require.resolve("node-gyp/bin/node-gyp.js"); } catch { return null; }
}

/** Node's headers: npm's nodedir setting, else the installation's own include/node (no download). */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : null;
}

function fail(why, detail) {
  process.stderr.write(`wirebook: live capture is not built: ${why}\n`);
  if (detail) process.stderr.write(detail.split("\n").filter((l) => /error|Error|not found|No such/.test(l)).slice(0, 6).map((l) => `  ${l}\n`).join(""));
  process.stderr.write("wirebook: everything else works; for live capture install libpcap-dev (and a C compiler), then run node scripts/build-native.js\n");
  process.exit(strict ? 1 : 0);
}

if (!force && upToDate()) process.exit(0);
const gyp = nodeGyp();
if (gyp === null) fail("node-gyp was not found");
const gypArgs = [gyp, "rebuild", "--loglevel=error"];
const nd = nodeDir();
if (nd !== null) gypArgs.push(`--nodedir=${nd}`);
const r = spawnSync(process.execPath, gypArgs, { cwd: dir, encoding: "utf8", env: process.env, timeout: 300_000 });
if (r.status !== 0) {
  const text = `${r.stdout ?? ""}\n${r.stderr ?? ""}`;
  fail(/pcap\.h/.test(text) ? "pcap/pcap.h is missing (apt-get install libpcap-dev)" : `node-gyp exited with ${r.status ?? r.signal ?? r.error}`, text);
}
process.stderr.write(`wirebook: built ${path.relative(root, out)}\n`);
