/**
 * Progress of a long load shown in the cell while it runs: one display (display_id) updated in
 * place with update_display_data, replaced at the end by a one-line result.
 */
import { randomBytes } from "crypto";
import { getChannel } from "./channel";
import { escapeHtml } from "../html/escape";
import { formatBytes, formatDuration } from "./capture";
import { MIME } from "./mime";

export interface LoadProgress {
  bytes: number;
  totalBytes: number;
  packets: number;
}

export interface ProgressOptions {
  /** Show nothing for loads shorter than this (ms, default 300 or $WIREBOOK_PROGRESS_DELAY_MS). */
  delayMs?: number;
  /** At most one update per this many ms (default 200). */
  intervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) ? v : fallback;
}

/** The bundle for one progress state. */
export function progressBundle(label: string, p: LoadProgress, elapsedMs: number, done = false): Record<string, string> {
  const frac = p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : 0;
  const pct = Math.round(frac * 100);
  const text = done
    ? `${label}: ${p.packets.toLocaleString("en-US")} packets, ${formatBytes(p.bytes)} in ${formatDuration(elapsedMs / 1000)}`
    : `${label}: ${pct}% (${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}), ${p.packets.toLocaleString("en-US")} packets, ${formatDuration(elapsedMs / 1000)}`;
  const bar = done ? "" : `<progress value="${pct}" max="100" style="width:240px;vertical-align:middle"></progress> `;
  return {
    [MIME.html]: `<div class="wirebook-progress" style="font-size:12px;color:#555">${bar}${escapeHtml(text)}</div>`,
    [MIME.plain]: text,
  };
}

/**
 * An `onProgress` callback that shows and updates a progress line in the current cell, and
 * `finish()` / `fail()` to close it. Nothing is shown for loads shorter than `delayMs`.
 */
export function progressReporter(label: string, options: ProgressOptions = {}) {
  const delay = options.delayMs ?? envNumber("WIREBOOK_PROGRESS_DELAY_MS", 300);
  const interval = options.intervalMs ?? 200;
  const now = options.now ?? Date.now;
  const start = now();
  const id = randomBytes(8).toString("hex");
  const channel = getChannel();
  let shown = false;
  let lastUpdate = -Infinity;
  let last: LoadProgress = { bytes: 0, totalBytes: 0, packets: 0 };
  const send = (data: Record<string, string>) => {
    if (!channel) return;
    channel.send(shown ? "update_display_data" : "display_data", { data, metadata: {}, transient: { display_id: id } });
    shown = true;
  };
  return {
    id,
    onProgress(p: LoadProgress): void {
      last = p;
      const t = now();
      if (t - start < delay || t - lastUpdate < interval) return;
      lastUpdate = t;
      send(progressBundle(label, p, t - start));
    },
    /** Replaces the progress line by the result line (only if a progress line was shown). */
    finish(final?: Partial<LoadProgress>): void {
      if (!shown) return;
      send(progressBundle(label, { ...last, ...final }, now() - start, true));
    },
    fail(err: unknown): void {
      if (!shown) return;
      const msg = err instanceof Error ? err.message : String(err);
      send({ [MIME.html]: `<div class="wirebook-progress" style="color:#a00">${escapeHtml(`${label}: failed: ${msg}`)}</div>`, [MIME.plain]: `${label}: failed: ${msg}` });
    },
    get shown() {
      return shown;
    },
  };
}

/**
 * Wraps an `open(path, options)` so that its loads show progress in the cell: the kernel's
 * prelude gives every notebook `wb.open` wrapped this way. A caller's own onProgress still runs.
 */
export function withProgress<O extends { onProgress?: (p: LoadProgress) => void }, R extends { count?: number }>(
  open: (path: string, options?: O) => Promise<R>,
  options: ProgressOptions = {},
): (path: string, options?: O) => Promise<R> {
  return async (path: string, o?: O): Promise<R> => {
    if (!getChannel()) return open(path, o);
    const label = path.split(/[\\/]/).pop() || path;
    const reporter = progressReporter(label, options);
    const user = o?.onProgress;
    const opts = {
      ...(o ?? {}),
      onProgress: (p: LoadProgress) => {
        reporter.onProgress(p);
        if (user) user(p);
      },
    } as O;
    try {
      const result = await open(path, opts);
      reporter.finish(typeof result?.count === "number" ? { packets: result.count } : undefined);
      return result;
    } catch (e) {
      reporter.fail(e);
      throw e;
    }
  };
}
