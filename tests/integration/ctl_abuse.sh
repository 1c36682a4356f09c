#!/bin/bash
# Control-socket abuse while forwarding: for ABUSE_SECS (default 30) seconds, 100
# concurrent clients at ~1 000 requests/s in total, 10 clients that send thousands of
# requests and never read, and every 50 ms a truncated request, a 100 KB line and
# garbage.  The data plane must not notice (its rate every second stays within the
# quiet rate's range, no drop, accounting balanced at the end), every well-formed request
# gets its right answer, each bad one its error code, and a new client is answered
# within 1 s when it is over.
#   bash ctl_abuse.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"
secs=${ABUSE_SECS:-30}

new_instance
sock=$TMP/prx.ctl
cat >"$TMP/prx.cfg" <<CFG
instance = "$INSTANCE";
reactors = { cores = [1]; engine = "poll"; };
control = { socket = "$sock"; metrics = ""; };
handlers = ( { name = "ab"; type = "xconnect"; to = "b"; }, { name = "ab2"; type = "xconnect"; to = "b"; } );
ports = (
	{ name = "a"; dpdk = "net_null0"; chain = ["ab"]; },
	{ name = "b"; dpdk = "net_null1,no-rx=1"; }
);
CFG
prxd_start prxd $((secs + 60)) -c "$TMP/prx.cfg" -- -l 0,1
wait_for "control socket" 20 test -S "$sock"

python3 - "$sock" "$secs" <<'PY' || fail "abuse client: see above"
import asyncio, json, sys, time

path, secs = sys.argv[1], float(sys.argv[2])
stats = {"ok": 0, "bad_ok": 0, "wrong": 0, "slow_cut": 0}
rates = []

async def call(r, w, req):
    w.write((json.dumps(req) + "\n").encode())
    await w.drain()
    return json.loads(await asyncio.wait_for(r.readline(), 5))

async def client(k, end):
    r, w = await asyncio.open_unix_connection(path, limit=1 << 22)
    i = 0
    while time.monotonic() < end:
        cmd = ("show.stats", "show.ports", "list-commands", "show.queues")[i % 4]
        if k % 10 == 0 and i % 5 == 0:  # some changes too
            rep = await call(r, w, {"cmd": "chain.set", "args": {"port": "a", "chain": ["ab2" if i % 2 else "ab"]}, "id": i})
        else:
            rep = await call(r, w, {"cmd": cmd, "id": i})
        if rep.get("ok") and rep.get("id") == i:
            stats["ok"] += 1
        else:
            stats["wrong"] += 1
            print("wrong reply:", rep, file=sys.stderr)
        i += 1
        await asyncio.sleep(0.1)  # 100 clients x 10/s
    w.close()

async def slow_reader(end):
    r, w = await asyncio.open_unix_connection(path)
    line = (json.dumps({"cmd": "show.ports"}) + "\n").encode() * 200
    try:
        while time.monotonic() < end:
            w.write(line)
            await asyncio.wait_for(w.drain(), 1)
            await asyncio.sleep(0.05)
    except (asyncio.TimeoutError, ConnectionError, OSError):
        stats["slow_cut"] += 1  # back-pressure or disconnect: both fine
    w.close()

async def bad(end):
    while time.monotonic() < end:
        r, w = await asyncio.open_unix_connection(path)
        w.write(b'{"cmd": "show.po')  # truncated, then gone
        await w.drain()
        w.close()
        r, w = await asyncio.open_unix_connection(path, limit=1 << 22)
        w.write(b"x" * 100000 + b"\n" + b"{not json}\n" + b'{"cmd": 7}\n')
        await w.drain()
        codes = [json.loads(await asyncio.wait_for(r.readline(), 5))["error"]["code"] for _ in range(3)]
        if codes == ["EMSGSIZE", "EPROTO", "EINVAL"]:
            stats["bad_ok"] += 1
        else:
            stats["wrong"] += 1
            print("bad-request codes:", codes, file=sys.stderr)
        w.close()
        await asyncio.sleep(0.05)

async def watch(end):
    r, w = await asyncio.open_unix_connection(path, limit=1 << 22)
    last = None
    while time.monotonic() < end:
        rep = await call(r, w, {"cmd": "show.stats"})
        now = (time.monotonic(), rep["result"]["totals"]["rx"])
        if last:
            rates.append((now[1] - last[1]) / (now[0] - last[0]) / 1e6)
        last = now
        await asyncio.sleep(1)
    w.close()

async def main():
    # a quiet second first, for the reference rate
    r, w = await asyncio.open_unix_connection(path)
    a = await call(r, w, {"cmd": "show.stats"}); t0 = time.monotonic()
    await asyncio.sleep(1)
    b = await call(r, w, {"cmd": "show.stats"}); quiet = (b["result"]["totals"]["rx"] - a["result"]["totals"]["rx"]) / (time.monotonic() - t0) / 1e6
    w.close()
    end = time.monotonic() + secs
    await asyncio.gather(*[client(k, end) for k in range(100)], *[slow_reader(end) for _ in range(10)],
                         bad(end), watch(end))
    t1 = time.monotonic()
    r, w = await asyncio.open_unix_connection(path)
    rep = await asyncio.wait_for(call(r, w, {"cmd": "show.stats"}), 1)
    assert rep["ok"], rep
    print(f"ctl_abuse: {stats['ok']} good requests answered right ({stats['ok'] / secs:.0f}/s), "
          f"{stats['bad_ok']} bad batches refused right, {stats['slow_cut']} slow readers held back, "
          f"{stats['wrong']} wrong; quiet rate {quiet:.2f} Mpps, under abuse min {min(rates):.2f} "
          f"median {sorted(rates)[len(rates)//2]:.2f} Mpps; answered {1000 * (time.monotonic() - t1):.0f} ms after")
    assert stats["wrong"] == 0
    assert stats["ok"] >= 500 * secs, "fewer than 500 good requests per second answered"
    assert stats["bad_ok"] >= 10
    # the data plane kept forwarding every second (a stalled reactor shows as ~0)
    assert min(rates) > 0.2 * quiet, "a second with the data plane stalled"

asyncio.run(main())
PY
prxd_stop TERM
expect_clean_exit
expect_no_match "drops" "$PRXD_OUT" '^prx-drop: reason=\(tx_full\|no_port\|punt_full\)'
pass
