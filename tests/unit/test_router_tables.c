/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Router tables: routes added and deleted live, next hops and neighbours reused only
 * after a grace period, a reader on another lcore that never sees a freed next hop
 * while the control thread changes routes under it, and the settings' parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "prx_conf.h"
#include "prx_conf_router.h"
#include "prx_evloop.h"
#include "router_internal.h"
#include "test_router.h"

static struct rt *
priv(void)
{
	return env.h->priv;
}

static const struct prx_router_port *
port(uint16_t slot)
{
	return prx_router_port(env.h, slot);
}

static void
test_routes_live(void)
{
	char msg[256];
	struct rte_mbuf *m;

	conf_init();
	conf_neigh("10.0.2.254", MAC_GW, 1);
	env_setup(NULL);
	/* 2 connected + 4 local (address and broadcast of each port) */
	CU_ASSERT_EQUAL(prx_router_n_routes(env.h), 6);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("172.16.1.1"), 64));
	CU_ASSERT_EQUAL(env.pipe.st.punted, 1); /* no route */
	CU_ASSERT_EQUAL(prx_router_route_add(env.h, ip4("172.16.0.0"), 12, ip4("10.0.2.254"),
					     port(1), msg, sizeof(msg)),
			0);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("172.16.1.1"), 64));
	CU_ASSERT_EQUAL(txd(1), 1);
	CU_ASSERT_EQUAL(
		prx_router_route_add(env.h, ip4("172.16.0.0"), 12, 0, port(0), msg, sizeof(msg)),
		-EEXIST);
	CU_ASSERT_EQUAL(
		prx_router_route_add(env.h, ip4("172.16.0.1"), 12, 0, port(0), msg, sizeof(msg)),
		-EINVAL); /* host bits */
	CU_ASSERT_EQUAL(prx_router_route_del(env.h, ip4("10.0.2.0"), 24, msg, sizeof(msg)),
			-EPERM); /* connected */
	CU_ASSERT_EQUAL(prx_router_route_del(env.h, ip4("172.16.0.0"), 12, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(prx_router_route_del(env.h, ip4("172.16.0.0"), 12, msg, sizeof(msg)),
			-ENOENT);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("172.16.1.1"), 64));
	CU_ASSERT_EQUAL(env.pipe.st.punted, 2);
	CU_ASSERT_EQUAL(txd(1), 1);
	/* a default route catches the rest */
	CU_ASSERT_EQUAL(
		prx_router_route_add(env.h, 0, 0, ip4("10.0.2.254"), port(1), msg, sizeof(msg)), 0);
	m = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("8.8.8.8"), 64);
	run1(0, m);
	CU_ASSERT_EQUAL(txd(1), 2);
	CU_ASSERT_EQUAL(prx_router_n_routes(env.h), 7);
	CU_ASSERT_FALSE(prx_router_uses_slot(env.h, 5));
	CU_ASSERT_TRUE(prx_router_uses_slot(env.h, 1));
	slow(); /* answers the unreachable ones */
	assert_balanced();
	env_teardown();
}

/* A neighbour the slow path forgets (resolution failed, 3 s blocked) may still be in a
 * reader's hands: its entry and hash slot are reused only after a grace period. */
