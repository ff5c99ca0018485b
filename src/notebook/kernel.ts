/**
 * The Wirebook Jupyter kernel: tslab's kernel rebuilt from its own parts (converter, executor,
 * ZMQ server) with a prelude and fixes for tslab's traps:
 *
 * - the prelude gives every cell `wb`, `dfd` (lazy) and `display` (src/notebook/prelude.ts);
 * - every execution sends `execute_input`, so headless runs number their cells;
 * - the last expression of a cell is an `execute_result` (rich for frames, captures, figures)
 *   instead of text on stdout;
 * - errors are real `error` outputs (ename/evalue/traceback), type errors included, instead of an
 *   empty error with the text on stderr;
 * - `stop_on_error: false` (nbclient --allow-errors) is honoured: later cells are not aborted;
 * - a shorthand property `{ data }` naming an earlier cell's variable works (it is expanded to
 *   `{ data: data }` before tslab sees it).
 *
 * Started by kernel/launcher.js with the connection file Jupyter passes.
 */
import * as fs from "fs";
import * as path from "path";
import { createHmac, timingSafeEqual } from "crypto";
import { createRequire } from "module";
import { format, inspect } from "util";
import { setChannel, IopubType } from "./channel";
import { displayResult, isRich } from "./display";
import { preludeSource, packageRoot } from "./prelude";

/* ---------- the tslab parts used (tslab 1.0.x, dist/*.js) ---------- */

interface Converter {
  close(): void;
}
interface ConverterSet {
  node: Converter;
  browser: Converter;
  close(): void;
}
interface ConsoleLike {
  log(...args: unknown[]): void;
  error(...args: unknown[]): void;
}
interface Executor {
  execute(src: string): Promise<boolean>;
  inspect(src: string, position: number): unknown;
  complete(src: string, position: number): unknown;
  interrupt(): void;
  close(): void;
  locals: Record<string, unknown>;
}
interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}
interface ZmqMessage {
  content: object;
  header: { msg_type: string };
  createReply(): ZmqMessage;
  signAndSend(key: string, sock: unknown): void;
}
interface TaskQueue {
  add<T>(fn: () => Promise<T>): Promise<T>;
  reset(delay?: number): void;
}
interface InnerHandler {
  handleKernel(): { implementation: string; implementation_version: string; banner: string; [k: string]: unknown };
  handleIsComplete(req: unknown): unknown;
  handleInspect(req: unknown): unknown;
  handleComplete(req: unknown): unknown;
  handleShutdown(req: unknown): unknown;
  close(): void;
}
type ServerClass = new (handler: unknown, configPath: string) => {
  connInfo: { key: string };
  iopub: unknown;
  init(): Promise<void>;
  close(): void;
  handleShellMessage(sock: unknown, ...frames: Buffer[]): Promise<void>;
};

interface Tslab {
  createConverter(options: { isJS: boolean; isBrowser: boolean }): Converter;
  createExecutor(rootDir: string, convs: ConverterSet, console: ConsoleLike): Executor;
  ZmqServer: ServerClass;
  JupyterHandlerImpl: new (executor: Executor, isJs: boolean) => InnerHandler;
  jupyter: { lastWriteDisplayData: ((data: object, update: boolean) => void) | null };
  TaskQueue: new () => TaskQueue;
  TaskCanceledError: new (...args: unknown[]) => Error;
  ts: TsApi & { sys: TsSys };
  version: string;
}

function loadTslab(): Tslab {
  const converter = require("tslab/dist/converter");
  const executor = require("tslab/dist/executor");
  const jupyter = require("tslab/dist/jupyter");
  const util = require("tslab/dist/util");
  const tslabRequire = createRequire(require.resolve("tslab/package.json"));
  return {
    createConverter: converter.createConverter,
    createExecutor: executor.createExecutor,
    ZmqServer: jupyter.ZmqServer,
    JupyterHandlerImpl: jupyter.JupyterHandlerImpl,
    jupyter,
    TaskQueue: util.TaskQueue,
    TaskCanceledError: util.TaskCanceledError,
    ts: tslabRequire("@tslab/typescript-for-tslab"),
    version: util.getVersion(),
  };
}

/* ---------- trap: `{ data }` naming an earlier cell's variable ---------- */

