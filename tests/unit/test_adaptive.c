/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive engine: its sleep policy and the ring fill time as pure functions, the
 * time-in-state arithmetic, and reactors on a real lcore whose queues can only be
 * polled, wake the reactor by fd, raise rx interrupts, or mix them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "fake_port.h"
#include "prx_handlers.h"
#include "prx_reactor.h"
#include "prx_test.h"
#include "ring_port.h"

static struct rte_mempool *pool;
static struct rte_rcu_qsbr *qsbr;

static void
setup(void)
{
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("ut_adaptive", 16383, 256, 0, 2176, 0);
	CU_ASSERT_FATAL(pool != NULL);
	if (qsbr == NULL) {
		qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
		CU_ASSERT_FATAL(qsbr != NULL);
		CU_ASSERT_FATAL(rte_rcu_qsbr_init(qsbr, 1) == 0);
	}
}

static void
test_sleep_policy(void)
{
	struct prx_sleep_policy p = {.idle_polls = 100, .max_wakeup_us = 100};
	const struct prx_sleep_policy def = {PRX_CONF_IDLE_POLLS, PRX_CONF_MAX_WAKEUP_US};

	/* a run of empty polls shorter than idle_polls: keep polling */
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 0, 0), 0);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 99, 0), 0);
	/* then sleeps from 4 us, doubling per empty poll, up to the budget */
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 100, 0), PRX_SLEEP_MIN_US);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 101, 0), 8);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 104, 0), 64);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 105, 0), 100);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 100 + 31, 0), 100);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 100 + 32, 0), 100);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 100 + 64, 0), 100); /* no shift overflow */
	CU_ASSERT_EQUAL(prx_sleep_us(&p, UINT64_MAX, 0), 100);
	/* the ring's fill time bounds it at half, when that is below the budget */
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 68), 34);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 201), 100);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 199), 99);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 100, 68), PRX_SLEEP_MIN_US);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 99, 68), 0);
	/* a bound below the shortest sleep: never sleep */
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 7), 0);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 8), PRX_SLEEP_MIN_US);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 1), 0);
	p.max_wakeup_us = PRX_SLEEP_MIN_US - 1;
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 0), 0);
	p.max_wakeup_us = PRX_SLEEP_MIN_US;
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 100, 0), PRX_SLEEP_MIN_US);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1000, 0), PRX_SLEEP_MIN_US);
	/* the largest budget, the smallest run */
	p = (struct prx_sleep_policy){.idle_polls = 1, .max_wakeup_us = 1000000};
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 0, 0), 0);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 1, 0), PRX_SLEEP_MIN_US);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 18, 0), 4u << 17);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 19, 0), 1000000);
	CU_ASSERT_EQUAL(prx_sleep_us(&p, 19, UINT32_MAX), 1000000);
	/* defaults with a 1024-slot ring: 10 Gb/s allows 34 us, 100 Gb/s no sleep at all */
	CU_ASSERT_EQUAL(prx_sleep_us(&def, 255, 0), 0);
	CU_ASSERT_EQUAL(prx_sleep_us(&def, 256, 0), PRX_SLEEP_MIN_US);
	CU_ASSERT_EQUAL(prx_sleep_us(&def, 10000, 0), 100);
	CU_ASSERT_EQUAL(prx_sleep_us(&def, 10000, prx_ring_fill_us(1024, 10000)), 34);
	CU_ASSERT_EQUAL(prx_sleep_us(&def, 10000, prx_ring_fill_us(1024, 100000)), 0);
	CU_ASSERT_EQUAL(prx_sleep_us(&def, 10000, prx_ring_fill_us(4096, 100000)), 13);
}

