#!/bin/bash
# As xconnect_pcap.sh with mac = "swap": every frame comes out with its destination and
# source MAC addresses exchanged and nothing else changed.
#   bash xconnect_macswap.sh PRXD PCAPTOOL
source "$(dirname "$0")/lib.sh" "$@"

run_pcap_xconnect swap
pass
