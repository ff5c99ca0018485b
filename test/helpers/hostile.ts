/**
 * Hostile captures for the hostile-content tests: the report's (test/report/hostile.ts: DNS
 * names, HTTP Host/URI/User-Agent, TLS SNI) and the fuzz seeds' (src/fuzz/hostile.ts: also HTTP
 * status phrase, Server, Content-Type, DNS CNAME, TLS ALPN, payloads that set a global canary).
 */
export { hostileCapture, PAYLOADS } from "../report/hostile";
export { CANARY, HOSTILE_DNS, HOSTILE_TEXT, hostileFrames, writeHostileCapture } from "../../src/fuzz/hostile";
