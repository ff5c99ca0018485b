/** What capture readers produce: records (time, lengths, link type, bytes) and file facts. */

/** Receives each packet record. The bytes are only valid during the call. */
export interface RecordSink {
  /**
   * @param b      buffer holding the packet bytes at [off, off + caplen)
   * @param sec    whole seconds since the epoch, or -1 when the record has no time (pcapng SPB)
   * @param nsec   nanoseconds within the second
   * @param iface  interface index (pcapng) or 0
   * @param comment a comment attached to the record (pcapng opt_comment), if any
   */
  record(b: Buffer, off: number, caplen: number, len: number, sec: number, nsec: number,
    linkType: number, iface: number, comment: string | undefined): void;
}

export interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  /** time units per second (1e6 for microseconds) */
  unitsPerSecond: number;
  /** seconds added to every timestamp (pcapng if_tsoffset) */
  offsetSeconds: number;
  name?: string;
  description?: string;
}

export interface CaptureInfo {
  format: "pcap" | "pcapng";
  gzip: boolean;
  bigEndian: boolean;
  /** pcap: nanosecond magic; pcapng: any interface finer than microseconds */
  nanosecond: boolean;
  interfaces: InterfaceInfo[];
  /** section header comments and user-application/os/hardware strings (pcapng) */
  comments: string[];
  sections: number;
}

/** A format parser consumes whole records from a buffer window. */
export interface FormatParser {
  readonly info: CaptureInfo;
  /**
   * Parses whole records (and headers) in buf[start, end); `base` is the stream offset of buf[0].
   * Returns the offset just past the last byte consumed. Stops early when `done` becomes true.
   */
  parse(buf: Buffer, start: number, end: number, base: number): number;
  /** bytes needed from the returned offset to make progress (header + record body) */
  need: number;
  /** set when the parser will not read further (record limit reached, or damage found) */
  done: boolean;
  /** damage found: why reading stopped before the end of the file */
  damage: { offset: number; reason: string } | null;
  /** records delivered */
  records: number;
}

/** Largest packet we accept in a record, as Wireshark (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_PACKET = 262144;
/** Largest pcapng block we accept (a packet plus generous options). */
export const MAX_BLOCK = 16 * 1024 * 1024;

/**
 * Where the records of a capture can be read again, for the replay pass: the capture file, or the
 * records a live capture retained. `replay` hands record `i` (0-based, in file order) to the sink
 * for each i of `rows` (ascending), or every record below `limit` when `rows` is null. It resolves
 * to the number of records it handed on (fewer than asked when the file changed since).
 */
export interface RecordSource {
  /** what the records are (a file's path, "live:lo") for messages */
  readonly name: string;
  replay(rows: Uint32Array | null, limit: number, sink: RecordSink): Promise<number>;
}
