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
import { ieee8021ad, vlan } from "./vlan";
import { mpls } from "./mpls";
import { sll } from "./sll";
import { sll2 } from "./sll2";
import { loop, nullLoopback } from "./null";
import { raw } from "./raw";
import { radiotap, wlan } from "./radiotap";
import { llc } from "./llc";
import { arp } from "./arp";
import { icmp } from "./icmp";
import { icmpv6 } from "./icmpv6";
import { gre } from "./gre";
import { ppp } from "./ppp";
import { chdlc } from "./chdlc";
import { vxlan } from "./vxlan";
import { dns, dnsTcp, llmnr, mdns } from "./dns";
import { http } from "./http";
import { tls } from "./tls";
import { quic } from "./quic";
import { dhcp } from "./dhcp";
import { ntp } from "./ntp";
import { nbns } from "./nbns";
import { ssdp } from "./ssdp";
import { dbLspDisc } from "./dblsp";
import { ssh } from "./ssh";
import { telnet } from "./telnet";
import { ftp } from "./ftp";
import { smtp } from "./smtp";
import { pop } from "./pop";
import { imap } from "./imap";
import { pptp } from "./pptp";
import { nbss } from "./nbss";

export const PROTOCOLS: readonly Protocol[] = [ethernet, ipv4, ipv6, tcp, udp,
  vlan, ieee8021ad, mpls, sll, sll2, nullLoopback, loop, raw, radiotap, wlan, llc, arp, icmp, icmpv6, gre, ppp, chdlc, vxlan,
  dns, dnsTcp, mdns, llmnr, http, tls, quic,
  dhcp, ntp, nbns, ssdp, dbLspDisc, ssh, telnet, ftp, smtp, pop, imap, pptp, nbss,
];

for (const p of PROTOCOLS) register(p);

export { decodeFrame } from "./frame";
