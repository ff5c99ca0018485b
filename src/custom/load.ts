/**
 * Where user-defined protocols and detectors come from besides a notebook cell: files (a CommonJS
 * module exporting a spec or an array of specs: `module.exports = { name, over, fields }`, or
 * `exports.default`), named by `--protocol FILE.js` / `--detector FILE.js` on the CLI and by
 * `WIREBOOK_PROTOCOLS` (paths separated by ':'), which the CLI and the notebook kernel load at start.
 */
import * as path from "node:path";
import { DETECTORS } from "../detect";
import { defineDetector as define, type DetectorSpec } from "./detector";
import { SpecError } from "./errors";
import { defineProtocol, type ProtocolSpec } from "./protocol";

/** Defines a detector (refusing the built-in detectors' names). */
export function defineDetector(spec: DetectorSpec): string {
  return define(spec, DETECTORS);
}

function load(file: string, what: string): unknown[] {
  const abs = path.resolve(file);
  let mod: unknown;
  try {
    mod = require(abs);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "MODULE_NOT_FOUND" && String(err.message).includes(abs) ? "no such file" : String(err.message).split("\n")[0];
    throw new SpecError(`cannot load ${what} file ${file}: ${why}`);
  }
  const m = mod as { default?: unknown } | null;
  const v = m !== null && typeof m === "object" && "default" in m && m.default !== undefined ? m.default : mod;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => x === null || typeof x !== "object")) {
    throw new SpecError(`${what} file ${file} must export a spec object or an array of them`);
  }
  return list;
}

/** Defines the protocols a file exports; returns their names. */
export function loadProtocolFile(file: string): string[] {
  const specs = load(file, "protocol");
  return specs.map((s) => {
    try {
      return defineProtocol(s as ProtocolSpec).name;
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(`${file}: ${e.message}`);
      throw e;
    }
  });
}

/** Defines the detectors a file exports; returns their names. */
export function loadDetectorFile(file: string): string[] {
  const specs = load(file, "detector");
  return specs.map((s) => {
    try {
      return defineDetector(s as DetectorSpec);
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(`${file}: ${e.message}`);
      throw e;
    }
  });
}

/** The files of WIREBOOK_PROTOCOLS (paths separated by ':'), defined; returns the protocols' names. */
export function loadEnvProtocols(env: NodeJS.ProcessEnv = process.env): string[] {
  const v = env.WIREBOOK_PROTOCOLS;
  if (v === undefined || v === "") return [];
  return v.split(":").filter((f) => f !== "").flatMap(loadProtocolFile);
}

/**
 * The CLI's `--protocol FILE` (repeatable; also `--protocol=FILE`): loads WIREBOOK_PROTOCOLS and
 * those files, and returns the other arguments for the command.
 */
export function takeProtocolArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  loadEnvProtocols(env);
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--protocol") {
      const f = args[++i];
      if (f === undefined) throw new SpecError("--protocol needs a file (a module exporting a protocol spec)");
      loadProtocolFile(f);
    } else if (a.startsWith("--protocol=")) loadProtocolFile(a.slice("--protocol=".length));
    else rest.push(a);
  }
  return rest;
}
