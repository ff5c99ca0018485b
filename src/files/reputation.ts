/**
 * Reputation lookups of file hashes: the ReputationProvider interface and a VirusTotal v3 client.
 *
 * Offline by default: nothing here runs unless a caller asks for it (capture.files({ reputation:
 * "virustotal" }) or `wirebook files --reputation virustotal`) AND an API key is set (VT_API_KEY,
 * or the apiKey option). Answers are cached on disk (a JSON file, ~/.cache/wirebook/virustotal.json
 * by default; found entries for 7 days, not-found for 1), requests are rate-limited (4 a minute,
 * the public API's quota; a sliding window shared by the clients of one base URL in this process)
 * and bounded per call (maxLookups). Nothing throws: every failure is a per-hash status.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../io/tempfile";

export type RepStatus = "found" | "not_found" | "error" | "rate_limited" | "no_key" | "skipped";
export type RepVerdict = "malicious" | "suspicious" | "harmless" | "undetected";

export interface Verdict {
  status: RepStatus;
  /** found: the provider's overall judgement */
  verdict?: RepVerdict;
  /** found: engines that said malicious / suspicious / harmless / undetected, and all engines */
  malicious?: number;
  suspicious?: number;
  harmless?: number;
  undetected?: number;
  engines?: number;
  /** found: the provider's name for the file (VirusTotal's meaningful_name) */
  name?: string;
  /** error, skipped, rate_limited: why */
  error?: string;
  /** epoch seconds of the answer */
  fetched?: number;
  /** answered from the cache */
  cached?: boolean;
}

export interface ReputationProvider {
  readonly name: string;
  /** A verdict for every hash asked (lower-case hex SHA-256). Never rejects. */
  lookup(sha256s: string[]): Promise<Map<string, Verdict>>;
}

export interface VirusTotalOptions {
  /** default: the VT_API_KEY environment variable */
  apiKey?: string;
  /** default https://www.virustotal.com/api/v3 (tests point this at a server on 127.0.0.1) */
  baseUrl?: string;
  /** where virustotal.json is kept (default ~/.cache/wirebook; XDG_CACHE_HOME respected); null: no disk cache */
  cacheDir?: string | null;
  /** seconds a found answer is reused (default 7 days) and a not-found one (default 1 day) */
  cacheTtl?: number;
  notFoundTtl?: number;
  /** requests a minute at most (default 4, the public API's quota) */
  perMinute?: number;
  /** network requests in one lookup() call at most (default 50); the rest are "skipped" */
  maxLookups?: number;
  /** per request (default 15 s) */
  timeoutMs?: number;
  /** injected for tests */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MAX_RESPONSE = 4 * 1024 * 1024;
const MAX_CACHE_ENTRIES = 50_000;

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== "" ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(base, "wirebook");
}

/** Sliding-window limiter: at most `perMinute` starts in any 60 s. */
class RateLimiter {
  private starts: number[] = [];
  constructor(private perMinute: number) {}
  setRate(n: number): void { this.perMinute = Math.max(1, n); }
  async take(now: () => number, sleep: (ms: number) => Promise<void>): Promise<void> {
    for (;;) {
      const t = now();
      this.starts = this.starts.filter((s) => t - s < 60_000);
      if (this.starts.length < this.perMinute) { this.starts.push(t); return; }
      await sleep(Math.max(1, this.starts[0] + 60_000 - t));
    }
  }
}
const limiters = new Map<string, RateLimiter>();

interface CacheFile {
  version: 1;
  entries: Record<string, Verdict>;
}

/** A JSON cache on disk: read once, written whole (temporary file + rename) after a lookup that added answers. */
export class VerdictCache {
  private entries: Map<string, Verdict> | null = null;
  private dirty = false;
  warning: string | undefined;
  constructor(readonly file: string | null) {}

