/**
 * The CLI's enrichment options, taken out of the arguments before a command sees them:
 * `--geoip-city DB.mmdb` and `--geoip-asn DB.mmdb` on every command that reads captures. They set
 * WIREBOOK_GEOIP_CITY / WIREBOOK_GEOIP_ASN, which open() reads (src/enrich/options.ts).
 */
import * as fs from "node:fs";
import { UsageError } from "../cli/usage";

const OPTS: Record<string, string> = { "--geoip-city": "WIREBOOK_GEOIP_CITY", "--geoip-asn": "WIREBOOK_GEOIP_ASN" };

/** The arguments without the enrichment options (which are applied to the environment). */
export function takeEnrichOptions(args: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const key = OPTS[name];
    if (key === undefined) { out.push(a); continue; }
    const v = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (v === undefined || v === "") throw new UsageError(`${name} needs a MaxMind database file (.mmdb)`);
    if (!fs.existsSync(v)) throw new UsageError(`${name}: no such file ${v}`);
    env[key] = v;
  }
  return out;
}
