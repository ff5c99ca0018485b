/** A helper of uninit.test.ts (a module of its own: the test runs it again in a child process). */
import { HttpApp } from "../../src/flows/apps/http";
import type { FlowInfo } from "../../src/flows/payloads";

/** The HTTP table of one exchange whose request line carries a `uriLen`-byte URI, in 1,460-byte segments. */
export function longUriExchange(uriLen: number): { rows: number; status: number | undefined; hasUri: boolean } {
  const app = new HttpApp();
  const f: FlowInfo = { row: 0, proto: "tcp", origP: 40000, respP: 80, origH: "10.0.0.1", respH: "10.0.0.2" };
  const req = Buffer.from(`GET /${"a".repeat(uriLen)} HTTP/1.1\r\nHost: example.org\r\n\r\n`);
  const resp = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  app.packet(f, true, 1, Buffer.alloc(0), 0, 0, 0, 1000, 2, 1);
  app.packet(f, false, 1.1, Buffer.alloc(0), 0, 0, 0, 5000, 0x12, 2);
  let frame = 3;
  for (let o = 0; o < req.length; o += 1460) {
    const e = Math.min(req.length, o + 1460);
    app.packet(f, true, 1.2 + frame / 1000, req, o, e, e - o, 1001 + o, 0x18, frame++);
  }
  app.packet(f, false, 1.5, resp, 0, resp.length, resp.length, 5001, 0x18, frame++);
  app.finish();
  return { rows: app.t.count, status: app.t.count > 0 ? app.t.getNum(0, "status_code") : undefined, hasUri: app.t.count > 0 && app.t.has(0, "uri") };
}
