/**
 * DHCP / BOOTP on UDP 67 and 68: the fixed header and the options most analyses use, as tshark
 * 4.0 names them (packet-dhcp.c).
 *  - dhcp.type is the op code (1 request, 2 reply); dhcp.ip.your the offered address (yiaddr);
 *    dhcp.hw.mac_addr the client hardware address when it is Ethernet (htype 1, hlen 6);
 *  - options after the magic cookie (99.130.83.99): 53 message type (dhcp.option.dhcp), 50
 *    requested address, 12 host name (ENC_ASCII text); an option is shown only when all its
 *    bytes are there;
 *  - frame.protocols: "dhcp"; a second "dhcp" when option 43 (vendor-specific information) is
 *    handed to a vendor dissector, which tshark does for the vendor class (option 60) "ArubaAP".
 */
import { defineField } from "../fields/registry";
import type { Packet } from "./packet";
import type { Protocol } from "./protocol";
import { asciiText } from "./tsharktext";

export const DHCP = {
  type: defineField("dhcp.type", { storage: "u8", description: "Message op code (1 boot request, 2 boot reply)" }),
  hw_type: defineField("dhcp.hw.type", { display: "hex", hexDigits: 2, storage: "u8", description: "Hardware type" }),
  id: defineField("dhcp.id", { display: "hex", hexDigits: 8, storage: "u32", description: "Transaction ID" }),
  ip_client: defineField("dhcp.ip.client", { display: "ipv4", description: "Client IP address (ciaddr)" }),
  ip_your: defineField("dhcp.ip.your", { display: "ipv4", description: "Your (client) IP address (yiaddr)" }),
  ip_server: defineField("dhcp.ip.server", { display: "ipv4", description: "Next server IP address (siaddr)" }),
  ip_relay: defineField("dhcp.ip.relay", { display: "ipv4", description: "Relay agent IP address (giaddr)" }),
  mac_addr: defineField("dhcp.hw.mac_addr", { display: "mac", description: "Client MAC address (Ethernet chaddr)" }),
  msg_type: defineField("dhcp.option.dhcp", { storage: "u8", description: "DHCP message type (option 53)" }),
  requested_ip: defineField("dhcp.option.requested_ip_address", { display: "ipv4", description: "Requested IP address (option 50)" }),
  hostname: defineField("dhcp.option.hostname", { display: "string", description: "Host name (option 12)" }),
};

const COOKIE = 0x63825363;

function isArubaAp(b: Uint8Array, o: number, len: number): boolean {
  const s = "ArubaAP";
  if (len < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
  return true;
}

export function decodeDhcp(p: Packet, b: Buffer, off: number, end: number): boolean {
  if (!p.enter("dhcp")) return true;
  const n = end - off;
  if (n < 1) { p.bad(); return true; }
  p.u(DHCP.type, b[off]);
  if (n < 2) { p.bad(); return true; }
  p.u(DHCP.hw_type, b[off + 1]);
  if (n < 8) { p.bad(); return true; }
  p.u(DHCP.id, b.readUInt32BE(off + 4));
  if (n < 16) { p.bad(); return true; }
  p.ipv4(DHCP.ip_client, b, off + 12);
  if (n < 20) { p.bad(); return true; }
  p.ipv4(DHCP.ip_your, b, off + 16);
  if (n < 24) { p.bad(); return true; }
  p.ipv4(DHCP.ip_server, b, off + 20);
  if (n < 28) { p.bad(); return true; }
  p.ipv4(DHCP.ip_relay, b, off + 24);
  const htype = b[off + 1], hlen = b[off + 2];
  if (htype === 1 && hlen === 6) {
    if (n < 34) { p.bad(); return true; }
    p.mac(DHCP.mac_addr, b, off + 28);
  }
  if (n < 240) { p.bad(); return true; }
  if (b.readUInt32BE(off + 236) !== COOKIE) return true; // BOOTP without options
  // a first pass for the vendor class (option 60), as tshark looks it up before option 43
  let aruba = false, vendorInfo = false;
  for (let o = off + 240; o < end;) {
    const code = b[o];
    if (code === 255) break;
    if (code === 0) { o++; continue; }
    if (o + 2 > end) break;
    const len = b[o + 1], d = o + 2;
    if (d + len > end) break;
    if (code === 60) aruba = isArubaAp(b, d, len);
    else if (code === 43) vendorInfo = true;
    o = d + len;
  }
  for (let o = off + 240; o < end;) {
    const code = b[o];
    if (code === 255) return finish(p, aruba && vendorInfo);
    if (code === 0) { o++; continue; }
    if (o + 2 > end) { p.bad(); break; }
    const len = b[o + 1], d = o + 2;
    if (d + len > end) { p.bad(); break; }
    switch (code) {
      case 53: if (len >= 1) p.u(DHCP.msg_type, b[d]); break;
      case 50: if (len >= 4) p.ipv4(DHCP.requested_ip, b, d); break;
      case 12: p.s(DHCP.hostname, asciiText(b, d, d + len)); break;
    }
    o = d + len;
  }
  return finish(p, aruba && vendorInfo);
}

function finish(p: Packet, vendorLayer: boolean): boolean {
  if (vendorLayer) p.enter("dhcp");
  return true;
}

export const dhcp: Protocol = { name: "dhcp", udpPorts: [67, 68], decodePayload: decodeDhcp };
