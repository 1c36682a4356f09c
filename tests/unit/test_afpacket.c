/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET driver against a real veth pair.  The process moves itself into a new,
 * unnamed network namespace first (unshare), so the veth pair it creates there, named
 * after the pid, disappears with the process however the test ends.  Needs root (exits
 * 77, "skipped", without).  IPv6 is off in the namespace, so no ND/MLD frame disturbs
 * the exact counts.  The port is "A" (driver); the peer "B" is a plain packet socket.
 */
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

#include "prx_afpacket.h"
#include "prx_test.h"

#define N_FRAMES 1000
#define BURST 32
#define WAIT_MS 2000

static char if_a[IFNAMSIZ], if_b[IFNAMSIZ];
static const struct rte_ether_addr mac_a = {{0x02, 0, 0, 0, 0, 0x0a}};
static const struct rte_ether_addr mac_b = {{0x02, 0, 0, 0, 0, 0x0b}};
static struct rte_mempool *pool;
static unsigned int pool_before;
static int peer = -1;
static uint8_t buf[16384], buf2[16384];

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
static int
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
static int
sh_quiet(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(false, fmt, ap);
	va_end(ap);
	return rc;
}

static void
veth_del(void)
{
	sh_quiet("ip link del %s 2>/dev/null", if_a);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int
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
static int
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
static void
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

static void
setup(void)
{
	setup_mtu(1500);
}

static void
teardown(void)
{
	if (peer >= 0)
		close(peer);
	peer = -1;
	veth_del();
	/* every mbuf is back: nothing leaked, nothing freed twice */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), pool_before);
}

static void
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

static struct prx_port *
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

static struct prx_port *
open_port(const struct prx_afpacket_params *extra)
{
	return open_port_q(extra, 1, false);
}

/* Frame i: A <- B, ethertype 0x88b5 (local experimental), payload derived from i. */
static uint16_t
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

static uint16_t
frame_len(uint32_t i)
{
	return (uint16_t)(60 + (i * 37) % (1514 - 60 + 1));
}

static void
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
static ssize_t
peer_recv(void *f, size_t cap, int timeout_ms)
{
	struct pollfd pfd = {.fd = peer, .events = POLLIN};

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	return recv(peer, f, cap, 0);
}

/* Up to `want` packets of rx queue q, waiting at most WAIT_MS; then a short quiet wait
 * proves nothing more comes.  Returns how many were stored. */
static unsigned int
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

static unsigned int
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

static bool
mbuf_equals(const struct rte_mbuf *m, const void *f, uint32_t len)
{
	static uint8_t tmp[16384];
	const void *d;

	if (m->pkt_len != len || len > sizeof(tmp))
		return false;
	d = rte_pktmbuf_read(m, 0, len, tmp);
	return d != NULL && memcmp(d, f, len) == 0;
}

static void
get_stats(struct prx_port *port, struct prx_port_hw_stats *st)
{
	CU_ASSERT_EQUAL(prx_port_hw_stats(port, st), 0);
}

/* ------------------------------------------------------------------ cases */

static void
test_probe(void)
{
	struct prx_afpacket_params p = {.name = "x", .ifname = "prxnoif0"};
	struct prx_port *port = NULL;

	setup();
	prx_afpacket_params_defaults(&p);
	CU_ASSERT_EQUAL(prx_afpacket_port_probe(&p, &port), -ENODEV);
	CU_ASSERT_PTR_NULL(port);
	p.ifname = if_a;
	CU_ASSERT_EQUAL_FATAL(prx_afpacket_port_probe(&p, &port), 0);
	CU_ASSERT_STRING_EQUAL(port->ops->driver, "afpacket");
	CU_ASSERT(rte_is_same_ether_addr(&port->mac, &mac_a));
	CU_ASSERT(port->max_rxq >= 2 && port->max_txq >= 2);
	CU_ASSERT_EQUAL(prx_afpacket_mtu(port), 1500);
	CU_ASSERT_EQUAL(sh("ip link set %s mtu 1400", if_a), 0);
	CU_ASSERT_EQUAL(prx_afpacket_mtu(port), 1400);
	prx_port_close(port); /* never configured */
	teardown();
}

