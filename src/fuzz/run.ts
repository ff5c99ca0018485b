/**
 * The fuzz runner: worker threads (./worker.ts) take chunks of case numbers; a watchdog reads each
 * worker's shared counter and kills a worker that stays on one case longer than the budget (a
 * hang), or that dies (out of its memory limit, or an exception outside the checks). The failing
 * case is rebuilt here from its number, the worker replaced, and the chunk goes on after that case.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { loadCorpus, type Corpus } from "./corpus";
import { mutateCase, TruncateIndex, type Mode, type Target } from "./cases";
import type { Failure } from "./check";
import type { Reply, Request, WorkerInit } from "./worker";

export interface FuzzOptions {
  dirs: string[];
  target: Target;
  mode: Mode;
  seed?: number;
  /** first case number (default 0) */
  from?: number;
  /** number of cases (default: every truncation in truncate mode, unbounded in mutate mode) */
  count?: number;
  /** stop handing out chunks after this many milliseconds */
  timeLimitMs?: number;
  workers?: number;
  /** cases per chunk handed to a worker */
  chunk?: number;
  /** a case taking longer than this is a hang (default 2 s for packets, 10 s for files) */
  caseTimeoutMs?: number;
  /** worker heap limit in MiB (default 512) */
  maxOldMb?: number;
  /** file seeds larger than this are left out (default 64 KiB) */
  maxFileBytes?: number;
  perStack?: number;
  /** plant bugs in the workers (./selftest.ts): the harness must report each */
  selfTest?: boolean;
  /** file target: also flows and application tables */
  deep?: boolean;
  onFailure?: (f: Failure) => void;
  onProgress?: (cases: number, ms: number) => void;
}

export interface FuzzResult {
  target: Target;
  mode: Mode;
  seed: number;
  cases: number;
  ms: number;
  failures: Failure[];
  /**
   * cases that outran the time budget once but finished when run again alone in a fresh worker
   * with 5× the budget (a loaded machine, not a hang); replay them by hand
   */
  slow: number[];
  packetSeeds: number;
  fileSeeds: number;
}

interface Slot {
  worker: Worker;
  ctr: Int32Array;
  ready: boolean;
  chunk: { from: number; to: number } | null;
  lastCase: number;
  since: number;
  dead: boolean;
  /** a worker that re-runs one case that outran its budget, with 5× the budget */
  confirm: { index: number; message: string } | null;
  timeout: number;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const seed = o.seed ?? 1;
  const nWorkers = Math.max(1, o.workers ?? 1);
  const chunkSize = o.chunk ?? (o.target === "packet" ? 2000 : 50);
  const caseTimeout = o.caseTimeoutMs ?? (o.target === "packet" ? 2000 : 10000);
  const t0 = Date.now();
  const deadline = o.timeLimitMs !== undefined ? t0 + o.timeLimitMs : Infinity;
  const failures: Failure[] = [];
  const slow: number[] = [];
  let cases = 0;
  let packetSeeds = 0, fileSeeds = 0;
  let next = o.from ?? 0;
  let end = o.count !== undefined ? next + o.count : Infinity;
  let mainCorpus: Corpus | null = null;
  const pending: { from: number; to: number }[] = [];

  const report = (f: Failure): void => {
    failures.push(f);
    o.onFailure?.(f);
  };

  /** Rebuilds case `i` here (for a hang or a dead worker: the worker cannot report it). */
  const rebuild = async (i: number, kind: Failure["kind"], message: string): Promise<Failure> => {
    try {
      if (mainCorpus === null) {
        mainCorpus = await loadCorpus(o.dirs, { maxFileBytes: o.maxFileBytes ?? 64 * 1024, perStack: o.perStack ?? 6 });
        if (o.selfTest) (await import("./selftest")).plantBugs(mainCorpus);
      }
      const c = o.mode === "truncate" ? new TruncateIndex(mainCorpus, o.target).get(i) : mutateCase(mainCorpus, o.target, seed, i);
      return { kind, message, index: i, from: c.from, linkType: c.linkType, what: c.what, input: c.bytes.toString("base64") };
    } catch (e) {
      // the case itself cannot be built: a fault of the harness, reported as such
      return { kind, message: `${message}\n(case not rebuilt: ${(e as Error).message})`, index: i, from: "?", linkType: -1, what: [], input: "" };
    }
  };

