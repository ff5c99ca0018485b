#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Wirebook: the system packages it uses (installed when run
# as root and missing), then the npm dependencies (npm ci) and the build.
#   tshark, tcpdump, wireshark-common  the oracle and the peers of the tests and the bench
#   libpcap-dev                        builds live capture's binding (native/livecap)
#   jupyter-notebook, jupyter-nbconvert, python3-nbclient, python3-ipykernel  run the notebooks
#   chromium                           checks that exported notebooks and reports render
#   python3-scapy, python3-dpkt, python3-pandas, time  the Python peers of the bench, peak RSS
#   iproute2, libcap2-bin              the live-capture tests (network namespaces; capsh drops CAP_NET_RAW)
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(tshark tcpdump wireshark-common libpcap-dev jupyter-notebook jupyter-nbconvert python3-nbclient
  python3-ipykernel chromium fonts-dejavu-core python3-scapy python3-dpkt python3-pandas time iproute2 libcap2-bin)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: not root, so these Debian packages are not installed: ${missing[*]}" >&2
    echo "setup: their tests are skipped; run as root (or apt-get install them) for the full suite" >&2
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node scripts/build-native.js   # live capture's libpcap binding (npm ci's postinstall builds it too; no-op when current)
npm run build --silent
