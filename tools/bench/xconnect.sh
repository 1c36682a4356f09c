#!/bin/bash
# xconnect.sh - forwarding rate of prx's xconnect against dpdk-testpmd, side by side.
#
# Two net_null ports (64 B frames), one forwarding core (lcore 1; main/control lcore 0),
# burst 32, 1024/1024 descriptors, 8191-mbuf pool with a 256 cache on both sides
# (tools/bench/common.sh).  Pairings:
#   io       prx xconnect mac = "keep" on both directions  vs  testpmd --forward-mode=io
#   macswap  prx xconnect mac = "swap" on both directions  vs  testpmd --forward-mode=macswap
# each with hugepages (--in-memory on both sides) and without (--no-huge -m $NOHUGE_MB).
# Within one pairing and memory mode the programs alternate, prx testpmd prx testpmd ...,
# TRIALS runs each, so that load from other tenants hits both alike.
#
# Mpps = packets transmitted on both ports together per second (= packets forwarded, both
# directions summed), measured the same way for both programs, from outside: once the
# program prints that it forwards, a sampler (pinned to CPU 0, the idle main lcore) waits
# WARMUP s, then reads the ports' opackets through the program's DPDK telemetry socket
# (/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2, command /ethdev/stats,N) every second,
# SECS + 1 times; each 1-s window gives one sample (packets / wall-clock seconds).  The
# figure for a program, pairing and memory mode is the median of all its samples over all
# trials; the ratio is prx median / testpmd median.  (Cross-check, not used for the
# figures: the programs' own counters - prxd -s 1 "prx-total: tx=" differenced over
# wall-clock stamps, testpmd's own "Tx-pps" - are printed as "own".)
#
# Usage (as root): bash tools/bench/xconnect.sh [PRXD]
#   PRXD: the prxd binary (default: $PRXD, else $BUILD/app/prxd/prxd, else
#         ../../build/app/prxd/prxd relative to this script).
# Env: TRIALS (3) runs per program and cell; SECS (8) measured 1-s samples per run;
#      WARMUP (2) seconds dropped at the start of each run; MODES ("huge nohuge");
#      PAIRS ("io macswap"); NOHUGE_MB (256) -m for --no-huge; CPU_OK (97): a window
#      counts as undisturbed when the program got at least this % of a CPU in it (see
#      tsample.py below; the main figures use every window, the undisturbed ones are a
#      second reading); KEEP=1 keeps the logs;
#      TMPDIR (/tmp) where the temp dir goes.
# Output (stdout): one line per pairing and memory mode, "PAIR MODE prx=.. testpmd=.. ratio=..",
# plus per-trial details; diagnostics on stderr.
# Hugepages: if fewer than 512 x 2 MiB are reserved it reserves 512, and mounts hugetlbfs
# on /dev/hugepages if nothing is mounted there; both are undone at exit (nr_hugepages back
# to the value found, the mount removed).
# Cleans up after itself: kills only the processes it started (by PID), removes its DPDK
# runtime dirs (/var/run/dpdk/<prefix>) and hugepage files and its temp dir.

set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

TRIALS=${TRIALS:-3}
SECS=${SECS:-8}
WARMUP=${WARMUP:-2}
MODES=${MODES:-"huge nohuge"}
PAIRS=${PAIRS:-"io macswap"}
NOHUGE_MB=${NOHUGE_MB:-256}
CPU_OK=${CPU_OK:-97}
PY=$(command -v /usr/bin/python3 || command -v python3)

if [ "$(id -u)" != 0 ]; then echo "xconnect.sh: must run as root (DPDK runtime dirs, hugepages)" >&2; exit 1; fi
for c in dpdk-testpmd stdbuf awk sort mkfifo mount taskset; do
  command -v $c >/dev/null || { echo "xconnect.sh: missing $c (apt-get install dpdk dpdk-dev)" >&2; exit 1; }
