/**
 * capture.files(): agreement with `tshark --export-objects http` (sizes and hashes of every
 * exported object) on the shared corpus, data/ and hand-built gzip/deflate/chunked conversations;
 * hostile bodies (lying Content-Length, endless chunked, gzip bomb, gaps, traversal file names);
 * MIME sniffing; the reputation interface with a fake provider and the VirusTotal client against a
 * server on 127.0.0.1 (never the real service); the CLI.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { CLI, DATA, hasTool, NO_SHARED, SHARED } from "../helpers/paths";
import { open } from "../../src/table/load";
import "../../src/files";
import { fileNameOf, safeName, sniffMime, VirusTotalProvider, type ReputationProvider, type Verdict } from "../../src/files";
import type { AppTable } from "../../src/flows/apps";
import { chunked, conversation, request, response } from "./build";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-files-"));
const TSHARK = hasTool("tshark");

function writePcap(name: string, bytes: Buffer): string {
  const p = path.join(tmpDir(), name);
  fs.writeFileSync(p, bytes);
  return p;
}

async function filesOf(file: string, opts: Parameters<import("../../src/table/capture").Capture["files"]>[0] = {}): Promise<AppTable> {
  return (await open(file)).files(opts);
}

/** "size md5 sha256" of every file tshark exports, sorted */
function tsharkObjects(file: string): string[] {
  const dir = tmpDir();
  execFileSync("tshark", ["-r", file, "-q", "--export-objects", `http,${dir}`], { stdio: ["ignore", "ignore", "ignore"], cwd: dir });
  const out = fs.readdirSync(dir).map((n) => { const b = fs.readFileSync(path.join(dir, n)); return `${b.length} ${md5(b)} ${sha256(b)}`; });
  fs.rmSync(dir, { recursive: true, force: true });
  return out.sort();
}

function ourObjects(t: AppTable): string[] {
  const out: string[] = [];
  for (let r = 0; r < t.count; r++) {
    assert.equal(t.column("complete").get(r), true, `row ${r} complete (${t.column("notes").text(r)})`);
    out.push(`${t.column("seen_bytes").get(r)} ${t.column("md5").get(r)} ${t.column("sha256").get(r)}`);
  }
  return out.sort();
}

const body = Buffer.from("<!DOCTYPE html><html><body>" + "hello gzip world ".repeat(2000) + "</body></html>");
const built = (): Record<string, Buffer> => {
  const gz = zlib.gzipSync(body), df = zlib.deflateSync(body), raw = zlib.deflateRawSync(body);
  const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(3000, 7)]);
  return {
    "gzip.pcap": conversation(request("/a/page.html"), response([["Content-Type", "text/html"], ["Content-Encoding", "gzip"], ["Content-Length", String(gz.length)]], gz)),
    "gzip-chunked.pcap": conversation(request("/b"), response([["Content-Encoding", "gzip"], ["Transfer-Encoding", "chunked"]], chunked(gz, 333)), { reorder: true }),
    "deflate.pcap": conversation(request("/d"), response([["Content-Encoding", "deflate"], ["Content-Length", String(df.length)]], df)),
    "raw-deflate.pcap": conversation(request("/r"), response([["Content-Encoding", "deflate"], ["Content-Length", String(raw.length)]], raw)),
    "post.pcap": conversation(request("/upload", [["Content-Length", "3016"], ["Content-Type", "image/png"]], "POST", png), response([["Content-Length", "2"]], Buffer.from("ok"))),
  };
};

test("tshark --export-objects http: the same objects, sizes and hashes (shared corpus, data/, built gzip/deflate/chunked)", { skip: !TSHARK ? "tshark is not installed" : false }, async () => {
  const files: [string, number][] = [[path.join(DATA, "office.pcap"), 28]];
  if (SHARED !== undefined) {
    for (const [n, k] of [["scapy__http_chunk.pcap.gz", 1], ["zeek__wikipedia.pcap", 0], ["zeek__cooper-grill-dvwa.pcapng", 3], ["zeek__vxlan-encapsulated-http.pcap", 1]] as [string, number][]) files.push([path.join(SHARED, "pcaps", n), k]);
  }
  for (const [n, b] of Object.entries(built())) files.push([writePcap(n, b), n === "post.pcap" ? 2 : 1]);
  for (const [f, n] of files) {
    const t = await filesOf(f);
    const ours = ourObjects(t), theirs = tsharkObjects(f);
    assert.equal(ours.length, n, `${path.basename(f)}: rows`);
    assert.deepEqual(ours, theirs, path.basename(f));
    assert.deepEqual(t.warnings, []);
  }
});

