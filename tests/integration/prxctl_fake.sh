#!/bin/bash
# prxctl against a fake prxd (fake_prxd.py, canned answers, every request logged):
# the exact request JSON of each command-line form, the human rendering (tables,
# summaries), --json, error replies, exit statuses 1/2/3, the -t timeout against a
# daemon that never answers, the reply size bound, and stats --watch rates.
# No DPDK, no root.
#   bash prxctl_fake.sh PRXCTL
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: bash $0 PRXCTL (executable)" >&2
	exit 2
fi
PRXCTL=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/prx-it-prxctl_fake.XXXXXX)
PIDS=() # the fake servers this test started

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: prxctl_fake: $*" >&2
	if [ -s "$TMP/out" ]; then
		echo "--- prxctl stdout:" >&2
		cat "$TMP/out" >&2
	fi
	if [ -s "$TMP/err" ]; then
		echo "--- prxctl stderr:" >&2
		cat "$TMP/err" >&2
	fi
	exit 1
}

# start_fake NAME [--hang]: a fake prxd on $TMP/NAME.sock, logs $TMP/NAME.{req,rep}.
start_fake() {
	timeout 60 python3 "$HERE/fake_prxd.py" "$TMP/$1.sock" "$TMP/$1.req" "$TMP/$1.rep" \
		"${@:2}" 2>"$TMP/$1.err" &
	PIDS+=($!)
	for _ in $(seq 50); do
		[ -S "$TMP/$1.sock" ] && return 0
		sleep 0.1
	done
	fail "fake prxd $1 did not come up: $(cat "$TMP/$1.err")"
}

start_fake prxd
start_fake hung --hang
SOCK=$TMP/prxd.sock
REQ=$TMP/prxd.req
REP=$TMP/prxd.rep

# prx ARGS...: prxctl -s $SOCK ARGS under a 10 s limit, the logs emptied first;
# stdout/stderr in $TMP/out and $TMP/err, exit status in $RC.
prx() {
	raw -s "$SOCK" "$@"
}
raw() {
	: >"$REQ"
	: >"$REP"
	RC=0
	timeout 10 "$PRXCTL" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
	# sanitizer builds: undefined behaviour is only reported, make it a failure
	! grep -q "runtime error:" "$TMP/err" || fail "prxctl $*: undefined behaviour"
}

expect_rc() {
	[ "$RC" = "$2" ] || fail "$1: exit status $RC, expected $2"
}

# expect_out WHAT TEXT: stdout is exactly TEXT (plus the final newline).
expect_out() {
	printf '%s\n' "$2" >"$TMP/want"
	diff -u "$TMP/want" "$TMP/out" >"$TMP/diff" || fail "$1: stdout differs: $(cat "$TMP/diff")"
}

expect_err() {
	printf '%s\n' "$2" >"$TMP/want"
	diff -u "$TMP/want" "$TMP/err" >"$TMP/diff" || fail "$1: stderr differs: $(cat "$TMP/diff")"
}

# expect_err_match WHAT REGEX: some line of stderr matches.
expect_err_match() {
	grep -Eq -- "$2" "$TMP/err" || fail "$1: no stderr line matches /$2/"
}

# expect_request WHAT JSON: prxctl sent exactly one request, equal to JSON including
# the types (2 is not 2.0 nor true: compared as canonical JSON text).
expect_request() {
	python3 - "$REQ" "$2" <<'PY' || fail "$1: sent $(cat "$REQ"), expected $2"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
canon = lambda v: json.dumps(v, sort_keys=True)
sys.exit(0 if len(lines) == 1 and canon(json.loads(lines[0])) == canon(json.loads(sys.argv[2])) else 1)
PY
}

expect_nothing_sent() {
	[ ! -s "$REQ" ] || fail "$1: a request was sent: $(cat "$REQ")"
}

# --- request per command-line form, and the one-line summary of each change ---
prx port add in2 dpdk=net_pcap9,rx_pcap=/tmp/x.pcap rx_queues=2 rx_desc=512 tx_desc=1024 \
	promiscuous=yes chain=count,fwd