static void
test_neighbour_reused_after_grace_period_only(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);
	uint64_t t0 = prx_evloop_now_ns();
	int idx, idx2;

	CU_ASSERT_FATAL(v != NULL && rte_rcu_qsbr_init(v, 1) == 0);
	/* one reader, online: every grace period waits for it */
	CU_ASSERT_FATAL(rte_rcu_qsbr_thread_register(v, 0) == 0);
	rte_rcu_qsbr_thread_online(v, 0);
	conf_init();
	env_setup(v);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.9"), 64));
	CU_ASSERT_EQUAL(slow(), 1);
	idx = rt_neigh_find(priv(), ip4("10.0.2.9"));
	CU_ASSERT_FATAL(idx >= 0);
	for (int s = 1; s <= 3; s++) /* three requests unanswered: failed, blocked */
		prx_router_tick(env.h, t0 + (uint64_t)s * 1000000000ull + 100000000ull);
	prx_router_tick(env.h, t0 + 7000000000ull); /* forgotten */
	CU_ASSERT_EQUAL(rt_neigh_find(priv(), ip4("10.0.2.9")), -1);
	/* the reader may hold idx: a new neighbour gets another entry */
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.10"), 64));
	CU_ASSERT_EQUAL(slow(), 1);
	idx2 = rt_neigh_find(priv(), ip4("10.0.2.10"));
	CU_ASSERT(idx2 >= 0 && idx2 != idx);
	prx_router_tick(env.h, t0 + 7100000000ull);
	CU_ASSERT_EQUAL(priv()->ctl->neigh_free[priv()->ctl->n_neigh_free - 1] == (uint32_t)idx,
			false);
	/* once it has reported a quiescent state, the entry is free again */
	rte_rcu_qsbr_quiescent(v, 0);
	prx_router_tick(env.h, t0 + 7200000000ull);
	CU_ASSERT_EQUAL(priv()->ctl->neigh_free[priv()->ctl->n_neigh_free - 1], (uint32_t)idx);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("10.0.2.11"), 64));
	CU_ASSERT_EQUAL(slow(), 1);
	CU_ASSERT_EQUAL(rt_neigh_find(priv(), ip4("10.0.2.11")), idx);
	rte_rcu_qsbr_thread_offline(v, 0);
	rte_rcu_qsbr_thread_unregister(v, 0);
	env_teardown();
	rte_free(v);
}

/* A reader on lcore 1: looks up, follows the next hop and its neighbour, reports a
 * quiescent state, until told to stop.  A freed next hop seen through the FIB is a bug;
 * next hop 0 (a tbl8 group being recycled by rte_fib) sends the packet to the slow path
 * and is counted apart. */
static struct {
	struct rte_rcu_qsbr *v;
	volatile bool stop;
	uint64_t lookups, bad, transient;
} rd;

static int
reader(void *arg)
{
	struct rt *rt = arg;

	rte_rcu_qsbr_thread_register(rd.v, 0);
	rte_rcu_qsbr_thread_online(rd.v, 0);
	while (!rd.stop) {
		uint32_t ips[64];
		uint64_t hops[64];

		for (uint32_t i = 0; i < 64; i++)
			ips[i] = 0xac100000u | ((uint32_t)(rd.lookups + i) * 2654435761u >> 16);
		rte_fib_lookup_bulk(rt->fib, ips, hops, 64);
		for (uint32_t i = 0; i < 64; i++) {
			const struct rt_nh *nh;

			if (hops[i] >= RT_MAX_NH)
				continue;
			if (hops[i] == RT_NH_TRANSIENT) {
				rd.transient++;
				continue;
			}
			nh = &rt->nh[hops[i]];
			if (nh->kind != NH_GATEWAY ||
			    ((union rt_neigh){.w = __atomic_load_n(&rt->neigh[nh->neigh].w,
								   __ATOMIC_ACQUIRE)})
					    .s.state == NS_FREE)
				rd.bad++;
		}
		rd.lookups += 64;
		rte_rcu_qsbr_quiescent(rd.v, 0);
	}
	rte_rcu_qsbr_thread_offline(rd.v, 0);
	rte_rcu_qsbr_thread_unregister(rd.v, 0);
	return 0;
}