test("columns of known objects: the chunked JPEG, gzip undone, a POSTed PNG, the 28 office objects", { skip: SHARED === undefined ? NO_SHARED : false }, async () => {
  const jpeg = await filesOf(path.join(SHARED ?? "", "pcaps", "scapy__http_chunk.pcap.gz"));
  assert.deepEqual(jpeg.rows(["source", "direction", "method", "status_code", "filename", "mime_type", "declared_mime_type", "seen_bytes", "total_bytes", "missing_bytes", "complete", "md5", "notes"])[0], {
    source: "HTTP", direction: "resp", method: "GET", status_code: 200, filename: "chunkedimage.aspx", mime_type: "image/jpeg",
    declared_mime_type: "image/jpeg", seen_bytes: 33653, total_bytes: undefined, missing_bytes: 0, complete: true,
    md5: "d3508012c9fb266ab55005d81457a737", notes: [],
  });
  assert.match(String(jpeg.column("fuid").get(0)), /^F[0-9A-Za-z]{17}$/);
  assert.equal(jpeg.column("uid").get(0), jpeg.flowTable.column("uid").get(jpeg.flowRows[0]));

  const b = built();
  const gz = await filesOf(writePcap("gzip.pcap", b["gzip.pcap"]));
  assert.deepEqual(gz.rows(["filename", "mime_type", "content_encoding", "seen_bytes", "total_bytes", "body_len", "sha256"])[0], {
    filename: "page.html", mime_type: "text/html", content_encoding: "gzip", seen_bytes: body.length,
    total_bytes: zlib.gzipSync(body).length, body_len: zlib.gzipSync(body).length, sha256: sha256(body),
  });
  const post = await filesOf(writePcap("post.pcap", b["post.pcap"]));
  assert.deepEqual(post.rows(["direction", "method", "uri", "host", "mime_type", "declared_mime_type", "seen_bytes", "status_code"]), [
    { direction: "orig", method: "POST", uri: "/upload", host: "files.example", mime_type: "image/png", declared_mime_type: "image/png", seen_bytes: 3016, status_code: undefined },
    { direction: "resp", method: "POST", uri: "/upload", host: "files.example", mime_type: "text/plain", declared_mime_type: undefined, seen_bytes: 2, status_code: 200 },
  ]);
  const office = await filesOf(path.join(DATA, "office.pcap"));
  const mimes: Record<string, number> = {};
  for (let r = 0; r < office.count; r++) { const k = `${office.column("declared_mime_type").get(r)}→${office.column("mime_type").get(r)}`; mimes[k] = (mimes[k] ?? 0) + 1; }
  assert.equal(office.count, 28);
  assert.equal(mimes["application/json→application/json"], 2);
});