expect_rc "port add" 0
expect_request "port add" '{"cmd": "port.add", "id": 1, "args": {"name": "in2",
	"dpdk": "net_pcap9,rx_pcap=/tmp/x.pcap", "rx_queues": 2, "rx_desc": 512, "tx_desc": 1024,
	"promiscuous": true, "chain": ["count", "fwd"]}}'
expect_out "port add" "port in2: added at slot 2, queue->reactor 0->0 1->1 (live in 41 us)"

prx port add in kernel=veth0 promiscuous=false chain= --exist-ok
expect_rc "port add --exist-ok" 0
expect_request "port add --exist-ok" '{"cmd": "port.add", "id": 1, "args": {"name": "in",
	"kernel": "veth0", "promiscuous": false, "chain": [], "exist_ok": true}}'
expect_out "port add --exist-ok" "port in: exists already at slot 0, nothing changed"

prx port del out
expect_rc "port del" 0
expect_request "port del" '{"cmd": "port.del", "id": 1, "args": {"name": "out"}}'
expect_out "port del" "port out: removed (live in 12 us)"

prx port del gone --missing-ok
expect_rc "port del --missing-ok" 0
expect_request "port del --missing-ok" \
	'{"cmd": "port.del", "id": 1, "args": {"name": "gone", "missing_ok": true}}'
expect_out "port del --missing-ok" "port gone: not there, nothing changed"

prx queue move in 0 1
expect_rc "queue move" 0
expect_request "queue move" \
	'{"cmd": "queue.move", "id": 1, "args": {"port": "in", "queue": 0, "reactor": 1}}'
expect_out "queue move" "queue in/0: reactor 0 -> 1 (live in 41 us)"

prx chain set in
expect_rc "chain set (empty)" 0
expect_request "chain set (empty)" '{"cmd": "chain.set", "id": 1, "args": {"port": "in", "chain": []}}'
expect_out "chain set (empty)" "chain of port in: empty, the port drops every packet (live in 5 us)"

prx chain set in count fwd
expect_rc "chain set" 0
expect_request "chain set" \
	'{"cmd": "chain.set", "id": 1, "args": {"port": "in", "chain": ["count", "fwd"]}}'
expect_out "chain set" "chain of port in: count -> fwd (live in 5 us)"

prx reload
expect_rc "reload" 0
expect_request "reload" '{"cmd": "reload", "id": 1}'
expect_out "reload" "reloaded /etc/prx/prx.cfg: 2 changes (live in 300 us)
  port out: chain fwd -> count,fwd
  handler count: added"

prx acl load fw /etc/prx/fw.rules
expect_rc "acl load" 0
expect_request "acl load" \
	'{"cmd": "acl.load", "id": 1, "args": {"handler": "fw", "file": "/etc/prx/fw.rules"}}'
expect_out "acl load" "acl fw: 2 rules from /etc/prx/fw.rules, built in 377 us (live in 41 us)"

# a relative FILE is sent absolute: prxd's working folder is not ours
(cd "$TMP" && prx acl load fw rules/fw.rules)
expect_rc "acl load (relative)" 0
expect_request "acl load (relative)" \
	"{\"cmd\": \"acl.load\", \"id\": 1, \"args\": {\"handler\": \"fw\", \"file\": \"$TMP/rules/fw.rules\"}}"

prx stats
expect_rc "stats" 0
expect_request "stats" '{"cmd": "show.stats", "id": 1}'

prx call port.del '{"name": "x", "missing_ok": true, "n": 2.5}'
expect_rc "call" 0
expect_request "call" \
	'{"cmd": "port.del", "id": 1, "args": {"name": "x", "missing_ok": true, "n": 2.5}}'

# --- routers: route and neigh forms, their summaries and tables ---
prx route add rt 10.0.4.0/24 via 10.0.2.2 port b
expect_rc "route add" 0
expect_request "route add" '{"cmd": "route.add", "id": 1, "args": {"handler": "rt",
	"prefix": "10.0.4.0/24", "via": "10.0.2.2", "port": "b"}}'
