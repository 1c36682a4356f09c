/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's fast path (rt_fast_ipv4, one next-hop look per run, the blended MAC
 * rewrite, the FIB read in place) inside bursts that mix it with every other way a
 * packet can go: each packet's outcome, the order of what is transmitted, counters and
 * the accounting; and rt_fib_hop() against rte_fib_lookup_bulk().
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_ether.h>

#include "prx_parse.h"
#include "router_fast.h"
#include "router_internal.h"
#include "test_router.h"

static const uint8_t MAC_OTHER[6] = {2, 9, 9, 9, 9, 9};

static void
fix_csum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = prx_csum_fold(prx_csum_add(0, ip, (uint32_t)(ip[0] & 0xf) * 4));
	memcpy(ip + 10, &c, 2);
}

static uint8_t *
ip_of(struct rte_mbuf *m, uint16_t l3)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, l3);
}

/* A TCP segment (20-byte header in the 50-byte datagram): the fast kind, tested apart
 * (rt_fast_tcp()). */
static struct rte_mbuf *
mk_tcp(uint32_t dst)
{
	struct rte_mbuf *m = mk_udp(MAC_A, ip4("10.0.1.2"), dst, 64);
	uint8_t *ip = ip_of(m, 14);

	ip[9] = 6;
	ip[20 + 12] = 0x50;
	fix_csum(ip);
	return m;
}

/* A datagram with 4 bytes of options (NOPs): routed after the full parse. */
static struct rte_mbuf *
mk_options(uint32_t dst)
{
	struct rte_mbuf *m = mk_udp(MAC_A, ip4("10.0.1.2"), dst, 64);
	uint8_t *ip = ip_of(m, 14);

	ip[0] = 0x46;
	memset(ip + 20, 1, 4);
	fix_csum(ip);
	return m;
}

/* The same frame with an 802.1Q tag (VLAN 7) after the MACs. */
static struct rte_mbuf *
mk_vlan(uint32_t dst)
{
	struct rte_mbuf *m = mk_udp(MAC_A, ip4("10.0.1.2"), dst, 64);
	uint8_t *d;

	CU_ASSERT_FATAL(rte_pktmbuf_prepend(m, 4) != NULL);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(d, d + 4, 12);
	d[12] = 0x81;
	d[13] = 0;
	d[14] = 0;
	d[15] = 7;
	return m;
}

static uint32_t
dst_of(struct rte_mbuf *m, uint16_t l3)
{
	uint32_t a;

	memcpy(&a, ip_of(m, l3) + 16, 4);
	return a;
}

/* tx on `slot`, frame i: to dst, both MACs, TTL, checksum, IPv4 header at l3. */
static void
assert_out(uint16_t slot, uint32_t i, const char *dst, const uint8_t *mac, uint8_t ttl, uint16_t l3)
{
	struct rte_mbuf *m = txm(slot, i);
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	CU_ASSERT_EQUAL(dst_of(m, l3), ip4(dst));
	CU_ASSERT(memcmp(d, mac, 6) == 0);
	CU_ASSERT(memcmp(d + 6, slot == 0 ? MAC_A : MAC_B, 6) == 0);
	CU_ASSERT_EQUAL(d[l3 + 8], ttl);
	CU_ASSERT(prx_csum_fold(prx_csum_add(0, d + l3, (uint32_t)(d[l3] & 0xf) * 4)) == 0);
}

/* One burst with every outcome, fast and general packets interleaved, two egress ports
 * and next hops alternating: each outcome as the per-packet path gives it, the
 * transmitted frames in their arrival order per port. */