static void
test_ring_fill_time(void)
{
	/* 64 B + 20 B of preamble and gap = 672 bits; Mb/s = bits per us */
	CU_ASSERT_EQUAL(prx_ring_fill_us(1024, 10000), 68);
	CU_ASSERT_EQUAL(prx_ring_fill_us(1024, 100000), 6);
	CU_ASSERT_EQUAL(prx_ring_fill_us(4096, 1000), 2752);
	CU_ASSERT_EQUAL(prx_ring_fill_us(16384, 10), 1101004);
	/* speed unknown: taken as 100 Gb/s */
	CU_ASSERT_EQUAL(prx_ring_fill_us(1024, 0), prx_ring_fill_us(1024, 100000));
	/* no ring: no bound; a tiny one: 1 us, never 0 */
	CU_ASSERT_EQUAL(prx_ring_fill_us(0, 10000), 0);
	CU_ASSERT_EQUAL(prx_ring_fill_us(1, 400000), 1);
	CU_ASSERT_EQUAL(prx_ring_fill_us(UINT32_MAX, 1), UINT32_MAX);
}

static void
test_time_split(void)
{
	struct prx_reactor_stats a = {
		.busy_cycles = 1000000000, .empty_cycles = 500000000, .sleep_cycles = 2500000000};
	struct prx_reactor_stats b = a, d;
	struct prx_reactor_time t;

	prx_reactor_time_split(&a, 2000000000, &t);
	CU_ASSERT_DOUBLE_EQUAL(t.busy_s, 0.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(t.empty_s, 0.25, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(t.sleep_s, 1.25, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(t.run_s, 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(t.busy_pct, 25.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.empty_pct, 12.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.sleep_pct, 62.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.busy_pct + t.empty_pct + t.sleep_pct, 100.0, 1e-9);
	/* idle_cycles is derived and plays no part */
	a.idle_cycles = 12345;
	prx_reactor_time_split(&a, 2000000000, &t);
	CU_ASSERT_DOUBLE_EQUAL(t.run_s, 2.0, 1e-12);

	/* over an interval: the difference of two readings */
	b.busy_cycles += 3000000000;
	b.sleep_cycles += 1000000000;
	d = (struct prx_reactor_stats){.busy_cycles = b.busy_cycles - a.busy_cycles,
				       .empty_cycles = b.empty_cycles - a.empty_cycles,
				       .sleep_cycles = b.sleep_cycles - a.sleep_cycles};
	prx_reactor_time_split(&d, 2000000000, &t);
	CU_ASSERT_DOUBLE_EQUAL(t.busy_pct, 75.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.empty_pct, 0.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t.run_s, 2.0, 1e-12);

	/* nothing ran yet: zeros, no division by zero; no TSC rate: shares only */
	memset(&d, 0, sizeof(d));
	prx_reactor_time_split(&d, 2000000000, &t);
	CU_ASSERT_DOUBLE_EQUAL(t.busy_pct + t.empty_pct + t.sleep_pct + t.run_s, 0.0, 0);
	prx_reactor_time_split(&a, 0, &t);
	CU_ASSERT_DOUBLE_EQUAL(t.run_s, 0.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(t.sleep_pct, 62.5, 1e-9);
}

/* A reactor driven by hand: every cycle lands in exactly one state. */
static void
test_time_in_state_accounting(void)
{
	struct prx_xconnect_conf xcc = {.to = 0, .mac = PRX_MAC_KEEP};
	struct prx_reactor_stats rs;
	struct prx_port *in, *out;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s;
	uint64_t start, hz = rte_get_tsc_hz();

	setup();
	out = ring_port_create("out", 0, 1, 1, RP_POLL_ONLY, pool);
	in = ring_port_create("in", 1, 1, 1, RP_POLL_ONLY, pool);
	CU_ASSERT_FATAL(in != NULL && out != NULL);
	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &h) == 0);
	CU_ASSERT_FATAL(prx_reactor_create(0, rte_lcore_id(), -1, 32, 100, &prx_engine_adaptive,
					   qsbr, pool, &r) == 0);
	s = prx_snapshot_alloc(1, -1);
	CU_ASSERT_FATAL(s != NULL);
	s->ports[0] = out;
	s->ports[1] = in;
	s->n_poll = 1;
	s->poll[0] = ring_port_entry(in, 0, h);
	prx_reactor_publish(r, s);
	start = r->last_tsc = rte_rdtsc();

	CU_ASSERT_EQUAL(ring_port_inject(in, 0, pool, 10), 10);
	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 10);
	prx_reactor_stats_read(r, &rs);
	CU_ASSERT(rs.busy_cycles > 0);
	CU_ASSERT_EQUAL(rs.empty_cycles, 0);
	CU_ASSERT_EQUAL(rs.sleep_cycles, 0);

	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 0);
	prx_reactor_stats_read(r, &rs);
	CU_ASSERT(rs.empty_cycles > 0);

	/* an engine's sleep: counted as such, not as the next pass */
	prx_reactor_sleep_begin(r);
	usleep(2000);
	prx_reactor_stats_read(r, &rs); /* a sleep in progress shows */
	CU_ASSERT(rs.sleep_cycles >= hz / 1000 * 2);
	CU_ASSERT_EQUAL(rs.sleeps, 0);
	prx_reactor_sleep_end(r);
	CU_ASSERT_EQUAL(prx_reactor_iterate(r), 0);
	prx_reactor_stats_read(r, &rs);
	CU_ASSERT(rs.sleep_cycles >= hz / 1000 * 2);
	/* a pass costs microseconds, the sleep was 2 ms; under valgrind (one thread at a
	 * time, ~50x slower) a pass can take longer than that */
	if (getenv("PRX_UNDER_VALGRIND") == NULL)
		CU_ASSERT(rs.empty_cycles < rs.sleep_cycles);
	CU_ASSERT_EQUAL(rs.sleeps, 1);
	CU_ASSERT_EQUAL(rs.iterations, 3);
	CU_ASSERT_EQUAL(rs.idle_cycles, rs.empty_cycles + rs.sleep_cycles);
	CU_ASSERT_EQUAL(rs.busy_cycles + rs.empty_cycles + rs.sleep_cycles, r->last_tsc - start);
	CU_ASSERT_EQUAL(ring_port_priv(out)->tx_total, 10);

	prx_reactor_destroy(r);
	prx_snapshot_free(s);
	prx_handler_free(h);
	prx_port_close(in);
	prx_port_close(out);
}

/*
 * The race that arming closes, driven by hand: a frame that lands after the last empty
 * pass but before the interrupt is armed raises no interrupt.  The engine must look at
 * the rings once more before it sleeps.
 */
static void
test_adaptive_rechecks_after_arming(void)
{
	static const enum ring_port_mode intr = RP_INTR;
	struct prx_xconnect_conf xcc = {.to = 0, .mac = PRX_MAC_KEEP};
	struct prx_port *in, *out;
	struct ring_port_q *q;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s;
	unsigned int n;

	setup();
	out = ring_port_create("out", 0, 1, 1, RP_POLL_ONLY, pool);
	in = ring_port_create("in", 1, 1, 1, intr, pool);
	CU_ASSERT_FATAL(in != NULL && out != NULL);
	q = &ring_port_priv(in)->q[0];
	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &h) == 0);
	CU_ASSERT_FATAL(prx_reactor_create(0, rte_lcore_id(), -1, 32, 100, &prx_engine_adaptive,
					   qsbr, pool, &r) == 0);
	r->sleep = (struct prx_sleep_policy){.idle_polls = 4, .max_wakeup_us = 1000};
	s = prx_snapshot_alloc(1, -1);
	CU_ASSERT_FATAL(s != NULL);
	s->ports[0] = out;
	s->ports[1] = in;
	s->n_poll = 1;
	s->poll[0] = ring_port_entry(in, 0, h);
	prx_reactor_publish(r, s);
	CU_ASSERT_FATAL(rte_rcu_qsbr_thread_register(qsbr, 0) == 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	CU_ASSERT_FATAL(prx_engine_adaptive.init(r) == 0);
	r->last_tsc = rte_rdtsc();

	for (int i = 0; i < 3; i++) {
		n = prx_reactor_iterate(r);
		r->engine->idle(r, n);
	}
	/* the 4th empty pass makes a sleep due; a frame comes before the engine arms */
	n = prx_reactor_iterate(r);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(ring_port_inject(in, 0, pool, 1), 1);
	CU_ASSERT_EQUAL(q->fired, 0);
	prx_reactor_wake(r); /* an engine that slept now would come back at once */
	r->engine->idle(r, n);
	CU_ASSERT_EQUAL(r->rs.sleeps, 0);
	CU_ASSERT_EQUAL(q->arms, 1);
	/* the re-check pass takes the frame; interrupts go off again */
	n = prx_reactor_iterate(r);
	CU_ASSERT_EQUAL(n, 1);
	r->engine->idle(r, n);
	CU_ASSERT_EQUAL(q->disarms, 1);
	CU_ASSERT_EQUAL(ring_port_priv(out)->tx_total, 1);
	/* idle again: arm, one more pass, then block (the post ends it) */
	for (int i = 0; i < 4 + 1 && r->rs.sleeps == 0; i++) {
		n = prx_reactor_iterate(r);
		r->engine->idle(r, n);
	}
	CU_ASSERT_EQUAL(r->rs.sleeps, 1);
	CU_ASSERT_EQUAL(q->arms, 2);
	CU_ASSERT_EQUAL(q->disarms, 2);

	prx_engine_adaptive.fini(r);
	CU_ASSERT_FALSE(q->open);
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	prx_reactor_destroy(r);
	prx_snapshot_free(s);
	prx_handler_free(h);
	prx_port_close(in);
	prx_port_close(out);
}

