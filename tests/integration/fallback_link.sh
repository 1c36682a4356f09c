#!/bin/bash
# Link down and up under fallback mode: prxd logs the change, survives, and forwards the
# next batch exactly.
#   bash fallback_link.sh PRXD PCAPTOOL PKTIO
source "$(dirname "$0")/lib.sh" "$@"

n=2000
fallback_topology
"$PCAPTOOL" gen "$TMP/in.pcap" $n --seed 13 --min 60 --max 1000 >/dev/null
new_instance
fallback_config "$TMP/prx.cfg" 1 1
prxd_start prxd 40 -c "$TMP/prx.cfg" -s 1
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
transfer "$TMP/in.pcap" "$TMP/out1.pcap" $n

ip -n "$NS_D" link set "$IF_DA" down
wait_for "link down logged" 10 grep -q 'in: link down' "$PRXD_ERR"
ip -n "$NS_D" link set "$IF_DA" up
wait_for "link up logged" 10 grep -q 'in: link up' "$PRXD_ERR"

transfer "$TMP/in.pcap" "$TMP/out2.pcap" $n
pcap_cmp "$TMP/in.pcap" "$TMP/out2.pcap"
prxd_stop TERM
expect_clean_exit
expect_final "port in rx" "$(final prx-port: name=in)" rx $((2 * n))
expect_final "port out tx" "$(final prx-port: name=out)" tx $((2 * n))
pass
