/**
 * Wirebook's public API.
 *
 *   import * as wb from "wirebook";
 *   const cap = await wb.open("data/office.pcap");
 *   cap.summary(); cap.column("ip.src").get(0); await cap.packets();
 */
export { open, type OpenOptions } from "./table/load";
export { replay, canReplay, Replayed, type ReplayOptions, type ReplayStats } from "./stream/replay";
export { Capture, type Column, type CaptureSummary, type Value } from "./table/capture";
export { CaptureError } from "./io/errors";
export { allFields, fieldByName, type FieldDef } from "./fields/registry";
export { readCapture, type ReadOptions, type ReadResult } from "./io/reader";
export type { CaptureInfo, InterfaceInfo, RecordSink } from "./io/records";
export * as plot from "./plot/index";
export { display } from "./notebook/index";
import "./filter"; // registers the display-filter engine: Capture.filter(expr)
export { compileFilter, filter, FilterError, type CompiledFilter } from "./filter";
export { flows, FlowTable, FLOW_FIELDS, ZEEK_COLUMNS, NFSTREAM_COLUMNS, type FlowOptions } from "./flows";
export { live, sniff, devices, liveStatus, pcapVersion, summaryLine, LivePacket, Sniffer, LiveCaptureError, type LiveCaptureOptions, type SniffOptions, type SniffResult, type LiveStats, type LiveStatus, type Device, type SaveOptions, type SaveResult } from "./table/live"; // also adds Capture.save()
export { appTable, AppTable, APPS, APP_NAMES, appSpec, type AppSpec, DNS_COLUMNS, HTTP_COLUMNS, TLS_COLUMNS, DHCP_COLUMNS, QUIC_COLUMNS, SMTP_COLUMNS, ja3, ja3s, ja4, type AppName, type AppOptions, type AppColumn, type AppValue } from "./flows/apps"; // also adds Capture.dns/http/tls/dhcp/quic/smtp()
export * as rules from "./rules"; // wb.rules.load(textOrPath) → RuleSet; ruleSet.match(capture) → alerts
export { detect, detectSync, DETECTORS, DETECTOR_DEFAULTS, DETECT_FIELDS, AlertTable, ALERT_COLUMNS, type AlertOptions, type AlertInput, type DetectorName } from "./detect"; // also adds Capture.alerts()
export { importZeek, importEve, parseZeek, parseEve, LogTable, EveTable } from "./import";
export { ResultTable, isResultTable, writeTable, formatTable, toTsv, toCsv, toJsonLines, type RowPredicate, type Format } from "./result"; // every table's class and writers (docs/tables.md)
export * as stats from "./stats"; // wb.stats.hierarchy/conversations/endpoints/ioStat/topN/tcpTrouble
export { files, FILES_COLUMNS, sniffMime, VirusTotalProvider, type FilesOptions, type ReputationProvider, type Verdict, type VirusTotalOptions } from "./files"; // also adds Capture.files()
export { defineProtocol, defineDetector, definedProtocols, customDetectors, loadProtocolFile, loadDetectorFile, loadEnvProtocols, SpecError, ProtocolSpecError, DetectorSpecError, type ProtocolSpec, type FieldSpec, type FieldType, type Over, type DetectorSpec, type DetectorRow } from "./custom"; // your own protocols (docs/protocols.md) and detectors
export { convert, resolveInputs, ConvertError, TABLES, ROW_GROUP_SIZE, type ConvertOptions, type ConvertResult, type ConvertedInput, type SchemaColumn } from "./dataset/convert"; // Parquet datasets (docs/dataset.md)
export { sql, SqlError, type SqlOptions } from "./dataset/sql"; // SQL (DuckDB) over datasets and open captures
export { captureArrow, tableArrow, arrowIpc } from "./dataset/arrow"; // also adds Capture.toArrow() and ResultTable.toArrow()
