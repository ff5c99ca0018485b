/**
 * The danfo adapter: the one place Wirebook loads danfojs-node (lazily, on first use).
 *
 * danfojs-node is an optional peer dependency: a project that wants DataFrames installs it beside
 * Wirebook (docs/install.md gives the one line). Without it every other part of Wirebook works, and
 * the calls that make a DataFrame throw DanfoMissingError with that line.
 */
import type { Capture } from "./capture";

// The types are danfo's when danfojs-node is installed, `any` when it is not, so a project without
// danfo still type-checks against Wirebook's declarations (without skipLibCheck). The directive is
// in a doc comment since declaration files keep those.
/** danfo's DataFrame (danfojs-node is an optional peer dependency).
 * @ts-ignore */
export type DataFrame = import("danfojs-node").DataFrame;
/** The danfojs-node module (an optional peer dependency).
 * @ts-ignore */
export type Danfo = typeof import("danfojs-node");

/** The version Wirebook is tested with, and the one line that installs it from the npm registry alone. */
export const DANFO_VERSION = "1.2.0";
export const DANFO_RECIPE =
  `npm pkg set overrides.xlsx=0.18.5 "overrides.@tensorflow/tfjs-node=npm:@tensorflow/tfjs@3.21.0" && npm install danfojs-node@${DANFO_VERSION}`;

/** danfojs-node is not installed in the project. */
export class DanfoMissingError extends Error {
  constructor(cause?: unknown) {
    super(`DataFrames need danfojs-node, which is not installed; in your project run:\n  ${DANFO_RECIPE}`);
    this.name = "DanfoMissingError";
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

let dfd: Danfo | undefined;

/** danfojs-node, loaded on first use (its require takes 2–3 s); DanfoMissingError when absent. */
export function danfo(): Danfo {
  if (dfd === undefined) {
    try {
      dfd = require("danfojs-node") as Danfo;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // danfojs-node itself missing (not one of its own requires failing inside it)
      if (code === "MODULE_NOT_FOUND" && /'danfojs-node'/.test(String((e as Error).message))) throw new DanfoMissingError(e);
      throw e;
    }
  }
  return dfd;
}

export function toDataFrame(c: Capture, columns: string[]): DataFrame {
  const data: Record<string, (number | string | null)[]> = {};
  for (const name of columns) {
    const col = c.column(name);
    const out = new Array<number | string | null>(c.count);
    for (let r = 0; r < c.count; r++) {
      const v = col.get(r);
      out[r] = v === undefined ? null : v;
    }
    data[name] = out;
  }
  const d = danfo();
  return new d.DataFrame(data, { columns });
}
