/**
 * File objects: `await capture.files(opts?)` → an AppTable like Zeek's files.log, one row per HTTP
 * body carried by the capture's reassembled TCP streams, with sizes, declared and sniffed MIME
 * types and md5/sha1/sha256 (./objects.ts); optional extraction into a directory and an optional,
 * explicitly enabled reputation lookup (./reputation.ts). See docs/files.md.
 *
 * Capture gets `files()` here (module augmentation, as src/flows/apps adds http()): importing this
 * module (src/index.ts does) is what adds it.
 */
import { Capture } from "../table/capture";
import "../flows";
import type { FlowTable } from "../flows/table";
import { scanPayloads } from "../flows/payloads";
import { passTable, sharePass, timeOrder } from "../flows/apps";
import type { AppTable } from "../flows/apps/table";
import type { InflateCaps } from "./decode";
import { FilesApp, type ExtractOptions } from "./objects";
import { VirusTotalProvider, type ReputationProvider, type Verdict, type VirusTotalOptions } from "./reputation";

export { FILES_COLUMNS, FilesApp, fileNameOf, safeName, fileId, type ExtractOptions } from "./objects";
export { sniffMime, SNIFF_BYTES } from "./sniff";
export { Inflater, INFLATE_DEFAULTS, parseEncoding, type InflateCaps } from "./decode";
export { VirusTotalProvider, VerdictCache, parseVirusTotal, defaultCacheDir, type ReputationProvider, type Verdict, type VirusTotalOptions, type RepStatus, type RepVerdict } from "./reputation";

export interface FilesOptions {
  /** the capture's flow table (capture.flows()), when already computed */
  flows?: FlowTable;
  /** write each body into this directory (or { dir, maxFileBytes, maxTotalBytes }) */
  extract?: string | ExtractOptions;
  /** caps on Content-Encoding decoding (decoded size, ratio) */
  inflate?: Partial<InflateCaps>;
  /**
   * Look the complete objects' SHA-256 up: "virustotal" (needs VT_API_KEY or
   * reputationOptions.apiKey), or any ReputationProvider. Default: none (offline).
   */
  reputation?: "virustotal" | ReputationProvider | false;
  /** options of the VirusTotal client (cache directory, base URL, rate, …) */
  reputationOptions?: VirusTotalOptions;
}

declare module "../table/capture" {
  interface Capture {
    /** HTTP bodies as files (Zeek's files.log columns): sizes, MIME types, md5/sha1/sha256; offline unless reputation is asked. */
    files(opts?: FilesOptions): Promise<AppTable>;
  }
}



/** Fills the rep_* columns from a provider; every failure becomes a status, never a throw. */
async function addReputation(app: FilesApp, provider: ReputationProvider, warnings: string[]): Promise<void> {
  const T = app.t;
  const rows = [...app.sha256s];
  if (rows.length === 0) return;
  let verdicts: Map<string, Verdict>;
  try {
    verdicts = await provider.lookup([...new Set(rows.map(([, s]) => s))]);
  } catch (e) {
    verdicts = new Map();
    warnings.push(`files: reputation lookup (${provider.name}) failed: ${(e as Error)?.message ?? String(e)}`);
  }
  const counts = new Map<string, number>();
  for (const [r, sha] of rows) {
    const v: Verdict = verdicts.get(sha) ?? { status: "error", error: "no answer from the provider" };
    const status = typeof v.status === "string" ? v.status : "error";
    counts.set(status, (counts.get(status) ?? 0) + 1);
    T.str(r, "rep_status", status);
    if (status === "found") {
      T.str(r, "rep_verdict", v.verdict);
      T.num(r, "rep_malicious", v.malicious);
      T.num(r, "rep_engines", v.engines);
      T.str(r, "rep_name", v.name);
    }
  }
  const bad = [...counts].filter(([s]) => s !== "found" && s !== "not_found");
  if (bad.length > 0) warnings.push(`files: reputation (${provider.name}): ${bad.map(([s, n]) => `${n} ${s}`).join(", ")}`);
}

sharePass("files", (uid) => new FilesApp(uid, {}));

/** The files table of a capture. */
export async function files(cap: Capture, opts: FilesOptions = {}): Promise<AppTable> {
  let ft = opts.flows;
  if (ft !== undefined) {
    if (ft.capture !== cap) throw new Error("opts.flows is the flow table of another capture (or view)");
  } else {
    ft = cap.flows();
  }
  const plain = opts.extract === undefined && opts.inflate === undefined && (opts.reputation === undefined || opts.reputation === false);
  // the plain table comes from the payload pass the application tables share (computed once)
  if (plain) return passTable(cap, ft, "files");
  const uid = ft.column("uid");
  const extract = typeof opts.extract === "string" ? { dir: opts.extract } : opts.extract;
  const app = new FilesApp((r) => String(uid.get(r)), { extract, inflate: opts.inflate });
  const stats = await scanPayloads(cap, ft, app);
  const w = app.t.warnings;
  if (stats.missing > 0) w.push(`files: ${stats.missing} packets could not be read again (the file changed since it was opened, or they are past a live capture's record cap)`);
  if (opts.reputation !== undefined && opts.reputation !== false) {
    let provider: ReputationProvider;
    if (opts.reputation === "virustotal") {
      const vt = new VirusTotalProvider(opts.reputationOptions);
      if (!vt.hasKey) w.push("files: reputation: VT_API_KEY is not set, so no lookups were made (rep_status no_key; cached answers are used)");
      provider = vt;
    } else provider = opts.reputation;
    await addReputation(app, provider, w);
    const pw = (provider as { warnings?: unknown }).warnings;
    if (Array.isArray(pw)) for (const x of pw) w.push(`files: ${String(x)}`);
  }
  return app.t.finish("files", ft, timeOrder(app.t));
}

(Capture.prototype as unknown as Record<string, unknown>).files = function filesMethod(this: Capture, opts?: FilesOptions): Promise<AppTable> {
  return files(this, opts);
};