expect_out "route add" "route 10.0.4.0/24 via 10.0.2.2 port b: added to rt (8 routes) (live in 9 us)"

prx route add rt 10.0.3.0/24 port b --exist-ok
expect_rc "route add --exist-ok" 0
expect_request "route add --exist-ok" '{"cmd": "route.add", "id": 1, "args": {"handler": "rt",
	"prefix": "10.0.3.0/24", "port": "b", "exist_ok": true}}'
expect_out "route add --exist-ok" "route 10.0.3.0/24 port b: exists already in rt, nothing changed"

prx route add rt 10.0.3.0/24 port b
expect_rc "route add exists" 1
expect_err "route add exists" "prxctl: EEXIST: route 10.0.3.0/24 exists"

prx route del rt 10.0.3.0/24
expect_rc "route del" 0
expect_request "route del" \
	'{"cmd": "route.del", "id": 1, "args": {"handler": "rt", "prefix": "10.0.3.0/24"}}'
expect_out "route del" "route 10.0.3.0/24: deleted from rt (6 routes) (live in 8 us)"

prx route del rt 10.0.9.0/24 --missing-ok
expect_rc "route del --missing-ok" 0
expect_request "route del --missing-ok" '{"cmd": "route.del", "id": 1, "args": {"handler": "rt",
	"prefix": "10.0.9.0/24", "missing_ok": true}}'
expect_out "route del --missing-ok" "route 10.0.9.0/24: not in rt, nothing changed"

prx neigh add rt 10.0.2.7 02:00:00:00:02:07 port b
expect_rc "neigh add" 0
expect_request "neigh add" '{"cmd": "neigh.add", "id": 1, "args": {"handler": "rt",
	"ip": "10.0.2.7", "mac": "02:00:00:00:02:07", "port": "b"}}'
expect_out "neigh add" "neighbour 10.0.2.7 is 02:00:00:00:02:07 on port b in rt (static) (live in 3 us)"

prx neigh del rt 10.0.2.2
expect_rc "neigh del" 0
expect_request "neigh del" '{"cmd": "neigh.del", "id": 1, "args": {"handler": "rt", "ip": "10.0.2.2"}}'
expect_out "neigh del" "neighbour 10.0.2.2: forgotten by rt (live in 2 us)"

prx neigh del rt 10.0.2.3 --missing-ok
expect_rc "neigh del --missing-ok" 0
expect_out "neigh del --missing-ok" "neighbour 10.0.2.3: not in rt, nothing changed"

prx neigh show rt
expect_rc "neigh show" 0
expect_request "neigh show" '{"cmd": "neigh.show", "id": 1, "args": {"handler": "rt"}}'
expect_out "neigh show" \
"IP        MAC                STATE       HELD  ROUTES  PORT
10.0.2.2  02:00:00:00:02:02  reachable      0       1  b
10.0.2.9  -                  incomplete     3       0  b"

prx route show rt --limit 1
expect_rc "route show" 0
expect_request "route show" '{"cmd": "route.show", "id": 1, "args": {"handler": "rt", "limit": 1}}'
expect_out "route show" "handler: rt
n_routes: 2
truncated: yes
routes:
  PREFIX       VIA  PORT  ORIGIN
  10.0.2.0/24  -    b     connected
neighbors:
  IP        MAC                STATE       HELD  ROUTES  PORT
  10.0.2.2  02:00:00:00:02:02  reachable      0       1  b
  10.0.2.9  -                  incomplete     3       0  b
counters:
  forwarded: 20
  icmp_time_exceeded: 1"

prx route show nosuch
expect_rc "route show unknown handler" 1
expect_err "route show unknown handler" 'prxctl: ENOENT: no handler "nosuch"'

# --- generic rendering ---
prx show ports
expect_rc "show ports" 0
expect_request "show ports" '{"cmd": "show.ports", "id": 1}'
expect_out "show ports" \
"NAME  SLOT  DRIVER  DEVICE     LINK  SPEED_MBPS  RX_QUEUES  CHAIN           RX  TX_DROP  MAC
in       0  dpdk    net_pcap0  yes        10000          2  count,fwd  1234567        0  -
out      1  kernel  veth0      no             -          1  -                0       12  02:00:00:00:00:01"

