/** Debug aid: node dist/test/flows/zeekcheck.js NAME… (or FLOWS_CHECK=1 for all) — our rows vs Zeek's for one shared capture. */
import * as fs from "node:fs";
import * as path from "node:path";
import { open } from "../../src/table/load";
import "../../src/flows";
import { COMPARABLE, compareRows, readZeekCmd, readZeekLog } from "./zeeklog";

async function main(): Promise<void> {
  const dir = process.env.FLOWS_DIR ?? path.resolve(__dirname, "../../../../shared/flows");
  const names = process.argv.slice(2);
  for (const name of names.length ? names : fs.readdirSync(dir).filter((f) => /^zeek_.*\.zeek-conn\.log$/.test(f)).map((f) => f.slice(5, -".zeek-conn.log".length))) {
    const pcap = fs.readdirSync(dir).find((f) => f.startsWith(`zeek_${name}.pcap`)) as string;
    const cmd = readZeekCmd(path.join(dir, `zeek_${name}.zeek-cmd.txt`));
    const cap = await open(path.join(dir, pcap));
    const ft = cap.flows({ zeekScripts: cmd.bare ? cmd.scripts : undefined });
    const log = readZeekLog(path.join(dir, `zeek_${name}.zeek-conn.log`));
    const d = compareRows(ft, log, COMPARABLE);
    console.log(`== ${name}: zeek ${log.rows.length} rows, ours ${ft.count}; missing ${d.missing.length}, extra ${d.extra.length}`);
    if (process.env.V) {
      console.log(COMPARABLE.join("\t"));
      for (const m of d.missing) console.log("  zeek: " + m);
      for (const m of d.extra) console.log("  ours: " + m);
    }
  }
}
// only when run by hand (node --test also loads every file under test/)
if (process.argv.length > 2 || process.env.FLOWS_CHECK !== undefined) void main();