static void
mixed_burst(bool in_place, bool avx2)
{
	struct rte_mbuf *pkts[18];
	uint8_t *ip;

	conf_init();
	conf_route("10.9.0.0", 16, "10.0.2.254", 1); /* b, static gateway */
	conf_route("10.1.0.0", 16, "10.0.1.2", 0);   /* a, static gateway */
	conf_route("10.7.0.0", 16, "10.0.2.77", 1);  /* b, gateway unresolved */
	conf_neigh("10.0.2.254", MAC_GW, 1);
	conf_neigh("10.0.1.2", MAC_H1, 0);
	conf_neigh("10.0.2.2", MAC_H2, 1); /* on-link, connected b */
	env_setup(NULL);
	/* the AVX2 loop where the CPU has it, unless told to take the SSE/portable one */
	if (!avx2)
		rt_fast_select(env.h, false);
	if (!in_place) { /* as when rt_fib_inline_init() refuses the FIB's layout */
		struct rt *rt = env.h->priv;

		CU_ASSERT(rt->tbl24 != NULL);
		rt->tbl24 = rt->tbl8 = NULL;
		rt->nh_bytes = 0;
	}
	pkts[0] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.0.1"), 64);	    /* fast: b */
	pkts[1] = mk_options(ip4("10.9.0.2"));				    /* parsed: b */
	pkts[2] = mk_tcp(ip4("10.9.0.3"));				    /* TCP, fast: b */
	pkts[3] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.1.0.5"), 64);	    /* fast: a */
	pkts[4] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.0.4"), 1);	    /* TTL: punt */
	pkts[5] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.0.5"), 2);	    /* fast: b */
	pkts[6] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("192.168.7.7"), 64);   /* no route */
	pkts[7] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.7.0.1"), 64);	    /* unresolved */
	pkts[8] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64);	    /* on-link: b */
	pkts[9] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.1.1"), 64);	    /* local */
	pkts[10] = mk_udp(MAC_OTHER, ip4("10.0.1.2"), ip4("10.9.0.6"), 64); /* overheard */
	pkts[11] = mk_arp(1, MAC_H1, ip4("10.0.1.2"), NULL, ip4("10.0.1.1"));
	pkts[12] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.0.7"), 64); /* total too long */
	ip = ip_of(pkts[12], 14);
	ip[3] = 200;
	fix_csum(ip);
	pkts[13] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.0.8"), 64);	 /* fast: b */
	pkts[14] = mk_vlan(ip4("10.1.0.9"));				 /* tagged: a */
	pkts[15] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.1.0.10"), 64); /* ICMP, fast: a */
	ip = ip_of(pkts[15], 14);
	ip[9] = 1;
	fix_csum(ip);
	pkts[16] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.0.9"), 0); /* TTL 0: punt */
	pkts[17] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.7.0.2"), 1); /* TTL before neighbour */
	run(0, pkts, 18);

	CU_ASSERT_EQUAL_FATAL(txd(1), 6);
	assert_out(1, 0, "10.9.0.1", MAC_GW, 63, 14);
	assert_out(1, 1, "10.9.0.2", MAC_GW, 63, 14);
	assert_out(1, 2, "10.9.0.3", MAC_GW, 63, 14);
	assert_out(1, 3, "10.9.0.5", MAC_GW, 1, 14);
	assert_out(1, 4, "10.0.2.2", MAC_H2, 63, 14);
	assert_out(1, 5, "10.9.0.8", MAC_GW, 63, 14);
	CU_ASSERT_EQUAL_FATAL(txd(0), 3);
	assert_out(0, 0, "10.1.0.5", MAC_H1, 63, 14);
	assert_out(0, 1, "10.1.0.9", MAC_H1, 63, 18);
	CU_ASSERT(rte_pktmbuf_mtod(txm(0, 1), uint8_t *)[15] == 7); /* its tag kept */
	assert_out(0, 2, "10.1.0.10", MAC_H1, 63, 14);

	CU_ASSERT_EQUAL(rstats().forwarded, 9);
	CU_ASSERT_EQUAL(rstats().punt_ttl, 3);
	CU_ASSERT_EQUAL(rstats().punt_unreach, 1);
	CU_ASSERT_EQUAL(rstats().punt_neigh, 1);
	CU_ASSERT_EQUAL(rstats().punt_arp, 1);
	CU_ASSERT_EQUAL(rstats().local, 2);
	CU_ASSERT_EQUAL(env.pipe.st.punted, 6);
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_BAD_TOTAL_LEN], 1);
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_CHAIN_END], 2);
	CU_ASSERT_EQUAL(env.pipe.st.tx, 9);
	assert_balanced();
	/* the slow path answers what was punted: three time exceeded, one unreachable, one
	 * ARP reply, and 10.7.0.1 held while 10.0.2.77 is resolved */
	CU_ASSERT_EQUAL(slow(), 6);
	CU_ASSERT_EQUAL(rstats().icmp_time_exceeded, 3);
	CU_ASSERT_EQUAL(rstats().icmp_net_unreach, 1);
	CU_ASSERT_EQUAL(rstats().arp_replies, 1);
	CU_ASSERT_EQUAL(rstats().held, 1);
	env_teardown();
}

/* A full burst of the fast kind to one port goes out whole, in order; then a neighbour
 * blocked mid-way (hold queue full) makes its packets drops while the rest of the same
 * burst is forwarded. */