  return await new Promise<FuzzResult>((resolve, reject) => {
    const slots: Slot[] = [];
    let finished = false;
    let rebuilding = 0;

    const nextChunk = (): { from: number; to: number } | null => {
      const p = pending.shift();
      if (p !== undefined) return p;
      if (next >= end || Date.now() >= deadline) return null;
      const c = { from: next, to: Math.min(end, next + chunkSize) };
      next = c.to;
      return c;
    };

    const maybeFinish = (): void => {
      if (finished) return;
      if (slots.some((s) => s.chunk !== null || (!s.ready && !s.dead))) return;
      if (pending.length > 0 || rebuilding > 0) return;
      finished = true;
      clearInterval(watchdog);
      for (const s of slots) if (!s.dead) s.worker.postMessage({ type: "exit" } satisfies Request);
      resolve({ target: o.target, mode: o.mode, seed, cases, ms: Date.now() - t0, failures, slow, packetSeeds, fileSeeds });
    };

    const assign = (s: Slot): void => {
      const c = nextChunk();
      s.chunk = c;
      if (c === null) {
        maybeFinish();
        return;
      }
      s.lastCase = -1;
      s.since = Date.now();
      s.worker.postMessage({ type: "run", from: c.from, to: c.to } satisfies Request);
    };

    /** The worker died or hung on case `cur`: report it, replace the worker, continue after it. */
    const replace = async (s: Slot, kind: Failure["kind"], message: string, at?: number): Promise<void> => {
      if (s.dead) return;
      s.dead = true;
      // the case the watchdog saw stuck (the worker may have moved on since), or the current one
      const cur = at ?? Atomics.load(s.ctr, 0);
      const chunk = s.chunk;
      s.chunk = null;
      void s.worker.terminate();
      if (s.confirm !== null) {
        // the case outran 5× its budget alone in a fresh worker: a hang (or it died there)
        rebuilding++;
        report(await rebuild(s.confirm.index, kind, kind === "hang" ? `${s.confirm.message}, and again alone in a fresh worker with ${s.timeout} ms` : message));
        rebuilding--;
        maybeFinish();
        return;
      }
      // bookkeeping first (synchronously), so the run cannot look finished meanwhile
      slots[slots.indexOf(s)] = spawn();
      if (kind === "hang" && chunk !== null && cur >= 0) {
        // confirm before calling it a hang: a loaded machine can stall a worker for seconds
        cases += cur - chunk.from + 1;
        if (cur + 1 < chunk.to) pending.push({ from: cur + 1, to: chunk.to });
        slots.push(spawn({ index: cur, message }));
        o.onProgress?.(cases, Date.now() - t0);
        return;
      }
      if (chunk !== null && cur >= 0) {
        cases += cur - chunk.from + 1;
        if (cur + 1 < chunk.to) pending.push({ from: cur + 1, to: chunk.to });
        rebuilding++;
        report(await rebuild(cur, kind, message));
        rebuilding--;
      } else if (chunk !== null) pending.push(chunk);
      o.onProgress?.(cases, Date.now() - t0);
      maybeFinish();
    };

    const spawn = (confirm: Slot["confirm"] = null): Slot => {
      const counter = new SharedArrayBuffer(8);
      const init: WorkerInit = {
        dirs: o.dirs, target: o.target, mode: o.mode, seed, counter,
        maxFileBytes: o.maxFileBytes ?? 64 * 1024, perStack: o.perStack ?? 6, selfTest: o.selfTest, deep: o.deep,
      };
      const worker = new Worker(path.join(__dirname, "worker.js"), {
        workerData: init,
        resourceLimits: { maxOldGenerationSizeMb: o.maxOldMb ?? 512 },
        stdout: false,
        stderr: false,
      });
      const s: Slot = {
        worker, ctr: new Int32Array(counter), ready: false, chunk: null, lastCase: -1, since: Date.now(), dead: false,
        confirm, timeout: confirm === null ? caseTimeout : 5 * caseTimeout,
      };
      worker.on("message", (r: Reply) => {
        if (s.dead) return;
        if (r.type === "ready") {
          s.ready = true;
          packetSeeds = r.packets;
          fileSeeds = r.files;
          if (o.mode === "truncate" && o.count === undefined) end = Math.min(end, r.truncateTotal);
          if (s.confirm !== null) {
            s.chunk = { from: s.confirm.index, to: s.confirm.index + 1 };
            s.since = Date.now();
            worker.postMessage({ type: "run", from: s.confirm.index, to: s.confirm.index + 1 } satisfies Request);
          } else assign(s);
        } else if (r.type === "fail") report(r.failure);
        else if (r.type === "done" && s.confirm !== null) {
          slow.push(s.confirm.index);
          s.dead = true;
          s.chunk = null;
          worker.postMessage({ type: "exit" } satisfies Request);
          maybeFinish();
        } else if (r.type === "done") {
          cases += r.cases;
          o.onProgress?.(cases, Date.now() - t0);
          assign(s);
        }
      });
      worker.on("error", (e: Error & { code?: string }) => {
        if (s.dead) return;
        if (!s.ready && s.chunk === null) {
          reject(e);
          return;
        }
        void replace(s, e.code === "ERR_WORKER_OUT_OF_MEMORY" ? "worker out of memory" : "throw", e.stack ?? String(e));
      });
      worker.on("exit", (code) => {
        if (s.dead || finished) return;
        void replace(s, "throw", `worker exited with code ${code}`);
      });
      return s;
    };

    for (let i = 0; i < nWorkers; i++) slots.push(spawn());

    const watchdog = setInterval(() => {
      const now = Date.now();
      for (const s of slots) {
        if (s.dead || s.chunk === null) continue;
        const cur = Atomics.load(s.ctr, 0);
        if (cur !== s.lastCase) {
          s.lastCase = cur;
          s.since = now;
        } else if (cur >= 0 && now - s.since > s.timeout) {
          void replace(s, "hang", `case ${cur} ran for more than ${s.timeout} ms`, cur);
        }
      }
      // idle slots (a chunk was put back after a replacement)
      for (const s of slots) if (s.ready && !s.dead && s.confirm === null && s.chunk === null && pending.length > 0) assign(s);
      maybeFinish();
    }, 100);
  });
}
