/**
 * Flows as points: total IP bytes (both directions) against duration, log–log, one colour per
 * transport. Flows without a duration (a single packet) cannot sit on a log axis and are counted
 * in the title instead. Above `maxPoints` flows the figure keeps the largest half by bytes and an
 * even sample of the rest, and says so.
 */
import type { FlowTable } from "../flows/table";
import { figure, type Figure, type Trace } from "./figure";
import { bytesText, secondsText } from "./columns";
import { layout, subtitle } from "./common";
import { count, label } from "./text";

export interface FlowScatterOptions {
  /** most points in the figure (default 5000) */
  maxPoints?: number;
  title?: string;
}

/** `wb.plot.flowScatter(cap.flows())` */
export function flowScatter(flows: FlowTable, opts: FlowScatterOptions = {}): Figure {
  const max = Math.max(2, opts.maxPoints ?? 5000);
  const dur = flows.column("duration"), ob = flows.column("orig_ip_bytes"), rb = flows.column("resp_ip_bytes");
  const n = flows.count;
  const bytes = new Float64Array(n), secs = new Float64Array(n);
  const ok: number[] = [];
  for (let r = 0; r < n; r++) {
    const d = dur.get(r);
    bytes[r] = Number(ob.get(r) ?? 0) + Number(rb.get(r) ?? 0);
    secs[r] = typeof d === "number" ? d : NaN;
    if (secs[r] > 0 && bytes[r] > 0) ok.push(r);
  }
  let shown = ok, note = "";
  if (ok.length > max) {
    const byBytes = [...ok].sort((a, b) => bytes[b] - bytes[a]);
    const big = byBytes.slice(0, max >> 1), rest = byBytes.slice(max >> 1);
    const want = max - big.length, step = rest.length / want;
    const sample: number[] = [];
    for (let i = 0; i < want; i++) sample.push(rest[Math.floor(i * step)]);
    shown = [...big, ...sample].sort((a, b) => a - b);
    note = `; ${count(shown.length)} shown: the ${count(big.length)} largest and every ${step.toFixed(1)}th of the rest`;
  }
  const proto = flows.column("proto"), uid = flows.column("uid"), state = flows.column("conn_state");
  const oh = flows.column("id.orig_h"), op = flows.column("id.orig_p"), rh = flows.column("id.resp_h"), rp = flows.column("id.resp_p");
  const groups = new Map<string, number[]>();
  for (const r of shown) {
    const p = String(proto.get(r) ?? "other");
    let g = groups.get(p);
    if (g === undefined) { g = []; groups.set(p, g); }
    g.push(r);
  }
  const data: Trace[] = [...groups].sort((a, b) => b[1].length - a[1].length).map(([p, rows]) => ({
    type: "scatter",
    mode: "markers",
    name: label(p),
    x: rows.map((r) => secs[r]),
    y: rows.map((r) => bytes[r]),
    marker: { size: 6, opacity: 0.7 },
    customdata: rows.map((r) => [
      label(uid.get(r)), label(`${oh.get(r)}:${op.get(r)}`), label(`${rh.get(r)}:${rp.get(r)}`), label(state.get(r) ?? "-"),
      secondsText(secs[r]), bytesText(bytes[r]),
    ]),
    hovertemplate: "%{customdata[1]} → %{customdata[2]}<br>%{customdata[5]} in %{customdata[4]}<br>state %{customdata[3]}, uid %{customdata[0]}<extra>%{fullData.name}</extra>",
  }));
  const none = n - ok.length;
  const title = subtitle(opts.title ?? "Flows: bytes against duration",
    `${count(ok.length)} of ${count(n)} flows (${count(none)} without duration or bytes not drawn)${note}`);
  return figure({
    data,
    layout: layout(title, "duration (s, log)", "IP bytes, both directions (log)", {
      xaxis: { type: "log" }, yaxis: { type: "log" }, hovermode: "closest",
    }),
  });
}
