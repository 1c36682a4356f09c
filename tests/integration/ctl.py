#!/usr/bin/env python3
"""Pipelined control-socket client for the integration tests.

    ctl.py SOCKET [TIMEOUT] < requests > replies

Reads one JSON request per line from stdin, sends them all on one connection without
waiting (the daemon answers in order), and prints one reply per line as it arrives,
each followed by nothing else.  The socket may appear later: connecting is retried every
2 ms for up to TIMEOUT seconds (default 30), so the client can be started with prxd.
Exits 3 when the socket cannot be reached or a reply does not come within TIMEOUT
seconds of the previous one.
"""
import socket
import sys
import time


def main():
    path = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    reqs = [line for line in sys.stdin.read().splitlines() if line.strip()]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            s.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError) as e:
            if time.monotonic() > deadline:
                print(f"ctl.py: {path}: {e}", file=sys.stderr)
                return 3
            time.sleep(0.002)
    try:
        s.sendall(("\n".join(reqs) + "\n").encode())
    except OSError as e:
        print(f"ctl.py: {path}: {e}", file=sys.stderr)
        return 3
    buf = b""
    got = 0
    while got < len(reqs):
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            print(f"ctl.py: no reply within {timeout} s ({got}/{len(reqs)})", file=sys.stderr)
            return 3
        if not chunk:
            print(f"ctl.py: connection closed after {got}/{len(reqs)} replies", file=sys.stderr)
            return 3
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            sys.stdout.write(line.decode() + "\n")
            got += 1
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