/* ------------------------------------------------------------ reactors on lcore 1 */

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

/* An adaptive reactor on lcore 1 forwarding n_in ring ports (slots 1..) to `out` (0). */
struct rig {
	unsigned int lcore;
	uint16_t n_in;
	struct prx_port *in[2], *out;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s;
};

static void
rig_up(struct rig *g, const enum ring_port_mode *modes, uint16_t n_in, uint32_t max_wakeup_us)
{
	struct prx_xconnect_conf xcc = {.to = 0, .mac = PRX_MAC_KEEP};
	static const char *const names[] = {"in0", "in1"};

	setup();
	memset(g, 0, sizeof(*g));
	g->lcore = rte_get_next_lcore(-1, 1, 0);
	CU_ASSERT_FATAL(g->lcore < RTE_MAX_LCORE);
	g->n_in = n_in;
	g->out = ring_port_create("out", 0, 1, 1, RP_POLL_ONLY, pool);
	CU_ASSERT_FATAL(g->out != NULL);
	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &g->h) == 0);
	CU_ASSERT_FATAL(prx_reactor_create(0, g->lcore, -1, 32, 100, &prx_engine_adaptive, qsbr,
					   pool, &g->r) == 0);
	g->r->sleep = (struct prx_sleep_policy){.idle_polls = 16, .max_wakeup_us = max_wakeup_us};
	g->s = prx_snapshot_alloc(n_in, -1);
	CU_ASSERT_FATAL(g->s != NULL);
	g->s->gen = 1;
	g->s->ports[0] = g->out;
	g->s->n_poll = n_in;
	for (uint16_t i = 0; i < n_in; i++) {
		g->in[i] = ring_port_create(names[i], (uint16_t)(1 + i), 1, 1, modes[i], pool);
		CU_ASSERT_FATAL(g->in[i] != NULL);
		g->s->ports[1 + i] = g->in[i];
		g->s->poll[i] = ring_port_entry(g->in[i], 0, g->h);
	}
	prx_reactor_publish(g->r, g->s);
	CU_ASSERT_FATAL(rte_eal_remote_launch(prx_reactor_main, g->r, g->lcore) == 0);
	CU_ASSERT_FATAL(wait_for(&g->r->rs.switches, 1));
}

