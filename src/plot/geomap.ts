/**
 * Where the traffic goes: a Plotly geo map of the flows' endpoints located by the GeoIP databases
 * given to open() (`geoip: { city, asn }`): one marker per location, sized by bytes.
 *
 * It renders offline: the map draws no land, coastline or country layer (those would make
 * plotly.js fetch topojson from its CDN), only the projection's frame and its latitude/longitude
 * grid, so the page needs nothing beyond the inlined plotly.js.
 */
import type { Capture } from "../table/capture";
import type { FlowTable } from "../flows/table";
import { geoDb } from "../enrich/geoip";
import { figure, type Figure } from "./figure";
import { layout, subtitle } from "./common";
import { count, label } from "./text";

export interface GeoMapOptions {
  title?: string;
  /** the most locations drawn (default 200, by bytes) */
  n?: number;
}

/** The layers plotly.js would need topojson for: all off, so nothing is fetched. */
export const OFFLINE_GEO = {
  showland: false, showocean: false, showlakes: false, showrivers: false, showcountries: false,
  showcoastlines: false, showsubunits: false, showframe: true,
  lataxis: { showgrid: true, dtick: 30, gridcolor: "#ccc" }, lonaxis: { showgrid: true, dtick: 30, gridcolor: "#ccc" },
  projection: { type: "natural earth" }, bgcolor: "#f6f8fb",
};

/** `wb.plot.geoMap(cap)` or `wb.plot.geoMap(cap.flows())`. */
export function geoMap(source: Capture | FlowTable, opts: GeoMapOptions = {}): Figure {
  const ft = "flowOf" in source ? source : (source as Capture & { flows(): FlowTable }).flows();
  const db = geoDb(ft.capture);
  if (db === undefined) throw new Error("geoMap needs GeoIP databases: open(path, { geoip: { city, asn } }) or $WIREBOOK_GEOIP_CITY");
  const oh = ft.column("id.orig_h"), rh = ft.column("id.resp_h");
  const ob = ft.column("orig_ip_bytes"), rb = ft.column("resp_ip_bytes");
  const at = new Map<string, { lat: number; lon: number; bytes: number; flows: number; place: string; addrs: Set<string> }>();
  let located = 0;
  for (let r = 0; r < ft.count; r++) {
    const bytes = ((ob.get(r) as number | undefined) ?? 0) + ((rb.get(r) as number | undefined) ?? 0);
    let hit = false;
    for (const a of [oh.get(r), rh.get(r)]) {
      if (typeof a !== "string") continue;
      const g = db.lookup(a);
      if (g?.lat === undefined || g.lon === undefined) continue;
      hit = true;
      const key = `${g.lat},${g.lon}`;
      let e = at.get(key);
      if (e === undefined) {
        const place = [g.city, g.country].filter((x) => x !== undefined).join(", ") || `${g.lat}, ${g.lon}`;
        at.set(key, (e = { lat: g.lat, lon: g.lon, bytes: 0, flows: 0, place, addrs: new Set() }));
      }
      e.bytes += bytes;
      e.flows++;
      if (e.addrs.size < 5) e.addrs.add(a);
    }
    if (hit) located++;
  }
  const pts = [...at.values()].sort((a, b) => b.bytes - a.bytes).slice(0, opts.n ?? 200);
  const max = Math.max(1, ...pts.map((p) => p.bytes));
  return figure({
    data: [{
      type: "scattergeo", mode: "markers+text",
      lat: pts.map((p) => p.lat), lon: pts.map((p) => p.lon),
      text: pts.map((p) => label(p.place)), textposition: "top center",
      customdata: pts.map((p) => [p.bytes, p.flows, label([...p.addrs].join(" "))]),
      hovertemplate: "%{text}<br>%{customdata[0]:,} bytes in %{customdata[1]} flows<br>%{customdata[2]}<extra></extra>",
      marker: { size: pts.map((p) => 8 + 30 * Math.sqrt(p.bytes / max)), color: "#1f77b4", opacity: 0.7, line: { width: 1, color: "#fff" } },
    }],
    layout: layout(opts.title ?? subtitle("Where the traffic goes", `${count(located)} of ${count(ft.count)} flows located, ${count(pts.length)} places`), undefined, undefined, {
      geo: OFFLINE_GEO, showlegend: false, margin: { l: 10, r: 10, t: 70, b: 10 },
    }),
    config: { responsive: true, displaylogo: false },
  });
}
