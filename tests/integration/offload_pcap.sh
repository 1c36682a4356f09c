#!/bin/bash
# 4000 frames of 16 flows from a pcap file through an xconnect marked offload (with
# work_cycles, so that the two workers really take turns) into another pcap file: exact
# counters, balanced accounting, and every flow's frames in their order (the workers may
# interleave flows differently from the input, so the files are not compared whole).
#   bash offload_pcap.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

n=4000 in=$TMP/in.pcap empty=$TMP/empty.pcap out=$TMP/out.pcap cfg=$TMP/prx.cfg
"$PCAPTOOL" gen "$in" "$n" --seed 11 --min 60 --max 1514 --flow 4000 >/dev/null
"$PCAPTOOL" gen "$empty" 0 >/dev/null
new_instance
cat >"$cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; };
# rings deep enough for the whole file (a lane may get every flow): net_pcap hands it
# over faster than the workers spin
workers = { cores = [2, 3]; ring_size = 4096; };
handlers = (
	{ name = "fwd"; type = "xconnect"; to = "out"; offload = true; work_cycles = 2000; }
);
ports = (
	{ name = "in"; dpdk = "net_pcap0,rx_pcap=$in"; promiscuous = false; chain = ["fwd"]; },
	{ name = "out"; dpdk = "net_pcap1,rx_pcap=$empty,tx_pcap=$out"; promiscuous = false;
	  chain = []; }
);
CFG
# two cpus: the reactor and both workers time-share cpu 1
prxd_start prxd 30 -c "$cfg" -s 1 -- --lcores=0@0,1@1,2@1,3@1
wait_for "prx-total tx=$n" 20 total_reached tx "$n"
prxd_stop TERM
expect_clean_exit
expect_match "worker 1 started" "$PRXD_ERR" 'worker 1 on lcore 3'

line=$(final prx-port: name=in)
expect_final "port in" "$line" rx $n
line=$(final prx-port: name=out)
expect_final "port out" "$line" tx $n
expect_final "port out" "$line" tx_drop 0
# every frame went through a worker, and the workers' counters say so
sum=0
for w in 0 1; do sum=$((sum + $(kv "$(final prx-worker: id=$w)" packets))); done
expect_eq "packets through the workers" "$sum" $n
line=$(final prx-total:)
expect_final "total" "$line" rx $n
expect_final "total" "$line" tx $n
expect_final "total" "$line" dropped 0
expect_no_match "drop reasons" "$PRXD_OUT" '^prx-drop: '
line=$(final prx-handler: name=fwd)
expect_final "handler fwd" "$line" in $n
expect_final "handler fwd" "$line" dropped 0

# net_pcap writes the last frames when prxd closes the port: read it only now.
expect_eq "frames in $out" "$(pcap_count "$out")" $n
python3 - "$in" "$out" <<'PY' || fail "per-flow order"
import struct, sys

def frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack_from('<I', data)[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off < len(data):
        _, _, caplen, _ = struct.unpack_from(e + 'IIII', data, off)
        off += 16
        yield data[off:off + caplen]
        off += caplen

def flows(path):
    """flow (UDP source port) -> the sequence numbers of its frames, in file order"""
    out = {}
    for fr in frames(path):
        sport = struct.unpack_from('>H', fr, 34)[0]
        assert fr[42:46] == b'PRXT', 'not a pcaptool frame'
        seq = struct.unpack_from('>I', fr, 46)[0]
        out.setdefault(sport, []).append(seq)
    return out

a, b = flows(sys.argv[1]), flows(sys.argv[2])
assert len(a) == 16, f'{len(a)} flows in the input'
for flow, seqs in a.items():
    if b.get(flow) != seqs:
        got = b.get(flow, [])
        sys.exit(f'flow {flow}: {len(got)} frames, order differs from the input')
assert set(b) == set(a), 'flows in the output that were not in the input'
print(f'{sum(map(len, b.values()))} frames, {len(b)} flows, each in order')
PY
pass