interface TsNode {
  kind: number;
  end: number;
  name?: TsNode;
  forEachChild(cb: (n: TsNode) => void): void;
}
interface TsApi {
  createSourceFile(name: string, text: string, target: number, setParents: boolean, kind: number): TsNode;
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
  SyntaxKind: { ShorthandPropertyAssignment: number };
  isIdentifier(n: TsNode): boolean;
  idText(n: TsNode): string;
}

/**
 * Rewrites every shorthand property `{ a }` to `{ a: a }` (the same JavaScript). tslab rewrites
 * references to earlier cells' variables as `exports.a` but misses the shorthand form, which then
 * throws ReferenceError.
 */
export function expandShorthand(ts: TsApi, src: string): string {
  if (!/[{,]\s*[A-Za-z_$][\w$]*\s*(?:[,}=]|$)/m.test(src)) return src;
  const file = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const inserts: Array<[number, string]> = [];
  const visit = (n: TsNode): void => {
    if (n.kind === ts.SyntaxKind.ShorthandPropertyAssignment && n.name && ts.isIdentifier(n.name)) {
      inserts.push([n.name.end, `: ${ts.idText(n.name)}`]);
    }
    n.forEachChild(visit);
  };
  file.forEachChild(visit);
  if (inserts.length === 0) return src;
  inserts.sort((a, b) => b[0] - a[0]);
  let out = src;
  for (const [pos, text] of inserts) out = out.slice(0, pos) + text + out.slice(pos);
  return out;
}

/* ---------- trap: types of packages outside the notebook's folder ---------- */

interface TsSys {
  fileExists(p: string): boolean;
  readFile(p: string, encoding?: string): string | undefined;
  directoryExists(p: string): boolean;
  getDirectories(p: string): string[];
  readDirectory(p: string, ...rest: unknown[]): string[];
  realpath?(p: string): string;
  getModifiedTime?(p: string): Date | undefined;
  watchFile?(p: string, ...rest: unknown[]): unknown;
  watchDirectory?(p: string, ...rest: unknown[]): unknown;
}

/**
 * Makes `wirebook` and `danfojs-node` mean Wirebook's own (the kernel's), from any notebook
 * folder, for the TypeScript compiler and for `require`, without touching that folder.
 *
 * tslab compiles every cell with declarations (to carry types to the next cell). A value whose type
 * lives in a package the notebook's folder cannot import by name (e.g. a danfo groupby result,
 * found under /elsewhere/node_modules/danfojs-node) fails with "The inferred type of 'g' cannot be
 * named without a reference to …". So the compiler sees `<cwd>/node_modules/{wirebook,danfojs-node}`
 * as virtual folders mapped onto Wirebook's own, and `require` resolves them to Wirebook's.
 *
 * Always, even where the folder (or a parent) has a copy of its own: a folder that ships
 * `node_modules/wirebook` must not get its code run by the kernel, nor its types mixed with the
 * kernel's library (issue 18).
 */
