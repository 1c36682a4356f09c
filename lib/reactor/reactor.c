/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_reactor.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "prx_log.h"
#include "prx_offload.h"
#include "prx_punt.h"

struct prx_snapshot *
prx_snapshot_alloc(uint16_t n_poll, int socket)
{
	size_t sz = sizeof(struct prx_snapshot) + (size_t)n_poll * sizeof(struct prx_poll_entry);

	return rte_zmalloc_socket("prx_snapshot", sz, RTE_CACHE_LINE_SIZE,
				  socket < 0 ? SOCKET_ID_ANY : socket);
}

void
prx_snapshot_free(struct prx_snapshot *s)
{
	rte_free(s);
}

int
prx_reactor_create(uint16_t id, unsigned int lcore, int socket, uint16_t burst, uint32_t drain_us,
		   const struct prx_engine_ops *engine, struct rte_rcu_qsbr *qsbr,
		   struct rte_mempool *pool, struct prx_reactor **out)
{
	struct prx_reactor *r;
	int rc;

	*out = NULL;
	if (id >= PRX_MAX_REACTORS || engine == NULL || qsbr == NULL || burst == 0 ||
	    burst > PRX_BURST_MAX)
		return -EINVAL;
	r = rte_zmalloc_socket("prx_reactor", sizeof(*r), RTE_CACHE_LINE_SIZE,
			       socket < 0 ? SOCKET_ID_ANY : socket);
	if (r == NULL)
		return -ENOMEM;
	/* Created here, run by the reactor's thread: posts may arrive before it starts. */
	rc = prx_evloop_create(&r->ev);
	if (rc != 0) {
		rte_free(r);
		return rc;
	}
	r->id = id;
	r->lcore = lcore;
	r->socket = socket;
	r->burst = burst;
	r->drain_tsc = rte_get_tsc_hz() / 1000000 * drain_us;
	r->engine = engine;
	r->sleep = (struct prx_sleep_policy){.idle_polls = PRX_CONF_IDLE_POLLS,
					     .max_wakeup_us = PRX_CONF_MAX_WAKEUP_US};
	r->qsbr = qsbr;
	r->punt_efd = -1;
	prx_pipe_init(&r->pipe, id, burst, pool);
	*out = r;
	return 0;
}

void
prx_reactor_destroy(struct prx_reactor *r)
{
	if (r == NULL)
		return;
	prx_evloop_destroy(r->ev);
	rte_free(r);
}

static void
wake_noop(void *arg)
{
	RTE_SET_USED(arg);
}

void
prx_reactor_wake(struct prx_reactor *r)
{
	/* a post is the evloop's one thread-safe call; the no-op just ends a sleep */
	prx_evloop_post(r->ev, wake_noop, NULL);
}

const struct prx_snapshot *
prx_reactor_publish(struct prx_reactor *r, const struct prx_snapshot *s)
{
	/* release: the snapshot's contents are visible before its pointer */
	const struct prx_snapshot *old = __atomic_exchange_n(&r->mailbox, s, __ATOMIC_ACQ_REL);

	prx_reactor_wake(r);
	return old;
}

void
prx_reactor_sync(struct rte_rcu_qsbr *qsbr)
{
	rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
}

void
prx_reactor_stop(struct prx_reactor *r)
{
	__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
	prx_reactor_wake(r);
}

static void
take_snapshot(struct prx_reactor *r, const struct prx_snapshot *s)
{
	/*
	 * Tx buffers name ports by slot, not by pointer, so packets buffered under the old
	 * snapshot leave through the new snapshot's port in that slot, or are dropped as
	 * no_port when the slot is empty.  The control plane never reuses a slot within
	 * one grace period (docs/design.md), so a slot cannot change meaning under us.
	 */
	static struct prx_port *const no_ports[PRX_MAX_PORTS];

	r->cur = s;
	r->pipe.ports = s != NULL ? (struct prx_port *const *)s->ports : no_ports;
	prx_counter_add(&r->rs.switches, 1);
	if (s == NULL)
		prx_reactor_drain(r); /* what was buffered is dropped as no_port */
	if (r->engine->rebind != NULL)
		r->engine->rebind(r, s);
	/* Last: the control plane closes a port that left the poll list once it sees this
	 * generation, so the engine must have let go of the port's fds and interrupts. */
	__atomic_store_n(&r->cur_gen, s != NULL ? s->gen : 0, __ATOMIC_RELEASE);
}

