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

#include "afp_env.h"

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
		{NULL, NULL},
	};
	static struct prx_test_case all[64];
	unsigned int n = 0;
	int rc;

	for (const struct prx_test_case *c = cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = afp_frame_cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = afp_gso_cases; c->name != NULL; c++)
		all[n++] = *c;
	all[n] = (struct prx_test_case){NULL, NULL};

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
	rc = prx_test_run("afpacket", all, 1);
	veth_del();
	return rc;
}
