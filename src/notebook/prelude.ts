/**
 * What every Wirebook notebook cell sees without an import: `wb` (the library), `dfd`
 * (danfojs-node, loaded on first use) and `display(x)`. The kernel executes `preludeSource()`
 * as a hidden first cell; tslab then carries its declarations (and types) into every cell.
 */
import * as path from "path";
import { display } from "./display";
import { withProgress } from "./progress";

/** The Wirebook package root (…/wirebook), found from this compiled file (dist/src/notebook). */
export function packageRoot(): string {
  return path.resolve(__dirname, "..", "..", "..");
}

/**
 * A module loaded on first property access: `dfd.DataFrame` loads danfojs-node (2–3 s) the
 * first time only; a notebook that never touches `dfd` never pays for it.
 */
export function lazyModule<T extends object>(load: () => T): T {
  let mod: T | undefined;
  const get = (): T => (mod ??= load());
  return new Proxy({} as T, {
    get: (_t, p) => {
      if (p === Symbol.toStringTag) return "Module";
      const m = get() as Record<PropertyKey, unknown>;
      return m[p];
    },
    has: (_t, p) => p in get(),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, p) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), p);
      return d ? { ...d, configurable: true } : undefined;
    },
    set: (_t, p, v) => Reflect.set(get(), p, v),
  });
}

/** danfojs-node (an optional peer dependency, src/table/danfo.ts), lazily. */
export function lazyDanfo(): import("../table/danfo").Danfo {
  return lazyModule(() => (require("../table/danfo") as typeof import("../table/danfo")).danfo());
}

interface LibraryShape {
  open: (path: string, options?: any) => Promise<any>;
  plot?: unknown;
}

/**
 * The `wb` of a notebook: the library, with `plot` (until src/index exports it) and with `open`
 * showing its progress in the cell.
 */
export function kernelLibrary<L extends LibraryShape, P>(lib: L, plot: P): L & { plot: P } {
  const wb = { ...lib, plot: (lib.plot ?? plot) as P } as L & { plot: P };
  wb.open = withProgress(lib.open) as L["open"];
  return wb;
}

/** The `display` of a notebook. */
export const kernelDisplay = display;

/**
 * The TypeScript source of the prelude cell. The code is loaded by the absolute path of this
 * installed package, never by name: a name resolves from the notebook's folder first, and a
 * folder that ships `node_modules/wirebook` would run its code when the kernel starts. Only the
 * types are imported by name ("wirebook" and "danfojs-node" mean the kernel's own for the
 * compiler from any folder: see mapPackages in kernel.ts), so values stay nameable across cells.
 */
export function preludeSource(root = packageRoot()): string {
  const file = (rel: string) => JSON.stringify(path.join(root, "dist", "src", ...rel.split("/")) + ".js");
  return [
    `import type * as $wbLibTypes from "wirebook";`,
    `import type * as $wbPlotTypes from "wirebook/dist/src/plot/index";`,
    `import type * as $wbNotebookTypes from "wirebook/dist/src/notebook/prelude";`,
    `const $wbLib: typeof $wbLibTypes = require(${file("index")});`,
    `const $wbPlot: typeof $wbPlotTypes = require(${file("plot/index")});`,
    `const $wbNotebook: typeof $wbNotebookTypes = require(${file("notebook/prelude")});`,
    `/** Wirebook: \`await wb.open(path)\`, \`wb.plot.figure({ data, layout })\`. */`,
    `const wb = $wbNotebook.kernelLibrary($wbLib, $wbPlot);`,
    `/** danfojs-node, loaded on first use. */`,
    `import type * as $dfdTypes from "danfojs-node";`,
    `const dfd: typeof $dfdTypes = $wbNotebook.lazyDanfo() as any;`,
    `/** Shows a DataFrame, Series, Capture or figure in the cell (anything else as text). */`,
    `const display = $wbNotebook.kernelDisplay;`,
    `/* your own protocols (docs/protocols.md): WIREBOOK_PROTOCOLS, paths separated by ':' */`,
    `try { $wbLib.loadEnvProtocols(); } catch (e) { console.error("wirebook: WIREBOOK_PROTOCOLS: " + (e as Error).message); }`,
  ].join("\n");
}
