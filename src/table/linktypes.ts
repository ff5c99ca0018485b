/** Names of link-layer header types (LINKTYPE_*), as capinfos names them. */
const NAMES: Record<number, string> = {
  0: "BSD loopback", 1: "Ethernet", 101: "Raw IP", 12: "Raw IP", 14: "Raw IP", 105: "IEEE 802.11 Wireless LAN",
  113: "Linux cooked-mode capture v1", 127: "IEEE 802.11 plus radiotap radio header", 108: "OpenBSD loopback",
  228: "Raw IPv4", 229: "Raw IPv6", 276: "Linux cooked-mode capture v2", 9: "PPP", 50: "PPP", 104: "Cisco HDLC",
};

export function linkTypeName(t: number): string {
  return NAMES[t] ?? `link type ${t}`;
}