/* N frames from the peer arrive exactly once, in order, byte-identical. */
static void
rx_exact(enum prx_afpacket_ring ring)
{
	struct prx_afpacket_params p = {.ring = ring};
	struct rte_mbuf *m[N_FRAMES];
	struct prx_port_hw_stats st;
	struct prx_port *port;
	uint64_t bytes = 0;
	unsigned int got = 0, bad = 0;

	setup();
	port = open_port(&p);
	/* in chunks, reading in between: the ring never overflows */
	for (uint32_t i = 0; i < N_FRAMES; i += 100) {
		for (uint32_t k = i; k < i + 100; k++) {
			uint16_t len = make_frame(buf, k, frame_len(k));

			peer_send(buf, len);
			bytes += len;
		}
		got += rx_collect(port, 0, m + got, i + 100 - got);
	}
	CU_ASSERT_EQUAL(got, N_FRAMES);
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 50), 0);
	for (unsigned int i = 0; i < got; i++) {
		uint16_t len = make_frame(buf, i, frame_len(i));

		if (!mbuf_equals(m[i], buf, len))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	rte_pktmbuf_free_bulk(m, got);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.ipackets, N_FRAMES);
	CU_ASSERT_EQUAL(st.ibytes, bytes);
	CU_ASSERT_EQUAL(st.imissed, 0);
	CU_ASSERT_EQUAL(st.ierrors, 0);
	prx_port_close(port);
	teardown();
}

static void
test_rx_exact_v2(void)
{
	rx_exact(PRX_AFPACKET_RING_V2);
}

static void
test_rx_exact_v3(void)
{
	rx_exact(PRX_AFPACKET_RING_V3);
}

/* A 2-segment copy of frame i, to send chains. */
static struct rte_mbuf *
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
static unsigned int
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

/* N frames through the driver arrive exactly once at the peer; rx does not see them. */
static void
test_tx_exact(void)
{
	struct rte_mbuf *m[BURST];
	struct prx_port_hw_stats st;
	struct prx_port *port;
	unsigned int seen = 0, bad = 0;
	uint64_t bytes = 0;

	setup();
	port = open_port(NULL);
	for (uint32_t i = 0; i < N_FRAMES; i += BURST) {
		unsigned int n = RTE_MIN(BURST, N_FRAMES - i);

		for (unsigned int k = 0; k < n; k++) {
			m[k] = mbuf_frame(i + k, frame_len(i + k), (i + k) % 3 == 0);
			bytes += frame_len(i + k);
		}
		CU_ASSERT_EQUAL(tx_all(port, (uint16_t)(i / BURST % 2), m, n), n);
		for (unsigned int k = 0; k < n; k++) {
			ssize_t len = peer_recv(buf, sizeof(buf), WAIT_MS);
			uint16_t want = make_frame(buf2, i + k, frame_len(i + k));

			if (len < 0)
				break;
			seen++;
			if (len != want || memcmp(buf, buf2, want) != 0)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(seen, N_FRAMES);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(peer_recv(buf, sizeof(buf), 50), -1);
	/* own transmissions are not received */
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 50), 0);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.opackets, N_FRAMES);
	CU_ASSERT_EQUAL(st.obytes, bytes);
	CU_ASSERT_EQUAL(st.oerrors, 0);
	CU_ASSERT_EQUAL(st.ipackets, 0);
	prx_port_close(port);
	teardown();
}

/* IPv4/UDP frame of flow `flow` (source port), B -> A. */
static uint16_t
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

static uint16_t
flow_of(const struct rte_mbuf *m)
{
	const struct rte_udp_hdr *uh =
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
					sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));

	return (uint16_t)(rte_be_to_cpu_16(uh->src_port) - 10000);
}

/* Two rx queues in one fanout group: many flows spread over both; the sum is exact and
 * each flow stays on one queue. */
