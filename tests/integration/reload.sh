#!/bin/bash
# Ten configuration reloads while a capture plays through in -> out, five of them
# invalid (a syntax error, an unknown handler, a setting that needs a restart, a
# running port's device settings, a device that does not exist), through the control
# socket and SIGHUP.  Each invalid one must be refused with FILE:LINE and change
# nothing (the ports and chains read back are the same as before it); each valid one
# must be live when its reply comes.  The capture must come out whole and identical.
#   bash reload.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

n=200000
"$PCAPTOOL" gen "$TMP/in.pcap" $n --seed 41 --min 60 --max 300 >/dev/null
"$PCAPTOOL" gen "$TMP/empty.pcap" 0 >/dev/null
new_instance
sock=$TMP/prx.ctl
cfg=$TMP/prx.cfg
CTL=(python3 "$SRCDIR/tests/integration/ctl.py" "$sock" 20)

# write_cfg CHAIN EXTRA_HANDLERS EXTRA_PORTS [REACTORS]: the configuration with in's
# chain, more handlers and more ports.
write_cfg() {
	cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [${4:-1}]; engine = "poll"; };
control = { socket = "$sock"; metrics = ""; };
handlers = (
	{ name = "fwd"; type = "xconnect"; to = "out"; },
	{ name = "fwd2"; type = "xconnect"; to = "out"; }$2
);
ports = (
	{ name = "in"; dpdk = "net_pcap0,rx_pcap=$TMP/in.pcap,tx_pcap=$TMP/unused.pcap"; chain = [$1]; },
	{ name = "out"; dpdk = "net_pcap1,rx_pcap=$TMP/empty.pcap,tx_pcap=$TMP/out.pcap"; }$3
);
CFG
}

# state: ports and chains as the control socket reports them, one line
state() {
	printf '%s\n' '{"cmd":"show.chains"}' | "${CTL[@]}" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())["result"]
print(" ".join(p["port"] + "=" + ",".join(p["chain"]) for p in r))'
}

# reload_ok EXPECTED_STATE: reload through the socket; must succeed and read back
reload_ok() {
	local reply
	reply=$(printf '%s\n' '{"cmd":"reload"}' | "${CTL[@]}") || fail "ctl.py"
	expect_match_str "reload reply" "$reply" '"ok": *true'
	expect_eq "state after reload" "$(state)" "$1"
}

# reload_bad LINE_PATTERN: reload through the socket; must fail naming FILE:LINE and
# leave the state as it was
reload_bad() {
	local before reply
	before=$(state)
	reply=$(printf '%s\n' '{"cmd":"reload"}' | "${CTL[@]}") || fail "ctl.py"
	expect_match_str "refused reload" "$reply" '"ok": *false'
	expect_match_str "refusal names the place" "$reply" "$(basename "$cfg"):$1"
	expect_eq "state after a refused reload" "$(state)" "$before"
}

expect_match_str() {
	printf '%s\n' "$2" | grep -q -- "$3" || fail "$1: \"$3\" not in: $2"
}

write_cfg '"fwd"' '' ''
prxd_start prxd 60 -c "$cfg" -s 1 -- --lcores=0@0,1@1
wait_for "control socket" 20 test -S "$sock"
expect_eq "initial state" "$(state)" "in=fwd out="

# 1 valid: a port and a handler added
write_cfg '"fwd"' ', { name = "toc"; type = "xconnect"; to = "c"; }' \
	', { name = "c"; dpdk = "net_null9,no-rx=1"; chain = ["toc"]; }'
reload_ok "in=fwd out= c=toc"
# 2 invalid: syntax error on line 9
write_cfg '"fwd"' '' ''
sed -i '9s/chain = /chain = = /' "$cfg"
reload_bad '9: '
# 3 valid: c and toc removed, in's chain replaced
write_cfg '"fwd2"' '' ''
reload_ok "in=fwd2 out="
# 4 invalid: unknown handler in a chain (line 9)
write_cfg '"nosuch"' '' ''
reload_bad '9: ports.\[0\].chain.\[0\]: unknown handler'
# 5 valid, by SIGHUP: chain back to fwd
write_cfg '"fwd"' '' ''
kill -HUP "$(prxd_real_pid)"
wait_for "SIGHUP reload" 10 grep -q "reloaded $cfg" "$PRXD_ERR"
expect_eq "state after SIGHUP" "$(state)" "in=fwd out="
# 6 invalid: reactors need a restart (line 2)
write_cfg '"fwd"' '' '' '1, 2'
reload_bad '2: reactors: changing it needs a restart'
# 7 invalid, by SIGHUP: a running port's device settings (line 9)
write_cfg '"fwd"' '' ''
sed -i '9s/chain = /rx_desc = 512; chain = /' "$cfg"
kill -HUP "$(prxd_real_pid)"
wait_for "SIGHUP refusal" 10 grep -q "ports.in.rx_desc: a running port" "$PRXD_ERR"
expect_match "SIGHUP refusal names the place" "$PRXD_ERR" "prx.cfg:9: ports.in.rx_desc"
expect_eq "state after a refused SIGHUP" "$(state)" "in=fwd out="
# 8 valid: a handler changed in place (fwd2 now swaps MACs; in does not use it)
write_cfg '"fwd"' '' ''
sed -i 's/{ name = "fwd2"; type = "xconnect"; to = "out"; }/{ name = "fwd2"; type = "xconnect"; to = "out"; mac = "swap"; }/' "$cfg"
reload_ok "in=fwd out="
# 9 invalid: a new port whose device does not exist (its group is on line 10)
write_cfg '"fwd"' '' ', { name = "z"; dpdk = "net_nosuch7"; }'
reload_bad '10: ports.z: '
# 10 valid: nothing changes
write_cfg '"fwd"' '' ''
sed -i 's/{ name = "fwd2"; type = "xconnect"; to = "out"; }/{ name = "fwd2"; type = "xconnect"; to = "out"; mac = "swap"; }/' "$cfg"
reply=$(printf '%s\n' '{"cmd":"reload"}' | "${CTL[@]}")
expect_match_str "no-change reload" "$reply" '"changes": *\[\]'

wait_for "prx-total tx=$n" 30 total_reached tx $n
prxd_stop TERM
expect_clean_exit
pcap_cmp "$TMP/in.pcap" "$TMP/out.pcap"
line=$(final prx-control:)
expect_final control "$line" reloads 5
expect_final control "$line" reload_failures 5
expect_no_match "drops" "$PRXD_OUT" '^prx-drop: '
pass
