/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Router: the fast path (longest prefix, TTL and checksum, MACs, what is passed on,
 * punted or dropped) and the slow path (ARP replies and learning, hold queues and
 * resolution, ICMP errors), with the pipeline's accounting and no mbuf leaked.
 * The suite's helpers live here; test_router_tables.c, test_router_pkt.c and
 * test_router_fast.c add cases.
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_ether.h>

#include "fake_port.h"
#include "prx_evloop.h"
#include "prx_parse.h"
#include "router_internal.h"
#include "test_router.h"

const uint8_t MAC_A[6] = {2, 0, 0, 0, 0, 0xa};
const uint8_t MAC_B[6] = {2, 0, 0, 0, 0, 0xb};
const uint8_t MAC_H1[6] = {2, 0, 0, 0, 1, 2}; /* 10.0.1.2 on a */
const uint8_t MAC_H2[6] = {2, 0, 0, 0, 2, 2}; /* 10.0.2.2 on b */
const uint8_t MAC_GW[6] = {2, 0, 0, 0, 2, 0xfe};

struct rt_env env;

uint32_t
ip4(const char *s)
{
	struct in_addr a;

	CU_ASSERT_FATAL(inet_pton(AF_INET, s, &a) == 1);
	return a.s_addr;
}

void
conf_init(void)
{
	memset(&env.cf, 0, sizeof(env.cf));
	memset(env.cports, 0, sizeof(env.cports));
	env.cf = (struct prx_conf_router){.max_routes = 1024,
					  .tbl8_groups = 64,
					  .max_neighbors = 64,
					  .icmp_rate = 1000,
					  .icmp_burst = 100,
					  .hold = 4,
					  .routes = env.routes,
					  .neigh = env.neigh,
					  .n_ports = 2,
					  .ports = env.cports};
	snprintf(env.cports[0].name, PRX_NAME_MAX, "a");
	snprintf(env.cports[1].name, PRX_NAME_MAX, "b");
}

void
conf_route(const char *prefix, uint8_t len, const char *via, uint8_t port)
{
	env.routes[env.cf.n_routes++] = (struct prx_conf_route){
		.prefix = ip4(prefix), .len = len, .via = via ? ip4(via) : 0, .port = port};
}

void
conf_neigh(const char *ip, const uint8_t mac[6], uint8_t port)
{
	struct prx_conf_neigh *n = &env.neigh[env.cf.n_neigh++];

	n->ip = ip4(ip);
	memcpy(n->mac, mac, 6);
	n->port = port;
}

static int
capture(void *ctx, uint16_t slot, struct rte_mbuf *m)
{
	(void)ctx;
	if (env.n_sent == SENT_MAX) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	env.sent_slot[env.n_sent] = slot;
	env.sent[env.n_sent++] = m;
	return 0;
}

