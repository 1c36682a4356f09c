/* SPDX-License-Identifier: BSD-3-Clause */
/* Reactor: the loop on a real lcore, snapshot publication under RCU, the flush policy. */
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "fake_port.h"
#include "prx_handlers.h"
#include "prx_reactor.h"
#include "prx_test.h"

static struct rte_mempool *pool;
static struct rte_rcu_qsbr *qsbr;

static void
setup(void)
{
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("ut_reactor", 8191, 256, 0, 2176, 0);
	CU_ASSERT_FATAL(pool != NULL);
	if (qsbr == NULL) {
		qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(2), RTE_CACHE_LINE_SIZE);
		CU_ASSERT_FATAL(qsbr != NULL);
		CU_ASSERT_FATAL(rte_rcu_qsbr_init(qsbr, 2) == 0);
	}
}

static struct prx_snapshot *
snap_for(uint64_t gen, struct prx_port *in, struct prx_port *out, struct prx_handler *h)
{
	struct prx_snapshot *s = prx_snapshot_alloc(1, -1);

	CU_ASSERT_FATAL(s != NULL);
	s->gen = gen;
	s->ports[0] = in;
	s->ports[1] = out;
	s->n_poll = 1;
	s->poll[0] = (struct prx_poll_entry){
		.rx_burst = in->rx_burst,
		.rxq = in->rxq[0],
		.stats = &in->rxq_stats[0],
		.port = in,
		.queue = 0,
		.chain = {.n = h != NULL ? 1 : 0, .h = {h}},
	};
	return s;
}

static uint64_t
load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Wait (at most 5 s) until *p >= v. */
static bool
wait_for(const uint64_t *p, uint64_t v)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();

	while (load64(p) < v)
		if (rte_get_timer_cycles() > end)
			return false;
	return true;
}

static void
test_forwards_then_switches_snapshot_live(void)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	struct prx_port *a, *b;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s1, *s2;
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);

	setup();
	CU_ASSERT_FATAL(lcore < RTE_MAX_LCORE);
	a = fake_port_create("a", 0, 1, pool);
	b = fake_port_create("b", 1, 1, pool);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	fake_port_priv(a)->generate = true;
	fake_port_priv(b)->generate = true;
	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &h) == 0);
	CU_ASSERT_FATAL(
		prx_reactor_create(0, lcore, -1, 32, 100, &prx_engine_poll, qsbr, pool, &r) == 0);
	s1 = snap_for(1, a, b, h);
	CU_ASSERT_PTR_NULL(prx_reactor_publish(r, s1));
	CU_ASSERT_FATAL(rte_eal_remote_launch(prx_reactor_main, r, lcore) == 0);

	CU_ASSERT(wait_for(&fake_port_priv(b)->tx_total, 100000));

	/* the same queue, now with an empty chain: everything becomes chain_end */
	s2 = snap_for(2, a, b, NULL);
	CU_ASSERT_PTR_EQUAL(prx_reactor_publish(r, s2), s1);
	prx_reactor_sync(qsbr);
	/* past the grace period the reactor works on s2 only: s1 may go */
	memset(s1, 0xa5, sizeof(*s1) + sizeof(s1->poll[0]));
	prx_snapshot_free(s1);
	CU_ASSERT(wait_for(&r->pipe.st.drop[PRX_DROP_CHAIN_END], 100000));

	prx_reactor_stop(r);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);

	struct prx_pipe_stats st;
	struct prx_reactor_stats rs;
	prx_pipe_stats_read(&r->pipe, &st);
	prx_reactor_stats_read(r, &rs);
	CU_ASSERT_EQUAL(rs.switches, 2);
	CU_ASSERT(rs.iterations > 0);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&r->pipe), 0);
	CU_ASSERT_EQUAL(st.rx, st.tx + prx_pipe_stats_dropped(&st));
	CU_ASSERT_EQUAL(st.rx, a->rxq_stats[0].packets);
	CU_ASSERT_EQUAL(st.tx, fake_port_priv(b)->tx_total);
	CU_ASSERT_EQUAL(st.tx, b->txq_stats[0].packets);
	CU_ASSERT_PTR_EQUAL(r->cur, s2);
	CU_ASSERT_EQUAL(r->run_rc, 0);

	prx_reactor_destroy(r);
	prx_snapshot_free(s2);
	prx_handler_free(h);
	prx_port_close(a);
	prx_port_close(b);
}

