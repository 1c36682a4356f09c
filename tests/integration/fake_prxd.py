#!/usr/bin/env python3
"""A fake prxd control socket for prxctl's tests (prxctl_fake.sh), stdlib only.

    python3 fake_prxd.py SOCKET REQUEST_LOG REPLY_LOG [--hang]

Serves the JSON-lines protocol of docs/control.md on the Unix socket SOCKET with canned
answers, and appends every request line exactly as received to REQUEST_LOG and every
reply line to REPLY_LOG, so the test can check what prxctl sent and what it was told.
With --hang it reads and logs requests but never answers (prxctl's -t).

show.stats counters grow by a known amount per show.stats request on the same connection
(the n-th request: in.rx = 1000 n, out.tx = 900 n, dropped = 100 n), so a one-shot
`prxctl stats` always sees n = 1 and stats --watch sees exact deltas.
"""
import json
import os
import socketserver
import sys

SOCKET, REQUEST_LOG, REPLY_LOG = sys.argv[1:4]
HANG = "--hang" in sys.argv[4:]

PORTS = [
    {"name": "in", "slot": 0, "driver": "dpdk", "device": "net_pcap0", "link": True,
     "speed_mbps": 10000, "rx_queues": 2, "chain": ["count", "fwd"], "rx": 1234567,
     "tx_drop": 0},
    # a null, an empty chain and a key the first row lacks (union of columns)
    {"name": "out", "slot": 1, "driver": "kernel", "device": "veth0", "link": False,
     "speed_mbps": None, "rx_queues": 1, "chain": [], "rx": 0, "tx_drop": 12,
     "mac": "02:00:00:00:00:01"},
]

RELOAD_ERROR = ("/etc/prx/prx.cfg:3: ports.[0].rx_queues: must be 1..64\n"
                "/etc/prx/prx.cfg:7: handlers.[1].type: unknown type \"nope\"")


ACL_RULES = [
    {"rule": 1, "action": "deny", "proto": "tcp", "src": "any", "dst": "10.0.2.0/24",
     "sport": "any", "dport": "5201", "hits": 12, "where": "fw.rules:3"},
    {"rule": 2, "action": "allow", "proto": "udp", "src": "10.0.1.0/24", "dst": "any",
     "sport": "1024-65535", "dport": "53", "hits": 3456789, "where": "fw.rules:4"},
]


def stats(n):
    return {
        "totals": {"rx": 1000 * n, "originated": 0, "tx": 900 * n, "dropped": 100 * n,
                   "punted": 0, "in_flight": 0, "balanced": True},
        "ports": [
            {"name": "in", "rx": 1000 * n, "tx": 0, "tx_drop": 0, "imissed": 0, "ierrors": 0},
            {"name": "out", "rx": 0, "tx": 900 * n, "tx_drop": 0, "imissed": 0, "ierrors": 0},
        ],
        "reactors": [{"id": 0, "rx": 1000 * n, "tx": 900 * n, "dropped": 100 * n,
                      "busy_pct": 12.5}],
        "drops": {"no_route": 60 * n, "ttl_exceeded": 40 * n},
    }