void
env_setup(struct rte_rcu_qsbr *qsbr)
{
	struct prx_router_port rp[2];
	char msg[256] = "";
	int rc;

	if (env.pool == NULL)
		env.pool = rte_pktmbuf_pool_create("ut_router", 4095, 0, 0, 2176, 0);
	CU_ASSERT_FATAL(env.pool != NULL);
	env.pool_before = rte_mempool_avail_count(env.pool);
	memset(env.ports, 0, sizeof(env.ports));
	env.ports[0] = fake_port_create("a", 0, 1, env.pool);
	env.ports[1] = fake_port_create("b", 1, 1, env.pool);
	CU_ASSERT_FATAL(env.ports[0] != NULL && env.ports[1] != NULL);
	memcpy(env.ports[0]->mac.addr_bytes, MAC_A, 6);
	memcpy(env.ports[1]->mac.addr_bytes, MAC_B, 6);
	env.ports[0]->addr4 = ip4("10.0.1.1");
	env.ports[1]->addr4 = ip4("10.0.2.1");
	env.ports[0]->prefix4 = env.ports[1]->prefix4 = 24;
	for (int i = 0; i < 2; i++) {
		rp[i] = (struct prx_router_port){
			.slot = (uint16_t)i, .addr4 = env.ports[i]->addr4, .prefix4 = 24};
		snprintf(rp[i].name, PRX_NAME_MAX, "%s", i == 0 ? "a" : "b");
		memcpy(rp[i].mac, i == 0 ? MAC_A : MAC_B, 6);
	}
	prx_pipe_init(&env.pipe, 0, 32, env.pool);
	env.pipe.ports = env.ports;
	if (env.punt == NULL)
		env.punt = rte_ring_create("ut_rt_punt", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	CU_ASSERT_FATAL(env.punt != NULL);
	env.pipe.punt = env.punt;
	env.n_sent = 0;
	rc = prx_router_create("rt",
			       &(struct prx_router_params){.conf = &env.cf,
							   .ports = rp,
							   .n_ports = 2,
							   .qsbr = qsbr,
							   .socket = SOCKET_ID_ANY,
							   .pool = env.pool,
							   .send = capture},
			       &env.h, msg, sizeof(msg));
	if (rc != 0)
		fprintf(stderr, "prx_router_create: %s\n", msg);
	CU_ASSERT_FATAL(rc == 0);
	env.chain = (struct prx_chain){.n = 1, .h = {env.h}};
}

void
env_teardown(void)
{
	void *m;

	while (rte_ring_dequeue(env.punt, &m) == 0)
		rte_pktmbuf_free(m);
	prx_handler_free(env.h);
	env.h = NULL;
	for (unsigned int i = 0; i < env.n_sent; i++)
		rte_pktmbuf_free(env.sent[i]);
	env.n_sent = 0;
	prx_pipe_flush(&env.pipe);
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		prx_port_close(env.ports[i]);
	/* every mbuf is back: nothing leaked, held or freed twice */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(env.pool), env.pool_before);
}

static void
put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

struct rte_mbuf *
mk_udp(const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint8_t ttl)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.pool);
	uint8_t *d, *ip;
	uint16_t csum;

	CU_ASSERT_FATAL(m != NULL);
	d = (uint8_t *)rte_pktmbuf_append(m, 64);
	memset(d, 0, 64);
	memcpy(d, dst_mac, 6);
	memcpy(d + 6, MAC_H1, 6);
	put16(d + 12, 0x0800);
	ip = d + 14;
	ip[0] = 0x45;
	put16(ip + 2, 50);
	put16(ip + 4, 0x1234);
	ip[8] = ttl;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	csum = prx_csum_fold(prx_csum_add(0, ip, 20));
	memcpy(ip + 10, &csum, 2);
	put16(ip + 20, 1000);
	put16(ip + 22, 2000);
	put16(ip + 24, 30);
	return m;
}

struct rte_mbuf *
mk_arp(uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.pool);

	CU_ASSERT_FATAL(m != NULL);
	rt_build_arp((uint8_t *)rte_pktmbuf_append(m, RT_ETH_MIN), op, op == 1 ? bcast : tha, sha,
		     spa, op == 1 ? NULL : tha, tpa);
	return m;
}

void
run(uint16_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	env.pipe.in_slot = slot;
	env.pipe.st.rx += n;
	prx_chain_run(&env.pipe, &env.chain, pkts, n);
}

void
run1(uint16_t slot, struct rte_mbuf *m)
{
	run(slot, &m, 1);
}

unsigned int
slow(void)
{
	unsigned int n = 0;
	void *m;

	while (rte_ring_dequeue(env.punt, &m) == 0) {
		prx_router_input(env.h, m);
		n++;
	}
	return n;
}

void
flush(void)
{
	prx_pipe_flush(&env.pipe);
}

uint32_t
txd(uint16_t slot)
{
	flush();
	return fake_port_priv(env.ports[slot])->n_tx;
}

struct rte_mbuf *
txm(uint16_t slot, uint32_t i)
{
	return fake_port_priv(env.ports[slot])->tx[i];
}

bool
ip_csum_ok(const uint8_t *ip)
{
	return prx_csum_fold(prx_csum_add(0, ip, (uint32_t)(ip[0] & 0xf) * 4)) == 0;
}

void
assert_balanced(void)
{
	const struct prx_pipe_stats *s = &env.pipe.st;

	CU_ASSERT_EQUAL(s->rx + s->originated, s->tx + prx_pipe_stats_dropped(s) + s->punted +
						       prx_pipe_in_flight(&env.pipe));
}

struct prx_router_stats
rstats(void)
{
	struct prx_router_stats s;

	prx_router_stats_read(env.h, &s);
	return s;
}

