/** Debug aid: node dist/test/flows/nfscheck.js [NAME…] — our nfstream-mode rows vs nfstream's CSV. */
import * as fs from "node:fs";
import * as path from "node:path";
import { open } from "../../src/table/load";
import "../../src/flows";

async function main(): Promise<void> {
  const dir = process.env.FLOWS_DIR ?? path.resolve(__dirname, "../../../../shared/flows");
  const names = process.argv.slice(2);
  for (const name of names.length ? names : fs.readdirSync(dir).filter((f) => f.endsWith(".nfstream.csv")).map((f) => f.slice(4, -13))) {
    const pcap = fs.readdirSync(dir).find((f) => f.startsWith(`nfs_${name}.pcap`)) as string;
    const csv = fs.readFileSync(path.join(dir, `nfs_${name}.nfstream.csv`), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    const cap = await open(path.join(dir, pcap));
    const ft = cap.flows({ mode: "nfstream" });
    const ours = ft.rows(["bidirectional_packets", "bidirectional_bytes"]).map((o) => `${o.bidirectional_packets},${o.bidirectional_bytes}`);
    const theirs = csv.map((r) => `${r[1]},${r[2]}`);
    let same = 0;
    for (let k = 0; k < Math.min(ours.length, theirs.length); k++) if (ours[k] === theirs[k]) same++;
    console.log(`== ${name}: nfstream ${theirs.length}, ours ${ours.length}, same in order ${same}`);
    if (process.env.V) for (let k = 0; k < Math.max(ours.length, theirs.length); k++) if (ours[k] !== theirs[k]) console.log(`  ${k}: nfs ${theirs[k]} ours ${ours[k]}`);
  }
}
// only when run by hand (node --test also loads every file under test/)
if (process.argv.length > 2 || process.env.FLOWS_CHECK !== undefined) void main();
