#!/usr/bin/env python3
"""Stand in for systemd's notification socket: bind a datagram socket at PATH (or an
abstract name written @name) and append every datagram received to LOG, each followed by
a line "--".  Runs until killed.
    python3 notify_recv.py PATH LOG
"""
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
with open(log, "a", encoding="utf-8") as out:
    out.write("listening\n--\n")
    out.flush()
    while True:
        data = s.recv(4096)
        out.write(data.decode("utf-8", "replace") + "\n--\n")
        out.flush()
