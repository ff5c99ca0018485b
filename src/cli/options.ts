/**
 * The CLI's one option parser and every command's usage (its options, inputs and help text).
 *
 * Each command is a CommandSpec; `parseArgs(spec, args)` gives its values and inputs, or throws
 * UsageError (one line; main.ts adds "see wirebook CMD --help") or HelpRequest (`-h`/`--help`:
 * the command's own usage on stdout, exit 0). Options shared by several commands (-Y, -T/--format,
 * -r) are defined once here; an option another part adds (for example `--protocol` or `--geoip-db`)
 * is one more entry in PLUGIN_OPTIONS with the commands it applies to, and every such command then
 * parses it and lists it in its --help.
 *
 * Syntax, as tshark's and GNU's: `-e VALUE`, `-eVALUE`, `--name VALUE`, `--name=VALUE`; `--` ends
 * the options; `-` alone is an input (standard input).
 */
import { UsageError } from "./usage";

export interface Opt {
  /** the spellings, e.g. ["-T", "--format"] */
  names: string[];
  /** where the value goes in Parsed.values (default: the last name without dashes) */
  key?: string;
  /** the value's placeholder in the usage; absent: a flag (value true) */
  arg?: string;
  /** may be given several times (the values are collected in order) */
  repeat?: boolean;
  /** the values allowed */
  choices?: readonly string[];
  help: string;
}

export interface CommandSpec {
  name: string;
  /** the synopsis after `wirebook NAME` */
  synopsis: string;
  about: string;
  options: Opt[];
  /** positional inputs: min (default 0), max (default unbounded) */
  inputs?: { min?: number; max?: number; name: string };
  /** further lines of the usage (formats, exit codes, examples) */
  notes?: string[];
}

export type OptValue = string | string[] | boolean;

export interface Parsed {
  values: Record<string, OptValue | undefined>;
  inputs: string[];
}

/** `-h` / `--help`: the text is the command's usage, printed on stdout with exit 0. */
export class HelpRequest extends Error {
  constructor(readonly text: string) {
    super("help");
  }
}

export const keyOf = (o: Opt): string => o.key ?? o.names[o.names.length - 1].replace(/^-+/, "");

// ---- shared options ------------------------------------------------------------------------

export const DISPLAY_FILTER: Opt = { names: ["-Y", "--display-filter"], key: "filter", arg: "FILTER", help: "keep only the packets this Wireshark display filter matches" };
export const READ_FILE: Opt = { names: ["-r", "--read-file"], key: "read", arg: "FILE", repeat: true, help: "a capture to read (as an input; - is standard input)" };
export const tableFormat = (choices: readonly string[] = ["tsv", "csv", "json"]): Opt => ({
  names: ["-T", "--format"], key: "format", arg: choices.join("|"), choices, help: `output format (default ${choices[0]})`,
});

/**
 * Options other modules add to some commands (or "*" for every command that reads captures).
 * An entry here is parsed by those commands and shown in their --help; the command reads its
 * value from Parsed.values[keyOf(option)].
 */
export const PLUGIN_OPTIONS: { commands: string[] | "*"; option: Opt }[] = [
  // taken by main.ts before the command runs (src/custom/load.ts: takeProtocolArgs); listed here for --help
  { commands: "*", option: { names: ["--protocol"], arg: "FILE", repeat: true, help: "your own protocol: a module exporting a spec (docs/protocols.md)" } },
];

const CAPTURE_COMMANDS = new Set(["fields", "summary", "flows", "dns", "http", "tls", "dhcp", "quic", "smtp", "report", "stats", "alerts", "files"]);

function allOptions(spec: CommandSpec): Opt[] {
  const extra = PLUGIN_OPTIONS.filter((p) => (p.commands === "*" ? CAPTURE_COMMANDS.has(spec.name) : p.commands.includes(spec.name))).map((p) => p.option);
  return [...spec.options, ...extra];
}

const HELP_OPT: Opt = { names: ["-h", "--help"], help: "this help" };

/** The command's usage text (what --help prints). */
export function usageText(spec: CommandSpec): string {
  const opts = [...allOptions(spec), HELP_OPT];
  const left = opts.map((o) => `  ${o.names.join(", ")}${o.arg ? " " + o.arg : ""}`);
  const width = Math.min(34, Math.max(...left.map((l) => l.length)) + 2);
  const lines = [
    `usage: wirebook ${spec.name} ${spec.synopsis}`,
    "",
    spec.about,
    "",
    "options:",
    ...opts.map((o, i) => (left[i].length + 1 > width ? `${left[i]}\n${" ".repeat(width)}${o.help}` : left[i].padEnd(width) + o.help)),
  ];
  if (spec.notes?.length) lines.push("", ...spec.notes);
  return lines.join("\n") + "\n";
}

/** Parses a command's arguments. */
export function parseArgs(spec: CommandSpec, args: string[]): Parsed {
  const opts = allOptions(spec);
  const byName = new Map<string, Opt>();
  for (const o of opts) for (const n of o.names) byName.set(n, o);
  const values: Record<string, OptValue | undefined> = {};
  const inputs: string[] = [];
  const set = (o: Opt, v: string | true) => {
    if (typeof v === "string" && o.choices && !o.choices.includes(v)) {
      throw new UsageError(`${o.names[o.names.length - 1]} takes ${o.choices.join(", ")} (not "${v}")`);
    }
    const k = keyOf(o);
    if (o.repeat) values[k] = [...((values[k] as string[] | undefined) ?? []), v as string];
    else values[k] = v;
  };
  let onlyInputs = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (onlyInputs || a === "-" || !a.startsWith("-")) {
      inputs.push(a);
      continue;
    }
    if (a === "--") { onlyInputs = true; continue; }
    if (a === "-h" || a === "--help") throw new HelpRequest(usageText(spec));
    let name = a, inline: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) { name = a.slice(0, eq); inline = a.slice(eq + 1); }
    let o = byName.get(name);
    if (o === undefined && !a.startsWith("--") && a.length > 2) {
      // -eVALUE: a one-letter option with its value attached
      const short = byName.get(a.slice(0, 2));
      if (short?.arg) { o = short; inline = a.slice(2); }
    }
    if (o === undefined) throw new UsageError(`unknown option ${name}`);
    if (!o.arg) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      set(o, true);
    } else if (inline !== undefined) set(o, inline);
    else {
      if (i + 1 >= args.length) throw new UsageError(`${name} needs ${o.arg.includes("|") ? "one of " + o.arg : "a value (" + o.arg + ")"}`);
      set(o, args[++i]);
    }
  }
  // -r FILE is an input like a positional one (tshark's spelling)
  const read = values.read as string[] | undefined;
  if (read) inputs.unshift(...read);
  const min = spec.inputs?.min ?? 0, max = spec.inputs?.max ?? Infinity;
  if (inputs.length < min) throw new UsageError(`no ${spec.inputs?.name ?? "input"} given`);
  if (inputs.length > max) throw new UsageError(max === 0 ? `unexpected argument ${inputs[0]}` : `unexpected argument ${inputs[max]} (${max === 1 ? "one input" : `at most ${max} inputs`})`);
  return { values, inputs };
}

export const str = (p: Parsed, k: string): string | undefined => p.values[k] as string | undefined;
export const strs = (p: Parsed, k: string): string[] => (p.values[k] as string[] | undefined) ?? [];
export const flag = (p: Parsed, k: string): boolean => p.values[k] === true;

/** A whole number option (≥ 0), or undefined when absent. */
export function count(p: Parsed, k: string, name: string): number | undefined {
  const v = str(p, k);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes a whole number (not "${v}")`);
  return Number(v);
}
