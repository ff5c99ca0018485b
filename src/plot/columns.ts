/** Text and scale helpers of the chart builders (column reads: src/table/bulk.ts). */
/** A UTC timestamp Plotly's date axes read ("2024-05-01 12:00:00.250"). */
export function dateText(epochSeconds: number): string {
  const ms = Math.round(epochSeconds * 1000);
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** A "nice" step (1, 2, 5 × 10^k, or minutes/hours above 60 s) giving at most `maxBins` bins over `span`. */
export function niceInterval(span: number, maxBins: number): number {
  if (!(span > 0)) return 1;
  const raw = span / maxBins;
  const clock = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  if (raw >= 1) {
    for (const c of clock) if (c >= raw) return c;
    return Math.ceil(raw / 86400) * 86400;
  }
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return +(m * p).toPrecision(1);
  return raw;
}

/** Human units: 1.2 MB, 340 kB. */
export function bytesText(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n, u = -1;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** Seconds as text: "250 ms", "12.5 s", "3 min". */
export function secondsText(s: number): string {
  if (s < 1) return `${+(s * 1000).toPrecision(3)} ms`;
  if (s < 120) return `${+s.toPrecision(3)} s`;
  if (s < 7200) return `${+(s / 60).toPrecision(3)} min`;
  return `${+(s / 3600).toPrecision(3)} h`;
}
