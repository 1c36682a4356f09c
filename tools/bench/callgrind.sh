#!/bin/bash
# callgrind.sh - instructions per forwarded packet, prx xconnect against dpdk-testpmd.
#
# Same set-up as xconnect.sh (tools/bench/common.sh: two net_null ports, 64 B frames, one
# forwarding lcore, burst 32, 1024/1024 descriptors, 8191 mbufs, cache 256), without
# hugepages (--no-huge -m 256), each program run twice under
#     valgrind --tool=callgrind --fair-sched=yes
# for D1 and D2 seconds of forwarding.  Callgrind counts every instruction of every thread
# (Ir); the count does not depend on the machine's load.  With Ir_i the total of run i and
# pkts_i the packets it transmitted (prxd: final "prx-total: ... tx=N"; testpmd: the
# "Accumulated forward statistics" TX-packets), the cost per packet is
#     (Ir2 - Ir1) / (pkts2 - pkts1)
# so start-up, shutdown and the idle control threads cancel out.  net_null's rx never comes
# back short, so every poll iteration is a full burst in both programs.
#
# Programs: prx_io (mac = "keep") vs testpmd io, prx_macswap (mac = "swap") vs testpmd
# macswap.  Also prints, for each program, the top functions by instructions per packet
# (per-function (Ir2 - Ir1) / (pkts2 - pkts1), callgrind_annotate --inclusive=no).
#
# Usage (as root): bash tools/bench/callgrind.sh [PRXD]
#   PRXD: the prxd binary (default: $PRXD, else $BUILD/app/prxd/prxd, else
#         ../../build/app/prxd/prxd relative to this script).
# Env: D1 (10), D2 (20) seconds of forwarding per run (valgrind forwards ~0.7-1.5 Mpps);
#      PROGS ("prx_io tpmd_io prx_macswap tpmd_macswap"); TOP (15) functions listed;
#      KEEP=1 keeps the callgrind.out files and logs (temp dir under $TMPDIR or /tmp).
# Cleans up: kills only the processes it started (by PID), removes its DPDK runtime dirs.

set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

D1=${D1:-10}
D2=${D2:-20}
PROGS=${PROGS:-"prx_io tpmd_io prx_macswap tpmd_macswap"}
TOP=${TOP:-15}
MEM_MB=${MEM_MB:-256}

if [ "$(id -u)" != 0 ]; then echo "callgrind.sh: must run as root (DPDK runtime dirs)" >&2; exit 1; fi
for c in dpdk-testpmd valgrind callgrind_annotate awk sort; do
  command -v $c >/dev/null || { echo "callgrind.sh: missing $c (apt-get install valgrind dpdk dpdk-dev)" >&2; exit 1; }
done
find_prxd "${1:-}"

TAG=prxcg$$
W=$(mktemp -d "${TMPDIR:-/tmp}/prx-callgrind.XXXXXX")
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf /var/run/dpdk/${TAG}* 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "# logs kept in $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

VG="valgrind --tool=callgrind --fair-sched=yes"

# Labels for the stripped static functions of Debian's librte_net_null.so.23.0 (DPDK
# 22.11.11-0+deb12u1), identified from their disassembly and call counts.
NULL_SO_BUILDID=e9abae9f2651c9c0cd693d0f2ccb0004dd3eb84f
NULL_SO=$(ls /usr/lib/x86_64-linux-gnu/dpdk/pmds-*/librte_net_null.so.* 2>/dev/null | head -1)
LABELS=0
if [ -n "$NULL_SO" ] && readelf -n "$NULL_SO" 2>/dev/null | grep -q "$NULL_SO_BUILDID"; then LABELS=1; fi
# ... and of Debian's stripped dpdk-testpmd (same package), identified from the fwd_engine
# tables (io_fwd_engine.packet_fwd, mac_swap_engine.packet_fwd) and the call graph.
TPMD_BUILDID=52390ac28463160712e405a5ca82a9a067bc1cc9
TLABELS=0
if readelf -n "$(command -v dpdk-testpmd)" 2>/dev/null | grep -q "$TPMD_BUILDID"; then TLABELS=1; fi