static void
test_fanout(void)
{
	enum { FLOWS = 64, N = 2048 };
	static struct rte_mbuf *m[2][N];
	int8_t owner[FLOWS];
	unsigned int got[2] = {0, 0}, split = 0;
	struct prx_port *port;

	setup();
	memset(owner, -1, sizeof(owner));
	port = open_port_q(NULL, 2, false);
	for (uint32_t i = 0; i < N; i += 256) {
		for (uint32_t k = i; k < i + 256; k++)
			peer_send(buf, make_udp(buf, (uint16_t)(k % FLOWS), k));
		for (uint64_t end = now_ms() + WAIT_MS;
		     got[0] + got[1] < i + 256 && now_ms() < end;)
			for (uint16_t q = 0; q < 2; q++)
				got[q] += port->rx_burst(port->rxq[q], m[q] + got[q], BURST);
	}
	CU_ASSERT_EQUAL(got[0] + got[1], N);
	CU_ASSERT(got[0] > 0 && got[1] > 0);
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20) + rx_quiet(port, 1, 20), 0);
	for (uint16_t q = 0; q < 2; q++) {
		for (unsigned int i = 0; i < got[q]; i++) {
			uint16_t f = flow_of(m[q][i]);

			if (f < FLOWS && owner[f] < 0)
				owner[f] = (int8_t)q;
			else if (f >= FLOWS || owner[f] != q)
				split++;
		}
		rte_pktmbuf_free_bulk(m[q], got[q]);
	}
	CU_ASSERT_EQUAL(split, 0);
	printf("(fanout: %u + %u) ", got[0], got[1]);
	/* a fanout member's own PACKET_IGNORE_OUTGOING does not apply: own frames still unseen */
	for (uint32_t i = 0; i < 64; i += BURST) {
		for (unsigned int k = 0; k < BURST; k++)
			m[0][k] = mbuf_frame(i + k, 100, false);
		CU_ASSERT_EQUAL(tx_all(port, 0, m[0], BURST), BURST);
	}
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20) + rx_quiet(port, 1, 20), 0);
	while (peer_recv(buf, sizeof(buf), 100) >= 0)
		;
	prx_port_close(port);
	teardown();
}

/* Send a 4000 B UDP datagram from B's stack to A's MAC: three fragments at MTU 1500. */
static void
send_fragmented(void)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9999)};
	int udp = socket(AF_INET, SOCK_DGRAM, 0);

	CU_ASSERT_FATAL(udp >= 0);
	dst.sin_addr.s_addr = htonl(RTE_IPV4(10, 77, 0, 2));
	memset(buf, 0x3c, 4000);
	CU_ASSERT_EQUAL(sendto(udp, buf, 4000, 0, (struct sockaddr *)&dst, sizeof(dst)), 4000);
	close(udp);
}

/* IP fragments reach a fanout port as they are, all of a datagram on one queue.  With
 * fanout_defrag the kernel hands over the reassembled datagram, which no ring frame holds
 * (so the default is off: docs/afpacket.md). */
static void
test_fanout_fragments(void)
{
	struct prx_afpacket_params defrag = {.fanout_defrag = true};
	struct rte_mbuf *m[2][16];
	unsigned int got[2] = {0, 0};
	struct prx_port_hw_stats st;
	struct prx_port *port;

	setup();
	CU_ASSERT_FATAL(sh("ip addr add 10.77.0.1/24 dev %s", if_b) == 0);
	CU_ASSERT_FATAL(sh("ip neigh replace 10.77.0.2 lladdr " RTE_ETHER_ADDR_PRT_FMT
			   " dev %s nud permanent",
			   RTE_ETHER_ADDR_BYTES(&mac_a), if_b) == 0);
	port = open_port_q(NULL, 2, false);
	send_fragmented();
	for (uint64_t end = now_ms() + WAIT_MS; got[0] + got[1] < 3 && now_ms() < end;)
		for (uint16_t q = 0; q < 2; q++)
			got[q] += port->rx_burst(port->rxq[q], m[q] + got[q], 8);
	CU_ASSERT(got[0] == 3 || got[1] == 3);
	for (uint16_t q = 0; q < 2; q++) {
		for (unsigned int i = 0; i < got[q]; i++)
			CU_ASSERT(m[q][i]->pkt_len <= 1514);
		rte_pktmbuf_free_bulk(m[q], got[q]);
	}
	prx_port_close(port);

	port = open_port_q(&defrag, 2, false);
	send_fragmented();
	sleep_ms(20);
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20) + rx_quiet(port, 1, 20), 0);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.ierrors, 1); /* one 4042 B frame, truncated */
	prx_port_close(port);
	teardown();
}

/* PACKET_QDISC_BYPASS on the tx sockets: frames still leave, exactly. */
static void
test_qdisc_bypass(void)
{
	struct prx_afpacket_params p = {.qdisc_bypass = true};
	struct rte_mbuf *m[BURST];
	struct prx_port *port;
	unsigned int seen = 0;

	setup();
	port = open_port(&p);
	for (unsigned int k = 0; k < BURST; k++)
		m[k] = mbuf_frame(k, frame_len(k), k % 2 == 0);
	CU_ASSERT_EQUAL(tx_all(port, 1, m, BURST), BURST);
	while (peer_recv(buf, sizeof(buf), 200) >= 0)
		seen++;
	CU_ASSERT_EQUAL(seen, BURST);
	prx_port_close(port);
	teardown();
}