static void
rig_down(struct rig *g)
{
	struct prx_pipe_stats st;

	prx_reactor_stop(g->r);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(g->lcore), 0);
	CU_ASSERT_EQUAL(g->r->run_rc, 0);
	prx_pipe_stats_read(&g->r->pipe, &st);
	CU_ASSERT_EQUAL(st.rx, st.tx);
	CU_ASSERT_EQUAL(st.tx, ring_port_priv(g->out)->tx_total);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&g->r->pipe), 0);
	for (uint16_t i = 0; i < g->n_in; i++) {
		struct ring_port_q *q = &ring_port_priv(g->in[i])->q[0];

		/* every interrupt armed was disarmed, every one opened closed */
		CU_ASSERT_EQUAL(q->arms, q->disarms);
		CU_ASSERT_FALSE(q->open);
		prx_port_close(g->in[i]);
	}
	prx_reactor_destroy(g->r);
	prx_snapshot_free(g->s);
	prx_handler_free(g->h);
	prx_port_close(g->out);
}

/* Iterations the reactor runs in `ms` milliseconds of idleness. */
static uint64_t
idle_iterations(const struct rig *g, unsigned int ms)
{
	struct prx_reactor_stats a, z;

	prx_reactor_stats_read(g->r, &a);
	usleep(ms * 1000);
	prx_reactor_stats_read(g->r, &z);
	return z.iterations - a.iterations;
}

