import { test } from "node:test";
import * as assert from "node:assert/strict";
import { toBundle, display, displayResult, bundle } from "../../src/notebook/display";
import { setChannel, KernelChannel } from "../../src/notebook/channel";
import { figureBundle, inlinePlotlyAgain } from "../../src/notebook/plotly";
import { captureBundle, CaptureLike } from "../../src/notebook/capture";
import { frameGrid, rowPlan } from "../../src/notebook/table";
import { progressReporter, withProgress, LoadProgress } from "../../src/notebook/progress";
import { figure } from "../../src/plot/figure";
import { lazyModule } from "../../src/notebook/prelude";

const EVIL = `<img src=x onerror=alert(1)>`;

/** A DataFrame-shaped object as danfo builds it (recognised by shape, like the real one). */
function frame(columns: string[], rows: unknown[][], dtypes?: string[]) {
  return {
    $isSeries: false,
    $data: rows,
    shape: [rows.length, columns.length],
    columns,
    dtypes: dtypes ?? columns.map(() => "string"),
    index: rows.map((_, i) => i),
    values: rows,
  };
}

function fakeCapture(n: number): CaptureLike {
  const cols: Record<string, (r: number) => string> = {
    "frame.number": (r) => String(r + 1),
    "frame.time_relative": (r) => (r * 0.5).toFixed(9),
    "ip.src": (r) => (r === 1 ? EVIL : `10.0.0.${r}`),
    "ip.dst": () => "10.0.0.254",
    "frame.protocols": () => "eth:ethertype:ip:tcp",
    "tcp.srcport": () => "1234",
    "tcp.dstport": () => "443",
    "frame.len": () => "60",
  };
  return {
    path: "data/x.pcap",
    count: n,
    columns: Object.keys(cols),
    warnings: [EVIL],
    column: (name) => ({ text: (row) => cols[name](row) }),
    summary: () => ({
      file: `data/${EVIL}.pcap`,
      packets: n,
      bytes: 60 * n,
      first: 1718000000,
      last: 1718000000 + n / 2,
      duration: n / 2,
      linkTypes: ["Ethernet"],
      protocols: [
        { protocol: "eth", packets: n },
        { protocol: EVIL, packets: 1 },
      ],
    }),
  };
}

function record(): { sent: Array<{ type: string; content: any }>; channel: KernelChannel } {
  const sent: Array<{ type: string; content: any }> = [];
  return { sent, channel: { send: (type, content) => sent.push({ type, content }), executionCount: () => 7 } };
}

test("rowPlan: all rows when short, head + gap + tail when long", () => {
  assert.deepEqual(rowPlan(3, 10, 5), [0, 1, 2]);
  assert.deepEqual(rowPlan(20, 3, 2), [0, 1, 2, -1, 18, 19]);
});

test("DataFrame bundle: text/html table with counts, dtypes, head and tail; text/plain; values escaped", () => {
  const rows = Array.from({ length: 40 }, (_, i) => [i, i === 39 ? EVIL : `host${i}`, i / 3]);
  const b = toBundle(frame(["n", "name", "ratio"], rows, ["int32", "string", "float32"]));
  assert.deepEqual(Object.keys(b).sort(), ["text/html", "text/plain"]);
  const html = b["text/html"] as string;
  assert.match(html, /40 rows × 3 columns/);
  assert.match(html, /int32/);
  assert.match(html, /float32/);
  assert.match(html, />host0</);
  assert.match(html, />host9</);
  assert.doesNotMatch(html, />host10</, "row 10 is in the elided middle");
  assert.match(html, /class="gap"/);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"), "the last row's hostile value is shown, escaped");
  assert.ok(!html.includes(EVIL));
  assert.match(b["text/plain"] as string, /\[40 rows x 3 columns\]/);
});

test("hostile column names are escaped too", () => {
  const html = toBundle(frame([EVIL], [["a"]], [EVIL]))["text/html"] as string;
  assert.ok(!html.includes(EVIL));
  assert.ok(html.includes("&lt;img"));
});

