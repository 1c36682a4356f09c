/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AF_PACKET suite's harness: a veth pair in the process's own network namespace
 * (test_afpacket.c's main unshares it, so everything goes away with the process), a
 * plain packet socket as the peer, and frame helpers.  Declarations in afp_env.h.
 */
#include "afp_env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

char if_a[IFNAMSIZ], if_b[IFNAMSIZ];
const struct rte_ether_addr mac_a = {{0x02, 0, 0, 0, 0, 0x0a}};
const struct rte_ether_addr mac_b = {{0x02, 0, 0, 0, 0, 0x0b}};
struct rte_mempool *pool;
unsigned int pool_before;
int peer = -1;
uint8_t buf[16384], buf2[16384];

/* ------------------------------------------------------------------ helpers */

static int
vsh(bool report, const char *fmt, va_list ap)
{
	char cmd[512];
	int rc;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	rc = system(cmd);
	if (rc != 0 && report)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* Run a shell command; its exit status, reported when not 0. */
int
sh(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(true, fmt, ap);
	va_end(ap);
	return rc;
}

/* The same, for commands whose failure is an answer. */
int
sh_quiet(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(false, fmt, ap);
	va_end(ap);
	return rc;
}

void
veth_del(void)
{
	sh_quiet("ip link del %s 2>/dev/null", if_a);
}

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

int
write_file(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, v, strlen(v));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The peer's packet socket on B: sends raw frames, receives what A transmits. */
int
peer_open(void)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex(if_b)};
	int one = 1, big = 8 << 20;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A fresh veth pair A-B, both up, IPv6 off; mtu on both ends. */
void
setup_mtu(int mtu)
{
	if (pool == NULL) /* EAL runs once prx_test_run() calls the cases */
		pool = rte_pktmbuf_pool_create("ut_afp", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	CU_ASSERT_FATAL(pool != NULL);
	pool_before = rte_mempool_avail_count(pool);
	veth_del();
	CU_ASSERT_FATAL(sh("ip link add %s mtu %d type veth peer name %s mtu %d", if_a, mtu, if_b,
			   mtu) == 0);
	CU_ASSERT_FATAL(sh("ip link set %s address " RTE_ETHER_ADDR_PRT_FMT " up", if_a,
			   RTE_ETHER_ADDR_BYTES(&mac_a)) == 0);
	CU_ASSERT_FATAL(sh("ip link set %s address " RTE_ETHER_ADDR_PRT_FMT " up", if_b,
			   RTE_ETHER_ADDR_BYTES(&mac_b)) == 0);
	peer = peer_open();
	CU_ASSERT_FATAL(peer >= 0);
}

void
setup(void)
{
	setup_mtu(1500);
}

void
teardown(void)
{
	if (peer >= 0)
		close(peer);
	peer = -1;
	veth_del();
	/* every mbuf is back: nothing leaked, nothing freed twice */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), pool_before);
}

void
wait_link(struct prx_port *port, bool up)
{
	struct prx_port_link l = {0};
	uint64_t end = now_ms() + 5000;

	while (now_ms() < end) {
		CU_ASSERT_EQUAL_FATAL(prx_port_link(port, &l), 0);
		if (l.up == up)
			return;
		sleep_ms(10);
	}
	CU_FAIL("link state did not change");
}

struct prx_port *
open_port_q(const struct prx_afpacket_params *extra, uint16_t n_rxq, bool promisc)
{
	struct prx_afpacket_params p = {0};
	struct prx_port_setup s = {
		.n_rxq = n_rxq,
		.n_txq = 2,
		.rx_desc = 1024,
		.tx_desc = 1024,
		.promiscuous = promisc,
		.pool = pool,
	};
	struct prx_port *port = NULL;

	if (extra != NULL)
		p = *extra;
	p.name = "a";
	p.ifname = if_a;
	prx_afpacket_params_defaults(&p);
	CU_ASSERT_EQUAL_FATAL(prx_afpacket_port_probe(&p, &port), 0);
	CU_ASSERT_EQUAL_FATAL(prx_port_configure(port, &s), 0);
	CU_ASSERT_EQUAL_FATAL(prx_port_start(port), 0);
	wait_link(port, true);
	return port;
}

struct prx_port *
open_port(const struct prx_afpacket_params *extra)
{
	return open_port_q(extra, 1, false);
}

/* Frame i: A <- B, ethertype 0x88b5 (local experimental), payload derived from i. */
uint16_t
make_frame(uint8_t *f, uint32_t i, uint16_t len)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;

	eh->dst_addr = mac_a;
	eh->src_addr = mac_b;
	eh->ether_type = rte_cpu_to_be_16(0x88b5);
	for (uint16_t k = sizeof(*eh); k < len; k++)
		f[k] = (uint8_t)(i * 7 + k);
	memcpy(f + sizeof(*eh), &i, sizeof(i));
	return len;
}