/* Packets the control plane sends out through us: originated here, then transmitted like
 * any other (their output slot is in the punt metadata, prx_punt.h). */
static unsigned int
drain_inject(struct prx_reactor *r)
{
	struct rte_mbuf *pkts[PRX_BURST_MAX];
	unsigned int n = rte_ring_sc_dequeue_burst(r->inject, (void **)pkts, r->burst, NULL);

	prx_counter_add(&r->pipe.st.originated, n);
	for (unsigned int i = 0; i < n; i++)
		prx_pkt_tx(&r->pipe, prx_punt_slot(pkts[i]), pkts[i]);
	return n;
}

static void
kick_control(struct prx_reactor *r)
{
	uint64_t one = 1;

	r->pipe.punt_kick = false;
	if (r->punt_efd >= 0 && write(r->punt_efd, &one, sizeof(one)) < 0)
		prx_counter_add(&r->rs.kick_failed, 1); /* EAGAIN: the counter is full, awake */
}

unsigned int
prx_reactor_iterate(struct prx_reactor *r)
{
	struct rte_mbuf *pkts[PRX_BURST_MAX];
	const struct prx_snapshot *s;
	const uint16_t burst = r->burst;
	uint64_t t0 = r->last_tsc, t1;
	unsigned int total = 0;
	bool saturated = true;

	/*
	 * Quiescent point: nothing from an earlier snapshot is referenced past here.  The
	 * acquire load below follows the token read in rte_rcu_qsbr_quiescent(), so a
	 * reactor that reported a grace period's token sees every snapshot published
	 * before that grace period started.
	 */
	rte_rcu_qsbr_quiescent(r->qsbr, r->id);
	s = __atomic_load_n(&r->mailbox, __ATOMIC_ACQUIRE);
	if (unlikely(s != r->cur))
		take_snapshot(r, s);
	/* results of offloaded handlers (with a NULL snapshot: dropped as no_port) */
	if (unlikely(r->pipe.off != NULL))
		total += prx_offload_drain(&r->pipe);
	if (unlikely(s == NULL))
		return total;

	for (uint16_t i = 0; i < s->n_poll; i++) {
		const struct prx_poll_entry *e = &s->poll[i];
		uint16_t n = e->rx_burst(e->rxq, pkts, burst);

		if (n < burst)
			saturated = false;
		if (n == 0)
			continue;
		prx_counter_add(&e->stats->packets, n);
		prx_counter_add(&r->pipe.st.rx, n);
		r->pipe.in_slot = e->port->index;
		prx_chain_run(&r->pipe, &e->chain, pkts, n);
		total += n;
	}

	if (unlikely(r->inject != NULL) && unlikely(!rte_ring_empty(r->inject)))
		total += drain_inject(r);
	if (unlikely(r->pipe.punt_kick))
		kick_control(r);

	t1 = rte_rdtsc();
	/* Under saturation buffers fill and flush by themselves; below it, flush now for
	 * latency.  The deadline bounds how long a packet waits either way. */
	if (r->pipe.dirty != 0 && (!saturated || t1 >= r->pipe_deadline)) {
		prx_pipe_flush(&r->pipe);
		r->pipe_deadline = t1 + r->drain_tsc;
	}
	/* One TSC read per iteration: this iteration's time runs from the previous read
	 * (an engine that slept moved that read to its wake-up: prx_reactor_sleep_end). */
	r->last_tsc = t1;
	prx_counter_add(total != 0 ? &r->rs.busy_cycles : &r->rs.empty_cycles, t1 - t0);
	prx_counter_add(&r->rs.iterations, 1);
	return total;
}

void
prx_reactor_drain(struct prx_reactor *r)
{
	if (r->pipe.ports != NULL)
		prx_pipe_flush(&r->pipe);
	prx__pipe_free_drops(&r->pipe);
}