/* The frame went out with the next hop's MAC, our MAC, TTL - 1 and a valid checksum. */
static void
assert_forwarded(struct rte_mbuf *m, const uint8_t *dst_mac, const uint8_t *src_mac, uint8_t ttl)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	CU_ASSERT(memcmp(d, dst_mac, 6) == 0);
	CU_ASSERT(memcmp(d + 6, src_mac, 6) == 0);
	CU_ASSERT_EQUAL(d[14 + 8], ttl);
	CU_ASSERT(ip_csum_ok(d + 14));
}

static void
test_longest_prefix_wins(void)
{
	static const struct {
		const char *dst;
		uint16_t slot;
		const uint8_t *mac;
	} cases[] = {
		{"10.9.9.9", 1, MAC_GW},   /* 10.0.0.0/8 via 10.0.2.254 (b) */
		{"10.1.9.9", 0, MAC_H1},   /* 10.1.0.0/16 via 10.0.1.2 (a) */
		{"10.1.2.9", 1, MAC_H2},   /* 10.1.2.0/24 via 10.0.2.2 (b) */
		{"10.1.2.200", 0, MAC_H1}, /* 10.1.2.128/25 via 10.0.1.2 (a) */
		{"10.1.2.7", 1, MAC_GW},   /* 10.1.2.7/32 via 10.0.2.254 (b) */
		{"10.0.2.2", 1, MAC_H2},   /* connected b, static neighbour */
	};
	struct rte_mbuf *pkts[PRX_ARRAY_SIZE(cases)];
	uint32_t na = 0, nb = 0;

	conf_init();
	conf_route("10.0.0.0", 8, "10.0.2.254", 1);
	conf_route("10.1.0.0", 16, "10.0.1.2", 0);
	conf_route("10.1.2.0", 24, "10.0.2.2", 1);
	conf_route("10.1.2.128", 25, "10.0.1.2", 0);
	conf_route("10.1.2.7", 32, "10.0.2.254", 1);
	conf_neigh("10.0.2.254", MAC_GW, 1);
	conf_neigh("10.0.1.2", MAC_H1, 0);
	conf_neigh("10.0.2.2", MAC_H2, 1);
	env_setup(NULL);
	for (unsigned int i = 0; i < PRX_ARRAY_SIZE(cases); i++)
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4(cases[i].dst), 64);
	run(0, pkts, PRX_ARRAY_SIZE(cases));
	CU_ASSERT_EQUAL(txd(0) + txd(1), PRX_ARRAY_SIZE(cases));
	for (unsigned int i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		uint16_t s = cases[i].slot;
		struct rte_mbuf *m = txm(s, s == 0 ? na++ : nb++);

		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 30),
				       &(uint32_t){ip4(cases[i].dst)}, 4),
				0);
		assert_forwarded(m, cases[i].mac, s == 0 ? MAC_A : MAC_B, 63);
	}
	CU_ASSERT_EQUAL(rstats().forwarded, PRX_ARRAY_SIZE(cases));
	CU_ASSERT_EQUAL(env.pipe.st.tx, PRX_ARRAY_SIZE(cases));
	assert_balanced();
	env_teardown();
}

static void
test_local_and_not_for_us_passed_on(void)
{
	static const uint8_t other[6] = {2, 9, 9, 9, 9, 9};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct rte_mbuf *pkts[4];

	conf_init();
	conf_neigh("10.0.2.2", MAC_H2, 1);
	env_setup(NULL);
	pkts[0] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.1.1"), 64);	 /* ours */
	pkts[1] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.1"), 64);	 /* ours on b */
	pkts[2] = mk_udp(other, ip4("10.0.1.2"), ip4("10.0.2.2"), 64);	 /* overheard */
	pkts[3] = mk_udp(bcast, ip4("10.0.1.2"), ip4("10.0.1.255"), 64); /* broadcast */
	run(0, pkts, 4);
	/* alone in its chain, what the router passes on ends as chain_end */
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_CHAIN_END], 4);
	CU_ASSERT_EQUAL(rstats().local, 4);
	CU_ASSERT_EQUAL(txd(0) + txd(1), 0);
	CU_ASSERT_EQUAL(env.pipe.st.punted, 0);
	assert_balanced();
	env_teardown();
}

