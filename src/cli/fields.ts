/** `wirebook fields FILE -e FIELD …`: tshark's -T fields output, byte for byte. */
import { fieldByName } from "../fields/registry";
import { open } from "../table/load";
import { UsageError } from "./main";
import { Output } from "./output";

export async function fieldsCommand(args: string[]): Promise<number> {
  const fields: string[] = [];
  let file: string | undefined, limit: number | undefined, header = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-e") fields.push(need(args, ++i, "-e"));
    else if (a === "-c") limit = Number(need(args, ++i, "-c"));
    else if (a === "-r") file = need(args, ++i, "-r");
    else if (a === "--no-header") header = false;
    else if (a === "-Y") throw new UsageError("display filters (-Y) are not supported yet");
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (file === undefined) throw new UsageError("fields: no capture file given");
  if (fields.length === 0) throw new UsageError("fields: name at least one field with -e");
  for (const f of fields) if (!fieldByName(f)) throw new UsageError(`unknown field "${f}"`);
  if (limit !== undefined && !(limit >= 0)) throw new UsageError("-c takes a packet count");
  const cap = await open(file, { columns: fields, limit });
  for (const w of cap.warnings) process.stderr.write(`wirebook: warning: ${w}\n`);
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
