/**
 * A fuzz worker thread: loads the corpus, runs the cases it is given and reports failures as they
 * happen. It writes the case it is on into a shared counter before starting it, so the runner can
 * tell a hang (the same case for longer than the budget) and kill the thread.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { loadCorpus, type Corpus } from "./corpus";
import { mutateCase, TruncateIndex, type Case, type Mode, type Target } from "./cases";
import { FileChecker, PacketChecker, type Failure } from "./check";

export interface WorkerInit {
  dirs: string[];
  target: Target;
  mode: Mode;
  seed: number;
  /** shared Int32Array: [0] current case (-1 while idle or loading), [1] cases done in the chunk */
  counter: SharedArrayBuffer;
  maxFileBytes: number;
  perStack: number;
  /** plant bugs (./selftest.ts) to check that the harness catches them */
  selfTest?: boolean;
  /** file target: also flows and application tables (see FileChecker) */
  deep?: boolean;
}

export type Request = { type: "run"; from: number; to: number } | { type: "exit" };
export type Reply =
  | { type: "ready"; packets: number; files: number; truncateTotal: number }
  | { type: "fail"; failure: Failure }
  | { type: "done"; from: number; to: number; cases: number; ms: number };

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const ctr = new Int32Array(init.counter);
  Atomics.store(ctr, 0, -1);
  const corpus: Corpus = await loadCorpus(init.dirs, { maxFileBytes: init.maxFileBytes, perStack: init.perStack });
  if (init.selfTest) (await import("./selftest")).plantBugs(corpus);
  const trunc = new TruncateIndex(corpus, init.target);
  const tmpDir = fs.mkdtempSync(path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "wirebook-fuzz-"));
  const files = new FileChecker(path.join(tmpDir, "case"), init.deep ?? false);
  const packets = new PacketChecker();
  const post = (r: Reply): void => parentPort!.postMessage(r);
  post({ type: "ready", packets: corpus.packets.length, files: corpus.files.length, truncateTotal: trunc.total });
  parentPort!.on("message", async (req: Request) => {
    if (req.type === "exit") {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(0);
    }
    const t0 = Date.now();
    let n = 0;
    for (let i = req.from; i < req.to; i++) {
      Atomics.store(ctr, 0, i);
      const c: Case = init.mode === "truncate" ? trunc.get(i) : mutateCase(corpus, init.target, init.seed, i);
      let f: Failure | null;
      if (init.target === "packet") {
        // truncation keeps the original length on the wire, as a snaplen cut does
        const wire = init.mode === "truncate" ? Number(/of (\d+)$/.exec(c.what[0])?.[1] ?? c.bytes.length) : c.bytes.length;
        f = packets.check(c, wire);
      } else f = await files.check(c);
      if (f !== null) post({ type: "fail", failure: f });
      n++;
      Atomics.store(ctr, 1, n);
    }
    Atomics.store(ctr, 0, -1);
    post({ type: "done", from: req.from, to: req.to, cases: n, ms: Date.now() - t0 });
  });
}

main().catch((e) => {
  // a failure to start (corpus unreadable): let the runner see it
  throw e;
});