static void
test_malformed_and_not_ip_dropped(void)
{
	struct rte_mbuf *m[3];
	uint8_t *d;

	conf_init();
	env_setup(NULL);
	m[0] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64);
	d = rte_pktmbuf_mtod(m[0], uint8_t *);
	d[14] = 0x44; /* IHL 4 */
	m[1] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64);
	rte_pktmbuf_mtod(m[1], uint8_t *)[12] = 0x86; /* EtherType 0x8600 */
	m[2] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64);
	rte_pktmbuf_trim(m[2], 64 - 20); /* 20 bytes: IPv4 header cut */
	run(0, m, 3);
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_BAD_IHL], 1);
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_NOT_IP], 1);
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_L3_TRUNC], 1);
	CU_ASSERT_EQUAL(env.h->stats[0].dropped, 3);
	assert_balanced();
	env_teardown();
}

/* ICMP error e (sent by the slow path) about a frame from 10.0.1.2 with ttl `ttl`. */
static void
assert_icmp(struct rte_mbuf *e, uint8_t type, uint8_t code, const char *dst, uint8_t ttl)
{
	const uint8_t *d = rte_pktmbuf_mtod(e, const uint8_t *), *ip = d + 14, *icmp = ip + 20;
	uint32_t a;

	CU_ASSERT(memcmp(d, MAC_H1, 6) == 0);
	CU_ASSERT(memcmp(d + 6, MAC_A, 6) == 0);
	CU_ASSERT(ip_csum_ok(ip));
	CU_ASSERT_EQUAL(ip[9], 1);
	memcpy(&a, ip + 12, 4);
	CU_ASSERT_EQUAL(a, ip4("10.0.1.1")); /* from the input port's address */
	memcpy(&a, ip + 16, 4);
	CU_ASSERT_EQUAL(a, ip4("10.0.1.2"));
	CU_ASSERT_EQUAL(icmp[0], type);
	CU_ASSERT_EQUAL(icmp[1], code);
	/* RFC 792: the original header and its first 8 bytes (20 + 8), checksum over all */
	CU_ASSERT_EQUAL((ip[2] << 8 | ip[3]), 20 + 8 + 28);
	CU_ASSERT_EQUAL(prx_csum_fold(prx_csum_add(0, icmp, 8 + 28)), 0);
	memcpy(&a, icmp + 8 + 16, 4);
	CU_ASSERT_EQUAL(a, ip4(dst));
	CU_ASSERT_EQUAL(icmp[8 + 8], ttl); /* the quoted header as it arrived */
}

static void
test_ttl_and_no_route_answered_by_icmp(void)
{
	struct rte_mbuf *pkts[3];

	conf_init();
	conf_neigh("10.0.2.2", MAC_H2, 1);
	env_setup(NULL);
	pkts[0] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 1);
	pkts[1] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 0);
	pkts[2] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("192.168.7.7"), 64); /* no default */
	run(0, pkts, 3);
	CU_ASSERT_EQUAL(env.pipe.st.punted, 3);
	CU_ASSERT_EQUAL(txd(0) + txd(1), 0);
	assert_balanced();
	CU_ASSERT_EQUAL(slow(), 3);
	CU_ASSERT_EQUAL_FATAL(env.n_sent, 3);
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(env.sent_slot[i], 0); /* back out of the input port */
	assert_icmp(env.sent[0], 11, 0, "10.0.2.2", 1);
	assert_icmp(env.sent[1], 11, 0, "10.0.2.2", 0);
	assert_icmp(env.sent[2], 3, 0, "192.168.7.7", 64);
	CU_ASSERT_EQUAL(rstats().punt_ttl, 2);
	CU_ASSERT_EQUAL(rstats().punt_unreach, 1);
	CU_ASSERT_EQUAL(rstats().icmp_time_exceeded, 2);
	CU_ASSERT_EQUAL(rstats().icmp_net_unreach, 1);
	env_teardown();
}

static void
test_icmp_rate_limited(void)
{
	struct rte_mbuf *pkts[10];

	conf_init();
	env.cf.icmp_rate = 1;
	env.cf.icmp_burst = 3;
	env_setup(NULL);
	for (int i = 0; i < 10; i++)
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("192.168.7.7"), 64);
	run(0, pkts, 10);
	CU_ASSERT_EQUAL(slow(), 10);
	CU_ASSERT_EQUAL(env.n_sent, 3);
	CU_ASSERT_EQUAL(rstats().icmp_net_unreach, 3);
	CU_ASSERT_EQUAL(rstats().icmp_rate_limited, 7);
	env_teardown();
}