/* Started while the interface is down, a fanout port joins its group when link() sees
 * the interface up, and then receives everything once. */
static void
test_fanout_start_down(void)
{
	struct prx_afpacket_params p = {.name = "a", .ifname = if_a};
	struct prx_port_setup s = {.n_rxq = 2, .n_txq = 1, .pool = pool};
	static struct rte_mbuf *m[2][256];
	unsigned int got[2] = {0, 0};
	struct prx_port *port;

	setup();
	CU_ASSERT_FATAL(sh("ip link set %s down", if_a) == 0);
	prx_afpacket_params_defaults(&p);
	CU_ASSERT_FATAL(prx_afpacket_port_probe(&p, &port) == 0);
	CU_ASSERT_FATAL(prx_port_configure(port, &s) == 0);
	CU_ASSERT_EQUAL_FATAL(prx_port_start(port), 0);
	wait_link(port, false);
	CU_ASSERT_FATAL(sh("ip link set %s up", if_a) == 0);
	wait_link(port, true);
	for (uint32_t i = 0; i < 200; i++)
		peer_send(buf, make_udp(buf, (uint16_t)(i % 32), i));
	for (uint64_t end = now_ms() + WAIT_MS; got[0] + got[1] < 200 && now_ms() < end;)
		for (uint16_t q = 0; q < 2; q++)
			got[q] += port->rx_burst(port->rxq[q], m[q] + got[q], BURST);
	CU_ASSERT_EQUAL(got[0] + got[1], 200);
	CU_ASSERT(got[0] > 0 && got[1] > 0);
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20) + rx_quiet(port, 1, 20), 0);
	rte_pktmbuf_free_bulk(m[0], got[0]);
	rte_pktmbuf_free_bulk(m[1], got[1]);
	prx_port_close(port);
	teardown();
}

/* Tagged frames: the kernel strips the outer tag into metadata; the driver puts it back. */
static void
vlan(enum prx_afpacket_ring ring)
{
	static const uint16_t tags[][2] = {
		{RTE_ETHER_TYPE_VLAN, 0x2064}, /* 802.1Q, PCP 1, VID 100 */
		{RTE_ETHER_TYPE_VLAN, 0x0000}, /* priority tag, VID 0 */
		{RTE_ETHER_TYPE_QINQ, 0x0123}, /* 802.1ad */
	};
	struct prx_afpacket_params p = {.ring = ring};
	struct rte_mbuf *m[8];
	struct prx_port *port;
	uint8_t frames[4][256];
	uint16_t lens[4];

	setup();
	port = open_port(&p);
	for (unsigned int i = 0; i < 4; i++) {
		uint8_t *f = frames[i];
		uint16_t inner = i < 3 ? 0 : 1, off = 12;

		make_frame(f, i, 200);
		/* frame 3: QinQ, 802.1ad outer (stripped) and 802.1Q inner (left in place) */
		for (uint16_t t = 0; t <= inner; t++) {
			uint16_t tpid = i < 3 ? tags[i][0] : (t == 0 ? 0x88a8 : 0x8100);
			uint16_t tci = i < 3 ? tags[i][1] : (uint16_t)(0x0200 + t);
			uint16_t be[2] = {rte_cpu_to_be_16(tpid), rte_cpu_to_be_16(tci)};

			memmove(f + off + 4, f + off, 200 - off);
			memcpy(f + off, be, 4);
			off += 4;
		}
		lens[i] = (uint16_t)(200 + 4 * (inner + 1));
		peer_send(f, lens[i]);
	}
	CU_ASSERT_EQUAL_FATAL(rx_collect(port, 0, m, 4), 4);
	for (unsigned int i = 0; i < 4; i++) {
		CU_ASSERT(mbuf_equals(m[i], frames[i], lens[i]));
		rte_pktmbuf_free(m[i]);
	}
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20), 0);
	prx_port_close(port);
	teardown();
}

static void
test_vlan_v2(void)
{
	vlan(PRX_AFPACKET_RING_V2);
}

static void
test_vlan_v3(void)
{
	vlan(PRX_AFPACKET_RING_V3);
}

/* MTU 9000: a 9014 B frame arrives as a chain of 2 KiB mbufs, byte-exact; the driver
 * sends such a chain out whole. */
