#!/bin/bash
# engines.sh - the reactor engines side by side: poll, epoll, adaptive.
#
# 1. Idle CPU: prxd with nothing to receive, CPU time of the reactor thread and of the
#    whole process over IDLE_SECS (from /proc/PID/task/*/schedstat, nanoseconds):
#      dpdk      two net_null ports with no-rx=1 (never a packet): poll; adaptive with
#                the defaults (1024-slot rings, whose fill time at the 10 Gb/s net_null
#                reports bounds the sleeps at 34 us); adaptive with max_wakeup_us = 1000
#                and 16384-slot rings (sleeps up to 550 us).  epoll cannot take DPDK
#                queues.
#      fallback  two veths in a namespace, AF_PACKET ports: poll, epoll, adaptive.
# 2. Ping through prx after idle gaps: namespaces A -- D -- B, prxd in D cross-connects
#    the two veths both ways; A pings B (10.9.0.1 -> 10.9.0.2) PINGS times at each
#    interval of GAPS seconds (the reactor idles that long before each echo request);
#    median and p99 of the round trips (ping pinned to cpu 0, prxd's reactor on cpu 1),
#    per engine:
#      fallback  AF_PACKET ports: poll, epoll, adaptive (wake-up fds: it blocks);
#      dpdk      DPDK's net_af_packet ports on the same veths (no rx interrupts): poll,
#                adaptive with the defaults, adaptive with max_wakeup_us = 1000 and
#                16384-slot rings (timed sleeps).  (Not net_pcap: libpcap's TPACKET_V3
#                hands frames over a block at a time, milliseconds late.)
#    The kernel's own path (the veths bridged in D, no prx) is the baseline.
# 3. Throughput under load: two net_null ports cross-connected on one reactor, poll and
#    adaptive alternating TRIALS times, SECS each; Mpps = the reactor's tx over its run
#    time (prxd's final prx-reactor line), and per CPU-second of the reactor thread
#    (schedstat), which does not depend on how much of cpu 1 other tenants leave it;
#    medians, and adaptive / poll (target >= 0.98).
#
#   sudo bash tools/bench/engines.sh [PRXD]
# Env: IDLE_SECS (3), PINGS (100), GAPS ("0.01 0.2"), TRIALS (5), SECS (4), PARTS
#      ("idle ping load"), KEEP=1 keeps the logs.
# Needs: iproute2, iputils ping, awk.  Cleans up: kills only the processes it started (by
# PID), removes its namespaces, DPDK runtime dirs and temp dir.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/bench/common.sh
source "$here/common.sh"
find_prxd "${1:-}"
IDLE_SECS=${IDLE_SECS:-3}
PINGS=${PINGS:-100}
GAPS=${GAPS:-"0.01 0.2"}
TRIALS=${TRIALS:-5}
SECS=${SECS:-4}
PARTS=${PARTS:-"idle ping load"}
TAG=en$$
W=$(mktemp -d /tmp/prx-engines.XXXXXX)
PIDS=()
N_INST=0

[ "$(id -u)" = 0 ] || { echo "engines.sh: run as root" >&2; exit 1; }
for c in ip ping awk taskset; do
	command -v $c >/dev/null || { echo "engines.sh: missing $c" >&2; exit 1; }
done

