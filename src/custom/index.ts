/**
 * Your own protocols and detectors (docs/protocols.md): `defineProtocol(spec)` (fields that are
 * registry fields like the built-in ones), `defineDetector({ name, run })` (alerts next to the
 * built-in detectors'), and the loaders behind `--protocol FILE.js`, `--detector FILE.js` and
 * WIREBOOK_PROTOCOLS.
 */
export { defineProtocol, definedProtocols, ProtocolSpecError, FIELD_TYPES, type ProtocolSpec, type FieldSpec, type FieldType, type IntType, type Over, type FieldAccess, type FieldValue } from "./protocol";
export { customDetectors, DetectorSpecError, type DetectorSpec, type DetectorRow, type DetectorSeverity } from "./detector";
export { defineDetector, loadProtocolFile, loadDetectorFile, loadEnvProtocols, takeProtocolArgs } from "./load";
export { SpecError } from "./errors";