class Error(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def answer(cmd, args, conn):
    """The result of one command, or raise Error."""
    if cmd == "list-commands":
        return [{"cmd": "list-commands", "args": "", "help": "this list"},
                {"cmd": "queue.move", "args": "{port, queue, reactor}",
                 "help": "move an rx queue"}]
    if cmd == "show.ports":
        return PORTS
    if cmd == "show.errors":
        # a table, and an empty list: "ports: (none)"
        return {"drops": [{"reason": "no_route", "count": 60,
                           "description": "no route to the destination"}],
                "ports": []}
    if cmd == "show.stats":
        conn.stats_requests += 1
        return stats(conn.stats_requests)
    if cmd == "port.add":
        name = args["name"]
        if name == "in":
            if not args.get("exist_ok"):
                raise Error("EEXIST", f'port "{name}" exists already')
            return {"name": name, "slot": 0, "existed": True,
                    "queues": [{"queue": 0, "reactor": 0}], "live_us": 0}
        return {"name": name, "slot": 2, "existed": False,
                "queues": [{"queue": q, "reactor": q % 2}
                           for q in range(args.get("rx_queues", 1))],
                "live_us": 41}
    if cmd == "port.del":
        name = args["name"]
        if name in ("in", "out"):
            return {"name": name, "existed": True, "live_us": 12}
        if args.get("missing_ok"):
            return {"name": name, "existed": False, "live_us": 0}
        raise Error("ENOENT", f'no port "{name}"')
    if cmd == "queue.move":
        return {"port": args["port"], "queue": args["queue"], "from": 0,
                "to": args["reactor"], "live_us": 41}
    if cmd == "chain.set":
        return {"port": args["port"], "chain": args["chain"], "live_us": 5}
    if cmd == "reload":
        if args.get("fail"):
            raise Error("EINVAL", RELOAD_ERROR)
        return {"file": "/etc/prx/prx.cfg",
                "changes": ["port out: chain fwd -> count,fwd", "handler count: added"],
                "live_us": 300}
    if cmd.startswith(("route.", "neigh.")):
        return router(cmd, args)
    if cmd in ("acl.load", "acl.show"):
        if args.get("handler") != "fw":
            raise Error("ENOENT", f'no handler "{args.get("handler")}"')
        if cmd == "acl.show":
            return {"handler": "fw", "default": "deny", "non_ipv4": "pass",
                    "rules_file": "/etc/prx/fw.rules", "default_hits": 7,
                    "rules": ACL_RULES}
        path = args["file"]
        if path.endswith("bad.rules"):
            raise Error("EINVAL", f"{path}:2: \"drop\" is not an action (allow or deny)\n"
                                  f"{path}:5: ports need proto tcp or udp")
        return {"handler": "fw", "file": path, "rules": 2, "build_us": 377,
                "total_us": 460, "live_us": 41}
    raise Error("ENOENT", f'unknown command "{cmd}"')


def router(cmd, args):
    """A router "rt" with 10.0.3.0/24 via 10.0.2.2 and one neighbour."""
    if args.get("handler") != "rt":
        raise Error("ENOENT", f'no handler "{args.get("handler")}"')
    if cmd == "route.add":
        existed = args["prefix"] == "10.0.3.0/24"
        if existed and not args.get("exist_ok"):
            raise Error("EEXIST", "route 10.0.3.0/24 exists")
        return {"handler": "rt", "prefix": args["prefix"], "via": args.get("via"),
                "port": args["port"], "existed": existed, "routes": 7 if existed else 8,
                "live_us": 0 if existed else 9}
    if cmd == "route.del":
        existed = args["prefix"] == "10.0.3.0/24"
        if not existed and not args.get("missing_ok"):
            raise Error("ENOENT", f'no route {args["prefix"]}')
        return {"handler": "rt", "prefix": args["prefix"], "existed": existed,
                "routes": 6 if existed else 7, "live_us": 8}
    if cmd == "neigh.add":
        return {"handler": "rt", "ip": args["ip"], "mac": args["mac"], "port": args["port"],
                "live_us": 3}
    if cmd == "neigh.del":
        existed = args["ip"] == "10.0.2.2"
        if not existed and not args.get("missing_ok"):
            raise Error("ENOENT", f'no neighbour {args["ip"]}')
        return {"handler": "rt", "ip": args["ip"], "existed": existed, "live_us": 2}
    neighbors = [{"ip": "10.0.2.2", "mac": "02:00:00:00:02:02", "state": "reachable",
                  "held": 0, "routes": 1, "port": "b"},
                 {"ip": "10.0.2.9", "mac": None, "state": "incomplete", "held": 3,
                  "routes": 0, "port": "b"}]
    if cmd == "neigh.show":
        return neighbors
    return {"handler": "rt", "n_routes": 2, "truncated": args.get("limit", 1000) < 2,
            "routes": [{"prefix": "10.0.2.0/24", "via": None, "port": "b",
                        "origin": "connected"},
                       {"prefix": "10.0.3.0/24", "via": "10.0.2.2", "port": "b",
                        "origin": "config"}][:args.get("limit", 1000)],
            "neighbors": neighbors,
            "counters": {"forwarded": 20, "icmp_time_exceeded": 1}}


class Handler(socketserver.StreamRequestHandler):
    def log(self, path, line):
        with open(path, "ab") as f:
            f.write(line)

    def reply(self, obj):
        line = json.dumps(obj).encode() + b"\n"
        self.log(REPLY_LOG, line)
        self.wfile.write(line)
        self.wfile.flush()

    def handle(self):
        self.stats_requests = 0
        for line in self.rfile:
            self.log(REQUEST_LOG, line)
            if HANG:
                continue
            try:
                req = json.loads(line)
            except ValueError:
                self.reply({"id": None, "ok": False,
                            "error": {"code": "EPROTO", "message": "not JSON"}})
                continue
            rid = req.get("id")
            cmd = req.get("cmd")
            # misbehaving daemons, for prxctl's checks of the reply
            if cmd == "test.badid":
                self.reply({"id": rid + 1000, "ok": True, "result": None})
                continue
            if cmd == "test.nullid":
                self.reply({"id": None, "ok": False,
                            "error": {"code": "EMSGSIZE", "message": "request too long"}})
                continue
            if cmd == "test.huge":
                # 65 MiB without a newline: prxctl must give up at 64 MiB
                try:
                    self.wfile.write(b'{"id": %d, "ok": true, "result": "' % rid)
                    chunk = b"x" * (1 << 20)
                    for _ in range(65):
                        self.wfile.write(chunk)
                    self.wfile.write(b'"}\n')
                    self.wfile.flush()
                except OSError:
                    pass  # prxctl hung up, as it should
                return
            try:
                result = answer(cmd, req.get("args", {}), self)
                self.reply({"id": rid, "ok": True, "result": result})
            except Error as e:
                self.reply({"id": rid, "ok": False,
                            "error": {"code": e.code, "message": e.message}})


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


if os.path.exists(SOCKET):
    os.unlink(SOCKET)
with Server(SOCKET, Handler) as server:
    server.serve_forever()
