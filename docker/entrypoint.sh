#!/bin/sh
# prx container entrypoint (installed as prx-entrypoint; docs/deploy.md).
#
# Thin on purpose: every decision is prxd's own, made in C and unit-tested against fake
# /sys, /proc and cgroup trees, and logged at start -
#   mode auto      DPDK when every port's device is usable (vdev, or PCI bound to vfio-pci
#                  with its /dev/vfio nodes here, and hugepages), else fallback, with why;
#   CPUs           the configured cores must be in the allowed set (affinity and cgroup
#                  cpuset), or are mapped onto it with core_mapping = "relative";
#   SR-IOV         a port's dpdk = "${PCIDEVICE_<RESOURCE>[i]}" takes the device plugin's
#                  PCI address from the environment;
#   privileges     fallback mode checks for CAP_NET_RAW and CAP_NET_ADMIN; capabilities
#                  are dropped once prxd runs.
#
#   prx-entrypoint [prxd options] [-- EAL args]   prxd -c $PRX_CONFIG (/etc/prx/prx.cfg)
#   prx-entrypoint health                         the HEALTHCHECK: prxd answers on its socket
#   prx-entrypoint COMMAND [ARGS]                 run COMMAND instead (prxctl, sh, ...)
set -eu

config=${PRX_CONFIG:-/etc/prx/prx.cfg}

case "${1:-}" in
health)
	# the control socket: $PRX_CTL_SOCKET, else the one instance under /run/prx
	sock=${PRX_CTL_SOCKET:-}
	if [ -z "$sock" ]; then
		for s in /run/prx/*/prx.ctl; do
			[ -S "$s" ] && sock=$s && break
		done
	fi
	[ -n "$sock" ] || {
		echo "prx-entrypoint: no control socket under /run/prx (set PRX_CTL_SOCKET)" >&2
		exit 1
	}
	exec prxctl -t 3 -s "$sock" show reactors >/dev/null
	;;
"" | -*)
	exec prxd -c "$config" "$@"
	;;
*)
	exec "$@"
	;;
esac
