#!/bin/bash
# Overload and recovery (RFC 2544 "system recovery", shortened): prxd made slow on
# purpose (an xconnect with work_cycles, a tiny mempool) between two namespaces, in
# fallback mode (AF_PACKET) and in DPDK mode (net_af_packet vdevs on the same veths).
# For each mode:
#  1. capacity: OVERLOAD_CAL_SECS of more than prxd can take; what comes out per second
#     once the kernel's ring is full is the capacity C;
#  2. OVERLOAD_SECS at OVERLOAD_FACTOR x C, then OVERLOAD_HALF_SECS at C / 2, one
#     sender (pktio send --then);
#  3. all through, every 100 ms, tests/integration/overload.py samples the kernel's
#     counters of prxd's input and output veths and show.stats/show.errors over the
#     control socket.
# Expected: prxd answers the control socket during the overload and stays up; every
# frame is accounted for exactly, drops under a name: frames sent = frames that reached
# prxd's input = received + imissed + rx_nombuf + ierrors (in DPDK mode, imissed includes
# the drops of net_af_packet's rings, which the PMD does not count and prxd reads from
# the kernel: drivers/dpdk/dpdk_afp_drops.c), received = forwarded + prx's named drops (tx_full...),
# forwarded = what the sink's veth received; after the overload, a window of 100 ms with
# as much out as in and no new drop comes within OVERLOAD_RECOVERY_MAX_MS (the recovery
# time, printed), and no frame is dropped after it.
#   bash overload.sh PRXD PCAPTOOL PKTIO [fallback|dpdk|both]
source "$(dirname "$0")/lib.sh" "$@"
modes=${4:-both}
[ "$modes" = both ] && modes="fallback dpdk"
work=${OVERLOAD_WORK:-200000}        # TSC cycles per frame: ~13 000 frames/s at 2.6 GHz
cal_secs=${OVERLOAD_CAL_SECS:-2}
factor=${OVERLOAD_FACTOR:-2.5}
over_secs=${OVERLOAD_SECS:-4}
half_secs=${OVERLOAD_HALF_SECS:-7}
recovery_max=${OVERLOAD_RECOVERY_MAX_MS:-5000}
# The calibration's rate, surely above the capacity: work_cycles spins on the TSC, so
# the capacity is below TSC_HZ / work whatever else runs, and TSC_HZ < 5 GHz.
cal_rate=$((5000000000 / work))
OVPY=$SRCDIR/tests/integration/overload.py
# The sender and the sampler stay on cpu 0 (with prxd's control thread): cpu 1 is the
# reactor's, as far as this test decides.

fallback_topology
"$PCAPTOOL" gen "$TMP/in.pcap" 1000 --seed 71 --min 60 --max 60 >/dev/null

# kcount NS IF rx|tx: a kernel packet counter of a veth
kcount() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3_packets"
}

# phase_ns FILE K start|end: a phase's CLOCK_MONOTONIC time from pktio's output
phase_ns() {
	grep -o "^phase $2 .*$3_ns=[0-9]*" "$1" | grep -o '[0-9]*$'
}

# fig KEY: a figure of the last analysis
fig() {
	grep "^$1=" "$TMP/$mode.fig" | cut -d= -f2
}

