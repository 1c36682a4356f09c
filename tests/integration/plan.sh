#!/bin/bash
# prxd --plan prints the queue placement on stdout and exits 0 without forwarding.
# Two net_null ports of two rx queues each, two reactors on lcores 1 and 2 (both on
# cpu 1).  The planner deals queue 0 of a, queue 0 of b, queue 1 of a, queue 1 of b,
# each to the least loaded reactor, at equal load to the one holding fewer queues of the
# same port, then the lowest index: a -> 0, b -> 1, a -> 1, b -> 0.
#   bash plan.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

new_instance
cfg=$TMP/prx.cfg
cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1, 2]; };
handlers = (
	{ name = "ab"; type = "xconnect"; to = "b"; },
	{ name = "ba"; type = "xconnect"; to = "a"; }
);
ports = (
	{ name = "a"; dpdk = "net_null0"; rx_queues = 2; chain = ["ab"]; },
	{ name = "b"; dpdk = "net_null1"; rx_queues = 2; chain = ["ba"]; }
);
CFG
cat >"$TMP/expected" <<'OUT'
plan: port a rxq 0 -> reactor 0 (lcore 1, socket 0)
plan: port a rxq 1 -> reactor 1 (lcore 2, socket 0)
plan: port b rxq 0 -> reactor 1 (lcore 2, socket 0)
plan: port b rxq 1 -> reactor 0 (lcore 1, socket 0)
plan: reactor 0 (lcore 1, socket 0) owns 2 rx queue(s), one tx queue on each port
plan: reactor 1 (lcore 2, socket 0) owns 2 rx queue(s), one tx queue on each port
OUT

prxd_run plan 20 -c "$cfg" --plan -s 1 -- --lcores=0@0,1@1,2@1
expect_eq "prxd --plan: exit status" "$PRXD_RC" 0
diff -u "$TMP/expected" "$PRXD_OUT" >"$TMP/diff" ||
	fail "prxd --plan stdout is not the expected plan:
$(cat "$TMP/diff")"
expect_no_match "plan printed twice" "$PRXD_ERR" '^plan: '
expect_no_match "--plan forwards" "$PRXD_ERR" 'forwarding|reactor [0-9]+ running'
cat "$PRXD_OUT"
pass
