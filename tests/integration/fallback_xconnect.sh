#!/bin/bash
# Fallback mode end to end: prxd cross-connects two veth pairs through AF_PACKET ports
# inside its own namespace; a sender in namespace A sends 5 000 frames (60..1514 B), the
# receiver in namespace B gets exactly those frames, byte-identical, in order.  prxd's
# counters are exact (its own transmissions are not received again: nothing is dropped),
# and the idle epoll reactor uses almost no CPU.
#   bash fallback_xconnect.sh PRXD PCAPTOOL PKTIO
source "$(dirname "$0")/lib.sh" "$@"

n=5000
fallback_topology
"$PCAPTOOL" gen "$TMP/in.pcap" $n --seed 5 --min 60 --max 1514 >/dev/null
new_instance
fallback_config "$TMP/prx.cfg" 1 1
prxd_start prxd 40 -c "$TMP/prx.cfg" -s 1
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
expect_match "fallback mode" "$PRXD_ERR" 'mode fallback: mode = "fallback"'
expect_match "epoll engine" "$PRXD_ERR" 'reactor 0 \(lcore 1\): engine epoll'

transfer "$TMP/in.pcap" "$TMP/out.pcap" $n
pcap_cmp "$TMP/in.pcap" "$TMP/out.pcap"

# Idle: the epoll reactor sleeps.  Two seconds of CPU time, generously bounded (a
# polling reactor would take 100% of a core, 200 ticks).
pid=$(prxd_real_pid)
t0=$(pid_cpu_ticks "$pid")
sleep 2
t1=$(pid_cpu_ticks "$pid")
idle=$((t1 - t0))
echo "$TEST_NAME: idle prxd used $idle ticks of CPU in 2 s"
[ "$idle" -le 10 ] || fail "idle prxd used $idle clock ticks in 2 s (> 5% of a core)"

prxd_stop TERM
expect_clean_exit
line=$(final prx-port: name=in)
expect_final "port in" "$line" rx $n
expect_final "port in" "$line" imissed 0
line=$(final prx-port: name=out)
expect_final "port out" "$line" tx $n
expect_final "port out" "$line" tx_drop 0
expect_final "port out" "$line" rx 0
line=$(final prx-total:)
expect_final "total" "$line" rx $n
expect_final "total" "$line" dropped 0
pass
