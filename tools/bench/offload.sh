#!/bin/bash
# offload.sh - throughput of an expensive handler inline versus offloaded to workers.
#
# One net_null port pair, one reactor on lcore 1, an xconnect a -> b with
# work_cycles = WORK (busy-spun TSC cycles per packet, the test/benchmark knob) and
# b's traffic dropped (empty chain).  Variants, run alternately in the same invocation:
#   inline   the xconnect runs on the reactor
#   offload  offload = true, workers = { cores = [2]; } (EAL lcore 2 on cpu WORKER_CPU)
# Mpps = packets sent on b per second: prxd -s 1 prints prx-total once a second;
# the rate is (tx at the end - tx after WARMUP s) / elapsed seconds, median of TRIALS.
# On a 2-cpu machine the worker shares cpu 0 with the (idle) control thread.
#
# Usage (as root): bash tools/bench/offload.sh [PRXD]
# Env: WORK (2000) cycles per packet; TRIALS (3); SECS (6); WARMUP (2); WORKER_CPU (0).
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
find_prxd "$@"
WORK=${WORK:-2000}
TRIALS=${TRIALS:-3}
SECS=${SECS:-6}
WARMUP=${WARMUP:-2}
WORKER_CPU=${WORKER_CPU:-0}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/prx-offload-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

cfg() { # FILE VARIANT
  local off="" workers=""
  [ "$2" = offload ] && { off="offload = true;"; workers="workers = { cores = [2]; };"; }
  cat > "$1" <<CFG
mode = "dpdk";
instance = "prxbo$$";
stats_interval = 0;
reactors = { cores = [1]; engine = "poll"; burst = $BURST; };
$workers
handlers = ( { name = "fwd"; type = "xconnect"; to = "b"; work_cycles = $WORK; $off } );
ports = (
  { name = "a"; dpdk = "net_null0"; chain = ["fwd"]; },
  { name = "b"; dpdk = "net_null1"; chain = []; }
);
CFG
}

# run VARIANT: one trial, prints Mpps
run() {
  local out=$TMP/$1.out
  cfg "$TMP/$1.cfg" "$1"
  timeout -s INT $((SECS + WARMUP + 1)) "$PRXD" -c "$TMP/$1.cfg" -s 1 \
    -- --lcores=0@0,1@1,2@$WORKER_CPU > "$out" 2> "$TMP/$1.err"
  grep -o 'prx-total: rx=[0-9]* originated=[0-9]* tx=[0-9]*' "$out" |
    sed 's/.*tx=//' | awk -v w="$WARMUP" '
      NR == w { a = $1; na = NR } { b = $1; nb = NR }
      END { if (nb > na && na) printf "%.3f\n", (b - a) / (nb - na) / 1e6; else print "NA" }'
}

for v in inline offload; do : > "$TMP/$v.res"; done
for t in $(seq 1 "$TRIALS"); do
  for v in inline offload; do
    r=$(run $v); echo "trial $t $v $r Mpps" >&2; echo "$r" >> "$TMP/$v.res"
  done
done
i=$(median < "$TMP/inline.res"); o=$(median < "$TMP/offload.res")
echo "work_cycles=$WORK inline=$i Mpps offload=$o Mpps (median of $TRIALS, burst $BURST)"