static void
test_reader_never_sees_freed_entries(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	char msg[256], gw[32];
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	uint32_t added = 0, fails = 0, n_changes;

	CU_ASSERT_FATAL(lcore < RTE_MAX_LCORE);
	rd.v = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);
	CU_ASSERT_FATAL(rd.v != NULL && rte_rcu_qsbr_init(rd.v, 1) == 0);
	/* every change waits for the reader's grace period: under valgrind, which runs one
	 * thread at a time, 20 000 of them take an hour, 300 five minutes */
	n_changes = getenv("PRX_UNDER_VALGRIND") != NULL ? 60 : 20000;
	rd.stop = false;
	rd.lookups = rd.bad = rd.transient = 0;
	conf_init();
	env.cf.max_neighbors = 512;
	env.cf.max_routes = 20000;
	env.cf.tbl8_groups = 8192;
	env_setup(rd.v);
	CU_ASSERT_FATAL(rte_eal_remote_launch(reader, priv(), lcore) == 0);
	/* routes in 172.16/12, /16../28, through gateways that come and go */
	for (uint32_t i = 0; i < n_changes; i++) {
		uint32_t r = i * 2246822519u;
		uint8_t len = (uint8_t)(16 + r % 13);
		uint32_t pfx = (0xac100000u | (r >> 12 & 0xfffff)) & ~(0xffffffffu >> len);

		snprintf(gw, sizeof(gw), "10.0.2.%u", 2 + (r >> 3) % 200);
		int rc = prx_router_route_add(env.h, htonl(pfx), len, ip4(gw), port(1), msg,
					      sizeof(msg));

		if (rc == 0)
			added++;
		else if (rc != -EEXIST && fails++ < 3)
			fprintf(stderr, "  [route add: %s]\n", msg);
		if (i % 3 != 0) /* delete most again: next hops and neighbours recycle */
			prx_router_route_del(env.h, htonl(pfx), len, msg, sizeof(msg));
		if (i % 64 == 0)
			prx_router_tick(env.h, 0);
	}
	rd.stop = true;
	rte_eal_wait_lcore(lcore);
	CU_ASSERT(added > n_changes / 2);
	CU_ASSERT(rd.lookups > 0);
	CU_ASSERT_EQUAL(rd.bad, 0);
	fprintf(stderr,
		"  [%u routes added, %" PRIu64 " lookups beside them, %" PRIu64
		" through a recycled group]\n",
		added, rd.lookups, rd.transient);
	env_teardown();
	rte_free(rd.v);
}