prx show stats
expect_rc "show stats" 0
expect_request "show stats" '{"cmd": "show.stats", "id": 1}'
expect_out "show stats" "totals:
  rx: 1000
  originated: 0
  tx: 900
  dropped: 100
  punted: 0
  in_flight: 0
  balanced: yes
ports:
  NAME    RX   TX  TX_DROP  IMISSED  IERRORS
  in    1000    0        0        0        0
  out      0  900        0        0        0
reactors:
  ID    RX   TX  DROPPED  BUSY_PCT
   0  1000  900      100      12.5
drops:
  no_route: 60
  ttl_exceeded: 40"

prx acl show fw
expect_rc "acl show" 0
expect_request "acl show" '{"cmd": "acl.show", "id": 1, "args": {"handler": "fw"}}'
expect_out "acl show" "handler: fw
default: deny
non_ipv4: pass
rules_file: /etc/prx/fw.rules
default_hits: 7
rules:
  RULE  ACTION  PROTO  SRC          DST          SPORT       DPORT     HITS  WHERE
     1  deny    tcp    any          10.0.2.0/24  any         5201        12  fw.rules:3
     2  allow   udp    10.0.1.0/24  any          1024-65535  53     3456789  fw.rules:4"

prx show errors
expect_rc "show errors" 0
expect_out "show errors" "drops:
  REASON    COUNT  DESCRIPTION
  no_route     60  no route to the destination
ports: (none)"

prx list-commands
expect_rc "list-commands" 0
expect_request "list-commands" '{"cmd": "list-commands", "id": 1}'
expect_out "list-commands" "CMD            ARGS                    HELP
list-commands                          this list
queue.move     {port, queue, reactor}  move an rx queue"

# --- --json: the reply's result, nothing else (no summary either) ---
# compare_json WHAT: stdout parses and equals the logged reply's "result".
compare_json() {
	python3 - "$TMP/out" "$REP" <<'PY' || fail "$1: --json output is not the reply's result"
import json, sys
got = json.load(open(sys.argv[1]))
reply = json.loads(open(sys.argv[2]).read().splitlines()[0])
canon = lambda v: json.dumps(v, sort_keys=True)
sys.exit(0 if canon(got) == canon(reply["result"]) else 1)
PY
}
for cmd in "show ports" "show stats" "queue move in 3 0"; do
	# shellcheck disable=SC2086 # the words of the command
	prx --json $cmd
	expect_rc "--json $cmd" 0
	compare_json "--json $cmd"
done
prx --json show ports
grep -q '^    "name": "in",$' "$TMP/out" || fail "--json: not indented by 2"

# --- error replies: exit 1, "prxctl: CODE: message" on stderr as it is ---
prx port del nosuch
expect_rc "error reply" 1
expect_err "error reply" 'prxctl: ENOENT: no port "nosuch"'
[ ! -s "$TMP/out" ] || fail "error reply: something on stdout"

prx call reload '{"fail": true}'
expect_rc "multi-line error" 1
expect_err "multi-line error" 'prxctl: EINVAL: /etc/prx/prx.cfg:3: ports.[0].rx_queues: must be 1..64
/etc/prx/prx.cfg:7: handlers.[1].type: unknown type "nope"'

prx acl load fw /etc/prx/bad.rules
expect_rc "acl load refused" 1
expect_err "acl load refused" 'prxctl: EINVAL: /etc/prx/bad.rules:2: "drop" is not an action (allow or deny)
/etc/prx/bad.rules:5: ports need proto tcp or udp'

prx call test.nullid
expect_rc "error with id null" 1
expect_err "error with id null" 'prxctl: EMSGSIZE: request too long'

# --- bad replies: exit 3 ---
prx call test.badid
expect_rc "reply with another id" 3
expect_err_match "reply with another id" "^prxctl: $SOCK: bad reply: id 1001, expected 1"

