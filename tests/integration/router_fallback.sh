#!/bin/bash
# The router end to end in fallback mode: host A (10.0.1.2, namespace A) and host B
# (10.0.2.2, and 10.0.3.2 behind it, namespace B) ping each other through prxd's router
# on veth pairs in namespace D.  The router answers A's ARP for its address, resolves B
# by ARP (holding the first packet), answers TTL=1 with ICMP time exceeded, and a route
# deleted live with prxctl stops traffic (ICMP net unreachable) until it is added back.
# Every port's counters match the kernel's counters of the veth at the other end, and
# the router's own counters add up exactly.
#   bash router_fallback.sh PRXD PCAPTOOL PKTIO PRXCTL
source "$(dirname "$0")/lib.sh" "$@"

[ $# -ge 4 ] && [ -x "$4" ] || fail "usage: bash $0 PRXD PCAPTOOL PKTIO PRXCTL"
PRXCTL=$(readlink -f "$4")

fallback_topology
ip -n "$NS_A" addr add 10.0.1.2/24 dev "$IF_A"
ip -n "$NS_A" route add default via 10.0.1.1
ip -n "$NS_B" addr add 10.0.2.2/24 dev "$IF_B"
ip -n "$NS_B" addr add 10.0.3.2/32 dev lo
ip -n "$NS_B" route add default via 10.0.2.1

new_instance
cat >"$TMP/prx.cfg" <<CFG
mode = "fallback";
instance = "$INSTANCE";
reactors = { cores = [1]; };
handlers = (
	{ name = "rt"; type = "router"; max_routes = 64; icmp_rate = 100;
	  routes = ( { prefix = "10.0.3.0/24"; via = "10.0.2.2"; port = "b"; } ); }
);
ports = (
	{ name = "a"; kernel = "$IF_DA"; address = "10.0.1.1/24"; chain = ["rt"]; },
	{ name = "b"; kernel = "$IF_DB"; address = "10.0.2.1/24"; chain = ["rt"]; }
);
CFG
prxd_start prxd 60 -c "$TMP/prx.cfg" -s 1
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"

ctl() {
	"$PRXCTL" -n "$INSTANCE" "$@"
}

# pings A->DST: COUNT echo requests; the output in $TMP/ping.out
pings() {
	ip netns exec "$NS_A" ping -n -c "$2" -i 0.05 -W 2 "$1" >"$TMP/ping.out" 2>&1 || true
}

# 20 pings across the router, none lost (the first waits for B's ARP resolution)
pings 10.0.2.2 20
expect_match "ping A -> B" "$TMP/ping.out" ' 20 received, 0% packet loss'

# TTL 1: time exceeded, from the router's address on A's side
ip netns exec "$NS_A" ping -n -c 1 -t 1 -W 2 10.0.2.2 >"$TMP/ping.out" 2>&1 || true
expect_match "TTL 1" "$TMP/ping.out" '^From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded'

# the configured route through B
pings 10.0.3.2 3
expect_match "ping A -> 10.0.3.2" "$TMP/ping.out" ' 3 received, 0% packet loss'

# deleted live: traffic stops, the router says so
ctl route del rt 10.0.3.0/24 >"$TMP/ctl.out" || fail "route del: $(cat "$TMP/ctl.out")"
expect_match "route del" "$TMP/ctl.out" '^route 10\.0\.3\.0/24: deleted from rt \(6 routes\) \(live in [0-9]+ us\)$'
pings 10.0.3.2 3
expect_match "after route del" "$TMP/ping.out" ' 0 received'
expect_match "after route del" "$TMP/ping.out" '^From 10\.0\.1\.1 icmp_seq=1 Destination Net Unreachable'
rc=0
ctl route del rt 10.0.3.0/24 >/dev/null 2>"$TMP/ctl.err" || rc=$?
expect_eq "route del again" "$rc" 1
expect_match "route del again" "$TMP/ctl.err" '^prxctl: ENOENT: no route 10\.0\.3\.0/24$'
ctl route del rt 10.0.3.0/24 --missing-ok >"$TMP/ctl.out"
expect_match "route del --missing-ok" "$TMP/ctl.out" 'not in rt, nothing changed'

# added back: traffic flows again
ctl route add rt 10.0.3.0/24 via 10.0.2.2 port b >"$TMP/ctl.out"
expect_match "route add" "$TMP/ctl.out" '^route 10\.0\.3\.0/24 via 10\.0\.2\.2 port b: added to rt \(7 routes\)'
pings 10.0.3.2 3
expect_match "after route add" "$TMP/ping.out" ' 3 received, 0% packet loss'

# the neighbours were learned by ARP through the slow path
ctl --json route show rt >"$TMP/show.json"
python3 - "$TMP/show.json" <<'PY' || fail "route show: $(cat "$TMP/show.json")"
import json, sys
r = json.load(open(sys.argv[1]))
n = {x["ip"]: x for x in r["neighbors"]}
c = r["counters"]
def want(what, got, exp):
    if got != exp:
        sys.exit("%s: %s, expected %s" % (what, got, exp))
want("neighbour 10.0.1.2", (n["10.0.1.2"]["state"], n["10.0.1.2"]["port"]), ("reachable", "a"))
want("neighbour 10.0.2.2", (n["10.0.2.2"]["state"], n["10.0.2.2"]["port"]), ("reachable", "b"))
want("routes", [(x["prefix"], x["origin"]) for x in r["routes"] if x["origin"] != "local"],
     [("10.0.1.0/24", "connected"), ("10.0.2.0/24", "connected"), ("10.0.3.0/24", "live")])
# 26 echo requests and 26 replies routed: fast path, or held once while B resolved
want("forwarded + held_sent", c["forwarded"] + c["held_sent"], 52)
want("held", (c["held"], c["held_sent"]), (1, 1))
want("time exceeded", (c["punt_ttl"], c["icmp_time_exceeded"]), (1, 1))
want("net unreachable", (c["punt_unreach"], c["icmp_net_unreach"]), (3, 3))
for k in ("held_overflow", "held_timeout", "held_dropped", "unresolved", "neigh_full",
          "icmp_rate_limited", "icmp_suppressed", "icmp_host_unreach", "local"):
    want(k, c[k], 0)
want("ARP replies sent", c["arp_replies"] >= 1, True)
want("ARP requests sent", c["arp_requests"] >= 1, True)
PY

# every port: what the peer veth sent prx received, what prx sent the peer received
# (compared until equal: a frame may still be on its way)
conserved() {
	ctl --json show ports >"$TMP/ports.json" || return 1
	ip -n "$NS_A" -s -j link show "$IF_A" >"$TMP/a.json"
	ip -n "$NS_B" -s -j link show "$IF_B" >"$TMP/b.json"
	python3 - "$TMP/ports.json" "$TMP/a.json" "$TMP/b.json" >"$TMP/conserved.out" <<'PY'
import json, sys
ports = {p["name"]: p for p in json.load(open(sys.argv[1]))}
ok = True
for name, f in (("a", sys.argv[2]), ("b", sys.argv[3])):
    k = json.load(open(f))[0]["stats64"]
    p = ports[name]
    line = "port %s: rx %d (peer sent %d), tx %d (peer got %d), tx_drop %d" % (
        name, p["rx"], k["tx"]["packets"], p["tx"], k["rx"]["packets"], p["tx_drop"])
    print(line)
    ok &= p["rx"] == k["tx"]["packets"] and p["tx"] == k["rx"]["packets"] and p["tx_drop"] == 0
sys.exit(0 if ok else 1)
PY
}
wait_for "counters conserved on every port" 5 conserved
sed "s/^/$TEST_NAME: /" "$TMP/conserved.out"

# reload: an unchanged router keeps its instance and the route added live; a changed
# one is made anew from the file (the configured route back), and still routes
ctl reload >"$TMP/ctl.out" || fail "reload: $(cat "$TMP/ctl.out")"
expect_match "reload unchanged" "$TMP/ctl.out" ': no changes'
ctl --json route show rt >"$TMP/show.json"
grep -q '"origin": "live"' "$TMP/show.json" || fail "reload unchanged: the live route is gone"
sed -i 's/icmp_rate = 100;/icmp_rate = 50;/' "$TMP/prx.cfg"
ctl reload >"$TMP/ctl.out" || fail "reload: $(cat "$TMP/ctl.out")"
expect_match "reload changed" "$TMP/ctl.out" 'handler rt changed'
ctl --json route show rt >"$TMP/show.json"
python3 -c 'import json, sys
r = [(x["prefix"], x["origin"]) for x in json.load(open(sys.argv[1]))["routes"]]
sys.exit(0 if ("10.0.3.0/24", "config") in r else 1)' "$TMP/show.json" ||
	fail "reload changed: 10.0.3.0/24 is not the configured route: $(cat "$TMP/show.json")"
pings 10.0.3.2 3
expect_match "after reload" "$TMP/ping.out" ' 3 received, 0% packet loss'

prxd_stop TERM
expect_clean_exit
expect_no_match "drop reasons" "$PRXD_OUT" '^prx-drop: '
line=$(final prx-total:)
total_rx=$(kv "$line" rx)
line=$(final prx-handler: name=rt)
expect_final "handler rt" "$line" in "$total_rx"
expect_final "handler rt" "$line" dropped 0
pass
