#!/bin/bash
# router.sh - forwarding rate of prx's router against dpdk-testpmd --forward-mode=io on
# the same source, side by side (docs/benchmarks.md, "Router").
#
# Source: net_pcap0,rx_pcap=<generated>,infinite_rx=1 replaying NPKT valid IPv4/UDP
# frames of 64 B whose destinations are spread over the routes; sink: net_null0,no-rx=1.
# One forwarding core (lcore 1; main/control lcore 0), burst 32, 1024/1024 descriptors,
# 16383 mbufs of 2176 B with a 256 cache on both sides.
#
# prx: a router with ROUTES routes from a routes file, all via 192.168.2.2 (a static
# neighbour) on port b: in groups of nine, eight consecutive /24s from 1.0.0.0 on and a
# /28 inside the first of them (the layout of tools/bench/lpm_fib.c).  Every frame is
# routed: TTL decremented, checksum updated, both MACs rewritten.  testpmd io forwards
# the same frames untouched.
#
# For each count in ROUTES the programs alternate, prx testpmd prx testpmd ...
# (TRIALS runs each); once a program forwards, a sampler on CPU 0 waits WARMUP s and
# reads the sink's opackets through the program's telemetry socket every second, SECS
# times.  A program's figure is the median of its 1-s windows over its trials; the
# ratio is prx / testpmd.
#
# MEASURE=callgrind instead counts instructions per forwarded packet, which does not
# depend on the machine's load: each program runs twice under valgrind --tool=callgrind
# (--no-huge), for D1 and D2 seconds, and (Ir2 - Ir1) / (packets2 - packets1) cancels
# start-up and shutdown; TOP functions by instructions per packet are listed.
#
# Usage (as root): bash tools/bench/router.sh [PRXD]
# Env: ROUTES ("1000 1000000"), TRIALS (3), SECS (6), WARMUP (2), NPKT (4096),
#      MEASURE (rate | callgrind), D1 (15), D2 (30), TOP (8), PROGS ("prx testpmd": callgrind
#      only; PROGS=prx skips testpmd's constant figure while iterating),
#      MODE (huge | nohuge; huge reserves 512 x 2 MiB pages if fewer are there and
#      mounts hugetlbfs, both undone at exit), NOHUGE_MB (1536), KEEP=1 keeps the logs,
#      VG_EXTRA (more callgrind options, e.g. --dump-instr=yes with KEEP=1 for
#      callgrind_annotate of the kept .cg files per instruction), PRX_EAL (more EAL
#      arguments for prxd, e.g. --force-max-simd-bitwidth=128: no AVX2 fast loop);
#      PRXD_B and PRX_EAL_B: a second prxd (or the same with other EAL arguments) run
#      in each trial after the first, for A/B comparisons in one run (rate only).
# Kills only what it started (by PID); removes its DPDK runtime dirs and temp dir.

set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

ROUTES=${ROUTES:-"1000 1000000"}
TRIALS=${TRIALS:-3}
SECS=${SECS:-6}
WARMUP=${WARMUP:-2}
NPKT=${NPKT:-4096}
MEASURE=${MEASURE:-rate}
D1=${D1:-15}
D2=${D2:-30}
TOP=${TOP:-8}
PROGS=${PROGS:-"prx testpmd"}
MODE=${MODE:-huge}
[ "$MEASURE" = callgrind ] && MODE=nohuge
NOHUGE_MB=${NOHUGE_MB:-1536}
MBUFS=16383
PY=$(command -v python3)
PRX_EAL=${PRX_EAL:-}
PRXD_B=${PRXD_B:-}
PRX_EAL_B=${PRX_EAL_B:-}

if [ "$(id -u)" != 0 ]; then echo "router.sh: must run as root" >&2; exit 1; fi
command -v dpdk-testpmd >/dev/null || { echo "router.sh: needs dpdk-testpmd (apt-get install dpdk)" >&2; exit 1; }
[ -n "$PY" ] || { echo "router.sh: needs python3" >&2; exit 1; }
find_prxd "$@"