/* Inject n frames into input i and wait until the output has `total`; microseconds. */
static double
forward(struct rig *g, uint16_t i, unsigned int n, uint64_t total)
{
	uint64_t t0 = rte_get_timer_cycles();

	CU_ASSERT_EQUAL(ring_port_inject(g->in[i], 0, pool, n), n);
	CU_ASSERT(wait_for(&ring_port_priv(g->out)->tx_total, total));
	return (double)(rte_get_timer_cycles() - t0) * 1e6 / (double)rte_get_timer_hz();
}

/* Like a vdev: nothing can wake the reactor, so it sleeps at most max_wakeup_us. */
static void
test_adaptive_polled_only(void)
{
	static const enum ring_port_mode modes[] = {RP_POLL_ONLY};
	struct prx_reactor_stats rs;
	struct rig g;
	uint64_t n, t0;

	rig_up(&g, modes, 1, 1000);
	usleep(10000);
	/* a polling reactor runs millions of passes in 50 ms; this one sleeps up to 1 ms
	 * at a time, and wakes by itself */
	n = idle_iterations(&g, 50);
	printf("(%" PRIu64 " passes in 50 ms) ", n);
	CU_ASSERT(n >= 10 && n < 1000);
	/* offline while asleep: a grace period does not wait for it */
	t0 = rte_get_timer_cycles();
	prx_reactor_sync(qsbr);
	CU_ASSERT(rte_get_timer_cycles() - t0 < rte_get_timer_hz() / 10);
	for (int round = 0; round < 3; round++) {
		double us;

		usleep(5000);
		us = forward(&g, 0, 100, 100u * (round + 1));
		printf("(first packet after 5 ms idle: %.0f us) ", us);
	}
	prx_reactor_stats_read(g.r, &rs);
	CU_ASSERT(rs.sleeps > 0);
	CU_ASSERT(rs.sleep_cycles > rs.busy_cycles + rs.empty_cycles);
	rig_down(&g);
}

/* Like a NIC with rx interrupts: armed, the reactor blocks until one fires. */
static void
test_adaptive_interrupts(void)
{
	static const enum ring_port_mode modes[] = {RP_INTR};
	struct ring_port *rp;
	struct rig g;
	uint64_t n;

	rig_up(&g, modes, 1, 1000);
	rp = ring_port_priv(g.in[0]);
	usleep(10000);
	n = idle_iterations(&g, 50);
	CU_ASSERT(n < 5);
	CU_ASSERT(__atomic_load_n(&rp->q[0].armed, __ATOMIC_SEQ_CST) == 1);
	for (int round = 0; round < 3; round++) {
		usleep(5000);
		forward(&g, 0, 100, 100u * (round + 1));
	}
	/* it woke on interrupts (the ring port raises one only while armed) */
	CU_ASSERT(load64(&rp->q[0].fired) >= 1);
	CU_ASSERT(load64(&rp->acks) >= 1);
	/* interrupts are off while traffic flows */
	forward(&g, 0, 1, 301);
	rig_down(&g);
}