done
[ -n "$PY" ] || { echo "xconnect.sh: needs python3 (telemetry sampler)" >&2; exit 1; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "xconnect.sh: needs bash >= 5 (\$EPOCHREALTIME)" >&2; exit 1; }
find_prxd "$@"

TAG=prxb$$                       # unique per run: DPDK file prefixes, prx instance names
W=$(mktemp -d "${TMPDIR:-/tmp}/prx-xconnect.XXXXXX")
PIDS=()
OLD_NR=$(cat /proc/sys/vm/nr_hugepages)
RAISED_NR=0
MOUNTED=0

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf /var/run/dpdk/${TAG}* 2>/dev/null
  rm -f /dev/hugepages/${TAG}* 2>/dev/null
  if [ $MOUNTED = 1 ]; then umount /dev/hugepages 2>/dev/null || echo "# note: umount /dev/hugepages failed (busy?)" >&2; fi
  [ $RAISED_NR = 1 ] && echo "$OLD_NR" > /proc/sys/vm/nr_hugepages
  if [ "${KEEP:-0}" = 1 ]; then echo "# logs kept in $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hugepages_on() {
  if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 512 ]; then echo 512 > /proc/sys/vm/nr_hugepages; RAISED_NR=1; fi
  if ! grep -q ' /dev/hugepages hugetlbfs' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages && MOUNTED=1
  fi
}
free_hugepages() { awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; }

# Telemetry sampler: SOCK WARMUP SECS PID -> one line per 1-s window:
#   "t_end dt packets Mpps cpu%"
# packets = opackets of ethdev 0 + 1 in the window; cpu% = CPU time the program (PID, all
# threads, from /proc/PID/task/*/schedstat) got in the window, in % of one CPU.  The
# forwarding lcore spins, so ~100% means it had CPU 1 to itself and noticeably less means
# another tenant's thread shared the core during that window.
cat > "$W/tsample.py" <<'EOF'
import json, os, socket, sys, time
sock, warm, n, pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
for i in range(200):
    try:
        s.connect(sock); break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("tsample: cannot connect to " + sock)
s.recv(1024)
def opk():
    t0 = time.time(); tot = 0
    for port in (0, 1):
        s.send(b"/ethdev/stats,%d" % port)
        tot += json.loads(s.recv(65536))["/ethdev/stats"]["opackets"]
    return (t0 + time.time()) / 2, tot
def cpu_ns():
    tot = 0
    d = "/proc/%s/task" % pid
    for t in os.listdir(d):
        try:
            with open("%s/%s/schedstat" % (d, t)) as f:
                tot += int(f.read().split()[0])
        except OSError:
            pass
    return tot
time.sleep(warm)
start = time.time()
t, c = opk(); u = cpu_ns()
for i in range(1, n + 1):
    time.sleep(max(0.0, start + i - time.time()))
    t2, c2 = opk(); u2 = cpu_ns()
    print("%.6f %.6f %d %.4f %.1f" % (t2, t2 - t, c2 - c, (c2 - c) / (t2 - t) / 1e6,
          (u2 - u) / 1e7 / (t2 - t)), flush=True)
    t, c, u = t2, c2, u2
EOF

# Stamp each line with the wall clock as it arrives.
tsloop() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# Cross-check only: the programs' own counters.  KIND=prx: wall-clock rates from the stamped
# "prx-total: tx=" lines (prxd -s 1); KIND=testpmd: testpmd's own Tx-pps summed over ports.
# Windows starting less than WARMUP s after the program started forwarding are dropped.
cat > "$W/own.awk" <<'EOF'
BEGIN { n = 0; tr = -1; inb = 0 }
KIND == "prx" && /prx\.core: forwarding/ && tr < 0 { tr = $1 }
KIND == "prx" && /\| prx-total:/ {
  for (i = 2; i <= NF; i++) if ($i ~ /^tx=/) { ts[n] = $1; val[n] = substr($i, 4) + 0; n++ }
}
KIND == "testpmd" && /Port statistics ====/ {
  if (tr < 0) tr = $1
  if (inb && np == 2 && bts >= tr + WARMUP) printf "%.4f\n", pps / 1e6
  inb = 1; bts = $1; pps = 0; np = 0; next
}
KIND == "testpmd" && inb && $2 == "Tx-pps:" { pps += $3; np++ }
END {
  if (KIND == "testpmd" && inb && np == 2 && bts >= tr + WARMUP) printf "%.4f\n", pps / 1e6
  if (KIND == "prx") for (i = 1; i < n; i++) {
    if (ts[i - 1] < tr + WARMUP - 0.25 || ts[i] <= ts[i - 1]) continue
    printf "%.4f\n", (val[i] - val[i - 1]) / (ts[i] - ts[i - 1]) / 1e6
  }
}
EOF

