/**
 * The oracle's side of a protocol spec: the Wireshark Lua dissector a person would write for it
 * (`Proto`, `ProtoField.*`, `tree:add` / `tree:add_le` over `buf(pos, n)`, `DissectorTable.get`),
 * which tshark runs with `-X lua_script:FILE`. Written from the spec's plain data only (not from
 * Wirebook's decoder): Wireshark decodes, formats and filters the values itself.
 *
 * The dissector stops at the first field that does not fit in the captured bytes (the fields
 * before it stay in the tree), as the spec says a short packet is read.
 */
import type { FieldSpec, ProtocolSpec } from "../../src/custom";

const INT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, uint24: 3, uint32: 4, uint64: 8, int8: 1, int16: 2, int24: 3, int32: 4, int64: 8 };
const SIZES: Record<string, number> = { ...INT_BYTES, ipv4: 4, ipv6: 16, ether: 6, float: 4, double: 8 };

const q = (s: string): string => JSON.stringify(s); // a Lua string literal (plain ASCII here)
const v = (name: string): string => "f_" + name.replace(/[^A-Za-z0-9]/g, "_");

function valueTable(f: FieldSpec): string {
  if (f.values === undefined) return "nil";
  return "{" + Object.entries(f.values).map(([k, n]) => `[${k}]=${q(n)}`).join(", ") + "}";
}

function protoField(f: FieldSpec, specs: Map<string, FieldSpec>): string {
  const base = f.base === "hex" ? "base.HEX" : "base.DEC";
  if (f.of !== undefined) {
    const bits = 8 * INT_BYTES[(specs.get(f.of) as FieldSpec).type];
    if (f.type === "boolean") return `ProtoField.bool(${q(f.name)}, ${q(f.name)}, ${bits}, nil, ${f.mask})`;
    // a masked field over the source's bytes
    return `ProtoField.${f.type}(${q(f.name)}, ${q(f.name)}, ${base}, ${valueTable(f)}, ${f.mask})`;
  }
  switch (f.type) {
    case "ipv4": case "ipv6": case "ether": case "float": case "double": case "bytes": case "string":
      return `ProtoField.${f.type}(${q(f.name)}, ${q(f.name)})`;
    default: {
      const signed = f.type.startsWith("int");
      return `ProtoField.${f.type}(${q(f.name)}, ${q(f.name)}, ${signed ? "base.DEC" : base}, ${valueTable(f)})`;
    }
  }
}

/** a value read as a Lua number (for lengths and `next`) */
function luaRead(f: FieldSpec, little: boolean, at: string): string {
  const n = INT_BYTES[f.type];
  if (n === 8) return `${at}:${little ? "le_" : ""}${f.type.startsWith("int") ? "int64" : "uint64"}():tonumber()`;
  return `${at}:${little ? "le_" : ""}${f.type.startsWith("int") ? "int" : "uint"}()`;
}

/** Lua source of the dissectors for `specs`; `heuristics` gives the Lua test per protocol name. */
export function luaDissectors(specs: ProtocolSpec[], heuristics: Record<string, string> = {}): string {
  const out: string[] = [];
  for (const spec of specs) {
    const P = "p_" + spec.name;
    out.push(`local ${P} = Proto(${q(spec.name)}, ${q(spec.title ?? spec.name)})`);
    const byName = new Map(spec.fields.map((f) => [f.name, f]));
    for (const f of spec.fields) out.push(`local ${v(f.name)} = ${protoField(f, byName)}`);
    out.push(`${P}.fields = { ${spec.fields.map((f) => v(f.name)).join(", ")} }`);
  }
  for (const spec of specs) {
    const P = "p_" + spec.name;
    // a protocol with a dissector function and a heuristic is two layers in tshark: the heuristic calls a local function
    out.push(`local function dissect_${spec.name}(buf, pinfo, tree)`);
    out.push(`  local len = buf:len()`);
    out.push(`  if len < ${spec.minLength ?? 0} then return 0 end`);
    out.push(`  local t = tree:add(${P}, buf())`);
    out.push(`  local pos, val, rng = 0, {}, {}`);
    for (const f of spec.fields) {
      const src = f.of !== undefined ? spec.fields.find((x) => x.name === f.of) as FieldSpec : f;
      const little = (src.endian ?? spec.endian) === "little";
      const add = little ? "add_le" : "add";
      if (f.of !== undefined) {
        // bits of an earlier field: the same bytes again, masked
        out.push(`  t:${add}(${v(f.name)}, rng[${q(f.of)}])`);
        if (f.type !== "boolean") out.push(`  val[${q(f.name)}] = bit.rshift(bit.band(val[${q(f.of)}], ${f.mask}), ${Math.log2((f.mask as number) & -(f.mask as number))})`);
        continue;
      }
      let size: string;
      if (f.type === "bytes" || f.type === "string") size = f.size !== undefined ? String(f.size) : f.length !== undefined ? `val[${q(f.length)}]` : "len - pos";
      else size = String(SIZES[f.type]);
      out.push(`  do local n = ${size}`);
      out.push(`    if pos + n > len then return end`);
      out.push(`    local r = buf(pos, n)`);
      // tshark reads ipv4/ether/ipv6 in network order whatever the encoding for all but ipv4
      out.push(`    t:${f.type === "ipv6" || f.type === "ether" || f.type === "bytes" || f.type === "string" ? "add" : add}(${v(f.name)}, r)`);
      if (f.type in INT_BYTES) out.push(`    val[${q(f.name)}] = ${luaRead(f, little, "r")}; rng[${q(f.name)}] = r`);
      out.push(`    pos = pos + n end`);
    }
    const next = spec.next;
    if (next !== undefined) {
      const call = (name: string) => specs.some((s) => s.name === name)
        ? `${heuristics[name] === undefined ? `p_${name}.dissector` : `dissect_${name}`}(buf(pos):tvb(), pinfo, tree)` : `Dissector.get(${q(name)}):call(buf(pos):tvb(), pinfo, tree)`;
      out.push(`  if pos >= len then return end`);
      if (typeof next === "string") out.push(`  ${call(next)}`);
      else {
        for (const [k, name] of Object.entries(next.protocols)) out.push(`  if val[${q(next.field)}] == ${k} then ${call(name)} end`);
      }
    }
    out.push(`end`);
    if (heuristics[spec.name] === undefined) out.push(`${P}.dissector = dissect_${spec.name}`);
    const tables: Record<string, string> = { "udp.port": "udp.port", "tcp.port": "tcp.port", "eth.type": "ethertype", "ip.proto": "ip.proto" };
    for (const [k, table] of Object.entries(tables)) {
      const keys = (spec.over as Record<string, number | number[] | undefined>)[k];
      for (const key of keys === undefined ? [] : Array.isArray(keys) ? keys : [keys]) out.push(`DissectorTable.get(${q(table)}):add(${key}, ${P})`);
    }
    const h = heuristics[spec.name];
    if (h !== undefined) {
      for (const on of ["udp", "tcp"]) {
        out.push(`${P}:register_heuristic(${q(on)}, function(buf, pinfo, tree)`);
        out.push(`  if buf:len() < ${spec.minLength ?? 0} or not (${h}) then return false end`);
        out.push(`  dissect_${spec.name}(buf, pinfo, tree)`);
        out.push(`  return true`);
        out.push(`end)`);
      }
    }
  }
  return out.join("\n") + "\n";
}
