#!/bin/bash
# live.sh - what live changes cost the data plane, and how fast they take effect.
#
# 1. Throughput of an untouched queue during 100 changes per second, against none, in
#    the same run: prxd forwards net_null a -> b on one polling reactor (lcore 1); a
#    client alternates windows of SECS seconds without changes and with 100 changes per
#    second (a chain replaced on port c, whose queue the same reactor polls, so every
#    change is a new snapshot for the reactor that forwards a; every tenth change adds
#    or removes a port d, which republishes to every reactor).  Rate of a = its rx
#    counter over each window.  Target: changes/quiet >= 0.99.
# 2. Command to live: fallback mode, one kernel interface with two rx queues on two
#    reactors with the epoll engine, idle (asleep), 200 chain replacements one after
#    the other: the client's round trip (request sent to reply read; the reply comes
#    once every reactor runs the new snapshot) and prxd's own publish-to-live time, and
#    `prxctl chain set` timed whole (process start included).  Target: median < 1 ms.
#
#   sudo tools/bench/live.sh [PRXD [PRXCTL]]
# Env: SECS (3), ROUNDS (4), BUILD (build dir, default build).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/bench/common.sh
source "$here/common.sh"
find_prxd "${1:-}"
PRXCTL=${2:-$(dirname "$PRXD")/../../tools/prxctl/prxctl}
PRXCTL=$(readlink -f "$PRXCTL")
SECS=${SECS:-3}
ROUNDS=${ROUNDS:-4}
TAG=lv$$
W=$(mktemp -d /tmp/prx-live.XXXXXX)
PIDS=()

[ "$(id -u)" = 0 ] || { echo "live.sh: run as root" >&2; exit 1; }
[ -x "$PRXCTL" ] || { echo "live.sh: no prxctl at $PRXCTL (pass it as the second argument)" >&2; exit 1; }

