/**
 * Wireshark display filters over captures: `filter(cap, "tcp.port == 443 && ip.addr == 10.0.0.0/8")`,
 * or `cap.filter(…)` once this module is loaded (it registers itself as Capture's filter engine).
 * See docs/filters.md for the syntax supported and the differences from Wireshark.
 */
import { Capture } from "../table/capture";
import { filterRows, type CompiledFilter } from "./compile";

export { compileFilter, filterRows, ALIASES, type CompiledFilter } from "./compile";
export { FilterError } from "./errors";
export { parse, type Node as FilterNode } from "./parser";
export { lex, type Token as FilterToken } from "./lexer";

/** The packets of `capture` a display filter selects, as a view. */
export function filter(capture: Capture, expression: string | CompiledFilter): Capture {
  const rows = typeof expression === "string" ? filterRows(capture, expression) : expression.run(capture);
  return capture.select(rows);
}

Capture.filterEngine = (c, expression) => filterRows(c, expression);