test("hostile bodies: lying Content-Length, endless chunked, a gap, a gzip bomb, damaged gzip, unknown encodings: bounded, counted, no throw", async () => {
  const lying = await filesOf(writePcap("lying.pcap", conversation(request("/big.bin"), response([["Content-Length", "1000000"]], Buffer.alloc(5000, 65)))));
  assert.deepEqual(lying.rows(["seen_bytes", "total_bytes", "missing_bytes", "complete", "sha256", "notes"])[0],
    { seen_bytes: 5000, total_bytes: 1000000, missing_bytes: 995000, complete: false, sha256: undefined, notes: ["truncated"] });

  const endless = await filesOf(writePcap("endless.pcap", conversation(request("/stream"), response([["Transfer-Encoding", "chunked"]], chunked(Buffer.alloc(300_000, 66), 100, true)), { noFin: true })));
  assert.deepEqual(endless.rows(["seen_bytes", "complete", "sha256", "notes"])[0], { seen_bytes: 300_000, complete: false, sha256: undefined, notes: ["truncated"] });

  const data = Buffer.alloc(20_000, 67);
  const gap = await filesOf(writePcap("gap.pcap", conversation(request("/g"), response([["Content-Length", "20000"]], data), { drop: [3] })));
  const g = gap.rows(["seen_bytes", "body_len", "missing_bytes", "complete", "md5", "notes"])[0];
  assert.equal(g.missing_bytes, 1400);
  assert.equal(g.body_len, 20000);
  assert.equal(g.complete, false);
  assert.equal(g.md5, undefined);
  assert.deepEqual(g.notes, ["gap"]);

  // 64 MiB of zeros gzipped to ~64 KiB: stops at the ratio cap, checked from the start (before: past 1 MiB decoded)
  const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const rss = process.memoryUsage().rss;
  const bt = await filesOf(writePcap("bomb.pcap", conversation(request("/bomb"), response([["Content-Encoding", "gzip"], ["Content-Length", String(bomb.length)]], bomb))));
  const br = bt.rows(["seen_bytes", "complete", "sha256", "notes"])[0];
  assert.deepEqual(br.notes, ["decompression_bomb"]);
  assert.equal(br.complete, false);
  assert.equal(br.sha256, undefined);
  assert.ok((br.seen_bytes as number) <= 64 * 1024, `stopped early: ${br.seen_bytes}`);
  assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, "no 64 MiB buffer");
  assert.match(bt.warnings.join("\n"), /1 bodies stopped decoding at the decompression caps/);
  // the size cap, with the ratio cap out of the way
  const capped = await filesOf(writePcap("bomb2.pcap", conversation(request("/bomb"), response([["Content-Encoding", "gzip"], ["Content-Length", String(bomb.length)]], bomb))), { inflate: { maxRatio: 1e9, maxDecodedBytes: 4 << 20 } });
  assert.ok((capped.column("seen_bytes").get(0) as number) <= 4 << 20);
  assert.deepEqual(capped.column("notes").get(0), ["decompression_bomb"]);

  const junk = Buffer.from("this is not gzip at all, but says it is");
  const bad = await filesOf(writePcap("badgz.pcap", conversation(request("/x"), response([["Content-Encoding", "gzip"], ["Content-Length", String(junk.length)]], junk))));
  assert.deepEqual(bad.rows(["complete", "sha256", "notes", "body_len"])[0], { complete: false, sha256: undefined, notes: ["decode_error"], body_len: junk.length });

  const br2 = await filesOf(writePcap("br.pcap", conversation(request("/x"), response([["Content-Encoding", "br"], ["Content-Length", "10"]], Buffer.alloc(10)))));
  assert.deepEqual(br2.rows(["complete", "notes", "content_encoding"])[0], { complete: false, notes: ["encoding_unsupported"], content_encoding: "br" });
});

