/**
 * GeoIP and ASN from MaxMind databases the user supplies (GeoLite2/GeoIP2 City and ASN .mmdb files;
 * never downloaded). Per capture: `open(path, { geoip: { city, asn } })`, else the environment
 * variables WIREBOOK_GEOIP_CITY / WIREBOOK_GEOIP_ASN (the CLI's --geoip-city / --geoip-asn set them).
 *
 * Packet fields as tshark prints them with the same databases: ip.geoip.{src,dst}_{country,
 * country_iso,city,asnum,org,lat,lon} and the same under ipv6.geoip. (computed when read: nothing
 * is stored per packet; lookups are cached per address). Flows get orig_cc resp_cc orig_city
 * resp_city orig_asn resp_asn orig_as_org resp_as_org.
 */
import * as fs from "node:fs";
import { Reader } from "maxmind";
import { defineField, fieldByName, type Display, type FieldDef } from "../fields/registry";
import { formatIPv4 } from "../fields/registry";
import { Capture, type Value } from "../table/capture";
import type { TableBuilder } from "../table/builder";
import type { Column } from "../result/table";
import { setFlowGeoColumns, type TupleSource } from "./columns";

export interface GeoipOptions {
  /** a City (or Country) database: GeoLite2-City.mmdb */
  city?: string;
  /** an ASN database: GeoLite2-ASN.mmdb */
  asn?: string;
}

/** What one address is known as (absent parts undefined). */
export interface GeoInfo {
  country?: string;
  country_iso?: string;
  city?: string;
  asnum?: number;
  org?: string;
  lat?: number;
  lon?: number;
}

interface CityRecord {
  country?: { iso_code?: string; names?: Record<string, string> };
  city?: { names?: Record<string, string> };
  location?: { latitude?: number; longitude?: number };
}
interface AsnRecord { autonomous_system_number?: number; autonomous_system_organization?: string }

const readers = new Map<string, Reader<never>>();

function reader(path: string, what: string): Reader<never> {
  let r = readers.get(path);
  if (r === undefined) {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      throw new Error(`GeoIP ${what} database ${path}: ${(e as Error).message}`);
    }
    try {
      r = new Reader<never>(buf);
    } catch (e) {
      throw new Error(`GeoIP ${what} database ${path} is not a MaxMind database: ${(e as Error).message}`);
    }
    readers.set(path, r);
  }
  return r;
}

/** A pair of open databases with a per-address cache. */
export class GeoDb {
  private readonly city: Reader<never> | undefined;
  private readonly asn: Reader<never> | undefined;
  private readonly cache = new Map<string, GeoInfo | null>();

  constructor(readonly paths: GeoipOptions) {
    this.city = paths.city ? reader(paths.city, "city") : undefined;
    this.asn = paths.asn ? reader(paths.asn, "ASN") : undefined;
  }

  /** What the databases know of an address (null: nothing). */
  lookup(addr: string): GeoInfo | null {
    let v = this.cache.get(addr);
    if (v !== undefined) return v;
    const g: GeoInfo = {};
    let any = false;
    try {
      const c = this.city?.get(addr) as CityRecord | null | undefined;
      if (c) {
        if (c.country?.names?.en !== undefined) { g.country = c.country.names.en; any = true; }
        if (c.country?.iso_code !== undefined) { g.country_iso = c.country.iso_code; any = true; }
        if (c.city?.names?.en !== undefined) { g.city = c.city.names.en; any = true; }
        if (typeof c.location?.latitude === "number") { g.lat = c.location.latitude; any = true; }
        if (typeof c.location?.longitude === "number") { g.lon = c.location.longitude; any = true; }
      }
      const a = this.asn?.get(addr) as AsnRecord | null | undefined;
      if (a) {
        if (typeof a.autonomous_system_number === "number") { g.asnum = a.autonomous_system_number; any = true; }
        if (a.autonomous_system_organization !== undefined) { g.org = a.autonomous_system_organization; any = true; }
      }
    } catch {
      // not an address the reader takes
    }
    v = any ? g : null;
    if (this.cache.size < 1 << 18) this.cache.set(addr, v);
    return v;
  }
}

const dbs = new WeakMap<TableBuilder, GeoDb | null>();