/* Interrupts and polled-only queues on one reactor: timed sleeps, interrupts armed. */
static void
test_adaptive_mixed(void)
{
	static const enum ring_port_mode modes[] = {RP_INTR, RP_POLL_ONLY};
	double intr_us[5];
	struct rig g;
	uint64_t n;

	rig_up(&g, modes, 2, 20000);
	usleep(50000);
	/* it wakes by itself (a queue cannot raise interrupts), at most every 20 ms */
	n = idle_iterations(&g, 200);
	printf("(%" PRIu64 " passes in 200 ms) ", n);
	CU_ASSERT(n >= 5 && n < 100);
	for (int round = 0; round < 5; round++) {
		usleep(30000);
		intr_us[round] = forward(&g, 0, 50, 100u * round + 50);
		usleep(30000);
		forward(&g, 1, 50, 100u * (round + 1));
	}
	/* the interrupt cuts a 20 ms sleep short: the best of five is well below it */
	for (int i = 1; i < 5; i++)
		if (intr_us[i] < intr_us[0])
			intr_us[0] = intr_us[i];
	printf("(interrupt wake-up: best %.0f us) ", intr_us[0]);
	/* valgrind runs one thread at a time: the waking thread waits its turn */
	if (getenv("PRX_UNDER_VALGRIND") == NULL)
		CU_ASSERT(intr_us[0] < 5000);
	CU_ASSERT(load64(&ring_port_priv(g.in[0])->q[0].fired) >= 1);
	rig_down(&g);
}

/* An interrupt fd that cannot be armed (net_tap): timed sleeps, never a blind block. */
static void
test_adaptive_intr_cannot_arm(void)
{
	static const enum ring_port_mode modes[] = {RP_INTR_BROKEN};
	struct rig g;
	uint64_t n;

	rig_up(&g, modes, 1, 1000);
	usleep(10000);
	n = idle_iterations(&g, 50);
	CU_ASSERT(n >= 10 && n < 1000);
	forward(&g, 0, 100, 100);
	rig_down(&g);
}

/* Kernel interfaces: a wake-up fd, as the epoll engine uses. */
static void
test_adaptive_wake_fd(void)
{
	static const enum ring_port_mode modes[] = {RP_WAKE_FD};
	struct rig g;

	rig_up(&g, modes, 1, 1000);
	usleep(10000);
	CU_ASSERT(idle_iterations(&g, 50) < 5);
	for (int round = 0; round < 3; round++) {
		usleep(2000);
		forward(&g, 0, 100, 100u * (round + 1));
	}
	rig_down(&g);
}

/* A new poll list: the old queue's interrupt is closed before the reactor says "live". */
static void
test_adaptive_rebind_releases(void)
{
	static const enum ring_port_mode modes[] = {RP_INTR, RP_POLL_ONLY};
	struct ring_port_q *q;
	struct prx_snapshot *s2;
	struct rig g;

	rig_up(&g, modes, 2, 1000);
	q = &ring_port_priv(g.in[0])->q[0];
	CU_ASSERT_TRUE(wait_for(&g.r->rs.sleeps, 1));
	s2 = prx_snapshot_alloc(1, -1);
	CU_ASSERT_FATAL(s2 != NULL);
	memcpy(s2->ports, g.s->ports, sizeof(s2->ports));
	s2->gen = 2;
	s2->n_poll = 1;
	s2->poll[0] = g.s->poll[1];
	CU_ASSERT_PTR_EQUAL(prx_reactor_publish(g.r, s2), g.s);
	CU_ASSERT(wait_for(&g.r->cur_gen, 2));
	CU_ASSERT_FALSE(__atomic_load_n(&q->open, __ATOMIC_ACQUIRE));
	CU_ASSERT_EQUAL(q->arms, q->disarms);
	prx_reactor_sync(qsbr);
	prx_snapshot_free(g.s);
	g.s = s2;
	forward(&g, 1, 10, 10);
	rig_down(&g);
}

