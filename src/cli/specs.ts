/**
 * Every command's usage: what `wirebook CMD --help` prints and what src/cli/options.ts parses.
 * Data only (cheap to load: main.ts reads it for --help before loading a command).
 */
import { DISPLAY_FILTER, READ_FILE, tableFormat, type CommandSpec } from "./options";

/** the tables' formats: text ones, and Arrow IPC (binary, src/dataset/arrow.ts) */
const TABLE_FORMATS = ["tsv", "csv", "json", "arrow"] as const;

const INPUTS = { min: 1, name: "capture file (FILE, or - for standard input)" };
const EXIT = "exit status: 0 done, 1 internal error, 2 bad usage or a capture it cannot read";

export const FIELDS: CommandSpec = {
  name: "fields",
  synopsis: "FILE -e FIELD [-e FIELD …] [-Y FILTER] [-c COUNT] [-E OPT=VALUE …] [-T fields|json|ek]",
  about: "Prints fields per packet as tshark -T fields (or -T json, -T ek) does.",
  inputs: { ...INPUTS, max: 1 },
  options: [
    READ_FILE,
    { names: ["-e"], key: "field", arg: "FIELD", repeat: true, help: "a field to print (Wireshark's name, e.g. ip.src)" },
    DISPLAY_FILTER,
    { names: ["-c"], key: "count", arg: "COUNT", help: "read at most COUNT packets" },
    { names: ["-E"], key: "E", arg: "OPT=VALUE", repeat: true, help: "header=y|n, separator=/t|/s|C, quote=d|s|n, occurrence=f|l|a, aggregator=,|/s|C" },
    { names: ["-T"], key: "T", arg: "fields|json|ek", choices: ["fields", "json", "ek"], help: "output format (default fields)" },
    { names: ["--no-header"], key: "noHeader", help: "no header line (as -E header=n)" },
  ],
  notes: [
    "The header line is on by default (unlike tshark); -E header=n drops it.",
    "-T json is tshark's layout: an array, one {_index,_type,_score,_source:{layers:{FIELD:[values]}}} a packet.",
    "-T ek is tshark's: one {\"index\":…} line, then one {\"timestamp\":…,\"layers\":{…}} line a packet.",
    EXIT,
  ],
};

export const SUMMARY: CommandSpec = {
  name: "summary",
  synopsis: "FILE [FILE …] [--json]",
  about: "What capinfos tells about each capture, plus packets per protocol.",
  inputs: INPUTS,
  options: [READ_FILE, { names: ["--json"], help: "one JSON document (an array with several files)" }],
  notes: [EXIT],
};

export const FLOWS: CommandSpec = {
  name: "flows",
  synopsis: "FILE [FILE …] [-T tsv|csv|json|arrow] [-Y FILTER] [--all] [--nfstream] [--zeek-scripts a,b] [--max-connections N]",
  about: "The captures' connections, as Zeek's conn.log. With several files, a first column `capture` names each row's file.",
  inputs: INPUTS,
  options: [
    READ_FILE,
    tableFormat(TABLE_FORMATS),
    DISPLAY_FILTER,
    { names: ["--all"], help: "add the nfstream-style statistics columns" },
    { names: ["--nfstream"], help: "nfstream's flow definition (and its columns)" },
    { names: ["--zeek-scripts"], key: "zeekScripts", arg: "a,b", help: "Zeek policy behaviours to follow (comma-separated)" },
    { names: ["--max-connections"], key: "maxConnections", arg: "N", help: "connections tracked at once at the most (older ones are closed)" },
  ],
  notes: ["TSV is Zeek's ASCII log (zeek-cut reads it); CSV has a header row; JSON is one object a line (Zeek's JSON logs).", EXIT],
};

export function appSpec(name: string): CommandSpec {
  return {
    name,
    synopsis: "FILE [FILE …] [-T tsv|csv|json|arrow] [-Y FILTER]",
    about: `The ${name} table keyed to flow uids (Zeek's ${name === "tls" ? "ssl" : name}.log). With several files, a first column \`capture\` names each row's file.`,
    inputs: INPUTS,
    options: [READ_FILE, tableFormat(TABLE_FORMATS), DISPLAY_FILTER],
    notes: ["-Y keeps the packets the filter matches before the flows and the table are made.", EXIT],
  };
}

