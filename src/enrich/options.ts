/**
 * What open() takes for enrichment, and how it is applied to a capture: the Community ID seed and
 * the MaxMind databases for GeoIP (paths, else $WIREBOOK_GEOIP_CITY / $WIREBOOK_GEOIP_ASN).
 * Importing this module declares the enrichment fields (communityid, ip.geoip.*, ipv6.geoip.*).
 */
import type { Capture } from "../table/capture";
import { setCommunityIdSeed } from "./communityid";

export interface EnrichOptions {
  /** seed of the `communityid` field and `community_id` columns (0…65535, default 0, as tshark's preference) */
  communityIdSeed?: number;
}

/** Applies the enrichment options to a freshly opened capture; returns it. */
export function applyEnrichOptions(c: Capture, o: EnrichOptions): Capture {
  if (o.communityIdSeed !== undefined) setCommunityIdSeed(c, o.communityIdSeed);
  return c;
}
