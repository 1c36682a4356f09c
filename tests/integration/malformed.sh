#!/bin/bash
# Malformed frames (tests/corpus/gen_malformed.py: runts, truncated headers, bad IHL and
# lengths, bad versions, 0-3 VLAN tags, options, fragments, MTU/MTU+1/jumbo, bad ARP,
# valid frames in between) replayed through net_pcap into each handler chain that parses.
# prxd's final prx-drop:/prx-port:/prx-handler: lines must equal the golden file
# tests/corpus/golden/<case>.txt; a difference fails with the diff.
#
#   bash malformed.sh PRXD PCAPTOOL
#   PRX_GOLDEN_UPDATE=1 bash malformed.sh PRXD PCAPTOOL   rewrite the golden files
#
# The pool's data room: net_pcap copies a frame longer than one mbuf's room into a chain
# of mbufs (eth_pcap_rx_jumbo); prx's parser reads the first segment only, so with the
# default room (2176 - 128 headroom = 2048 bytes) a 9000-byte datagram is judged
# bad_total_len.  The cases therefore run with data_room = 9344 (9216 + headroom: a
# jumbo frame in one segment), and one case keeps the default to pin that behaviour.
source "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3
GOLDEN=$SRCDIR/tests/corpus/golden
in=$TMP/malformed.pcap
empty=$TMP/empty.pcap

"$PY" -c 'import scapy' 2>/dev/null ||
	fail "$PY cannot import scapy: install python3-scapy (tools/deps.sh)"
"$PY" "$SRCDIR/tests/corpus/gen_malformed.py" "$in" >/dev/null ||
	fail "gen_malformed.py failed"
"$PCAPTOOL" gen "$empty" 0 >/dev/null
n=$(pcap_count "$in")

# run_case NAME CHAIN DATA_ROOM: replay the corpus into port "in" (address 10.0.0.1/24,
# the chain CHAIN), compare the final counters with $GOLDEN/NAME.txt.
run_case() {
	local name=$1 chain=$2 room=$3 cfg=$TMP/$1.cfg got=$TMP/$1.txt mempool=
	[ -z "$room" ] || mempool="mempool = { data_room = $room; };"
	new_instance
	cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
$mempool
handlers = (
	{ name = "resp"; type = "responder"; rate = 1000; burst = 100; },
	{ name = "fw"; type = "acl"; default = "allow"; },
	{ name = "fwd"; type = "xconnect"; to = "out"; }
);
ports = (
	{ name = "in"; dpdk = "net_pcap0,rx_pcap=$in,tx_pcap=$TMP/$name-in-tx.pcap";
	  promiscuous = false; address = "10.0.0.1/24"; chain = $chain; },
	{ name = "out"; dpdk = "net_pcap1,rx_pcap=$empty,tx_pcap=$TMP/$name-out.pcap";
	  promiscuous = false; chain = []; }
);
CFG
	prxd_start "$name" 30 -c "$cfg" -s 1
	wait_for "$name: prx-total rx=$n" 20 total_reached rx "$n"
	prxd_stop TERM
	expect_clean_exit
	grep -E '^prx-(port|handler|drop): ' "$PRXD_OUT" >"$got" || true
	if [ "${PRX_GOLDEN_UPDATE:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"
		cp "$got" "$GOLDEN/$name.txt"
		echo "$TEST_NAME: $name: golden file written"
		return
	fi
	[ -f "$GOLDEN/$name.txt" ] || fail "$name: no golden file $GOLDEN/$name.txt"
	if ! diff -u "$GOLDEN/$name.txt" "$got" >"$TMP/$name.diff"; then
		cat "$TMP/$name.diff" >&2
		fail "$name: final counters differ from $GOLDEN/$name.txt (diff above)"
	fi
	echo "$TEST_NAME: $name: $(grep -c '^prx-drop: ' "$got") drop reasons as expected"
}

run_case resp '["resp"]' 9344
run_case fw '["fw"]' 9344
run_case resp-fw-fwd '["resp", "fw", "fwd"]' 9344
# the default data room: jumbo frames arrive as mbuf chains (see the top)
run_case resp-fw-fwd-default-room '["resp", "fw", "fwd"]' ""
pass