export function mapPackages(ts: { sys: TsSys }, cwd: string, root: string): void {
  const realRoot = fs.realpathSync(root);
  const packages = new Map<string, string>();
  packages.set("wirebook", realRoot);
  for (const name of ["danfojs-node"]) {
    try {
      packages.set(name, path.dirname(require.resolve(`${name}/package.json`, { paths: [realRoot] })));
    } catch {
      /* not installed: nothing to map */
    }
  }
  const base = path.join(cwd, "node_modules");
  const real = new Map<string, string>();
  for (const [name, dir] of packages) real.set(path.join(base, name), dir);
  const NOWHERE = path.join(base, ".wirebook-nowhere");
  const map = (p: string): string | null => {
    if (typeof p !== "string" || !p.startsWith(base)) return null;
    const norm = path.normalize(p);
    for (const [virtual, dir] of real) {
      if (norm === virtual) return dir;
      if (norm.startsWith(virtual + path.sep)) {
        const rest = norm.slice(virtual.length + 1);
        // The library's own node_modules stay hidden: its imports resolve to the mapped packages,
        // so `dfd` and the library share one danfo (one DataFrame type).
        if (virtual.endsWith(`${path.sep}wirebook`) && rest.split(path.sep)[0] === "node_modules") return NOWHERE;
        return path.join(dir, rest);
      }
    }
    return null;
  };
  const sys = ts.sys;
  const wrap = <K extends keyof TsSys>(key: K, fn: (orig: NonNullable<TsSys[K]>, p: string, mapped: string, rest: unknown[]) => unknown) => {
    const orig = sys[key] as unknown as ((...a: unknown[]) => unknown) | undefined;
    if (typeof orig !== "function") return;
    (sys as unknown as Record<string, unknown>)[key] = function (this: unknown, p: string, ...rest: unknown[]) {
      const m = map(p);
      if (m === null) return orig.call(sys, p, ...rest);
      return fn(orig.bind(sys) as NonNullable<TsSys[K]>, p, m, rest);
    };
  };
  wrap("fileExists", (o, _p, m) => (o as TsSys["fileExists"])(m));
  wrap("readFile", (o, _p, m, rest) => (o as TsSys["readFile"])(m, rest[0] as string | undefined));
  wrap("directoryExists", (o, _p, m) => (o as TsSys["directoryExists"])(m));
  wrap("getDirectories", (o, _p, m) => (o as TsSys["getDirectories"])(m));
  wrap("readDirectory", (o, p, m, rest) =>
    (o as TsSys["readDirectory"])(m, ...rest).map((f) => path.join(p, path.relative(m, f))),
  );
  wrap("realpath", (_o, p) => p); // keep the virtual path: that is the whole point
  wrap("getModifiedTime", (o, _p, m) => (o as NonNullable<TsSys["getModifiedTime"]>)(m));
  wrap("watchFile", (o, _p, m, rest) => (o as NonNullable<TsSys["watchFile"]>)(m, ...rest));
  wrap("watchDirectory", (o, _p, m, rest) => (o as NonNullable<TsSys["watchDirectory"]>)(m, ...rest));

  // require(): the same packages, whatever the notebook's folder holds.
  const Module = require("module") as { _resolveFilename: (req: string, parent: unknown, ...rest: unknown[]) => string };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
    if (typeof request === "string") {
      const name = request.startsWith("@") ? request.split("/").slice(0, 2).join("/") : request.split("/")[0];
      const dir = packages.get(name);
      if (dir) {
        const sub = request.slice(name.length);
        return resolve.call(this, sub ? path.join(dir, sub) : dir, parent, ...rest);
      }
    }
    return resolve.call(this, request, parent, ...rest);
  };
}

/* ---------- trap: tslab's signature check ---------- */

const DELIM = Buffer.from("<IDS|MSG>");

/**
 * Whether raw shell/control frames carry a valid HMAC-SHA256 signature under `key`, checked in
 * constant time. tslab's own check (ZmqMessage.verifyHmac) compares with `==` and throws
 * `invalid hmac X; want Y`: the signature the message should have had, which its unhandled
 * rejection then printed on stderr, and stderr went to IOPub, which any local user can read
 * without the key. So the kernel checks first and drops a bad message without a word about it
 * on any channel; tslab only ever sees messages that pass its check.
 */
export function validSignature(key: string, frames: Buffer[]): boolean {
  const i = frames.findIndex((f) => Buffer.isBuffer(f) && f.equals(DELIM));
  if (i < 0 || frames.length < i + 6) return false; // delimiter, signature, header, parent, metadata, content
  const hmac = createHmac("sha256", key);
  for (const part of frames.slice(i + 2)) hmac.update(part);
  const want = Buffer.from(hmac.digest("hex"));
  const got = frames[i + 1];
  return got.length === want.length && timingSafeEqual(got, want);
}

/* ---------- errors as Jupyter error outputs ---------- */

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const DIAGNOSTIC_FORMAT = "%s%d:%d - %s";

/** Collects what tslab's executor reports for one execution. */
class Reports {
  diagnostics: string[] = [];
  thrown: unknown[] = [];
  reset(): void {
    this.diagnostics = [];
    this.thrown = [];
  }
  error(): ErrorContent {
    if (this.diagnostics.length > 0) {
      const hints: string[] = [];
      if (this.diagnostics.some((d) => /Cannot find name '___/.test(d))) {
        // tslab exports a cell's top-level names by their escaped form: "__x" becomes "___x".
        hints.push("hint: tslab cannot carry top-level names that start with two underscores; rename it");
      }
      return {
        ename: "TypeScriptError",
        evalue: this.diagnostics.join("; "),
        traceback: ["\u001b[31mTypeScript error\u001b[0m", ...this.diagnostics.map((d) => "  " + d), ...hints],
      };
    }
    const e = this.thrown[this.thrown.length - 1];
    if (e instanceof Error) {
      const stack = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
      // Drop the kernel's own frames below the cell's code.
      const cut = stack.findIndex((l) => /tslab[\\/]dist[\\/]|node:internal|notebook[\\/]kernel\.js/.test(l));
      return {
        ename: e.name || "Error",
        evalue: e.message,
        traceback: cut > 0 ? stack.slice(0, cut) : stack,
      };
    }
    if (this.thrown.length > 0) {
      return { ename: "Error", evalue: inspect(e), traceback: [`Uncaught ${inspect(e)}`] };
    }
    return { ename: "Error", evalue: "execution failed", traceback: ["execution failed"] };
  }
}

class ExecutionFailed {
  constructor(readonly count: number, readonly error: ErrorContent) {}
}

type Publish = (type: string, content: object) => void;

/* ---------- the handler ---------- */

export class WirebookHandler {
  private execCount = 0;
  private readonly queue: TaskQueue;
  private readonly inner: InnerHandler;
  private currentPublish: Publish | null = null;
  private currentCount = 0;

