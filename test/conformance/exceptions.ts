/**
 * Where our per-packet fields may differ from tshark's, with the reason. Keyed by capture file name
 * (or "*" for every capture), then field name. Keep this list short and every reason specific.
 */
export const EXCEPTIONS: Record<string, Record<string, string>> = {};
