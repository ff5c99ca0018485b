/**
 * `wirebook kernel install [--user | --prefix DIR | --sys]` and `wirebook kernel uninstall [...]`:
 * writes (or removes) the kernelspec `wirebook` where Jupyter looks for kernels:
 *
 *   --prefix DIR  DIR/share/jupyter/kernels/wirebook (then JUPYTER_PATH=DIR/share/jupyter)
 *   --user        $JUPYTER_DATA_DIR or ~/.local/share/jupyter/kernels/wirebook (default for non-root)
 *   --sys         /usr/local/share/jupyter/kernels/wirebook (default for root)
 *
 * `wirebook kernel execute NOTEBOOK.ipynb [--out DIR]` runs a notebook headless on this kernel with
 * Debian's jupyter-nbconvert and writes NOTEBOOK.html (the kernelspec goes to a temporary prefix
 * unless Jupyter already has one named wirebook).
 *
 * The spec runs this checkout's kernel/launcher.js with this node (absolute paths), so the
 * kernel uses the Wirebook it was installed from.
 */
import { showControls } from "../result/format/escape";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

export const KERNEL_NAME = "wirebook";
export const DISPLAY_NAME = "Wirebook (TypeScript)";

/** The package root: dist/src/cli → ../../.. */
export function packageRoot(): string {
  return path.resolve(__dirname, "..", "..", "..");
}

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

export function kernelSpec(root = packageRoot(), node = process.execPath): KernelSpec {
  return {
    argv: [node, path.join(root, "kernel", "launcher.js"), "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal",
    env: {},
    metadata: { wirebook: { root } },
  };
}

function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? os.homedir(), "jupyter");
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(xdg, "jupyter");
}

export interface Target {
  kernelsDir: string;
  how: string;
}

/** Where a kernelspec goes for the given flags. */
export function targetDir(args: string[]): Target {
  let prefix: string | undefined;
  let user = false;
  let sys = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--user") user = true;
    else if (a === "--sys" || a === "--system") sys = true;
    else if (a === "--prefix") {
      prefix = args[++i];
      if (!prefix) throw new KernelUsageError("--prefix needs a directory");
    } else if (a.startsWith("--prefix=")) prefix = a.slice("--prefix=".length);
    else throw new KernelUsageError(`unknown option "${a}"`);
  }
  if ([prefix !== undefined, user, sys].filter(Boolean).length > 1) {
    throw new KernelUsageError("give at most one of --user, --prefix DIR, --sys");
  }
  if (prefix !== undefined) {
    return { kernelsDir: path.join(path.resolve(prefix), "share", "jupyter", "kernels"), how: `prefix ${path.resolve(prefix)}` };
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (sys || (!user && isRoot)) return { kernelsDir: "/usr/local/share/jupyter/kernels", how: "system" };
  return { kernelsDir: path.join(userDataDir(), "kernels"), how: "user" };
}

export class KernelUsageError extends Error {}

export function install(args: string[]): string {
  const { kernelsDir } = targetDir(args);
  const dir = path.join(kernelsDir, KERNEL_NAME);
  const root = packageRoot();
  const launcher = path.join(root, "kernel", "launcher.js");
  if (!fs.existsSync(launcher)) throw new Error(`missing ${launcher}`);
  if (!fs.existsSync(path.join(root, "dist", "src", "notebook", "kernel.js"))) {
    throw new Error("dist/src/notebook/kernel.js is missing: run `npm run build` first");
  }
  // tslab is an optional peer dependency (a library-only install has none): say so before registering
  try {
    require.resolve("tslab/package.json", { paths: [root] });
  } catch {
    throw new KernelUsageError("the kernel needs tslab, which is not installed; in your project run: npm install tslab@1.0.22 (docs/install.md)");
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(root), null, 2) + "\n");
  for (const logo of ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]) {
    const src = path.join(root, "kernel", logo);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, logo));
  }
  return dir;
}

export function uninstall(args: string[]): string | null {
  const { kernelsDir } = targetDir(args);
  const dir = path.join(kernelsDir, KERNEL_NAME);
  if (!fs.existsSync(path.join(dir, "kernel.json"))) return null;
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

export const NBCONVERT = "/usr/bin/jupyter-nbconvert";

/** A notebook cell that raised: its number (1-based, as Jupyter counts cells) and the error's line. */
export interface CellError { cell: number; error: string }

/** The cells of an executed notebook whose outputs hold an error. */
export function cellErrors(executed: string): CellError[] {
  const nb = JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: { cell_type: string; outputs?: { output_type: string; ename?: string; evalue?: string }[] }[] };
  const errors: CellError[] = [];
  nb.cells.forEach((c, i) => {
    for (const o of c.outputs ?? []) {
      if (o.output_type === "error") errors.push({ cell: i + 1, error: `${o.ename ?? "Error"}: ${o.evalue ?? ""}`.split("\n")[0] });
    }
  });
  return errors;
}

