#!/bin/bash
# 10 000 frames (60..1514 B) from a pcap file through an xconnect (mac = "keep") into
# another pcap file: exact counters and byte-identical frames.
#   bash xconnect_pcap.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

run_pcap_xconnect keep
pass