prx call test.huge
expect_rc "reply over 64 MiB" 3
expect_err_match "reply over 64 MiB" "^prxctl: $SOCK: bad reply: longer than 64 MiB"

# --- bad command lines: exit 2 naming the problem, nothing sent ---
# usage WHAT REGEX ARGS...
usage() {
	local what=$1 re=$2
	shift 2
	prx "$@"
	expect_rc "$what" 2
	expect_err_match "$what" "$re"
	expect_err_match "$what" "^usage: prxctl "
	expect_nothing_sent "$what"
}
usage "unknown command" "^prxctl: unknown command 'frobnicate'$" frobnicate
usage "unknown subcommand" "^prxctl: port: unknown subcommand 'rename'$" port rename a b
usage "unknown key" "^prxctl: port add: unknown key 'colour'" port add x dpdk=a colour=red
usage "integer key" "^prxctl: port add: rx_queues: 'two'" port add x dpdk=a rx_queues=two
usage "bool key" "^prxctl: port add: promiscuous: 'maybe'" port add x dpdk=a promiscuous=maybe
usage "no device" "dpdk=DEVARGS or kernel=IFNAME needed" port add x rx_queues=1
usage "two devices" "exclude each other" port add x dpdk=a kernel=b
usage "empty chain name" "empty handler name" port add x dpdk=a chain=a,,b
usage "queue not a number" "QUEUE 'zero'" queue move in zero 1
usage "negative reactor" "REACTOR '-1'" queue move in 0 -1
usage "show what" "^prxctl: show: unknown 'everything'" show everything
usage "call args not an object" "must be an object" call port.del '[1]'
usage "call args not JSON" "^prxctl: call: JSON-ARGS: " call port.del '{name}'
usage "-c without --watch" "go with --watch" stats -c 2
usage "option after the command" "unexpected argument '--json'" show ports --json
usage "acl load without FILE" "^prxctl: acl load: HANDLER FILE expected, 1 argument given$" \
	acl load fw
usage "acl show without HANDLER" "^prxctl: acl show: HANDLER expected$" acl show
usage "acl without subcommand" "^prxctl: acl: subcommand missing$" acl
usage "no command" "^prxctl: no command$"
usage "route add no port" "HANDLER PREFIX \[via GATEWAY\] port PORT expected" route add rt 10.0.4.0/24 b
usage "route add bad prefix" "PREFIX '10.0.4/24' is not like" route add rt 10.0.4/24 port b
usage "route add bad gateway" "GATEWAY 'gw' is not an IPv4" route add rt 10.0.4.0/24 via gw port b
usage "route add option" "unknown option '--force'" route add rt 10.0.4.0/24 port b --force
usage "route del words" "route del: HANDLER PREFIX expected" route del rt
usage "route show limit" "--limit: 'many'" route show rt --limit many
usage "route show handler" "route show: HANDLER missing" route show
usage "neigh add mac" "MAC '02:00' is not like" neigh add rt 10.0.2.7 02:00 port b
usage "neigh add words" "neigh add: HANDLER IP MAC port PORT expected" neigh add rt 10.0.2.7
usage "neigh del ip" "IP 'x' is not an IPv4" neigh del rt x
usage "route subcommand" "^prxctl: route: unknown subcommand 'flush'$" route flush rt

raw --version
expect_rc "--version" 0
expect_out "--version" "prxctl 0.1.0"
raw --help
expect_rc "--help" 0
grep -q "^  port add NAME dpdk=DEVARGS" "$TMP/out" || fail "--help: no port add synopsis"

# --- cannot connect, timeout: exit 3 with the socket path and errno ---
raw -s "$TMP/nobody.sock" show ports
expect_rc "no server" 3
expect_err_match "no server" \
	"^prxctl: cannot connect to $TMP/nobody.sock: No such file or directory \(ENOENT\); is prxd running\?"

python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/stale.sock"
raw -s "$TMP/stale.sock" show ports
expect_rc "stale socket" 3
expect_err_match "stale socket" "^prxctl: cannot connect to $TMP/stale.sock: .*\(ECONNREFUSED\)"