static void
jumbo(enum prx_afpacket_ring ring)
{
	struct prx_afpacket_params p = {.ring = ring};
	struct rte_mbuf *m[4];
	struct prx_port_hw_stats st;
	struct prx_port *port;
	uint16_t len = 9014;
	ssize_t n;

	setup_mtu(9000);
	port = open_port(&p);
	make_frame(buf, 1, len);
	peer_send(buf, len);
	make_frame(buf, 2, 5000);
	peer_send(buf, 5000);
	CU_ASSERT_EQUAL_FATAL(rx_collect(port, 0, m, 2), 2);
	CU_ASSERT(m[0]->nb_segs >= 5);
	make_frame(buf, 1, len);
	CU_ASSERT(mbuf_equals(m[0], buf, len));
	make_frame(buf, 2, 5000);
	CU_ASSERT(mbuf_equals(m[1], buf, 5000));
	rte_pktmbuf_free_bulk(m, 2);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.ierrors, 0);

	m[0] = mbuf_frame(3, len, true);
	CU_ASSERT(m[0]->nb_segs >= 5);
	CU_ASSERT_EQUAL(tx_all(port, 0, m, 1), 1);
	n = peer_recv(buf, sizeof(buf), WAIT_MS);
	make_frame(buf2, 3, len);
	CU_ASSERT_EQUAL(n, len);
	CU_ASSERT(n == len && memcmp(buf, buf2, len) == 0);
	prx_port_close(port);
	teardown();
}

static void
test_jumbo_v2(void)
{
	jumbo(PRX_AFPACKET_RING_V2);
}

static void
test_jumbo_v3(void)
{
	jumbo(PRX_AFPACKET_RING_V3);
}

/* A ring frame smaller than the frame: dropped and counted as truncated (ierrors). */
static void
test_truncated(void)
{
	struct prx_afpacket_params p = {.frame_size = 2048};
	struct rte_mbuf *m[2];
	struct prx_port_hw_stats st;
	struct prx_port *port;

	setup_mtu(9000);
	port = open_port(&p);
	peer_send(buf, make_frame(buf, 1, 4000));
	peer_send(buf, make_frame(buf, 2, 1000));
	CU_ASSERT_EQUAL(rx_collect(port, 0, m, 1), 1);
	CU_ASSERT(mbuf_equals(m[0], buf, 1000));
	rte_pktmbuf_free(m[0]);
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20), 0);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.ierrors, 1);
	CU_ASSERT_EQUAL(st.ipackets, 1);
	prx_port_close(port);
	teardown();
}

/* Locate the IPv4/IPv6 header and L4 checksum state of a received frame. */
static int
l4_cksum_ok(const uint8_t *f, uint32_t len)
{
	uint16_t et;

	if (len < 14)
		return -1;
	memcpy(&et, f + 12, 2);
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const void *)(f + 14);

		return rte_ipv4_udptcp_cksum_verify(ip, (const uint8_t *)ip +
								rte_ipv4_hdr_len(ip)) == 0;
	}
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(f + 14);

		return rte_ipv6_udptcp_cksum_verify(ip6, ip6 + 1) == 0;
	}
	return -1;
}

/* A copy of what A receives, seen by a plain packet socket with PACKET_AUXDATA: proves
 * the kernel marked the frames TP_STATUS_CSUMNOTREADY (checksum left to offload). */
static int
aux_open(void)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex(if_a)};
	int one = 1;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	CU_ASSERT_FATAL(fd >= 0);
	setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	return fd;
}

/* One frame from the aux socket: 1 if marked CSUMNOTREADY with a checksum that does not
 * verify as received, 0 otherwise, -1 if none. */
static int
aux_partial(int fd)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cbuf;
	struct iovec iov = {.iov_base = buf2, .iov_len = sizeof(buf2)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = &cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&pfd, 1, WAIT_MS) <= 0 || (n = recvmsg(fd, &mh, 0)) < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		return (aux.tp_status & TP_STATUS_CSUMNOTREADY) &&
		       l4_cksum_ok(buf2, (uint32_t)n) == 0;
	}
	return 0;
}

/* An IPv6/TCP frame sent with a virtio-net header asking for checksum offload: veth
 * delivers it CHECKSUM_PARTIAL, like the kernel's own TCP. */
