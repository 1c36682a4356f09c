#!/bin/bash
# The event loop under load: prx-echo (one loop and SO_REUSEPORT listener per thread, 2
# threads) and echo_client with 1000 concurrent connections, each sending 64 KiB of its
# own pattern and checking the echo byte for byte.  Small socket buffers on both sides
# make the server's writes stall and its buffers fill: partial writes and back-pressure
# must lose nothing.  Then a clean stop on SIGINT (and, idle, on SIGTERM) with counters
# that add up.
#   bash echo.sh PRX_ECHO ECHO_CLIENT
source "$(dirname "$0")/lib.sh" "$@"

# lib.sh names its two programs PRXD and PCAPTOOL: here prx-echo (run with prxd_start,
# prxd_stop) and the client.
CLIENT=$PCAPTOOL
conns=1000
size=65536

# listening_port: the port of the "listening on 127.0.0.1:PORT" line, once printed.
listening_port() {
	sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$PRXD_OUT"
}

has_port() {
	[ -n "$(listening_port)" ]
}

# echo_stop SIGNAL: prxd_stop, but the signal goes to prx-echo itself rather than to the
# `timeout` around it.  timeout follows a signal it passes on with SIGCONT to its whole
# process group; a SIGCONT that lands while LeakSanitizer's exit-time check (an ASan
# build) has just ptrace-attached cancels the attach's SIGSTOP, and the check then waits
# forever (-k 3 kills it: status 137, about one stop in ten).
echo_stop() {
	local t0 pid
	pid=$(prxd_real_pid)
	[ -n "$pid" ] || fail "prx-echo is gone"
	t0=$(now_ms)
	kill -s "$1" "$pid" || fail "kill -s $1 $pid: prx-echo is gone"
	PRXD_RC=0
	wait "$PRXD_PID" || PRXD_RC=$?
	PRXD_STOP_MS=$(($(now_ms) - t0))
	PRXD_PID=
}

prxd_start echo 50 -t 2 -s 4096
wait_for "prx-echo to listen" 10 has_port
port=$(listening_port)

t0=$(now_ms)
"$CLIENT" -n "$conns" -s "$size" -r 4096 -d 30 127.0.0.1 "$port" >"$TMP/client.out" 2>&1 ||
	fail "echo_client: $(cat "$TMP/client.out")"
cat "$TMP/client.out"
echo "$TEST_NAME: $conns connections x $size bytes echoed in $(($(now_ms) - t0)) ms"
expect_match "client summary" "$TMP/client.out" "^echo_client: connections=$conns ok=$conns failed=0 "

echo_stop INT
expect_eq "prx-echo exit status (SIGINT)" "$PRXD_RC" 0
expect_match "SIGINT logged" "$PRXD_ERR" ': stopping$'
total=$(grep '^prx-echo: total ' "$PRXD_OUT") || fail "no total line"
expect_eq "connections" "$(kv "$total" connections)" "$conns"
expect_eq "closed" "$(kv "$total" closed)" "$conns"
expect_eq "open at exit" "$(kv "$total" open)" 0
expect_eq "errors" "$(kv "$total" errors)" 0
expect_eq "bytes_in" "$(kv "$total" bytes_in)" $((conns * size))
expect_eq "bytes_out" "$(kv "$total" bytes_out)" $((conns * size))
[ "$(kv "$total" write_stalls)" -gt 0 ] || fail "no write ever stalled: back-pressure untested: $total"
for t in 0 1; do
	line=$(grep "^prx-echo: thread=$t " "$PRXD_OUT") || fail "no line for thread $t"
	[ "$(kv "$line" connections)" -gt 0 ] || fail "thread $t accepted nothing: $line"
done

# Idle, SIGTERM: stops at once, nothing counted.
prxd_start idle 20 -t 2
wait_for "prx-echo to listen" 10 has_port
echo_stop TERM
expect_eq "prx-echo exit status (SIGTERM)" "$PRXD_RC" 0
[ "$PRXD_STOP_MS" -le 2000 ] || fail "SIGTERM: took $PRXD_STOP_MS ms to stop"
expect_eq "idle connections" "$(kv "$(grep '^prx-echo: total ' "$PRXD_OUT")" connections)" 0
pass
