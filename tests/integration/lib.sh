# Shared helpers of the integration tests.  A test script starts with
#
#   source "$(dirname "$0")/lib.sh" "$@"      # $1 = prxd, $2 = pcaptool
#
# and gets: $PRXD, $PCAPTOOL, $SRCDIR (the source tree), $TMP (a private folder,
# removed at exit), new_instance (a unique EAL file prefix), prxd_start/prxd_stop/
# prxd_run (prxd under `timeout`, logs in $TMP), wait_for (poll with a deadline),
# fail/expect_eq/expect_match (a clear message plus prxd's logs, then exit 1).
#
# Cleanup runs on every exit, success or failure: it kills only the processes this
# test started (by PID) and removes only the /var/run/dpdk/<prefix> folders of the
# prefixes it made up.  PRX_TEST_KEEP=1 keeps $TMP for a post-mortem.

set -uE -o pipefail

if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: bash $0 PRXD PCAPTOOL (both executable)" >&2
	exit 2
fi
PRXD=$(readlink -f "$1")
PCAPTOOL=$(readlink -f "$2")
# the fallback-mode tests also take pktio (send/receive on kernel interfaces)
PKTIO=
if [ $# -ge 3 ]; then PKTIO=$(readlink -f "$3"); fi
PRXD_NETNS=  # when set, prxd_start runs prxd inside this network namespace
# shellcheck disable=SC2034 # for the scripts
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/prx-it-$TEST_NAME.XXXXXX")
DPDK_RUNDIR=/var/run/dpdk

PIDS=()      # processes this test started
PREFIXES=()  # EAL file prefixes this test made up
NETNS=()     # network namespaces this test made (deleted with their veths)
N_INSTANCE=0

PRXD_PID=        # the prxd started last by prxd_start
PRXD_OUT=        # its stdout and stderr
PRXD_ERR=
PRXD_CMD=        # its command line, for messages
PRXD_RC=         # exit status from prxd_stop/prxd_run
PRXD_STOP_MS=    # signal-to-exit time measured by prxd_stop

cleanup() {
	local pid p
	trap - ERR
	# Each PID is a `timeout -k 3` wrapping prxd: it passes SIGTERM on to prxd and
	# sends SIGKILL 3 s later if prxd is still there (SIGKILL to timeout itself would
	# leave prxd running).
	for pid in "${PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	for p in "${PREFIXES[@]}"; do
		rm -rf "${DPDK_RUNDIR:?}/$p"
		rm -rf "/run/prx/${p:?}"
	done
	for p in "${NETNS[@]}"; do
		ip netns del "$p" 2>/dev/null
	done
	if [ "${PRX_TEST_KEEP:-0}" = 1 ]; then
		echo "$TEST_NAME: files kept in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Any command that fails unexpectedly stops the test with its line and text.
trap 'fail "unexpected failure at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# fail MESSAGE: say what went wrong, show prxd's logs, exit 1.
fail() {
	trap - ERR
	echo "FAIL: $TEST_NAME: $*" >&2
	# In a $(...) only say why: the caller then fails on the missing value.
	[ "$BASHPID" = $$ ] || exit 1
	if [ -n "$PRXD_CMD" ]; then
		echo "--- prxd command: $PRXD_CMD" >&2
		echo "--- prxd stdout (last 60 lines of $PRXD_OUT):" >&2
		tail -n 60 "$PRXD_OUT" >&2 2>/dev/null
		echo "--- prxd stderr (last 60 lines of $PRXD_ERR):" >&2
		tail -n 60 "$PRXD_ERR" >&2 2>/dev/null
		echo "---" >&2
	fi
	exit 1
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got \"$2\", expected \"$3\""
}

# expect_match WHAT FILE REGEX: some line of FILE matches the extended REGEX.
expect_match() {
	grep -Eq -- "$3" "$2" || fail "$1: no line of $2 matches /$3/"
}

# expect_no_match WHAT FILE REGEX
expect_no_match() {
	! grep -Eq -- "$3" "$2" || fail "$1: $2 has a line matching /$3/: $(grep -E -m1 -- "$3" "$2")"
}

# new_instance: print a fresh instance name (EAL --file-prefix), unique per process
# and call.  Must run in the main shell (not in $(...)) to be remembered: it sets
# $INSTANCE.
new_instance() {
	N_INSTANCE=$((N_INSTANCE + 1))
	INSTANCE="prxt-$TEST_NAME-$$-$N_INSTANCE"
	[ ! -e "$DPDK_RUNDIR/$INSTANCE" ] || fail "$DPDK_RUNDIR/$INSTANCE exists already"
	PREFIXES+=("$INSTANCE")
}

# wait_for WHAT SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds; fail
# after SECONDS, or at once if the prxd started last has exited.
wait_for() {
	local what=$1 secs=$2 deadline
	shift 2
	deadline=$(($(now_ms) + secs * 1000))
	until "$@"; do
		if [ -n "$PRXD_PID" ] && ! kill -0 "$PRXD_PID" 2>/dev/null; then
			fail "waiting for $what: prxd exited"
		fi
		if [ "$(now_ms)" -ge "$deadline" ]; then
			fail "waiting for $what: not true after ${secs}s"
		fi
		sleep 0.1
	done
}

# prxd_start NAME LIMIT PRXD-ARGS...: start prxd in the background, killed after LIMIT
# seconds at the latest; stdout/stderr go to $TMP/NAME.out and $TMP/NAME.err.
prxd_start() {
	local name=$1 limit=$2
	shift 2
	PRXD_OUT=$TMP/$name.out
	PRXD_ERR=$TMP/$name.err
	PRXD_CMD="$PRXD $*"
	PRXD_RC=
	# timeout passes SIGTERM/SIGINT on to prxd and exits with prxd's status (124 when
	# the limit hit).
	if [ -n "$PRXD_NETNS" ]; then
		# ip netns exec execs prxd in place: the signals still reach it
		timeout -k 3 "$limit" ip netns exec "$PRXD_NETNS" "$PRXD" "$@" \
			>"$PRXD_OUT" 2>"$PRXD_ERR" &
	else
		timeout -k 3 "$limit" "$PRXD" "$@" >"$PRXD_OUT" 2>"$PRXD_ERR" &
	fi
	PRXD_PID=$!
	PIDS+=("$PRXD_PID")
}

# prxd_stop SIGNAL: send SIGNAL to the prxd started last, wait for it; sets $PRXD_RC
# and $PRXD_STOP_MS (signal to exit).
prxd_stop() {
	local t0
	t0=$(now_ms)
	# Signal prxd itself: timeout would forward the signal with a SIGCONT to the group,
	# which can cancel LeakSanitizer's stop of the exiting process and hang it (ASan).
	local target
	target=$(prxd_real_pid || true)
	kill -s "$1" "${target:-$PRXD_PID}" || fail "kill -s $1 ${target:-$PRXD_PID}: prxd is gone"
	PRXD_RC=0
	wait "$PRXD_PID" || PRXD_RC=$?
	# shellcheck disable=SC2034
	PRXD_STOP_MS=$(($(now_ms) - t0))
	PRXD_PID=
}

# prxd_run NAME LIMIT PRXD-ARGS...: run prxd to completion; sets $PRXD_RC.
prxd_run() {
	prxd_start "$@"
	PRXD_RC=0
	wait "$PRXD_PID" || PRXD_RC=$?
	PRXD_PID=
	if [ "$PRXD_RC" = 124 ] || [ "$PRXD_RC" = 137 ]; then
		fail "prxd did not finish within $2 s"
	fi
}

# last_total FIELD: FIELD of the last "prx-total:" line prxd has printed (0 if none).
last_total() {
	local line
	line=$(grep -o 'prx-total: .*' "$PRXD_OUT" | tail -n 1 || true)
	kv "$line" "$1" 0
}

# total_reached FIELD N: the last "prx-total:" line has FIELD >= N.
total_reached() {
	[ "$(last_total "$1")" -ge "$2" ]
}

# kv LINE KEY [DEFAULT]: the value of KEY=value in LINE.
kv() {
	local v
	v=$(printf '%s\n' "$1" | grep -o "\(^\| \)$2=[^ ]*" | head -n 1 | sed 's/^ *[^=]*=//' || true)
	if [ -z "$v" ]; then
		[ $# -ge 3 ] || fail "no \"$2=\" in \"$1\""
		v=$3
	fi
	echo "$v"
}

# final LINE-PREFIX [KEY=VALUE...]: the single line of the final block that starts
# with LINE-PREFIX and has every KEY=VALUE given (e.g. final prx-port: name=in).
final() {
	local prefix=$1 lines sel
	shift
	lines=$(grep "^$prefix " "$PRXD_OUT" || true)
	for sel in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -- " $sel\( \|$\)" || true)
	done
	[ -n "$lines" ] || fail "no \"$prefix $*\" line in the final block"
	[ "$(printf '%s\n' "$lines" | wc -l)" = 1 ] || fail "several \"$prefix $*\" lines: $lines"
	echo "$lines"
}

# expect_final WHAT LINE KEY EXPECTED
expect_final() {
	expect_eq "$1 $3" "$(kv "$2" "$3")" "$4"
}

# expect_clean_exit: prxd stopped with status 0 and printed a balanced final block.
expect_clean_exit() {
	expect_eq "prxd exit status" "$PRXD_RC" 0
	expect_match "final block" "$PRXD_OUT" '^prx-total: '
	expect_match "accounting" "$PRXD_OUT" '^prx-accounting: balanced$'
	expect_eq "final in_flight" "$(kv "$(final prx-total:)" in_flight)" 0
}

# pcap_count FILE
pcap_count() {
	"$PCAPTOOL" count "$1" || fail "pcaptool count $1"
}

# pcap_cmp A B [--mac-swap]
pcap_cmp() {
	local out
	out=$("$PCAPTOOL" cmp "$@" 2>&1) || fail "pcaptool cmp $*: $out"
	echo "$TEST_NAME: $out"
}

# pass: the last line of a successful test.
pass() {
	echo "PASS: $TEST_NAME"
}

# run_pcap_xconnect MAC: the body of xconnect_pcap.sh (MAC = keep) and
# xconnect_macswap.sh (MAC = swap).  10 000 frames of 60..1514 bytes from a pcap file
# through an xconnect into another pcap file; exact counters, identical frames.
run_pcap_xconnect() {
	local mac=$1 n=10000 in=$TMP/in.pcap empty=$TMP/empty.pcap out=$TMP/out.pcap
	local cfg=$TMP/prx.cfg line cmp_flags=()

	[ "$mac" = swap ] && cmp_flags=(--mac-swap)
	"$PCAPTOOL" gen "$in" "$n" --seed 7 --min 60 --max 1514 >/dev/null
	"$PCAPTOOL" gen "$empty" 0 >/dev/null
	new_instance
	cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
handlers = (
	{ name = "fwd"; type = "xconnect"; to = "out"; mac = "$mac"; }
);
ports = (
	{ name = "in"; dpdk = "net_pcap0,rx_pcap=$in"; promiscuous = false; chain = ["fwd"]; },
	{ name = "out"; dpdk = "net_pcap1,rx_pcap=$empty,tx_pcap=$out"; promiscuous = false;
	  chain = []; }
);
CFG
	prxd_start prxd 30 -c "$cfg" -s 1
	wait_for "prx-total tx=$n" 20 total_reached tx "$n"
	prxd_stop TERM
	expect_clean_exit

	line=$(final prx-port: name=in)
	expect_final "port in" "$line" rx $n
	expect_final "port in" "$line" ipackets $n
	expect_final "port in" "$line" tx 0
	line=$(final prx-port: name=out)
	expect_final "port out" "$line" tx $n
	expect_final "port out" "$line" tx_drop 0
	expect_final "port out" "$line" opackets $n
	expect_final "port out" "$line" rx 0
	line=$(final prx-total:)
	expect_final "total" "$line" rx $n
	expect_final "total" "$line" tx $n
	expect_final "total" "$line" dropped 0
	expect_no_match "drop reasons" "$PRXD_OUT" '^prx-drop: '
	line=$(final prx-handler: name=fwd)
	expect_final "handler fwd" "$line" in $n
	expect_final "handler fwd" "$line" dropped 0

	# net_pcap writes the last frames when prxd closes the port: compare only now.
	expect_eq "frames in $out" "$(pcap_count "$out")" $n
	pcap_cmp "$in" "$out" "${cmp_flags[@]}"
}

# ns_new VAR: make a network namespace with a unique name (loopback up, IPv6 off so the
# kernel sends nothing on its own), remembered for cleanup; its name goes into VAR.
ns_new() {
	local name="prxt${#NETNS[@]}-$$-$RANDOM"
	ip netns add "$name" || fail "ip netns add $name"
	NETNS+=("$name")
	ip -n "$name" link set lo up
	ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	printf -v "$1" '%s' "$name"
}

# veth_pair NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up.
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		fail "ip link add $2/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# pid_cpu_ticks PID: user + system CPU time of a process, in clock ticks.
pid_cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# prxd_real_pid: the PID of prxd itself (prxd_start's PID is the timeout around it).
prxd_real_pid() {
	pgrep -P "$PRXD_PID" | head -n 1
}

# fallback_topology: namespaces A (sender), D (prxd) and B (receiver); veths
# $IF_A <-> $IF_DA (A-D) and $IF_DB <-> $IF_B (D-B); prxd will run in $NS_D.
fallback_topology() {
	[ -n "$PKTIO" ] || fail "usage: bash $0 PRXD PCAPTOOL PKTIO"
	ns_new NS_A
	ns_new NS_D
	ns_new NS_B
	IF_A=pa$$ IF_DA=pda$$ IF_DB=pdb$$ IF_B=pb$$
	veth_pair "$NS_A" "$IF_A" "$NS_D" "$IF_DA"
	veth_pair "$NS_D" "$IF_DB" "$NS_B" "$IF_B"
	PRXD_NETNS=$NS_D
}

# fallback_config FILE RX_QUEUES CORES: prxd in fallback mode, in (IF_DA) -> out (IF_DB).
fallback_config() {
	cat >"$1" <<CFG
mode = "fallback";
instance = "$INSTANCE";
reactors = { cores = [$3]; };
handlers = ( { name = "fwd"; type = "xconnect"; to = "out"; } );
ports = (
	{ name = "in"; kernel = "$IF_DA"; rx_queues = $2; chain = ["fwd"]; },
	{ name = "out"; kernel = "$IF_DB"; chain = []; }
);
CFG
}

# transfer IN.pcap OUT.pcap N: start a receiver on IF_B, send IN from IF_A, expect
# exactly N marked frames at the receiver (written to OUT).
transfer() {
	local rx_out=$TMP/recv.$RANDOM rx_pid rc=0
	ip netns exec "$NS_B" "$PKTIO" recv "$IF_B" "$2" --count "$3" --timeout 20 >"$rx_out" 2>&1 &
	rx_pid=$!
	PIDS+=("$rx_pid")
	wait_for "receiver ready" 5 grep -q ready "$rx_out"
	ip netns exec "$NS_A" "$PKTIO" send "$IF_A" "$1" --rate 20000 >/dev/null ||
		fail "pktio send failed"
	wait "$rx_pid" || rc=$?
	[ "$rc" = 0 ] || fail "receiver: $(cat "$rx_out")"
}
