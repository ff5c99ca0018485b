/**
 * Enrich and compare (docs/enrich.md): Community ID, GeoIP/ASN, the difference of two captures and
 * what stands out in one. Adds `Capture.insights()` and `Capture.diff(other)`.
 */
import { Capture } from "../table/capture";
import "../flows";
import "../flows/apps";
import "../detect";
import { insights, type InsightOptions, type InsightTable } from "./insights";
import { diff, type DiffOptions, type DiffTable } from "./diff";

declare module "../table/capture" {
  interface Capture {
    /** What stands out: a ranked table of observations (src/enrich/insights.ts). */
    insights(opts?: InsightOptions): Promise<InsightTable>;
    /** What changed from this capture to `other` (src/enrich/diff.ts). */
    diff(other: Capture, opts?: DiffOptions): Promise<DiffTable>;
  }
}
Capture.prototype.insights = function (this: Capture, opts?: InsightOptions) { return insights(this, opts); };
Capture.prototype.diff = function (this: Capture, other: Capture, opts?: DiffOptions) { return diff(this, other, opts); };

export { communityId, communityIdBytes, COMMUNITY_ID } from "./communityid";
export { GeoDb, GEOIP_FIELDS, FLOW_GEO_COLUMNS, type GeoipOptions, type GeoInfo } from "./geoip";
export { diff, DiffTable, DIFF_COLUMNS, DIFF_SECTIONS, type DiffOptions } from "./diff";
export { diffChart, diffPage } from "./diffhtml";
export { insights, InsightTable, INSIGHT_COLUMNS, type Insight, type InsightOptions, type Severity } from "./insights";
