#!/usr/bin/env python3
"""Sampler and analysis for tests/integration/overload.sh (stdlib only).

    overload.py sample SOCKET IF_IN IF_OUT OUT STOP [--interval-ms MS]
        Run in prxd's network namespace.  Every MS ms (default 100) append one JSON line
        to OUT: the kernel's counters of IF_IN (rx_packets: what reached prx's input)
        and IF_OUT (tx_packets, tx_dropped: what prx put on its output), then
        show.stats and show.errors over one control-socket connection, with the
        CLOCK_MONOTONIC time of the sample and how long the replies took.  Stops when
        the file STOP exists; exits 3 when prxd stops answering (5 s).
    overload.py rate OUT T0_NS T1_NS
        Rates between the first sample at or after T0 and the last at or before T1:
        prints "in=PPS out=PPS", in over the whole span, out the median of the windows
        (one late sample does not move it).
    overload.py analyse OUT PHASES MODE
        PHASES: the sender's output (lines "phase K start_ns=T rate=R" and "phase K
        sent=N end_ns=T"; phase 0 overload, phase 1 half).  Prints the figures as
        KEY=VALUE lines (recovery_ms=-1: no window matched); the test judges them.
"""
import json
import os
import socket
import statistics
import sys
import time


# A sampling window after the overload "matches" when nothing was dropped in it, the
# backlog (frames that reached prx's input and neither left nor were dropped) is at
# most IN_FLIGHT_MAX at both its ends, and its output is within MATCH_REL of its input.
# Keeping up, the backlog is what arrives during one burst's work plus the sender's
# blocks of 32 frames; after an overload it is the kernel's ring, thousands.  (Rates
# alone are not enough: with prx's share of the cpu dipping, a window's output fell
# to its input while 3 000 frames were still queued.)
MATCH_REL = 0.05
IN_FLIGHT_MAX = 96


def fail(msg):
    print(f"overload.py: {msg}", file=sys.stderr)
    sys.exit(1)


def read_int(path):
    with open(path) as f:
        return int(f.read())


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def cmd_sample(argv):
    sock_path, if_in, if_out, out_path, stop = argv[:5]
    interval = 0.1
    rest = argv[5:]
    while rest:
        if rest[0] == "--interval-ms":
            interval = int(rest[1]) / 1000
        else:
            fail(f"unknown option {rest[0]}")
        rest = rest[2:]
    sysfs = "/sys/class/net/"
    s = connect(sock_path, 5)
    f = s.makefile("rb")
    req = b'{"cmd":"show.stats"}\n{"cmd":"show.errors"}\n'
    with open(out_path, "w") as out:
        nxt = time.monotonic()
        while True:
            last = os.path.exists(stop)
            t = time.monotonic_ns()
            rec = {
                "t": t,
                "k_in": read_int(f"{sysfs}{if_in}/statistics/rx_packets"),
                "k_out": read_int(f"{sysfs}{if_out}/statistics/tx_packets"),
                "k_out_drop": read_int(f"{sysfs}{if_out}/statistics/tx_dropped"),
            }
            try:
                s.sendall(req)
                stats = json.loads(f.readline())
                errors = json.loads(f.readline())
            except (OSError, ValueError) as e:
                print(f"overload.py: control socket: {e}", file=sys.stderr)
                sys.exit(3)
            if not stats.get("ok") or not errors.get("ok"):
                fail(f"control request refused: {stats} {errors}")
            rec["lat_ms"] = (time.monotonic_ns() - t) / 1e6
            r = stats["result"]
            ports = {p["name"]: p for p in r["ports"]}
            hw = {p["port"]: p for p in errors["result"]["ports"]}
            rec.update(
                rx=ports["in"]["rx"],
                tx=ports["out"]["tx"],
                imissed=hw["in"]["imissed"],
                rx_nombuf=hw["in"]["rx_nombuf"],
                ierrors=hw["in"]["ierrors"],
                dropped=r["totals"]["dropped"],
                drops={k: v for k, v in r["drops"].items() if v},
                mbufs_in_use=r["mbufs"]["in_use"],
            )
            out.write(json.dumps(rec) + "\n")
            out.flush()
            if last:
                return 0
            nxt += interval
            time.sleep(max(0.0, nxt - time.monotonic()))


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def named(s):
    """Drops with a name, up to sample s: at prx's input, inside prx, at its output."""
    return s["imissed"] + s["rx_nombuf"] + s["ierrors"] + s["dropped"]


def between(samples, t0, t1):
    sel = [s for s in samples if t0 <= s["t"] <= t1]
    if len(sel) < 2:
        fail(f"fewer than 2 samples between {t0} and {t1}")
    return sel[0], sel[-1]


