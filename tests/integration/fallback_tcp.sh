#!/bin/bash
# Real TCP through prx in fallback mode: hosts in namespaces A (198.18.0.1) and B
# (198.18.0.2) talk only through prxd's cross-connect of two veth pairs; iperf3 runs for
# 2 s and must move data at a sane rate with no retransmission storm, and prx counts
# no truncated or refused frames.  veth leaves TCP checksums to "hardware" (prx completes
# them in software, so tx checksum offload stays on); TSO is off on the two senders,
# since a veth hands 64 KiB TSO frames across unsegmented (docs/afpacket.md).
#   bash fallback_tcp.sh PRXD PCAPTOOL PKTIO
source "$(dirname "$0")/lib.sh" "$@"

command -v iperf3 >/dev/null || fail "iperf3 is not installed (tools/deps.sh installs it)"
fallback_topology
ip -n "$NS_A" addr add 198.18.0.1/24 dev "$IF_A"
ip -n "$NS_B" addr add 198.18.0.2/24 dev "$IF_B"
ip netns exec "$NS_A" ethtool -K "$IF_A" tso off gso off >/dev/null
ip netns exec "$NS_B" ethtool -K "$IF_B" tso off gso off >/dev/null
new_instance
fallback_config "$TMP/prx.cfg" 1 1
# both directions: data A -> B, acknowledgements B -> A
sed -i 's/{ name = "out"; kernel = "\([^"]*\)"; chain = \[\]; }/{ name = "out"; kernel = "\1"; chain = ["back"]; }/;
	s/handlers = ( { name = "fwd"; type = "xconnect"; to = "out"; } );/handlers = ( { name = "fwd"; type = "xconnect"; to = "out"; }, { name = "back"; type = "xconnect"; to = "in"; } );/' "$TMP/prx.cfg"
prxd_start prxd 40 -c "$TMP/prx.cfg"
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"

ip netns exec "$NS_B" timeout 20 iperf3 -s -1 -J >"$TMP/server.json" 2>&1 &
PIDS+=($!)
wait_for "iperf3 server" 5 sh -c "ip netns exec $NS_B ss -ltn | grep -q :5201"
ip netns exec "$NS_A" timeout 20 iperf3 -c 198.18.0.2 -t 2 -J >"$TMP/client.json" ||
	fail "iperf3 client failed: $(tail -5 "$TMP/client.json")"
bps=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$TMP/client.json")
retr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_sent"]["retransmits"])' "$TMP/client.json")
echo "$TEST_NAME: $((bps / 1000000)) Mbit/s, $retr retransmits"
# generous bounds: 100 Mbit/s on a loaded 2-cpu machine (about 1 Gbit/s idle)
[ "$bps" -ge 100000000 ] || fail "TCP through prx at $bps bit/s"
prxd_stop TERM
expect_clean_exit
for p in in out; do
	line=$(final prx-port: name=$p)
	expect_final "port $p ierrors" "$line" ierrors 0
	expect_final "port $p tx_drop" "$line" tx_drop 0
done
pass