wait_for() { # $1 log, $2 pattern, $3 pid; max 180 s (valgrind start-up), or until $3 is gone
  local i
  for i in $(seq 1 1800); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}


# run_cg PROG SECS -> $W/PROG_SECS.{log,cg}; IR and PKTS set
run_cg() {
  local prog=$1 secs=$2 name="$1_$2" kind=${1%%_*} pair=${1#*_} mac p rc ready
  local log="$W/$name.log" eal="--no-huge -m $MEM_MB --no-pci --file-prefix ${TAG}_$1_$2"
  IR=NA; PKTS=NA
  if [ "$kind" = prx ]; then
    mac=keep; [ "$pair" = macswap ] && mac=swap
    write_prx_cfg "$W/$name.cfg" "${TAG}_$name" $mac
    $VG --callgrind-out-file="$W/$name.cg" "$PRXD" -c "$W/$name.cfg" -s 0 -- $eal \
      < /dev/null > "$log" 2>&1 &
    ready='prx\.core: forwarding'
  else
    # --stats-period keeps testpmd's main lcore in its sleep loop (without it, testpmd
    # waits for a key on stdin); 3600 s: no statistics are printed during the run.
    # stdbuf outside valgrind: its LD_PRELOAD reaches the client, and valgrind (without
    # --trace-children) would not follow stdbuf's exec of testpmd.
    stdbuf -oL $VG --callgrind-out-file="$W/$name.cg" dpdk-testpmd -l 0-1 --main-lcore 0 $eal \
      $NULL_VDEVS -- $(testpmd_app_args "$pair") --stats-period 3600 < /dev/null > "$log" 2>&1 &
    ready="$pair packet forwarding packets/burst"
  fi
  p=$!; PIDS+=($p)
  if ! wait_for "$log" "$ready" $p; then
    echo "# $name: never started forwarding; log tail:" >&2; tail -5 "$log" >&2
    stop_pid $p 180; return
  fi
  sleep "$secs"
  stop_pid $p 180; rc=$?
  [ $rc -ne 0 ] && echo "# note: $name exited with status $rc" >&2
  IR=$(awk '/^(summary|totals):/ { print $2; exit }' "$W/$name.cg" 2>/dev/null)
  if [ "$kind" = prx ]; then
    PKTS=$(awk '/^prx-total:/ { for (i = 2; i <= NF; i++) if ($i ~ /^tx=/) v = substr($i, 4) } END { print v }' "$log")
  else
    PKTS=$(awk '/Accumulated forward statistics/ { a = 1; next } a && $1 == "TX-packets:" { print $2; exit }' "$log")
  fi
  [ -n "$IR" ] || IR=NA; [ -n "$PKTS" ] || PKTS=NA
  callgrind_annotate --inclusive=no --threshold=100 "$W/$name.cg" > "$W/$name.fn" 2>/dev/null
  echo "#   $name: Ir=$IR packets=$PKTS ($(awk -v i="$IR" -v p="$PKTS" 'BEGIN { if (p + 0 > 0) printf "%.1f", i / p; else print "NA" }') Ir/packet incl. start-up)" >&2
}

# per-function (Ir2 - Ir1) / dpkts from two callgrind_annotate listings; top $TOP + rest
per_function() { # $1 fn1 $2 fn2 $3 dpkts
  awk -v DP="$3" -v TOP="$TOP" -v LABELS="$LABELS" -v TLABELS="$TLABELS" '
    function key(   k) { k = $0; sub(/^[ \t]*[0-9,]+ +\([ 0-9.]+%\) +/, "", k); return k }
    function num(s) { gsub(",", "", s); return s + 0 }
    FNR == 1 { f++ }
    /^[ \t]*[0-9,]+ +\([ 0-9.]+%\) +/ && !/PROGRAM TOTALS/ {
      k = key(); if (f == 1) a[k] += num($1); else b[k] += num($1); seen[k] = 1
    }
    END {
      tot = 0
      for (k in seen) { d[k] = (b[k] - a[k]) / DP; tot += d[k] }
      n = 0; for (k in seen) o[n++] = k
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (d[o[j]] > d[o[i]]) { t = o[i]; o[i] = o[j]; o[j] = t }
      shown = 0
      for (i = 0; i < n && i < TOP; i++) {
        k = o[i]; lab = ""
        if (LABELS && k ~ /librte_net_null/) {
          if (k ~ /0x0+2090 /) lab = "  <- eth_null_rx (per burst)"
          else if (k ~ /0x0+1d20 /) lab = "  <- rte_pktmbuf_alloc_bulk, inlined copy (rx, per burst)"
          else if (k ~ /0x0+4630 /) lab = "  <- eth_null_tx (per burst)"
          else if (k ~ /0x0+4370 /) lab = "  <- rte_pktmbuf_free, outlined copy (tx, per packet)"
        }
        if (TLABELS && k ~ /dpdk-testpmd\]/) {
          if (k ~ /0x0+7bbd0 /) lab = "  <- pkt_burst_io_forward"
          else if (k ~ /0x0+7cd00 /) lab = "  <- pkt_burst_mac_swap"
          else if (k ~ /0x0+84cb0 /) lab = "  <- run_pkt_fwd_on_lcore (forwarding loop)"
        }
        sub(/ \[\/.*\//, " [", k)
        printf "    %8.2f  %s%s\n", d[o[i]], k, lab; shown += d[o[i]]
      }
      printf "    %8.2f  (all other functions)\n", tot - shown
      printf "    %8.2f  total\n", tot
    }' "$1" "$2"
}

echo "# $(date -u +%FT%TZ) loadavg: $(cut -d' ' -f1-3 /proc/loadavg) (callgrind counts do not depend on it)" >&2
echo "# prxd: $PRXD; testpmd: $(command -v dpdk-testpmd); $(valgrind --version); D1=${D1}s D2=${D2}s" >&2
declare -A IPP
OUT=()
for prog in $PROGS; do
  run_cg "$prog" "$D1"; ir1=$IR; p1=$PKTS
  run_cg "$prog" "$D2"; ir2=$IR; p2=$PKTS
  v=$(awk -v a="$ir1" -v b="$ir2" -v p="$p1" -v q="$p2" 'BEGIN {
        if (a == "NA" || b == "NA" || p == "NA" || q == "NA" || q - p <= 0) print "NA"; else printf "%.2f", (b - a) / (q - p) }')
  IPP[$prog]=$v
  OUT+=("$prog Ir/packet=$v  (run1: Ir=$ir1 pkts=$p1; run2: Ir=$ir2 pkts=$p2)")
  if [ "$v" != NA ]; then
    OUT+=("  top $TOP functions of $prog, instructions per packet:")
    while IFS= read -r l; do OUT+=("$l"); done < <(per_function "$W/${prog}_$D1.fn" "$W/${prog}_$D2.fn" $((p2 - p1)))
  fi
done

ipp_ratio() { ratio "${IPP[$1]:-NA}" "${IPP[$2]:-NA}"; }
echo "# callgrind.sh $(date -u +%FT%TZ): instructions per forwarded packet = (Ir2 - Ir1) / (pkts2 - pkts1), runs of ${D1}s and ${D2}s under callgrind, --no-huge"
printf '%s\n' "${OUT[@]}"
echo "ratio prx_io/tpmd_io=$(ipp_ratio prx_io tpmd_io) prx_macswap/tpmd_macswap=$(ipp_ratio prx_macswap tpmd_macswap) prx_macswap/tpmd_io=$(ipp_ratio prx_macswap tpmd_io)"
