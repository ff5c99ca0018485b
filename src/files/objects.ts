/**
 * capture.files(): one row per HTTP body (request or response) seen in the reassembled TCP
 * streams, like Zeek's files.log: size, declared and sniffed MIME types, md5/sha1/sha256.
 *
 * It runs on the second pass of the application tables (src/flows/apps/scan.ts) with their TCP
 * reassembly and HTTP message framing (HttpDir of src/flows/apps/http.ts, whose BodyObserver sees
 * body bytes with the chunked transfer coding already removed). Content-Encoding gzip/deflate is
 * undone as the bytes pass (./decode.ts, capped); the decoded bytes go to three streaming hashes,
 * a 512-byte sniff window and, only when asked, an extraction file — a body is never held whole.
 *
 * Hashes are set only for a complete object: every byte seen in sequence (no gap), the declared
 * length reached (or the chunked body's last chunk, or the connection's end for a body without
 * either), and decoding finished without error or cap. Otherwise `notes` says why.
 */
import { createHash, type Hash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { contentLength, HttpConnections, HttpDir, METHOD, type BodyObserver, type Head } from "../flows/apps/http";
import { TcpStream } from "../stream/reassembly";
import type { FlowInfo, PayloadSink } from "../flows/payloads";
import { AppTableBuilder, type ColSpec } from "../flows/apps/table";
import { INFLATE_DEFAULTS, Inflater, parseEncoding, type InflateCaps } from "./decode";
import { SNIFF_BYTES, sniffMime } from "./sniff";

export const FILES_COLUMNS: ColSpec[] = [
  { name: "ts", kind: "time" }, { name: "fuid", kind: "string" }, { name: "source", kind: "string" },
  { name: "depth", kind: "count" }, { name: "direction", kind: "enum" }, { name: "method", kind: "string" },
  { name: "host", kind: "string" }, { name: "uri", kind: "string" }, { name: "status_code", kind: "count" },
  { name: "filename", kind: "string" }, { name: "mime_type", kind: "string" }, { name: "declared_mime_type", kind: "string" },
  { name: "content_encoding", kind: "string" }, { name: "seen_bytes", kind: "count" }, { name: "total_bytes", kind: "count" },
  { name: "body_len", kind: "count" }, { name: "missing_bytes", kind: "count" }, { name: "complete", kind: "bool" },
  { name: "md5", kind: "string" }, { name: "sha1", kind: "string" }, { name: "sha256", kind: "string" },
  { name: "extracted", kind: "string" }, { name: "extracted_cutoff", kind: "bool" }, { name: "notes", kind: "set[string]" },
  { name: "rep_status", kind: "enum" }, { name: "rep_verdict", kind: "enum" }, { name: "rep_malicious", kind: "count" },
  { name: "rep_engines", kind: "count" }, { name: "rep_name", kind: "string" },
];

export interface ExtractOptions {
  /** directory the bodies are written into (created if missing) */
  dir: string;
  /** bytes written per file at most (default 64 MiB; past it the file is cut: extracted_cutoff) */
  maxFileBytes?: number;
  /** bytes written in all at most (default 1 GiB; past it no more files are created) */
  maxTotalBytes?: number;
  /** files created at most (default 10,000) */
  maxFiles?: number;
  /** descriptors held open at once at most (default 32): bodies in flight share them, reopened to append */
  maxOpenFiles?: number;
}

export const EXTRACT_DEFAULTS = { maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024, maxFiles: 10_000, maxOpenFiles: 32 };

export interface FilesScanOptions {
  extract?: ExtractOptions;
  inflate?: Partial<InflateCaps>;
  /** objects being decoded at the same time at most (each holds a zlib state; default 1024) */
  maxOpenDecoders?: number;
}

const MAX_PENDING = 256;
const MAX_FILENAME = 255;

/** a name safe to create inside a directory: [A-Za-z0-9._-] only, no leading dot, at most 100 characters */
export function safeName(name: string | undefined): string {
  let s = (name ?? "").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "").slice(0, 100);
  if (s === "" || s === "." || s === "..") s = "file";
  return s;
}

