/**
 * Zeek's `likely_server_ports`: the ports its protocol scripts register (`redef likely_server_ports
 * += { ports }`). They decide who is the originator of a connection whose first packet is not a
 * SYN (TCP) or comes from a server port (UDP). Which ports are in the set depends on the scripts
 * loaded: Zeek's default scripts load all of the protocols below; `zeek -b` only what is @load-ed.
 * The tunnel ports belong to packet analyzers, which are always loaded.
 */

const T = (...p: number[]) => p.map((x) => x);

/** protocol script → [tcp ports, udp ports] */
export const ZEEK_SCRIPT_PORTS: Record<string, [number[], number[]]> = {
  "dce-rpc": [T(135), []],
  dhcp: [[], T(67, 4011)],
  dnp3: [T(20000), T(20000)],
  dns: [T(53), T(53, 137, 5353, 5355)],
  ftp: [T(21, 2811), []],
  http: [T(80, 81, 631, 1080, 3128, 8000, 8080, 8888), []],
  imap: [T(143), []],
  irc: [T(6666, 6667, 6668, 6669), []],
  krb: [T(88), T(88)],
  ldap: [T(389, 3268), T(389)],
  modbus: [T(502), []],
  mqtt: [T(1883), []],
  mysql: [T(1434, 3306), []],
  ntp: [[], T(123)],
  pop3: [T(110), []],
  postgresql: [T(5432), []],
  quic: [[], T(443)],
  radius: [[], T(1812)],
  rdp: [T(3389), []],
  redis: [T(6379), []],
  sip: [[], T(5060)],
  smb: [T(139, 445), []],
  smtp: [T(25, 587), []],
  snmp: [[], T(161, 162)],
  socks: [T(1080), []],
  ssh: [T(22), []],
  ssl: [T(443, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223), []],
  syslog: [[], T(514)],
  xmpp: [T(5222, 5269), []],
};

/** UDP tunnel ports of Zeek's packet analyzers (AYIYA, Teredo, GTPv1, VXLAN, Geneve). */
export const ZEEK_TUNNEL_UDP_PORTS = [5072, 3544, 2152, 2123, 4789, 6081];

/** The likely server ports as a lookup (index = proto * 65536 + port; proto 0 = tcp, 1 = udp). */
export function likelyServerPorts(scripts?: readonly string[]): Uint8Array {
  const set = new Uint8Array(2 * 65536);
  const names = scripts ?? Object.keys(ZEEK_SCRIPT_PORTS);
  for (const name of names) {
    const e = ZEEK_SCRIPT_PORTS[name.replace(/^.*\//, "")];
    if (e === undefined) continue;
    for (const p of e[0]) set[p] = 1;
    for (const p of e[1]) set[65536 + p] = 1;
  }
  for (const p of ZEEK_TUNNEL_UDP_PORTS) set[65536 + p] = 1;
  return set;
}