uint16_t
frame_len(uint32_t i)
{
	return (uint16_t)(60 + (i * 37) % (1514 - 60 + 1));
}

void
peer_send(const void *f, size_t len)
{
	ssize_t n;
	int tries = 0;

	while ((n = send(peer, f, len, 0)) < 0 && (errno == EAGAIN || errno == ENOBUFS) &&
	       tries++ < 100)
		sleep_ms(1);
	CU_ASSERT_EQUAL(n, (ssize_t)len);
}

/* Receive from the peer socket with a timeout: the frame's length, or -1. */
ssize_t
peer_recv(void *f, size_t cap, int timeout_ms)
{
	struct pollfd pfd = {.fd = peer, .events = POLLIN};

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	return recv(peer, f, cap, 0);
}

/* Up to `want` packets of rx queue q, waiting at most WAIT_MS; then a short quiet wait
 * proves nothing more comes.  Returns how many were stored. */
unsigned int
rx_collect(struct prx_port *port, uint16_t q, struct rte_mbuf **pkts, unsigned int want)
{
	unsigned int got = 0;
	uint64_t end = now_ms() + WAIT_MS;

	while (got < want && now_ms() < end) {
		uint16_t n = port->rx_burst(port->rxq[q], pkts + got,
					    (uint16_t)RTE_MIN(BURST, want - got));

		if (n == 0)
			sleep_ms(1);
		got += n;
	}
	return got;
}

unsigned int
rx_quiet(struct prx_port *port, uint16_t q, unsigned int ms)
{
	struct rte_mbuf *m[BURST];
	unsigned int extra = 0;
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		uint16_t n = port->rx_burst(port->rxq[q], m, BURST);

		rte_pktmbuf_free_bulk(m, n);
		extra += n;
		if (n == 0)
			sleep_ms(1);
	}
	return extra;
}

bool
mbuf_equals(const struct rte_mbuf *m, const void *f, uint32_t len)
{
	static uint8_t tmp[16384];
	const void *d;

	if (m->pkt_len != len || len > sizeof(tmp))
		return false;
	d = rte_pktmbuf_read(m, 0, len, tmp);
	return d != NULL && memcmp(d, f, len) == 0;
}

void
get_stats(struct prx_port *port, struct prx_port_hw_stats *st)
{
	CU_ASSERT_EQUAL(prx_port_hw_stats(port, st), 0);
}

/* ------------------------------------------------------------------ cases */

/* A 2-segment copy of frame i, to send chains. */
struct rte_mbuf *
mbuf_frame(uint32_t i, uint16_t len, bool chain)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *s;
	uint16_t first = chain ? len / 3 : len;

	CU_ASSERT_FATAL(m != NULL);
	make_frame(buf2, i, len);
	while (first > rte_pktmbuf_tailroom(m))
		first = rte_pktmbuf_tailroom(m);
	memcpy(rte_pktmbuf_append(m, first), buf2, first);
	while (first < len) {
		uint16_t c;

		s = rte_pktmbuf_alloc(pool);
		CU_ASSERT_FATAL(s != NULL);
		c = (uint16_t)RTE_MIN(len - first, rte_pktmbuf_tailroom(s));
		memcpy(rte_pktmbuf_append(s, c), buf2 + first, c);
		CU_ASSERT_FATAL(rte_pktmbuf_chain(m, s) == 0);
		first += c;
	}
	return m;
}

/* Send n packets on tx queue q, retrying what the kernel refuses for a while. */
unsigned int
tx_all(struct prx_port *port, uint16_t q, struct rte_mbuf **m, unsigned int n)
{
	unsigned int sent = 0;
	uint64_t end = now_ms() + WAIT_MS;

	while (sent < n && now_ms() < end) {
		uint16_t k = port->tx_burst(port->txq[q], m + sent, (uint16_t)(n - sent));

		if (k == 0)
			sleep_ms(1);
		sent += k;
	}
	return sent;
}

/* IPv4/UDP frame of flow `flow` (source port), B -> A. */
uint16_t
make_udp(uint8_t *f, uint16_t flow, uint32_t seq)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
	uint16_t plen = 32;

	memset(f, 0, sizeof(*eh) + sizeof(*ip) + sizeof(*uh) + plen);
	eh->dst_addr = mac_a;
	eh->src_addr = mac_b;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*uh) + plen);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 9, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 9, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uh->src_port = rte_cpu_to_be_16((uint16_t)(10000 + flow));
	uh->dst_port = rte_cpu_to_be_16(9);
	uh->dgram_len = rte_cpu_to_be_16(sizeof(*uh) + plen);
	memcpy(uh + 1, &seq, sizeof(seq));
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	return (uint16_t)(sizeof(*eh) + sizeof(*ip) + sizeof(*uh) + plen);
}