  constructor(
    private readonly tslab: Tslab,
    private readonly executor: Executor,
    private readonly reports: Reports,
    /** the process's own stderr (the kernel's log) */
    private readonly kernelStderr: typeof process.stderr.write = process.stderr.write,
  ) {
    this.queue = new tslab.TaskQueue();
    this.inner = new tslab.JupyterHandlerImpl(executor, false);
  }

  handleKernel() {
    const reply = this.inner.handleKernel();
    reply.implementation = "wirebook";
    reply.implementation_version = require(path.join(packageRoot(), "package.json")).version ?? "0";
    reply.banner = `Wirebook (TypeScript) on tslab ${this.tslab.version}: wb, dfd and display(x) are ready`;
    return reply;
  }
  handleIsComplete(req: unknown) {
    return this.inner.handleIsComplete(req);
  }
  handleInspect(req: unknown) {
    return this.inner.handleInspect(req);
  }
  handleComplete(req: unknown) {
    return this.inner.handleComplete(req);
  }
  handleShutdown(req: unknown) {
    return this.inner.handleShutdown(req);
  }
  close() {
    this.inner.close();
  }

  /** The last expression's value (tslab passes it to console.log). */
  showResult(value: unknown): void {
    if (!this.currentPublish) {
      process.stdout.write(inspect(value) + "\n");
      return;
    }
    displayResult(isRich(value) ? value : inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 }));
  }

  async execute(req: ExecuteRequest, publish: Publish): Promise<object> {
    try {
      const count = await this.queue.add(() => this.run(req, publish));
      return { status: "ok", execution_count: count, payload: [], user_expressions: {} };
    } catch (e) {
      if (e instanceof ExecutionFailed) {
        // Jupyter's rule: a failed cell aborts the requests queued behind it, unless the client
        // asked otherwise (nbclient --allow-errors sends stop_on_error: false).
        // (tslab's queue stays failed until reset: reset now, or after 200 ms to drop what is queued.)
        this.queue.reset(req.stop_on_error === false ? undefined : 200);
        return { status: "error", execution_count: e.count, ...e.error };
      }
      if (e instanceof this.tslab.TaskCanceledError) {
        return { status: "abort", execution_count: this.execCount };
      }
      const error = { ename: "KernelError", evalue: String(e), traceback: [String((e as Error)?.stack ?? e)] };
      publish("error", error);
      return { status: "error", execution_count: this.execCount, ...error };
    }
  }

  private async run(req: ExecuteRequest, publish: Publish): Promise<number> {
    const silent = req.silent === true;
    const count = silent || req.store_history === false ? this.execCount : ++this.execCount;
    const pub: Publish = silent ? () => undefined : publish;
    pub("execute_input", { code: req.code, execution_count: count });
    // Like ipykernel and tslab, stdout written after the cell finished goes to the last cell.
    // stderr is the cell's only while it runs: outside a cell's execution it is the kernel's own
    // log again (the Jupyter server's terminal), never IOPub, which a user without the key reads.
    process.stdout.write = this.writer("stdout", pub);
    process.stderr.write = this.writer("stderr", pub);
    try {
      return await this.runCell(req, count, pub);
    } finally {
      process.stderr.write = this.kernelStderr;
    }
  }

  private async runCell(req: ExecuteRequest, count: number, pub: Publish): Promise<number> {
    this.currentPublish = pub;
    this.currentCount = count;
    setChannel({
      send: (type: IopubType, content: object) => pub(type, content),
      executionCount: () => this.currentCount,
    });
    // tslab's own `display` (import * as tslab from "tslab") writes here.
    this.tslab.jupyter.lastWriteDisplayData = (data, update) => pub(update ? "update_display_data" : "display_data", data);
    this.reports.reset();
    const ok = await this.executor.execute(expandShorthand(this.tslab.ts, req.code));
    if (!ok) {
      const error = this.reports.error();
      pub("error", error);
      throw new ExecutionFailed(count, error);
    }
    return count;
  }

  private writer(name: "stdout" | "stderr", pub: Publish) {
    const decoder = new TextDecoder();
    return ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk);
      pub("stream", { name, text });
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") (done as () => void)();
      return true;
    }) as typeof process.stdout.write;
  }
}