/* A handler that transmits one packet of each burst and drops the rest. */
static void
one_fn(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	(void)h;
	prx_pkt_tx(p, 1, pkts[0]);
	for (uint16_t i = 1; i < n; i++)
		prx_pkt_drop(p, pkts[i], PRX_DROP_HANDLER);
}

static void
test_flush_policy(void)
{
	struct prx_port *a, *b;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s;

	setup();
	a = fake_port_create("a", 0, 1, pool);
	b = fake_port_create("b", 1, 1, pool);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_FATAL(prx_handler_alloc("one", "test", one_fn, 0, &h) == 0);
	/* a 10 s drain deadline, so only saturation decides */
	CU_ASSERT_FATAL(prx_reactor_create(0, rte_lcore_id(), -1, 32, 10000000, &prx_engine_poll,
					   qsbr, pool, &r) == 0);
	r->pipe_deadline = rte_rdtsc() + r->drain_tsc;
	s = snap_for(1, a, b, h);
	prx_reactor_publish(r, s);

	/* saturated (the generator fills every burst): the one packet per burst waits */
	fake_port_priv(a)->generate = true;
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(prx_reactor_iterate(r), 32);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&r->pipe), 5);
	CU_ASSERT_EQUAL(fake_port_priv(b)->n_tx, 0);

	/* an iteration below saturation flushes at once */
	fake_port_priv(a)->generate = false;
	fake_port_push(a, 64, 0);
	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 1);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&r->pipe), 0);
	CU_ASSERT_EQUAL(fake_port_priv(b)->n_tx, 6);

	/* the deadline flushes a saturated reactor too */
	fake_port_priv(a)->generate = true;
	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 32);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&r->pipe), 1);
	r->pipe_deadline = rte_rdtsc();
	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 32);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&r->pipe), 0);
	CU_ASSERT_EQUAL(fake_port_priv(b)->n_tx, 8);

	/* an empty snapshot: the reactor idles and keeps nothing */
	fake_port_priv(a)->generate = false;
	prx_reactor_publish(r, NULL);
	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 0);
	CU_ASSERT_PTR_NULL(r->cur);

	struct prx_pipe_stats st;
	prx_pipe_stats_read(&r->pipe, &st);
	CU_ASSERT_EQUAL(st.rx, 32 * 7 + 1);
	CU_ASSERT_EQUAL(st.tx, 8);
	CU_ASSERT_EQUAL(st.drop[PRX_DROP_HANDLER], 31 * 7);
	CU_ASSERT_EQUAL(h->stats[0].dropped, 31 * 7);

	prx_reactor_destroy(r);
	prx_snapshot_free(s);
	prx_handler_free(h);
	prx_port_close(a);
	prx_port_close(b);
}

/* A queue fed from another thread through an rte_ring; its eventfd says "not empty". */
struct ring_q {
	struct rte_ring *ring;
	int efd;
};

static uint16_t
ring_rx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_q *rq = q;
	uint64_t v;
	unsigned int k = rte_ring_dequeue_burst(rq->ring, (void **)pkts, n, NULL);

	/* empty: clear the wake-up before the reactor sleeps (a producer adds, then writes) */
	if (k == 0 && read(rq->efd, &v, sizeof(v)) > 0)
		k = rte_ring_dequeue_burst(rq->ring, (void **)pkts, n, NULL);
	return (uint16_t)k;
}

