/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET driver, frame contents: VLAN tags put back, jumbo frames as mbuf chains,
 * truncated frames, checksums completed, link changes, ring overflow (imissed), no mbuf,
 * stop/start, GRO and promiscuous mode.  Same harness as test_afpacket.c (afp_env.h).
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
		uint16_t inner = i < 3 ? 0 : 1, off = 12, len = 200;

		make_frame(f, i, 200);
		/* frame 3: QinQ, 802.1ad outer (stripped) and 802.1Q inner (left in place) */
		for (uint16_t t = 0; t <= inner; t++) {
			uint16_t tpid = i < 3 ? tags[i][0] : (t == 0 ? 0x88a8 : 0x8100);
			uint16_t tci = i < 3 ? tags[i][1] : (uint16_t)(0x0200 + t);
			uint16_t be[2] = {rte_cpu_to_be_16(tpid), rte_cpu_to_be_16(tci)};

			memmove(f + off + 4, f + off, len - off); /* the whole frame so far */
			memcpy(f + off, be, 4);
			off += 4;
			len += 4;
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

const struct prx_test_case afp_frame_cases[] = {
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
