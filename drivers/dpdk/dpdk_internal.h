/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to drivers/dpdk. */
#ifndef PRX_DPDK_INTERNAL_H
#define PRX_DPDK_INTERNAL_H

#include <stdint.h>

#define DPDK_AFP_MAX_SOCKETS 64

/** The packet sockets of a net_af_packet port and the drops read from them so far
 *  (dpdk_afp_drops.c). */
struct dpdk_afp_drops {
	int fd[DPDK_AFP_MAX_SOCKETS];
	unsigned int n;
	uint64_t total;
};

/** Find the sockets of a net_af_packet port (its devargs name the interface) among this
 *  process's fds; their drops so far are not counted.  -ENOENT when there are none. */
int dpdk_afp_drops_find(struct dpdk_afp_drops *d, const char *port, const char *devargs);
/** Drops since dpdk_afp_drops_find() (control thread). */
uint64_t dpdk_afp_drops_read(struct dpdk_afp_drops *d);

#endif /* PRX_DPDK_INTERNAL_H */
