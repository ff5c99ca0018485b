/**
 * Dropbox LAN sync discovery on UDP 17500 (packet-db-lsp.c): a JSON announcement, shown as
 * "db-lsp-disc:json"; no fields.
 */
import { defineProtocol } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";

const JSON_LAYER = defineProtocol("json");

export function decodeDbLspDisc(p: Packet): boolean {
  if (p.enter("db-lsp-disc")) p.enter(JSON_LAYER);
  return true;
}

export const dbLspDisc: Protocol = { name: "db-lsp-disc", udpPorts: [17500], decodePayload: decodeDbLspDisc };