test("Series bundle", () => {
  const s = { $isSeries: true as const, $data: [1, 2, 3], shape: [3, 1], columns: ["x"], dtypes: ["int32"], index: [0, 1, 2], values: [1, 2, 3] };
  const b = toBundle(s);
  assert.match(b["text/html"] as string, /Series: 3 rows × 1 column/);
  assert.deepEqual(frameGrid(s).rows, [["1"], ["2"], ["3"]]);
});

test("real danfo DataFrame and Series display as tables", async () => {
  const dfd = require("danfojs-node");
  const df = new dfd.DataFrame({ a: [1, 2, 3], b: ["x", EVIL, "z"] });
  const b = toBundle(df);
  assert.match(b["text/html"] as string, /DataFrame: 3 rows × 2 columns/);
  assert.ok(!(b["text/html"] as string).includes(EVIL));
  assert.match(toBundle(df.column("a"))["text/html"] as string, /Series: 3 rows/);
  const g = df.groupby(["b"]).count();
  assert.match(toBundle(g)["text/html"] as string, /DataFrame: 3 rows/);
});

test("Capture bundle: summary card and packet list head, escaped", () => {
  const b = captureBundle(fakeCapture(25));
  const html = b["text/html"] as string;
  assert.ok(!html.includes(EVIL), "no raw hostile string anywhere in the card");
  for (const s of ["packets", "25", "1.5 kB", "time span", "2024-06-10", "Ethernet", "Source", "Destination", "1234 → 443"]) {
    assert.ok(html.includes(s), `card has ${s}`);
  }
  assert.match(html, /first 10 of 25 packets/);
  assert.match(b["text/plain"] as string, /^Capture data\//);
  assert.deepEqual(Object.keys(toBundle(fakeCapture(3))).sort(), ["text/html", "text/plain"]);
});

test("Figure bundle: one bundle with plotly JSON object, offline HTML, text; plotly.js inlined once", () => {
  inlinePlotlyAgain();
  const f = figure({ data: [{ type: "bar", x: ["a", EVIL], y: new Float64Array([1, 2]) }], layout: { title: { text: "T" } } });
  const first = toBundle(f);
  const second = toBundle(f);
  assert.deepEqual(Object.keys(first).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
  const json = first["application/vnd.plotly.v1+json"] as any;
  assert.equal(typeof json, "object", "plotly MIME value is a JSON object, not a string");
  assert.deepEqual(json.data[0].y, [1, 2], "typed arrays become JSON arrays");
  assert.equal(json.layout.title.text, "T");
  assert.equal(first["text/plain"], 'Figure "T": 1 trace (bar)');
  const h1 = first["text/html"] as string;
  const h2 = second["text/html"] as string;
  assert.match(h1, /wirebookPlotly/);
  assert.match(h1, /DecompressionStream/);
  assert.ok(h1.length > 1_000_000, "the first figure carries plotly.js");
  assert.ok(h2.length < 10_000, "later figures do not");
  assert.doesNotMatch(h2, /DecompressionStream/);
  assert.match(h2, /class="wirebook-figure"/);
  for (const h of [h1, h2]) {
    assert.ok(!h.includes(EVIL), "trace data is escaped inside the script");
    // the only </script> tags are the ones we wrote
    assert.equal((h.match(/<\/script>/g) ?? []).length, (h.match(/<script/g) ?? []).length);
  }
  inlinePlotlyAgain();
  assert.match(toBundle(f)["text/html"] as string, /DecompressionStream/, "inlinePlotlyAgain makes the next figure carry it");
  assert.doesNotMatch(figureBundle(f, { withPlotly: false })["text/html"] as string, /DecompressionStream/);
});

test("figure() rejects a spec without a data array", () => {
  assert.throws(() => figure({} as any), /data must be an array/);
});

test("display sends display_data with the bundle; displayResult sends execute_result with the count", () => {
  const { sent, channel } = record();
  setChannel(channel);
  try {
    display(frame(["a"], [["1"]]));
    displayResult("plain");
    display.html("<b>trusted</b>");
    display.markdown("# Title");
    const h = display.live("a");
    h.update("b");
  } finally {
    setChannel(null);
  }
  assert.deepEqual(sent.map((s) => s.type), ["display_data", "execute_result", "display_data", "display_data", "display_data", "update_display_data"]);
  assert.ok("text/html" in sent[0].content.data);
  assert.equal(sent[1].content.execution_count, 7);
  assert.equal(sent[1].content.data["text/plain"], "plain");
  assert.equal(sent[2].content.data["text/html"], "<b>trusted</b>");
  assert.equal(sent[3].content.data["text/markdown"], "# Title");
  assert.equal(sent[4].content.transient.display_id, sent[5].content.transient.display_id);
  assert.equal(sent[5].content.data["text/plain"], "b");
});

test("display outside a kernel prints text/plain", () => {
  const logged: unknown[] = [];
  const orig = console.log;
  console.log = (x: unknown) => logged.push(x);
  try {
    display("hello");
    display(bundle({ "text/html": "<i>x</i>", "text/plain": "x" }));
  } finally {
    console.log = orig;
  }
  assert.deepEqual(logged, ["hello", "x"]);
});

test("progress: nothing for a short load; display_data then update_display_data with one display_id for a long one", async () => {
  let now = 0;
  const { sent, channel } = record();
  setChannel(channel);
  try {
    const quick = progressReporter("q.pcap", { now: () => now });
    quick.onProgress({ bytes: 1, totalBytes: 2, packets: 1 });
    quick.finish();
    assert.equal(sent.length, 0);

    const r = progressReporter("big.pcap", { now: () => now, delayMs: 300, intervalMs: 200 });
    const step = (t: number, bytes: number) => {
      now = t;
      r.onProgress({ bytes, totalBytes: 1000, packets: bytes / 10 });
    };
    step(100, 100); // too early
    step(400, 400); // shown
    step(500, 500); // throttled
    step(700, 700); // update
    now = 900;
    r.finish({ packets: 100 });
  } finally {
    setChannel(null);
  }
  assert.deepEqual(sent.map((s) => s.type), ["display_data", "update_display_data", "update_display_data"]);
  const ids = new Set(sent.map((s) => s.content.transient.display_id));
  assert.equal(ids.size, 1);
  assert.match(sent[0].content.data["text/plain"], /big\.pcap: 40%/);
  assert.match(sent[0].content.data["text/html"], /<progress value="40"/);
  assert.match(sent[2].content.data["text/plain"], /big\.pcap: 100 packets, .* in 900\.0 ms/);
});

test("withProgress wraps open: the caller's onProgress still runs, the result comes back", async () => {
  const { sent, channel } = record();
  const seen: LoadProgress[] = [];
  const open = async (_path: string, o?: { onProgress?: (p: LoadProgress) => void }) => {
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 160));
      o?.onProgress?.({ bytes: i, totalBytes: 3, packets: i });
    }
    return { count: 3 };
  };
  setChannel(channel);
  let result;
  try {
    result = await withProgress(open)("dir/x.pcap", { onProgress: (p) => seen.push(p) });
  } finally {
    setChannel(null);
  }
  assert.deepEqual(result, { count: 3 });
  assert.equal(seen.length, 3);
  assert.ok(sent.length >= 2, "progress shown, then the result line");
  assert.equal(sent[0].type, "display_data");
  assert.equal(sent[sent.length - 1].type, "update_display_data");
  assert.match(sent[sent.length - 1].content.data["text/plain"], /^x\.pcap: 3 packets/);
});

test("lazyModule loads on first property access only", () => {
  let loads = 0;
  const m = lazyModule(() => {
    loads++;
    return { answer: 42, f: () => 1 };
  });
  assert.equal(loads, 0);
  assert.equal(m.answer, 42);
  assert.equal(m.f(), 1);
  assert.ok("answer" in m);
  assert.equal(loads, 1);
});
