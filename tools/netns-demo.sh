#!/bin/bash
# Two hosts in network namespaces, joined only through prx in fallback mode.
#
#   sudo tools/netns-demo.sh up      make prxdemoA (198.18.0.1) -- prx-a | prx-b -- prxdemoB (198.18.0.2)
#   sudo tools/netns-demo.sh run     up, prxd -c config/fallback-veth.cfg, ping A -> B, down
#   sudo tools/netns-demo.sh down    remove the namespaces (and with them the veths)
#
# prx-a and prx-b stay in the root namespace, where prxd opens them.  Addresses are from
# the benchmarking range 198.18.0.0/15 and live only inside the two namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
PRXD=${PRXD:-build/app/prxd/prxd}

up() {
	for h in A B; do
		ip netns add prxdemo$h
		ip -n prxdemo$h link set lo up
		ip netns exec prxdemo$h sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	ip link add prx-a type veth peer name eth0 netns prxdemoA
	ip link add prx-b type veth peer name eth0 netns prxdemoB
	ip -n prxdemoA addr add 198.18.0.1/24 dev eth0
	ip -n prxdemoB addr add 198.18.0.2/24 dev eth0
	for h in A B; do
		ip -n prxdemo$h link set eth0 up
		# A veth sender hands 64 KiB TSO frames to the other end as they are; a packet
		# socket cannot forward those (docs/afpacket.md).  Real NICs never deliver them.
		ip netns exec prxdemo$h ethtool -K eth0 tso off gso off >/dev/null 2>&1 || true
	done
	sysctl -qw net.ipv6.conf.prx-a.disable_ipv6=1 net.ipv6.conf.prx-b.disable_ipv6=1
	ip link set prx-a up
	ip link set prx-b up
}

down() {
	ip netns del prxdemoA 2>/dev/null || true
	ip netns del prxdemoB 2>/dev/null || true
}

run() {
	up
	trap down EXIT
	"$PRXD" -c config/fallback-veth.cfg --stats-interval 1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; wait $pid; down' EXIT
	sleep 1
	ip netns exec prxdemoA ping -c 5 -i 0.2 198.18.0.2
	kill -INT $pid
	wait $pid
	trap down EXIT
}

case ${1:-} in
up) up ;;
down) down ;;
run) run ;;
*) echo "usage: $0 up|down|run" >&2; exit 2 ;;
esac
