/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DPDK or fallback: the choice `mode = "auto"` makes before EAL starts.
 *
 * DPDK mode is chosen when every port has a DPDK device that can be used: a vdev (net_*
 * and the like: always there), or a PCI device that exists under /sys/bus/pci/devices and
 * is bound to a driver DPDK can use (vfio-pci, uio_pci_generic, igb_uio, or a bifurcated
 * driver whose PMD works beside the kernel: mlx4_core, mlx5_core), with hugepages free
 * for it; for vfio-pci its group's node /dev/vfio/N (or noiommu-N) and /dev/vfio/vfio
 * must be there too (a container gets them with --device).  A port whose `dpdk` names an
 * environment variable that is not set (SR-IOV device plugin, prx_conf_port.dpdk_unset)
 * has no DPDK device.  Otherwise fallback mode is chosen when every port names a kernel interface.
 * `mode = "dpdk"` and `"fallback"` are taken as they are.
 */
#ifndef PRX_MODE_H
#define PRX_MODE_H

#include "prx_conf.h"
#include "prx_eal.h"

/** The decision and why, for the log. */
struct prx_mode_choice {
	enum prx_mode mode; /**< PRX_MODE_DPDK or PRX_MODE_FALLBACK */
	char why[256];
};

/**
 * Decide the mode.  `root` prefixes /sys paths ("" for the real machine; tests pass a fake
 * tree); env says whether hugepages can be had.
 * @return 0, or -ENODEV when neither mode can run (why says which port lacks what).
 */
int prx_mode_decide(const struct prx_conf *conf, const char *root, const struct prx_eal_env *env,
		    struct prx_mode_choice *out);

#endif /* PRX_MODE_H */
