/** Result tables: one class for every table (./table.ts), one writer per format (./format). */
export { ResultTable, isResultTable, isNumericType, RESULT_TABLE, type Column, type Value, type RowPredicate } from "./table";
export { compileWhere } from "./where";
export { writeTable, formatTable, writeTsv, writeCsv, writeJsonLines, toTsv, toCsv, toJsonLines, zeekEscape, csvEscape, jsonString,
  FORMATS, type Format, type Sink, type WriteOptions, type TableSource } from "./format";
