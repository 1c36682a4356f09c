#!/bin/bash
# Install what is missing, build prx and run prxd on the embedded default configuration
# (two DPDK net_null devices cross-connected: no NIC, no hugepages needed) with live
# statistics every second.  Ctrl-C stops it and prints the final counters.
#   sudo tools/quickstart.sh [extra prxd arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
exec build/app/prxd/prxd -c config/default.cfg --stats-interval 1 "$@"
