#!/usr/bin/env node
/**
 * The `wirebook` command. Exit codes: 0 done, 1 internal error, 2 rejected input or bad usage.
 */
import { CaptureError } from "../io/errors";
import { showControls } from "../result/format/escape";
import { SpecError } from "../custom/errors";

const USAGE = `usage: wirebook <command> [options]
  (commands that read captures take --geoip-city DB.mmdb --geoip-asn DB.mmdb, or $WIREBOOK_GEOIP_CITY/ASN)

commands:
  fields FILE -e FIELD [-e FIELD …] [-Y FILTER] [-c COUNT]   print fields per packet as tshark -T fields does
  summary FILE                                  what capinfos tells, plus packets per protocol
  flows FILE [--format tsv|csv|json] [--all]    connections as Zeek's conn.log (--nfstream: nfstream's flows)
  dns|http|tls|dhcp|quic|smtp FILE [--format …]  application tables keyed to flow uids (Zeek's dns/http/ssl/dhcp/quic/smtp logs)
  report FILE -o report.html [--title T]        one self-contained offline HTML report (charts, tables)
  capture -i DEV [-c N] [-a duration:S] [-f BPF] [-w FILE]   live capture as tshark (-D lists devices)
  stats FILE -z io,phs|conv,TYPE|endpoints,TYPE|io,stat,N[,FILTER…]|top,FIELD[,N]|tcp,trouble   tshark-like statistics
  alerts FILE [--rules FILE.rules] [--detector FILE.js] [--no-detectors] [--format tsv|csv|json]   detectors' and signature alerts
  files FILE [--format tsv|csv|json] [--extract DIR] [--reputation virustotal]   HTTP bodies as files: MIME types, md5/sha1/sha256
  convert INPUT… -o OUT [--jobs N]              captures (files, folders, globs) → a Parquet dataset (docs/dataset.md)
  sql DATASET "SELECT …" [--format tsv|csv|json|table|arrow]   SQL (DuckDB) over a dataset's tables
  (every command that reads captures takes --protocol FILE.js, repeatable, and WIREBOOK_PROTOCOLS: your own protocols)
  diff A B [--format tsv|csv|json] [-o diff.html]   what changed between two captures
  insights FILE [--format tsv|csv|json]         what stands out in a capture, ranked
  kernel install [--user | --prefix DIR]        register the Jupyter kernel
  kernel uninstall [--user | --prefix DIR]      remove it
  kernel execute NOTEBOOK.ipynb [--out DIR]     run a notebook headless to HTML

wirebook CMD --help: that command's usage; wirebook --version: the version.
`;

import { CommandError, UsageError } from "./usage";
import { HelpRequest, usageText } from "./options";

/** the command the usage error is about (for "see wirebook CMD --help"), when argv names one */
let current: string | undefined;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === "--version" || cmd === "-v" || cmd === "version") {
    process.stdout.write(`wirebook ${(require("../../../package.json") as { version: string }).version}\n`);
    return 0;
  }
  const given = (await import("../enrich/cli")).takeEnrichOptions(rest); // --geoip-city/--geoip-asn (any command)
  const appNames = (await import("../flows/apps")).APP_NAMES as readonly string[];
  const spec = cmd === undefined ? undefined : (await import("./specs")).specOf(cmd, appNames);
  if (spec !== undefined) {
    current = cmd;
    // -h/--help: the command's own usage, before the command parses (every command, the same way)
    const end = given.indexOf("--");
    if ((end < 0 ? given : given.slice(0, end)).some((a) => a === "-h" || a === "--help")) throw new HelpRequest(usageText(spec));
  }
  // your own protocols (docs/protocols.md): before the command, so its captures have their fields
  const args = cmd === undefined || cmd === "kernel" || cmd.startsWith("-") || cmd === "help" ? given
    : (await import("../custom/load")).takeProtocolArgs(given);
  switch (cmd) {
    case "fields": return (await import("./fields")).fieldsCommand(args);
    case "summary": return (await import("./summary")).summaryCommand(args);
    case "flows": return (await import("./flows")).flowsCommand(args);
    case "report": return (await import("./report")).reportCommand(args);
    case "kernel": return (await import("./kernel")).kernelCommand(args);
    case "capture": return (await import("./capture")).captureCommand(args);
    case "stats": return (await import("./stats")).statsCommand(args);
    case "alerts": return (await import("./alerts")).alertsCommand(args);
    case "files": return (await import("./files")).filesCommand(args);
    case "convert": return (await import("./convert")).convertCommand(args);
    case "sql": return (await import("./sql")).sqlCommand(args);
    case "diff": return (await import("../enrich/diffcli")).diffCommand(args);
    case "insights": return (await import("../enrich/insightscli")).insightsCommand(args);
    case undefined: throw new UsageError("no command given");
    case "-h": case "--help": case "help":
      process.stdout.write(USAGE);
      return 0;
    default:
      // an application table's command comes from its spec (src/flows/apps: APPS)
      if ((await import("../flows/apps")).appSpec(cmd) !== undefined) return (await import("./apps")).appCommand(cmd, args);
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

/**
 * The one-line message of an error a system call returned (ENOENT, ENOSPC, EACCES …): what it
 * was about (the path, or the output) and why, as the C library says it; null for other errors.
 */
export function systemError(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== "string" || typeof err.syscall !== "string" || !/^E[A-Z0-9]+$/.test(err.code)) return null;
  // "ENOSPC: no space left on device, write" → "no space left on device"
  const why = /^E[A-Z0-9]+: ([^,]+)/.exec(err.message)?.[1] ?? err.code;
  if (typeof err.path === "string") return `${err.path}: ${why}`;
  if (err.syscall === "write") return `cannot write the output: ${why}`;
  return `${err.syscall}: ${why}`;
}

/** Runs the command line and sets the exit code. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      if (e instanceof CaptureError || e instanceof SpecError) {
        process.stderr.write(`wirebook: ${e.message}\n`);
        process.exitCode = 2;
      } else if (e instanceof HelpRequest) {
        process.stdout.write(e.text);
        process.exitCode = 0;
      } else if (e instanceof UsageError) {
        // one line, then where the usage is (tshark and GNU tools print the same short form)
        const first = e.message.split("\n")[0];
        process.stderr.write(`wirebook: ${showControls(first)}\nsee wirebook${current ? " " + current : ""} --help\n`);
        process.exitCode = 2;
      } else if (e instanceof CommandError) {
        process.stderr.write(`wirebook: ${e.message.split("\n").map(showControls).join("\n")}\n`);
        process.exitCode = 2;
      } else if (systemError(e) !== null) {
        // the machine's answer (no such folder, a full disk, no permission): one line, no stack
        process.stderr.write(`wirebook: ${systemError(e)}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`wirebook: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