export const REPORT: CommandSpec = {
  name: "report",
  synopsis: "FILE -o report.html [--title T]",
  about: "One self-contained offline HTML report (charts, tables).",
  inputs: { ...INPUTS, max: 1 },
  options: [
    { names: ["-o", "--out", "--output"], key: "out", arg: "FILE.html", help: "where the report goes" },
    { names: ["-t", "--title"], key: "title", arg: "T", help: "the report's title" },
  ],
  notes: [EXIT],
};

export const CAPTURE: CommandSpec = {
  name: "capture",
  synopsis: "-i DEV [-c N] [-a duration:S] [-f BPF] [-s SNAPLEN] [-p] [-w FILE] [-F pcap|pcapng] [-q] | -D",
  about: "Live capture with tshark's options (Ctrl-C stops and keeps what was captured).",
  options: [
    { names: ["-i"], arg: "DEV", help: "the interface" },
    { names: ["-c"], arg: "N", help: "stop after N packets" },
    { names: ["-a"], arg: "duration:S", help: "stop after S seconds" },
    { names: ["-f"], arg: "BPF", help: "capture filter" },
    { names: ["-s"], arg: "SNAPLEN", help: "bytes kept per packet" },
    { names: ["-p"], help: "not in promiscuous mode" },
    { names: ["-w"], arg: "FILE", help: "write the packets to FILE" },
    { names: ["-F"], arg: "pcap|pcapng", help: "the file format of -w" },
    { names: ["-q"], help: "no per-packet lines" },
    { names: ["-D"], help: "list the interfaces" },
  ],
  notes: [EXIT],
};

export const STATS: CommandSpec = {
  name: "stats",
  synopsis: "FILE -z STAT [-z STAT …] [-T tsv|csv|json]",
  about: "tshark-like statistics: -z io,phs | conv,TYPE | endpoints,TYPE | io,stat,N[,FILTER…] | top,FIELD[,N] | tcp,trouble.",
  inputs: { ...INPUTS, max: 1 },
  options: [{ names: ["-z"], arg: "STAT", repeat: true, help: "a statistic (several -z: in order)" }, tableFormat()],
  notes: ["Without -T the text is tshark's; with -T, each statistic's table.", EXIT],
};

export const ALERTS: CommandSpec = {
  name: "alerts",
  synopsis: "FILE [--rules FILE.rules …] [--detector FILE …] [--no-detectors] [-T tsv|csv|json|arrow]",
  about: "The detectors' alerts and Suricata/Snort signature alerts.",
  inputs: { ...INPUTS, max: 1 },
  options: [
    { names: ["-r", "--rules"], arg: "FILE.rules", repeat: true, help: "signature rules to match" },
    { names: ["--no-detectors"], help: "only the rules' (and --detector's) alerts" },
    { names: ["--detector"], arg: "FILE", repeat: true, help: "your own detector: a module exporting one (docs/protocols.md)" },
    { names: ["--var"], arg: "NAME=VALUE", repeat: true, help: "a rule variable (e.g. HOME_NET=10.0.0.0/8)" },
    { names: ["--midstream"], help: "rules also match flows whose start is not in the capture" },
    { names: ["--async-oneside"], help: "rules also match flows seen one way" },
    { names: ["--show-secrets"], help: "show captured credentials in clear" },
    tableFormat(TABLE_FORMATS),
  ],
  notes: [EXIT],
};

export const FILES: CommandSpec = {
  name: "files",
  synopsis: "FILE [-T tsv|csv|json|arrow] [--extract DIR] [--reputation virustotal] [--cache-dir DIR]",
  about: "HTTP bodies as files: MIME types, md5/sha1/sha256 (Zeek's files.log).",
  inputs: { ...INPUTS, max: 1 },
  options: [
    tableFormat(TABLE_FORMATS),
    { names: ["--extract"], arg: "DIR", help: "write each file's content to DIR" },
    { names: ["--reputation"], arg: "virustotal", choices: ["virustotal"], help: "look the hashes up (needs VT_API_KEY)" },
    { names: ["--cache-dir"], arg: "DIR", help: "where reputation answers are cached" },
  ],
  notes: [EXIT],
};