def rate(a, b, key):
    return (b[key] - a[key]) * 1e9 / (b["t"] - a["t"])


def median_rate(samples, a, b, key):
    win = [s for s in samples if a["t"] <= s["t"] <= b["t"]]
    return statistics.median(rate(x, y, key) for x, y in zip(win, win[1:]))


def cmd_rate(argv):
    samples = load(argv[0])
    a, b = between(samples, int(argv[1]), int(argv[2]))
    print(f"in={rate(a, b, 'k_in'):.0f} out={median_rate(samples, a, b, 'k_out'):.0f}")
    return 0


def parse_phases(path):
    ph = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "phase":
                d = ph.setdefault(int(w[1]), {})
                for kv in w[2:]:
                    k, v = kv.split("=")
                    d[k] = int(v)
    if 0 not in ph or 1 not in ph or "end_ns" not in ph[1]:
        fail(f"{path}: the sender did not report both phases")
    return ph[0], ph[1]


def cmd_analyse(argv):
    samples, mode = load(argv[0]), argv[2]
    over, half = parse_phases(argv[1])
    t_end = over["end_ns"]
    res = {}

    # The control socket answered all through (a sample every interval, none late).
    during = [s for s in samples if over["start_ns"] <= s["t"] <= t_end]
    gaps = [(b["t"] - a["t"]) / 1e6 for a, b in zip(samples, samples[1:])]
    res["ctl_samples_overload"] = len(during)
    res["ctl_max_ms"] = round(max(s["lat_ms"] for s in samples), 1)
    res["sample_gap_max_ms"] = round(max(gaps), 1)

    # Overload: what was offered and what came out, after the first second (the
    # kernel's ring fills first); the capacity is the median window's output rate.
    a, b = between(samples, over["start_ns"] + 1_000_000_000, t_end)
    res["offered_over_pps"] = round(rate(a, b, "k_in"))
    res["capacity_pps"] = round(median_rate(samples, a, b, "k_out"))
    res["drops_over"] = named(b) - named(a)
    res["mbufs_in_use_max"] = max(s["mbufs_in_use"] for s in samples)
    a, b = between(samples, t_end, half["end_ns"])
    res["offered_half_pps"] = round(rate(a, b, "k_in"))

    # The veths' counters run on across prxd runs, prx's start at 0: frames counted
    # from the first sample (taken before any was sent).
    def backlog(s):
        first = samples[0]
        return (s["k_in"] - first["k_in"]) - (s["k_out"] - first["k_out"]) - named(s) + named(first)

    # Recovery: the first window starting after the overload's end with no new drop,
    # no backlog and as much out as in.
    rec = None
    for x, y in zip(samples, samples[1:]):
        if x["t"] < t_end or y["t"] > half["end_ns"]:
            continue
        din, dout = y["k_in"] - x["k_in"], y["k_out"] - x["k_out"]
        quiet = named(y) == named(x) and y["k_out_drop"] == x["k_out_drop"]
        drained = max(abs(backlog(x)), abs(backlog(y))) <= IN_FLIGHT_MAX
        if quiet and drained and abs(dout - din) <= MATCH_REL * din + IN_FLIGHT_MAX:
            rec = x
            break
    last = samples[-1]
    # After recovery: no drop with a name (exact), and every frame that reached prx
    # left it or was dropped with a name (unaccounted at the end: 0), so nothing was
    # lost silently after recovery either.  -1: never recovered (the test says so).
    if rec is None:
        res["recovery_ms"] = res["drops_after_recovery"] = -1
    else:
        res["recovery_ms"] = round((rec["t"] - t_end) / 1e6)
        # (up to half a second after the half phase: later phases may drop on purpose)
        settled = [s for s in samples if s["t"] <= half["end_ns"] + 500_000_000][-1]
        res["drops_after_recovery"] = named(settled) - named(rec)
    res["backlog_at_recovery"] = backlog(rec) if rec else -1
    res["unaccounted_end"] = backlog(last)
    for k, v in res.items():
        print(f"{k}={v}")
    print(f"drops_by_reason={','.join(f'{k}:{v}' for k, v in last['drops'].items()) or '-'}")
    for k in ("imissed", "rx_nombuf", "ierrors", "dropped"):
        print(f"end_{k}={last[k]}")
    return 0


def main():
    cmds = {"sample": (cmd_sample, 5), "rate": (cmd_rate, 3), "analyse": (cmd_analyse, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) - 2 < cmds[sys.argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]][0](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