test("extraction: safe names only inside DIR (traversal in Content-Disposition and URIs impossible), caps, hashes of the written files", async () => {
  const names = ["../../../../tmp/evil.sh", "..\\..\\windows\\system32\\x.dll", "/etc/passwd", "....//....//x", "%2e%2e%2f%2e%2e%2fetc%2fshadow", "a\u0000b/../c", ".bashrc", ".."];
  const root = tmpDir(), dir = path.join(root, "out"), pcaps = path.join(root, "pcaps");
  fs.mkdirSync(pcaps);
  for (const [i, n] of names.entries()) {
    const payload = Buffer.from(`object ${i}\n`);
    const hdr: [string, string][] = [["Content-Length", String(payload.length)], ["Content-Disposition", `attachment; filename="${n}"`]];
    const pf = path.join(pcaps, `t${i}.pcap`);
    fs.writeFileSync(pf, conversation(request(`/dl/${encodeURIComponent(n)}`), response(hdr, payload)));
    const t = await filesOf(pf, { extract: dir });
    const rel = String(t.column("extracted").get(0));
    assert.match(rel, /^F[0-9A-Za-z]{17}-[A-Za-z0-9][A-Za-z0-9._-]*$/, `${JSON.stringify(n)} → ${rel}`);
    assert.equal(sha256(fs.readFileSync(path.join(dir, rel))), t.column("sha256").get(0));
    const fn = t.column("filename").get(0) as string | undefined;
    assert.ok(fn === undefined || (!fn.includes("/") && !fn.includes("\\")), `filename column ${fn}`);
  }
  // everything landed in DIR, nothing beside it; URI-only names too
  assert.equal(fs.readdirSync(dir).length, names.length);
  assert.deepEqual(fs.readdirSync(root).sort(), ["out", "pcaps"]);
  assert.equal(fs.readdirSync(pcaps).length, names.length);
  assert.ok(!fs.existsSync("/tmp/evil.sh"));
  assert.equal(safeName("../../etc/passwd"), "etc_passwd");
  assert.equal(safeName(".."), "file");
  assert.equal(fileNameOf(undefined, "/a/b/..%2f..%2fpasswd?x=/y"), "passwd");
  assert.equal(fileNameOf("attachment; filename*=UTF-8''na%C3%AFve%20file.txt", "/x"), "naïve file.txt");
  // caps: a 10 000-byte object cut at 4096, the total budget stops the next ones
  const small = tmpDir();
  const t = await filesOf(writePcap("big.pcap", conversation(request("/big"), response([["Content-Length", "10000"]], Buffer.alloc(10000, 1)))), { extract: { dir: small, maxFileBytes: 4096 } });
  assert.equal(fs.statSync(path.join(small, String(t.column("extracted").get(0)))).size, 4096);
  assert.equal(t.column("extracted_cutoff").get(0), true);
  assert.equal(t.column("sha256").get(0), sha256(Buffer.alloc(10000, 1)), "hashes are of the whole object, not the cut file");
  assert.match(t.warnings.join("\n"), /1 extracted files cut/);
  // an existing file (or link) is never written through
  const pre = tmpDir();
  const t1 = await filesOf(writePcap("e.pcap", conversation(request("/e"), response([["Content-Length", "3"]], Buffer.from("abc")))), { extract: pre });
  const rel = String(t1.column("extracted").get(0));
  fs.rmSync(path.join(pre, rel));
  fs.symlinkSync("/dev/null", path.join(pre, rel));
  const t2 = await filesOf(writePcap("e.pcap", conversation(request("/e"), response([["Content-Length", "3"]], Buffer.from("abc")))), { extract: pre });
  assert.equal(t2.column("extracted").get(0), undefined);
  assert.deepEqual(t2.column("notes").get(0), ["extract_failed"]);
});

test("MIME sniffing by magic bytes and text kinds", () => {
  const cases: [Buffer | string, string][] = [
    [Buffer.concat([Buffer.from("MZ"), Buffer.alloc(100)]), "application/x-dosexec"],
    [Buffer.from("7f454c46020101", "hex"), "application/x-executable"],
    [Buffer.concat([Buffer.from("504b0304", "hex"), Buffer.alloc(40)]), "application/zip"],
    ["%PDF-1.7\n", "application/pdf"],
    [Buffer.from("89504e470d0a1a0a", "hex"), "image/png"],
    [Buffer.from("ffd8ffe0", "hex"), "image/jpeg"],
    ["GIF89a\x01\x00", "image/gif"],
    [Buffer.from("1f8b0800", "hex"), "application/x-gzip"],
    ["<!DOCTYPE html><html>", "text/html"],
    ["\n  <HTML><head>", "text/html"],
    ['{"a": 1}', "application/json"],
    ["[1, 2]", "application/json"],
    ["(function(){ var x = 1; })()", "application/javascript"],
    ["'use strict';\nconst a = 1;", "application/javascript"],
    ['<?xml version="1.0"?><svg xmlns="x">', "image/svg+xml"],
    ["body { color: red; }", "text/css"],
    ["just words\n", "text/plain"],
    [Buffer.from([0, 1, 2, 3, 200, 201]), "application/octet-stream"],
  ];
  for (const [b, want] of cases) assert.equal(sniffMime(typeof b === "string" ? Buffer.from(b, "latin1") : b), want, String(b));
  assert.equal(sniffMime(Buffer.alloc(0)), undefined);
});

class FakeProvider implements ReputationProvider {
  readonly name = "fake";
  asked: string[][] = [];
  async lookup(s: string[]): Promise<Map<string, Verdict>> {
    this.asked.push(s);
    const m = new Map<string, Verdict>();
    for (const h of s) m.set(h, h.startsWith("e") ? { status: "found", verdict: "malicious", malicious: 40, engines: 70, name: "evil.exe" } : { status: "not_found" });
    return m;
  }
}

