/**
 * Rule engine speed: packets/s over the shared suricata-verify set (each folder's rules on its
 * capture), and over a large capture with 100 generated content rules.
 *
 *   node dist/src/gen/cli.js office -o /tmp/x.pcap --packets 1000000
 *   node dist/bench/rules.js [/tmp/x.pcap]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { load, RULE_FIELDS } from "../src/rules";
import { open } from "../src/table/load";

const ROOT = path.resolve(__dirname, "..", "..");
const SHARED = process.env.WIREBOOK_SHARED ?? path.resolve(ROOT, "..", "shared");

/** 100 content rules: HTTP/DNS/TLS-looking tokens and random bytes, some nocase, some with depth/distance */
export function contentRules(n = 100): string {
  const words = ["GET /", "POST /", "User-Agent", "Host:", "cmd.exe", "/etc/passwd", "wp-login", "SELECT ", "UNION",
    "powershell", "eval(", "base64", ".php?", "admin", "login", "password", "Cookie", "Mozilla", "curl/", "python-requests",
    "|16 03 01|", "|16 03 03|", "|00 01 00 00|", "ssh-", "SSH-2.0", "EHLO", "MAIL FROM", "RCPT TO", "USER ", "PASS "];
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = words[i % words.length];
    const extra = i < words.length ? "" : `|${Array.from({ length: 2 + (i % 3) }, () => Math.floor(rnd() * 256).toString(16).padStart(2, "0")).join(" ")}|`;
    const nocase = i % 4 === 0 && !w.startsWith("|") ? " nocase;" : "";
    const mods = i % 5 === 0 ? " depth:200;" : "";
    const second = i % 7 === 0 ? ` content:"|0d 0a|"; distance:0;` : "";
    out.push(`alert ip any any -> any any (msg:"bench ${i}"; content:"${w}${extra}";${nocase}${mods}${second} sid:${100000 + i};)`);
  }
  return out.join("\n");
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

async function main(): Promise<void> {
  const dir = path.join(SHARED, "rules");
  if (fs.existsSync(dir)) {
    let packets = 0, secs = 0, alerts = 0;
    for (const name of fs.readdirSync(dir).sort()) {
      const d = path.join(dir, name);
      if (!fs.statSync(d).isDirectory()) continue;
      const pcap = fs.readdirSync(d).find((f) => /\.pcap/.test(f));
      if (pcap === undefined) continue;
      const rs = load(fs.readFileSync(path.join(d, "test.rules"), "utf8"));
      // warm, then measure 20 runs (the files are tiny)
      await rs.matchFile(path.join(d, pcap));
      const [r, s] = await time(async () => {
        let last = null;
        for (let i = 0; i < 20; i++) last = await rs.matchFile(path.join(d, pcap));
        return last!;
      });
      packets += r.packetsRead * 20;
      secs += s;
      alerts += r.count;
    }
    console.log(`suricata-verify set: ${packets / 20} packets × 20 runs in ${secs.toFixed(3)} s → ${Math.round(packets / secs).toLocaleString("en")} packets/s (${alerts} alerts per run)`);
  } else console.log(`suricata-verify set: ${dir} absent, skipped`);

  const big = process.argv[2] ?? "/tmp/x.pcap";
  if (!fs.existsSync(big)) {
    console.log(`${big} absent: make it with node dist/src/gen/cli.js office -o ${big} --packets 1000000`);
    return;
  }
  const rules = contentRules(100);
  const rs = load(rules);
  if (rs.active.length !== 100) throw new Error(`${rs.active.length} of 100 rules active: ${rs.warnings.join("; ")}`);
  const [none, s0] = await time(() => load(`alert ip any any -> any any (ttl:0; sid:1;)`).matchFile(big));
  console.log(`${path.basename(big)}: ${none.packetsRead.toLocaleString("en")} packets, 1 header-only rule: ${s0.toFixed(2)} s → ${Math.round(none.packetsRead / s0).toLocaleString("en")} packets/s (decode + flows + streams)`);
  const [r, s] = await time(() => rs.matchFile(big));
  console.log(`${path.basename(big)}: 100 content rules (open + match): ${s.toFixed(2)} s → ${Math.round(r.packetsRead / s).toLocaleString("en")} packets/s, ${r.count.toLocaleString("en")} alerts, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  // the notebook's way: the capture is open already (the rules then replay it)
  const [cap, so] = await time(() => open(big, { columns: RULE_FIELDS }));
  const [r2, s2] = await time(() => rs.match(cap));
  console.log(`${path.basename(big)}: open ${so.toFixed(2)} s; 100 content rules on the open capture: ${s2.toFixed(2)} s → ${Math.round(r2.packetsRead / s2).toLocaleString("en")} packets/s, ${r2.count.toLocaleString("en")} alerts`);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exitCode = 1; });