static void
test_arp_request_answered_and_sender_learned(void)
{
	const uint8_t *d, *a;
	uint32_t v;

	conf_init();
	env_setup(NULL);
	run1(0, mk_arp(1, MAC_H1, ip4("10.0.1.2"), NULL, ip4("10.0.1.1")));
	/* not for us, from a host we do not know: nothing to learn */
	run1(0, mk_arp(1, MAC_H2, ip4("10.0.1.3"), NULL, ip4("10.0.1.77")));
	CU_ASSERT_EQUAL(env.pipe.st.punted, 2);
	CU_ASSERT_EQUAL(slow(), 2);
	CU_ASSERT_EQUAL_FATAL(env.n_sent, 1);
	CU_ASSERT_EQUAL(env.sent_slot[0], 0);
	d = rte_pktmbuf_mtod(env.sent[0], const uint8_t *);
	a = d + 14;
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(env.sent[0]), 60);
	CU_ASSERT(memcmp(d, MAC_H1, 6) == 0 && memcmp(d + 6, MAC_A, 6) == 0);
	CU_ASSERT(d[12] == 0x08 && d[13] == 0x06);
	CU_ASSERT(a[6] == 0 && a[7] == 2); /* reply */
	CU_ASSERT(memcmp(a + 8, MAC_A, 6) == 0 && memcmp(a + 18, MAC_H1, 6) == 0);
	memcpy(&v, a + 14, 4);
	CU_ASSERT_EQUAL(v, ip4("10.0.1.1"));
	memcpy(&v, a + 24, 4);
	CU_ASSERT_EQUAL(v, ip4("10.0.1.2"));
	CU_ASSERT_EQUAL(rstats().arp_replies, 1);
	CU_ASSERT_EQUAL(rstats().arp_learned, 1);
	CU_ASSERT_EQUAL(rstats().arp_ignored, 1);
	/* learned: traffic to it goes straight out of the fast path */
	run1(1, mk_udp(MAC_B, ip4("10.0.2.2"), ip4("10.0.1.2"), 9));
	CU_ASSERT_EQUAL_FATAL(txd(0), 1);
	assert_forwarded(txm(0, 0), MAC_H1, MAC_A, 8);
	assert_balanced();
	env_teardown();
}

static void
test_unresolved_held_then_sent(void)
{
	struct rte_mbuf *pkts[6];
	const uint8_t *a;
	uint32_t v;

	conf_init();
	env_setup(NULL);
	for (int i = 0; i < 6; i++)
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64);
	run(0, pkts, 6);
	CU_ASSERT_EQUAL(env.pipe.st.punted, 6);
	CU_ASSERT_EQUAL(slow(), 6);
	/* one ARP request out of b for 10.0.2.2, from 10.0.2.1 */
	CU_ASSERT_EQUAL_FATAL(env.n_sent, 1);
	CU_ASSERT_EQUAL(env.sent_slot[0], 1);
	a = rte_pktmbuf_mtod_offset(env.sent[0], const uint8_t *, 14);
	CU_ASSERT(a[7] == 1 && memcmp(a + 8, MAC_B, 6) == 0);
	memcpy(&v, a + 14, 4);
	CU_ASSERT_EQUAL(v, ip4("10.0.2.1"));
	memcpy(&v, a + 24, 4);
	CU_ASSERT_EQUAL(v, ip4("10.0.2.2"));
	/* four held, two over the queue */
	CU_ASSERT_EQUAL(rstats().held, 4);
	CU_ASSERT_EQUAL(rstats().held_overflow, 2);
	/* the queue is full: the fast path drops without punting */
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64));
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_NEIGH_UNRESOLVED], 1);
	CU_ASSERT_EQUAL(env.pipe.st.punted, 6);
	/* the reply: the held four leave with the right MACs and TTL */
	run1(1, mk_arp(2, MAC_H2, ip4("10.0.2.2"), MAC_B, ip4("10.0.2.1")));
	CU_ASSERT_EQUAL(slow(), 1);
	CU_ASSERT_EQUAL_FATAL(env.n_sent, 5);
	for (unsigned int i = 1; i < 5; i++) {
		CU_ASSERT_EQUAL(env.sent_slot[i], 1);
		assert_forwarded(env.sent[i], MAC_H2, MAC_B, 63);
	}
	CU_ASSERT_EQUAL(rstats().held_sent, 4);
	/* from now on the fast path */
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.2"), 64));
	CU_ASSERT_EQUAL_FATAL(txd(1), 1);
	assert_forwarded(txm(1, 0), MAC_H2, MAC_B, 63);
	assert_balanced();
	env_teardown();
}