test("reputation: offline by default; a provider fills rep_* per unique hash; a throwing provider is a status", async () => {
  const office = path.join(DATA, "office.pcap");
  const plain = await filesOf(office);
  for (let r = 0; r < plain.count; r++) assert.equal(plain.column("rep_status").get(r), undefined);
  const fake = new FakeProvider();
  const t = await filesOf(office, { reputation: fake });
  assert.equal(fake.asked.length, 1);
  assert.equal(fake.asked[0].length, new Set(Array.from({ length: t.count }, (_, r) => t.column("sha256").get(r))).size);
  for (let r = 0; r < t.count; r++) {
    const sha = String(t.column("sha256").get(r));
    assert.equal(t.column("rep_status").get(r), sha.startsWith("e") ? "found" : "not_found");
    if (sha.startsWith("e")) assert.deepEqual([t.column("rep_verdict").get(r), t.column("rep_malicious").get(r), t.column("rep_name").get(r)], ["malicious", 40, "evil.exe"]);
  }
  const throwing: ReputationProvider = { name: "broken", lookup: async () => { throw new Error("boom"); } };
  const tb = await filesOf(office, { reputation: throwing });
  assert.equal(tb.column("rep_status").get(0), "error");
  assert.match(tb.warnings.join("\n"), /reputation lookup \(broken\) failed: boom/);
});

