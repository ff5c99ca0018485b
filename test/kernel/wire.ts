/**
 * A raw Jupyter wire-protocol client for the kernel tests (node zeromq, as tslab uses): starts
 * kernel/launcher.js on a connection file of its own, signs (or mis-signs) messages on the shell
 * channel and records every IOPub frame as a subscriber that has no key would see it.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createHmac, randomBytes } from "node:crypto";
import { spawn, ChildProcess } from "node:child_process";
import { ROOT } from "../helpers/paths";

const DELIM = "<IDS|MSG>";

// zeromq comes with tslab (node_modules/zeromq); loaded lazily so the file imports anywhere.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Zmq = any;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface WireMessage {
  header: { msg_type: string; msg_id: string; [k: string]: unknown };
  parent_header: { msg_id?: string; [k: string]: unknown };
  content: any;
  /** every frame as text (the signature included) */
  frames: string[];
}

export class WireKernel {
  readonly key = randomBytes(32).toString("hex");
  readonly iopub: WireMessage[] = [];
  /** the kernel process's own stderr and stdout (what Jupyter's log would show) */
  stderr = "";
  stdout = "";
  private proc!: ChildProcess;
  private shell: Zmq;
  private sub: Zmq;
  private replies = new Map<string, (m: WireMessage) => void>();
  private session = randomBytes(8).toString("hex");
  private dir!: string;

  /** Starts the kernel in `cwd` and waits until it answers kernel_info_request. */
  async start(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    const zmq: Zmq = require(require.resolve("zeromq", { paths: [path.dirname(require.resolve("tslab/package.json"))] }));
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-wire-"));
    const ports = { shell_port: await freePort(), iopub_port: await freePort(), stdin_port: await freePort(), control_port: await freePort(), hb_port: await freePort() };
    const conn = path.join(this.dir, "kernel.json");
    fs.writeFileSync(conn, JSON.stringify({ ...ports, ip: "127.0.0.1", transport: "tcp", signature_scheme: "hmac-sha256", key: this.key }), { mode: 0o600 });
    this.proc = spawn(process.execPath, [path.join(ROOT, "kernel", "launcher.js"), conn], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stderr!.on("data", (d) => (this.stderr += d));
    this.proc.stdout!.on("data", (d) => (this.stdout += d));
    this.sub = new zmq.Subscriber();
    this.sub.connect(`tcp://127.0.0.1:${ports.iopub_port}`);
    this.sub.subscribe();
    this.shell = new zmq.Dealer({ routingId: randomBytes(4).toString("hex") });
    this.shell.connect(`tcp://127.0.0.1:${ports.shell_port}`);
    void this.pump(this.sub, (m) => this.iopub.push(m));
    void this.pump(this.shell, (m) => this.replies.get(m.parent_header.msg_id ?? "")?.(m));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`the kernel exited (${this.proc.exitCode}): ${this.stderr}`);
      const r = await this.request("kernel_info_request", {}, { timeoutMs: 1_000 }).catch(() => null);
      if (r) break;
      if (Date.now() > deadline) throw new Error(`the kernel did not answer: ${this.stderr}`);
    }
    // IOPub subscriptions are asynchronous: wait until this subscriber sees a status message.
    while (!this.iopub.some((m) => m.header.msg_type === "status")) {
      await this.request("kernel_info_request", {}, { timeoutMs: 5_000 });
    }
  }

  private async pump(sock: Zmq, onMessage: (m: WireMessage) => void): Promise<void> {
    try {
      for await (const raw of sock) {
        const frames = (raw as Buffer[]).map((b) => b.toString());
        const i = frames.indexOf(DELIM);
        if (i < 0) continue;
        const [header, parent, , content] = frames.slice(i + 2).map((f) => JSON.parse(f));
        onMessage({ header, parent_header: parent, content, frames });
      }
    } catch {
      /* socket closed */
    }
  }

  sign(parts: string[]): string {
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  /** The frames of a message; `signature` replaces the correct one (a client without the key). */
  build(msgType: string, content: object, signature?: string): { frames: string[]; msgId: string; correct: string } {
    const msgId = randomBytes(16).toString("hex");
    const header = { msg_id: msgId, msg_type: msgType, session: this.session, username: "test", date: new Date().toISOString(), version: "5.3" };
    const parts = [JSON.stringify(header), "{}", "{}", JSON.stringify(content)];
    const correct = this.sign(parts);
    return { frames: [DELIM, signature ?? correct, ...parts], msgId, correct };
  }

  async send(frames: string[]): Promise<void> {
    await this.shell.send(frames);
  }

  /** Sends a signed request and resolves with its reply. */
  request(msgType: string, content: object, opts: { timeoutMs?: number } = {}): Promise<WireMessage> {
    const { frames, msgId } = this.build(msgType, content);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(msgId);
        reject(new Error(`no reply to ${msgType} in ${opts.timeoutMs ?? 120_000} ms`));
      }, opts.timeoutMs ?? 120_000);
      this.replies.set(msgId, (m) => {
        clearTimeout(timer);
        this.replies.delete(msgId);
        resolve(m);
      });
      this.send(frames).catch(reject);
    });
  }

  execute(code: string): Promise<WireMessage> {
    return this.request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });
  }

  /** IOPub messages whose parent is `msgId`. */
  outputsOf(msgId: string): WireMessage[] {
    return this.iopub.filter((m) => m.parent_header.msg_id === msgId);
  }

  async stop(): Promise<void> {
    this.proc.kill("SIGKILL");
    if (this.proc.exitCode === null && this.proc.signalCode === null) await new Promise((r) => this.proc.once("exit", r));
    this.shell?.close();
    this.sub?.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
