/** Imports of IDS logs: Zeek (TSV, JSON lines) and Suricata eve.json, joined to our flows. */
export { importZeek, parseZeek, type ImportOptions } from "./zeek";
export { importEve, parseEve, eveTime, EveTable } from "./eve";
export { LogTable, type LogColumn, type LogValue, type JoinKey, type JoinOptions } from "./log";
