/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The drops of DPDK's net_af_packet, which it does not count.
 *
 * DPDK 22.11's af_packet PMD reads frames from a packet socket with a TPACKET_V2 rx ring
 * per queue and never asks the kernel for PACKET_STATISTICS: what its rings drop when
 * prx falls behind is counted nowhere (imissed stays 0; tests/integration/overload.sh
 * found 225 896 of 321 000 frames gone that way).  Those sockets are this process's
 * own fds, so prx finds them (packet sockets bound to the port's interface) once the
 * port is probed and adds their tp_drops to the port's imissed.  The kernel resets the
 * statistics on each read; the sum is kept here.  Nothing else in a DPDK-mode prxd opens
 * packet sockets, and the PMD keeps its sockets until the port is closed.
 */
#include "dpdk_internal.h"

#include <dirent.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prx_log.h"

/* iface=NAME in a net_af_packet devargs string, or "" */
static void
devargs_iface(const char *devargs, char *out, size_t len)
{
	const char *p = strstr(devargs, "iface=");
	size_t n;

	out[0] = '\0';
	if (p == NULL || (p != devargs && p[-1] != ','))
		return;
	p += 6;
	n = strcspn(p, ",");
	if (n == 0 || n >= len)
		return;
	memcpy(out, p, n);
	out[n] = '\0';
}

static bool
packet_socket_on(int fd, unsigned int ifindex)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);
	int domain = 0;
	socklen_t dlen = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) != 0 || domain != AF_PACKET)
		return false;
	memset(&sll, 0, sizeof(sll));
	if (getsockname(fd, (struct sockaddr *)&sll, &len) != 0)
		return false;
	return sll.sll_family == AF_PACKET && (unsigned int)sll.sll_ifindex == ifindex;
}

int
dpdk_afp_drops_find(struct dpdk_afp_drops *d, const char *port, const char *devargs)
{
	char iface[IF_NAMESIZE];
	unsigned int ifindex;
	struct dirent *e;
	DIR *dir;

	memset(d, 0, sizeof(*d));
	devargs_iface(devargs, iface, sizeof(iface));
	ifindex = iface[0] != '\0' ? if_nametoindex(iface) : 0;
	if (ifindex == 0) {
		PRX_LOG(WARNING, PORT, "%s: no interface in \"%s\": its ring drops go uncounted",
			port, devargs);
		return -ENOENT;
	}
	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return -errno;
	while ((e = readdir(dir)) != NULL && d->n < DPDK_AFP_MAX_SOCKETS) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end != '\0' || end == e->d_name || fd == dirfd(dir))
			continue;
		if (packet_socket_on((int)fd, ifindex))
			d->fd[d->n++] = (int)fd;
	}
	closedir(dir);
	/* what was dropped before the port started is not prx's to count */
	dpdk_afp_drops_read(d);
	d->total = 0;
	PRX_LOG(INFO, PORT, "%s: counting the ring drops of %u packet socket(s) on %s", port, d->n,
		iface);
	return d->n > 0 ? 0 : -ENOENT;
}

uint64_t
dpdk_afp_drops_read(struct dpdk_afp_drops *d)
{
	for (unsigned int i = 0; i < d->n; i++) {
		struct tpacket_stats st;
		socklen_t len = sizeof(st);

		if (getsockopt(d->fd[i], SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
			d->total += st.tp_drops;
	}
	return d->total;
}
