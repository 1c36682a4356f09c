#!/bin/bash
# Fallback mode with PACKET_FANOUT: port "in" has two rx queues (two packet sockets in
# one hash fanout group) owned by two reactors (two lcores on cpu 1); 4 000 frames of 16
# flows are spread over both queues, and exactly 4 000 arrive at the receiver.
#   bash fallback_fanout.sh PRXD PCAPTOOL PKTIO
source "$(dirname "$0")/lib.sh" "$@"

n=4000
fallback_topology
"$PCAPTOOL" gen "$TMP/in.pcap" $n --seed 9 --min 60 --max 600 --flow 4000 >/dev/null
new_instance
fallback_config "$TMP/prx.cfg" 2 "1, 2"
prxd_start prxd 40 -c "$TMP/prx.cfg" -s 1 -- --lcores=0@0,1@1,2@1
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
transfer "$TMP/in.pcap" "$TMP/out.pcap" $n
prxd_stop TERM
expect_clean_exit

sum=0
for q in 0 1; do
	line=$(final prx-rxq: port=in queue=$q)
	got=$(kv "$line" rx)
	echo "$TEST_NAME: queue $q (reactor $(kv "$line" reactor)) received $got"
	[ "$got" -gt 0 ] || fail "rx queue $q of port in received nothing: fanout did not spread"
	sum=$((sum + got))
done
expect_eq "frames over both queues" $sum $n
[ "$(kv "$(final prx-rxq: port=in queue=0)" reactor)" != "$(kv "$(final prx-rxq: port=in queue=1)" reactor)" ] ||
	fail "both queues of port in on one reactor"
line=$(final prx-port: name=out)
expect_final "port out" "$line" tx $n
expect_final "total dropped" "$(final prx-total:)" dropped 0
pass
