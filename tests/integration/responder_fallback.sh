#!/bin/bash
# The responder in fallback mode: a client namespace pings prx's own address through a
# veth; prx answers ARP and ICMP echo itself (the kernel beside it has no address).
#  - ping -c 20: 0 % loss, and the client's neighbour entry is prx's port MAC;
#  - a flood (ping -f) is answered at most at the configured rate, the rest counted as
#    rate_limited, and the accounting balances.
#   bash responder_fallback.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"
command -v ping >/dev/null || fail "ping missing (iputils-ping)"

ns_new NS_A
ns_new NS_D
IF_A=ra$$ IF_D=rd$$
veth_pair "$NS_A" "$IF_A" "$NS_D" "$IF_D"
ip -n "$NS_A" addr add 10.0.1.2/24 dev "$IF_A"
PRXD_NETNS=$NS_D
new_instance
cat >"$TMP/prx.cfg" <<CFG
mode = "fallback";
instance = "$INSTANCE";
reactors = { cores = [1]; };
control = { socket = "$TMP/prx.ctl"; metrics = ""; };
handlers = ( { name = "resp"; type = "responder"; rate = 50; burst = 20; } );
ports = ( { name = "a"; kernel = "$IF_D"; address = "10.0.1.1/24"; chain = ["resp"]; } );
CFG
prxd_start prxd 60 -c "$TMP/prx.cfg" -s 1
wait_for "prxd forwarding" 20 grep -q forwarding "$PRXD_ERR"

out=$(ip netns exec "$NS_A" ping -c 20 -i 0.05 -W 1 10.0.1.1 2>&1) || fail "ping: $out"
printf '%s\n' "$out" | grep -q " 0% packet loss" || fail "ping lost packets: $out"
mac=$(ip -n "$NS_D" -o link show "$IF_D" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$NS_A" neigh show 10.0.1.1 | grep -qi "lladdr $mac" ||
	fail "client's neighbour entry for 10.0.1.1: $(ip -n "$NS_A" neigh show 10.0.1.1), want $mac"

# 1000 echo requests 2 ms apart: at most 20 + 50/s answered
t0=$(now_ms)
ip netns exec "$NS_A" ping -f -c 1000 -i 0.002 -W 1 10.0.1.1 >"$TMP/flood.out" 2>&1 || true
secs=$((($(now_ms) - t0) / 1000 + 1))
got=$(grep -o '[0-9]* received' "$TMP/flood.out" | cut -d' ' -f1)
[ -n "$got" ] || fail "flood ping: $(cat "$TMP/flood.out")"
[ "$got" -le $((20 + 50 * secs + 10)) ] ||
	fail "$got answers in ${secs}s: more than the rate allows"
prxd_stop TERM
expect_clean_exit
line=$(final prx-drop: reason=rate_limited)
limited=$(kv "$line" count)
[ "$limited" -ge $((1000 - got - 50)) ] || fail "rate_limited $limited, answered $got of 1000"
echo "responder_fallback: ping 20/20, flood answered $got of 1000 in ${secs}s, rate_limited $limited"
pass
