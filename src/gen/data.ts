/**
 * The small captures committed in data/: their exact generation parameters. `npm run gen:data`
 * rewrites them byte for byte; test/gen checks that.
 */
import * as path from "path";
import { PcapngWriter, PcapWriter } from "../io/writer";
import { generateOffice, type GenStats } from "./office";
import { generateAttacks } from "./attacks";

export interface DataFile {
  name: string;
  description: string;
  write(file: string): GenStats;
}

export const DATA_FILES: DataFile[] = [
  {
    name: "office.pcap",
    description: "classic pcap, little-endian, µs; small office: DHCP, ARP, NDP, DNS, HTTP, TLS 1.2/1.3, ICMP, NTP, VLAN 20, IPv6",
    write(file) {
      const w = new PcapWriter({ path: file, snaplen: 262144 });
      const s = generateOffice({ seed: 1, packets: 2500, maxObject: 4000, sink: w });
      w.close();
      return s;
    },
  },
  {
    name: "office.pcapng",
    description: "pcapng: section comment, two interfaces (eth0 µs, eth0.20 ns if_tsresol=9), packet comments; another day of the office",
    write(file) {
      const w = new PcapngWriter({
        path: file,
        comment: "Wirebook generated capture: small office, seed 2",
        hardware: "x86_64",
        os: "Linux 6.1",
        userAppl: "wirebook gen",
        interfaces: [
          { name: "eth0", description: "office LAN (untagged)", linkType: 1, snaplen: 262144, tsresol: 6, writeTsresol: true },
          { name: "eth0.20", description: "VLAN 20 trunk", linkType: 1, snaplen: 262144, tsresol: 9 },
        ],
      });
      const s = generateOffice({
        seed: 2,
        packets: 1200,
        maxObject: 4000,
        startTime: 1718090000,
        sink: w,
        interfaceOf: (vlan) => (vlan === 20 ? 1 : 0),
        comments: true,
      });
      w.close();
      return s;
    },
  },
  {
    name: "office-vlan-ipv6.pcap",
    description: "classic pcap, big-endian, ns magic; every frame 802.1Q-tagged (VLAN 10/20, QinQ 100/30), dual-stack everywhere",
    write(file) {
      const w = new PcapWriter({ path: file, nanosecond: true, bigEndian: true, snaplen: 65535 });
      const s = generateOffice({ seed: 3, packets: 700, maxObject: 4000, startTime: 1718180000, variant: "vlan-ipv6", sink: w });
      w.close();
      return s;
    },
  },
  {
    name: "attacks.pcap",
    description: "classic pcap, µs; 400 office packets with attacks mixed in (scans, SYN flood, DNS tunnel, ARP spoof, beacon, brute force, cleartext logins): src/gen/attacks.ts",
    write(file) {
      const w = new PcapWriter({ path: file, snaplen: 262144 });
      const s = generateAttacks({ sink: w });
      w.close();
      return s;
    },
  },
];

export function writeDataFiles(dir: string): { name: string; stats: GenStats }[] {
  return DATA_FILES.map((d) => ({ name: d.name, stats: d.write(path.join(dir, d.name)) }));
}