static void
test_neighbour_static_and_deleted(void)
{
	char msg[256];
	struct rte_mbuf *m;

	conf_init();
	conf_route("172.16.0.0", 12, "10.0.2.254", 1);
	env_setup(NULL);
	CU_ASSERT_EQUAL(
		prx_router_neigh_add(env.h, ip4("10.0.2.254"), MAC_GW, port(1), msg, sizeof(msg)),
		0);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("172.16.1.1"), 64));
	CU_ASSERT_EQUAL(txd(1), 1);
	/* an ARP reply does not overwrite a static entry */
	run1(1, mk_arp(2, MAC_H2, ip4("10.0.2.254"), MAC_B, ip4("10.0.2.1")));
	slow();
	m = mk_udp(MAC_A, ip4("10.0.1.2"), ip4("172.16.1.1"), 64);
	run1(0, m);
	CU_ASSERT_EQUAL_FATAL(txd(1), 2);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(txm(1, 1), uint8_t *), MAC_GW, 6) == 0);
	/* deleted, the gateway (still routed through) goes back to unresolved */
	CU_ASSERT_EQUAL(prx_router_neigh_del(env.h, ip4("10.0.2.254"), msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(prx_router_neigh_del(env.h, ip4("10.0.2.99"), msg, sizeof(msg)), -ENOENT);
	run1(0, mk_udp(MAC_A, ip4("10.0.1.2"), ip4("172.16.1.1"), 64));
	CU_ASSERT_EQUAL(env.pipe.st.punted, 2); /* the ARP reply, then this one */
	CU_ASSERT_EQUAL(slow(), 1);
	CU_ASSERT_EQUAL(rstats().arp_requests, 1);
	CU_ASSERT_EQUAL(rstats().held, 1);
	assert_balanced();
	env_teardown();
}

/* --- the settings --- */

static struct prx_conf *
load_router(const char *handler, int *rc, struct prx_conf_errors *err)
{
	char text[2048];
	struct prx_conf *c = NULL;

	snprintf(text, sizeof(text),
		 "reactors = { cores = [1]; };\n"
		 "handlers = ( %s );\n"
		 "ports = ( { name = \"a\"; dpdk = \"net_null0\"; address = \"10.0.1.1/24\"; },\n"
		 "          { name = \"b\"; dpdk = \"net_null1\"; } );\n",
		 handler);
	*rc = prx_conf_load_string(text, "r.cfg", PRX_TEST_DATA, &c, err);
	return c;
}

static void
test_settings(void)
{
	struct prx_conf_errors err;
	const struct prx_conf_router *r;
	struct prx_conf_handler dup;
	struct prx_conf *c, *c2;
	int rc;

	c = load_router(
		"{ name = \"rt\"; type = \"router\"; max_routes = 100; hold = 2;\n"
		"  routes = ( { prefix = \"10.0.2.0/24\"; port = \"b\"; },\n"
		"             { prefix = \"0.0.0.0/0\"; via = \"10.0.1.254\"; port = \"a\"; } );\n"
		"  neighbors = ( { ip = \"10.0.1.254\"; mac = \"02:00:00:00:00:fe\"; port = \"a\"; } );\n"
		"  icmp_rate = 5; }",
		&rc, &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	r = c->handlers[0].u.router;
	CU_ASSERT_EQUAL(r->max_routes, 100);
	CU_ASSERT_EQUAL(r->hold, 2);
	CU_ASSERT_EQUAL(r->icmp_rate, 5);
	CU_ASSERT_EQUAL(r->icmp_burst, 10);
	CU_ASSERT_EQUAL(r->n_routes, 2);
	CU_ASSERT_EQUAL(r->routes[0].prefix, ip4("10.0.2.0"));
	CU_ASSERT_EQUAL(r->routes[0].len, 24);
	CU_ASSERT_EQUAL(r->routes[0].via, 0);
	CU_ASSERT_STRING_EQUAL(r->ports[r->routes[0].port].name, "b");
	CU_ASSERT_EQUAL(r->routes[1].len, 0);
	CU_ASSERT_EQUAL(r->routes[1].via, ip4("10.0.1.254"));
	CU_ASSERT_EQUAL(r->n_neigh, 1);
	CU_ASSERT_EQUAL(r->neigh[0].mac[5], 0xfe);
	/* a deep copy compares equal, and with another routes order not */
	CU_ASSERT_EQUAL_FATAL(prx_conf_handler_dup(&dup, &c->handlers[0]), 0);
	CU_ASSERT_TRUE(prx_conf_handler_equal(c, &c->handlers[0], c, &dup));
	prx_conf_handler_release(&dup);
	c2 = load_router(
		"{ name = \"rt\"; type = \"router\"; max_routes = 100; hold = 2;\n"
		"  routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.0.1.254\"; port = \"a\"; },\n"
		"             { prefix = \"10.0.2.0/24\"; port = \"b\"; } );\n"
		"  neighbors = ( { ip = \"10.0.1.254\"; mac = \"02:00:00:00:00:fe\"; port = \"a\"; } );\n"
		"  icmp_rate = 5; }",
		&rc, &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_FALSE(prx_conf_handler_equal(c, &c->handlers[0], c2, &c2->handlers[0]));
	prx_conf_free(c2);
	prx_conf_free(c);

	/* a routes file next to the configuration */
	c = load_router("{ name = \"rt\"; type = \"router\"; routes_file = \"" PRX_TEST_DATA
			"/router/routes.txt\"; }",
			&rc, &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	r = c->handlers[0].u.router;
	CU_ASSERT_EQUAL(r->n_routes, 3);
	CU_ASSERT_EQUAL(r->routes[2].via, ip4("10.0.1.254"));
	CU_ASSERT_STRING_EQUAL(r->ports[r->routes[2].port].name, "a");
	prx_conf_free(c);
}

static void
test_bad_settings(void)
{
	static const struct {
		const char *handler, *msg;
	} cases[] = {
		{"{ name = \"rt\"; type = \"router\"; routes = ( { prefix = \"10.0.2.1/24\"; port = \"b\"; } ); }",
		 "r.cfg:2: handlers.[0].routes.[0].prefix: \"10.0.2.1/24\" has host bits set (the prefix is 10.0.2.0/24)"},
		{"{ name = \"rt\"; type = \"router\"; routes = ( { prefix = \"10.0.2.0/24\"; port = \"c\"; } ); }",
		 "r.cfg:2: handlers.[0].routes.[0].port: unknown port \"c\""},
		{"{ name = \"rt\"; type = \"router\"; routes = ( { prefix = \"10.0.2.0/24\"; via = \"224.0.0.1\"; port = \"b\"; } ); }",
		 "r.cfg:2: handlers.[0].routes.[0].via: \"224.0.0.1\" is not a unicast IPv4 address (\"10.0.1.254\")"},
		{"{ name = \"rt\"; type = \"router\"; routes = ( { prefix = \"10.0.2.0/24\"; port = \"b\"; },\n"
		 "{ prefix = \"10.0.2.0/24\"; port = \"a\"; } ); }",
		 "r.cfg:3: handlers.[0].routes: duplicate route 10.0.2.0/24"},
		{"{ name = \"rt\"; type = \"router\"; max_routes = 1; routes = ( { prefix = \"10.0.2.0/24\"; port = \"b\"; },\n"
		 "{ prefix = \"10.0.3.0/24\"; port = \"a\"; } ); }",
		 "r.cfg:2: handlers.[0].max_routes: 2 routes given, more than max_routes (1)"},
		{"{ name = \"rt\"; type = \"router\"; hold = 65; }",
		 "r.cfg:2: handlers.[0].hold: 65 is out of range 0..64"},
		{"{ name = \"rt\"; type = \"router\"; gateway = \"x\"; }",
		 "r.cfg:2: handlers.[0].gateway: unknown setting"},
		{"{ name = \"rt\"; type = \"router\"; neighbors = ( { ip = \"10.0.2.2\"; mac = \"02:00\"; port = \"b\"; } ); }",
		 "r.cfg:2: handlers.[0].neighbors.[0].mac: invalid MAC address \"02:00\""},
		{"{ name = \"rt\"; type = \"router\"; routes = ( { port = \"b\"; } ); }",
		 "r.cfg:2: handlers.[0].routes.[0].prefix: missing required setting"},
		{"{ name = \"rt\"; type = \"router\"; routes_file = \"" PRX_TEST_DATA
		 "/router/bad_routes.txt\"; }",
		 "r.cfg:2: handlers.[0].routes_file: " PRX_TEST_DATA
		 "/router/bad_routes.txt:3: \"10.9.0.0/33\" is not an IPv4 prefix (\"10.0.2.0/24\")"},
		{"{ name = \"rt\"; type = \"router\"; routes_file = \"" PRX_TEST_DATA
		 "/router/unknown_port.txt\"; }",
		 "r.cfg:2: handlers.[0].routes_file: " PRX_TEST_DATA
		 "/router/unknown_port.txt:2: unknown port \"zz\""},
		{"{ name = \"rt\"; type = \"router\"; routes_file = \"" PRX_TEST_DATA
		 "/router/none.txt\"; }",
		 "r.cfg:2: handlers.[0].routes_file: cannot read " PRX_TEST_DATA
		 "/router/none.txt: No such file or directory"},
	};
	struct prx_conf_errors err;
	struct prx_conf *c;
	int rc;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		c = load_router(cases[i].handler, &rc, &err);
		CU_ASSERT_EQUAL(rc, -EINVAL);
		CU_ASSERT_PTR_NULL(c);
		if (err.n == 0 || strcmp(err.msg[0], cases[i].msg) != 0)
			fprintf(stderr, "\ncase %zu: got \"%s\"\n     expected \"%s\"\n", i,
				err.n ? err.msg[0] : "(no error)", cases[i].msg);
		CU_ASSERT(err.n > 0 && strcmp(err.msg[0], cases[i].msg) == 0);
		prx_conf_free(c);
	}
}

const struct prx_test_case router_table_cases[] = {
	PRX_TEST(test_routes_live),
	PRX_TEST(test_neighbour_reused_after_grace_period_only),
	PRX_TEST(test_reader_never_sees_freed_entries),
	PRX_TEST(test_neighbour_static_and_deleted),
	PRX_TEST(test_settings),
	PRX_TEST(test_bad_settings),
	{NULL, NULL},
};
