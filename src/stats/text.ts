/**
 * tshark-like text for the statistics (`wirebook stats`): the layouts of tshark 4.0's
 * `-q -z io,phs`, `-z conv,TYPE`, `-z endpoints,TYPE` and `-z io,stat,N`.
 */
import type { StatTable } from "./table";
import { showControls } from "../result/format/escape";

const RULE = "===================================================================";
const RULE80 = "================================================================================";

/** tshark's format_size (SI, decimal, integer division): "8668 bytes", "151 kB", "12 MB". */
export function formatSize(n: number): string {
  const units = ["kB", "MB", "GB", "TB"];
  let shown = "";
  for (let u = units.length; u >= 1; u--) {
    const q = Math.floor(n / 1000 ** u);
    if (q >= 10) { shown = `${q} ${units[u - 1]}`; break; }
  }
  return shown === "" ? `${n} bytes` : shown;
}

// every cell goes through showControls: values are packet data, and this text reaches a terminal
const padEnd = (v: string, n: number) => { const s = showControls(v); return s.length >= n ? s : s + " ".repeat(n - s.length); };
const padStart = (v: string, n: number) => { const s = showControls(v); return s.length >= n ? s : " ".repeat(n - s.length) + s; };

export function phsText(t: StatTable, filter = ""): string {
  const lines = ["", RULE, "Protocol Hierarchy Statistics", `Filter: ${filter}`, ""];
  for (const r of t.cells) {
    const [, protocol, depth, frames, bytes] = r as [string, string, number, number, number];
    lines.push(`${padEnd("  ".repeat(depth) + protocol, 40)} frames:${frames} bytes:${bytes}`);
  }
  lines.push(RULE);
  return lines.join("\n") + "\n";
}

const CONV_NAMES: Record<string, string> = { eth: "Ethernet", ip: "IPv4", ipv6: "IPv6", tcp: "TCP", udp: "UDP" };

/** conv rows must be in tshark's order (conversationsByFrames) */
export function convText(t: StatTable, type: string): string {
  const ports = type === "tcp" || type === "udp";
  const w = ports ? 26 : 20, lead = " ".repeat(2 * w + 7);
  const lines = [RULE80, `${CONV_NAMES[type]} Conversations`, "Filter:<No Filter>",
    `${lead}|       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`,
    `${lead}| Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`];
  for (const r of t.records()) {
    const a = ports ? `${r.address_a}:${r.port_a}` : String(r.address_a);
    const b = ports ? `${r.address_b}:${r.port_b}` : String(r.address_b);
    const start = r.rel_start === null ? 0 : (r.rel_start as number);
    const dur = r.duration === null ? 0 : (r.duration as number);
    lines.push(`${padEnd(a, w)} <-> ${padEnd(b, w)}  ${padStart(String(r.frames_b_to_a), 6)} ${padEnd(formatSize(r.bytes_b_to_a as number), 9)}` +
      `  ${padStart(String(r.frames_a_to_b), 6)} ${padEnd(formatSize(r.bytes_a_to_b as number), 9)}` +
      `  ${padStart(String(r.frames), 6)} ${padEnd(formatSize(r.bytes as number), 9)}  ${padStart(start.toFixed(9), 14)}   ${padStart(dur.toFixed(4), 12)}`);
  }
  lines.push(RULE80);
  return lines.join("\n") + "\n";
}

export function endpointsText(t: StatTable, type: string): string {
  const ports = type === "tcp" || type === "udp";
  const lines = [RULE80, `${CONV_NAMES[type]} Endpoints`, "Filter:<No Filter>",
    ports ? "                       |  Port  ||  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |"
      : "                       |  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |"];
  for (const r of t.records()) {
    let l = padEnd(String(r.address), 20);
    if (ports) l += `  ${padStart(String(r.port), 9)}`;
    l += `  ${padStart(String(r.frames), 9)}  ${padStart(String(r.bytes), 12)}  ${padStart(String(r.tx_frames), 9)}  ${padStart(String(r.tx_bytes), 14)}` +
      `  ${padStart(String(r.rx_frames), 9)}  ${padStart(String(r.rx_bytes), 14)}   `;
    lines.push(l);
  }
  lines.push(RULE80);
  return lines.join("\n") + "\n";
}

/** A plain aligned rendering of any StatTable (io,stat, top-N, TCP trouble). */
export function tableText(t: StatTable, title: string): string {
  const cells = t.cells.map((r) => r.map((c) => showControls(c === null ? "" : typeof c === "number" && !Number.isInteger(c) ? c.toFixed(6) : String(c))));
  // a loop, not Math.max(...cells): a million rows overflow the stack as arguments
  const widths = t.columns.map((c, i) => cells.reduce((w, r) => (r[i].length > w ? r[i].length : w), c.length));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? padEnd(c, widths[i]) : padStart(c, widths[i]))).join("  ").trimEnd();
  const rule = "=".repeat(Math.max(title.length, widths.reduce((a, b) => a + b + 2, -2)));
  return [rule, showControls(title), rule, line(t.columns.map(showControls)), ...cells.map(line), rule].join("\n") + "\n";
}