export const KERNEL: CommandSpec = {
  name: "kernel",
  synopsis: "install|uninstall [--user | --sys | --prefix DIR] | execute NOTEBOOK.ipynb [--out DIR] [--allow-errors]",
  about: "The Jupyter kernel: register it, remove it, or run a notebook headless to HTML.",
  options: [
    { names: ["--user"], help: "install: for this user (default)" },
    { names: ["--sys"], help: "install: for the whole system" },
    { names: ["--prefix"], arg: "DIR", help: "install: under DIR (e.g. a virtualenv)" },
    { names: ["--out"], arg: "DIR", help: "execute: where the HTML goes (default: the notebook's folder)" },
    { names: ["--allow-errors"], help: "execute: a cell that raises shows its error in the HTML (exit 0); without it, exit 2 naming the cell" },
  ],
  notes: ["The kernel needs tslab beside Wirebook: npm install tslab@1.0.22 (docs/install.md).", EXIT],
};

export const CONVERT: CommandSpec = {
  name: "convert",
  synopsis: "INPUT… -o OUT [--jobs N] [--row-group-size N] [--compression zstd|snappy]",
  about: "Captures (files, folders, globs, gzip) to a Hive-partitioned Parquet dataset (docs/dataset.md).",
  options: [
    { names: ["-o", "--out"], arg: "OUT", help: "the dataset's folder" },
    { names: ["-j", "--jobs"], arg: "N", help: "captures converted at once" },
    { names: ["--row-group-size"], arg: "N", help: "rows a Parquet row group" },
    { names: ["--compression"], arg: "zstd|snappy", help: "Parquet compression" },
  ],
  notes: [EXIT],
};

export const SQL: CommandSpec = {
  name: "sql",
  synopsis: "DATASET \"SELECT …\" [-T tsv|csv|json|table|arrow] [-o FILE]",
  about: "SQL (DuckDB) over a dataset's views: packets, flows, dns, http, tls, dhcp, quic, smtp, files, alerts (each with the capture column).",
  options: [
    { names: ["-T", "--format"], arg: "tsv|csv|json|table|arrow", help: "output format (default tsv)" },
    { names: ["-o", "--out"], arg: "FILE", help: "write the result to FILE" },
  ],
  notes: ["A refused query: one line on stderr, exit 2.", EXIT],
};

export const DIFF: CommandSpec = {
  name: "diff",
  synopsis: "A B [--format tsv|csv|json] [-o diff.html]",
  about: "What changed between two captures: endpoints, conversations, services, protocols, names, alerts (new / gone / changed, each with a display filter; docs/enrich.md).",
  options: [
    { names: ["-T", "--format"], arg: "tsv|csv|json", help: "output format (default tsv)" },
    { names: ["-o", "--out"], arg: "diff.html", help: "also write an HTML page with charts" },
  ],
  notes: [EXIT],
};

export const INSIGHTS: CommandSpec = {
  name: "insights",
  synopsis: "FILE [--format tsv|csv|json]",
  about: "What stands out in a capture, ranked (severity, observation, evidence, a display filter; docs/enrich.md).",
  options: [{ names: ["-T", "--format"], arg: "tsv|csv|json", help: "output format (default tsv)" }],
  notes: [EXIT],
};

/** The spec of a command by name (the application tables' from their names). */
export function specOf(name: string, appNames: readonly string[]): CommandSpec | undefined {
  const fixed: Record<string, CommandSpec> = { fields: FIELDS, summary: SUMMARY, flows: FLOWS, report: REPORT, capture: CAPTURE, stats: STATS, alerts: ALERTS, files: FILES, kernel: KERNEL, convert: CONVERT, sql: SQL, diff: DIFF, insights: INSIGHTS };
  if (Object.prototype.hasOwnProperty.call(fixed, name)) return fixed[name];
  return appNames.includes(name) ? appSpec(name) : undefined;
}