  private load(): Map<string, Verdict> {
    if (this.entries !== null) return this.entries;
    this.entries = new Map();
    if (this.file === null) return this.entries;
    try {
      const st = fs.statSync(this.file);
      if (st.size > 256 * 1024 * 1024) throw new Error("over 256 MiB");
      const j = JSON.parse(fs.readFileSync(this.file, "utf8")) as CacheFile;
      if (j !== null && typeof j === "object" && j.entries !== null && typeof j.entries === "object") {
        for (const [k, v] of Object.entries(j.entries)) if (SHA256.test(k) && v !== null && typeof v === "object" && typeof v.status === "string") this.entries.set(k, v);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.warning = `reputation cache ${this.file} unreadable (${(e as Error).message}): starting empty`;
    }
    return this.entries;
  }

  get(sha: string, now: number, ttl: number, notFoundTtl: number): Verdict | undefined {
    const v = this.load().get(sha);
    if (v === undefined || v.fetched === undefined) return undefined;
    const age = now - v.fetched;
    if (age < 0 || age > (v.status === "found" ? ttl : notFoundTtl)) return undefined;
    return { ...v, cached: true };
  }

  set(sha: string, v: Verdict): void {
    const m = this.load();
    m.delete(sha);
    m.set(sha, { ...v, cached: undefined });
    while (m.size > MAX_CACHE_ENTRIES) m.delete(m.keys().next().value as string);
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty || this.file === null || this.entries === null) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const out: CacheFile = { version: 1, entries: Object.fromEntries(this.entries) };
      // an unpredictable name beside the cache, created exclusively (a planted symlink is refused)
      writeFileAtomic(this.file, JSON.stringify(out), 0o600);
      this.dirty = false;
    } catch (e) {
      this.warning = `reputation cache ${this.file} not written: ${(e as Error).message}`;
    }
  }
}

/** VirusTotal's answer for one file → a Verdict (null when the JSON is not one) */
export function parseVirusTotal(j: unknown, now: number): Verdict | null {
  const attrs = (j as { data?: { attributes?: Record<string, unknown> } })?.data?.attributes;
  if (attrs === undefined || attrs === null || typeof attrs !== "object") return null;
  const stats = (attrs.last_analysis_stats ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof stats[k] === "number" && Number.isFinite(stats[k]) ? (stats[k] as number) : 0);
  let engines = 0;
  for (const v of Object.values(stats)) if (typeof v === "number" && Number.isFinite(v)) engines += v;
  const malicious = n("malicious"), suspicious = n("suspicious"), harmless = n("harmless"), undetected = n("undetected");
  const verdict: RepVerdict = malicious > 0 ? "malicious" : suspicious > 0 ? "suspicious" : harmless > 0 ? "harmless" : "undetected";
  const name = typeof attrs.meaningful_name === "string" ? attrs.meaningful_name.slice(0, 255) : undefined;
  return { status: "found", verdict, malicious, suspicious, harmless, undetected, engines, name, fetched: now };
}

/** Reads a response body, at most `max` bytes (null past it). */
async function readCapped(res: Response, max: number): Promise<string | null> {
  if (res.body === null) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) { await reader.cancel().catch(() => undefined); return null; }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** what an HTTP header value may hold here: visible ASCII (VirusTotal keys are 64 hex digits) */
const HEADER_VALUE = /^[\x21-\x7e]+$/;

/** VirusTotal v3: GET {baseUrl}/files/{sha256} with the x-apikey header. */
export class VirusTotalProvider implements ReputationProvider {
  readonly name = "virustotal";
  readonly baseUrl: string;
  readonly cache: VerdictCache;
  private readonly key: string | undefined;
  private readonly o: Required<Omit<VirusTotalOptions, "apiKey" | "baseUrl" | "cacheDir">>;
  /** network requests made (for tests and reports) */
  requests = 0;
  warnings: string[] = [];

  constructor(opts: VirusTotalOptions = {}) {
    const k = opts.apiKey ?? process.env.VT_API_KEY;
    this.key = k !== undefined && k.trim() !== "" ? k.trim() : undefined;
    this.baseUrl = (opts.baseUrl ?? "https://www.virustotal.com/api/v3").replace(/\/+$/, "");
    const dir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
    this.cache = new VerdictCache(dir === null ? null : path.join(dir, "virustotal.json"));
    this.o = {
      cacheTtl: opts.cacheTtl ?? 7 * 86400, notFoundTtl: opts.notFoundTtl ?? 86400, perMinute: opts.perMinute ?? 4,
      maxLookups: opts.maxLookups ?? 50, timeoutMs: opts.timeoutMs ?? 15_000,
      now: opts.now ?? (() => Date.now()), sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    };
  }

