#!/bin/bash
# The appliance end to end, as Linux hosts see it: host A (10.0.1.2) and host B
# (10.0.2.2, and 10.0.3.2 behind it) in namespaces, prxd in a third between them with the
# chain ["resp", "fw", "rt"] on both ports (responder, ACL, router).  MODE fallback opens
# the veths with AF_PACKET; MODE dpdk opens the same veths through DPDK's net_af_packet
# vdevs (poll engine); MODE gso is fallback with `afpacket = { gso = true; }` and the
# hosts' offloads left on: their 64 KiB TSO super-frames must cross prx whole.  Checked
# with the real tools:
#  - ping to prx's own address answered; ping -c 20 A -> B with 0 % loss;
#  - iperf3 TCP A -> B for 5 s at >= 100 Mbit/s; UDP at 50 Mbit/s for 5 s, < 1 % lost;
#  - nc to B's port 6001 fails (an ACL rule denies it) while port 6000 works;
#  - TTL 1 gets ICMP time exceeded from prx; a route deleted live with prxctl stops
#    traffic to 10.0.3.2 and adding it back restores it;
#  - prxd stops cleanly with the accounting balanced.
#   bash router_e2e.sh PRXD PCAPTOOL PKTIO PRXCTL MODE
source "$(dirname "$0")/lib.sh" "$@"
[ $# -ge 5 ] && [ -x "$4" ] || fail "usage: bash $0 PRXD PCAPTOOL PKTIO PRXCTL fallback|dpdk|gso"
PRXCTL=$(readlink -f "$4")
MODE=$5
for c in ping iperf3 nc; do command -v $c >/dev/null || fail "$c missing (tools/deps.sh)"; done

fallback_topology
ip -n "$NS_A" addr add 10.0.1.2/24 dev "$IF_A"
ip -n "$NS_A" route add default via 10.0.1.1
ip -n "$NS_B" addr add 10.0.2.2/24 dev "$IF_B"
ip -n "$NS_B" addr add 10.0.3.2/32 dev lo
ip -n "$NS_B" route add default via 10.0.2.1
for ns in "$NS_A:$IF_A" "$NS_B:$IF_B"; do
	# veth senders hand 64 KiB TSO super-frames over; a packet socket forwards them
	# only with afpacket.gso (docs/afpacket.md), real NICs never deliver them.  And
	# they leave checksums to be completed by the receiver: prx's AF_PACKET driver
	# completes them, DPDK's net_af_packet does not, so the senders compute them here
	# (tx off).  MODE gso leaves all of it on.
	[ "$MODE" = gso ] ||
		ip netns exec "${ns%%:*}" ethtool -K "${ns##*:}" tso off gso off tx off >/dev/null 2>&1 || true
done

new_instance
if [ "$MODE" = dpdk ]; then
	dev_a="dpdk = \"net_af_packet0,iface=$IF_DA\";"
	dev_b="dpdk = \"net_af_packet1,iface=$IF_DB\";"
	engine="poll"
else
	dev_a="kernel = \"$IF_DA\";"
	dev_b="kernel = \"$IF_DB\";"
	engine="auto"
fi
if [ "$MODE" = gso ]; then
	dev_a="$dev_a afpacket = { gso = true; };"
	dev_b="$dev_b afpacket = { gso = true; };"
fi
cat >"$TMP/prx.cfg" <<CFG
mode = "${MODE/gso/fallback}";
instance = "$INSTANCE";
reactors = { cores = [1]; engine = "$engine"; };
control = { metrics = ""; };
handlers = (
	{ name = "resp"; type = "responder"; },
	{ name = "fw"; type = "acl"; default = "allow";
	  rules = ( { action = "deny"; proto = "tcp"; dst_port = "6001"; } ); },
	{ name = "rt"; type = "router"; icmp_rate = 100;
	  routes = ( { prefix = "10.0.3.0/24"; via = "10.0.2.2"; port = "b"; } ); }
);
ports = (
	{ name = "a"; $dev_a address = "10.0.1.1/24"; chain = ["resp", "fw", "rt"]; },
	{ name = "b"; $dev_b address = "10.0.2.1/24"; chain = ["resp", "fw", "rt"]; }
);
CFG
prxd_start prxd 120 -c "$TMP/prx.cfg" -s 1
wait_for "prxd forwarding" 20 grep -q 'forwarding' "$PRXD_ERR"

ping_a() { # DST COUNT [ping options]: pings from A; output in $TMP/ping.out
	local dst=$1 n=$2
	shift 2
	ip netns exec "$NS_A" ping -n -c "$n" -i 0.05 -W 2 "$@" "$dst" >"$TMP/ping.out" 2>&1 || true
}

ping_a 10.0.1.1 5
expect_match "ping prx" "$TMP/ping.out" ' 5 received, 0% packet loss'
ping_a 10.0.2.2 20
expect_match "ping A -> B" "$TMP/ping.out" ' 20 received, 0% packet loss'
ping_a 10.0.2.2 1 -t 1
expect_match "TTL 1" "$TMP/ping.out" 'From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded'

# iperf3: TCP for 5 s, then UDP at 50 Mbit/s
ip netns exec "$NS_B" iperf3 -s -D -p 5201 --logfile "$TMP/iperf3-server.log" \
	--pidfile "$TMP/iperf3.pid"
trap 'kill "$(cat "$TMP/iperf3.pid" 2>/dev/null)" 2>/dev/null; cleanup' EXIT
sleep 0.3
ip netns exec "$NS_A" timeout 30 iperf3 -c 10.0.2.2 -p 5201 -t 5 -J >"$TMP/tcp.json" ||
	fail "iperf3 TCP: $(tail -c 1000 "$TMP/tcp.json")"
ip netns exec "$NS_A" timeout 30 iperf3 -c 10.0.2.2 -p 5201 -u -b 50M -t 5 -J >"$TMP/udp.json" ||
	fail "iperf3 UDP: $(tail -c 1000 "$TMP/udp.json")"
python3 - "$TMP/tcp.json" "$TMP/udp.json" "$MODE" <<'PY' || fail "iperf3 figures"
import json, sys
tcp = json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6
udp = json.load(open(sys.argv[2]))["end"]["sum"]
lost = udp["lost_percent"]
print(f"router_e2e ({sys.argv[3]}): TCP {tcp:.0f} Mbit/s, UDP 50 Mbit/s {lost:.3f} % lost")
assert tcp >= 100, f"TCP {tcp:.0f} Mbit/s < 100"
assert lost < 1, f"UDP lost {lost} %"
PY

# the ACL: port 6001 denied, 6000 allowed
for port in 6000 6001; do
	ip netns exec "$NS_B" timeout 10 nc -l $port >"$TMP/nc$port.out" 2>&1 &
	PIDS+=($!)
done
sleep 0.3
echo hello | ip netns exec "$NS_A" timeout 5 nc -q 1 -w 2 10.0.2.2 6000 ||
	fail "nc to the allowed port 6000 failed"
if echo hello | ip netns exec "$NS_A" timeout 5 nc -q 1 -w 2 10.0.2.2 6001 2>/dev/null; then
	fail "nc to port 6001 went through the ACL's deny rule"
fi
wait_for "port 6000 got the data" 5 grep -q hello "$TMP/nc6000.out"

# a route deleted live stops traffic, added back restores it
ping_a 10.0.3.2 3
expect_match "ping 10.0.3.2" "$TMP/ping.out" ' 3 received, 0% packet loss'
"$PRXCTL" -n "$INSTANCE" route del rt 10.0.3.0/24 >/dev/null || fail "prxctl route del"
ping_a 10.0.3.2 3
expect_match "after route del" "$TMP/ping.out" ' 0 received'
"$PRXCTL" -n "$INSTANCE" route add rt 10.0.3.0/24 via 10.0.2.2 port b >/dev/null ||
	fail "prxctl route add"
ping_a 10.0.3.2 3
expect_match "after route add" "$TMP/ping.out" ' 3 received, 0% packet loss'

prxd_stop TERM
expect_clean_exit
line=$(final prx-handler: name=fw)
[ "$(kv "$line" dropped)" -ge 1 ] || fail "the ACL dropped nothing: $line"
if [ "$MODE" = gso ]; then
	# the TCP run came through as super-frames: far more bytes per frame than an MTU
	line=$(final prx-port: name=a)
	avg=$(($(kv "$line" ibytes) / $(kv "$line" ipackets)))
	echo "router_e2e (gso): port a received $(kv "$line" ipackets) frames, $avg bytes each on average"
	[ "$avg" -gt 3000 ] || fail "no super-frames: $avg bytes per frame on port a"
	expect_eq "frames dropped for their virtio_net_hdr" "$(kv "$line" ierrors)" 0
fi
pass
