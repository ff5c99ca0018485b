/**
 * The danfo adapter: the one place Wirebook loads danfojs-node (lazily, on first use).
 *
 * danfojs-node is an optional peer dependency: a project that wants DataFrames installs it beside
 * Wirebook (docs/install.md gives the one line). Without it every other part of Wirebook works, and
 * the calls that make a DataFrame throw DanfoMissingError with that line.
 */
import type { Capture } from "./capture";

// The types are danfo's when danfojs-node is installed, `any` when it is not, so a project without
// danfo still type-checks against Wirebook's declarations (without skipLibCheck). The directive is
// in a doc comment since declaration files keep those.
/** danfo's DataFrame (danfojs-node is an optional peer dependency).
 * @ts-ignore */
export type DataFrame = import("danfojs-node").DataFrame;
/** The danfojs-node module (an optional peer dependency).
 * @ts-ignore */
export type Danfo = typeof import("danfojs-node");

/** The version Wirebook is tested with, and the one line that installs it from the npm registry alone. */
export const DANFO_VERSION = "1.2.0";
export const DANFO_RECIPE =
  `npm pkg set overrides.xlsx=0.18.5 "overrides.@tensorflow/tfjs-node=npm:@tensorflow/tfjs@3.21.0" && npm install danfojs-node@${DANFO_VERSION}`;

/** danfojs-node is not installed in the project. */
export class DanfoMissingError extends Error {
  constructor(cause?: unknown) {
    super(`DataFrames need danfojs-node, which is not installed; in your project run:\n  ${DANFO_RECIPE}`);
    this.name = "DanfoMissingError";
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

let dfd: Danfo | undefined;

/** danfojs-node, loaded on first use (its require takes 2–3 s); DanfoMissingError when absent. */
export function danfo(): Danfo {
  if (dfd === undefined) {
    try {
      dfd = require("danfojs-node") as Danfo;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // danfojs-node itself missing (not one of its own requires failing inside it)
      if (code === "MODULE_NOT_FOUND" && /'danfojs-node'/.test(String((e as Error).message))) throw new DanfoMissingError(e);
      throw e;
    }
  }
  return dfd;
}

/**
 * A DataFrame of named columns; with no rows, an empty frame that still has the columns (danfo
 * throws "end must be greater than start" on columns of length 0). Every toDataFrame() uses it.
 */
export function dataFrame(data: Record<string, unknown[]>, columns: string[]): DataFrame {
  const d = danfo();
  const rows = columns.length === 0 ? 0 : (data[columns[0]]?.length ?? 0);
  if (rows === 0) return new d.DataFrame([], { columns });
  return new d.DataFrame(data as never, { columns });
}

export interface DataFrameOptions {
  /**
   * The time zone of the `frame.time` column (an IANA name such as "Europe/Berlin"; default UTC):
   * ISO 8601 text with the zone's offset and the capture's nanoseconds, e.g.
   * "2024-06-10T06:13:20.187000000Z", which danfo's `.dt` accessor reads as a datetime.
   */
  timeZone?: string;
}

/** The column name a DataFrame accepts besides the capture's fields: the packet's time as a datetime. */
export const FRAME_TIME = "frame.time";

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The offset of `zone` from UTC at `ms`, in minutes (east positive). */
function zoneOffset(zone: string, ms: number): number {
  let f = zoneFormats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    zoneFormats.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * A packet time (frame.time_epoch's exact text, seconds.nanoseconds) as ISO 8601 in a time zone:
 * "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" in UTC, "…+HH:MM" elsewhere. A bad zone name throws RangeError.
 */
export function isoTime(epochText: string, timeZone = "UTC"): string | null {
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(epochText);
  if (m === null) return null;
  const sec = Number(m[1]), frac = (m[2] ?? "").padEnd(9, "0").slice(0, 9);
  const utc = timeZone === "UTC" || timeZone === "Etc/UTC";
  const offset = utc ? 0 : zoneOffset(timeZone, sec * 1000);
  const d = new Date((sec + offset * 60) * 1000);
  if (Number.isNaN(d.getTime())) return null;
  const base = d.toISOString().slice(0, 19);
  if (utc) return `${base}.${frac}Z`;
  const a = Math.abs(offset);
  return `${base}.${frac}${offset < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

export function toDataFrame(c: Capture, columns: string[], opts: DataFrameOptions = {}): DataFrame {
  const data: Record<string, (number | string | null)[]> = {};
  const zone = opts.timeZone ?? "UTC";
  if (columns.includes(FRAME_TIME)) new Intl.DateTimeFormat("en-US", { timeZone: zone }); // a bad zone: RangeError before any work
  for (const name of columns) {
    const out = new Array<number | string | null>(c.count);
    if (name === FRAME_TIME) {
      const epoch = c.column("frame.time_epoch");
      for (let r = 0; r < c.count; r++) out[r] = isoTime(epoch.text(r), zone);
    } else {
      const col = c.column(name);
      for (let r = 0; r < c.count; r++) {
        const v = col.get(r);
        out[r] = v === undefined ? null : v;
      }
    }
    data[name] = out;
  }
  return dataFrame(data, columns);
}
