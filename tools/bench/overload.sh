#!/bin/bash
# overload.sh - the overload-and-recovery test (tests/integration/overload.sh) as a
# benchmark: TRIALS rounds of each mode (fallback, dpdk), one line per trial with the
# capacity, what was offered, the drops per reason and the recovery time, then the
# medians.  The test's own checks still apply: a trial that fails says why.
#
#   sudo tools/bench/overload.sh [BUILD_DIR]          (default build)
# Env: TRIALS (3), MODES ("fallback dpdk"), and the test's knobs: OVERLOAD_WORK
# (work_cycles, 200000), OVERLOAD_FACTOR (2.5), OVERLOAD_SECS (4), OVERLOAD_HALF_SECS
# (7), OVERLOAD_CAL_SECS (3), OVERLOAD_RECOVERY_MAX_MS (5000).
# Needs what the test needs: root, iproute2, tc, python3.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
TRIALS=${TRIALS:-3}
MODES=${MODES:-fallback dpdk}
[ "$(id -u)" = 0 ] || { echo "overload.sh: run as root" >&2; exit 1; }
for f in app/prxd/prxd tests/tools/pcaptool tests/tools/pktio; do
	[ -x "$BUILD/$f" ] || { echo "overload.sh: no $BUILD/$f (ninja -C $BUILD)" >&2; exit 1; }
done
W=$(mktemp -d /tmp/prx-overload-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# field LINE KEY: the number after "KEY " or "KEY=" in the test's summary line
field() {
	printf '%s\n' "$1" | grep -o "$2[ =][0-9]*" | head -n 1 | grep -o '[0-9]*$'
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg); work_cycles=${OVERLOAD_WORK:-200000} factor=${OVERLOAD_FACTOR:-2.5}"
printf '%-8s %5s %9s %9s %9s %9s %9s %8s %8s %11s %8s\n' mode trial cap_cal cap_over \
	offered half imissed tx_full rx_nombuf recovery_ms ctl_ms
for t in $(seq 1 "$TRIALS"); do
	for m in $MODES; do
		out=$W/$m.$t.log
		if ! bash tests/integration/overload.sh "$BUILD/app/prxd/prxd" \
			"$BUILD/tests/tools/pcaptool" "$BUILD/tests/tools/pktio" "$m" >"$out" 2>&1; then
			echo "$m trial $t failed: $(grep -m1 '^FAIL' "$out")"
			continue
		fi
		l=$(grep "^overload: $m: work_cycles" "$out")
		printf '%-8s %5s %9s %9s %9s %9s %9s %8s %8s %11s %8s\n' "$m" "$t" \
			"$(field "$l" capacity)" "$(printf '%s\n' "$l" | grep -o '[0-9]*/s under' | grep -o '^[0-9]*')" \
			"$(field "$l" offered)" "$(printf '%s\n' "$l" | grep -o 'then [0-9]*' | grep -o '[0-9]*')" \
			"$(field "$l" imissed)" \
			"$(printf '%s\n' "$l" | grep -o 'tx_full:[0-9]*' | grep -o '[0-9]*$' || echo 0)" \
			"$(field "$l" rx_nombuf)" "$(field "$l" recovery)" \
			"$(printf '%s\n' "$l" | grep -o 'max [0-9.]* ms' | grep -o '[0-9.]*')" | tee -a "$W/table"
	done
done
echo "medians:"
for m in $MODES; do
	grep "^$m " "$W/table" 2>/dev/null | awk -v m="$m" '
		{ cap[NR] = $3; over[NR] = $4; rec[NR] = $10 }
		function med(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		END { if (NR) printf "%-8s capacity %d/s (calibration), %d/s under overload, recovery %d ms (%d trials)\n",
			m, med(cap, NR), med(over, NR), med(rec, NR), NR }'
done
