/**
 * What open() takes for enrichment, and how it is applied to a capture: the Community ID seed and
 * the MaxMind databases for GeoIP (paths, else $WIREBOOK_GEOIP_CITY / $WIREBOOK_GEOIP_ASN).
 * Importing this module declares the enrichment fields (communityid, ip.geoip.*, ipv6.geoip.*).
 */
import type { TableBuilder } from "../table/builder";
import { setCommunityIdSeed } from "./communityid";
import { geoipFromEnv, setGeoip, type GeoipOptions } from "./geoip";

export interface EnrichOptions {
  /** seed of the `communityid` field and `community_id` columns (0…65535, default 0, as tshark's preference) */
  communityIdSeed?: number;
  /**
   * MaxMind databases (paths) for the ip.geoip.* / ipv6.geoip.* fields and the flows' GeoIP
   * columns; default $WIREBOOK_GEOIP_CITY and $WIREBOOK_GEOIP_ASN; never downloaded
   */
  geoip?: GeoipOptions;
}

/** Applies the enrichment options to a table being opened (before its Capture is made). */
export function applyEnrichOptions(t: TableBuilder, o: EnrichOptions): void {
  if (o.communityIdSeed !== undefined) setCommunityIdSeed(t, o.communityIdSeed);
  setGeoip(t, geoipFromEnv(o.geoip));
}
