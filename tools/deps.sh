#!/bin/bash
# Install what prx needs to build, run and test on Debian 12 (root; apt-get).
# One list, used by tools/quickstart.sh, .ci/run and docker/Dockerfile.
set -euo pipefail
PKGS=(
  build-essential pkg-config meson ninja-build
  dpdk dpdk-dev libdpdk-dev libnuma-dev libconfig-dev libpcap-dev libjansson-dev libcap-ng-dev
  libcunit1-dev clang-format valgrind curl libcap2-bin
  iproute2 procps iputils-ping ethtool iperf3 netcat-openbsd python3-scapy
)
# --fuzz: also clang and its libFuzzer runtime, for FUZZ=1 tools/test.sh (CI runs it)
if [ "${1:-}" = --fuzz ]; then
  PKGS+=(clang libclang-rt-14-dev)
fi
if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: run as root (apt-get install)" >&2
  exit 1
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps.sh: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
