#!/bin/bash
# The acl handler on real TCP in fallback mode: hosts in namespaces A (198.18.0.1) and
# B (198.18.0.2) talk only through prxd, whose input port runs the chain ["fw", "fwd"]
# (fw an acl, fwd a cross-connect; "back" returns B's answers).  A rule denying TCP
# port 5201 makes `nc` to that port fail while port 5202 works; `prxctl acl load`
# flips it live; a rule file with errors changes nothing; the control socket answers
# while a load is held (its rule file is a FIFO nobody writes yet); hit counters, the
# acl_deny drop reason and the accounting are checked at the end.
#   bash acl_fallback.sh PRXD PCAPTOOL PKTIO PRXCTL
source "$(dirname "$0")/lib.sh" "$@"

[ $# -ge 4 ] && [ -x "$4" ] || fail "usage: bash $0 PRXD PCAPTOOL PKTIO PRXCTL"
PRXCTL=$(readlink -f "$4")
command -v nc >/dev/null || fail "nc is not installed (tools/deps.sh installs netcat-openbsd)"

fallback_topology
ip -n "$NS_A" addr add 198.18.0.1/24 dev "$IF_A"
ip -n "$NS_B" addr add 198.18.0.2/24 dev "$IF_B"
new_instance
cat >"$TMP/prx.cfg" <<CFG
mode = "fallback";
instance = "$INSTANCE";
reactors = { cores = [1]; };
handlers = (
	{ name = "fw"; type = "acl"; default = "allow";
	  rules = ( { action = "deny"; proto = "tcp"; dst = "198.18.0.2"; dst_port = "5201"; } ); },
	{ name = "fwd"; type = "xconnect"; to = "out"; },
	{ name = "back"; type = "xconnect"; to = "in"; }
);
ports = (
	{ name = "in"; kernel = "$IF_DA"; chain = ["fw", "fwd"]; },
	{ name = "out"; kernel = "$IF_DB"; chain = ["back"]; }
);
CFG
prxd_start prxd 80 -c "$TMP/prx.cfg"
wait_for "prxd forwarding" 10 grep -q 'forwarding' "$PRXD_ERR"
SOCK=/run/prx/$INSTANCE/prx.ctl

# ctl ARGS...: prxctl on this instance; stdout+stderr in $OUT, status in $RC
ctl() {
	RC=0
	OUT=$(timeout 20 "$PRXCTL" -s "$SOCK" "$@" 2>&1) || RC=$?
}
ok() {
	ctl "$@"
	[ "$RC" = 0 ] || fail "prxctl $*: exit $RC: $OUT"
}

# two TCP servers on B, each accepting any number of connections
for port in 5201 5202; do
	ip netns exec "$NS_B" timeout 75 nc -k -l 198.18.0.2 "$port" >/dev/null 2>&1 &
	PIDS+=($!)
done
listening() {
	local ss
	ss=$(ip netns exec "$NS_B" ss -ltn)
	grep -q ':5201 ' <<<"$ss" && grep -q ':5202 ' <<<"$ss"
}
wait_for "nc servers" 5 listening

# connect PORT SECONDS: a TCP connection from A to B:PORT within SECONDS (then closed)
connect() {
	ip netns exec "$NS_A" timeout 10 nc -z -w "$2" 198.18.0.2 "$1"
}
# a connection that passes is made in milliseconds; one denied waits out its timeout
expect_open() {
	connect "$1" 5 || fail "$2: TCP to port $1 failed, it should pass"
}
expect_blocked() {
	! connect "$1" 1 || fail "$2: TCP to port $1 went through, the acl should deny it"
}
# hits RULE: hits of rule RULE (1-based; 0: the default) from acl show --json
hits() {
	ok --json acl show fw
	python3 -c 'import json, sys
r = json.loads(sys.argv[1]); n = int(sys.argv[2])
print(r["default_hits"] if n == 0 else r["rules"][n - 1]["hits"])' "$OUT" "$1"
}

# --- the configured rule: 5201 denied, 5202 passes ---
expect_open 5202 "config rules"
expect_blocked 5201 "config rules"
h=$(hits 1)
[ "$h" -ge 1 ] || fail "config rules: the deny rule has $h hits"
[ "$(hits 0)" -ge 3 ] || fail "config rules: the default (allow) counted no hits"
ok acl show fw
grep -Eq '^ +1 +deny +tcp +any +198\.18\.0\.2 +any +5201 +[0-9]+ +prx\.cfg:6$' <<<"$OUT" ||
	fail "acl show: no row for the configured rule: $OUT"

# --- flip it live: a rule file denying 5202 instead (given relative: sent absolute) ---
mkdir "$TMP/rules"
cat >"$TMP/rules/flip.rules" <<'RULES'
# port 5202 closed, the rest open
deny proto tcp dst 198.18.0.2 dport 5202
allow proto tcp
RULES
cd "$TMP/rules"
ok acl load fw flip.rules
cd - >/dev/null
grep -Eq "^acl fw: 2 rules from $TMP/rules/flip.rules, built in [0-9]+ us \(live in [0-9]+ us\)$" \
	<<<"$OUT" || fail "acl load: unexpected summary: $OUT"
expect_open 5201 "after acl load"
expect_blocked 5202 "after acl load"
[ "$(hits 1)" -ge 1 ] || fail "after acl load: the new deny rule counted no hit"

# --- a file with errors: every one reported as FILE:LINE, nothing changes ---
printf 'allow proto tcp\ndrop proto tcp dport 5202\ndeny dport 5201\n' >"$TMP/rules/bad.rules"
ctl acl load fw "$TMP/rules/bad.rules"
expect_eq "bad file: exit status" "$RC" 1
expect_eq "bad file: message" "$OUT" "prxctl: EINVAL: $TMP/rules/bad.rules:2: \"drop\" is not an action (allow or deny)
$TMP/rules/bad.rules:3: ports need proto tcp or udp"
ctl acl load fw "$TMP/rules/none.rules"
expect_eq "missing file: message" "$OUT" "prxctl: ENOENT: $TMP/rules/none.rules: No such file or directory"
expect_open 5201 "after the refused loads"
expect_blocked 5202 "after the refused loads"

# --- a load in progress leaves the socket answering; a second one waits its turn ---
# The rule file is a FIFO: prxd's worker blocks reading it until the writer (started
# first, holding the write end from the moment the worker opens the read end) is told
# to write.
mkfifo "$TMP/rules/held.rules"
python3 - "$TMP/rules/held.rules" "$TMP/held.ready" "$TMP/held.go" <<'PY' &
import os, sys, time
fifo, ready, go = sys.argv[1:4]
end = time.time() + 20
while True:
    try:  # succeeds once a reader has the FIFO open (or is opening it)
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError:
        if time.time() > end:
            sys.exit(1)
        time.sleep(0.01)
open(ready, "w").close()
while not os.path.exists(go) and time.time() < end:
    time.sleep(0.01)
os.write(fd, b"deny proto tcp dport 5201-5202\n")
os.close(fd)
PY
PIDS+=($!)
timeout 30 "$PRXCTL" -s "$SOCK" -t 25 acl load fw "$TMP/rules/held.rules" >"$TMP/held.out" 2>&1 &
held=$!
PIDS+=("$held")
wait_for "prxd's worker to open the held rule file" 10 test -e "$TMP/held.ready"
t0=$(now_ms)
ok -t 2 show ports
ok -t 2 acl show fw
[ $(($(now_ms) - t0)) -lt 2000 ] || fail "the socket answered slowly during a load"
ctl acl load fw "$TMP/rules/flip.rules"
expect_eq "second load: status" "$RC" 1
expect_eq "second load: message" "$OUT" \
	"prxctl: EBUSY: rules of handler fw are being loaded ($TMP/rules/held.rules)"
kill -0 "$held" 2>/dev/null || fail "the held load finished before its file was written"
touch "$TMP/held.go"
wait "$held" || fail "held load: $(cat "$TMP/held.out")"
grep -q "^acl fw: 1 rule from $TMP/rules/held.rules" "$TMP/held.out" ||
	fail "held load: $(cat "$TMP/held.out")"
expect_blocked 5201 "after the held load"
expect_blocked 5202 "after the held load"

prxd_stop TERM
expect_clean_exit
line=$(final prx-drop: reason=acl_deny)
[ "$(kv "$line" count)" -ge 3 ] || fail "acl_deny drops: $line"
line=$(final prx-handler: name=fw)
[ "$(kv "$line" dropped)" -ge 3 ] || fail "handler fw: $line"
for p in in out; do
	line=$(final prx-port: name=$p)
	expect_final "port $p ierrors" "$line" ierrors 0
	expect_final "port $p tx_drop" "$line" tx_drop 0
done
pass