TAG=prxr$$
W=$(mktemp -d "${TMPDIR:-/tmp}/prx-router-bench.XXXXXX")
PIDS=()
OLD_NR=$(cat /proc/sys/vm/nr_hugepages)
RAISED_NR=0
MOUNTED=0

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf /var/run/dpdk/${TAG}* /run/prx/${TAG}* 2>/dev/null
  rm -f /dev/hugepages/${TAG}* 2>/dev/null
  if [ $MOUNTED = 1 ]; then umount /dev/hugepages 2>/dev/null; fi
  [ $RAISED_NR = 1 ] && echo "$OLD_NR" > /proc/sys/vm/nr_hugepages
  if [ "${KEEP:-0}" = 1 ]; then echo "# logs kept in $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$MODE" = huge ]; then
  if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 512 ]; then echo 512 > /proc/sys/vm/nr_hugepages; RAISED_NR=1; fi
  if ! grep -q ' /dev/hugepages hugetlbfs' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages && MOUNTED=1
  fi
  MEM="--in-memory"
else
  MEM="--no-huge -m $NOHUGE_MB"
fi

# gen N: $W/routes.N (the routes file) and $W/in.N.pcap (NPKT frames to those routes)
gen() {
  "$PY" - "$1" "$NPKT" "$W/routes.$1" "$W/in.$1.pcap" <<'PY'
import random, struct, sys
n, npkt, routes, pcap = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def dotted(v):
    return "%d.%d.%d.%d" % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255)
n24 = 0
with open(routes, "w") as f:
    for i in range(n):
        g, j = divmod(i, 9)
        if j < 8:
            f.write("%s/24 via 192.168.2.2 port b\n" % dotted((1 << 24) + (8 * g + j) * 256))
            n24 += 1
        else:
            f.write("%s/28 via 192.168.2.2 port b\n" % dotted((1 << 24) + 8 * g * 256 + 16 * (g % 16)))
def csum(b):
    s = sum(b[i] << 8 | b[i + 1] for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
rnd = random.Random(11)
with open(pcap, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for k in range(npkt):
        dst = (1 << 24) + rnd.randrange(n24) * 256 + rnd.randrange(256)
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 50, k & 0xffff, 0, 64, 17, 0,
                                   bytes([192, 168, 1, 2]), dst.to_bytes(4, "big")))
        ip[10:12] = csum(ip).to_bytes(2, "big")
        frame = (bytes.fromhex("027063617000") + bytes.fromhex("020000000102") + b"\x08\x00" +
                 bytes(ip) + struct.pack("!HHHH", 1000, 2000, 30, 0) + bytes(22))
        f.write(struct.pack("<IIII", k, 0, len(frame), len(frame)) + frame)
PY
}

write_cfg() { # FILE INSTANCE N
  cat > "$1" <<EOF
mode = "dpdk";
instance = "$2";
stats_interval = 0;
control_core = 0;
reactors = { cores = [1]; engine = "poll"; burst = $BURST; drain_us = 100; };
mempool = { mbufs = $MBUFS; cache = $CACHE; data_room = $DATA_ROOM; };
handlers = (
  { name = "rt"; type = "router"; max_routes = $3; tbl8_groups = $(($3 / 9 + 256));
    routes_file = "$W/routes.$3";
    neighbors = ( { ip = "192.168.2.2"; mac = "02:00:00:00:02:02"; port = "b"; } ); }
);
ports = (
  { name = "a"; dpdk = "net_pcap0,rx_pcap=$W/in.$3.pcap,infinite_rx=1"; address = "192.168.1.1/24";
    rx_desc = $DESC; tx_desc = $DESC; chain = ["rt"]; },
  { name = "b"; dpdk = "net_null0,no-rx=1"; address = "192.168.2.1/24";
    rx_desc = $DESC; tx_desc = $DESC; chain = []; }
);
EOF
}

# sampler: SOCK WARMUP SECS -> Mpps of ethdev 1's opackets per 1-s window, one a line
cat > "$W/sample.py" <<'EOF'
import json, socket, sys, time
sock, warm, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
for i in range(600):
    try:
        s.connect(sock); break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("sample: cannot connect to " + sock)
s.recv(1024)
def opk():
    s.send(b"/ethdev/stats,1")
    return time.time(), json.loads(s.recv(65536))["/ethdev/stats"]["opackets"]
