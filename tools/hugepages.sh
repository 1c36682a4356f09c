#!/bin/bash
# Hugepages for prx's DPDK mode (docs/deploy.md, "Hugepages"), as root on the host:
#
#   tools/hugepages.sh status                         pools per page size and NUMA node,
#                                                     hugetlbfs mounts
#   tools/hugepages.sh reserve PAGES [options]        reserve PAGES pages and mount
#                                                     hugetlbfs (if not mounted yet)
#   tools/hugepages.sh release [options]              give the pool's free pages back
# options:
#   --size 2M|1G     page size (default 2M)
#   --node N         reserve on NUMA node N only (default: spread by the kernel); prx's
#                    pools live on the NIC's node, so reserve there
#   --mount DIR      hugetlbfs mount point (default /dev/hugepages, where containers get
#                    it with -v /dev/hugepages:/dev/hugepages)
#   --persist        also write /etc/sysctl.d/80-prx-hugepages.conf (2M pages, all
#                    nodes) so the reservation survives a reboot
#   --dry-run        print what would be done, change nothing
#
# 1G pages are best reserved at boot (kernel command line: default_hugepagesz=1G
# hugepagesz=1G hugepages=N): at run time memory is often too fragmented for them.
# The pool is shared by every DPDK process on the host: check `status` before and after.
set -euo pipefail

size=2M node= mnt=/dev/hugepages dry=0 persist=0
sys=/sys

usage() {
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

run() {
	echo "+ $*"
	[ "$dry" = 1 ] || "$@"
}

write() { # FILE VALUE
	echo "+ echo $2 > $1"
	[ "$dry" = 1 ] || echo "$2" >"$1"
}

kb_of() {
	case $1 in
	2M | 2m | 2048k | 2048kB) echo 2048 ;;
	1G | 1g | 1024M | 1048576kB) echo 1048576 ;;
	*)
		echo "hugepages.sh: --size $1: 2M or 1G" >&2
		exit 2
		;;
	esac
}

pool() { # the nr_hugepages file of the chosen size (and node)
	local kb=$1
	if [ -n "$node" ]; then
		echo "$sys/devices/system/node/node$node/hugepages/hugepages-${kb}kB"
	else
		echo "$sys/kernel/mm/hugepages/hugepages-${kb}kB"
	fi
}

status() {
	local d n
	for d in "$sys"/kernel/mm/hugepages/hugepages-*; do
		[ -d "$d" ] || continue
		printf '%-22s total %6s  free %6s  reserved %6s  surplus %6s\n' \
			"${d##*/}" "$(cat "$d/nr_hugepages")" "$(cat "$d/free_hugepages")" \
			"$(cat "$d/resv_hugepages")" "$(cat "$d/surplus_hugepages")"
		for n in "$sys"/devices/system/node/node*/hugepages/"${d##*/}"; do
			[ -d "$n" ] || continue
			printf '  %-20s total %6s  free %6s\n' "$(basename "$(dirname "$(dirname "$n")")")" \
				"$(cat "$n/nr_hugepages")" "$(cat "$n/free_hugepages")"
		done
	done
	if grep -q hugetlbfs /proc/mounts; then
		awk '$3 == "hugetlbfs" { print "mounted: " $2 " (" $4 ")" }' /proc/mounts
	else
		echo "mounted: nowhere (prxd then runs DPDK with --no-huge)"
	fi
}

[ $# -ge 1 ] || usage
cmd=$1
shift
pages=
if [ "$cmd" = reserve ]; then
	[ $# -ge 1 ] || usage
	pages=$1
	shift
	[[ "$pages" =~ ^[0-9]+$ ]] || usage
fi
while [ $# -gt 0 ]; do
	case $1 in
	--size) size=${2:?}; shift ;;
	--node) node=${2:?}; shift ;;
	--mount) mnt=${2:?}; shift ;;
	--persist) persist=1 ;;
	--dry-run) dry=1 ;;
	*) usage ;;
	esac
	shift
done
kb=$(kb_of "$size")

case $cmd in
status)
	status
	;;
reserve | release)
	if [ "$dry" = 0 ] && [ "$(id -u)" != 0 ]; then
		echo "hugepages.sh: run as root (or with --dry-run)" >&2
		exit 1
	fi
	p=$(pool "$kb")
	[ -d "$p" ] || [ "$dry" = 1 ] || {
		echo "hugepages.sh: no pool $p (page size or node not supported here)" >&2
		exit 1
	}
	if [ "$cmd" = release ]; then
		# only the free pages can go: ask for total - free
		total=$(cat "$p/nr_hugepages" 2>/dev/null || echo 0)
		free=$(cat "$p/free_hugepages" 2>/dev/null || echo 0)
		write "$p/nr_hugepages" $((total - free))
		[ "$free" = "$total" ] || echo "hugepages.sh: $((total - free)) pages are in use and stay"
		exit 0
	fi
	write "$p/nr_hugepages" "$pages"
	if [ "$dry" = 0 ]; then
		got=$(cat "$p/nr_hugepages")
		[ "$got" -ge "$pages" ] || echo "hugepages.sh: only $got of $pages pages could be reserved (memory fragmented: try at boot)" >&2
	fi
	if ! awk -v m="$mnt" '$2 == m && $3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; then
		run mkdir -p "$mnt"
		run mount -t hugetlbfs -o "pagesize=$size" nodev "$mnt"
	fi
	if [ "$persist" = 1 ]; then
		if [ "$kb" != 2048 ] || [ -n "$node" ]; then
			echo "hugepages.sh: --persist covers 2M pages on all nodes; reserve others at boot" >&2
			exit 1
		fi
		write /etc/sysctl.d/80-prx-hugepages.conf "vm.nr_hugepages = $pages"
		echo "hugepages.sh: add to /etc/fstab for the mount: nodev $mnt hugetlbfs pagesize=$size 0 0"
	fi
	[ "$dry" = 1 ] || status
	;;
*)
	usage
	;;
esac
