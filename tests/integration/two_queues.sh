#!/bin/bash
# Two rx queues on two reactors.  Port "in" is a net_pcap with one finite capture per
# rx queue (3000 and 5000 frames of different flows); two reactors share cpu 1
# (--lcores=0@0,1@1,2@1).  Port "out" has one tx queue per reactor, each writing its own
# capture.  The plan decides which reactor polls which queue; reactor r sends on tx
# queue r, so capture OUT<r> must hold exactly the input of the queue reactor r owns.
#   bash two_queues.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

declare -A count=([0]=3000 [1]=5000)
cfg=$TMP/prx.cfg
lcores=--lcores=0@0,1@1,2@1

"$PCAPTOOL" gen "$TMP/in0.pcap" "${count[0]}" --seed 11 --flow 1000 >/dev/null
"$PCAPTOOL" gen "$TMP/in1.pcap" "${count[1]}" --seed 12 --flow 2000 >/dev/null
"$PCAPTOOL" gen "$TMP/empty.pcap" 0 >/dev/null
new_instance
# "in" first: the planner deals queue 0 of every port, then queue 1, to the least
# loaded reactor, and at equal load to the one holding fewer queues of the same port, so
# in/0 -> reactor 0, out/0 -> reactor 1, in/1 -> reactor 1 (asserted below from the plan).
cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1, 2]; };
handlers = (
	{ name = "fwd"; type = "xconnect"; to = "out"; }
);
ports = (
	{ name = "in"; rx_queues = 2; promiscuous = false; chain = ["fwd"];
	  dpdk = "net_pcap0,rx_pcap=$TMP/in0.pcap,rx_pcap=$TMP/in1.pcap"; },
	{ name = "out"; promiscuous = false; chain = [];
	  dpdk = "net_pcap1,rx_pcap=$TMP/empty.pcap,tx_pcap=$TMP/out0.pcap,tx_pcap=$TMP/out1.pcap"; }
);
CFG

prxd_start prxd 30 -c "$cfg" -s 1 -- "$lcores"
total=$((count[0] + count[1]))
wait_for "prx-total tx=$total" 20 total_reached tx "$total"
prxd_stop TERM
expect_clean_exit

# The user's --lcores replaced prx's -l; prx's --main-lcore (the control core) stays.
eal=$(grep '^prxd: EAL: ' "$PRXD_ERR" || true)
[[ " $eal " == *" $lcores "* ]] || fail "EAL line without $lcores: $eal"
[[ " $eal " != *" -l "* ]] || fail "EAL line still has prx's -l: $eal"
[[ " $eal " == *" --main-lcore 0 "* ]] || fail "EAL line without --main-lcore 0: $eal"
expect_match "reactor on lcore 2" "$PRXD_ERR" 'reactor 1 running on lcore 2 '

# Who owns which queue, from the plan on stderr.
declare -A owner
for q in 0 1; do
	line=$(grep -E "^plan: port in rxq $q -> reactor [0-9]+ " "$PRXD_ERR" || true)
	[ -n "$line" ] || fail "no plan line for port in rxq $q"
	owner[$q]=$(sed -E 's/.* -> reactor ([0-9]+) .*/\1/' <<<"$line")
done
[ "${owner[0]}" != "${owner[1]}" ] ||
	fail "both rx queues of port in are planned on reactor ${owner[0]}: one reactor idles"

line=$(final prx-port: name=in)
expect_final "port in" "$line" rx $total
expect_final "port in" "$line" ipackets $total
line=$(final prx-port: name=out)
expect_final "port out" "$line" tx $total
expect_final "port out" "$line" tx_drop 0
line=$(final prx-total:)
expect_final "total" "$line" rx $total
expect_final "total" "$line" tx $total
expect_final "total" "$line" dropped 0
expect_no_match "drop reasons" "$PRXD_OUT" '^prx-drop: '

for q in 0 1; do
	r=${owner[$q]}
	n=${count[$q]}
	line=$(final prx-rxq: port=in queue=$q)
	expect_final "port in rxq $q" "$line" reactor "$r"
	expect_final "port in rxq $q" "$line" rx "$n"
	line=$(final prx-txq: port=out queue="$r")
	expect_final "port out txq $r" "$line" tx "$n"
	expect_final "port out txq $r" "$line" dropped 0
	line=$(final prx-reactor: id="$r")
	expect_final "reactor $r" "$line" rx "$n"
	expect_final "reactor $r" "$line" tx "$n"
	expect_final "reactor $r" "$line" dropped 0
done

# Captures are complete once prxd has closed its ports.
for q in 0 1; do
	r=${owner[$q]}
	expect_eq "frames in out$r.pcap" "$(pcap_count "$TMP/out$r.pcap")" "${count[$q]}"
	pcap_cmp "$TMP/in$q.pcap" "$TMP/out$r.pcap"
done
pass
