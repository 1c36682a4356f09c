#!/bin/bash
# systemd readiness (sd_notify, docs/deploy.md "systemd"): with NOTIFY_SOCKET set, prxd
# sends READY=1 once the ports are up and the control socket is open, RELOADING=1 then
# READY=1 around a reload by SIGHUP (a refused one included) or through the control socket,
# and STOPPING=1 when stopped.
# A small Python listener stands in for systemd, on an abstract socket name.
#   bash notify.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

log=$TMP/notify.log
name="@prxt-notify-$$-$RANDOM"
python3 "$(dirname "$0")/notify_recv.py" "$name" "$log" &
PIDS+=($!)
wait_for "the listener" 5 grep -q listening "$log"

# readies N: the listener has seen at least N READY=1 (counted anew on each call)
readies() {
	[ "$(grep -c '^READY=1$' "$log")" -ge "$1" ]
}

new_instance
cat >"$TMP/prx.cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
handlers = ( { name = "fwd"; type = "xconnect"; to = "b"; } );
ports = (
	{ name = "a"; dpdk = "net_null0"; chain = ["fwd"]; },
	{ name = "b"; dpdk = "net_null1"; }
);
control = { metrics = ""; };
CFG
export NOTIFY_SOCKET=$name
prxd_start prxd 40 -c "$TMP/prx.cfg"
wait_for "READY=1" 10 grep -q '^READY=1$' "$log"
expect_match "forwarding before READY" "$PRXD_ERR" 'forwarding'
[ -S "/run/prx/$INSTANCE/prx.ctl" ] || fail "READY=1 before the control socket exists"
expect_match "status" "$log" "^STATUS=forwarding: instance $INSTANCE, 2 port\(s\), 1 reactor\(s\)$"

# a reload: RELOADING=1 (with the monotonic time systemd asks for), then READY=1 again
kill -HUP "$(prxd_real_pid)"
wait_for "second READY=1" 10 readies 2
expect_match "reloading" "$log" '^RELOADING=1$'
expect_match "monotonic time" "$log" '^MONOTONIC_USEC=[0-9]+$'
expect_match "reloaded" "$log" '^STATUS=forwarding \(configuration reloaded\)$'
[ "$(grep -n '^RELOADING=1$' "$log" | cut -d: -f1)" -lt \
	"$(grep -n '^READY=1$' "$log" | tail -n 1 | cut -d: -f1)" ] || fail "READY=1 came before RELOADING=1"

# a refused reload still ends in READY=1: the running configuration is kept
echo 'no_such_setting = 1;' >>"$TMP/prx.cfg"
kill -HUP "$(prxd_real_pid)"
wait_for "third READY=1" 10 readies 3
expect_match "refused" "$log" '^STATUS=forwarding \(reload refused: running configuration kept\)$'

# the same through the control socket (prxctl reload): RELOADING=1, then READY=1
printf '%s\n' '{"cmd":"reload"}' |
	python3 "$SRCDIR/tests/integration/ctl.py" "/run/prx/$INSTANCE/prx.ctl" 10 >"$TMP/reload.out" ||
	fail "reload through the socket"
wait_for "fourth READY=1" 10 readies 4
[ "$(grep -c '^RELOADING=1$' "$log")" = 3 ] || fail "RELOADING=1 sent $(grep -c '^RELOADING=1$' "$log") times, want 3"

prxd_stop TERM
expect_clean_exit
wait_for "STOPPING=1" 5 grep -q '^STOPPING=1$' "$log"
echo "$TEST_NAME: $(grep -c -- '^--$' "$log") datagrams: $(grep -E '^(READY|RELOADING|STOPPING)=' "$log" | tr '\n' ' ')"
pass