# wait (max 90 s) until the stamped log $1 shows pattern $2 or process $3 is gone
wait_for() {
  local i
  for i in $(seq 1 900); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}


# run_one NAME KIND(prx|testpmd) PAIR(io|macswap) MODE(huge|nohuge)
# -> $W/NAME.rates (Mpps per 1-s window), $W/NAME.own; R = median of NAME.rates
run_one() {
  local name=$1 kind=$2 pair=$3 mode=$4 eal ready p tp rc mac s
  local log="$W/$name.log" fifo="$W/$name.fifo" prefix="${TAG}_$name"
  if [ "$mode" = huge ]; then eal="--in-memory"; else eal="--no-huge -m $NOHUGE_MB"; fi
  eal="$eal --no-pci --file-prefix $prefix"
  mkfifo "$fifo"
  tsloop < "$fifo" > "$log" &
  tp=$!
  if [ "$kind" = prx ]; then
    mac=keep; [ "$pair" = macswap ] && mac=swap
    write_prx_cfg "$W/$name.cfg" "$prefix" $mac
    # -l/--main-lcore come from the configuration (control_core 0, reactor on lcore 1)
    "$PRXD" -c "$W/$name.cfg" -s 1 -- $eal < /dev/null > "$fifo" 2>&1 &
    ready='prx\.core: forwarding'
  else
    stdbuf -oL -eL dpdk-testpmd -l 0-1 --main-lcore 0 $eal $NULL_VDEVS -- \
      $(testpmd_app_args "$pair") --stats-period 1 < /dev/null > "$fifo" 2>&1 &
    ready='Port statistics ===='
  fi
  p=$!; PIDS+=($p)
  : > "$W/$name.tele"
  if ! wait_for "$log" "$ready" $p; then
    echo "# $name: never started forwarding; log tail:" >&2; tail -5 "$log" >&2
  else
    taskset -c 0 "$PY" "$W/tsample.py" "/var/run/dpdk/$prefix/dpdk_telemetry.v2" "$WARMUP" "$SECS" $p \
      > "$W/$name.tele" 2> "$W/$name.tele.err" || { echo "# $name: sampler failed:" >&2; cat "$W/$name.tele.err" >&2; }
  fi
  stop_pid $p 20; rc=$?
  wait $tp 2>/dev/null
  [ $rc -ne 0 ] && echo "# note: $name exited with status $rc" >&2
  if [ "$kind" = prx ]; then
    grep -q 'prx-accounting: balanced' "$log" || echo "# note: $name: prx accounting not reported balanced" >&2
  else
    grep -q "$pair packet forwarding" "$log" || echo "# note: $name: testpmd did not report $pair forwarding" >&2
  fi
  awk -v KIND=$kind -v WARMUP="$WARMUP" -f "$W/own.awk" "$log" > "$W/$name.own"
  awk '{ print $4 }' "$W/$name.tele" > "$W/$name.rates"
  awk -v OK="$CPU_OK" '$5 >= OK { print $4 }' "$W/$name.tele" > "$W/$name.urates"
  R=$(median < "$W/$name.rates")
  echo "#   $name: median $R Mpps over $(wc -l < "$W/$name.rates") 1-s windows" \
       "(min $(sort -g "$W/$name.rates" | head -1), max $(sort -g "$W/$name.rates" | tail -1));" \
       "undisturbed $(median < "$W/$name.urates") over $(wc -l < "$W/$name.urates");" \
       "own counters $(median < "$W/$name.own"); cpu% per window: $(awk '{ printf "%.0f ", $5 }' "$W/$name.tele");" \
       "loadavg $(loadavg)" >&2
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, loadavg before: $(loadavg)" >&2
echo "# busiest processes: $(top -b -n 2 -d 1 -w 200 | awk '/^ *PID/ { b++; next } b == 2 && $9 + 0 >= 1 { printf "%s(%s%%) ", $12, $9 }')" >&2
echo "# prxd: $PRXD; testpmd: $(command -v dpdk-testpmd); TRIALS=$TRIALS SECS=$SECS WARMUP=$WARMUP burst=$BURST desc=$DESC mbufs=$MBUFS cache=$CACHE" >&2
LOAD_BEFORE=$(loadavg)
T_START=$SECONDS
RESULTS=()
for mode in $MODES; do
  if [ "$mode" = huge ]; then
    hugepages_on
    fp=$(free_hugepages)
    echo "# hugepages: nr_hugepages=$(cat /proc/sys/vm/nr_hugepages) free=$fp (2 MiB)" >&2
    if [ "${fp:-0}" -lt 128 ]; then
      echo "# huge: only ${fp:-0} free hugepages (need 128): skipped" >&2
      for pair in $PAIRS; do RESULTS+=("$pair huge prx=NA testpmd=NA ratio=NA (skipped: ${fp:-0} free hugepages)"); done
      continue
    fi
  fi
  for pair in $PAIRS; do
    echo "# $pair/$mode:" >&2
    pm=(); tm=(); rr=()
    for t in $(seq 1 "$TRIALS"); do
      run_one "prx_${pair}_${mode}_$t" prx "$pair" "$mode"; pm+=("$R")
      run_one "tpmd_${pair}_${mode}_$t" testpmd "$pair" "$mode"; tm+=("$R")
      rr+=("$(ratio "${pm[-1]}" "${tm[-1]}")")
    done
    P=$(cat "$W"/prx_${pair}_${mode}_*.rates | median)
    T=$(cat "$W"/tpmd_${pair}_${mode}_*.rates | median)
    PO=$(cat "$W"/prx_${pair}_${mode}_*.own | median)
    TO=$(cat "$W"/tpmd_${pair}_${mode}_*.own | median)
    NP=$(cat "$W"/prx_${pair}_${mode}_*.rates | wc -l); NT=$(cat "$W"/tpmd_${pair}_${mode}_*.rates | wc -l)
    PU=$(cat "$W"/prx_${pair}_${mode}_*.urates | median); TU=$(cat "$W"/tpmd_${pair}_${mode}_*.urates | median)
    NPU=$(cat "$W"/prx_${pair}_${mode}_*.urates | wc -l); NTU=$(cat "$W"/tpmd_${pair}_${mode}_*.urates | wc -l)
    RESULTS+=("$pair $mode prx=$P testpmd=$T ratio=$(ratio "$P" "$T") | per-trial prx: ${pm[*]} | testpmd: ${tm[*]} | trial ratios: ${rr[*]} | samples: prx $NP, testpmd $NT | undisturbed (cpu>=$CPU_OK%): prx=$PU ($NPU) testpmd=$TU ($NTU) ratio=$(ratio "$PU" "$TU") | own counters: prx $PO testpmd $TO")
  done
done

echo "# xconnect.sh $(date -u +%FT%TZ), $((SECONDS - T_START)) s: Mpps = packets/s transmitted on both ports (telemetry opackets), median of 1-s windows after ${WARMUP}s warm-up, TRIALS=$TRIALS x SECS=$SECS per program; ratio = prx/testpmd"
echo "# prxd: $PRXD"
echo "# loadavg before: $LOAD_BEFORE  after: $(loadavg)"
printf '%s\n' "${RESULTS[@]}"