  /** `text` without the API key in it */
  private redact(text: string): string {
    return this.key === undefined ? text : text.split(this.key).join("(key not shown)");
  }

  /** whether an API key is set (no key: lookups answer "no_key" without touching the network) */
  get hasKey(): boolean {
    return this.key !== undefined;
  }

  private limiter(): RateLimiter {
    let l = limiters.get(this.baseUrl);
    if (l === undefined) { l = new RateLimiter(this.o.perMinute); limiters.set(this.baseUrl, l); }
    l.setRate(this.o.perMinute);
    return l;
  }

  private async one(sha: string): Promise<Verdict> {
    const now = this.o.now() / 1000;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.o.timeoutMs);
    try {
      const res = await fetch(`${this.baseUrl}/files/${sha}`, { headers: { "x-apikey": this.key as string, accept: "application/json" }, signal: ctl.signal, redirect: "error" });
      const body = await readCapped(res, MAX_RESPONSE);
      if (res.status === 404) return { status: "not_found", fetched: now };
      if (res.status === 429) return { status: "rate_limited", error: "HTTP 429 (quota exceeded)" };
      if (res.status === 401 || res.status === 403) return { status: "error", error: `HTTP ${res.status} (API key refused)` };
      if (res.status !== 200) return { status: "error", error: `HTTP ${res.status}` };
      if (body === null) return { status: "error", error: `response over ${MAX_RESPONSE} bytes` };
      let j: unknown;
      try { j = JSON.parse(body); } catch { return { status: "error", error: "response is not JSON" }; }
      return parseVirusTotal(j, now) ?? { status: "error", error: "response has no data.attributes" };
    } catch (e) {
      const err = e as Error;
      return { status: "error", error: err.name === "AbortError" ? `no answer in ${this.o.timeoutMs} ms` : `network: ${this.redact((err as { cause?: Error }).cause?.message ?? err.message)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async lookup(sha256s: string[]): Promise<Map<string, Verdict>> {
    const out = new Map<string, Verdict>();
    try {
      const todo: string[] = [];
      const now = this.o.now() / 1000;
      for (const raw of sha256s) {
        const sha = String(raw).toLowerCase();
        if (out.has(sha)) continue;
        if (!SHA256.test(sha)) { out.set(sha, { status: "skipped", error: "not a SHA-256" }); continue; }
        const hit = this.cache.get(sha, now, this.o.cacheTtl, this.o.notFoundTtl);
        if (hit !== undefined) { out.set(sha, hit); continue; }
        if (this.key === undefined) { out.set(sha, { status: "no_key", error: "VT_API_KEY is not set" }); continue; }
        if (!HEADER_VALUE.test(this.key)) {
          // never sent, and never shown: an error message must not carry the key
          out.set(sha, { status: "error", error: "the API key has characters an HTTP header cannot carry (key not shown)" });
          continue;
        }
        out.set(sha, { status: "skipped", error: "not looked up" });
        todo.push(sha);
      }
      let stop: Verdict | null = null, netErrors = 0;
      for (let i = 0; i < todo.length; i++) {
        const sha = todo[i];
        if (stop !== null) { out.set(sha, stop); continue; }
        if (i >= this.o.maxLookups) { out.set(sha, { status: "skipped", error: `over maxLookups (${this.o.maxLookups}) in one call` }); continue; }
        await this.limiter().take(this.o.now, this.o.sleep);
        this.requests++;
        const v = await this.one(sha);
        out.set(sha, v);
        if (v.status === "found" || v.status === "not_found") { this.cache.set(sha, v); netErrors = 0; }
        else if (v.status === "rate_limited") stop = { status: "rate_limited", error: "the provider's quota was exceeded earlier in this call" };
        else if (/API key refused/.test(v.error ?? "")) stop = { status: "error", error: v.error };
        else if (++netErrors >= 3) stop = { status: "error", error: `gave up after ${netErrors} failed requests in a row (last: ${v.error})` };
      }
      this.cache.save();
      if (this.cache.warning !== undefined && !this.warnings.includes(this.cache.warning)) this.warnings.push(this.cache.warning);
    } catch (e) {
      for (const s of sha256s) if (!out.has(s) || out.get(s)?.status === "skipped") out.set(s, { status: "error", error: this.redact((e as Error).message) });
    }
    return out;
  }
}
