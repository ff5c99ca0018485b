/** `wirebook fields FILE -e FIELD …`: tshark's -T fields output, byte for byte. */
import { fieldByName } from "../fields/registry";
import { compileFilter, FilterError } from "../filter";
import { open } from "../table/load";
import { UsageError } from "./usage";
import { Output } from "./output";

export async function fieldsCommand(args: string[]): Promise<number> {
  const fields: string[] = [];
  let file: string | undefined, limit: number | undefined, header = true, display: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-e") fields.push(need(args, ++i, "-e"));
    else if (a === "-c") limit = Number(need(args, ++i, "-c"));
    else if (a === "-r") file = need(args, ++i, "-r");
    else if (a === "--no-header") header = false;
    else if (a === "-Y") display = need(args, ++i, "-Y");
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError("fields: no capture file given");
  if (fields.length === 0) throw new UsageError("fields: name at least one field with -e");
  for (const f of fields) if (!fieldByName(f)) throw new UsageError(`unknown field "${f}"`);
  if (limit !== undefined && !(limit >= 0)) throw new UsageError("-c takes a packet count");
  // a display filter: checked before reading (errors as tshark's, exit 2); its fields are loaded too
  let filterFields: readonly string[] = [];
  if (display !== undefined) {
    try {
      filterFields = compileFilter(display).fields;
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      process.stderr.write(`wirebook: ${e.message}\n`);
      return 2;
    }
  }
  const all = await open(file, { columns: [...fields, ...filterFields], limit });
  const cap = display === undefined ? all : all.filter(display);
  for (const w of all.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
  const cols = fields.map((f) => cap.column(f));
  const out = new Output(process.stdout.fd);
  if (header) out.write(fields.join("\t") + "\n");
  for (let r = 0; r < cap.count; r++) {
    let line = "";
    for (let i = 0; i < cols.length; i++) {
      if (i > 0) line += "\t";
      line += cols[i].text(r);
    }
    out.write(line + "\n");
  }
  out.flush();
  return 0;
}

function need(args: string[], i: number, opt: string): string {
  if (i >= args.length) throw new UsageError(`${opt} needs a value`);
  return args[i];
}