static void
send_v6_partial(void)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IPV6),
				  .sll_ifindex = (int)if_nametoindex(if_b)};
	enum { PAYLOAD = 100 };
	uint8_t f[sizeof(struct virtio_net_hdr) + sizeof(struct rte_ether_hdr) +
		  sizeof(struct rte_ipv6_hdr) + sizeof(struct rte_tcp_hdr) +
		  PAYLOAD] __rte_aligned(8);
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)f;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)(vh + 1);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip6 + 1);
	int one = 1, fd = socket(AF_PACKET, SOCK_RAW, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) == 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	memset(f, 0, sizeof(f));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = sizeof(*eh) + sizeof(*ip6);
	vh->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	eh->dst_addr = mac_a;
	eh->src_addr = mac_b;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*th) + PAYLOAD);
	ip6->proto = IPPROTO_TCP;
	ip6->hop_limits = 64;
	ip6->src_addr[0] = 0xfd;
	ip6->src_addr[15] = 1;
	ip6->dst_addr[0] = 0xfd;
	ip6->dst_addr[15] = 2;
	th->src_port = rte_cpu_to_be_16(40000);
	th->dst_port = rte_cpu_to_be_16(80);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG;
	memset(th + 1, 0x5a, PAYLOAD);
	/* what a stack hands to checksum offload: the pseudo-header sum, not inverted */
	th->cksum = rte_ipv6_phdr_cksum(ip6, 0);
	CU_ASSERT_EQUAL(send(fd, f, sizeof(f), 0), (ssize_t)sizeof(f));
	close(fd);
}

/*
 * Real TCP and UDP from the peer's stack (B has 10.77.0.1, 10.77.0.2 is a permanent
 * neighbour at A's MAC, nobody answers) plus an IPv6/TCP frame with a partial checksum:
 * all arrive marked CSUMNOTREADY with an incomplete checksum, and leave the driver with a
 * correct one.
 */
static void
test_csum(void)
{
	struct sockaddr_in dst = {.sin_family = AF_INET};
	struct rte_mbuf *m[8];
	struct prx_port *port;
	int tcp, udp, aux, partial = 0;
	unsigned int got;

	setup();
	CU_ASSERT_FATAL(sh("ip addr add 10.77.0.1/24 dev %s", if_b) == 0);
	CU_ASSERT_FATAL(sh("ip neigh replace 10.77.0.2 lladdr " RTE_ETHER_ADDR_PRT_FMT
			   " dev %s nud permanent",
			   RTE_ETHER_ADDR_BYTES(&mac_a), if_b) == 0);
	port = open_port(NULL);
	aux = aux_open();
	dst.sin_addr.s_addr = htonl(RTE_IPV4(10, 77, 0, 2));
	dst.sin_port = htons(7777);
	tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CU_ASSERT_FATAL(tcp >= 0);
	CU_ASSERT(connect(tcp, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno == EINPROGRESS);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(udp >= 0);
	dst.sin_port = htons(9999);
	memset(buf, 0xa5, 333);
	CU_ASSERT_EQUAL(sendto(udp, buf, 333, 0, (struct sockaddr *)&dst, sizeof(dst)), 333);
	send_v6_partial();
	got = rx_collect(port, 0, m, 3);
	CU_ASSERT_EQUAL(got, 3);
	for (unsigned int i = 0; i < got; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);

		CU_ASSERT_EQUAL(m[i]->nb_segs, 1);
		CU_ASSERT_EQUAL(l4_cksum_ok(d, m[i]->pkt_len), 1);
		partial += aux_partial(aux) == 1;
	}
	/* the same frames as the kernel handed them over: marked, checksum incomplete */
	CU_ASSERT_EQUAL(partial, 3);
	rte_pktmbuf_free_bulk(m, got);
	close(tcp);
	close(udp);
	close(aux);
	rx_quiet(port, 0, 10); /* a SYN retransmission may follow */
	prx_port_close(port);
	teardown();
}

/* Link down: reported, bursts return 0, nothing crashes; up: traffic flows again through
 * the same sockets. */
