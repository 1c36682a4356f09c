#!/bin/bash
# prxctl and the metrics endpoint against a running prxd (net_null traffic on two
# reactors): every show command in both renderings, every change with its idempotent
# form and its error exit, stats --watch rates, the socket's default path and mode,
# a Prometheus scrape parsed line by line, and the runtime files gone after the stop.
#   bash control_e2e.sh PRXD PCAPTOOL PRXCTL
source "$(dirname "$0")/lib.sh" "$@"
PRXCTL=$(readlink -f "$3")

new_instance
cat >"$TMP/prx.cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1, 2]; engine = "poll"; };
control = { metrics = "127.0.0.1:0"; };
handlers = (
	{ name = "fwd"; type = "xconnect"; to = "b"; },
	{ name = "fwd2"; type = "xconnect"; to = "b"; mac = "swap"; }
);
ports = (
	{ name = "a"; dpdk = "net_null0"; rx_queues = 2; chain = ["fwd"]; },
	{ name = "b"; dpdk = "net_null1"; }
);
CFG
sock=/run/prx/$INSTANCE/prx.ctl
prxd_start prxd 60 -c "$TMP/prx.cfg" -- --lcores=0@0,1@1,2@0
wait_for "control socket" 20 test -S "$sock"
wait_for "metrics endpoint" 10 grep -q "metrics on http" "$PRXD_ERR"
expect_eq "socket mode" "$(stat -c %a "$sock")" 660
expect_eq "pid file" "$(cat "/run/prx/$INSTANCE/prxd.pid")" "$(prxd_real_pid)"

# ctl ARGS...: prxctl on this instance; output in $OUT, status in $RC
ctl() {
	RC=0
	OUT=$(timeout 20 "$PRXCTL" -n "$INSTANCE" "$@" 2>&1) || RC=$?
}
ok() {
	ctl "$@"
	[ "$RC" = 0 ] || fail "prxctl $*: exit $RC: $OUT"
}
refused() { # EXIT CODE-TEXT ARGS...
	local want=$1 text=$2
	shift 2
	ctl "$@"
	[ "$RC" = "$want" ] || fail "prxctl $*: exit $RC, expected $want: $OUT"
	printf '%s\n' "$OUT" | grep -q -- "$text" || fail "prxctl $*: \"$text\" not in: $OUT"
}
jq_py() { # PYTHON-EXPR over the JSON in $OUT as `r`
	python3 -c "import json,sys; r=json.loads(sys.stdin.read()); sys.exit(0 if ($1) else 1)" \
		<<<"$OUT" || fail "prxctl --json: not ($1): $OUT"
}

ok list-commands
for c in show.ports show.queues show.reactors show.chains show.handlers show.stats \
	show.errors show.plan port.add port.del queue.move chain.set reload; do
	printf '%s\n' "$OUT" | grep -q "$c" || fail "list-commands lacks $c: $OUT"
done
ok show ports
printf '%s\n' "$OUT" | head -n 1 | grep -q "NAME" || fail "show ports header: $OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 3 ] || fail "show ports: header and 2 rows expected: $OUT"
for w in queues reactors chains handlers stats errors plan; do
	ok show $w
	[ -n "$OUT" ] || fail "show $w printed nothing"
	ok --json show $w
	python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$OUT" ||
		fail "show $w --json: $OUT"
done
ok --json show ports
jq_py '[p["name"] for p in r] == ["a", "b"] and r[0]["rx_queues"] == 2 and r[0]["chain"] == ["fwd"] and r[0]["rx"] > 0 and r[1]["tx"] > 0'
ok --json show reactors
jq_py 'len(r) == 2 and all(x["engine"] == "poll" and 0 <= x["busy_pct"] <= 100 for x in r)'

# port add / del, with their retry-safe forms
ok port add c dpdk=net_null5,no-rx=1 chain=fwd2
ok --json show chains
jq_py '{p["port"]: p["chain"] for p in r} == {"a": ["fwd"], "b": [], "c": ["fwd2"]}'
refused 1 EEXIST port add c dpdk=net_null5,no-rx=1
ok port add c dpdk=net_null5,no-rx=1 --exist-ok
refused 1 EBUSY port del b
ok port del c
refused 1 ENOENT port del c
ok port del c --missing-ok
refused 1 "" port add d dpdk=net_nosuch0
ok --json show ports
jq_py '[p["name"] for p in r] == ["a", "b"]'