# calibrate MODE ATTEMPT: OVERLOAD_CAL_SECS at cal_rate; sets $cap, the median rate out
# of prxd per 100 ms once its input ring is full (after the first second).
calibrate() {
	local out=$TMP/$1.cal$2.out rates t0 t1
	ip netns exec "$NS_A" taskset -c 0 "$PKTIO" send "$IF_A" "$TMP/in.pcap" --rate "$cal_rate" \
		--duration "$cal_secs" >"$out" 2>&1 || fail "pktio: $(cat "$out")"
	t0=$(phase_ns "$out" 0 start) t1=$(phase_ns "$out" 0 end)
	sleep 1.5 # the ring drains (4096 frames at most at C)
	rates=$(python3 "$OVPY" rate "$samples" $((t0 + 1000000000)) "$t1") || fail "no calibration figures"
	cap=${rates##*out=}
	echo "$TEST_NAME: $1: calibration $rates (offered $cal_rate/s)"
	[ "$cap" -gt 100 ] || fail "$1: prxd forwarded $cap frames/s while offered $cal_rate"
	[ $((${rates%% *} * 10)) -ge $((cap * 13)) ] || fail "$1: calibration did not overload prxd: $rates"
}

# run_mode MODE: one prxd, calibration, overload, half; checks; prints the figures.
run_mode() {
	local mode=$1 dev_a dev_b cfg=$TMP/$1.cfg sock=$TMP/$1.ctl samples=$TMP/$1.samples
	local stop=$TMP/$1.stop sampler a0 b0 k0 cap over half phases attempt measured=
	local sent line rx imissed nombuf ierrors out_tx sink dropped sum

	new_instance
	if [ "$mode" = dpdk ]; then
		# framecnt: the PMD's ring as deep as prx's AF_PACKET ring (4096 frames); its
		# default, 512, is 85 ms at 6 000 frames/s, and overflowed at half rate while
		# valgrind jobs shared the two cpus
		dev_a="dpdk = \"net_af_packet0,iface=$IF_DA,framecnt=4096\";"
		dev_b="dpdk = \"net_af_packet1,iface=$IF_DB\";"
	else
		dev_a="kernel = \"$IF_DA\";"
		dev_b="kernel = \"$IF_DB\";"
	fi
	# mbufs = 1024 is the smallest pool prx takes
	cat >"$cfg" <<CFG
mode = "$mode";
instance = "$INSTANCE";
reactors = { cores = [1]; };
mempool = { mbufs = 1024; cache = 32; };
control = { socket = "$sock"; metrics = ""; };
handlers = ( { name = "slow"; type = "xconnect"; to = "out"; work_cycles = $work; } );
ports = (
	{ name = "in"; $dev_a chain = ["slow"]; },
	{ name = "out"; $dev_b chain = []; }
);
CFG
	prxd_start "prxd-$mode" 120 -c "$cfg"
	wait_for "prxd forwarding" 30 grep -q 'forwarding' "$PRXD_ERR"
	wait_for "control socket" 10 test -S "$sock"
	a0=$(kcount "$NS_A" "$IF_A" tx) k0=$(kcount "$NS_D" "$IF_DA" rx) b0=$(kcount "$NS_B" "$IF_B" rx)
	ip netns exec "$NS_D" taskset -c 0 python3 "$OVPY" sample "$sock" "$IF_DA" "$IF_DB" "$samples" "$stop" \
		2>"$TMP/$mode.sampler.err" &
	sampler=$!
	PIDS+=("$sampler")
	wait_for "first sample" 10 test -s "$samples"

	# 1.-2. capacity, then overload and half.  The capacity is prxd's share of cpu 1,
	# which other jobs on the machine take a part of, changing from one second to the
	# next (another poll-mode reactor there halves it).  An attempt whose half phase
	# was not below three quarters of the capacity measured under overload, or whose
	# overload was not clearly more than it, or that never recovered, is made again
	# (up to three in all) from the capacity that attempt measured under overload: a
	# calibration on a busy machine can be half of it (a CI run under ASan saw 4 481
	# calibrated, 10 245 under overload), or double.
	for attempt in 1 2 3; do
		calibrate "$mode" "$attempt"
		[ -n "$measured" ] && cap=$measured
		over=$(python3 -c "print(round($cap * $factor))") half=$((cap / 2))
		phases=$TMP/$mode.send$attempt.out
		ip netns exec "$NS_A" taskset -c 0 "$PKTIO" send "$IF_A" "$TMP/in.pcap" --rate "$over" \
			--duration "$over_secs" --then "$half:$half_secs" >"$phases" 2>&1 ||
			fail "pktio: $(cat "$phases")"
		sleep 1
		kill -0 "$(prxd_real_pid)" 2>/dev/null || fail "$mode: prxd died"
		python3 "$OVPY" analyse "$samples" "$phases" "$mode" >"$TMP/$mode.fig" ||
			fail "$mode: $(cat "$TMP/$mode.fig")"
		[ "$(fig offered_over_pps)" -ge $(($(fig capacity_pps) * 15 / 10)) ] &&
			[ "$(fig offered_half_pps)" -le $(($(fig capacity_pps) * 3 / 4)) ] &&
			[ "$(fig recovery_ms)" -ge 0 ] && break
		echo "$TEST_NAME: $mode: attempt $attempt: $(tr '\n' ' ' <"$TMP/$mode.fig")"
		measured=$(fig capacity_pps)
	done

	# 3. fallback: the output slower than prx (a token bucket on its veth): the kernel
	# refuses what the qdisc cannot queue and prx counts it as tx_full.  (DPDK's
	# net_af_packet bypasses the qdisc: no such test there.)
	if [ "$mode" = fallback ]; then
		# 60-byte frames: a quarter of the capacity, in bits per second
		ip netns exec "$NS_D" tc qdisc add dev "$IF_DB" root tbf rate $((cap * 480 / 4))bit \
			burst 1600 limit 3000
		ip netns exec "$NS_A" taskset -c 0 "$PKTIO" send "$IF_A" "$TMP/in.pcap" --rate "$half" \
			--duration 2 >"$TMP/$mode.egress.out" 2>&1 || fail "pktio: $(cat "$TMP/$mode.egress.out")"
		sleep 0.5 # the bucket's queue (50 frames) drains
		ip netns exec "$NS_D" tc qdisc del dev "$IF_DB" root
	fi
	touch "$stop"
	wait "$sampler" || fail "$mode: sampler: $(cat "$TMP/$mode.sampler.err")"

	# 4. the time series (again, now with the end): control socket, capacity under
	# overload, recovery
	python3 "$OVPY" analyse "$samples" "$phases" "$mode" >"$TMP/$mode.fig" ||
		fail "$mode: $(cat "$TMP/$mode.fig")"
	[ "$(fig ctl_samples_overload)" -ge "$over_secs" ] ||
		fail "$mode: $(fig ctl_samples_overload) control replies during ${over_secs}s of overload"
	python3 -c "import sys; sys.exit(not $(fig ctl_max_ms) < 2000)" ||
		fail "$mode: a control reply took $(fig ctl_max_ms) ms"
	[ "$(fig offered_over_pps)" -ge $(($(fig capacity_pps) * 15 / 10)) ] ||
		fail "$mode: offered $(fig offered_over_pps)/s is not clearly more than $(fig capacity_pps)/s"
	[ "$(fig offered_half_pps)" -le $(($(fig capacity_pps) * 3 / 4)) ] ||
		fail "$mode: the half phase offered $(fig offered_half_pps)/s, capacity $(fig capacity_pps)/s"
	[ "$(fig drops_over)" -gt 0 ] || fail "$mode: nothing was dropped during the overload"
	[ "$(fig recovery_ms)" -ge 0 ] || fail "$mode: never recovered: $(tr '\n' ' ' <"$TMP/$mode.fig")"
	[ "$(fig recovery_ms)" -le "$recovery_max" ] ||
		fail "$mode: recovery took $(fig recovery_ms) ms (at most $recovery_max)"
	expect_eq "$mode: drops after recovery" "$(fig drops_after_recovery)" 0
	expect_eq "$mode: frames neither forwarded nor dropped by name" "$(fig unaccounted_end)" 0

	# 5. exact accounting, from prxd's final block and the kernel's counters
	prxd_stop TERM
	expect_clean_exit
	sent=$(cat "$TMP/$mode".*.out | awk '/^sent [0-9]+$/ { s += $2 } END { print s }')
	expect_eq "$mode: sender's veth tx" $(($(kcount "$NS_A" "$IF_A" tx) - a0)) "$sent"
	expect_eq "$mode: frames at prxd's input (veth rx)" $(($(kcount "$NS_D" "$IF_DA" rx) - k0)) "$sent"
	line=$(final prx-port: name=in)
	rx=$(kv "$line" rx) imissed=$(kv "$line" imissed) nombuf=$(kv "$line" rx_nombuf)
	ierrors=$(kv "$line" ierrors)
	expect_final "$mode: port in" "$line" ipackets "$rx"
	expect_eq "$mode: sent = rx + imissed + rx_nombuf + ierrors" \
		$((rx + imissed + nombuf + ierrors)) "$sent"
	[ "$imissed" -gt 0 ] || fail "$mode: an overload without imissed"
	line=$(final prx-total:)
	dropped=$(kv "$line" dropped)
	expect_eq "$mode: prx rx = tx + dropped" "$(kv "$line" rx)" $(($(kv "$line" tx) + dropped))
	sum=$(awk -F'count=' '/^prx-drop: / { s += $2 } END { print s + 0 }' "$PRXD_OUT")
	expect_eq "$mode: named drops inside prx" "$sum" "$dropped"
	line=$(final prx-port: name=out)
	out_tx=$(kv "$line" tx)
	expect_final "$mode: port out" "$line" opackets "$out_tx"
	sink=$(($(kcount "$NS_B" "$IF_B" rx) - b0))
	expect_eq "$mode: forwarded = received by the sink" "$sink" "$out_tx"
	expect_eq "$mode: prx rx = forwarded + dropped" "$rx" $((out_tx + dropped))
	if [ "$mode" = fallback ]; then
		[ "$(kv "$line" tx_drop)" -gt 0 ] || fail "fallback: nothing refused by the token bucket"
		expect_eq "fallback: tx_full = the output's tx_drop" \
			"$(kv "$(final prx-drop: reason=tx_full)" count)" "$(kv "$line" tx_drop)"
		expect_eq "fallback: tx_full = every drop inside prx" "$(kv "$line" tx_drop)" "$dropped"
	fi

	echo "$TEST_NAME: $mode: work_cycles=$work capacity $cap/s (calibration), $(fig capacity_pps)/s under overload;" \
		"offered $(fig offered_over_pps)/s for ${over_secs}s, then $(fig offered_half_pps)/s;" \
		"sent $sent = rx $rx + imissed $imissed + rx_nombuf $nombuf + ierrors $ierrors;" \
		"prx drops $dropped ($(fig drops_by_reason)); forwarded $out_tx = sink $sink;" \
		"recovery $(fig recovery_ms) ms; control replies max $(fig ctl_max_ms) ms;" \
		"mbufs in use max $(fig mbufs_in_use_max)"
}

for m in $modes; do
	case $m in
	fallback | dpdk) run_mode "$m" ;;
	*) fail "unknown mode $m" ;;
	esac
done
pass