static void
test_unresolved_times_out(void)
{
	uint64_t t0 = prx_evloop_now_ns();
	unsigned int arp = 0, icmp = 0;

	conf_init();
	env_setup(NULL);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.9"), 64));
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.9"), 64));
	CU_ASSERT_EQUAL(slow(), 2);
	CU_ASSERT_EQUAL(rstats().held, 2);
	for (int s = 1; s <= 3; s++)
		prx_router_tick(env.h, t0 + (uint64_t)s * 1000000000ull + 100000000ull);
	/* three requests in all, then the two held packets dropped, each answered */
	for (unsigned int i = 0; i < env.n_sent; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(env.sent[i], const uint8_t *);

		if (d[12] == 0x08 && d[13] == 0x06)
			arp += env.sent_slot[i] == 1;
		else
			icmp += env.sent_slot[i] == 0 && d[14 + 20] == 3 && d[14 + 21] == 1;
	}
	CU_ASSERT_EQUAL(arp, 3);
	CU_ASSERT_EQUAL(icmp, 2);
	CU_ASSERT_EQUAL(rstats().held_timeout, 2);
	CU_ASSERT_EQUAL(rstats().icmp_host_unreach, 2);
	/* blocked: dropped by the fast path */
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.9"), 64));
	CU_ASSERT_EQUAL(env.pipe.st.drop[PRX_DROP_NEIGH_UNRESOLVED], 1);
	/* 3 s later it is forgotten: the next packet starts over */
	prx_router_tick(env.h, t0 + 7000000000ull);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.9"), 64));
	CU_ASSERT_EQUAL(env.pipe.st.punted, 3);
	CU_ASSERT_EQUAL(slow(), 1);
	CU_ASSERT_EQUAL(rstats().held, 3);
	assert_balanced();
	env_teardown(); /* the held one is freed with the router */
}

static void
test_neighbour_table_full(void)
{
	struct rte_mbuf *pkts[20];

	conf_init();
	env.cf.max_neighbors = 8;
	env_setup(NULL);
	for (int i = 0; i < 20; i++)
		pkts[i] = mk_udp(MAC_A, ip4("10.0.1.2"), htonl(ntohl(ip4("10.0.2.10")) + i), 64);
	run(0, pkts, 20);
	CU_ASSERT_EQUAL(slow(), 20);
	CU_ASSERT_EQUAL(rstats().held, 8);
	CU_ASSERT_EQUAL(rstats().neigh_full, 12);
	CU_ASSERT_EQUAL(rstats().arp_requests, 8);
	env_teardown();
}

int
main(void)
{
	static const struct prx_test_case own[] = {
		PRX_TEST(test_longest_prefix_wins),
		PRX_TEST(test_local_and_not_for_us_passed_on),
		PRX_TEST(test_malformed_and_not_ip_dropped),
		PRX_TEST(test_ttl_and_no_route_answered_by_icmp),
		PRX_TEST(test_icmp_rate_limited),
		PRX_TEST(test_arp_request_answered_and_sender_learned),
		PRX_TEST(test_unresolved_held_then_sent),
		PRX_TEST(test_unresolved_times_out),
		PRX_TEST(test_neighbour_table_full),
	};
	static struct prx_test_case all[64];
	unsigned int n = 0;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(own); i++)
		all[n++] = own[i];
	for (const struct prx_test_case *c = router_table_cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = router_pkt_cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = router_fast_cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = router_memo_cases; c->name != NULL; c++)
		all[n++] = *c;
	all[n] = (struct prx_test_case){NULL, NULL};
	return prx_test_run("router", all, 1);
}