/** Content-Disposition's filename (filename* first), else the URI path's last segment; percent-decoded */
export function fileNameOf(disposition: string | undefined, uri: string | undefined): string | undefined {
  const dec = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
  let name: string | undefined;
  if (disposition !== undefined) {
    const star = /filename\*\s*=\s*([^';]*)'[^']*'([^;\s]+)/i.exec(disposition);
    if (star !== null) name = dec(star[2]);
    else {
      const m = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(disposition);
      if (m !== null) name = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2].trim();
    }
  }
  if ((name === undefined || name === "") && uri !== undefined) {
    let p = uri.replace(/[?#].*$/s, "");
    p = p.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
    const seg = p.slice(p.lastIndexOf("/") + 1);
    if (seg !== "") name = dec(seg);
  }
  if (name === undefined || name === "") return undefined;
  // a name, not a path: the last component of either separator
  name = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  return name === "" ? undefined : name.slice(0, MAX_FILENAME);
}

/** Zeek-like file id: "F" + 17 base62 characters, derived from the flow uid, direction and object number */
export function fileId(uid: string, isOrig: boolean, n: number): string {
  const h = createHash("sha1").update(`${uid}|${isOrig ? 1 : 0}|${n}`).digest();
  const A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let s = "F";
  for (let i = 0; i < 17; i++) s += A[h[i] % 62];
  return s;
}

interface Txn {
  method: string;
  uri?: string;
  host?: string;
  depth: number;
}

/**
 * Writes extracted bodies into one directory. Bodies of interleaved connections are written as
 * their bytes come, through at most maxOpenFiles descriptors: the least recently written file's
 * descriptor is closed when another is needed, and reopened (append, no symlink followed) later.
 */
class Extractor {
  total = 0;
  cutoffs = 0;
  errors = 0;
  files = 0;
  /** bodies not written: past maxFiles, past maxTotalBytes */
  skippedFiles = 0;
  skippedBytes = 0;
  readonly dir: string;
  readonly maxFile: number;
  readonly maxTotal: number;
  readonly maxFiles: number;
  readonly maxOpen: number;
  /** open descriptors by file (insertion order: least recently written first) */
  private readonly fds = new Map<string, number>();
  constructor(o: ExtractOptions) {
    this.dir = path.resolve(o.dir);
    this.maxFile = o.maxFileBytes ?? EXTRACT_DEFAULTS.maxFileBytes;
    this.maxTotal = o.maxTotalBytes ?? EXTRACT_DEFAULTS.maxTotalBytes;
    this.maxFiles = o.maxFiles ?? EXTRACT_DEFAULTS.maxFiles;
    this.maxOpen = Math.max(1, o.maxOpenFiles ?? EXTRACT_DEFAULTS.maxOpenFiles);
    fs.mkdirSync(this.dir, { recursive: true });
  }
  /** whether another file may be created (else counts it as skipped) */
  admit(): boolean {
    if (this.files >= this.maxFiles) { this.skippedFiles++; return false; }
    if (this.total >= this.maxTotal) { this.skippedBytes++; return false; }
    return true;
  }
  /** creates DIR/<fuid>-<safe name>; never outside DIR, never over an existing file or link */
  create(fuid: string, name: string | undefined): string | null {
    const rel = `${fuid}-${safeName(name)}`;
    const full = path.join(this.dir, rel);
    if (path.dirname(full) !== this.dir) return null;
    try {
      this.makeRoom();
      this.fds.set(rel, fs.openSync(full, "wx", 0o644));
      this.files++;
      return rel;
    } catch {
      this.errors++;
      return null;
    }
  }
  private makeRoom(): void {
    while (this.fds.size >= this.maxOpen) {
      const [rel, fd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(rel);
      fs.closeSync(fd);
    }
  }
  /** appends b[o, o+n) to the file (throws on failure) */
  write(rel: string, b: Uint8Array, o: number, n: number): void {
    let fd = this.fds.get(rel);
    if (fd !== undefined) this.fds.delete(rel); // to the most recent end
    else {
      this.makeRoom();
      fd = fs.openSync(path.join(this.dir, rel), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
    }
    this.fds.set(rel, fd);
    for (let done = 0; done < n;) done += fs.writeSync(fd, b, o + done, n - done);
  }
  close(rel: string): void {
    const fd = this.fds.get(rel);
    if (fd === undefined) return;
    this.fds.delete(rel);
    try { fs.closeSync(fd); } catch { /* closed */ }
  }
  closeAll(): void {
    for (const rel of [...this.fds.keys()]) this.close(rel);
  }
}

/** One HTTP body on its way through decoding, hashing, sniffing and extraction. */
class FileObj implements BodyObserver {
  row = -1;
  body = 0;
  seen = 0;
  missing = 0;
  private hashes: Hash[] | null = null;
  private sniff: Buffer | null = null;
  private sniffLen = 0;
  private inflater: Inflater | null = null;
  /** whether this body counts against maxOpenDecoders (until its decoding ends or stops) */
  private holdsDecoder = false;
  readonly notes = new Set<string>();
  /** the extraction file being written (undefined: none, or it stopped) */
  private writing: string | undefined;
  private written = 0;
  private cutoff = false;
  private rel: string | undefined;
  private readonly encodings: ("gzip" | "deflate")[] | null;
  private gapped = false;

  constructor(
    private readonly app: FilesApp,
    readonly flow: number,
    readonly isOrig: boolean,
    readonly head: Head,
    readonly txn: Txn,
    readonly status: number | undefined,
    readonly framing: number | "chunked" | "eof",
    readonly time: () => number,
  ) {
    this.encodings = parseEncoding(head.headers.get("content-encoding"));
  }

  private ensureRow(): void {
    if (this.row >= 0) return;
    const T = this.app.t, h = this.head.headers;
    const r = (this.row = T.row(this.flow));
    const fuid = this.app.nextFuid(this.flow, this.isOrig);
    T.num(r, "ts", this.time());
    T.str(r, "fuid", fuid);
    T.str(r, "source", "HTTP");
    T.num(r, "depth", this.txn.depth);
    T.str(r, "direction", this.isOrig ? "orig" : "resp");
    T.str(r, "method", this.txn.method || undefined);
    T.str(r, "host", this.txn.host);
    T.str(r, "uri", this.txn.uri);
    T.num(r, "status_code", this.status);
    const name = fileNameOf(h.get("content-disposition"), this.txn.uri);
    T.str(r, "filename", name);
    const ct = h.get("content-type");
    if (ct !== undefined) T.str(r, "declared_mime_type", ct.split(";")[0].trim().toLowerCase().slice(0, 255));
    T.str(r, "content_encoding", h.get("content-encoding")?.slice(0, 255));
    if (typeof this.framing === "number") T.num(r, "total_bytes", this.framing);
    this.hashes = [createHash("md5"), createHash("sha1"), createHash("sha256")];
    this.sniff = Buffer.allocUnsafe(SNIFF_BYTES);
    if (this.encodings === null) { this.notes.add("encoding_unsupported"); this.hashes = null; }
    else if (this.encodings.length === 1) {
      if (!this.app.openDecoder()) { this.notes.add("decoder_limit"); this.hashes = null; }
      else {
        this.holdsDecoder = true;
        this.inflater = new Inflater(this.encodings[0], this.app.inflateCaps, (b, o, e) => { this.decoded(b, o, e); return true; });
      }
    }
    const ex = this.app.extractor;
    if (ex !== null) {
      if (!ex.admit()) this.cutoff = true; // not written: a cap (counted in the warnings)
      else {
        const rel = ex.create(fuid, name);
        if (rel !== null) { this.writing = this.rel = rel; } else this.notes.add("extract_failed");
      }
    }
  }

  /** decoded bytes: hashes, sniff window, extraction */
  private decoded(b: Uint8Array, o: number, e: number): void {
    this.seen += e - o;
    if (this.hashes !== null) { const v = b.subarray(o, e); for (const h of this.hashes) h.update(v); }
    if (this.sniff !== null && this.sniffLen < SNIFF_BYTES) {
      const n = Math.min(SNIFF_BYTES - this.sniffLen, e - o);
      this.sniff.set(b.subarray(o, o + n), this.sniffLen);
      this.sniffLen += n;
    }
    if (this.writing !== undefined) {
      const ex = this.app.extractor as Extractor;
      const room = Math.min(ex.maxFile - this.written, ex.maxTotal - ex.total);
      const n = Math.min(room, e - o);
      if (n > 0) {
        try {
          ex.write(this.writing, b, o, n);
        } catch {
          this.notes.add("extract_failed");
          this.closeFd();
          return;
        }
        this.written += n; ex.total += n;
      }
      if (n < e - o) { this.cutoff = true; ex.cutoffs++; this.closeFd(); }
    }
  }

  bodyData(b: Uint8Array, off: number, end: number): void {
    if (end <= off) return;
    this.ensureRow();
    this.body += end - off;
    if (this.gapped) return; // after a gap nothing can be decoded or hashed; only counted
    if (this.encodings === null) return;
    if (this.inflater !== null) {
      this.inflater.push(b, off, end);
      if (this.inflater.stopped !== null) this.releaseDecoder(); // a bomb does not hold a decoder slot
    }
    else if (this.encodings.length === 0) this.decoded(b, off, end);
  }

  bodyGap(n: number): void {
    if (n <= 0) return;
    this.ensureRow();
    this.body += n;
    this.missing += n;
    this.gapped = true;
    this.notes.add("gap");
    this.hashes = null;
  }

  /** the body ended: `complete` when its framing says all of it was seen */
  close(ended: boolean): void {
    if (this.row < 0) { this.release(); return; }
    const T = this.app.t, r = this.row;
    if (!ended) {
      this.notes.add("truncated");
      if (typeof this.framing === "number" && this.framing > this.body) this.missing += this.framing - this.body;
    }
    const inf = this.inflater;
    if (inf !== null) {
      if (inf.stopped === "bomb") { this.notes.add("decompression_bomb"); this.app.bombs++; }
      else if (inf.stopped === "error" && !this.gapped) this.notes.add("decode_error");
    }
    const complete = ended && this.missing === 0 && !this.gapped && this.encodings !== null &&
      (inf === null || inf.stopped === null) && !this.notes.has("decoder_limit");
    T.num(r, "seen_bytes", this.seen);
    T.num(r, "body_len", this.body);
    T.num(r, "missing_bytes", this.missing);
    T.bool(r, "complete", complete);
    if (this.sniff !== null && this.sniffLen > 0) T.str(r, "mime_type", sniffMime(this.sniff, this.sniffLen));
    if (complete && this.hashes !== null) {
      const [md5, sha1, sha256] = this.hashes;
      T.str(r, "md5", md5.digest("hex"));
      T.str(r, "sha1", sha1.digest("hex"));
      const hex = sha256.digest("hex");
      T.str(r, "sha256", hex);
      this.app.sha256s.set(r, hex);
    }
    if (this.rel !== undefined) T.str(r, "extracted", this.rel);
    if (this.app.extractor !== null) T.bool(r, "extracted_cutoff", this.cutoff);
    if (!complete) this.app.incomplete++;
    T.list(r, "notes", [...this.notes].sort());
    this.release();
  }

  private releaseDecoder(): void {
    if (this.holdsDecoder) { this.holdsDecoder = false; this.app.closeDecoder(); }
  }

  private closeFd(): void {
    if (this.writing !== undefined) { this.app.extractor?.close(this.writing); this.writing = undefined; }
  }

  private release(): void {
    this.closeFd();
    if (this.inflater !== null) { this.inflater.close(); this.releaseDecoder(); this.inflater = null; }
    this.hashes = null;
    this.sniff = null;
  }
}

interface Conn {
  orig: TcpStream;
  resp: TcpStream;
  origDir: HttpDir;
  respDir: HttpDir;
  pending: Txn[];
  lastReq: Txn | null;
  depth: number;
  time: number;
  rejected: boolean;
  cur: [FileObj | null, FileObj | null];
  finishing: boolean;
}

/** The second-pass consumer that builds the files table. */
export class FilesApp extends HttpConnections<Conn> implements PayloadSink {
  readonly t = new AppTableBuilder(FILES_COLUMNS);
  readonly extractor: Extractor | null;
  readonly inflateCaps: InflateCaps;
  private readonly perFlow = new Map<number, number>();
  private openDecoders = 0;
  private readonly maxOpenDecoders: number;
  bombs = 0;
  incomplete = 0;
  /** staged row → SHA-256 of the complete objects */
  readonly sha256s = new Map<number, string>();
  private decoderLimit = 0;

  constructor(private readonly uidOf: (flowRow: number) => string, opts: FilesScanOptions = {}) {
    super();
    this.extractor = opts.extract !== undefined ? new Extractor(opts.extract) : null;
    this.inflateCaps = { ...INFLATE_DEFAULTS, ...opts.inflate };
    this.maxOpenDecoders = opts.maxOpenDecoders ?? 1024;
  }

  nextFuid(flow: number, isOrig: boolean): string {
    const n = (this.perFlow.get(flow) ?? 0) + 1;
    this.perFlow.set(flow, n);
    return fileId(this.uidOf(flow), isOrig, n);
  }

  openDecoder(): boolean {
    if (this.openDecoders >= this.maxOpenDecoders) { this.decoderLimit++; return false; }
    this.openDecoders++;
    return true;
  }

  closeDecoder(): void {
    this.openDecoders--;
  }

  wants(f: FlowInfo): boolean {
    return f.proto === "tcp";
  }

  protected conn(f: FlowInfo): Conn {
    const c = { pending: [], lastReq: null, depth: 0, time: 0, rejected: false, cur: [null, null], finishing: false } as unknown as Conn;
    const time = () => c.time;
    const begin = (isOrig: boolean, h: Head, txn: Txn, status: number | undefined, framing: number | "chunked" | "eof") => {
      const i = isOrig ? 0 : 1;
      c.cur[i]?.close(false);
      c.cur[i] = new FileObj(this, f.row, isOrig, h, txn, status, framing, time);
      return { len: framing };
    };
    const end = (isOrig: boolean) => {
      const i = isOrig ? 0 : 1;
      const o = c.cur[i];
      if (o === null) return;
      c.cur[i] = null;
      // HttpDir.finish() ends a body read to the connection's end normally, any other body early
      o.close(!c.finishing || o.framing === "eof");
    };
    c.origDir = new HttpDir(true, (h) => {
      const m = /^(\S+) (\S+)(?: HTTP\/(\d+\.\d+))?\s*$/.exec(h.start);
      if (m === null || !METHOD.test(m[1])) return null;
      const txn: Txn = { method: m[1], uri: m[2], host: h.headers.get("host"), depth: ++c.depth };
      c.pending.push(txn);
      if (c.pending.length > MAX_PENDING) c.pending.shift();
      c.lastReq = txn;
      if (m[1] === "CONNECT") return null;
      return begin(true, h, txn, undefined, contentLength(h) ?? 0);
    }, () => end(true));
    c.respDir = new HttpDir(false, (h) => {
      const m = /^HTTP\/(\d+\.\d+) +(\d{3})(?: (.*))?$/.exec(h.start);
      if (m === null) return null;
      const code = Number(m[2]);
      if (code >= 100 && code < 200 && code !== 101) return { len: 0 };
      const txn = c.pending.shift() ?? { method: "", depth: ++c.depth };
      if (code === 101) return null;
      const noBody = txn.method === "HEAD" || code === 204 || code === 304;
      return begin(false, h, txn, code, noBody ? 0 : contentLength(h) ?? "eof");
    }, () => end(false));
    const observer = (i: 0 | 1): BodyObserver => ({
      bodyData: (b, o, e) => c.cur[i]?.bodyData(b, o, e),
      bodyGap: (n) => c.cur[i]?.bodyGap(n),
    });
    c.origDir.observer = observer(0);
    c.respDir.observer = observer(1);
    c.orig = new TcpStream(c.origDir);
    c.resp = new TcpStream(c.respDir);
    this.conns.set(f.row, c);
    return c;
  }

  finish(): void {
    for (const c of this.conns.values()) {
      if (c.rejected) continue;
      c.orig.finish();
      c.resp.finish();
      c.finishing = true;
      c.origDir.finish();
      c.respDir.finish();
      // a body whose direction lost its message boundaries (damaged chunk) never ended
      for (const o of c.cur) o?.close(false);
      c.cur = [null, null];
    }
    this.conns.clear();
    const w = this.t.warnings;
    if (this.bombs > 0) w.push(`files: ${this.bombs} bodies stopped decoding at the decompression caps (${this.inflateCaps.maxDecodedBytes} bytes, ratio ${this.inflateCaps.maxRatio}): a decompression bomb?`);
    if (this.decoderLimit > 0) w.push(`files: ${this.decoderLimit} bodies not decoded (over ${this.maxOpenDecoders} decoding at once)`);
    const ex = this.extractor;
    if (ex !== null) {
      ex.closeAll();
      if (ex.cutoffs > 0) w.push(`files: ${ex.cutoffs} extracted files cut at the extraction caps (${ex.maxFile} bytes a file, ${ex.maxTotal} in all)`);
      if (ex.skippedFiles > 0) w.push(`files: ${ex.skippedFiles} files not extracted: the cap of ${ex.maxFiles} files (maxFiles) was reached`);
      if (ex.skippedBytes > 0) w.push(`files: ${ex.skippedBytes} files not extracted: the cap of ${ex.maxTotal} bytes in all (maxTotalBytes) was reached`);
      if (ex.errors > 0) w.push(`files: ${ex.errors} files could not be created in ${ex.dir}`);
    }
  }
}
