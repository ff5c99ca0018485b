/**
 * Suricata eve.json (JSON lines: alert, flow, dns, http, tls, fileinfo, anomaly … events) as a
 * LogTable: nested objects flattened with dots (`alert.signature_id`, `http.hostname`,
 * `flow.pkts_toserver`), `ts` added as epoch seconds from `timestamp`. Given a capture (or its
 * FlowTable), events are joined to our flows by 5-tuple (`src_ip src_port dest_ip dest_port
 * proto`, either orientation; by `community_id` first when the events carry it) and time (`wirebook_uid`); `eve.alerts()` turns the alert events
 * into rows of our AlertTable (detector "suricata"), whose evidence is the alerting packet when
 * it is found in the joined flow.
 *
 *   const eve = wb.importEve("eve.json", cap);  eve.alerts().toDataFrame();
 */
import type { FlowTable } from "../flows/table";
import type { Capture } from "../table/capture";
import { AlertTable, type AlertInput } from "../detect/alerts";
import { LogTable, norm, type JoinOptions } from "./log";
import { parseJsonLines, readText } from "./zeek";

/** "2024-06-10T06:13:20.123456+0000" → epoch seconds (µs kept); NaN when unreadable */
export function eveTime(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(s.trim());
  if (!m) return NaN;
  const zone = m[3] === undefined || m[3] === "Z" ? "Z" : m[3].includes(":") ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const base = Date.parse(`${m[1]}${zone}`);
  if (Number.isNaN(base)) return NaN;
  return base / 1000 + (m[2] ? Number(`0.${m[2]}`) : 0);
}

export class EveTable extends LogTable {
  /** the capture the events were joined to */
  capture: Capture | undefined;

  /** The alert events as an AlertTable (detector "suricata"; severity, sid, msg, classtype from the rule). */
  alerts(): AlertTable {
    const col = (n: string) => (this.has(n) ? this.column(n) : undefined);
    const et = col("event_type"), ts = col("ts"), sip = col("src_ip"), dip = col("dest_ip"), sp = col("src_port"), dp = col("dest_port");
    const proto = col("proto"), app = col("app_proto"), sid = col("alert.signature_id"), sig = col("alert.signature");
    const cat = col("alert.category"), sev = col("alert.severity"), uid = col("wirebook_uid");
    const act = col("alert.action"), rev = col("alert.rev"), gid = col("alert.gid");
    const numOf = (c: typeof sid, r: number) => { const v = c?.get(r); return typeof v === "number" ? v : undefined; };
    const out: AlertInput[] = [];
    const time = this.capture?.column("frame.time_epoch");
    for (let r = 0; r < this.count; r++) {
      if (et?.get(r) !== "alert") continue;
      const t = ts?.get(r) as number | undefined;
      const a = String(sip?.get(r) ?? ""), b = String(dip?.get(r) ?? "");
      const pr = String(proto?.get(r) ?? "").toLowerCase();
      let evidence = "";
      // the alerting packet: in the joined flow, the one at the event's time
      const fr = this.flowRow.length ? this.flowRow[r] : -1;
      if (fr >= 0 && this.flows !== undefined && time !== undefined && t !== undefined) {
        const pk = this.flows.packetsOf(fr);
        const tc = pk.column("frame.time_epoch");
        let best = -1, bd = 2e-6;
        for (let i = 0; i < pk.count; i++) { const d = Math.abs((tc.get(i) as number) - t); if (d <= bd) { bd = d; best = i; } }
        if (best >= 0) evidence = `frame.number == ${pk.baseRow(best) + 1}`;
      }
      if (evidence === "" && a !== "" && b !== "") {
        const ipf = a.includes(":") ? "ipv6" : "ip";
        const pf = pr === "tcp" || pr === "udp" ? ` && ${pr}.port == ${sp?.get(r)} && ${pr}.port == ${dp?.get(r)}` : "";
        evidence = `${ipf}.addr == ${norm(a)} && ${ipf}.addr == ${norm(b)}${pf}` +
          (t !== undefined ? ` && frame.time_epoch >= ${(t - 1e-6).toFixed(6)} && frame.time_epoch <= ${(t + 1e-6).toFixed(6)}` : "");
      }
      const s = sid?.get(r);
      const u = uid?.get(r);
      out.push({
        ts: t ?? NaN, detector: "suricata", severity: Math.min(Math.max(Number(sev?.get(r) ?? 3), 1), 3), src: norm(a), dst: norm(b),
        sport: numOf(sp, r), dport: numOf(dp, r), app_proto: String(app?.get(r) ?? "") || undefined,
        action: (act?.get(r) as string | undefined) || undefined, rev: numOf(rev, r), gid: numOf(gid, r), priority: numOf(sev, r),
        proto: String(app?.get(r) ?? "") || pr, summary: String(sig?.get(r) ?? ""), evidence,
        uids: typeof u === "string" ? [u] : [], sid: typeof s === "number" ? s : undefined, msg: String(sig?.get(r) ?? "") || undefined,
        classtype: (cat?.get(r) as string | undefined) || undefined, packets: evidence.startsWith("frame.number") ? 1 : undefined,
      });
    }
    return AlertTable.from(out, this.capture);
  }
}

/** Parses eve.json text. */
export function parseEve(text: string): EveTable {
  const t = parseJsonLines(text.split(/\r?\n/), "eve", EveTable);
  // ts: epoch seconds from "timestamp"
  if (t.has("timestamp") && !t.has("ts")) {
    const c = t.column("timestamp");
    const a: (number | null)[] = [];
    for (let r = 0; r < t.count; r++) { const v = c.get(r); const x = typeof v === "string" ? eveTime(v) : NaN; a.push(x === x ? x : null); }
    t.addNumbers("ts", a);
  }
  return t;
}

/** Reads a Suricata eve.json (plain or gzip); with a capture (or its flows), joins events to flows. */
export function importEve(path: string, capture?: Capture | FlowTable, o: JoinOptions = {}): EveTable {
  const t = parseEve(readText(path));
  if (capture !== undefined && t.has("src_ip") && t.has("dest_ip")) {
    t.joinOn(capture, { a: "src_ip", b: "dest_ip", pa: "src_port", pb: "dest_port", proto: "proto", communityId: "community_id" }, (v) => {
      const p = (v ?? "").toLowerCase();
      return p === "ipv6-icmp" || p === "icmpv6" ? "icmp" : p;
    }, o);
    t.capture = "flowOf" in capture ? capture.capture : capture;
  }
  return t;
}