static void
test_link(void)
{
	struct rte_mbuf *m[10];
	struct prx_port_hw_stats st;
	struct prx_port *port;
	struct pollfd pfd;
	unsigned int seen = 0;

	setup();
	port = open_port(NULL);
	CU_ASSERT_EQUAL(sh("ip link set %s down", if_a), 0);
	wait_link(port, false);
	CU_ASSERT_EQUAL(port->rx_burst(port->rxq[0], m, 10), 0);
	for (unsigned int i = 0; i < 10; i++)
		m[i] = mbuf_frame(i, 100, false);
	CU_ASSERT_EQUAL(port->tx_burst(port->txq[0], m, 10), 0);
	rte_pktmbuf_free_bulk(m, 10);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.oerrors, 10);
	/* link() read the pending ENETDOWN: the wake-up fd does not poll as an error */
	pfd = (struct pollfd){.fd = prx_port_rx_wakeup_fd(port, 0), .events = POLLIN};
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);

	CU_ASSERT_EQUAL(sh("ip link set %s up", if_a), 0);
	wait_link(port, true);
	for (uint32_t i = 0; i < 10; i++)
		peer_send(buf, make_frame(buf, i, 100));
	CU_ASSERT_EQUAL(rx_collect(port, 0, m, 10), 10);
	rte_pktmbuf_free_bulk(m, 10);
	for (unsigned int i = 0; i < 10; i++)
		m[i] = mbuf_frame(i, 100, false);
	CU_ASSERT_EQUAL(tx_all(port, 1, m, 10), 10);
	while (peer_recv(buf, sizeof(buf), 200) == 100)
		seen++;
	CU_ASSERT_EQUAL(seen, 10);
	prx_port_close(port);
	teardown();
}

/* A tiny ring that is not read overflows: the kernel's drops are imissed, accumulated. */
static void
test_imissed(void)
{
	struct prx_afpacket_params p = {.ring_frames = 16};
	struct rte_mbuf *m[64];
	struct prx_port_hw_stats st, st2;
	struct prx_port *port;
	unsigned int got;

	setup();
	port = open_port(&p);
	for (uint32_t i = 0; i < 100; i++)
		peer_send(buf, make_frame(buf, i, 100));
	sleep_ms(20);
	get_stats(port, &st);
	got = rx_collect(port, 0, m, 64);
	CU_ASSERT_EQUAL(got, 16);
	CU_ASSERT_EQUAL(st.imissed, 100 - 16);
	/* reading PACKET_STATISTICS resets the kernel's counter; ours keeps the sum */
	get_stats(port, &st2);
	CU_ASSERT_EQUAL(st2.imissed, 100 - 16);
	CU_ASSERT_EQUAL(st2.ipackets + st2.imissed, 100);
	rte_pktmbuf_free_bulk(m, got);
	prx_port_close(port);
	teardown();
}

/* No mbuf: the frame is dropped and counted (rx_nombuf); reception resumes after. */
static void
test_nombuf(void)
{
	struct rte_mempool *small =
		rte_pktmbuf_pool_create("ut_afp_small", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct prx_afpacket_params p = {.name = "a", .ifname = if_a};
	struct prx_port_setup s = {.n_rxq = 1, .n_txq = 1, .pool = small};
	struct rte_mbuf *hold[64], *m[8];
	struct prx_port_hw_stats st;
	struct prx_port *port;
	unsigned int held = 0;

	CU_ASSERT_FATAL(small != NULL);
	setup();
	prx_afpacket_params_defaults(&p);
	CU_ASSERT_FATAL(prx_afpacket_port_probe(&p, &port) == 0);
	CU_ASSERT_FATAL(prx_port_configure(port, &s) == 0);
	CU_ASSERT_FATAL(prx_port_start(port) == 0);
	wait_link(port, true);
	while (held < 64 && (hold[held] = rte_pktmbuf_alloc(small)) != NULL)
		held++;
	for (uint32_t i = 0; i < 5; i++)
		peer_send(buf, make_frame(buf, i, 100));
	sleep_ms(20);
	CU_ASSERT_EQUAL(port->rx_burst(port->rxq[0], m, 8), 0);
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.rx_nombuf, 5);
	rte_pktmbuf_free_bulk(hold, held);
	for (uint32_t i = 0; i < 5; i++)
		peer_send(buf, make_frame(buf, i, 100));
	CU_ASSERT_EQUAL(rx_collect(port, 0, m, 5), 5);
	rte_pktmbuf_free_bulk(m, 5);
	prx_port_close(port);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(small), 63);
	rte_mempool_free(small);
	teardown();
}

