/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The drops of net_af_packet's sockets (drivers/dpdk/dpdk_afp_drops.c), on packet
 * sockets of this process bound to the loopback of a private network namespace: which
 * sockets are found from the devargs, that drops before the search are not counted, and
 * that a flood the sockets do not read shows up, summed over reads (the kernel resets
 * its counters on each).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dpdk_internal.h"
#include "prx_test.h"

/* A packet socket on lo receiving everything, with a small receive buffer. */
static int
listener(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex("lo"),
	};
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	int small = 4096;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	return fd;
}

/* n frames of 1000 bytes out through lo (they come back to every listener). */
static void
flood(int n)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = (int)if_nametoindex("lo"),
		.sll_halen = 6,
	};
	unsigned char f[1000] = {0};
	int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: receives nothing */

	CU_ASSERT_FATAL(fd >= 0);
	f[12] = 0x88; /* a local experimental EtherType */
	f[13] = 0xb5;
	for (int i = 0; i < n; i++)
		CU_ASSERT(sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) ==
			  (ssize_t)sizeof(f));
	close(fd);
}

static void
test_devargs(void)
{
	struct dpdk_afp_drops d;

	CU_ASSERT_EQUAL(dpdk_afp_drops_find(&d, "p", "net_af_packet0"), -ENOENT);
	CU_ASSERT_EQUAL(d.n, 0);
	CU_ASSERT_EQUAL(dpdk_afp_drops_find(&d, "p", "net_af_packet0,iface=nosuch9"), -ENOENT);
	CU_ASSERT_EQUAL(dpdk_afp_drops_find(&d, "p", "net_af_packet0,xiface=lo"), -ENOENT);
	/* no packet socket on lo yet */
	CU_ASSERT_EQUAL(dpdk_afp_drops_find(&d, "p", "net_af_packet0,iface=lo,qpairs=1"), -ENOENT);
	CU_ASSERT_EQUAL(dpdk_afp_drops_read(&d), 0);
}

static void
test_drops_counted(void)
{
	int a = listener(), b = listener();
	int other = socket(AF_INET, SOCK_DGRAM, 0);
	struct dpdk_afp_drops d;
	uint64_t first, second;

	flood(200); /* dropped before the search: not ours to count */
	CU_ASSERT_EQUAL_FATAL(dpdk_afp_drops_find(&d, "p", "net_af_packet0,iface=lo"), 0);
	CU_ASSERT_EQUAL(d.n, 2); /* a and b, not the UDP socket */
	CU_ASSERT_EQUAL(d.total, 0);
	flood(500);
	first = dpdk_afp_drops_read(&d);
	/* the buffers are full since the first flood: each listener drops each frame, once
	 * or twice (lo shows it going out and coming in) */
	CU_ASSERT(first >= 1000 && first <= 2000);
	flood(500);
	second = dpdk_afp_drops_read(&d);
	/* a sum: the kernel reset its counts on the read */
	CU_ASSERT(second - first >= 1000 && second - first <= 2000);
	CU_ASSERT_EQUAL(dpdk_afp_drops_read(&d), second);
	close(a);
	close(b);
	close(other);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_devargs),
		PRX_TEST(test_drops_counted),
		{NULL, NULL},
	};
	struct ifreq ifr = {0};
	int fd;

	/* a loopback of our own: no other process's traffic on it */
	if (unshare(CLONE_NEWNET) != 0)
		return 77; /* not root: skipped */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return 1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		return 1;
	close(fd);
	return prx_test_run("dpdk_afp", cases, 0);
}