time.sleep(warm)
t, c = opk()
for i in range(n):
    time.sleep(max(0.0, t + 1 - time.time()))
    t2, c2 = opk()
    print("%.4f" % ((c2 - c) / (t2 - t) / 1e6), flush=True)
    t, c = t2, c2
EOF

# run_one NAME prx|testpmd N -> R: median Mpps
run_one() {
  local name=$1 kind=$2 n=$3 prefix="${TAG}_$1" log="$W/$1.log" p ready i
  local eal="$MEM --no-pci --file-prefix $prefix"
  if [ "$kind" = prx ]; then
    write_cfg "$W/$name.cfg" "$prefix" "$n"
    # shellcheck disable=SC2086
    "$PRXD" -c "$W/$name.cfg" -- $eal $PRX_EAL < /dev/null > "$log" 2>&1 &
    ready='prx\.core: forwarding'
  elif [ "$kind" = prxb ]; then
    write_cfg "$W/$name.cfg" "$prefix" "$n"
    # shellcheck disable=SC2086
    "$PRXD_B" -c "$W/$name.cfg" -- $eal $PRX_EAL_B < /dev/null > "$log" 2>&1 &
    ready='prx\.core: forwarding'
  else
    # shellcheck disable=SC2086
    dpdk-testpmd -l 0-1 --main-lcore 0 $eal --vdev "net_pcap0,rx_pcap=$W/in.$n.pcap,infinite_rx=1" \
      --vdev net_null0,no-rx=1 -- --forward-mode=io --nb-cores=1 --burst=$BURST --rxd=$DESC \
      --txd=$DESC --mbcache=$CACHE --total-num-mbufs=$MBUFS --mbuf-size=$DATA_ROOM --no-flush-rx \
      --stats-period 1 < /dev/null > "$log" 2>&1 &
    ready='Port statistics ===='
  fi
  p=$!; PIDS+=($p)
  for i in $(seq 1 1200); do
    grep -q "$ready" "$log" 2>/dev/null && break
    kill -0 $p 2>/dev/null || break
    sleep 0.1
  done
  if grep -q "$ready" "$log"; then
    taskset -c 0 "$PY" "$W/sample.py" "/var/run/dpdk/$prefix/dpdk_telemetry.v2" "$WARMUP" "$SECS" \
      > "$W/$name.rates" 2> "$W/$name.err" || cat "$W/$name.err" >&2
  else
    echo "# $name: never forwarded; log tail:" >&2; tail -5 "$log" >&2; : > "$W/$name.rates"
  fi
  stop_pid $p 30
  if [ "$kind" = prx ] && ! grep -q 'prx-accounting: balanced' "$log"; then
    echo "# note: $name: accounting not reported balanced" >&2
  fi
  R=$(median < "$W/$name.rates")
  echo "#   $name: median $R Mpps over $(wc -l < "$W/$name.rates") windows: $(tr '\n' ' ' < "$W/$name.rates")" \
       "(loadavg $(cut -d' ' -f1-3 /proc/loadavg))" >&2
}

# cg_one NAME prx|testpmd N SECS -> CG="Ir packets" (callgrind, SECS s of forwarding)
cg_one() {
  local name=$1 kind=$2 n=$3 secs=$4 prefix="${TAG}_$1" log="$W/$1.log" p i ir pk
  local eal="$MEM --no-pci --file-prefix $prefix"
  local vg="valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file=$W/$name.cg ${VG_EXTRA:-}"
  if [ "$kind" = prx ]; then
    write_cfg "$W/$name.cfg" "$prefix" "$n"
    # shellcheck disable=SC2086
    $vg "$PRXD" -c "$W/$name.cfg" -- $eal < /dev/null > "$log" 2>&1 &
  else
    # shellcheck disable=SC2086
    $vg dpdk-testpmd -l 0-1 --main-lcore 0 $eal --vdev "net_pcap0,rx_pcap=$W/in.$n.pcap,infinite_rx=1" \
      --vdev net_null0,no-rx=1 -- --forward-mode=io --nb-cores=1 --burst=$BURST --rxd=$DESC \
      --txd=$DESC --mbcache=$CACHE --total-num-mbufs=$MBUFS --mbuf-size=$DATA_ROOM --no-flush-rx \
      --stats-period 5 < /dev/null > "$log" 2>&1 &
  fi
  p=$!; PIDS+=($p)
  for i in $(seq 1 3000); do
    grep -q 'prx\.core: forwarding\|Port statistics ====' "$log" 2>/dev/null && break
    kill -0 $p 2>/dev/null || break
    sleep 0.1
  done
  sleep "$secs"
  stop_pid $p 120
  if [ "$kind" = prx ]; then
    pk=$(grep -o 'prx-total: .* tx=[0-9]*' "$log" | tail -1 | sed 's/.* tx=//')
  else
    pk=$(grep -A2 'Accumulated forward statistics' "$log" | grep -o 'TX-packets: *[0-9]*' | grep -o '[0-9]*$')
  fi
  ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$W/$name.cg")
  CG="${ir:-0} ${pk:-0}"
  echo "#   $name: $CG (Ir, packets sent) after ${secs} s" >&2
}

