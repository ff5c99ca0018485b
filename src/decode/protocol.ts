/**
 * What a protocol file exports. A decoder reads the header at `off` (never at or past `end`, the
 * end of the captured bytes), writes its fields into the packet and hands the payload to the next
 * decoder through the dispatch tables. It never throws on short or lying input: it writes what it
 * could read, marks the packet malformed with `p.bad()` and stops.
 */
import type { Packet } from "./packet";

export type Decoder = (p: Packet, b: Buffer, off: number, end: number) => void;
/** A payload decoder chosen by port: returns false when the bytes are not its protocol. */
export type PortDecoder = (p: Packet, b: Buffer, off: number, end: number, srcport: number, dstport: number) => boolean;

export interface Protocol {
  /** the name in frame.protocols and in filters ("tcp") */
  readonly name: string;
  /** link-layer header types (LINKTYPE_*) this protocol starts */
  readonly linkTypes?: readonly number[];
  /** EtherType values */
  readonly etherTypes?: readonly number[];
  /** IP protocol numbers */
  readonly ipProtos?: readonly number[];
  readonly decode?: Decoder;
  /** well-known ports and the payload decoder tried on them */
  readonly udpPorts?: readonly number[];
  readonly tcpPorts?: readonly number[];
  readonly decodePayload?: PortDecoder;
}
