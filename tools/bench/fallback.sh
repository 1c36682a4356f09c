#!/bin/bash
# fallback.sh - prx in fallback mode (AF_PACKET ports, epoll reactor) against DPDK's own
# net_af_packet PMD under dpdk-testpmd, and the kernel forwarding alone, on the same veths.
#
# Topology (namespaces made and removed here): A --veth-- D --veth-- B.  trafgen in A
# sends 64-byte UDP frames as fast as it can (cpu 0); the device under test in D
# forwards them (cpu 1); the sink in B only counts them (their destination MAC is owned
# by nobody, so B drops them cheaply).  Printed per run: Mpps at the sink, the DUT's CPU
# time per forwarded packet (ns of user+system time of the DUT process), and for prx the
# CPU it uses when idle.  Runs alternate prx / testpmd for TRIALS rounds; medians last.
#
#   sudo PRXD=build/app/prxd/prxd tools/bench/fallback.sh
# Env: TRIALS (3), SECS (10 per run), PRXD (default build/app/prxd/prxd).
# Needs: dpdk-testpmd (dpdk-dev), trafgen (netsniff-ng; apt-get install
# --no-install-recommends netsniff-ng), iproute2, bc.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
TRIALS=${TRIALS:-3}
SECS=${SECS:-10}
PRXD=$(readlink -f "${PRXD:-build/app/prxd/prxd}")
TAG=fb$$
W=$(mktemp -d /tmp/prx-fallback.XXXXXX)
PIDS=()

[ "$(id -u)" = 0 ] || { echo "fallback.sh: run as root" >&2; exit 1; }
for c in dpdk-testpmd trafgen ip bc taskset timeout; do
	command -v $c >/dev/null || { echo "fallback.sh: missing $c" >&2; exit 1; }
done
[ -x "$PRXD" ] || { echo "fallback.sh: no prxd at $PRXD (set PRXD)" >&2; exit 1; }

cleanup() {
	for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for n in A D B; do ip netns del ${TAG}$n 2>/dev/null; done
	rm -rf /var/run/dpdk/${TAG}* "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for n in A D B; do
	ip netns add ${TAG}$n
	ip -n ${TAG}$n link set lo up
	ip netns exec ${TAG}$n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add ${TAG}a0 netns ${TAG}A type veth peer name ${TAG}a1 netns ${TAG}D
ip link add ${TAG}b1 netns ${TAG}D type veth peer name ${TAG}b0 netns ${TAG}B
ip -n ${TAG}A link set ${TAG}a0 address 02:00:00:00:0a:00 up
ip -n ${TAG}D link set ${TAG}a1 up
ip -n ${TAG}D link set ${TAG}b1 up
ip -n ${TAG}B link set ${TAG}b0 address 02:00:00:00:0b:00 up

cat > "$W/udp64.trafgen" <<'TG'
{ eth(da=02:00:00:00:0b:ff, sa=02:00:00:00:0a:00, type=0x0800),
  ipv4(saddr=198.18.0.1, daddr=198.18.0.2, ttl=64, proto=17), udp(sp=1024, dp=9), fill(0x00, 22) }
TG
cat > "$W/prx.cfg" <<CFG
mode = "fallback";
instance = "${TAG}prx";
reactors = { cores = [1]; engine = "epoll"; };
handlers = ( { name = "fwd"; type = "xconnect"; to = "b"; } );
ports = ( { name = "a"; kernel = "${TAG}a1"; chain = ["fwd"]; }, { name = "b"; kernel = "${TAG}b1"; } );
CFG

sink() { ip netns exec ${TAG}B cat /sys/class/net/${TAG}b0/statistics/rx_packets; }
ticks() { awk "{ print \$14 + \$15 }" /proc/$1/stat 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# measure NAME PID: trafgen for SECS; after 2 s warm-up count the sink and the DUT's CPU
measure() {
	local d=$((SECS - 3)) s0 s1 c0 c1 t0 t1 g
	ip netns exec ${TAG}A taskset -c 0 timeout -s INT $((SECS)) \
		trafgen --no-sock-mem -Q -P 1 --dev ${TAG}a0 --conf "$W/udp64.trafgen" >/dev/null 2>&1 &
	g=$!
	PIDS+=($g)
	sleep 2
	s0=$(sink); c0=$(ticks $2); t0=$(date +%s.%N)
	sleep $d
	s1=$(sink); c1=$(ticks $2); t1=$(date +%s.%N)
	wait $g 2>/dev/null
	echo "$1 $(echo "scale=3; ($s1 - $s0) / ($t1 - $t0) / 1000000" | bc | sed 's/^\./0./')" \
		"$(echo "scale=0; ($c1 - $c0) * 1000000000 / $HZ / ($s1 - $s0 + 1)" | bc)" >> "$W/results"
	tail -n 1 "$W/results"
}

run_prx() {
	ip netns exec ${TAG}D "$PRXD" -c "$W/prx.cfg" >"$W/prx.out" 2>"$W/prx.err" &
	local p=$!
	PIDS+=($p)
	for _ in $(seq 50); do grep -q forwarding "$W/prx.err" && break; sleep 0.1; done
	local i0 i1
	i0=$(ticks $p); sleep 3; i1=$(ticks $p)
	echo "prx_idle_cpu_pct $(echo "scale=2; ($i1 - $i0) * 100 / $HZ / 3" | bc)" | tee -a "$W/results"
	measure prx $p
	kill -INT $p; wait $p 2>/dev/null
}

run_testpmd() {
	ip netns exec ${TAG}D dpdk-testpmd -l 0-1 --no-pci --no-huge -m 1024 --file-prefix ${TAG}tpmd \
		--vdev net_af_packet0,iface=${TAG}a1 --vdev net_af_packet1,iface=${TAG}b1 \
		-- --forward-mode=io --nb-cores=1 --stats-period 1 </dev/null >"$W/tpmd.out" 2>&1 &
	local p=$!
	PIDS+=($p)
	for _ in $(seq 100); do grep -q 'Port statistics' "$W/tpmd.out" && break; sleep 0.1; done
	measure testpmd_af_packet $p
	kill -INT $p; wait $p 2>/dev/null
}

run_kernel() {
	ip netns exec ${TAG}D tc qdisc add dev ${TAG}a1 ingress
	ip netns exec ${TAG}D tc filter add dev ${TAG}a1 ingress protocol all u32 match u32 0 0 \
		action mirred egress redirect dev ${TAG}b1
	measure kernel_tc_mirred $$
	ip netns exec ${TAG}D tc qdisc del dev ${TAG}a1 ingress
}

echo "# $(date -u +%FT%TZ) loadavg $(cut -d' ' -f1-3 /proc/loadavg) TRIALS=$TRIALS SECS=$SECS"
echo "# name Mpps_at_sink dut_cpu_ns_per_packet"
for t in $(seq "$TRIALS"); do
	run_prx
	run_testpmd
done
run_kernel
echo "# medians"
for n in prx testpmd_af_packet prx_idle_cpu_pct; do
	m=$(awk -v n=$n '$1 == n { print $2 }' "$W/results" | sort -g | awk '{ v[k++] = $1 } END { if (k) print (k % 2) ? v[(k - 1) / 2] : (v[k / 2 - 1] + v[k / 2]) / 2 }')
	c=$(awk -v n=$n '$1 == n && NF > 2 { print $3 }' "$W/results" | sort -g | awk '{ v[k++] = $1 } END { if (k) print (k % 2) ? v[(k - 1) / 2] : (v[k / 2 - 1] + v[k / 2]) / 2 }')
	echo "$n $m ${c:-}"
done
