#!/bin/bash
# Soak: SOAK_SECS (default 180) of steady traffic through prxd in fallback mode
# (A -> prx -> B on veths, SOAK_PPS frames per second, default 100 000, about half of
# what prx forwards on this kind of machine, docs/benchmarks.md).  After a 20 s warm-up
# the daemon's resident memory may not grow by more than 4 MiB and its open fds not at
# all; when the traffic stops, the packet buffers in use return to where they were before
# it started; nothing is dropped inside prx (what the kernel's ring could not take is
# counted as imissed, at most 1 %) and the accounting balances.
#   bash soak.sh PRXD PCAPTOOL PKTIO
source "$(dirname "$0")/lib.sh" "$@"
secs=${SOAK_SECS:-180}
pps=${SOAK_PPS:-100000}

fallback_topology
new_instance
sock=$TMP/prx.ctl
fallback_config "$TMP/prx.cfg" 1 1
printf 'control = { socket = "%s"; metrics = ""; };\n' "$sock" >>"$TMP/prx.cfg"
"$PCAPTOOL" gen "$TMP/in.pcap" 10000 --seed 51 --min 60 --max 200 >/dev/null
prxd_start prxd $((secs + 60)) -c "$TMP/prx.cfg"
wait_for "control socket" 20 test -S "$sock"
pid=$(prxd_real_pid)
[ "$(cat "/proc/$pid/comm")" = prxd ] || fail "pid $pid is $(cat "/proc/$pid/comm"), not prxd"

stats() { # stats EXPR...: Python expressions over show.stats' result `r`
	printf '%s\n' '{"cmd":"show.stats"}' | python3 "$SRCDIR/tests/integration/ctl.py" "$sock" 5 |
		python3 -c "import json,sys; r=json.load(sys.stdin)['result']; print(*[eval(p) for p in sys.argv[1:]])" "$@"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }

base_mbufs=$(stats "r['mbufs']['in_use']")
ip netns exec "$NS_A" "$PKTIO" send "$IF_A" "$TMP/in.pcap" --rate "$pps" --duration "$secs" \
	>"$TMP/send.out" 2>&1 &
sender=$!
PIDS+=("$sender")
sleep 20
rss0=$(rss_kb) fds0=$(fds) rss_max=0
while kill -0 "$sender" 2>/dev/null; do
	r=$(rss_kb)
	[ "$r" -gt "$rss_max" ] && rss_max=$r
	[ "$(fds)" = "$fds0" ] || fail "open fds went from $fds0 to $(fds)"
	sleep 5
done
wait "$sender" || fail "sender: $(cat "$TMP/send.out")"
sent=$(grep -o 'sent [0-9]*' "$TMP/send.out" | cut -d' ' -f2)
# every frame sent is either received by prx or counted by the kernel as missed
accounted() { [ "$(stats "sum(p['rx'] + p['imissed'] for p in r['ports'])")" -ge "$1" ]; }
wait_for "every frame received or counted missed" 10 accounted "$sent"
sleep 0.5
end_mbufs=$(stats "r['mbufs']['in_use']")
echo "$TEST_NAME: $sent frames in ${secs}s; RSS ${rss0} kB after warm-up, max ${rss_max} kB; fds $fds0; mbufs in use $base_mbufs before, $end_mbufs after"
[ $((rss_max - rss0)) -le 4096 ] || fail "RSS grew from $rss0 to $rss_max kB"
[ "$end_mbufs" -le $((base_mbufs + 64)) ] || fail "mbufs in use: $base_mbufs before, $end_mbufs after"
prxd_stop TERM
expect_clean_exit
line=$(final prx-port: name=in)
rx=$(kv "$line" rx) missed=$(kv "$line" imissed)
expect_eq "received + missed" $((rx + missed)) "$sent"
# the kernel's ring may overflow when the machine is busy (counted, named: imissed);
# more than 1 % would mean prx does not keep up at this rate
[ $((missed * 100)) -le "$sent" ] || fail "$missed of $sent frames missed"
line=$(final prx-port: name=out)
expect_final out "$line" tx "$rx"
expect_no_match "drops" "$PRXD_OUT" '^prx-drop: '
pass