inst=prxctl-fake-absent-$$
PRX_CTL_SOCKET=$SOCK raw -n "$inst" show ports
expect_rc "-n beats \$PRX_CTL_SOCKET" 3
expect_err_match "-n beats \$PRX_CTL_SOCKET" "cannot connect to /run/prx/$inst/prx.ctl: .*\(instance $inst\)"
PRX_CTL_SOCKET=$SOCK raw show ports
expect_rc "\$PRX_CTL_SOCKET" 0
expect_request "\$PRX_CTL_SOCKET" '{"cmd": "show.ports", "id": 1}'

t0=$(date +%s%N)
raw -s "$TMP/hung.sock" -t 1 show ports
ms=$((($(date +%s%N) - t0) / 1000000))
expect_rc "no reply" 3
expect_err_match "no reply" "^prxctl: $TMP/hung.sock: no reply within 1 s \(ETIMEDOUT\)"
if [ "$ms" -lt 900 ] || [ "$ms" -ge 2500 ]; then
	fail "no reply: gave up after $ms ms, expected about 1000"
fi
grep -q '"show.ports"' "$TMP/hung.req" || fail "no reply: the hung server got no request"

# --- stats --watch: the fake adds 1000 rx (in), 900 tx (out), 100 dropped per request
# on a connection: rate * interval must give those back exactly ---
prx --json stats --watch -c 2 -i 0.2
expect_rc "watch --json" 0
python3 - "$TMP/out" "$REQ" <<'PY' || fail "watch --json: wrong samples"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
reqs = [json.loads(l) for l in open(sys.argv[2]).read().splitlines()]
def check(what, cond):
    if not cond:
        print("watch --json: " + what, file=sys.stderr)
        sys.exit(1)
check("%d lines, expected 2" % len(lines), len(lines) == 2)
# one connection: the baseline and two samples, ids 1 2 3
check("requests %s" % reqs, [(r["cmd"], r["id"]) for r in reqs] ==
      [("show.stats", 1), ("show.stats", 2), ("show.stats", 3)])
prev = 0.0
for line in lines:
    s = json.loads(line)
    dt = s["t"] - prev
    prev = s["t"]
    check("interval %.3f s" % dt, 0.15 <= dt <= 3)
    ports = {p["name"]: p for p in s["ports"]}
    near = lambda rate, n: rate is not None and abs(rate * dt - n) <= n * 1e-4
    check("in rx_pps %s" % ports["in"]["rx_pps"], near(ports["in"]["rx_pps"], 1000))
    check("in tx_pps %s" % ports["in"]["tx_pps"], ports["in"]["tx_pps"] == 0)
    check("out tx_pps %s" % ports["out"]["tx_pps"], near(ports["out"]["tx_pps"], 900))
    check("total rx_pps", near(s["rx_pps"], 1000) and near(s["tx_pps"], 900))
    check("dropped_pps %s" % s["dropped_pps"], near(s["dropped_pps"], 100))
PY

prx stats --watch -c 2 -i 0.2
expect_rc "watch" 0
n=$(grep -Ec '^[0-9]{2}:[0-9]{2}:[0-9]{2}  total rx [0-9]+ pps  tx [0-9]+ pps  dropped [0-9]+/s$' "$TMP/out" || true)
[ "$n" = 2 ] || fail "watch: $n sample lines, expected 2"
[ "$(grep -c '^  PORT  RX_PPS  TX_PPS$' "$TMP/out")" = 2 ] || fail "watch: no port table per sample"
# rx/s is 10 x dropped/s and about 1000/0.2 (whole numbers: +-1 of rounding each)
awk '/ total rx / { rx = $4; dr = $10; sub("/s", "", dr)
	if (rx < 300 || rx > 6700 || rx - 10 * dr > 10 || 10 * dr - rx > 10) bad = 1; n++ }
     /^  in / { if ($3 != 0 || $2 < 300) bad = 1 }
     END { exit bad || n != 2 }' "$TMP/out" || fail "watch: wrong rates"

echo "prxctl_fake: all cases passed"