cleanup() {
	for p in "${PIDS[@]}"; do stop_pid "$p" 5 >/dev/null 2>&1; done
	ip netns del ${TAG} 2>/dev/null
	rm -rf /var/run/dpdk/${TAG}* /run/prx/${TAG}* "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "live.sh: $(date -u +%FT%TZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $PRXD"

# --- 1. throughput during changes ---
cat >"$W/a.cfg" <<EOF
mode = "dpdk";
instance = "${TAG}a";
reactors = { cores = [1]; engine = "poll"; };
control = { metrics = ""; };
handlers = (
  { name = "ab"; type = "xconnect"; to = "b"; },
  { name = "cb"; type = "xconnect"; to = "b"; }
);
ports = (
  { name = "a"; dpdk = "net_null0"; chain = ["ab"]; },
  { name = "b"; dpdk = "net_null1"; },
  { name = "c"; dpdk = "net_null2,no-rx=1"; chain = ["cb"]; }
);
EOF
"$PRXD" -c "$W/a.cfg" -s 0 -- -l 0,1 >"$W/a.out" 2>"$W/a.err" &
PIDS+=($!)
python3 - "/run/prx/${TAG}a/prx.ctl" "$SECS" "$ROUNDS" <<'PY' || { tail -5 "$W/a.err"; exit 1; }
import json, socket, statistics, sys, time
path, secs, rounds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX)
for _ in range(2000):
    try:
        s.connect(path)
        break
    except OSError:
        time.sleep(0.01)
f = s.makefile("rw")
def call(cmd, **args):
    f.write(json.dumps({"cmd": cmd, "args": args}) + "\n")
    f.flush()
    r = json.loads(f.readline())
    if not r["ok"]:
        sys.exit(f"{cmd}: {r['error']}")
    return r["result"]
def rx_a():
    return [p["rx"] for p in call("show.ports") if p["name"] == "a"][0], time.monotonic()
time.sleep(1)  # let the pools and caches warm up
quiet, busy, n_changes = [], [], 0
for _ in range(rounds):
    for changing in (False, True):
        c0, t0 = rx_a()
        end, k = t0 + secs, 0
        while True:
            now = time.monotonic()
            if now >= end:
                break
            if changing:
                if k % 10 == 9:
                    if k % 20 == 9:
                        call("port.add", name="d", dpdk="net_null3,no-rx=1")
                    else:
                        call("port.del", name="d")
                else:
                    call("chain.set", port="c", chain=["cb"] if k % 2 else [])
                n_changes += 1
                k += 1
                time.sleep(max(0.0, t0 + k * 0.01 - time.monotonic()))
            else:
                time.sleep(min(0.05, end - now))
        c1, t1 = rx_a()
        (busy if changing else quiet).append((c1 - c0) / (t1 - t0) / 1e6)
print(f"untouched queue, Mpps without changes: {' '.join(f'{x:.2f}' for x in quiet)}")
print(f"untouched queue, Mpps with 100 changes/s: {' '.join(f'{x:.2f}' for x in busy)}")
print(f"changes applied: {n_changes} in {rounds * secs:.0f} s of change windows")
print(f"ratio changes/quiet (medians): {statistics.median(busy) / statistics.median(quiet):.3f} (target >= 0.99)")
PY
stop_pid "${PIDS[0]}" 10 >/dev/null
PIDS=()

# --- 2. command to live, reactors asleep ---
ip netns add ${TAG}
ip -n ${TAG} link set lo up
ip -n ${TAG} link add ${TAG}x type veth peer name ${TAG}y
ip -n ${TAG} link set ${TAG}x up
ip -n ${TAG} link set ${TAG}y up
cat >"$W/b.cfg" <<EOF
mode = "fallback";
instance = "${TAG}b";
reactors = { cores = [1, 2]; engine = "epoll"; };
control = { metrics = ""; };
handlers = (
  { name = "h1"; type = "xconnect"; to = "y"; },
  { name = "h2"; type = "xconnect"; to = "y"; mac = "swap"; }
);
ports = (
  { name = "x"; kernel = "${TAG}x"; rx_queues = 2; chain = ["h1"]; },
  { name = "y"; kernel = "${TAG}y"; }
);
EOF
ip netns exec ${TAG} "$PRXD" -c "$W/b.cfg" -s 0 -- --lcores=0@0,1@1,2@0 >"$W/b.out" 2>"$W/b.err" &
PIDS+=($!)
python3 - "/run/prx/${TAG}b/prx.ctl" <<'PY' || { tail -5 "$W/b.err"; exit 1; }
import json, socket, statistics, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
for _ in range(2000):
    try:
        s.connect(path)
        break
    except OSError:
        time.sleep(0.01)
f = s.makefile("rw")
rtt, live = [], []
time.sleep(0.5)
for k in range(200):
    t0 = time.perf_counter()
    f.write(json.dumps({"cmd": "chain.set", "args": {"port": "x", "chain": ["h2" if k % 2 else "h1"]}}) + "\n")
    f.flush()
    r = json.loads(f.readline())
    rtt.append((time.perf_counter() - t0) * 1e6)
    if not r["ok"]:
        sys.exit(r["error"])
    live.append(r["result"]["live_us"])
    time.sleep(0.02)  # let both reactors fall asleep again
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]
print(f"command to live, 2 idle epoll reactors, 200 changes: client round trip median {statistics.median(rtt):.0f} us, p99 {pct(rtt, 0.99):.0f} us")
print(f"  prxd publish-to-live: median {statistics.median(live):.0f} us, p99 {pct(live, 0.99):.0f} us (target: median < 1000 us)")
PY
python3 - "$PRXCTL" "${TAG}b" <<'PY' || exit 1
import statistics, subprocess, sys, time
t = []
for k in range(20):
    t0 = time.perf_counter()
    subprocess.run([sys.argv[1], "-n", sys.argv[2], "chain", "set", "x", "h2" if k % 2 else "h1"],
                   check=True, stdout=subprocess.DEVNULL)
    t.append((time.perf_counter() - t0) * 1e6)
    time.sleep(0.02)
print(f"  prxctl chain set, whole command (process start to exit, 20 runs): median {statistics.median(t):.0f} us")
PY
