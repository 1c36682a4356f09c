#!/bin/bash
# router_iperf.sh - iperf3 TCP through prx's router (fallback mode) against Linux's own
# forwarding between the same namespaces, alternating in one run (issue target: prx
# >= 0.8x the kernel).
#
#   A 10.0.1.2 --veth-- D (router: prxd, or the kernel with ip_forward) --veth-- B 10.0.2.2
#
# Each trial: SECS of iperf3 -c from A to B; prx runs config/router-fallback.cfg's
# handlers (responder + router) on D's veths; the kernel run gives D's veths the same
# addresses and ip_forward=1.  Senders have TSO/GSO off for both (prx's AF_PACKET ports
# cannot take 64 KiB super-frames; docs/afpacket.md), so both forward 1500-byte frames.
#
#   sudo tools/bench/router_iperf.sh [PRXD]      env: TRIALS (3), SECS (5)
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/bench/common.sh
source "$here/common.sh"
find_prxd "${1:-}"
TRIALS=${TRIALS:-3}
SECS=${SECS:-5}
GSO=${GSO:-0} # 1: senders keep TSO/GSO, prx's ports pass super-frames (afpacket.gso)
TAG=ri$$
W=$(mktemp -d /tmp/prx-router-iperf.XXXXXX)
PID=

[ "$(id -u)" = 0 ] || { echo "router_iperf.sh: run as root" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "router_iperf.sh: iperf3 missing" >&2; exit 1; }

cleanup() {
	[ -z "$PID" ] || stop_pid "$PID" 5 >/dev/null 2>&1
	for n in A D B; do ip netns del ${TAG}$n 2>/dev/null; done
	rm -rf /var/run/dpdk/${TAG}* /run/prx/${TAG}* "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for n in A D B; do
	ip netns add ${TAG}$n
	ip -n ${TAG}$n link set lo up
done
ip link add eth0 netns ${TAG}A type veth peer name da netns ${TAG}D
ip link add eth0 netns ${TAG}B type veth peer name db netns ${TAG}D
ip -n ${TAG}A addr add 10.0.1.2/24 dev eth0
ip -n ${TAG}B addr add 10.0.2.2/24 dev eth0
for n in A B; do
	ip -n ${TAG}$n link set eth0 up
	# without GSO=1 prx's ports cannot take super-frames: both forward 1500-byte frames
	[ "$GSO" = 1 ] || ip netns exec ${TAG}$n ethtool -K eth0 tso off gso off >/dev/null 2>&1
done
ip -n ${TAG}A route add default via 10.0.1.1
ip -n ${TAG}B route add default via 10.0.2.1
ip -n ${TAG}D link set da up
ip -n ${TAG}D link set db up
ip netns exec ${TAG}B iperf3 -s -D --pidfile "$W/iperf3.pid" >/dev/null
AFP=
[ "$GSO" = 1 ] && AFP='afpacket = { gso = true; };'
cat >"$W/prx.cfg" <<CFG
mode = "fallback";
instance = "${TAG}";
reactors = { cores = [1]; };
control = { metrics = ""; };
handlers = ( { name = "resp"; type = "responder"; }, { name = "rt"; type = "router"; } );
ports = (
	{ name = "a"; kernel = "da"; address = "10.0.1.1/24"; chain = ["resp", "rt"]; $AFP },
	{ name = "b"; kernel = "db"; address = "10.0.2.1/24"; chain = ["resp", "rt"]; $AFP }
);
CFG

run_iperf() { # -> Gbit/s on stdout
	ip netns exec ${TAG}A iperf3 -c 10.0.2.2 -t "$SECS" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}
kernel_on() {
	ip -n ${TAG}D addr add 10.0.1.1/24 dev da
	ip -n ${TAG}D addr add 10.0.2.1/24 dev db
	ip netns exec ${TAG}D sysctl -qw net.ipv4.ip_forward=1
}
kernel_off() {
	ip netns exec ${TAG}D sysctl -qw net.ipv4.ip_forward=0
	ip -n ${TAG}D addr flush dev da
	ip -n ${TAG}D addr flush dev db
	ip -n ${TAG}A neigh flush all
	ip -n ${TAG}B neigh flush all
}

echo "router_iperf.sh: $(date -u +%FT%TZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $PRXD, ${SECS}s per run, GSO=$GSO"
prx_r=() kern_r=()
for t in $(seq 1 "$TRIALS"); do
	kernel_on
	sleep 0.5
	k=$(run_iperf)
	kernel_off
	ip netns exec ${TAG}D "$PRXD" -c "$W/prx.cfg" -s 0 -- -l 0,1 >"$W/prxd.out" 2>"$W/prxd.err" &
	PID=$!
	for _ in $(seq 100); do grep -q forwarding "$W/prxd.err" && break; sleep 0.1; done
	ip netns exec ${TAG}A ping -c 2 -i 0.2 -q 10.0.2.2 >/dev/null 2>&1
	p=$(run_iperf)
	stop_pid "$PID" 10 >/dev/null
	PID=
	echo "trial $t: kernel $k Gbit/s, prx $p Gbit/s"
	kern_r+=("$k")
	prx_r+=("$p")
done
km=$(printf '%s\n' "${kern_r[@]}" | median)
pm=$(printf '%s\n' "${prx_r[@]}" | median)
echo "median: kernel $km Gbit/s, prx $pm Gbit/s, ratio prx/kernel $(echo "scale=3; $pm / $km" | bc) (target >= 0.8)"
