#!/bin/bash
# prx's counters on DPDK's telemetry socket: 3 000 frames from a capture through an
# xconnect, then /prx/... read with dpdk-telemetry.py must give the exact counts while
# prxd still runs, and a bad parameter an error (null).
#   bash telemetry.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

command -v dpdk-telemetry.py >/dev/null || fail "dpdk-telemetry.py missing (package dpdk)"
n=3000
"$PCAPTOOL" gen "$TMP/in.pcap" $n --seed 21 --min 60 --max 1514 >/dev/null
"$PCAPTOOL" gen "$TMP/empty.pcap" 0 >/dev/null
new_instance
cat >"$TMP/prx.cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
handlers = ( { name = "fwd"; type = "xconnect"; to = "out"; } );
ports = (
	{ name = "in"; dpdk = "net_pcap0,rx_pcap=$TMP/in.pcap"; chain = ["fwd"]; },
	{ name = "out"; dpdk = "net_pcap1,rx_pcap=$TMP/empty.pcap,tx_pcap=$TMP/out.pcap"; }
);
CFG
prxd_start prxd 30 -c "$TMP/prx.cfg" -s 1
wait_for "prx-total tx=$n" 20 total_reached tx $n

printf '%s\n' /prx/ports /prx/port_stats,in /prx/port_stats,out /prx/reactors \
	/prx/reactor_stats,0 /prx/totals /prx/drops /prx/port_stats,nosuch |
	dpdk-telemetry.py -f "$INSTANCE" >"$TMP/tel.out" 2>&1 || fail "dpdk-telemetry.py: $(cat "$TMP/tel.out")"
python3 - "$TMP/tel.out" $n <<'PY' || fail "telemetry answers: $(cat "$TMP/tel.out")"
import json, sys
n = int(sys.argv[2])
got = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        obj = json.loads(line)
        (k, v), = obj.items()
        got.setdefault(k, []).append(v)
def check(what, cond):
    if not cond:
        print("telemetry: wrong " + what, file=sys.stderr)
        sys.exit(1)
check("ports", got["/prx/ports"] == [["in", "out"]])
pin, pout, bad = got["/prx/port_stats"]
check("port in", pin["rx"] == n and pin["ipackets"] == n and pin["tx"] == 0 and pin["driver"] == "dpdk")
check("port out", pout["tx"] == n and pout["opackets"] == n and pout["tx_drop"] == 0)
check("unknown port", bad is None)
check("reactors", got["/prx/reactors"] == [[0]])
r = got["/prx/reactor_stats"][0]
check("reactor", r["rx"] == n and r["tx"] == n and r["dropped"] == 0 and r["engine"] == "poll")
t = got["/prx/totals"][0]
check("totals", t["rx"] == n and t["tx"] == n and t["in_flight"] == 0 and t["balanced"] == "yes")
check("drops", all(v == 0 for v in got["/prx/drops"][0].values()))
print("telemetry: all answers exact")
PY
prxd_stop TERM
expect_clean_exit
pass
