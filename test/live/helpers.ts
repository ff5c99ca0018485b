/** Shared by the live-capture tests: whether capturing is permitted here, traffic makers, timing. */
import * as dgram from "node:dgram";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { liveStatus } from "../../src/io/livecap";

/**
 * Why the capturing tests skip, or false when they run. Root without the binding built is a
 * failure, not a skip (CI runs as root: the binding must have been built by npm ci / setup.sh),
 * unless WIREBOOK_LIVE_OPTIONAL=1.
 */
export const NO_CAPTURE: string | false = (() => {
  const s = liveStatus("lo");
  if (s.ok) return false;
  if (s.code === "ENOTBUILT" && process.getuid?.() === 0 && process.env.WIREBOOK_LIVE_OPTIONAL !== "1") {
    throw new Error(`running as root but ${s.reason}`);
  }
  return `live capture is not permitted here, so the capturing tests are skipped (${s.reason})`;
})();

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A UDP receiver on 127.0.0.1 (so the datagrams are delivered, not answered by ICMP). */
export async function udpReceiver(): Promise<{ port: number; got: () => number; close: () => Promise<void> }> {
  const rx = dgram.createSocket("udp4");
  let n = 0;
  rx.on("message", () => { n++; });
  await new Promise<void>((r) => rx.bind(0, "127.0.0.1", r));
  const port = (rx.address() as AddressInfo).port;
  return { port, got: () => n, close: () => new Promise<void>((r) => rx.close(() => r())) };
}

/** Sends `n` datagrams "wirebook-<i>" (i = 0…n-1, zero-padded to 5) to 127.0.0.1:port, `perTick` per event-loop turn. */
export async function sendUdp(port: number, n: number, perTick = 50): Promise<void> {
  const tx = dgram.createSocket("udp4");
  await new Promise<void>((r) => tx.bind(0, "127.0.0.1", r));
  for (let i = 0; i < n; i += perTick) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + perTick); j++) {
      batch.push(new Promise<void>((res, rej) => tx.send(Buffer.from(`wirebook-${String(j).padStart(5, "0")}`), port, "127.0.0.1", (e) => (e ? rej(e) : res()))));
    }
    await Promise.all(batch);
  }
  await new Promise<void>((r) => tx.close(() => r()));
}

/**
 * A local HTTP server answering `GET /hello?from=wirebook` with "hi there", and one real request
 * to it. It listens on one of tshark's HTTP ports (HTTP is decoded by port, as tshark does), the
 * first free one.
 */
export async function httpExchange(): Promise<{ port: number; run: () => Promise<{ status: number; body: string }>; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain", Connection: "close" });
    res.end(req.url === "/hello?from=wirebook" ? "hi there" : "?");
  });
  let listening = false;
  for (const port of [8080, 8088, 3128, 3132, 2710, 11371, 5985, 3689, 2869, 80]) {
    listening = await new Promise<boolean>((r) => {
      const fail = () => r(false);
      server.once("error", fail);
      server.listen(port, "127.0.0.1", () => { server.off("error", fail); r(true); });
    });
    if (listening) break;
  }
  if (!listening) throw new Error("none of tshark's HTTP ports is free on 127.0.0.1");
  const port = (server.address() as AddressInfo).port;
  const run = () => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/hello?from=wirebook", agent: false, headers: { "User-Agent": "wirebook-test" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  return { port, run, close: () => new Promise<void>((r) => server.close(() => r())) };
}