static void
test_epoll_engine_sleeps_offline_and_wakes(void)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	struct ring_q rq;
	struct prx_port *b;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s;
	struct rte_mbuf *m[100];
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	uint64_t one = 1, t0;

	setup();
	rq.ring = rte_ring_create("ut_epoll", 1024, 0, RING_F_SC_DEQ);
	rq.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(rq.ring != NULL && rq.efd >= 0);
	b = fake_port_create("b", 1, 1, pool);
	CU_ASSERT_FATAL(b != NULL);
	fake_port_priv(b)->generate = true; /* tx frees and counts */
	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &h) == 0);
	CU_ASSERT_FATAL(
		prx_reactor_create(0, lcore, -1, 32, 100, &prx_engine_epoll, qsbr, pool, &r) == 0);
	s = prx_snapshot_alloc(1, -1);
	CU_ASSERT_FATAL(s != NULL);
	s->ports[1] = b;
	s->n_poll = 1;
	s->poll[0] = (struct prx_poll_entry){.rx_burst = ring_rx,
					     .rxq = &rq,
					     .stats = &b->rxq_stats[0],
					     .port = b,
					     .wake_fd = rq.efd,
					     .chain = {.n = 1, .h = {h}}};
	CU_ASSERT_TRUE(prx_engine_epoll_usable(s));
	prx_reactor_publish(r, s);
	CU_ASSERT_FATAL(rte_eal_remote_launch(prx_reactor_main, r, lcore) == 0);
	CU_ASSERT(wait_for(&r->rs.switches, 1));

	/* asleep, it is offline: a grace period completes without it */
	t0 = rte_get_timer_cycles();
	prx_reactor_sync(qsbr);
	CU_ASSERT(rte_get_timer_cycles() - t0 < rte_get_timer_hz());

	/* asleep, it burns no iterations */
	struct prx_reactor_stats a, z;
	prx_reactor_stats_read(r, &a);
	usleep(50000);
	prx_reactor_stats_read(r, &z);
	CU_ASSERT(z.iterations - a.iterations < 10);
	/* its sleep is time in state "sleep", not an empty poll */
	CU_ASSERT(z.sleeps >= 1);
	CU_ASSERT(z.sleep_cycles > z.empty_cycles);

	/* packets and the wake-up fd: forwarded, every one */
	for (int round = 0; round < 3; round++) {
		CU_ASSERT_FATAL(rte_pktmbuf_alloc_bulk(pool, m, 100) == 0);
		for (int i = 0; i < 100; i++)
			rte_pktmbuf_append(m[i], 64);
		CU_ASSERT_EQUAL(rte_ring_enqueue_bulk(rq.ring, (void **)m, 100, NULL), 100);
		CU_ASSERT(write(rq.efd, &one, sizeof(one)) == sizeof(one));
		CU_ASSERT(wait_for(&fake_port_priv(b)->tx_total, 100u * (round + 1)));
	}

	prx_reactor_stop(r); /* wakes it */
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	CU_ASSERT_EQUAL(fake_port_priv(b)->tx_total, 300);
	CU_ASSERT_EQUAL(r->pipe.st.rx, 300);
	CU_ASSERT_EQUAL(r->pipe.st.tx, 300);

	prx_reactor_destroy(r);
	prx_snapshot_free(s);
	prx_handler_free(h);
	prx_port_close(b);
	close(rq.efd);
	rte_ring_free(rq.ring);
}

static void
test_epoll_unusable_without_wake_fd(void)
{
	struct prx_snapshot *s = prx_snapshot_alloc(2, -1);

	CU_ASSERT_FATAL(s != NULL);
	s->n_poll = 2;
	s->poll[0].wake_fd = 5;
	s->poll[1].wake_fd = -1;
	CU_ASSERT_FALSE(prx_engine_epoll_usable(s));
	s->poll[1].wake_fd = 6;
	CU_ASSERT_TRUE(prx_engine_epoll_usable(s));
	CU_ASSERT_TRUE(prx_engine_epoll_usable(NULL));
	prx_snapshot_free(s);
}

static void
test_create_rejects_bad_arguments(void)
{
	struct prx_reactor *r = (void *)1;

	setup();
	CU_ASSERT_EQUAL(prx_reactor_create(PRX_MAX_REACTORS, 0, -1, 32, 100, &prx_engine_poll, qsbr,
					   pool, &r),
			-EINVAL);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL(prx_reactor_create(0, 0, -1, 0, 100, &prx_engine_poll, qsbr, pool, &r),
			-EINVAL);
	CU_ASSERT_EQUAL(prx_reactor_create(0, 0, -1, PRX_BURST_MAX + 1, 100, &prx_engine_poll, qsbr,
					   pool, &r),
			-EINVAL);
	CU_ASSERT_EQUAL(prx_reactor_create(0, 0, -1, 32, 100, NULL, qsbr, pool, &r), -EINVAL);
	prx_reactor_destroy(NULL);
	prx_snapshot_free(NULL);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_forwards_then_switches_snapshot_live),
		PRX_TEST(test_flush_policy),
		PRX_TEST(test_epoll_engine_sleeps_offline_and_wakes),
		PRX_TEST(test_epoll_unusable_without_wake_fd),
		PRX_TEST(test_create_rejects_bad_arguments),
		{NULL, NULL},
	};

	return prx_test_run("reactor", cases, 1);
}
