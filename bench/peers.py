#!/usr/bin/python3
"""Peer parsers for the Wirebook benchmark (run with Debian's /usr/bin/python3).

  peers.py check                      -> which of dpkt/scapy/pandas are importable (JSON)
  peers.py tshark-pandas FILE         -> tshark -T fields piped into pandas.read_csv
  peers.py dpkt-pandas FILE           -> dpkt walks the pcap, builds a DataFrame
  peers.py scapy-pandas FILE LIMIT    -> scapy dissects the first LIMIT packets, builds a DataFrame

Each prints one JSON line: packets, seconds (inside Python), self_kb / children_kb (peak RSS).
The columns are the same for all: time, length, IPv4/IPv6 source and destination, IP protocol,
TCP/UDP ports.
"""
import json
import resource
import subprocess
import sys
import time

FIELDS = ["frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport"]
TSHARK_OPTS = ["-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
               "-o", "tcp.desegment_tcp_streams:FALSE"]


def report(packets, t0, **extra):
    out = {
        "packets": packets,
        "seconds": time.perf_counter() - t0,
        "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    out.update(extra)
    print(json.dumps(out))


def check():
    have = {}
    for m in ("pandas", "dpkt", "scapy"):
        try:
            __import__(m)
            have[m] = True
        except Exception:
            have[m] = False
    print(json.dumps(have))


def tshark_pandas(path):
    import pandas as pd
    t0 = time.perf_counter()
    args = ["tshark", "-r", path, *TSHARK_OPTS, "-T", "fields", "-E", "header=y", "-E", "separator=/t",
            "-E", "occurrence=f"]
    for f in FIELDS:
        args += ["-e", f]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    df = pd.read_csv(p.stdout, sep="\t", low_memory=False)
    p.wait()
    report(len(df), t0, rc=p.returncode)


def dpkt_pandas(path):
    import socket
    import dpkt
    import pandas as pd
    t0 = time.perf_counter()
    ts, ln, src, dst, proto, sport, dport = [], [], [], [], [], [], []
    with open(path, "rb") as f:
        for t, buf in dpkt.pcap.Reader(f):
            ts.append(t)
            ln.append(len(buf))
            s = d = pr = sp = dp = None
            try:
                eth = dpkt.ethernet.Ethernet(buf)
                ip = eth.data
                if isinstance(ip, dpkt.ip.IP):
                    s, d, pr = socket.inet_ntop(socket.AF_INET, ip.src), socket.inet_ntop(socket.AF_INET, ip.dst), ip.p
                elif isinstance(ip, dpkt.ip6.IP6):
                    s, d, pr = socket.inet_ntop(socket.AF_INET6, ip.src), socket.inet_ntop(socket.AF_INET6, ip.dst), ip.nxt
                if s is not None and isinstance(ip.data, (dpkt.tcp.TCP, dpkt.udp.UDP)):
                    sp, dp = ip.data.sport, ip.data.dport
            except (dpkt.dpkt.UnpackError, Exception):
                pass
            src.append(s)
            dst.append(d)
            proto.append(pr)
            sport.append(sp)
            dport.append(dp)
    df = pd.DataFrame({"time": ts, "len": ln, "src": src, "dst": dst, "proto": proto, "sport": sport, "dport": dport})
    report(len(df), t0)


def scapy_pandas(path, limit):
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    import pandas as pd
    from scapy.all import IP, IPv6, TCP, UDP, PcapReader
    t0 = time.perf_counter()
    rows = []
    with PcapReader(path) as r:
        for i, pkt in enumerate(r):
            if i >= limit:
                break
            s = d = pr = sp = dp = None
            if IP in pkt:
                s, d, pr = pkt[IP].src, pkt[IP].dst, pkt[IP].proto
            elif IPv6 in pkt:
                s, d, pr = pkt[IPv6].src, pkt[IPv6].dst, pkt[IPv6].nh
            if TCP in pkt:
                sp, dp = pkt[TCP].sport, pkt[TCP].dport
            elif UDP in pkt:
                sp, dp = pkt[UDP].sport, pkt[UDP].dport
            rows.append((float(pkt.time), len(pkt), s, d, pr, sp, dp))
    df = pd.DataFrame(rows, columns=["time", "len", "src", "dst", "proto", "sport", "dport"])
    report(len(df), t0)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "check":
        check()
    elif cmd == "tshark-pandas":
        tshark_pandas(sys.argv[2])
    elif cmd == "dpkt-pandas":
        dpkt_pandas(sys.argv[2])
    elif cmd == "scapy-pandas":
        scapy_pandas(sys.argv[2], int(sys.argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
