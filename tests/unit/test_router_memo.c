/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast loop's memo of its last next hop, kept by each reactor from one burst to the
 * next (struct rt_memo): a change of neighbour or route made between two bursts is in
 * the second one, with the AVX2 loop and without; and the checksum the one-add TTL
 * decrement leaves to the general way (0xffff) comes out right.
 */
#include <string.h>

#include "prx_parse.h"
#include "router_fast.h"
#include "router_internal.h"
#include "test_router.h"

#define N 8

/* A burst of N fast frames to 10.9.0.1.. with TTL 64, received on port a. */
static void
burst(void)
{
	struct rte_mbuf *pkts[N];
	char dst[32];

	for (int i = 0; i < N; i++) {
		snprintf(dst, sizeof(dst), "10.9.0.%d", 1 + i);
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4(dst), 64);
	}
	run(0, pkts, N);
}

/* Frames [from, from + N) sent on `slot` went to mac, TTL 63, checksum valid. */
static void
assert_sent(uint16_t slot, uint32_t from, const uint8_t *mac)
{
	CU_ASSERT_EQUAL_FATAL(txd(slot), from + N);
	for (uint32_t i = from; i < from + N; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(txm(slot, i), const uint8_t *);

		CU_ASSERT(memcmp(d, mac, 6) == 0);
		CU_ASSERT(memcmp(d + 6, slot == 0 ? MAC_A : MAC_B, 6) == 0);
		CU_ASSERT_EQUAL(d[14 + 8], 63);
		CU_ASSERT(ip_csum_ok(d + 14));
	}
}

static void
memo_follows_changes(bool avx2)
{
	static const uint8_t MAC_NEW[6] = {2, 0x77, 0, 0, 0, 1};
	char msg[256];
	struct rt *rt;
	uint64_t gen;

	conf_init();
	conf_route("10.9.0.0", 16, "10.0.2.254", 1);
	conf_neigh("10.0.2.254", MAC_GW, 1);
	conf_neigh("10.0.1.2", MAC_H1, 0);
	env_setup(NULL);
	rt = env.h->priv;
	CU_ASSERT_FATAL(rt->tbl24 != NULL);
	if (!avx2)
		rt_fast_select(env.h, false);

	burst();
	assert_sent(1, 0, MAC_GW);
	/* kept for the next burst, under the generation it was read in */
	CU_ASSERT_EQUAL(rt->rstats[0].memo.gen, rt->gen);
	CU_ASSERT(memcmp(rt->rstats[0].memo.macs, MAC_GW, 6) == 0);
	burst();
	assert_sent(1, N, MAC_GW);

	/* the gateway's MAC changes between two bursts */
	gen = rt->gen;
	CU_ASSERT_EQUAL(prx_router_neigh_add(env.h, ip4("10.0.2.254"), MAC_NEW,
					     prx_router_port(env.h, 1), msg, sizeof(msg)),
			0);
	CU_ASSERT(rt->gen > gen);
	burst();
	assert_sent(1, 2 * N, MAC_NEW);

	/* the route moves to another gateway on another port */
	CU_ASSERT_EQUAL(prx_router_route_del(env.h, ip4("10.9.0.0"), 16, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(prx_router_route_add(env.h, ip4("10.9.0.0"), 16, ip4("10.0.1.2"),
					     prx_router_port(env.h, 0), msg, sizeof(msg)),
			0);
	burst();
	assert_sent(0, 0, MAC_H1);
	CU_ASSERT_EQUAL(txd(1), 3 * N);

	/* and away: no route, the memo of a next hop still valid is not used for it */
	CU_ASSERT_EQUAL(prx_router_route_del(env.h, ip4("10.9.0.0"), 16, msg, sizeof(msg)), 0);
	burst();
	CU_ASSERT_EQUAL(txd(0), N);
	CU_ASSERT_EQUAL(rstats().punt_unreach, N);
	CU_ASSERT_EQUAL(slow(), N);
	CU_ASSERT_EQUAL(rstats().forwarded, 4 * N);
	assert_balanced();
	env_teardown();
}

static void
test_memo_follows_changes(void)
{
	memo_follows_changes(true);
}

static void
test_memo_follows_changes_without_avx2(void)
{
	memo_follows_changes(false);
}

/* Set the IPv4 header's checksum to c and its identification so that it is valid. */
static void
force_csum(uint8_t *ip, uint16_t c)
{
	uint16_t be = rte_cpu_to_be_16(c), id;

	ip[4] = ip[5] = 0;
	memcpy(ip + 10, &be, 2);
	id = prx_csum_fold(prx_csum_add(0, ip, 20)); /* the complement of the sum so far */
	memcpy(ip + 4, &id, 2);
}

/* Checksums 0xffff (the general way: the one-add decrement would lose its carry) and
 * 0xfeff (the fast way, to 0xffff) in one burst with ordinary frames: all valid after. */
static void
test_checksum_edges(void)
{
	static const uint16_t edge[] = {0xffff, 0xfeff, 0x0000, 0x00ff};
	struct rte_mbuf *pkts[8];
	uint8_t *ip;

	conf_init();
	conf_route("10.9.0.0", 16, "10.0.2.254", 1);
	conf_neigh("10.0.2.254", MAC_GW, 1);
	env_setup(NULL);
	for (int i = 0; i < 8; i++) {
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.9.1.1"), 64);
		if (i % 2 == 1) {
			ip = rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, 14);
			force_csum(ip, edge[i / 2]);
			CU_ASSERT(ip_csum_ok(ip));
		}
	}
	run(0, pkts, 8);
	CU_ASSERT_EQUAL_FATAL(txd(1), 8);
	for (uint32_t i = 0; i < 8; i++) {
		ip = rte_pktmbuf_mtod_offset(txm(1, i), uint8_t *, 14);
		CU_ASSERT(ip_csum_ok(ip));
		CU_ASSERT_EQUAL(ip[8], 63);
	}
	/* 0xffff: + 0x0100 in one's complement is 0x0100 */
	ip = rte_pktmbuf_mtod_offset(txm(1, 1), uint8_t *, 14);
	CU_ASSERT(ip[10] == 0x01 && ip[11] == 0x00);
	assert_balanced();
	env_teardown();
}

const struct prx_test_case router_memo_cases[] = {
	PRX_TEST(test_memo_follows_changes),
	PRX_TEST(test_memo_follows_changes_without_avx2),
	PRX_TEST(test_checksum_edges),
	{NULL, NULL},
};