/** A notebook whose cells raised (without --allow-errors): exit 2 with the cells and errors. */
export class NotebookError extends Error {}

/**
 * Executes a notebook to HTML; returns the HTML path. The cells run with --allow-errors (so an
 * error shows in its cell and the others still run); a cell that raised is then exit 2 naming the
 * cell and the error, unless `--allow-errors` was given: then the HTML is written with the error
 * shown. The executed notebook is kept beside the HTML only while it is converted.
 */
export function execute(args: string[]): string {
  let out: string | undefined;
  let notebook: string | undefined;
  let allowErrors = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") {
      out = args[++i];
      if (!out) throw new KernelUsageError("--out needs a directory");
    } else if (args[i].startsWith("--out=")) out = args[i].slice(6);
    else if (args[i] === "--allow-errors") allowErrors = true;
    else if (args[i].startsWith("-")) throw new KernelUsageError(`unknown option "${args[i]}"`);
    else if (notebook === undefined) notebook = args[i];
    else throw new KernelUsageError("one notebook at a time");
  }
  if (!notebook) throw new KernelUsageError("execute needs a notebook");
  if (!fs.existsSync(notebook)) throw new KernelUsageError(`no such notebook: ${notebook}`);
  const nbconvert = fs.existsSync(NBCONVERT) ? NBCONVERT : "jupyter-nbconvert";
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-kernelspec-"));
  try {
    install(["--prefix", prefix]);
    const jupyterPath = [path.join(prefix, "share", "jupyter"), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
    const outDir = path.resolve(out ?? path.dirname(notebook));
    const base = path.basename(notebook).replace(/\.ipynb$/, "");
    const env = { ...process.env, JUPYTER_PATH: jupyterPath, PYDEVD_DISABLE_FILE_VALIDATION: "1" };
    const run = (argv: string[]) => {
      const r = spawnSync(nbconvert, argv, { stdio: "inherit", env });
      if (r.error) throw new Error(`cannot run ${nbconvert} (apt-get install jupyter-nbconvert python3-nbclient): ${r.error.message}`);
      if (r.status !== 0) throw new Error(`${nbconvert} failed (exit ${r.status})`);
    };
    // 1. execute (errors stay in their cells), into the prefix
    const executed = path.join(prefix, `${base}.ipynb`);
    run(["--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=wirebook", "--output-dir", prefix, "--output", base, notebook]);
    const errors = cellErrors(executed);
    if (errors.length > 0 && !allowErrors) {
      throw new NotebookError(`${notebook}: ${errors.map((e) => `cell ${e.cell}: ${e.error}`).join("; ")} (--allow-errors writes the HTML with the errors shown)`);
    }
    // 2. the executed notebook to HTML
    fs.mkdirSync(outDir, { recursive: true });
    run(["--to", "html", "--output-dir", outDir, "--output", base, executed]);
    return path.join(outDir, `${base}.html`);
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}

const USAGE = `usage: wirebook kernel install [--user | --prefix DIR | --sys]
       wirebook kernel uninstall [--user | --prefix DIR | --sys]
       wirebook kernel execute NOTEBOOK.ipynb [--out DIR] [--allow-errors]
`;

export async function kernelCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case "install": {
        const dir = install(rest);
        process.stdout.write(`installed kernelspec "${KERNEL_NAME}" (${DISPLAY_NAME}) in ${dir}\n`);
        if (rest.some((a) => a.startsWith("--prefix"))) {
          process.stdout.write(`Jupyter finds it with JUPYTER_PATH=${path.dirname(path.dirname(dir))}\n`);
        }
        return 0;
      }
      case "uninstall": {
        const dir = uninstall(rest);
        process.stdout.write(dir ? `removed ${dir}\n` : `kernelspec "${KERNEL_NAME}" is not installed there\n`);
        return 0;
      }
      case "execute": {
        const html = execute(rest);
        process.stdout.write(`wrote ${html}\n`);
        return 0;
      }
      case undefined:
      case "-h":
      case "--help":
        process.stdout.write(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        process.stderr.write(`wirebook kernel: unknown subcommand "${sub}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof KernelUsageError) {
      process.stderr.write(`wirebook kernel: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof NotebookError) {
      process.stderr.write(`wirebook kernel: ${showControls(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}
