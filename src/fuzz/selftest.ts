/**
 * Planted bugs, to show that the harness catches each kind of failure: decoders on private link
 * types (never used by captures) that throw, loop forever, read past the end of the packet, or
 * allocate in proportion to a length field. Registered only in a worker started with `selfTest`.
 */
import { register } from "../decode/dispatch";
import type { Corpus } from "./corpus";

export const SELF_TEST_LINK_TYPES = { throws: 65001, hangs: 65002, readsPastEnd: 65003, allocates: 65004 } as const;

let kept: Uint8Array[] = [];

export function plantBugs(corpus: Corpus): void {
  const L = SELF_TEST_LINK_TYPES;
  register({ name: "selftest-throw", linkTypes: [L.throws], decode: (p, b, off, end) => { if (end - off > 3 && b[off] === 0x42) throw new Error("planted throw"); } });
  register({ name: "selftest-hang", linkTypes: [L.hangs], decode: (p, b, off, end) => { if (end - off === 8 && b[off] === 0x42) for (;;) { /* planted hang (whole seed only: each hang costs a worker) */ } } });
  register({
    name: "selftest-oob", linkTypes: [L.readsPastEnd],
    decode: (p, b, off, end) => { if (end - off > 3 && b[off] === 0x42) p.u({ id: 0 } as never, b[end] ?? 0); },
  });
  register({
    name: "selftest-alloc", linkTypes: [L.allocates],
    decode: (p, b, off, end) => { if (end - off > 3 && b[off] === 0x42) { kept = [new Uint8Array(b.readUInt16BE(off + 1) * 4096)]; } },
  });
  for (const lt of Object.values(L)) {
    const bytes = Buffer.from([0x42, 0xff, 0xff, 0, 0, 0, 0, 0]);
    corpus.packets.push({ name: `selftest#${lt}`, linkType: lt, bytes, fields: [] });
  }
  void kept;
}