# queue move and chain set
ok --json show queues
from=$(python3 -c 'import json,sys; print([q for q in json.load(sys.stdin) if q["port"]=="a" and q["queue"]==0][0]["reactor"])' <<<"$OUT")
to=$((1 - from))
ok queue move a 0 $to
printf '%s\n' "$OUT" | grep -q "reactor $from -> $to" || fail "queue move summary: $OUT"
ok --json show queues
jq_py '[q["reactor"] for q in r if q["port"] == "a" and q["queue"] == 0] == ['"$to"']'
refused 1 ERANGE queue move a 7 0
refused 1 ERANGE queue move a 0 9
refused 2 "" queue move a zero 1
ok chain set a fwd2 fwd
ok --json show chains
jq_py '[p["chain"] for p in r if p["port"] == "a"] == [["fwd2", "fwd"]]'
refused 1 ENOENT chain set a nosuch
ok chain set a fwd
ok reload
ok --json show chains
jq_py '[p["chain"] for p in r if p["port"] == "a"] == [["fwd"]]'

# rates
ok --json stats --watch -c 2 -i 0.2
python3 -c '
import json, sys
samples = [json.loads(l) for l in sys.stdin.read().splitlines() if l.strip()]
assert len(samples) == 2, samples
for s in samples:
    a = [p for p in s["ports"] if p["name"] == "a"][0]
    assert a["rx_pps"] > 0, s
' <<<"$OUT" || fail "stats --watch: $OUT"
RC=0
OUT=$(timeout 20 "$PRXCTL" -s "$TMP/nosuch.ctl" show ports 2>&1) || RC=$?
expect_eq "prxctl without a daemon" "$RC" 3
refused 2 "" show nonsense

# wrong requests straight on the socket: each an error object, the daemon carries on
python3 "$SRCDIR/tests/integration/ctl.py" "$sock" 10 >"$TMP/bad.out" <<'REQ' || fail "ctl.py"
{"cmd": "port.add", "args": {"name": "e", "dpdk": "net_null6", "rx_queues": "2"}}
{"cmd": "port.add", "args": {"name": "e", "dpdk": "net_null6", "chain": "fwd"}}
{"cmd": "port.add", "args": {"name": "e e", "dpdk": "net_null6"}}
{"cmd": "port.add", "args": {"name": "e", "dpdk": "net_null6", "rx_desc": 100}}
{"cmd": "port.add", "args": {"name": "e", "dpdk": "net_null6", "colour": "red"}}
{"cmd": "queue.move", "args": {"port": "a", "queue": -1, "reactor": 0}}
{"cmd": "chain.set", "args": {"port": "a"}}
{"cmd": "reload", "args": {"now": true}}
{"cmd": "show.nothing"}
{"cmd": "show.ports", "args": []}
{"cmd": "port.add", "args": {"name": "a", "dpdk": "net_null0"
["not", "an", "object"]
{"cmd": "show.chains"}
REQ
python3 - "$TMP/bad.out" <<'PY' || fail "bad requests: $(cat "$TMP/bad.out")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
codes = [x["error"]["code"] if not x["ok"] else "ok" for x in r]
want = ["EINVAL"] * 8 + ["ENOENT", "EINVAL", "EPROTO", "EINVAL", "ok"]
assert codes == want, codes
assert "rx_queues" in r[0]["error"]["message"] and "colour" in r[4]["error"]["message"], r
PY

# Prometheus text and OpenMetrics
port=$(grep -o 'metrics on http://[^ ]* (port [0-9]*)' "$PRXD_ERR" | grep -o '[0-9]*)$' | tr -d ')')
curl -sf "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt" || fail "curl /metrics"
python3 - "$TMP/metrics.txt" <<'PY' || fail "metrics: $(head -c 3000 "$TMP/metrics.txt")"
import re, sys
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$')
values, typed = {}, set()
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        typed.add(line.split()[2])
        continue
    if line.startswith("#") or not line:
        continue
    m = sample.match(line)
    assert m, f"not a sample line: {line!r}"
    values[line.rsplit(" ", 1)[0]] = float(m.group(4))
assert values['prx_port_rx_packets_total{port="a"}'] > 0
assert values['prx_port_tx_packets_total{port="b"}'] > 0
reasons = {k for k in values if k.startswith("prx_dropped_packets_total{")}
assert len(reasons) >= 6, reasons
assert any(t.startswith("prx_rxq_packets") for t in typed), typed
print(f"control_e2e: {len(values)} samples parsed")
PY
curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' \
	"http://127.0.0.1:$port/metrics" | tail -n 1 | grep -qx '# EOF' || fail "OpenMetrics: no # EOF"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")
expect_eq "unknown path" "$code" 404

prxd_stop TERM
expect_clean_exit
[ ! -e "/run/prx/$INSTANCE" ] || fail "/run/prx/$INSTANCE left behind: $(ls -la "/run/prx/$INSTANCE")"
pass