/* ---------- start ---------- */

export interface StartOptions {
  connectionFile: string;
  /** Print start-up timings on stderr (WIREBOOK_KERNEL_TIMING=1). */
  timing?: boolean;
}

export async function startKernel(options: StartOptions): Promise<void> {
  const t0 = performance.now();
  const mark = (what: string) => {
    if (options.timing) process.stderr.write(`wirebook kernel: ${what} at ${(performance.now() - t0).toFixed(0)} ms\n`);
  };
  const kernelStderr = process.stderr.write;
  const log = (text: string) => kernelStderr.call(process.stderr, text);
  const tslab = loadTslab();
  mark("tslab loaded");
  mapPackages(tslab.ts, process.cwd(), packageRoot());
  const reports = new Reports();
  let handler: WirebookHandler | null = null;
  const console_: ConsoleLike = {
    log: (...args: unknown[]) => {
      if (args.length === 1 && handler) handler.showResult(args[0]);
      else process.stdout.write(format(...args) + "\n");
    },
    error: (...args: unknown[]) => {
      if (args[0] === DIAGNOSTIC_FORMAT) reports.diagnostics.push(format(...args));
      else if (args.length === 1) reports.thrown.push(args[0]);
      else process.stderr.write(format(...args) + "\n");
    },
  };
  let node: Converter | undefined;
  let browser: Converter | undefined;
  const convs: ConverterSet = {
    get node() {
      return (node ??= tslab.createConverter({ isJS: false, isBrowser: false }));
    },
    get browser() {
      return (browser ??= tslab.createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
  void convs.node; // the TypeScript compiler (≈ 3 s)
  mark("compiler ready");
  const executor = tslab.createExecutor(process.cwd(), convs, console_);
  handler = new WirebookHandler(tslab, executor, reports, kernelStderr);
  const ok = await executor.execute(preludeSource());
  if (!ok) {
    process.stderr.write(`wirebook kernel: the prelude failed; wb/dfd/display are missing:\n${reports.error().traceback.join("\n")}\n`);
  }
  mark("prelude done");

  const h = handler;
  let dropped = 0;
  class WirebookServer extends tslab.ZmqServer {
    override async handleShellMessage(sock: unknown, ...frames: Buffer[]): Promise<void> {
      if (!validSignature(this.connInfo.key, frames)) {
        // Said in the kernel's own log only, without any signature, and not for every message.
        dropped++;
        if ((dropped & (dropped - 1)) === 0) log(`wirebook kernel: dropped a message with a bad signature (${dropped} so far)\n`);
        return;
      }
      try {
        await super.handleShellMessage(sock, ...frames);
      } catch (e) {
        log(`wirebook kernel: a message failed: ${e instanceof Error ? e.name : "error"}\n`);
      }
    }
    async handleExecute(sock: unknown, msg: ZmqMessage): Promise<void> {
      const key = this.connInfo.key;
      const publish: Publish = (type, content) => {
        const m = msg.createReply();
        m.header.msg_type = type;
        m.content = content;
        m.signAndSend(key, this.iopub);
      };
      const content = await h.execute(msg.content as ExecuteRequest, publish);
      const reply = msg.createReply();
      reply.header.msg_type = "execute_reply";
      reply.content = content;
      reply.signAndSend(key, sock);
    }
  }
  const server = new WirebookServer(handler, options.connectionFile);
  process.on("SIGINT", () => executor.interrupt());
  process.on("uncaughtException", (err) => process.stderr.write(`UncaughtException: ${inspect(err)}\n`));
  process.on("unhandledRejection", (reason) => process.stderr.write(`UnhandledPromiseRejection: ${inspect(reason)}\n`));
  await server.init();
  mark("listening");
}
