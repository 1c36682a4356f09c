#!/bin/bash
# Clean stop under endless traffic: two net_null ports cross-connected.  Once the
# periodic statistics show traffic, SIGTERM (then, in a second run, SIGINT) must stop
# prxd within 2 s with status 0 and a final block where nothing is lost or in flight:
# what a received went out of b and the other way round.
#   bash shutdown.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

max_stop_ms=2000

for sig in TERM INT; do
	new_instance
	cfg=$TMP/$sig.cfg
	cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
handlers = (
	{ name = "ab"; type = "xconnect"; to = "b"; },
	{ name = "ba"; type = "xconnect"; to = "a"; mac = "swap"; }
);
ports = (
	{ name = "a"; dpdk = "net_null0"; chain = ["ab"]; },
	{ name = "b"; dpdk = "net_null1"; chain = ["ba"]; }
);
CFG
	prxd_start "$sig" 30 -c "$cfg" -s 1
	wait_for "a statistics line with traffic" 15 total_reached rx 1
	prxd_stop "$sig"
	echo "$TEST_NAME: SIG$sig: prxd exited $PRXD_STOP_MS ms after the signal"
	[ "$PRXD_STOP_MS" -le "$max_stop_ms" ] ||
		fail "SIG$sig: prxd took $PRXD_STOP_MS ms to exit (limit $max_stop_ms ms)"
	expect_clean_exit
	expect_match "SIG$sig logged" "$PRXD_ERR" ': stopping$'

	a=$(final prx-port: name=a)
	b=$(final prx-port: name=b)
	[ "$(kv "$a" rx)" -gt 0 ] || fail "SIG$sig: port a received nothing: $a"
	expect_eq "SIG$sig: port b tx = port a rx" "$(kv "$b" tx)" "$(kv "$a" rx)"
	expect_eq "SIG$sig: port a tx = port b rx" "$(kv "$a" tx)" "$(kv "$b" rx)"
	expect_eq "SIG$sig: port a tx_drop" "$(kv "$a" tx_drop)" 0
	expect_eq "SIG$sig: port b tx_drop" "$(kv "$b" tx_drop)" 0
	r=$(final prx-reactor: id=0)
	expect_eq "SIG$sig: reactor 0 in_flight" "$(kv "$r" in_flight)" 0
	t=$(final prx-total:)
	expect_eq "SIG$sig: total dropped" "$(kv "$t" dropped)" 0
	expect_eq "SIG$sig: total rx = a rx + b rx" "$(kv "$t" rx)" $(($(kv "$a" rx) + $(kv "$b" rx)))
	expect_eq "SIG$sig: total tx = rx" "$(kv "$t" tx)" "$(kv "$t" rx)"
done
pass
