/**
 * tshark as the display-filter oracle: the frame numbers tshark selects for each of many filters
 * over one capture, in one tshark run.
 *
 * `tshark -Y EXPR` once per filter and file would be ~2 000 runs over the corpus; instead a Lua tap
 * listener is attached per filter (`Listener.new(nil, EXPR)`: a tap runs only for the packets its
 * filter matches, evaluated by the same display-filter engine as -Y) and each prints its frame
 * numbers at the end. The preferences are those of the per-packet reference
 * (../shared/tools/tshark-reference.sh): no IP defragmentation, no TCP desegmentation.
 * `tsharkY` runs the plain `-Y` form, which the conformance test uses to cross-check the batch.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const PREFS = ["-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE"];

// With Lua dissectors loaded too (`extra`), their fields exist only once the protocols are
// registered, after the scripts load: the listeners are then made from a protocol's init routine.
const LUA = `
local filters = {}
for line in io.lines(os.getenv("WIREBOOK_FILTERS")) do filters[#filters + 1] = line end
local hits, bad = {}, {}
local function listen()
  for i, f in ipairs(filters) do
    hits[i] = {}
    local ok, l = pcall(Listener.new, nil, f)
    if ok then
      function l.packet(pinfo) local h = hits[i]; h[#h + 1] = pinfo.number end
    else
      bad[i] = true
    end
  end
end
if os.getenv("WIREBOOK_FILTERS_LATE") == "1" then
  local made = false
  local p = Proto("wbfilterinit", "filter oracle")
  function p.init() if not made then made = true; listen() end end
else
  listen()
end
local all = Listener.new()
local done = false
function all.draw()
  if done then return end
  done = true
  for i = 1, #filters do
    if bad[i] then io.write("ERR\\n") else io.write(table.concat(hits[i], " "), "\\n") end
  end
  io.flush()
end
`;

let scriptDir: string | undefined;

function script(): string {
  if (scriptDir === undefined) scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-filter-"));
  const p = path.join(scriptDir, "filters.lua");
  if (!fs.existsSync(p)) fs.writeFileSync(p, LUA);
  return p;
}

/**
 * Frame numbers (1-based) tshark selects for each filter; null for a filter tshark rejects.
 * `extra`: more tshark arguments (`-X lua_script:DISSECTOR.lua`).
 */
export function tsharkBatch(file: string, filters: string[], extra: readonly string[] = []): Promise<(number[] | null)[]> {
  for (const f of filters) if (f.includes("\n")) throw new Error("a filter must be one line");
  const list = path.join(script(), "..", `filters-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(list, filters.join("\n") + "\n");
  return new Promise((resolve, reject) => {
    execFile("tshark", [...extra, "-r", file, ...PREFS, "-q", "-X", `lua_script:${script()}`],
      { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, WIREBOOK_FILTERS: list, WIREBOOK_FILTERS_LATE: extra.length > 0 ? "1" : "0" } },
      (err, stdout) => {
        fs.rmSync(list, { force: true });
        // tshark exits 2 on a cut-off or corrupt capture, after the packets before the damage
        const lines = stdout.split("\n");
        if (lines.length < filters.length) {
          reject(err ?? new Error(`tshark printed ${lines.length} lines for ${filters.length} filters`));
          return;
        }
        const out = lines.slice(lines.length - 1 - filters.length, lines.length - 1);
        resolve(out.map((l) => (l === "ERR" ? null : l === "" ? [] : l.split(" ").map(Number))));
      });
  });
}

/** `tshark -r FILE … -Y EXPR -T fields -e frame.number`, the plain form. */
export function tsharkY(file: string, expr: string): number[] {
  let out: string;
  try {
    out = execFileSync("tshark", ["-r", file, ...PREFS, "-Y", expr, "-T", "fields", "-e", "frame.number"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28 });
  } catch (e) {
    const o = (e as { stdout?: string }).stdout;
    if (typeof o !== "string") throw e;
    out = o;
  }
  return out.split("\n").filter((l) => l !== "").map(Number);
}