/** A stand-in for VirusTotal's v3 files endpoint on 127.0.0.1. */
async function fakeVT(): Promise<{ url: string; hits: string[]; keys: string[]; close(): Promise<void> }> {
  const hits: string[] = [], keys: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    keys.push(String(req.headers["x-apikey"]));
    const m = /^\/api\/v3\/files\/([0-9a-f]{64})$/.exec(req.url ?? "");
    if (req.headers["x-apikey"] !== "test-key") { res.writeHead(401); res.end("{}"); return; }
    if (m === null) { res.writeHead(400); res.end(); return; }
    const h = m[1];
    if (h.startsWith("0")) { res.writeHead(404, { "content-type": "application/json" }); res.end('{"error":{"code":"NotFoundError"}}'); return; }
    if (h.startsWith("f")) { res.writeHead(429); res.end('{"error":{"code":"QuotaExceededError"}}'); return; }
    if (h.startsWith("b")) { res.writeHead(200); res.end("not json"); return; }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: { id: h, type: "file", attributes: { meaningful_name: "x.exe", last_analysis_stats: { malicious: h.startsWith("a") ? 5 : 0, suspicious: 0, undetected: 60, harmless: 0, timeout: 1, "type-unsupported": 4 } } } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/api/v3`, hits, keys, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test("VirusTotal client against a local server: verdicts, 404/429/garbage as statuses, disk cache, rate limit, no key → no request", async () => {
  const vt = await fakeVT();
  try {
    const cacheDir = tmpDir();
    let clock = 1_700_000_000_000;
    const sleeps: number[] = [];
    const opts = { apiKey: "test-key", baseUrl: vt.url, cacheDir, perMinute: 2, now: () => clock, sleep: async (ms: number) => { sleeps.push(ms); clock += ms; } };
    const A = "a".repeat(64), C = "c".repeat(64), Z = "0".repeat(64), F = "f".repeat(64), B = "b".repeat(64);
    const p = new VirusTotalProvider(opts);
    const m = await p.lookup([A, C, Z, B, "not-a-hash"]);
    assert.deepEqual({ ...m.get(A), fetched: undefined }, { status: "found", verdict: "malicious", malicious: 5, suspicious: 0, harmless: 0, undetected: 60, engines: 70, name: "x.exe", fetched: undefined });
    assert.equal(m.get(C)?.verdict, "undetected");
    assert.equal(m.get(Z)?.status, "not_found");
    assert.deepEqual(m.get(B), { status: "error", error: "response is not JSON" });
    assert.equal(m.get("not-a-hash")?.status, "skipped");
    assert.equal(vt.hits.length, 4);
    assert.ok(vt.keys.every((k) => k === "test-key"));
    assert.ok(sleeps.length >= 1 && sleeps.every((s) => s > 0 && s <= 60_000), `rate limit waited: ${sleeps}`);
    // the cache: found and not-found answers on disk, reused without a request
    const cache = JSON.parse(fs.readFileSync(path.join(cacheDir, "virustotal.json"), "utf8"));
    assert.deepEqual(Object.keys(cache.entries).sort(), [Z, A, C].sort());
    assert.ok(!fs.readFileSync(path.join(cacheDir, "virustotal.json"), "utf8").includes("test-key"));
    const again = await new VirusTotalProvider(opts).lookup([A, Z]);
    assert.equal(vt.hits.length, 4);
    assert.equal(again.get(A)?.cached, true);
    // 429 stops the call's other requests; a refused key too
    const q = await new VirusTotalProvider({ ...opts, cacheDir: null }).lookup([F, "d".repeat(64)]);
    assert.deepEqual([q.get(F)?.status, q.get("d".repeat(64))?.status], ["rate_limited", "rate_limited"]);
    const hitsBefore = vt.hits.length;
    const refused = await new VirusTotalProvider({ ...opts, apiKey: "wrong", cacheDir: null }).lookup(["1".repeat(64), "2".repeat(64)]);
    assert.equal(vt.hits.length, hitsBefore + 1);
    assert.match(String(refused.get("2".repeat(64))?.error), /API key refused/);
    // no key: nothing sent
    const saved = process.env.VT_API_KEY;
    delete process.env.VT_API_KEY;
    try {
      const hits = vt.hits.length;
      const nk = await new VirusTotalProvider({ baseUrl: vt.url, cacheDir: null }).lookup([C]);
      assert.equal(nk.get(C)?.status, "no_key");
      const t = await filesOf(path.join(DATA, "office.pcap"), { reputation: "virustotal", reputationOptions: { baseUrl: vt.url, cacheDir: null } });
      assert.equal(t.column("rep_status").get(0), "no_key");
      assert.match(t.warnings.join("\n"), /VT_API_KEY is not set/);
      assert.equal(vt.hits.length, hits);
    } finally {
      if (saved !== undefined) process.env.VT_API_KEY = saved;
    }
    // maxLookups bounds one call; an unreachable server is an error status, never a throw
    const many = await new VirusTotalProvider({ ...opts, cacheDir: null, maxLookups: 1, perMinute: 100 }).lookup(["3".repeat(64), "4".repeat(64)]);
    assert.equal(many.get("4".repeat(64))?.status, "skipped");
    const down = await new VirusTotalProvider({ ...opts, baseUrl: "http://127.0.0.1:9/api/v3", cacheDir: null, perMinute: 100 }).lookup(["5".repeat(64)]);
    assert.equal(down.get("5".repeat(64))?.status, "error");
    // end to end with a key: capture.files({ reputation: "virustotal" }) against the stand-in
    const t = await filesOf(path.join(DATA, "office.pcap"), { reputation: "virustotal", reputationOptions: { ...opts, cacheDir: null, perMinute: 1000, maxLookups: 100 } });
    for (let r = 0; r < t.count; r++) assert.ok(["found", "not_found", "error", "rate_limited"].includes(String(t.column("rep_status").get(r))));
  } finally {
    await vt.close();
  }
});

test("wirebook files: TSV/JSON rows, --extract writes the objects tshark exports", { skip: !fs.existsSync(CLI) ? "no CLI" : false }, () => {
  const office = path.join(DATA, "office.pcap");
  const json = execFileSync(CLI, ["files", office, "--format", "json"], { encoding: "utf8" }).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(json.length, 28);
  assert.equal(json[0].source, "HTTP");
  assert.ok(!("extracted" in json[0]) && !("rep_status" in json[0]));
  const tsv = execFileSync(CLI, ["files", office], { encoding: "utf8" });
  assert.match(tsv, /^#path\tfiles$/m);
  const dir = tmpDir();
  execFileSync(CLI, ["files", office, "--extract", dir, "--format", "csv"], { encoding: "utf8" });
  const written = fs.readdirSync(dir).map((n) => sha256(fs.readFileSync(path.join(dir, n)))).sort();
  assert.deepEqual(written, json.map((r) => String(r.sha256)).sort());
  assert.throws(() => execFileSync(CLI, ["files", office, "--reputation", "nope"], { stdio: "pipe" }), /--reputation takes virustotal/);
});