/** The databases from options, else the environment; undefined when neither names one. */
export function geoipFromEnv(o?: GeoipOptions): GeoipOptions | undefined {
  const city = o?.city ?? (process.env.WIREBOOK_GEOIP_CITY || undefined);
  const asn = o?.asn ?? (process.env.WIREBOOK_GEOIP_ASN || undefined);
  return city === undefined && asn === undefined ? undefined : { city, asn };
}

/** Gives a capture its GeoIP databases (opens them now: a bad path fails here, not on first read). */
export function setGeoip(c: Capture | TableBuilder, o: GeoipOptions | undefined): void {
  dbs.set(c instanceof Capture ? c.storage.table : c, o === undefined ? null : new GeoDb(o));
}

/** The capture's databases (undefined: none). */
export function geoDb(c: Capture): GeoDb | undefined {
  return dbs.get(c.storage.table) ?? undefined;
}

// ---- packet fields ---------------------------------------------------------------------------

const PARTS: [keyof GeoInfo, Display, string][] = [
  ["country", "string", "country"], ["country_iso", "string", "country ISO code"], ["city", "string", "city"],
  ["asnum", "dec", "autonomous system number"], ["org", "string", "autonomous system organization"],
  ["lat", "string", "latitude"], ["lon", "string", "longitude"],
];

/** The GeoIP fields: ip.geoip.src_country … ipv6.geoip.dst_lon. */
export const GEOIP_FIELDS: FieldDef[] = [];
for (const ver of ["ip", "ipv6"]) for (const side of ["src", "dst"]) for (const [part, display, what] of PARTS) {
  const def = defineField(`${ver}.geoip.${side}_${part}`, {
    display, storage: "derived",
    description: `GeoIP ${what} of the ${side === "src" ? "source" : "destination"} address (MaxMind database given to open())`,
  });
  GEOIP_FIELDS.push(def);
  Capture.derivedReaders.set(def.name, {
    has: (t) => {
      const db = dbs.get(t);
      if (!db) return false;
      const a = ver === "ip" ? t.num[(fieldByName(`ip.${side}`) as FieldDef).id] : t.dict[(fieldByName(`ipv6.${side}`) as FieldDef).id]?.codes;
      return a != null && a.any();
    },
    reader: (t) => {
      const db = dbs.get(t);
      const addr = ver === "ip" ? t.num[(fieldByName(`ip.${side}`) as FieldDef).id] : null;
      const addr6 = ver === "ipv6" ? t.dict[(fieldByName(`ipv6.${side}`) as FieldDef).id] : null;
      const text = (r: number): string | undefined => {
        if (addr !== null) { const v = addr.get(r); return v === undefined ? undefined : formatIPv4(v); }
        return addr6?.get(r);
      };
      const get = (r: number): Value => {
        if (!db) return undefined;
        const a = text(r);
        return a === undefined ? undefined : db.lookup(a)?.[part];
      };
      return { get, text: (r) => { const v = get(r); return v === undefined ? "" : String(v); } };
    },
  });
}

// ---- flow columns ----------------------------------------------------------------------------

const FLOW_GEO: [string, keyof GeoInfo, "orig" | "resp", string][] = [
  ["orig_cc", "country_iso", "orig", "string"], ["resp_cc", "country_iso", "resp", "string"],
  ["orig_city", "city", "orig", "string"], ["resp_city", "city", "resp", "string"],
  ["orig_asn", "asnum", "orig", "count"], ["resp_asn", "asnum", "resp", "count"],
  ["orig_as_org", "org", "orig", "string"], ["resp_as_org", "org", "resp", "string"],
];
export const FLOW_GEO_COLUMNS = FLOW_GEO.map((c) => c[0]);

setFlowGeoColumns((s: TupleSource): Column[] => {
  const db = s.capture !== undefined ? geoDb(s.capture) : undefined;
  if (db === undefined) return [];
  return FLOW_GEO.map(([name, part, side, type]) => {
    const get = (r: number) => {
      const a = side === "orig" ? s.src(r) : s.dst(r);
      return a === undefined ? undefined : db.lookup(a)?.[part];
    };
    return { name, type, get, text: (r: number) => { const v = get(r); return v === undefined ? "-" : String(v); } };
  });
});
