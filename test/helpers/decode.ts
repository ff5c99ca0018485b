/** Decodes hand-made frames into a Capture, for decoder unit tests. */
import "../../src/decode";
import { decodeFrame } from "../../src/decode";
import { TableBuilder } from "../../src/table/builder";
import { Capture } from "../../src/table/capture";

/** Bytes from a hex string (spaces, newlines and `|` are ignored). */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]/g, ""), "hex");
}

/** Decodes each frame (link type 1, Ethernet, by default) into one row. */
export function decodeFrames(frames: Uint8Array[], linkType = 1): Capture {
  const t = new TableBuilder();
  frames.forEach((f, i) => {
    const b = Buffer.from(f);
    t.begin();
    decodeFrame(t, linkType, b, 0, b.length, b.length, 1700000000 + i, 0, 0);
    t.end();
  });
  return new Capture("<test>", t, {
    format: "pcap", gzip: false, bigEndian: false, nanosecond: false, comments: [], sections: 1,
    interfaces: [{ linkType, snaplen: 65535, unitsPerSecond: 1e6, offsetSeconds: 0 }],
  }, []);
}

/** One frame's fields as tshark text: { "ip.src": "10.0.0.1", … } for the named fields. */
export function fieldsOf(frame: Uint8Array, names: string[], linkType = 1): Record<string, string> {
  const c = decodeFrames([frame], linkType);
  const o: Record<string, string> = {};
  for (const n of names) o[n] = c.column(n).text(0);
  return o;
}
