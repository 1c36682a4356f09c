#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a pcap of malformed (and some valid) Ethernet frames for prx's parsing handlers.

    /usr/bin/python3 tests/corpus/gen_malformed.py OUT.pcap [--list]

Deterministic: a fixed order, payload bytes from a fixed seed, fixed timestamps, so the
same file comes out on every run (tests/integration/malformed.sh compares prxd's
counters with tests/corpus/golden/).  Between the groups of bad frames comes a valid
frame (UDP 10.0.0.2 -> 10.0.0.9), so a parser that loses its footing shows up as a
missing valid frame too.  The addresses fit malformed.sh's port: 10.0.0.1/24 (the
responder answers ARP requests and echo requests for it).

--list prints one line per frame: index, length, name (what the frame is meant to be).
Changing the list means regenerating the golden files (malformed.sh --update).
"""
import random
import struct
import sys

from scapy.all import (  # noqa: F401  (scapy's layers register themselves on import)
    ARP,
    ICMP,
    IP,
    TCP,
    UDP,
    Dot1AD,
    Dot1Q,
    Ether,
    IPOption_NOP,
    IPOption_RR,
    IPv6,
    Raw,
)

SEED = 20261121
PRX = "10.0.0.1"  # the port's address (malformed.sh)
SRC = "10.0.0.2"
DST = "10.0.0.9"  # another host: not answered, forwarded by ["resp", "fw", "fwd"]
MAC_PRX = "02:00:00:00:00:01"
MAC_SRC = "02:00:00:00:00:02"

rng = random.Random(SEED)
frames = []  # (name, bytes)


def payload(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def eth(etype=None):
    if etype is None:
        return Ether(dst=MAC_PRX, src=MAC_SRC)
    return Ether(dst=MAC_PRX, src=MAC_SRC, type=etype)


def add(name, pkt):
    data = bytes(pkt)
    frames.append((name, data))


def valid(tag):
    add("valid-udp-" + tag, eth() / IP(src=SRC, dst=DST) / UDP(sport=40000, dport=53) /
        Raw(payload(18)))


def ipv4(**kw):
    kw.setdefault("src", SRC)
    kw.setdefault("dst", DST)
    return IP(**kw)


def udp4_bytes(n_payload=18):
    """A complete, valid Ethernet/IPv4/UDP frame as bytes (for byte-level surgery)."""
    return bytes(eth() / ipv4() / UDP(sport=40001, dport=53) / Raw(payload(n_payload)))


def patch(data, off, new):
    return data[:off] + new + data[off + len(new):]


# --- runts and a bare Ethernet header
valid("start")
base = udp4_bytes()
for n in range(1, 14):
    add("runt-%d" % n, base[:n])
add("eth-only-ipv4", base[:14])
add("eth-only-lldp", bytes(eth(0x88CC)))  # another EtherType, nothing after: not an error
valid("after-runts")

# --- truncated headers
add("ipv4-trunc-10", base[:14 + 10])
add("ipv4-trunc-19", base[:14 + 19])
v6 = bytes(eth() / IPv6(src="fd00::2", dst="fd00::9") / UDP(sport=40002, dport=53) /
           Raw(payload(8)))
add("ipv6-trunc-20", v6[:14 + 20])
add("ipv6-trunc-39", v6[:14 + 39])
add("ipv6-payload-len-beyond", patch(v6, 14 + 4, struct.pack("!H", 500)))
tcp = eth() / ipv4() / TCP(sport=40003, dport=80, flags="S")
tcp_b = bytes(tcp)
# IPv4 total length says 20 + 10: the TCP header is cut at 10 bytes
add("tcp-trunc-10", patch(tcp_b[:14 + 30], 14 + 2, struct.pack("!H", 30)))
add("udp-trunc-4", patch(base[:14 + 24], 14 + 2, struct.pack("!H", 24)))
add("icmp-trunc-2", bytes(eth() / ipv4(proto=1, len=22) / Raw(b"\x08\x00")))
valid("after-trunc")

# --- IPv4 header fields
add("ihl-0", patch(base, 14, b"\x40"))
add("ihl-4", patch(base, 14, b"\x44"))
add("ihl-15-beyond-frame", patch(base[:14 + 40], 14, b"\x4f"))
add("total-len-beyond-frame", patch(base, 14 + 2, struct.pack("!H", 1400)))
add("total-len-below-ihl", patch(base, 14 + 2, struct.pack("!H", 12)))
add("total-len-padded", base + b"\x00" * 20)  # Ethernet padding after the datagram: fine
add("bad-version-6-in-ipv4", patch(base, 14, b"\x65"))
add("bad-version-4-in-ipv6", patch(v6, 14, b"\x45"))
add("bad-version-0", patch(base, 14, b"\x05"))
add("ipv4-options-rr", eth() / ipv4(options=[IPOption_RR(routers=["0.0.0.0"] * 3)]) /
    UDP(sport=40004, dport=53) / Raw(payload(10)))
add("ipv4-options-nop-40", eth() / ipv4(options=[IPOption_NOP()] * 40) /
    UDP(sport=40005, dport=53) / Raw(payload(10)))
valid("after-ip")

# --- VLAN tags: 0 to 3 (prx parses 2)
inner = ipv4() / UDP(sport=40006, dport=53) / Raw(payload(18))
add("vlan-0", eth() / inner)
add("vlan-1", eth() / Dot1Q(vlan=10) / inner)
add("vlan-2-qinq", Ether(dst=MAC_PRX, src=MAC_SRC) / Dot1AD(vlan=20) / Dot1Q(vlan=10) / inner)
add("vlan-3", Ether(dst=MAC_PRX, src=MAC_SRC) / Dot1AD(vlan=30) / Dot1AD(vlan=20) /
    Dot1Q(vlan=10) / inner)
add("vlan-1-trunc", bytes(eth() / Dot1Q(vlan=10) / inner)[:16])
valid("after-vlan")

# --- fragments
big = ipv4(id=4242) / UDP(sport=40007, dport=53) / Raw(payload(1000))
for i, f in enumerate(big.fragment(fragsize=400)):
    add("fragment-%d" % i, eth() / f)
add("fragment-first-tiny", eth() / ipv4(flags="MF", proto=17) / Raw(b"\x9c\x47"))
valid("after-frag")

# --- sizes: MTU, MTU + 1, jumbo
def udp_frame(total, sport):
    """A valid UDP frame of `total` bytes (Ethernet header included, no FCS)."""
    return eth() / ipv4() / UDP(sport=sport, dport=53) / Raw(payload(total - 14 - 20 - 8))


add("size-1514-mtu", udp_frame(1514, 40008))
add("size-1515-mtu+1", udp_frame(1515, 40009))
add("size-2048", udp_frame(2048, 40010))
add("size-9000-jumbo", udp_frame(9000, 40011))
add("size-9000-jumbo-icmp-echo-to-prx",
    eth() / IP(src=SRC, dst=PRX) / ICMP(type=8, id=1, seq=1) / Raw(payload(9000 - 14 - 28)))
valid("after-sizes")

# --- ARP, and what the responder answers
add("arp-request-for-prx", eth(0x0806) / ARP(op=1, hwsrc=MAC_SRC, psrc=SRC, pdst=PRX))
add("arp-request-other", eth(0x0806) / ARP(op=1, hwsrc=MAC_SRC, psrc=SRC, pdst=DST))
# one field wrong each (the lengths given, or scapy would size them from the type)
add("arp-bad-htype", eth(0x0806) / ARP(hwtype=6, hwlen=6, plen=4, op=1, hwsrc=MAC_SRC,
                                        psrc=SRC, pdst=PRX))
add("arp-bad-ptype", eth(0x0806) / ARP(ptype=0x86DD, hwlen=6, plen=4, op=1, hwsrc=MAC_SRC,
                                        psrc=SRC, pdst=PRX))
add("arp-bad-hlen", eth(0x0806) / ARP(hwlen=8, op=1, hwsrc=MAC_SRC, psrc=SRC, pdst=PRX))
add("arp-trunc-20", bytes(eth(0x0806) / ARP(op=1, psrc=SRC, pdst=PRX))[:14 + 20])
add("icmp-echo-to-prx", eth() / IP(src=SRC, dst=PRX) / ICMP(type=8, id=2, seq=1) /
    Raw(payload(32)))
add("icmp-echo-to-prx-fragment", eth() / IP(src=SRC, dst=PRX, flags="MF") /
    ICMP(type=8, id=3, seq=1) / Raw(payload(32)))
valid("end")


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: gen_malformed.py OUT.pcap [--list]\n")
        return 2
    # The pcap written by hand (scapy's writer warns about raw frames): classic format,
    # microsecond timestamps, Ethernet, fixed times, so the same bytes every run.
    with open(argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (name, data) in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(data), len(data)))
            f.write(data)
    if "--list" in argv[2:]:
        for i, (name, data) in enumerate(frames):
            print("%3d %5d %s" % (i, len(data), name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
