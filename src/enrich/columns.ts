/**
 * The enrichment columns of the result tables: `community_id` (flows, application tables, alerts)
 * and the GeoIP/ASN columns of flows. Each is computed on first read from the table's own tuple
 * columns, so a table nobody enriches pays nothing.
 */
import type { Column } from "../result/table";
import type { Capture } from "../table/capture";
import { communityId, communityIdSeed } from "./communityid";

/** What a table hands over to get its enrichment columns: its tuple columns and its capture. */
export interface TupleSource {
  count: number;
  capture?: Capture;
  src(r: number): string | undefined;
  dst(r: number): string | undefined;
  /** IP protocol number */
  proto(r: number): number | undefined;
  sport(r: number): number | undefined;
  dport(r: number): number | undefined;
}

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, "ipv6-icmp": 58, icmpv6: 58, icmp6: 58, sctp: 132 };

/** An IP protocol number from a name or number ("tcp", "6", "icmp" …). */
export function protoNumber(p: string | number | undefined): number | undefined {
  if (p === undefined || p === "") return undefined;
  if (typeof p === "number") return p;
  const n = PROTO_NUMBERS[p.toLowerCase()];
  if (n !== undefined) return n;
  return /^\d+$/.test(p) && Number(p) < 256 ? Number(p) : undefined;
}

function lazy<T>(n: number, f: (r: number) => T): (r: number) => T {
  let cache: T[] | null = null;
  return (r) => {
    if (cache === null) { cache = new Array<T>(n); for (let i = 0; i < n; i++) cache[i] = f(i); }
    return cache[r];
  };
}

/** The Community ID of one tuple row (undefined when the row has no IP pair or a port is missing). */
export function tupleCommunityId(s: TupleSource, r: number, seed: number): string | undefined {
  const a = s.src(r), b = s.dst(r), p = s.proto(r);
  if (a === undefined || b === undefined || p === undefined) return undefined;
  if (a.includes(":") !== b.includes(":")) return undefined;
  const sp = s.sport(r), dp = s.dport(r);
  const ported = p === 1 || p === 6 || p === 17 || p === 58 || p === 132;
  if (ported && (sp === undefined || dp === undefined)) return undefined;
  try {
    return ported ? communityId(a, b, p, sp, dp, seed) : communityId(a, b, p, undefined, undefined, seed);
  } catch {
    return undefined; // not an IP pair (a MAC-only flow, …)
  }
}

/** The `community_id` column over a tuple source (seed: the capture's, see open()'s communityIdSeed). */
export function communityIdColumn(s: TupleSource): Column {
  const seed = s.capture !== undefined ? communityIdSeed(s.capture) : 0;
  const get = lazy(s.count, (r) => tupleCommunityId(s, r, seed));
  return { name: "community_id", type: "string", get, text: (r) => get(r) ?? "-" };
}

/** A column read through a row map (an application table's rows → its flows' rows). */
export function mappedColumn(c: Column, rows: ArrayLike<number>): Column {
  return { name: c.name, type: c.type, get: (r) => c.get(rows[r]), text: (r) => c.text(rows[r]) };
}

/** The enrichment columns of a flow table (appended after its own). */
export function flowEnrichColumns(t: { count: number; capture: Capture; column(name: string): Column }): Column[] {
  const oh = t.column("id.orig_h"), rh = t.column("id.resp_h"), op = t.column("id.orig_p"), rp = t.column("id.resp_p"), ip = t.column("ip_proto");
  const src: TupleSource = {
    count: t.count, capture: t.capture,
    src: (r) => oh.get(r) as string | undefined, dst: (r) => rh.get(r) as string | undefined,
    proto: (r) => ip.get(r) as number | undefined,
    sport: (r) => op.get(r) as number | undefined, dport: (r) => rp.get(r) as number | undefined,
  };
  return [communityIdColumn(src), ...flowGeoColumns(src)];
}

/** The tuple of an alert table's rows. */
export function alertEnrichColumns(t: { count: number; capture?: Capture; column(name: string): Column }): Column[] {
  const s = t.column("src"), d = t.column("dst"), sp = t.column("sport"), dp = t.column("dport"), p = t.column("proto"), uid = t.column("uid");
  const own = communityIdColumn({
    count: t.count, capture: t.capture,
    src: (r) => s.get(r) as string | undefined, dst: (r) => d.get(r) as string | undefined,
    proto: (r) => protoNumber(p.get(r) as string | undefined),
    sport: (r) => sp.get(r) as number | undefined, dport: (r) => dp.get(r) as number | undefined,
  });
  // an alert without ports (a detector's) takes its first flow's id
  let flows: { rowOf(uid: string): number; column(n: string): Column } | undefined;
  const get = (r: number) => {
    const v = own.get(r);
    if (v !== undefined || t.capture === undefined) return v;
    const u = uid.get(r);
    if (typeof u !== "string") return undefined;
    const cap = t.capture as Capture & { flows?: () => typeof flows };
    if (typeof cap.flows !== "function") return undefined;
    flows ??= cap.flows();
    const fr = flows!.rowOf(u);
    return fr < 0 ? undefined : flows!.column("community_id").get(fr);
  };
  return [{ name: "community_id", type: "string", get, text: (r) => (get(r) as string | undefined) ?? "" }];
}

/** GeoIP columns of flows (none when the capture has no databases). */
export let flowGeoColumns: (s: TupleSource) => Column[] = () => [];
/** @internal set by src/enrich/geoip.ts */
export function setFlowGeoColumns(f: (s: TupleSource) => Column[]): void {
  flowGeoColumns = f;
}
