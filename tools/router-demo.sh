#!/bin/bash
# The router demo: two hosts in network namespaces routed through prxd in fallback mode
# (config/demo-router.cfg).  Makes the namespaces and veths, starts prxd, shows a ping
# to prx and across it and a short iperf3 through it, then leaves prxd running with live
# statistics until Ctrl-C; removes everything on the way out.
#
#   sudo tools/router-demo.sh            (after a build: PRXD, PRXCTL pick the binaries)
#
#   A: prxdemoA 10.0.1.2 -- prx-a | prxd in prxdemoD | prx-b -- B: prxdemoB 10.0.2.2
set -euo pipefail
cd "$(dirname "$0")/.."
PRXD=${PRXD:-build/app/prxd/prxd}
PRXCTL=${PRXCTL:-build/tools/prxctl/prxctl}
PID= TAIL=

down() {
	[ -z "$TAIL" ] || kill "$TAIL" 2>/dev/null || true
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -INT "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	for n in A B D; do ip netns del prxdemo$n 2>/dev/null || true; done
}

up() {
	down
	for n in A B D; do
		ip netns add prxdemo$n
		ip -n prxdemo$n link set lo up
		ip netns exec prxdemo$n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add eth0 netns prxdemoA type veth peer name prx-a netns prxdemoD
	ip link add eth0 netns prxdemoB type veth peer name prx-b netns prxdemoD
	ip -n prxdemoA addr add 10.0.1.2/24 dev eth0
	ip -n prxdemoB addr add 10.0.2.2/24 dev eth0
	for h in A B; do
		ip -n prxdemo$h link set eth0 up
		ip -n prxdemo$h route add default via 10.0.$([ $h = A ] && echo 1 || echo 2).1
		# a veth sender hands 64 KiB TSO frames over as they are; a packet socket
		# cannot forward those (docs/afpacket.md); real NICs never deliver them
		ip netns exec prxdemo$h ethtool -K eth0 tso off gso off >/dev/null 2>&1 || true
	done
	ip -n prxdemoD link set prx-a up
	ip -n prxdemoD link set prx-b up
}

[ "$(id -u)" = 0 ] || { echo "router-demo.sh: run as root (namespaces)" >&2; exit 1; }
[ -x "$PRXD" ] || { echo "router-demo.sh: no prxd at $PRXD: build first" >&2; exit 1; }
trap down EXIT
trap 'exit 130' INT TERM
up
ip netns exec prxdemoD "$PRXD" -c config/demo-router.cfg >/tmp/prx-demo.stats 2>/tmp/prx-demo.log &
PID=$!
for _ in $(seq 100); do
	grep -q forwarding /tmp/prx-demo.log 2>/dev/null && break
	kill -0 "$PID" 2>/dev/null || { cat /tmp/prx-demo.log >&2; exit 1; }
	sleep 0.1
done
echo "== prxd routes between prxdemoA (10.0.1.2) and prxdemoB (10.0.2.2); log in /tmp/prx-demo.log"
echo "== ping prx's own address from A"
ip netns exec prxdemoA ping -c 3 -i 0.2 10.0.1.1
echo "== ping B from A, through the router"
ip netns exec prxdemoA ping -c 5 -i 0.2 10.0.2.2
if command -v iperf3 >/dev/null; then
	echo "== iperf3 TCP from A to B through prx, 3 s"
	ip netns exec prxdemoB iperf3 -s -1 -D
	sleep 0.3
	ip netns exec prxdemoA iperf3 -c 10.0.2.2 -t 3 -f m | tail -n 4
fi
echo "== prxctl show ports"
"$PRXCTL" -n demo show ports || true
echo "== prxd keeps running; live statistics below, 'prxctl -n demo ...' in another shell;"
echo "   Ctrl-C stops prxd and removes the namespaces"
tail -f /tmp/prx-demo.stats &
TAIL=$!
wait "$PID" || true
kill "$TAIL" 2>/dev/null || true
