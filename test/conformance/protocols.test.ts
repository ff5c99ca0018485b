/**
 * Conformance: frame.protocols (the protocol stack per packet) equals tshark's, run live with the
 * per-packet preferences, for every capture of ../shared/pcaps and of data/. Where we stop short
 * of tshark on purpose, the frames are listed below with the reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DATA, hasTool, NO_SHARED, SHARED } from "../helpers/paths";
import { ourFields } from "./compare";
import { compareFields, tsharkFields } from "./reference";

const FIELDS = ["frame.number", "frame.protocols"];

const RETRANSMISSION = "tshark's TCP sequence analysis calls the segment a retransmission and does not hand its " +
  "payload to any dissector (frame.protocols ends at tcp); we keep no per-connection sequence state in the decoders";

/** per capture: frames (or "*" for all, row count included) where frame.protocols may differ, and why */
export const PROTOCOL_EXCEPTIONS: Record<string, { frames: number[] | "*"; reason: string }[]> = {
  "suricata__bug-6875-01__fuzz.pcap": [{ frames: "*", reason: "corrupt file read differently by tshark's libpcap reader: see exceptions.ts" }],
  "tcpdump__pptp.pcap": [{ frames: [9, 14], reason: RETRANSMISSION }],
  "scapy__http_chunk.pcap.gz": [{ frames: [63], reason: RETRANSMISSION }],
  "zeek__mixed-vlan-mpls.pcap": [{
    frames: [34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47],
    reason: "the Ethernet frames carry an F5 Networks trailer after the IP packet; tshark's f5ethtrailer " +
      "heuristic (an Ethernet-trailer dissector) adds \"f5ethtrailer\" last. We do not dissect Ethernet trailers",
  }],
  "zeek__smb311.pcap": [{
    frames: [2, 3, 4, 5],
    reason: "SMB2 SESSION_SETUP / NEGOTIATE security blobs: tshark adds gss-api:spnego or ntlmssp after smb2. " +
      "We stop at the SMB2 header (no SMB2 command bodies, no ASN.1 / GSS-API)",
  }],
  "zeek__dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap": [{
    frames: [5, 6, 7, 8],
    reason: "DCE/RPC over an SMB named pipe (SMB Trans / Write-AndX payload): tshark adds dcerpc after smb. " +
      "We stop at the SMB header (no SMB command bodies, no DCE/RPC)",
  }],
};

function captures(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).sort().map((f) => path.join(dir, f));
}

function check(file: string): void {
  const name = path.basename(file);
  const c = compareFields(ourFields(file, FIELDS), tsharkFields(file, FIELDS));
  const ex = PROTOCOL_EXCEPTIONS[name] ?? [];
  if (ex.some((e) => e.frames === "*")) return;
  const excused = new Set(ex.flatMap((e) => e.frames as number[]));
  assert.ok(c.headerEqual, `${name}: header differs`);
  assert.equal(c.rowsOurs, c.rowsTheirs, `${name}: row count`);
  const real = c.mismatches.filter((m) => !excused.has(m.frame));
  assert.deepEqual(real.slice(0, 10).map((m) => `frame ${m.frame}: ours ${m.ours} tshark ${m.theirs}`), [], `${name}: ${real.length} frames differ`);
  // an exception that no longer applies is stale: keep the list honest
  const differing = new Set(c.mismatches.map((m) => m.frame));
  const stale = [...excused].filter((f) => !differing.has(f));
  assert.deepEqual(stale, [], `${name}: excepted frames that now match tshark (remove them)`);
}

const tshark = hasTool("tshark");
const noTshark = !tshark && "tshark is not installed";
if (!SHARED) test("frame.protocols conformance on ../shared/pcaps", { skip: NO_SHARED }, () => {});
for (const file of SHARED ? captures(path.join(SHARED, "pcaps")) : []) {
  test(`frame.protocols: ${path.basename(file)} matches tshark`, { skip: noTshark }, () => check(file));
}
for (const file of captures(DATA)) {
  test(`frame.protocols: data/${path.basename(file)} matches tshark`, { skip: noTshark }, () => check(file));
}
