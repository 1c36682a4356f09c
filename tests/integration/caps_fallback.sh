#!/bin/bash
# Least privilege in fallback mode (docs/deploy.md, "Privileges"): prxd runs as the
# unprivileged user nobody with only CAP_NET_RAW and CAP_NET_ADMIN (setpriv: ambient and
# bounding sets), in a runtime folder of its own, and forwards 2 000 frames between
# namespaces, byte-identical.  Once started, its control thread holds just those two and
# its reactor thread none.  Given only CAP_NET_RAW it refuses to start and names
# CAP_NET_ADMIN.  With the two as file capabilities (+p) prxd raises them itself.  As root
# with control.keep_net_caps = false, the control thread keeps nothing either.
#   bash caps_fallback.sh PRXD PCAPTOOL PKTIO
source "$(dirname "$0")/lib.sh" "$@"

SETPRIV=$(command -v setpriv) || fail "setpriv (util-linux) is not installed"
REAL_PRXD=$PRXD
n=2000

# unprivileged NAME CAPS PRXD-ARGS...: start prxd as nobody:nogroup holding only CAPS
# (setpriv's list syntax: "+net_raw,+net_admin").
unprivileged() {
	local name=$1 caps=$2
	shift 2
	PRXD=$SETPRIV
	prxd_start "$name" 40 --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps="-all,$caps" --ambient-caps="$caps" --bounding-set="-all,$caps" \
		"$REAL_PRXD" "$@"
	PRXD=$REAL_PRXD
}

# caps_of TID-STATUS-FILE FIELD: the hex capability set FIELD (CapPrm, CapEff, CapBnd)
caps_of() {
	awk -v f="$2:" '$1 == f { print $2 }' "$1"
}

fallback_topology
"$PCAPTOOL" gen "$TMP/in.pcap" $n --seed 11 --min 60 --max 1514 >/dev/null
new_instance
# nobody reads the configuration and writes its runtime files under $TMP/run: the
# control socket and pid file (control.socket), EAL's folder ($XDG_RUNTIME_DIR/dpdk).
chmod 755 "$TMP"
install -d -o nobody -g nogroup "$TMP/run" "$TMP/run/xdg"
export XDG_RUNTIME_DIR=$TMP/run/xdg
fallback_config "$TMP/prx.cfg" 1 1
echo "control = { socket = \"$TMP/run/prx.ctl\"; metrics = \"\"; };" >>"$TMP/prx.cfg"
chmod 644 "$TMP/prx.cfg"

# Only CAP_NET_RAW: refused before EAL starts, naming what is missing.
unprivileged raw-only +net_raw -c "$TMP/prx.cfg"
PRXD_RC=0
wait "$PRXD_PID" || PRXD_RC=$?
PRXD_PID=
expect_eq "prxd with CAP_NET_RAW only: exit status" "$PRXD_RC" 3
expect_match "refusal" "$PRXD_ERR" 'fallback mode needs CAP_NET_RAW and CAP_NET_ADMIN; missing: net_admin'
echo "$TEST_NAME: $(grep -m1 'missing:' "$PRXD_ERR")"

