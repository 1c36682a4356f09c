#!/bin/bash
# Live changes while traffic flows.  Two paths from finite captures through two
# reactors: in1 -> out1 (untouched) and in2 -> out2 (changed).  While the captures
# play, 102 changes go in one pipelined burst on the control socket: in2's rx queue
# moved between the reactors and back, in2's chain replaced, a third port added and
# removed.  Then:
#  - on the untouched path exactly N1 frames come out, byte-identical and in order;
#  - on the changed path all N2 frames come out, each once, in order per tx queue
#    (a moved queue sends on its new reactor's tx queue, a capture file of its own);
#  - the counters balance, no drop, every change answered ok, and the untouched port
#    was still receiving when the 30th change had been applied (the changes really
#    overlapped the traffic).
#   bash live_changes.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

n1=1000000 n2=100000
"$PCAPTOOL" gen "$TMP/in1.pcap" $n1 --seed 31 --min 60 --max 60 --flow 100 >/dev/null
"$PCAPTOOL" gen "$TMP/in2.pcap" $n2 --seed 32 --min 60 --max 200 --flow 200 >/dev/null
"$PCAPTOOL" gen "$TMP/empty.pcap" 0 >/dev/null
new_instance
sock=$TMP/prx.ctl
cat >"$TMP/prx.cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1, 2]; engine = "poll"; };
control = { socket = "$sock"; metrics = ""; };
handlers = (
	{ name = "fwd1"; type = "xconnect"; to = "out1"; },
	{ name = "fwd2"; type = "xconnect"; to = "out2"; },
	{ name = "fwd2b"; type = "xconnect"; to = "out2"; }
);
ports = (
	{ name = "in1"; dpdk = "net_pcap0,rx_pcap=$TMP/in1.pcap,tx_pcap=$TMP/unused0.pcap,tx_pcap=$TMP/unused1.pcap"; chain = ["fwd1"]; },
	{ name = "in2"; dpdk = "net_pcap1,rx_pcap=$TMP/in2.pcap,tx_pcap=$TMP/unused2.pcap,tx_pcap=$TMP/unused3.pcap"; chain = ["fwd2"]; },
	{ name = "out1"; dpdk = "net_pcap2,rx_pcap=$TMP/empty.pcap,tx_pcap=$TMP/out1_0.pcap,tx_pcap=$TMP/out1_1.pcap"; },
	{ name = "out2"; dpdk = "net_pcap3,rx_pcap=$TMP/empty.pcap,tx_pcap=$TMP/out2_0.pcap,tx_pcap=$TMP/out2_1.pcap"; }
);
CFG
# (a net_pcap port has one tx queue per tx_pcap, and every port one per reactor)
# 102 changes: 17 rounds of (move in2/0 to reactor 0, chain fwd2b, add c, move back
# to reactor 1, chain fwd2, remove c), then the counters of that instant.
python3 - >"$TMP/requests" <<'PY'
import json
rounds = [
    {"cmd": "queue.move", "args": {"port": "in2", "queue": 0, "reactor": 0}},
    {"cmd": "chain.set", "args": {"port": "in2", "chain": ["fwd2b"]}},
    {"cmd": "port.add", "args": {"name": "c", "dpdk": "net_null9,no-rx=1", "chain": ["fwd2"]}},
    {"cmd": "queue.move", "args": {"port": "in2", "queue": 0, "reactor": 1}},
    {"cmd": "chain.set", "args": {"port": "in2", "chain": ["fwd2"]}},
    {"cmd": "port.del", "args": {"name": "c"}},
]
for i in range(17):
    for r in rounds:
        print(json.dumps(dict(r, id=i)))
    if i == 4:  # after 30 changes: is the untouched port still receiving?
        print(json.dumps({"cmd": "show.ports", "id": "checkpoint"}))
print(json.dumps({"cmd": "show.ports", "id": "after"}))
PY
# The client starts first and connects as soon as the socket appears.  Reactor 1
# shares cpu 0 with the control thread rather than cpu 1 with reactor 0: two polling
# reactors on one cpu only run in turns of the scheduler's time slice, and every change
# waits for each to pass a quiescent state (a deployment gives each its own core).
python3 "$SRCDIR/tests/integration/ctl.py" "$sock" 30 <"$TMP/requests" >"$TMP/replies" &
client=$!
prxd_start prxd 60 -c "$TMP/prx.cfg" -s 1 -- --lcores=0@0,1@1,2@0
wait "$client" || fail "control socket client failed"
wait_for "prx-total tx=$((n1 + n2))" 30 total_reached tx $((n1 + n2))
prxd_stop TERM
expect_clean_exit

python3 - "$TMP/replies" $n1 <<'PY' || fail "replies: $(head -c 2000 "$TMP/replies")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
check = [l for l in lines if l.get("id") == "checkpoint"][0]
changes = [l for l in lines[:-1] if l.get("id") != "checkpoint"]
after = lines[-1]
bad = [l for l in lines if not l["ok"]]
if len(changes) != 102 or bad:
    sys.exit(f"{len(changes)} change replies, failed: {bad[:3]}")
moves = [l["result"] for l in changes if "from" in l["result"]]
if any(m["from"] == m["to"] for m in moves) or len(moves) != 34:
    sys.exit(f"queue moves: {moves[:4]}")
live = sorted(l["result"]["live_us"] for l in changes)
in1 = [p for p in check["result"] if p["name"] == "in1"][0]
if in1["rx"] >= int(sys.argv[2]):
    sys.exit(f"in1 had received all {in1['rx']} frames before the 30th change: the changes did not overlap the traffic (raise n1)")
end = [p for p in after["result"] if p["name"] == "in1"][0]["rx"]
if any(p["name"] == "c" for p in after["result"]):
    sys.exit("port c is still there")
print(f"live_changes: 102 changes ok, in1 at {in1['rx']} frames after 30 of them and {end} after all, live_us median {live[len(live)//2]} max {live[-1]}")
PY

# the untouched path: exactly n1 frames, identical, all on reactor 0's tx queue
expect_eq "out1 queue 1 frames" "$(pcap_count "$TMP/out1_1.pcap")" 0
pcap_cmp "$TMP/in1.pcap" "$TMP/out1_0.pcap"
# the changed path: every frame once, in order within each tx queue's capture
python3 - "$TMP/out2_0.pcap" "$TMP/out2_1.pcap" $n2 <<'PY' || fail "out2 captures"
import struct, sys
def seqs(path):
    out, data = [], open(path, "rb").read()
    off = 24
    while off < len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        frame = data[off + 16: off + 16 + incl]
        off += 16 + incl
        tag = frame.find(b"PRXT")
        out.append(struct.unpack_from(">I", frame, tag + 4)[0])
    return out
a, b = seqs(sys.argv[1]), seqs(sys.argv[2])
n = int(sys.argv[3])
if a != sorted(a) or b != sorted(b):
    sys.exit("a capture is out of order")
if sorted(a + b) != list(range(n)):
    sys.exit(f"{len(a)} + {len(b)} frames, expected each of 0..{n - 1} once")
print(f"live_changes: out2 {len(a)} + {len(b)} frames, each once, in order")
PY
line=$(final prx-port: name=in1)
expect_final in1 "$line" rx $n1
line=$(final prx-port: name=out1)
expect_final out1 "$line" tx $n1
line=$(final prx-port: name=out2)
expect_final out2 "$line" tx $n2
expect_no_match "drops" "$PRXD_OUT" '^prx-drop: '
line=$(final prx-control:)
expect_final control "$line" changes 102
pass