/* A stopped port receives nothing, and what came before the stop is gone at start. */
static void
test_stop_start(void)
{
	struct rte_mbuf *m[16];
	struct prx_port *port;

	setup();
	port = open_port_q(NULL, 2, false);
	for (uint32_t i = 0; i < 8; i++)
		peer_send(buf, make_udp(buf, (uint16_t)i, i));
	sleep_ms(10);
	prx_port_stop(port);
	for (uint32_t i = 0; i < 8; i++)
		peer_send(buf, make_udp(buf, (uint16_t)i, i));
	sleep_ms(10);
	CU_ASSERT_EQUAL(prx_port_start(port), 0);
	CU_ASSERT_EQUAL(rx_quiet(port, 0, 20) + rx_quiet(port, 1, 20), 0);
	for (uint32_t i = 0; i < 8; i++)
		peer_send(buf, make_udp(buf, 0, i)); /* one flow: one queue */
	CU_ASSERT_EQUAL(rx_collect(port, 0, m, 8) + rx_collect(port, 1, m, 8), 8);
	rte_pktmbuf_free_bulk(m, 8);
	prx_port_close(port);
	teardown();
}

static int
gro_state(const char *ifname)
{
	struct ethtool_value ev = {.cmd = ETHTOOL_GGRO};
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	rc = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -1 : (int)ev.data;
	close(fd);
	return rc;
}

/* PACKET_MR_PROMISC raises the promiscuity count, which SIOCGIFFLAGS does not show */
static bool
promiscuous(const char *ifname)
{
	return sh_quiet("ip -d link show dev %s | grep -q ' promiscuity [1-9]'", ifname) == 0;
}

/* GRO is turned off while the port is open and back on at close; promiscuous mode is on
 * while the port is open; the wake-up fd becomes readable with a frame in the ring. */
static void
test_gro_promisc_wakeup(void)
{
	struct rte_mbuf *m[1];
	struct prx_port *port;
	struct pollfd pfd;

	setup();
	CU_ASSERT_FATAL(sh("ethtool -K %s gro on", if_a) == 0);
	CU_ASSERT_EQUAL(gro_state(if_a), 1);
	CU_ASSERT(!promiscuous(if_a));
	port = open_port_q(NULL, 1, true);
	CU_ASSERT_EQUAL(gro_state(if_a), 0);
	CU_ASSERT(promiscuous(if_a));
	pfd = (struct pollfd){.fd = prx_port_rx_wakeup_fd(port, 0), .events = POLLIN};
	CU_ASSERT(pfd.fd >= 0);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	peer_send(buf, make_frame(buf, 1, 100));
	CU_ASSERT_EQUAL(poll(&pfd, 1, WAIT_MS), 1);
	CU_ASSERT_EQUAL(rx_collect(port, 0, m, 1), 1);
	rte_pktmbuf_free(m[0]);
	CU_ASSERT_EQUAL(prx_port_rx_wakeup_fd(port, 1), -EINVAL);
	prx_port_close(port);
	CU_ASSERT_EQUAL(gro_state(if_a), 1);
	CU_ASSERT(!promiscuous(if_a));
	teardown();
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_probe),
		PRX_TEST(test_rx_exact_v2),
		PRX_TEST(test_rx_exact_v3),
		PRX_TEST(test_tx_exact),
		PRX_TEST(test_qdisc_bypass),
		PRX_TEST(test_fanout),
		PRX_TEST(test_fanout_fragments),
		PRX_TEST(test_fanout_start_down),
		PRX_TEST(test_vlan_v2),
		PRX_TEST(test_vlan_v3),
		PRX_TEST(test_jumbo_v2),
		PRX_TEST(test_jumbo_v3),
		PRX_TEST(test_truncated),
		PRX_TEST(test_csum),
		PRX_TEST(test_link),
		PRX_TEST(test_imissed),
		PRX_TEST(test_nombuf),
		PRX_TEST(test_stop_start),
		PRX_TEST(test_gro_promisc_wakeup),
		{NULL, NULL},
	};
	int rc;

	if (geteuid() != 0) {
		printf("test_afpacket: needs root (network namespace, veth): skipped\n");
		return 77;
	}
	/* A namespace of our own: everything created in it goes away with the process. */
	if (unshare(CLONE_NEWNET) != 0) {
		printf("test_afpacket: unshare(CLONE_NEWNET) failed: %s: skipped\n",
		       strerror(errno));
		return 77;
	}
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	snprintf(if_a, sizeof(if_a), "pxa%d", (int)getpid());
	snprintf(if_b, sizeof(if_b), "pxb%d", (int)getpid());
	rc = prx_test_run("afpacket", cases, 1);
	veth_del();
	return rc;
}
