/** The one HTML module of the notebook and the report: escaping, tables, figures. */
export { escapeHtml, escapeAttr, jsonForScript, jsonReplacer, toPlainJson, safeId } from "./escape";
export { cellText, rowPlan, gridHtml, gridText, resultGrid, resultCaption, STYLE as TABLE_STYLE, type Grid, type TableOptions, type ResultLike } from "./table";
export { figureHtml, plotlyLoaderScript, plotlyBundle, plotlyGzipBase64 } from "./figure";