# CAP_NET_RAW and CAP_NET_ADMIN: forwards.
unprivileged prxd +net_raw,+net_admin -c "$TMP/prx.cfg" -s 1
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
pid=$(prxd_real_pid)
expect_eq "prxd's user" "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")" 65534
expect_match "fallback mode" "$PRXD_ERR" 'mode fallback: mode = "fallback"'
expect_match "kept" "$PRXD_ERR" 'capabilities: control thread keeps net_admin,net_raw;'
[ -S "$TMP/run/prx.ctl" ] || fail "no control socket $TMP/run/prx.ctl"
expect_eq "control socket owner" "$(stat -c %U "$TMP/run/prx.ctl")" nobody
ls "$XDG_RUNTIME_DIR/dpdk/$INSTANCE" >/dev/null || fail "EAL's folder is not in \$XDG_RUNTIME_DIR"
for t in /proc/"$pid"/task/*; do
	comm=$(cat "$t/comm")
	expect_eq "thread $comm: bounding set" "$(caps_of "$t/status" CapBnd)" 0000000000003000
	case $comm in
	lcore-worker-* | rte-worker-* | eal-intr-thread)
		expect_eq "thread $comm: permitted set" "$(caps_of "$t/status" CapPrm)" 0000000000000000
		;;
	*)
		# the control thread and EAL's helper threads: at most the two
		caps=$(caps_of "$t/status" CapPrm)
		[ $((0x$caps & ~0x3000)) = 0 ] || fail "thread $comm holds $caps"
		;;
	esac
	echo "$TEST_NAME: thread $comm: CapPrm $(caps_of "$t/status" CapPrm)"
done
expect_eq "control thread: effective set" "$(caps_of "/proc/$pid/status" CapEff)" 0000000000003000

transfer "$TMP/in.pcap" "$TMP/out.pcap" $n
pcap_cmp "$TMP/in.pcap" "$TMP/out.pcap"
prxd_stop TERM
expect_clean_exit
expect_final "total" "$(final prx-total:)" rx $n
[ ! -e "$XDG_RUNTIME_DIR/dpdk/$INSTANCE" ] || fail "EAL's folder was left behind"
[ ! -e "$TMP/run/prx.ctl" ] || fail "the control socket was left behind"

# File capabilities, as the image gives its prx user: cap_net_raw,cap_net_admin+p on the
# binary, nothing inherited; prxd raises them into its effective set itself.
if command -v setcap >/dev/null; then
	install -m 0755 "$REAL_PRXD" "$TMP/prxd-fcaps"
	setcap cap_net_raw,cap_net_admin+p "$TMP/prxd-fcaps"
	new_instance
	fallback_config "$TMP/fcaps.cfg" 1 1
	echo "control = { socket = \"$TMP/run/fcaps.ctl\"; metrics = \"\"; };" >>"$TMP/fcaps.cfg"
	chmod 644 "$TMP/fcaps.cfg"
	PRXD=$SETPRIV
	# a binary with file capabilities is not dumpable: LeakSanitizer cannot attach
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		prxd_start fcaps 40 --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		--bounding-set=-all,+net_raw,+net_admin "$TMP/prxd-fcaps" -c "$TMP/fcaps.cfg"
	PRXD=$REAL_PRXD
	wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
	pid=$(prxd_real_pid)
	expect_eq "file caps: control thread's effective set" \
		"$(caps_of "/proc/$pid/status" CapEff)" 0000000000003000
	transfer "$TMP/in.pcap" "$TMP/out-fcaps.pcap" $n
	prxd_stop TERM
	expect_clean_exit
	echo "$TEST_NAME: file capabilities (+p): raised and forwarding"
else
	echo "$TEST_NAME: no setcap (libcap2-bin): file capabilities not tried"
fi

# As root, control.keep_net_caps = false: the control thread keeps nothing either.
unset XDG_RUNTIME_DIR
new_instance
fallback_config "$TMP/root.cfg" 1 1
echo 'control = { keep_net_caps = false; metrics = ""; };' >>"$TMP/root.cfg"
prxd_start root 40 -c "$TMP/root.cfg"
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
pid=$(prxd_real_pid)
expect_match "kept" "$PRXD_ERR" 'capabilities: control thread keeps none \(control.keep_net_caps = false\)'
for t in /proc/"$pid"/task/*; do
	comm=$(cat "$t/comm")
	caps=$(caps_of "$t/status" CapPrm)
	echo "$TEST_NAME: root, keep_net_caps = false: thread $comm: CapPrm $caps"
	# EAL's helper threads started with the narrowed set (the network pair and
	# net_bind_service); every other thread holds nothing
	case $comm in
	telemetry-* | rte_mp_handle) [ $((0x$caps & ~0x3400)) = 0 ] || fail "thread $comm holds $caps" ;;
	*) expect_eq "thread $comm: permitted set" "$caps" 0000000000000000 ;;
	esac
done
prxd_stop TERM
expect_clean_exit
pass
