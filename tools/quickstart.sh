#!/bin/bash
# Install what is missing, build prx, and run the router demo (tools/router-demo.sh):
# two hosts in network namespaces routed through prxd in fallback mode, a ping and a
# short iperf3 through it, then prxd running with live statistics until Ctrl-C, which
# stops it and removes the namespaces.  No NIC, no hugepages.
#   sudo tools/quickstart.sh            the router demo
#   sudo tools/quickstart.sh --null     instead: two DPDK net_null devices cross-connected
#                                       (config/default.cfg), the DPDK-mode fast path
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
if [ "${1:-}" = --null ]; then
	shift
	exec build/app/prxd/prxd -c config/default.cfg --stats-interval 1 "$@"
fi
exec tools/router-demo.sh