cleanup() {
	for p in "${PIDS[@]}"; do stop_pid "$p" 5 >/dev/null 2>&1; done
	for n in A D B; do ip netns del ${TAG}$n 2>/dev/null; done
	rm -rf /var/run/dpdk/${TAG}* /run/prx/${TAG}*
	if [ "${KEEP:-0}" = 1 ]; then echo "# logs kept in $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Namespaces A -- D -- B; D's veths carry no address (prx or a bridge joins them).
for n in A D B; do
	ip netns add ${TAG}$n
	ip -n ${TAG}$n link set lo up
	ip netns exec ${TAG}$n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip link add ${TAG}a netns ${TAG}A type veth peer name ${TAG}da netns ${TAG}D
ip link add ${TAG}db netns ${TAG}D type veth peer name ${TAG}b netns ${TAG}B
ip -n ${TAG}A addr add 10.9.0.1/24 dev ${TAG}a
ip -n ${TAG}B addr add 10.9.0.2/24 dev ${TAG}b
for l in "A ${TAG}a" "D ${TAG}da" "D ${TAG}db" "B ${TAG}b"; do
	set -- $l
	ip -n ${TAG}$1 link set "$2" up
done

# cfg FILE MODE ENGINE PORT_A PORT_B [REACTOR_EXTRA] [PORT_EXTRA]: a and b cross-connected
cfg() {
	N_INST=$((N_INST + 1))
	local dev=dpdk
	[ "$2" = fallback ] && dev=kernel
	cat >"$1" <<EOF
mode = "$2";
instance = "${TAG}$N_INST";
reactors = { cores = [1]; engine = "$3"; ${6:-} };
control = { metrics = ""; };
handlers = ( { name = "ab"; type = "xconnect"; to = "b"; },
             { name = "ba"; type = "xconnect"; to = "a"; } );
ports = ( { name = "a"; $dev = "$4"; chain = ["ab"]; ${7:-} },
          { name = "b"; $dev = "$5"; chain = ["ba"]; ${7:-} } );
EOF
}

# start NS CFG: prxd in namespace NS (or none: -), waits until it forwards; sets PRX
start() {
	local ns=$1
	: >"$2.err"
	if [ "$ns" = - ]; then
		"$PRXD" -c "$2" </dev/null >"$2.out" 2>"$2.err" &
	else
		ip netns exec "$ns" "$PRXD" -c "$2" </dev/null >"$2.out" 2>"$2.err" &
	fi
	PRX=$!
	PIDS+=("$PRX")
	for _ in $(seq 100); do
		grep -q 'prx.core: forwarding' "$2.err" && return 0
		kill -0 "$PRX" 2>/dev/null || break
		sleep 0.1
	done
	echo "engines.sh: prxd did not start ($2):" >&2
	tail -n 5 "$2.err" >&2
	return 1
}

stop() {
	stop_pid "$PRX" 5
}

# cpu_ns PID [lcore]: run time in ns of the process, or of its lcore-1 thread
cpu_ns() {
	local t sum=0 c
	for t in /proc/$1/task/*; do
		if [ $# -ge 2 ]; then
			c=$(cat "$t/comm" 2>/dev/null)
			case $c in *-worker-1) ;; *) continue ;; esac
		fi
		sum=$((sum + $(cut -d' ' -f1 "$t/schedstat" 2>/dev/null || echo 0)))
	done
	echo $sum
}

# idle NAME NS CFG: CPU % of the reactor and of the process while idle
idle() {
	local r0 p0 r1 p1 t0 t1
	start "$2" "$3" || return
	sleep 1
	r0=$(cpu_ns $PRX 1); p0=$(cpu_ns $PRX); t0=$(date +%s%N)
	sleep "$IDLE_SECS"
	r1=$(cpu_ns $PRX 1); p1=$(cpu_ns $PRX); t1=$(date +%s%N)
	stop
	awk -v n="$1" -v r=$((r1 - r0)) -v p=$((p1 - p0)) -v t=$((t1 - t0)) \
		'BEGIN { printf "idle %-34s reactor %5.1f%%  process %5.1f%%\n", n, 100 * r / t, 100 * p / t }' |
		tee -a "$W/results"
	grep '^prx-reactor:' "$3.out" | grep -o 'busy_pct.*sleeps=[0-9]*' | sed 's/^/      /'
}

# ping_run NAME: A pings B at each gap; "ping NAME gap=G median=.. p99=.. n=.. lost=.."
ping_run() {
	local g out
	# ping on cpu 0: on cpu 1 a polling reactor would keep it off the cpu until the next
	# scheduler tick (4 ms), which measures the scheduler, not the engine
	ip netns exec ${TAG}A taskset -c 0 ping -n -q -c 3 -i 0.2 -W 1 10.9.0.2 >/dev/null 2>&1
	for g in $GAPS; do
		out=$W/ping.$1.$g
		ip netns exec ${TAG}A taskset -c 0 ping -n -c "$PINGS" -i "$g" -W 1 10.9.0.2 >"$out" 2>&1
		grep -o 'time=[0-9.]*' "$out" | cut -d= -f2 | sort -g | awk -v n="$1" -v g="$g" -v want="$PINGS" '
			{ v[k++] = $1 }
			END {
				if (k == 0) { printf "ping %-34s gap=%-5s no replies\n", n, g; exit }
				m = (k % 2) ? v[(k - 1) / 2] : (v[k / 2 - 1] + v[k / 2]) / 2
				i = int(0.99 * k + 0.999999) - 1
				printf "ping %-34s gap=%-5s median=%7.3f ms  p99=%7.3f ms  n=%d lost=%d\n", n, g, m, v[i], k, want - k
			}' | tee -a "$W/results"
	done
}

echo "# engines.sh: $(date -u +%FT%TZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# prxd: $PRXD"

case " $PARTS " in *" idle "*)
	echo "## 1. idle CPU (${IDLE_SECS} s)"
	cfg "$W/i1.cfg" dpdk poll net_null0,no-rx=1 net_null1,no-rx=1
	idle "dpdk poll" - "$W/i1.cfg"
	cfg "$W/i2.cfg" dpdk adaptive net_null0,no-rx=1 net_null1,no-rx=1
	idle "dpdk adaptive (defaults)" - "$W/i2.cfg"
	cfg "$W/i3.cfg" dpdk adaptive net_null0,no-rx=1 net_null1,no-rx=1 \
		"max_wakeup_us = 1000;" "rx_desc = 16384;"
	idle "dpdk adaptive (1000 us, 16384 slots)" - "$W/i3.cfg"
	for e in poll epoll adaptive; do
		cfg "$W/if-$e.cfg" fallback $e ${TAG}da ${TAG}db
		idle "fallback $e" ${TAG}D "$W/if-$e.cfg"
	done
	;;
esac

case " $PARTS " in *" ping "*)
	echo "## 2. ping A -> B through D after idle gaps ($PINGS per gap)"
	ip -n ${TAG}D link add ${TAG}br type bridge
	ip -n ${TAG}D link set ${TAG}da master ${TAG}br
	ip -n ${TAG}D link set ${TAG}db master ${TAG}br
	ip -n ${TAG}D link set ${TAG}br up
	ping_run "kernel bridge (no prx)"
	ip -n ${TAG}D link del ${TAG}br
	for e in poll epoll adaptive; do
		cfg "$W/pf-$e.cfg" fallback $e ${TAG}da ${TAG}db
		start ${TAG}D "$W/pf-$e.cfg" && ping_run "fallback $e" && stop
	done
	a=net_af_packet0,iface=${TAG}da
	b=net_af_packet1,iface=${TAG}db
	cfg "$W/pd-poll.cfg" dpdk poll $a $b
	start ${TAG}D "$W/pd-poll.cfg" && ping_run "dpdk poll" && stop
	cfg "$W/pd-ad.cfg" dpdk adaptive $a $b
	start ${TAG}D "$W/pd-ad.cfg" && ping_run "dpdk adaptive (defaults)" && stop
	cfg "$W/pd-ad2.cfg" dpdk adaptive $a $b "max_wakeup_us = 1000;" "rx_desc = 16384;"
	start ${TAG}D "$W/pd-ad2.cfg" && ping_run "dpdk adaptive (1000 us, 16384)" && stop
	;;
esac

case " $PARTS " in *" load "*)
	echo "## 3. throughput, net_null a <-> b, one reactor ($TRIALS x $SECS s each, alternating)"
	for t in $(seq "$TRIALS"); do
		for e in poll adaptive; do
			cfg "$W/l-$e-$t.cfg" dpdk $e net_null0 net_null1
			start - "$W/l-$e-$t.cfg" || continue
			sleep "$SECS"
			cpu=$(cpu_ns $PRX 1)
			stop
			grep '^prx-reactor:' "$W/l-$e-$t.cfg.out" | awk -v e=$e -v t=$t -v cpu=$cpu '{
				for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
				printf "load %-8s trial %d  %.2f Mpps  %.2f Mpp-per-cpu-s  cpu %.0f%%  sleeps=%s\n", e, t,
					f["tx"] / f["run_s"] / 1e6, f["tx"] / (cpu / 1e9) / 1e6,
					100 * cpu / 1e9 / f["run_s"], f["sleeps"] }' |
				tee -a "$W/results"
		done
	done
	p=$(awk '$1 == "load" && $2 == "poll" { print $5 }' "$W/results" | median)
	a=$(awk '$1 == "load" && $2 == "adaptive" { print $5 }' "$W/results" | median)
	echo "load median: poll $p Mpps, adaptive $a Mpps, adaptive/poll $(ratio "$a" "$p")"
	p=$(awk '$1 == "load" && $2 == "poll" { print $7 }' "$W/results" | median)
	a=$(awk '$1 == "load" && $2 == "adaptive" { print $7 }' "$W/results" | median)
	echo "load median per cpu-second: poll $p, adaptive $a, adaptive/poll $(ratio "$a" "$p")"
	;;
esac
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
