/**
 * The escaping of packet-derived text in the CLI's packet lines (`wirebook capture`; the table
 * writers of src/result/format have their own, one per format): a packet can carry ESC, BEL, C1 controls …
 * that would drive the terminal (set its title, clear it, fake output). As tshark 4.0 prints
 * them in its packet lines (format_text): \a \b \t \n \v \f \r by name, other C0 controls and DEL
 * as three octal digits (\033, \177), C1 controls as \u009B; everything else, backslash
 * included, as it is. (tshark's `-T fields` prints them raw, and so does `wirebook fields`,
 * which matches it byte for byte.)
 */

const NAMED: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r" };
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  const named = NAMED[code];
  if (named !== undefined) return named;
  if (code < 0x80) return "\\" + code.toString(8).padStart(3, "0");
  return "\\u" + code.toString(16).toUpperCase().padStart(4, "0");
}

/** `s` with every control character escaped as tshark prints it. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escapeOne);
}