/* Under load an adaptive reactor never sleeps. */
static void
test_adaptive_busy_never_sleeps(void)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	struct prx_reactor_stats rs;
	struct prx_port *a, *b;
	struct prx_handler *h;
	struct prx_reactor *r;
	struct prx_snapshot *s;

	setup();
	a = fake_port_create("a", 0, 1, pool);
	b = fake_port_create("b", 1, 1, pool);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	fake_port_priv(a)->generate = true; /* endless full bursts, like net_null */
	fake_port_priv(b)->generate = true;
	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &h) == 0);
	CU_ASSERT_FATAL(prx_reactor_create(0, lcore, -1, 32, 100, &prx_engine_adaptive, qsbr, pool,
					   &r) == 0);
	r->sleep.idle_polls = 1;
	s = prx_snapshot_alloc(1, -1);
	CU_ASSERT_FATAL(s != NULL);
	s->ports[0] = a;
	s->ports[1] = b;
	s->n_poll = 1;
	s->poll[0] = (struct prx_poll_entry){.rx_burst = a->rx_burst,
					     .rxq = a->rxq[0],
					     .stats = &a->rxq_stats[0],
					     .port = a,
					     .wake_fd = -1,
					     .chain = {.n = 1, .h = {h}}};
	prx_reactor_publish(r, s);
	CU_ASSERT_FATAL(rte_eal_remote_launch(prx_reactor_main, r, lcore) == 0);
	CU_ASSERT(wait_for(&fake_port_priv(b)->tx_total, 200000));
	prx_reactor_stop(r);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	prx_reactor_stats_read(r, &rs);
	CU_ASSERT_EQUAL(rs.sleeps, 0);
	CU_ASSERT_EQUAL(rs.sleep_cycles, 0);
	CU_ASSERT(rs.busy_cycles > 0);
	prx_reactor_destroy(r);
	prx_snapshot_free(s);
	prx_handler_free(h);
	prx_port_close(a);
	prx_port_close(b);
}

/* Reactor threads run with a short timer slack (Linux's default is 50 us). */
static long slack_seen = -1;

static int
slack_init(struct prx_reactor *r)
{
	RTE_SET_USED(r);
	slack_seen = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	return 0;
}

static void
slack_idle(struct prx_reactor *r, unsigned int received)
{
	RTE_SET_USED(r);
	RTE_SET_USED(received);
	rte_pause();
}

static void
test_timer_slack(void)
{
	static const struct prx_engine_ops probe = {
		.name = "probe", .init = slack_init, .idle = slack_idle};
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	struct prx_reactor *r;

	setup();
	CU_ASSERT_FATAL(prx_reactor_create(0, lcore, -1, 32, 100, &probe, qsbr, pool, &r) == 0);
	CU_ASSERT_FATAL(rte_eal_remote_launch(prx_reactor_main, r, lcore) == 0);
	prx_reactor_stop(r);
	CU_ASSERT_EQUAL(rte_eal_wait_lcore(lcore), 0);
	CU_ASSERT_EQUAL(slack_seen, PRX_REACTOR_TIMER_SLACK_NS);
	prx_reactor_destroy(r);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_sleep_policy),
		PRX_TEST(test_ring_fill_time),
		PRX_TEST(test_time_split),
		PRX_TEST(test_time_in_state_accounting),
		PRX_TEST(test_adaptive_rechecks_after_arming),
		PRX_TEST(test_adaptive_polled_only),
		PRX_TEST(test_adaptive_interrupts),
		PRX_TEST(test_adaptive_mixed),
		PRX_TEST(test_adaptive_intr_cannot_arm),
		PRX_TEST(test_adaptive_wake_fd),
		PRX_TEST(test_adaptive_rebind_releases),
		PRX_TEST(test_adaptive_busy_never_sleeps),
		PRX_TEST(test_timer_slack),
		{NULL, NULL},
	};

	return prx_test_run("adaptive", cases, 1);
}
