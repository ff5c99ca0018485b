/**
 * The protocol list. Adding a protocol: write `src/decode/NAME.ts` (its fields and its decoder,
 * exporting a `Protocol`), add it here, and add `test/decode/NAME.test.ts`.
 */
import { register } from "./dispatch";
import type { Protocol } from "./protocol";
import { ethernet } from "./ethernet";
import { ipv4 } from "./ipv4";
import { ipv6 } from "./ipv6";
import { tcp } from "./tcp";
import { udp } from "./udp";

export const PROTOCOLS: readonly Protocol[] = [ethernet, ipv4, ipv6, tcp, udp];

for (const p of PROTOCOLS) register(p);

export { decodeFrame } from "./frame";
