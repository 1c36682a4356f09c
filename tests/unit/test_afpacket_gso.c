/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `afpacket.gso` (drivers/afpacket/afp_vnet.c): virtio_net_hdr <-> mbuf offload requests
 * as pure functions (a table of good and bad headers, the round trip), the software
 * completion of a partial checksum over a chain, and super-frames through a gso port on
 * the suite's veth pair: a 30 000-byte TCP super-frame sent by a PACKET_VNET_HDR peer
 * arrives whole with its segment size, and goes back out whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "afp_env.h"
#include "afp_internal.h"
#include "prx_parse.h"

/* Ethernet (+ tags) + IPv4 or IPv6 + TCP (20) or UDP (8), `pay` bytes of payload; the
 * L4 checksum field holds the pseudo-header sum (a partial checksum). @return length. */
static uint32_t
l4_frame(uint8_t *f, bool v6, bool tcp, int tags, uint32_t pay)
{
	uint32_t l2 = 14 + 4 * (uint32_t)tags, l3 = v6 ? 40 : 20, l4 = tcp ? 20 : 8;
	uint32_t total = l3 + l4 + pay, sum = 0;
	uint8_t *ip = f + l2, *th = ip + l3;
	uint16_t et = htons(v6 ? ETH_P_IPV6 : ETH_P_IP), w;

	memset(f, 0, l2 + total);
	memcpy(f, &mac_a, 6);
	memcpy(f + 6, &mac_b, 6);
	for (int k = 0; k < tags; k++) {
		f[12 + 4 * k] = 0x81;
		f[15 + 4 * k] = (uint8_t)(10 + k);
	}
	memcpy(f + l2 - 2, &et, 2);
	if (v6) {
		ip[0] = 0x60;
		w = htons((uint16_t)(l4 + pay));
		memcpy(ip + 4, &w, 2);
		ip[6] = tcp ? 6 : 17;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[24] = 0xfd;
		ip[23] = 1;
		ip[39] = 2;
		sum = prx_csum_add(sum, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		w = htons((uint16_t)total);
		memcpy(ip + 2, &w, 2);
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		memcpy(ip + 12, (const uint8_t[]){10, 0, 1, 2, 10, 0, 2, 2}, 8);
		w = prx_csum_fold(prx_csum_add(0, ip, 20));
		memcpy(ip + 10, &w, 2);
		sum = prx_csum_add(sum, ip + 12, 8);
	}
	sum += tcp ? 6 : 17;
	sum += l4 + pay;
	th[1] = 80;
	th[3] = 99;
	if (tcp)
		th[12] = 5 << 4;
	else {
		w = htons((uint16_t)(l4 + pay));
		memcpy(th + 4, &w, 2);
	}
	for (uint32_t i = 0; i < pay; i++)
		th[l4 + i] = (uint8_t)(i * 7 + 3);
	/* the partial checksum: the pseudo-header sum, folded, not inverted */
	w = (uint16_t)~prx_csum_fold(sum);
	memcpy(th + (tcp ? 16 : 6), &w, 2);
	return l2 + total;
}

static void
test_vnet_to_mbuf_table(void)
{
	static uint8_t f[2000];
	struct {
		bool v6, tcp;
		int tags;
		struct virtio_net_hdr vh;
		uint16_t shift;
		int rc;
		uint64_t flags;
		uint16_t l2, l3, l4, segsz;
	} t[] = {
		/* nothing owed */
		{false, true, 0, {0}, 0, 0, 0, 0, 0, 0, 0},
		/* partial TCP/UDP checksums, IPv4 and IPv6 */
		{false,
		 true,
		 0,
		 {.flags = 1, .csum_start = 34, .csum_offset = 16},
		 0,
		 0,
		 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM,
		 14,
		 20,
		 20,
		 0},
		{true,
		 false,
		 0,
		 {.flags = 1, .csum_start = 54, .csum_offset = 6},
		 0,
		 0,
		 RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM,
		 14,
		 40,
		 8,
		 0},
		/* TSO, v4 and v6, one tag in the frame */
		{false,
		 true,
		 1,
		 {.flags = 1,
		  .gso_type = 1,
		  .gso_size = 1448,
		  .hdr_len = 58,
		  .csum_start = 38,
		  .csum_offset = 16},
		 0,
		 0,
		 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG,
		 18,
		 20,
		 20,
		 1448},
		{true,
		 true,
		 0,
		 {.flags = 1,
		  .gso_type = 4 | 0x80,
		  .gso_size = 1000,
		  .csum_start = 54,
		  .csum_offset = 16},
		 0,
		 0,
		 RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG,
		 14,
		 40,
		 20,
		 1000},
		/* USO */
		{false,
		 false,
		 0,
		 {.flags = 1, .gso_type = 5, .gso_size = 1200, .csum_start = 34, .csum_offset = 6},
		 0,
		 0,
		 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_UDP_SEG,
		 14,
		 20,
		 8,
		 1200},
		/* a tag the kernel took out: 4 bytes go back in front of the offsets */
		{false,
		 true,
		 0,
		 {.flags = 1, .csum_start = 34, .csum_offset = 16},
		 4,
		 0,
		 RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM,
		 18,
		 20,
		 20,
		 0},
		/* refused: a super-frame without a partial checksum, UFO, SCTP's offset, the
		 * sum beyond the frame, inside the IP header, TCPV4 on IPv6, no segment size */
		{false, true, 0, {.gso_type = 1, .gso_size = 1448}, 0, -1, 0, 0, 0, 0, 0},
		{false,
		 false,
		 0,
		 {.flags = 1, .gso_type = 3, .gso_size = 1448, .csum_start = 34, .csum_offset = 6},
		 0,
		 -1,
		 0,
		 0,
		 0,
		 0,
		 0},
		{false,
		 true,
		 0,
		 {.flags = 1, .csum_start = 34, .csum_offset = 8},
		 0,
		 -1,
		 0,
		 0,
		 0,
		 0,
		 0},
		{false,
		 true,
		 0,
		 {.flags = 1, .csum_start = 1990, .csum_offset = 16},
		 0,
		 -1,
		 0,
		 0,
		 0,
		 0,
		 0},
		{false,
		 true,
		 0,
		 {.flags = 1, .csum_start = 20, .csum_offset = 16},
		 0,
		 -1,
		 0,
		 0,
		 0,
		 0,
		 0},
		{true,
		 true,
		 0,
		 {.flags = 1, .gso_type = 1, .gso_size = 1448, .csum_start = 54, .csum_offset = 16},
		 0,
		 -1,
		 0,
		 0,
		 0,
		 0,
		 0},
		{false,
		 true,
		 0,
		 {.flags = 1, .gso_type = 1, .csum_start = 34, .csum_offset = 16},
		 0,
		 -1,
		 0,
		 0,
		 0,
		 0,
		 0},
	};

	for (size_t i = 0; i < RTE_DIM(t); i++) {
		uint32_t len = l4_frame(f, t[i].v6, t[i].tcp, t[i].tags, 500);
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct virtio_net_hdr back;
		int rc;

		CU_ASSERT_FATAL(m != NULL);
		rc = prx__afp_vnet_to_mbuf(&t[i].vh, f, len, t[i].shift, m);
		if (rc != t[i].rc)
			printf("\n  case %zu: rc %d, expected %d\n", i, rc, t[i].rc);
		CU_ASSERT_EQUAL(rc, t[i].rc);
		if (rc == 0) {
			CU_ASSERT_EQUAL(m->ol_flags, t[i].flags);
			CU_ASSERT_EQUAL(m->l2_len, t[i].l2);
			CU_ASSERT_EQUAL(m->l3_len, t[i].l3);
			if (t[i].flags != 0)
				CU_ASSERT_EQUAL(m->l4_len, t[i].l4);
			CU_ASSERT_EQUAL(m->tso_segsz, t[i].segsz);
			/* and back: what the kernel is told when the frame leaves */
			prx__afp_mbuf_to_vnet(m, &back);
			CU_ASSERT_EQUAL(back.flags, t[i].vh.flags);
			CU_ASSERT_EQUAL(back.gso_type, t[i].vh.gso_type & 0x7f);
			CU_ASSERT_EQUAL(back.gso_size, t[i].vh.gso_size);
			CU_ASSERT_EQUAL(back.csum_start, t[i].vh.csum_start + t[i].shift);
			CU_ASSERT_EQUAL(back.csum_offset, t[i].vh.csum_offset);
			if (back.gso_type != 0)
				CU_ASSERT_EQUAL(back.hdr_len, t[i].l2 + t[i].l3 + t[i].l4);
		}
		rte_pktmbuf_free(m);
	}
}

/* A partial checksum completed over a chain of odd-sized segments verifies. */
static void
test_checksum_in_software(void)
{
	static uint8_t f[3000];

	for (int k = 0; k < 4; k++) {
		bool v6 = k & 1, tcp = k & 2;
		uint32_t len = l4_frame(f, v6, tcp, 0, 1001 + 2 * (uint32_t)k);
		uint32_t l3 = v6 ? 40 : 20, sum = 0, off = 0;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *tail = m;
		uint8_t out[3000];
		const uint8_t *p;

		CU_ASSERT_FATAL(m != NULL);
		/* segments of 333, 333, ... bytes: the sum crosses odd boundaries */
		while (off < len) {
			uint16_t n = (uint16_t)RTE_MIN(333u, len - off);
			struct rte_mbuf *s = off == 0 ? m : rte_pktmbuf_alloc(pool);

			CU_ASSERT_FATAL(s != NULL);
			memcpy(rte_pktmbuf_mtod(s, uint8_t *), f + off, n);
			s->data_len = n;
			if (s != m) {
				tail->next = s;
				m->nb_segs++;
				tail = s;
			}
			off += n;
		}
		m->pkt_len = len;
		m->l2_len = 14;
		m->l3_len = (uint16_t)l3;
		m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
			      (tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		CU_ASSERT_EQUAL(prx__afp_offload_in_software(m), 0);
		CU_ASSERT_EQUAL(m->ol_flags, 0);
		p = rte_pktmbuf_read(m, 0, len, out);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		/* pseudo-header + L4 part sums to 0xffff when the checksum is right */
		if (v6)
			sum = prx_csum_add(0, p + 14 + 8, 32);
		else
			sum = prx_csum_add(0, p + 14 + 12, 8);
		sum += tcp ? 6 : 17;
		sum += len - 14 - l3;
		sum = prx_csum_add(sum, p + 14 + l3, len - 14 - l3);
		CU_ASSERT_EQUAL(prx_csum_fold(sum), 0);
		rte_pktmbuf_free(m);
	}
	/* a super-frame cannot be completed here */
	{
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		CU_ASSERT_FATAL(m != NULL);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
		CU_ASSERT_EQUAL(prx__afp_offload_in_software(m), -1);
		rte_pktmbuf_free(m);
	}
}

/* The peer with PACKET_VNET_HDR on B. */
static int
vnet_peer(void)
{
	int one = 1, fd = peer_open();

	if (fd >= 0 && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
test_super_frame_through_gso_port(void)
{
	static uint8_t f[40000], got[70000];
	struct prx_afpacket_params gso = {.gso = true};
	struct virtio_net_hdr vh = {.flags = 1,
				    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				    .gso_size = 1448,
				    .hdr_len = 54,
				    .csum_start = 34,
				    .csum_offset = 16};
	uint32_t len = l4_frame(f, false, true, 0, 30000);
	struct iovec iov[2] = {{&vh, sizeof(vh)}, {f, len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	struct prx_port *port;
	struct rte_mbuf *m[4];
	struct virtio_net_hdr back;
	ssize_t n = -1;

	setup();
	port = open_port(&gso);
	peer = vnet_peer();
	CU_ASSERT_FATAL(peer >= 0);
	/* B -> A: one 30 054-byte frame, carried whole over the veth */
	CU_ASSERT_EQUAL_FATAL(sendmsg(peer, &msg, 0), (ssize_t)(sizeof(vh) + len));
	CU_ASSERT_EQUAL_FATAL(rx_collect(port, 0, m, 1), 1);
	CU_ASSERT_EQUAL(m[0]->pkt_len, len);
	CU_ASSERT(m[0]->nb_segs > 1);
	CU_ASSERT(memcmp(rte_pktmbuf_read(m[0], 0, len, got), f, len) == 0);
	CU_ASSERT_EQUAL(m[0]->ol_flags,
			RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG);
	CU_ASSERT_EQUAL(m[0]->tso_segsz, 1448);
	CU_ASSERT_EQUAL(m[0]->l2_len + m[0]->l3_len, 34);
	/* the parser takes it, headers in the first segment, lengths over the chain */
	{
		struct prx_pkt_info pi;

		CU_ASSERT_EQUAL(prx_parse_mbuf(m[0], &pi), 0);
		CU_ASSERT_EQUAL(pi.ip_total, len - 14);
	}
	/* A -> B: it leaves whole, with what it owes */
	CU_ASSERT_EQUAL(tx_all(port, 0, m, 1), 1);
	iov[0] = (struct iovec){&back, sizeof(back)};
	iov[1] = (struct iovec){got, sizeof(got)};
	for (int tries = 0; tries < 200 && n < 0; tries++) {
		n = recvmsg(peer, &msg, MSG_DONTWAIT);
		if (n < 0)
			sleep_ms(10);
	}
	CU_ASSERT_EQUAL(n, (ssize_t)(sizeof(back) + len));
	CU_ASSERT_EQUAL(back.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CU_ASSERT_EQUAL(back.gso_size, 1448);
	CU_ASSERT_EQUAL(back.csum_start, 34);
	CU_ASSERT_EQUAL(back.csum_offset, 16);
	CU_ASSERT(memcmp(got, f, len) == 0);
	prx_port_close(port);
	teardown();
}

/* A port without gso completes a partial checksum and refuses a super-frame. */
static void
test_super_frame_refused_without_gso(void)
{
	static uint8_t f[40000];
	struct prx_port *port;
	struct prx_port_hw_stats st;
	struct rte_mbuf *m;

	l4_frame(f, false, true, 0, 30000);
	setup();
	port = open_port(NULL);
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_FATAL(rte_pktmbuf_append(m, 100) != NULL);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG;
	m->l2_len = 14;
	m->l3_len = 20;
	m->tso_segsz = 1448;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f, 100);
	CU_ASSERT_EQUAL(port->tx_burst(port->txq[0], &m, 1), 0); /* refused: ours again */
	get_stats(port, &st);
	CU_ASSERT_EQUAL(st.oerrors, 1);
	rte_pktmbuf_free(m);
	prx_port_close(port);
	teardown();
}

const struct prx_test_case afp_gso_cases[] = {
	PRX_TEST(test_vnet_to_mbuf_table),
	PRX_TEST(test_checksum_in_software),
	PRX_TEST(test_super_frame_through_gso_port),
	PRX_TEST(test_super_frame_refused_without_gso),
	{NULL, NULL},
};
