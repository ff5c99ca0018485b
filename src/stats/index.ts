/**
 * Statistics as tables (`wb.stats`): tshark's -z statistics computed over the columnar packet
 * table, each returning a StatTable (columns, rows, toDataFrame()). See docs/stats.md.
 */
export { StatTable, type Cell } from "./table";
export { hierarchy, phsNames } from "./hierarchy";
export { conversations, conversationsByFrames, CONVERSATION_COLUMNS } from "./conversations";
export { endpoints, ENDPOINT_COLUMNS } from "./endpoints";
export { ioStat, MAX_INTERVALS, type IoStatOptions } from "./iostat";
export { topN } from "./topn";
export { tcpTrouble, tcpStreams, type TcpTroubleOptions } from "./tcptrouble";
export { CONV_TYPES, type ConvType } from "./taps";
