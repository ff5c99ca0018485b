/**
 * Text for Plotly labels. Plotly renders every label, title, hover text and tick text through its
 * own pseudo-HTML (`<b>`, `<br>`, `<a href>` … become SVG elements; `&lt;` and numeric entities are
 * decoded). Packet values are attacker-controlled (DNS names, HTTP hosts, TLS SNI), so every value
 * from a packet goes through `label()`: markup characters become entities, which Plotly shows as
 * the literal characters. Nothing in the figure is then a tag Plotly would interpret.
 */

// Plotly decodes &amp; &lt; &gt; and numeric references only (not &quot;)
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "`": "&#96;" };

/** A packet value as Plotly label text (entities for markup characters, control characters shown as \xNN). */
export function label(value: unknown): string {
  const s = value === undefined || value === null ? "" : String(value);
  return s
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c])
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** Numbers with thousands separators (1,234,567). */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** An endpoint as text: "10.0.0.1:443", "[2001:db8::1]:443", or the address alone without a port. */
export function endpointText(address: unknown, port: unknown): string {
  const a = String(address);
  if (port === null || port === undefined) return a;
  return a.includes(":") ? `[${a}]:${port}` : `${a}:${port}`;
}
