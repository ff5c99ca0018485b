/**
 * HTML escaping for everything the notebook and the report put into markup (src/html: the one HTML module of both).
 *
 * Packet bytes are attacker-controlled: a DNS name, an HTTP header or a TLS SNI can hold `<script>`.
 * Every value that reaches HTML goes through one of these functions; nothing else builds markup
 * from data.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/**
 * Escapes text for HTML element content and quoted attribute values. Also replaces characters
 * that HTML cannot carry (NUL, lone surrogates, other C0 controls except tab/newline/CR) with
 * U+FFFD or a visible escape so that a hostile value cannot corrupt the document.
 */
export function escapeHtml(value: unknown): string {
  const s = typeof value === "string" ? value : String(value);
  let out = s.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]);
  // C0 controls (except \t \n \r), DEL and C1 controls render as nothing or break parsers: show them.
  out = out.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) =>
    c === "\u0000" ? "\ufffd" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  // Lone surrogates are not valid in UTF-8 output.
  out = out.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
  return out;
}

export { showControls } from "../result/format/escape";

/** Escapes a value for a double-quoted attribute (same rules as element content). */
export const escapeAttr = escapeHtml;

/**
 * JSON for embedding inside an inline `<script>` element: `<`, `>`, `&` and the JS line
 * separators are written as \u escapes, so `</script>` or `<!--` in a string cannot end or
 * change the script element, and the text stays valid JSON and valid JavaScript.
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value, jsonReplacer);
  if (json === undefined) return "null";
  return json.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/**
 * JSON.stringify replacer used for every JSON the notebook sends: typed arrays become arrays,
 * bigints become numbers (or strings past 2^53), non-finite numbers become null (JSON has none).
 */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) =>
      typeof v === "bigint" ? Number(v) : v,
    );
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** A value deep-copied into plain JSON (what Jupyter stores for a JSON MIME type). */
export function toPlainJson<T = unknown>(value: unknown): T {
  const json = JSON.stringify(value, jsonReplacer);
  return (json === undefined ? null : JSON.parse(json)) as T;
}

/** A DOM id safe in attributes, CSS selectors and JS strings: letters, digits, '-' only. */
export function safeId(prefix: string, suffix: string): string {
  return `${prefix}-${suffix}`.replace(/[^A-Za-z0-9-]/g, "-");
}
