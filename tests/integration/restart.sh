#!/bin/bash
# Restart after a crash: prxd killed with SIGKILL under load leaves its runtime files
# behind (EAL's runtime folder, the control socket, the pid file); started again at
# once with the same instance it must come up, take over the stale socket, forward, and
# stop cleanly, leaving nothing behind.
#   bash restart.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

new_instance
cat >"$TMP/prx.cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
control = { metrics = ""; };
handlers = ( { name = "ab"; type = "xconnect"; to = "b"; } );
ports = (
	{ name = "a"; dpdk = "net_null0"; chain = ["ab"]; },
	{ name = "b"; dpdk = "net_null1"; }
);
CFG
sock=/run/prx/$INSTANCE/prx.ctl
prxd_start first 30 -c "$TMP/prx.cfg" -s 1
wait_for "traffic" 15 total_reached rx 1
wait_for "control socket" 10 test -S "$sock"
pid=$(prxd_real_pid)
kill -KILL "$pid"
wait "$PRXD_PID" 2>/dev/null || true
[ -S "$sock" ] || fail "the killed prxd should have left its socket behind (test premise)"

t0=$(now_ms)
prxd_start second 30 -c "$TMP/prx.cfg" -s 1
wait_for "traffic after the restart" 15 total_reached rx 1
wait_for "control socket answering" 10 \
	bash -c "printf '%s\n' '{\"cmd\":\"show.ports\"}' | python3 '$SRCDIR/tests/integration/ctl.py' '$sock' 2 | grep -q '\"ok\": *true'"
echo "$TEST_NAME: forwarding again $(($(now_ms) - t0)) ms after the restart"
[ "$(cat "/run/prx/$INSTANCE/prxd.pid")" = "$(prxd_real_pid)" ] || fail "stale pid file"
prxd_stop TERM
expect_clean_exit
[ ! -e "/run/prx/$INSTANCE" ] || fail "/run/prx/$INSTANCE left behind"
pass