# top_functions RUN1 RUN2 DPKTS: the TOP functions by (Ir2 - Ir1) / DPKTS
top_functions() {
  "$PY" - "$TOP" "$3" <(callgrind_annotate --inclusive=no --threshold=100 "$W/$1.cg" 2>/dev/null) \
    <(callgrind_annotate --inclusive=no --threshold=100 "$W/$2.cg" 2>/dev/null) <<'PY'
import re, sys
top, dp = int(sys.argv[1]), float(sys.argv[2])
def read(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*([0-9,]+) \([^)]*\)\s+(.*)", line)
        if m and "PROGRAM TOTALS" not in line:
            out[m.group(2)] = out.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return out
a, b = read(sys.argv[3]), read(sys.argv[4])
rows = sorted(((b[f] - a.get(f, 0)) / dp, f) for f in b)
for v, f in reversed(rows[-top:]):
    print("%8.1f  %s" % (v, f[:110]))
PY
}

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, loadavg $(cut -d' ' -f1-3 /proc/loadavg); MODE=$MODE TRIALS=$TRIALS SECS=$SECS NPKT=$NPKT" >&2
echo "# prxd: $PRXD; testpmd: $(command -v dpdk-testpmd)" >&2
for n in $ROUTES; do
  t0=$(date +%s.%N)
  gen "$n"
  echo "# $n routes: routes file and pcap made in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >&2
  if [ "$MEASURE" = callgrind ]; then
    out="routes=$n"
    P=NA; T=NA
    for kind in $PROGS; do
      cg_one "cg_${kind}_${n}_1" $kind "$n" "$D1"; read -r i1 p1 <<< "$CG"
      cg_one "cg_${kind}_${n}_2" $kind "$n" "$D2"; read -r i2 p2 <<< "$CG"
      ipp=$(awk -v a="$i1" -v b="$i2" -v c="$p1" -v d="$p2" 'BEGIN { if (d > c) printf "%.1f", (b - a) / (d - c); else print "NA" }')
      out="$out $kind=$ipp"
      echo "# $kind, $n routes: instructions per packet by function:" >&2
      top_functions "cg_${kind}_${n}_1" "cg_${kind}_${n}_2" "$((p2 - p1))" >&2
      [ "$kind" = prx ] && P=$ipp || T=$ipp
    done
    echo "$out instructions/packet, testpmd/prx=$(ratio "$T" "$P")"
    continue
  fi
  pr=(); br=(); tr=()
  for t in $(seq 1 "$TRIALS"); do
    run_one "prx_${n}_$t" prx "$n"; pr+=("$R")
    if [ -n "$PRXD_B" ]; then run_one "prxb_${n}_$t" prxb "$n"; br+=("$R"); fi
    run_one "tpmd_${n}_$t" testpmd "$n"; tr+=("$R")
  done
  P=$(cat "$W"/prx_"${n}"_*.rates | median)
  T=$(cat "$W"/tpmd_"${n}"_*.rates | median)
  echo "routes=$n prx=$P testpmd=$T ratio=$(ratio "$P" "$T") | per-trial prx: ${pr[*]} | testpmd: ${tr[*]}"
  if [ -n "$PRXD_B" ]; then
    B=$(cat "$W"/prxb_"${n}"_*.rates | median)
    echo "routes=$n prx_b=$B testpmd=$T ratio=$(ratio "$B" "$T") | per-trial prx_b: ${br[*]}"
  fi
done