int
prx_reactor_main(void *arg)
{
	struct prx_reactor *r = arg;
	int rc;

	rc = rte_rcu_qsbr_thread_register(r->qsbr, r->id);
	if (rc != 0) {
		PRX_LOG(ERR, REACTOR, "reactor %u: RCU register failed: %s", r->id,
			rte_strerror(rte_errno));
		r->run_rc = -rte_errno;
		return r->run_rc;
	}
	rte_rcu_qsbr_thread_online(r->qsbr, r->id);
	/* Sleeps of tens of microseconds need a slack well below the default 50 us. */
	if (prctl(PR_SET_TIMERSLACK, PRX_REACTOR_TIMER_SLACK_NS, 0, 0, 0) != 0)
		PRX_LOG(WARNING, REACTOR, "reactor %u: cannot set the timer slack: %s", r->id,
			strerror(errno));
	rc = r->engine->init != NULL ? r->engine->init(r) : 0;
	if (rc < 0) {
		PRX_LOG(ERR, REACTOR, "reactor %u: engine %s init failed: %s", r->id,
			r->engine->name, strerror(-rc));
		goto out;
	}
	PRX_LOG(INFO, REACTOR, "reactor %u running on lcore %u (socket %d, engine %s)", r->id,
		r->lcore, r->socket, r->engine->name);
	r->last_tsc = rte_rdtsc();
	r->pipe_deadline = r->last_tsc + r->drain_tsc;
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		unsigned int n = prx_reactor_iterate(r);

		r->engine->idle(r, n);
	}
	/* packets still out at workers come back first (the workers stop after us) */
	prx_offload_finish(&r->pipe);
	prx_reactor_drain(r);
	if (r->engine->fini != NULL)
		r->engine->fini(r);
out:
	rte_rcu_qsbr_thread_offline(r->qsbr, r->id);
	rte_rcu_qsbr_thread_unregister(r->qsbr, r->id);
	r->run_rc = rc;
	return rc;
}

void
prx_reactor_stats_read(const struct prx_reactor *r, struct prx_reactor_stats *out)
{
	uint64_t since, now;

	out->iterations = prx_counter_read(&r->rs.iterations);
	out->busy_cycles = prx_counter_read(&r->rs.busy_cycles);
	out->empty_cycles = prx_counter_read(&r->rs.empty_cycles);
	/* A sleep in progress counts up to now: an idle reactor may sleep for hours.  The
	 * sum and the start are read as one (the start unchanged around the sum). */
	do {
		since = __atomic_load_n(&r->asleep_since, __ATOMIC_ACQUIRE);
		out->sleep_cycles = __atomic_load_n(&r->rs.sleep_cycles, __ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&r->asleep_since, __ATOMIC_ACQUIRE) != since);
	now = since != 0 ? rte_rdtsc() : 0;
	if (now > since)
		out->sleep_cycles += now - since;
	out->idle_cycles = out->empty_cycles + out->sleep_cycles;
	out->sleeps = prx_counter_read(&r->rs.sleeps);
	out->switches = prx_counter_read(&r->rs.switches);
}

void
prx_reactor_sleep_begin(struct prx_reactor *r)
{
	__atomic_store_n(&r->asleep_since, r->last_tsc, __ATOMIC_RELEASE);
}

void
prx_reactor_sleep_end(struct prx_reactor *r)
{
	uint64_t now = rte_rdtsc();

	prx_counter_add(&r->rs.sleep_cycles, now - r->last_tsc);
	prx_counter_add(&r->rs.sleeps, 1);
	/* after the sum: a reader that still sees the sleep in progress has the old sum */
	__atomic_store_n(&r->asleep_since, 0, __ATOMIC_RELEASE);
	r->last_tsc = now;
}

void
prx_reactor_time_split(const struct prx_reactor_stats *rs, uint64_t tsc_hz,
		       struct prx_reactor_time *t)
{
	uint64_t all = rs->busy_cycles + rs->empty_cycles + rs->sleep_cycles;
	double hz = (double)tsc_hz;

	memset(t, 0, sizeof(*t));
	if (tsc_hz != 0) {
		t->busy_s = (double)rs->busy_cycles / hz;
		t->empty_s = (double)rs->empty_cycles / hz;
		t->sleep_s = (double)rs->sleep_cycles / hz;
		t->run_s = (double)all / hz;
	}
	if (all == 0)
		return;
	t->busy_pct = 100.0 * (double)rs->busy_cycles / (double)all;
	t->empty_pct = 100.0 * (double)rs->empty_cycles / (double)all;
	t->sleep_pct = 100.0 * (double)rs->sleep_cycles / (double)all;
}
