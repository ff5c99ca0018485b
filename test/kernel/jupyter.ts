/** Helpers for the tests that need Debian's Jupyter (python3-jupyter-client, nbconvert, notebook). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { ROOT } from "../helpers/paths";

export const PYTHON = "/usr/bin/python3";
export const CHROMIUM = "/usr/bin/chromium";

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

let jupyterClient: boolean | undefined;
/** Why the Jupyter tests cannot run here, or null. */
export function missingJupyter(): string | null {
  jupyterClient ??= fs.existsSync(PYTHON) && works(PYTHON, ["-c", "import jupyter_client, nbclient, nbformat"]);
  if (!jupyterClient) return `${PYTHON} with jupyter_client/nbclient is missing (apt-get install python3-jupyter-client python3-nbclient)`;
  return null;
}

export function missingNbconvert(): string | null {
  return missingJupyter() ?? (fs.existsSync("/usr/bin/jupyter-nbconvert") ? null : "jupyter-nbconvert is missing (apt-get install jupyter-nbconvert)");
}

export function missingChromium(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;
}

export function missingBuild(): string | null {
  return fs.existsSync(path.join(ROOT, "dist", "src", "notebook", "kernel.js")) ? null : "dist/ is not built";
}

/** Installs the kernelspec into a fresh temporary prefix; returns the JUPYTER_PATH to use. */
export function installKernel(): { prefix: string; jupyterPath: string } {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-kernel-"));
  const r = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(ROOT, "dist", "src", "cli", "kernel.js"))}).kernelCommand(["install", "--prefix", ${JSON.stringify(prefix)}]).then((c) => process.exit(c))`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kernel install failed: ${r.stderr}${r.stdout}`);
  return { prefix, jupyterPath: path.join(prefix, "share", "jupyter") };
}

/** An environment for Jupyter processes: our kernel first, quiet debugger warnings, a private runtime dir. */
export function jupyterEnv(jupyterPath: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-jrt-"));
  return {
    ...process.env,
    JUPYTER_PATH: jupyterPath,
    JUPYTER_RUNTIME_DIR: runtime,
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    PYTHONWARNINGS: "ignore",
    ...extra,
  };
}

export interface Message {
  msg_type: string;
  content: any;
}
export interface CellRun {
  reply: any;
  seconds: number;
  messages: Message[];
}

/** Runs cells on the wirebook kernel (test/kernel/drive.py over jupyter_client). */
export function runCells(
  jupyterPath: string,
  cwd: string,
  cells: Array<{ code: string; stop_on_error?: boolean }>,
  env: Record<string, string> = {},
): { ready_seconds: number; cells: CellRun[] } {
  const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-drive-")), "out.json");
  const r = spawnSync(PYTHON, [path.join(ROOT, "test", "kernel", "drive.py"), "wirebook", cwd, outFile], {
    input: JSON.stringify(cells),
    encoding: "utf8",
    env: jupyterEnv(jupyterPath, env),
    timeout: 180_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`drive.py failed (${r.status}): ${r.stderr}`);
  const result = JSON.parse(fs.readFileSync(outFile, "utf8"));
  fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
  return result;
}