static void
test_fast_burst_and_blocked_neighbour(void)
{
	struct rte_mbuf *pkts[PRX_BURST_MAX];
	char dst[32];

	conf_init();
	conf_route("10.9.0.0", 16, "10.0.2.254", 1);
	conf_route("10.7.0.0", 16, "10.0.2.77", 1);
	conf_neigh("10.0.2.254", MAC_GW, 1);
	env.cf.hold = 1;
	env_setup(NULL);
	for (int i = 0; i < PRX_BURST_MAX; i++) {
		snprintf(dst, sizeof(dst), "10.9.%d.%d", i / 200, 1 + i % 200);
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4(dst), (uint8_t)(2 + i));
	}
	run(0, pkts, PRX_BURST_MAX);
	CU_ASSERT_EQUAL_FATAL(txd(1), PRX_BURST_MAX);
	for (uint32_t i = 0; i < PRX_BURST_MAX; i++) {
		snprintf(dst, sizeof(dst), "10.9.%u.%u", i / 200, 1 + i % 200);
		assert_out(1, i, dst, MAC_GW, (uint8_t)(1 + i), 14);
	}
	CU_ASSERT_EQUAL(rstats().forwarded, PRX_BURST_MAX);

	/* 10.0.2.77: the first packet is held, the second overflows (blocked) */
	pkts[0] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.7.0.1"), 64);
	pkts[1] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.7.0.2"), 64);
	run(0, pkts, 2);
	CU_ASSERT_EQUAL(slow(), 2);
	CU_ASSERT_EQUAL(rstats().held, 1);
	pkts[0] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.1.1"), 64);
	pkts[1] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.7.0.3"), 64);
	pkts[2] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.1.2"), 64);
	run(0, pkts, 3);
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_NEIGH_UNRESOLVED], 1);
	CU_ASSERT_EQUAL(rstats().unresolved, 1);
	CU_ASSERT_EQUAL_FATAL(txd(1), PRX_BURST_MAX + 2);
	assert_out(1, PRX_BURST_MAX, "10.9.1.1", MAC_GW, 63, 14);
	assert_out(1, PRX_BURST_MAX + 1, "10.9.1.2", MAC_GW, 63, 14);
	assert_balanced();
	env_teardown();
}

static void
test_mixed_burst(void)
{
	mixed_burst(true, true);
}

static void
test_mixed_burst_without_avx2(void)
{
	mixed_burst(true, false);
}

static void
test_mixed_burst_fib_through_rte_fib(void)
{
	mixed_burst(false, true);
}

/* rt_fib_hop() reads rte_fib's tables in place: the same next hop as
 * rte_fib_lookup_bulk() for addresses in and around routes of every length from /8 to
 * /32 and anywhere, after live adds and deletes, with 2- and 4-byte entries. */
static void
test_fib_read_in_place(void)
{
	for (int wide = 0; wide < 2; wide++) {
		unsigned int bad = 0, added = 0;
		uint32_t ips[64];
		uint64_t want[64];
		char msg[256];
		struct rt *rt;

		conf_init();
		env.cf.max_routes = 3000;
		env.cf.tbl8_groups = wide ? PRX_ROUTER_TBL8_2B + 1 : 2048;
		conf_neigh("10.0.2.254", MAC_GW, 1);
		conf_neigh("10.0.1.2", MAC_H1, 0);
		env_setup(NULL);
		rt = env.h->priv;
		CU_ASSERT_FATAL(rt->tbl24 != NULL);
		CU_ASSERT_EQUAL(rt->nh_bytes, wide ? 4 : 2);
		for (uint32_t i = 0; i < 2500; i++) {
			uint32_t r = i * 2654435761u, q = (i / 3) * 2654435761u;
			uint8_t len = (uint8_t)(8 + r % 25), qlen = (uint8_t)(8 + q % 25);
			uint32_t pfx =
				(r ^ r >> 11) & (len == 32 ? UINT32_MAX : ~(UINT32_MAX >> len));

			added += prx_router_route_add(env.h, htonl(pfx), len,
						      ip4(r & 1 ? "10.0.2.254" : "10.0.1.2"),
						      prx_router_port(env.h, r & 1), msg,
						      sizeof(msg)) == 0;
			if (i % 3 == 2) /* delete one added before */
				prx_router_route_del(
					env.h,
					htonl((q ^ q >> 11) &
					      (qlen == 32 ? UINT32_MAX : ~(UINT32_MAX >> qlen))),
					qlen, msg, sizeof(msg));
		}
		CU_ASSERT(added > 2000);
		for (uint32_t n = 0; n < 40000; n += 64) {
			for (uint32_t j = 0; j < 64; j++) {
				uint32_t r = ((n + j) / 2) * 2654435761u;
				uint8_t len = (uint8_t)(8 + r % 25);
				uint32_t pfx = (r ^ r >> 11) &
					       (len == 32 ? UINT32_MAX : ~(UINT32_MAX >> len));

				/* a route's own addresses, or anywhere */
				ips[j] = (n + j) % 2 ? pfx | ((n + j) * 40503u &
							      (len == 32 ? 0 : UINT32_MAX >> len))
						     : (n + j) * 2246822519u;
			}
			rte_fib_lookup_bulk(rt->fib, ips, want, 64);
			for (uint32_t j = 0; j < 64; j++)
				bad += rt_fib_hop(rt->tbl24, rt->tbl8, ips[j], rt->nh_bytes) !=
				       want[j];
		}
		CU_ASSERT_EQUAL(bad, 0);
		/* with all those routes the probe at creation agrees as well */
		CU_ASSERT(rt_fib_inline_init(rt));
		env_teardown();
	}
}

const struct prx_test_case router_fast_cases[] = {
	PRX_TEST(test_mixed_burst),
	PRX_TEST(test_mixed_burst_without_avx2),
	PRX_TEST(test_mixed_burst_fib_through_rte_fib),
	PRX_TEST(test_fib_read_in_place),
	PRX_TEST(test_fast_burst_and_blocked_neighbour),
	{NULL, NULL},
};
