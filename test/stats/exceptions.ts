/**
 * Where our statistics cannot agree with tshark's -z output, per capture and statistic, with the
 * reason. Everything not listed here must agree exactly (frames, bytes, addresses, order).
 */
export const EXCEPTIONS: Record<string, Partial<Record<string, string>>> = {
  "suricata__bug-6875-01__fuzz.pcap": {
    "*": "fuzzed file: tshark guesses a different pcap variant (see test/conformance/exceptions.ts)",
  },
  "attacks.pcap": {
    "io,phs": "tshark's FTP puts ftp.current-working-directory at the top of its tree, ARP padding shows as 'text', SSH without desegmentation is _ws.unreassembled",
  },
  "gopacket__test_loopback.pcap": { "io,phs": "HTTP body without desegmentation: _ws.unreassembled" },
  "zeek__cooper-grill-dvwa.pcapng": {
    "io,phs": "HTTP body without desegmentation: _ws.unreassembled",
    "tcp": "frame 3: tshark 4.0 does not flag ack_lost_segment after a zero-length first segment (its 'max seq to be acked' bookkeeping differs there)",
  },
  "scapy__http_chunk.pcap.gz": { "io,phs": "HTTP chunked body without desegmentation: _ws.unreassembled" },
  "zeek__fragmented-1.pcap": { "io,phs": "NTP in an IP fragment without defragmentation: _ws.unreassembled" },
  "tcpdump__pptp.pcap": { "io,phs": "tshark's PPTP needs two control messages desegmented; its tree names differ on 2 packets" },
  "zeek__curl-8.1.2-dev-http3-www-google-de.pcap": { "io,phs": "coalesced QUIC packets are separate quic tree items in tshark; we name the decrypted handshake tls" },
  "nfs_quic-29.pcap": { "io,phs": "coalesced QUIC packets are separate quic tree items in tshark; we name the decrypted handshake tls" },
  "zeek__dhcp.pcap": { "io,phs": "our path repeats dhcp for an option-overloaded message; tshark's tree has one dhcp" },
  "zeek_dhcp-all-msg-types.pcap": { "io,phs": "our path repeats dhcp for an option-overloaded message; tshark's tree has one dhcp" },
  "zeek__icmp6-mldv2.pcap": { "io,phs": "tshark flags 2 MLDv2 reports malformed; our decoder does not" },
  "chrissanders__icmp_traceroute.pcapng": { "io,phs": "tshark flags 3 ICMP errors malformed (quoted packet longer than captured); our decoder does not" },
  "zeek__icmp6.pcap": { "io,phs": "tshark shows the data of some ICMPv6 messages at the top of its tree, of others inside ICMPv6" },
  "nfs_http_ipv6.pcap": { "io,phs": "ICMPv6 data placement (as zeek__icmp6), gQUIC which we do not decode" },
  "nfs_6in4tunnel.pcap": { "io,phs": "ICMPv6 data placement (as zeek__icmp6)" },
  "zeek__ipv6-hbh-routing0.pcap": {
    "io,phs": "tshark stops at the deprecated type-0 routing header (malformed) before UDP's payload",
    "conv,udp": "tshark's UDP takes the routing header's final destination as the destination address",
    "endpoints,udp": "as conv,udp",
  },
  "zeek__mixed-vlan-mpls.pcap": { "io,phs": "F5 Ethernet trailer (f5ethtrailer): not decoded" },
  "zeek_vlan-mpls.pcap": { "io,phs": "F5 Ethernet trailer (f5ethtrailer): not decoded" },
  "zeek__payload-syn.pcap": { "io,phs": "tshark parses the SYN's payload as a second HTTP message; we call it data" },
  "gopacket__test100.pcapng": {
    "io,phs": "db-lsp-disc's JSON payload is a subtree item in tshark",
    "conv,eth": "the first record has no time: tshark's relative start counts from the epoch for it, ours from the first timed record",
    "conv,ip": "as conv,eth",
    "conv,udp": "as conv,eth",
    "io,stat,1": "as conv,eth: tshark puts the records without time at the epoch",
  },
  "zeek__dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap": { "io,phs": "SMB pipes and DCE/RPC: not decoded" },
  "zeek__vxlan-encapsulated-http.pcap": { "conv,eth": "the inner Ethernet header of VXLAN: only the first occurrence of eth.src/dst is stored" },
  "zeek_vxlan.pcap": { "conv,eth": "the inner Ethernet header of VXLAN: only the first occurrence of eth.src/dst is stored" },
  "nfs_gtp-u.pcap": { "*": "GTP-U is not decapsulated: the inner IP/ICMP is data to us" },
  "zeek_gtp-different-dl-ul.pcap": { "*": "GTP-U is not decapsulated: the inner IP/TCP is data to us" },
  "zeek_teredo.pcap": { "*": "Teredo is not decapsulated; NetBIOS datagram/SMB mailslot not decoded" },
  "nfs_dns_fragmented.pcap": { "io,phs": "DNS in IP fragments without defragmentation: tshark says _ws.unreassembled, we flag malformed" },
  "nfs_google_ssl.pcap": { "io,phs": "TLS records split over segments without desegmentation: tshark names 1 segment data where we say tls" },
  "zeek_ftp-ipv6.pcap": { "io,phs": "tshark's FTP puts ftp.current-working-directory and ftp-data.* at the top of its tree" },
  "zeek_http-to-ssh.pcap": { "io,phs": "SSH without desegmentation: _ws.unreassembled" },
  "zeek_pop3-reject.pcap": { "io,phs": "POP message bodies (imf): not decoded" },
  "zeek_sctp-unknown-proto.pcap": { "io,phs": "SCTP: not decoded" },
  "zeek_ssh-basic.pcap": { "io,phs": "SSH without desegmentation: _ws.unreassembled" },
  "zeek_ssh-half-duplex-client.pcap": { "io,phs": "SSH without desegmentation: _ws.unreassembled" },
};

export function excused(file: string, stat: string): string | undefined {
  const e = EXCEPTIONS[file];
  return e?.[stat] ?? e?.["*"];
}
