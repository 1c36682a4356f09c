/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's registry: life cycle, and the prepare/apply pair every change goes
 * through (dp_internal.h).
 */
#include "prx_dataplane.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>
#include <stdarg.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "dp_internal.h"
#include "prx_afpacket.h"
#include "prx_dpdk.h"
#include "prx_eal.h"
#include "prx_evloop.h"
#include "prx_handlers.h"
#include "prx_log.h"
#include "prx_offload.h"
#include "prx_slowpath.h"

/* How long dp_apply waits for a woken reactor to take its snapshot up before it gives up
 * with a warning (the change is safe either way: the grace period has passed; only the
 * "live" in the reply would not be true yet).  Microseconds normally; seconds under
 * valgrind, which runs one thread at a time. */
#define LIVE_WAIT_MAX_NS (5 * 1000 * 1000 * 1000ull)

struct dp_state *
dp_state_dup(const struct dp_state *st)
{
	struct dp_state *c = malloc(sizeof(*c));

	if (c != NULL)
		memcpy(c, st, sizeof(*c));
	return c;
}

int
dp_port_slot(const struct dp_state *st, const char *name)
{
	for (int i = 0; name != NULL && i < PRX_MAX_PORTS; i++)
		if (st->port[i] != NULL && strcmp(st->port[i]->cp.name, name) == 0)
			return i;
	return -1;
}

int
dp_handler_index(const struct dp_state *st, const char *name)
{
	for (unsigned int i = 0; name != NULL && i < st->n_handlers; i++)
		if (strcmp(st->handler[i]->ch.name, name) == 0)
			return (int)i;
	return -1;
}

void
dp_loads(const struct prx_dataplane *dp, const struct dp_state *st, unsigned int *load)
{
	memset(load, 0, sizeof(*load) * dp->n_reactors);
	for (unsigned int s = 0; s < PRX_MAX_PORTS; s++)
		for (uint16_t q = 0; st->port[s] != NULL && q < st->port[s]->port->n_rxq; q++)
			if (st->owner[s][q] >= 0)
				load[st->owner[s][q]]++;
}

/* Can reactor r's engine wait on the queues of this port?  epoll needs wake-up fds. */
static bool
engine_fits(const struct prx_dataplane *dp, unsigned int r, const struct prx_port *port)
{
	if (dp->reactors[r] == NULL || dp->reactors[r]->engine != &prx_engine_epoll)
		return true;
	return prx_port_rx_wakeup_fd((struct prx_port *)port, 0) >= 0;
}

int
dp_pick_reactor(const struct prx_dataplane *dp, const struct dp_state *st, uint16_t slot,
		const unsigned int *load)
{
	const struct prx_port *port = st->port[slot]->port;
	unsigned int mine[PRX_MAX_REACTORS] = {0};
	int best = -1;

	for (uint16_t q = 0; q < port->n_rxq; q++)
		if (st->owner[slot][q] >= 0)
			mine[st->owner[slot][q]]++;
	/* the planner's rules: the port's socket first, fewest queues, fewest of this
	 * port, lowest index; and only reactors whose engine can wait on the port */
	for (int pass = 0; pass < 2 && best < 0; pass++)
		for (unsigned int r = 0; r < dp->n_reactors; r++) {
			if (!engine_fits(dp, r, port))
				continue;
			if (pass == 0 && (port->socket < 0 || dp->cores[r].socket != port->socket))
				continue;
			if (best < 0 || load[r] < load[best] ||
			    (load[r] == load[best] && mine[r] < mine[best]))
				best = (int)r;
		}
	return best;
}

/*
 * How long the port's rx rings take to fill at line rate (adaptive engine).  A port
 * whose link is down receives nothing: no bound then (prx_dp_check_links republishes
 * when the link changes).
 */
static uint32_t
port_fill_us(struct prx_port *port)
{
	struct prx_port_link link;

	if (prx_port_link(port, &link) == 0 && !link.up)
		return 0;
	return prx_ring_fill_us(port->rx_desc, link.speed_mbps);
}

/* The snapshot of reactor r in st: the rx queues it owns with their chains. */
static struct prx_snapshot *
build_snapshot(struct prx_dataplane *dp, const struct dp_state *st, uint16_t r)
{
	struct prx_snapshot *s;
	uint16_t n = 0;

	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		for (uint16_t q = 0; st->port[i] != NULL && q < st->port[i]->port->n_rxq; q++)
			n += st->owner[i][q] == (int16_t)r;
	s = prx_snapshot_alloc(n, dp->reactors[r]->socket);
	if (s == NULL)
		return NULL;
	n = 0;
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++) {
		struct prx_port *port = st->port[i] != NULL ? st->port[i]->port : NULL;
		bool fill_known = false;
		uint32_t fill_us = 0;

		s->ports[i] = port;
		for (uint16_t q = 0; port != NULL && q < port->n_rxq; q++) {
			struct prx_poll_entry *pe;

			if (st->owner[i][q] != (int16_t)r)
				continue;
			/* only the adaptive engine uses it: other reactors' snapshots stay
			 * the same when a link changes */
			if (!fill_known && dp->reactors[r]->engine == &prx_engine_adaptive)
				fill_us = port_fill_us(port);
			fill_known = true;
			pe = &s->poll[n++];
			pe->rx_burst = port->rx_burst;
			pe->rxq = port->rxq[q];
			pe->stats = &port->rxq_stats[q];
			pe->port = port;
			pe->queue = q;
			pe->wake_fd = prx_port_rx_wakeup_fd(port, q);
			pe->fill_us = fill_us;
			pe->chain.n = st->n_chain[i];
			for (uint16_t k = 0; k < st->n_chain[i]; k++)
				pe->chain.h[k] = st->chain[i][k]->h;
		}
	}
	s->n_poll = n;
	return s;
}

/* Same poll list, chains and ports: publishing it would change nothing. */
static bool
snapshot_same(const struct prx_snapshot *a, const struct prx_snapshot *b)
{
	return a != NULL && b != NULL && a->n_poll == b->n_poll &&
	       memcmp(a->ports, b->ports, sizeof(a->ports)) == 0 &&
	       memcmp(a->poll, b->poll, (size_t)a->n_poll * sizeof(a->poll[0])) == 0;
}

void
dp_commit_discard(struct dp_commit *c)
{
	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++) {
		prx_snapshot_free(c->snap[r]);
		c->snap[r] = NULL;
	}
	free(c->st);
	c->st = NULL;
}

int
dp_prepare(struct prx_dataplane *dp, struct dp_state *st, struct dp_commit *c, char *msg,
	   size_t len)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	if (st == NULL) {
		dp_say(msg, len, "out of memory");
		return -ENOMEM;
	}
	for (uint16_t r = 0; r < dp->n_reactors; r++) {
		struct prx_snapshot *s = build_snapshot(dp, st, r);

		if (s == NULL) {
			dp_say(msg, len, "out of memory");
			dp_commit_discard(c);
			return -ENOMEM;
		}
		if (dp->reactors[r]->engine == &prx_engine_epoll && !prx_engine_epoll_usable(s)) {
			for (uint16_t i = 0; i < s->n_poll; i++)
				if (s->poll[i].wake_fd < 0) {
					dp_say(msg, len,
					       "reactor %u sleeps in epoll and port %s (driver %s) has no wake-up fd: give it to a reactor with engine poll or adaptive",
					       r, s->poll[i].port->name,
					       s->poll[i].port->ops->driver);
					break;
				}
			prx_snapshot_free(s);
			dp_commit_discard(c);
			return -ENOTSUP;
		}
		if (snapshot_same(s, dp->snap[r])) {
			prx_snapshot_free(s);
			continue;
		}
		c->snap[r] = s;
		c->n_changed++;
	}
	return 0;
}

/*
 * One step of waiting for reactors: spin for the first SPIN_NS (a reactor on its own
 * core answers within an iteration, microseconds), then sleep in short steps.  Sleeping
 * rather than spinning or sched_yield() matters when a polling reactor shares the
 * control thread's CPU: a yield hands it the CPU until the next scheduler tick (4 ms),
 * a sleep of a few tens of microseconds lets it run and then preempts it on wake-up.
 */
#define SPIN_NS 50000ull
#define NAP_NS 20000

static void
wait_a_little(uint64_t t0)
{
	if (prx_evloop_now_ns() - t0 < SPIN_NS) {
		rte_pause();
	} else {
		struct timespec ts = {.tv_nsec = NAP_NS};

		nanosleep(&ts, NULL);
	}
}

struct dp_state *
dp_apply(struct prx_dataplane *dp, struct dp_commit *c)
{
	const struct prx_snapshot *old[PRX_MAX_REACTORS] = {0};
	bool published[PRX_MAX_REACTORS] = {0};
	struct dp_state *prev = dp->st;
	uint64_t t0 = prx_evloop_now_ns(), deadline;

	dp->gen++;
	for (uint16_t r = 0; r < dp->n_reactors; r++) {
		if (c->snap[r] == NULL)
			continue;
		old[r] = dp->snap[r];
		c->snap[r]->gen = dp->gen; /* not published yet: still ours to write */
		dp->snap[r] = c->snap[r];
		c->snap[r] = NULL;
		published[r] = true;
		prx_reactor_publish(dp->reactors[r], dp->snap[r]);
	}
	/* After the grace period no reactor references an old snapshot (a sleeping
	 * reactor is offline and takes the new one when it wakes).  Then wait until the
	 * woken ones ran it, which is what "live" means to the operator. */
	if (dp->launched && c->n_changed > 0) {
		uint64_t token = rte_rcu_qsbr_start(dp->qsbr);

		while (rte_rcu_qsbr_check(dp->qsbr, token, false) == 0)
			wait_a_little(t0);
		/* packets at workers still point into old snapshots and handlers */
		if (dp->off != NULL && prx_offload_barrier(dp->off, LIVE_WAIT_MAX_NS) != 0)
			PRX_LOG(WARNING, CTL,
				"workers have not handed back their packets after %llu ms (stuck in a handler?)",
				LIVE_WAIT_MAX_NS / 1000000);
		deadline = t0 + LIVE_WAIT_MAX_NS;
		for (uint16_t r = 0; r < dp->n_reactors; r++) {
			if (!published[r])
				continue;
			while (__atomic_load_n(&dp->reactors[r]->cur_gen, __ATOMIC_ACQUIRE) <
				       dp->snap[r]->gen &&
			       !__atomic_load_n(&dp->reactors[r]->stop, __ATOMIC_RELAXED) &&
			       prx_evloop_now_ns() < deadline)
				wait_a_little(t0);
			if (__atomic_load_n(&dp->reactors[r]->cur_gen, __ATOMIC_ACQUIRE) <
			    dp->snap[r]->gen)
				PRX_LOG(WARNING, CTL,
					"reactor %u has not taken snapshot %" PRIu64
					" up after %llu ms (stuck in a handler?)",
					r, dp->snap[r]->gen, LIVE_WAIT_MAX_NS / 1000000);
		}
	}
	dp->last_live_ns = prx_evloop_now_ns() - t0;
	for (uint16_t r = 0; r < dp->n_reactors; r++)
		prx_snapshot_free((struct prx_snapshot *)(uintptr_t)old[r]);
	dp->st = c->st;
	c->st = NULL;
	return prev;
}

int
prx_dp_create(const struct prx_conf *conf, enum prx_mode mode, struct prx_dataplane **out)
{
	struct prx_dataplane *dp;
	int rc;

	*out = NULL;
	dp = calloc(1, sizeof(*dp));
	if (dp == NULL)
		return -ENOMEM;
	dp->conf = conf;
	dp->mode = mode;
	dp->st = calloc(1, sizeof(*dp->st));
	if (dp->st == NULL) {
		free(dp);
		return -ENOMEM;
	}
	memset(dp->st->owner, 0xff, sizeof(dp->st->owner)); /* -1: no owner */
	dp->n_reactors = conf->reactors.n_cores;
	for (unsigned int i = 0; i < dp->n_reactors; i++) {
		unsigned int lc = conf->reactors.cores[i];

		if (!rte_lcore_is_enabled(lc)) {
			PRX_LOG(ERR, CTL,
				"reactors.cores: lcore %u is not enabled in EAL (check -l)", lc);
			rc = -EINVAL;
			goto fail;
		}
		dp->cores[i] = (struct prx_topo_core){
			.lcore = lc,
			.socket = (int)rte_lcore_to_socket_id(lc),
		};
	}
	for (unsigned int i = 0; i < conf->workers.n_cores; i++)
		if (!rte_lcore_is_enabled(conf->workers.cores[i])) {
			PRX_LOG(ERR, CTL,
				"workers.cores: lcore %u is not enabled in EAL (check -l)",
				conf->workers.cores[i]);
			rc = -EINVAL;
			goto fail;
		}
	/* Ports are probed here so the plan knows their sockets; they are configured in
	 * prx_dp_setup(). */
	for (unsigned int i = 0; i < conf->n_ports; i++) {
		const struct prx_conf_port *cp = &conf->ports[i];
		struct prx_port *port;

		rc = dp_probe_port(dp, cp, &port);
		if (rc != 0)
			goto fail;
		if (cp->socket >= 0)
			port->socket = cp->socket;
		dp->probed[i] = port;
		dp->tports[i] = (struct prx_topo_port){
			.name = cp->name,
			.socket = port->socket,
			.n_rxq = cp->rx_queues,
		};
	}
	dp->plan_in = (struct prx_plan_input){
		.n_cores = dp->n_reactors,
		.cores = dp->cores,
		.n_ports = conf->n_ports,
		.ports = dp->tports,
	};
	rc = prx_plan_build(&dp->plan_in, &dp->plan);
	if (rc != 0)
		goto fail;
	*out = dp;
	return 0;
fail:
	prx_dp_destroy(dp);
	return rc;
}

void
prx_dp_print_plan(const struct prx_dataplane *dp, FILE *f)
{
	const struct prx_plan *p = dp->plan;

	for (unsigned int i = 0; i < p->n_rxq; i++) {
		const struct prx_plan_rxq *e = &p->rxq[i];
		const struct prx_plan_reactor *r = &p->reactor[e->reactor];

		fprintf(f, "plan: port %s rxq %u -> reactor %u (lcore %u, socket %d)",
			dp->tports[e->port].name, e->queue, e->reactor, r->lcore, r->socket);
		if (e->cross_numa)
			fprintf(f, " WARNING cross-NUMA: port on socket %d",
				dp->tports[e->port].socket);
		fputc('\n', f);
	}
	for (unsigned int r = 0; r < p->n_reactors; r++) {
		fprintf(f,
			"plan: reactor %u (lcore %u, socket %d) owns %u rx queue(s), one tx queue on each port\n",
			r, p->reactor[r].lcore, p->reactor[r].socket, p->reactor[r].n_rxq);
		if (p->reactor[r].n_rxq == 0)
			PRX_LOG(WARNING, CTL, "reactor %u (lcore %u) owns no rx queue", r,
				p->reactor[r].lcore);
	}
	if (p->n_cross_numa > 0)
		PRX_LOG(WARNING, CTL, "%u rx queue(s) are polled from another NUMA socket",
			p->n_cross_numa);
}

/*
 * The engine of reactor r: as configured, and for "auto" poll when it owns a queue in
 * DPDK mode, epoll otherwise (kernel interfaces, or no queue at all: sleep).  "auto"
 * never picks adaptive: a polling reactor's latency does not depend on how long it was
 * idle, and the vdevs here have no rx interrupts, so adaptive would only add the timed
 * sleep's wake-up delay (docs/benchmarks.md, "Engines").  Adaptive, like poll, takes any
 * queue: it needs no wake-up fd.
 */
static const struct prx_engine_ops *
engine_ops(enum prx_engine e)
{
	switch (e) {
	case PRX_ENGINE_EPOLL:
		return &prx_engine_epoll;
	case PRX_ENGINE_ADAPTIVE:
		return &prx_engine_adaptive;
	default:
		return &prx_engine_poll;
	}
}

static int
choose_engine(struct prx_dataplane *dp, const struct dp_state *st, uint16_t r)
{
	struct prx_reactor *re = dp->reactors[r];
	enum prx_engine e = dp->conf->reactors.engines[r];
	const struct prx_port *nofd = NULL;
	unsigned int n = 0;

	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		for (uint16_t q = 0; st->port[i] != NULL && q < st->port[i]->port->n_rxq; q++) {
			if (st->owner[i][q] != (int16_t)r)
				continue;
			n++;
			if (nofd == NULL && prx_port_rx_wakeup_fd(st->port[i]->port, q) < 0)
				nofd = st->port[i]->port;
		}
	if (e == PRX_ENGINE_AUTO)
		e = dp->mode == PRX_MODE_DPDK && n > 0 ? PRX_ENGINE_POLL : PRX_ENGINE_EPOLL;
	if (e == PRX_ENGINE_EPOLL && nofd != NULL) {
		PRX_LOG(ERR, CTL,
			"reactor %u: engine epoll needs a wake-up fd per rx queue, and port %s (driver %s) has none: use engine poll or adaptive",
			r, nofd->name, nofd->ops->driver);
		return -ENOTSUP;
	}
	re->engine = engine_ops(e);
	re->sleep = (struct prx_sleep_policy){
		.idle_polls = dp->conf->reactors.idle_polls,
		.max_wakeup_us = dp->conf->reactors.max_wakeup_us,
	};
	if (e == PRX_ENGINE_ADAPTIVE)
		PRX_LOG(INFO, CTL,
			"reactor %u (lcore %u): engine adaptive (sleeps after %u empty polls, timed sleeps up to %u us)",
			r, re->lcore, re->sleep.idle_polls, re->sleep.max_wakeup_us);
	else
		PRX_LOG(INFO, CTL, "reactor %u (lcore %u): engine %s", r, re->lcore,
			re->engine->name);
	return 0;
}

/* Ports, handlers and chains of the configuration into st. */
static int
setup_state(struct prx_dataplane *dp, struct dp_state *st)
{
	const struct prx_conf *conf = dp->conf;
	char msg[512] = "";
	int rc;

	for (unsigned int i = 0; i < conf->n_ports; i++) {
		rc = dp_port_open(dp, &conf->ports[i], (uint16_t)i, false, dp->probed[i],
				  &st->port[i], msg, sizeof(msg));
		dp->probed[i] = NULL;
		if (rc != 0)
			return rc;
	}
	for (unsigned int i = 0; i < conf->n_handlers; i++) {
		const struct prx_conf_handler *ch = &conf->handlers[i];
		const char *to = ch->type == PRX_HANDLER_XCONNECT
					 ? conf->ports[ch->u.xconnect.to].name
					 : NULL;

		rc = dp_handler_create(dp, ch, to, st, &st->handler[i], msg, sizeof(msg));
		if (rc != 0) {
			PRX_LOG(ERR, CTL, "%s:%d: %s", conf->file, ch->line, msg);
			return rc;
		}
		st->n_handlers++;
	}
	for (unsigned int i = 0; i < conf->n_ports; i++) {
		st->n_chain[i] = conf->ports[i].n_chain;
		for (uint16_t k = 0; k < conf->ports[i].n_chain; k++)
			st->chain[i][k] = st->handler[conf->ports[i].chain[k]];
	}
	for (unsigned int i = 0; i < dp->plan->n_rxq; i++) {
		const struct prx_plan_rxq *e = &dp->plan->rxq[i];

		st->owner[e->port][e->queue] = (int16_t)e->reactor;
	}
	return 0;
}

/* The worker pool of `workers.cores`, given to every reactor. */
static int
setup_workers(struct prx_dataplane *dp)
{
	const struct prx_conf *conf = dp->conf;
	struct rte_mempool *pools[PRX_MAX_WORKERS];
	int rc;

	if (conf->workers.n_cores == 0)
		return 0;
	for (unsigned int w = 0; w < conf->workers.n_cores; w++) {
		pools[w] = dp_get_pool(dp, (int)rte_lcore_to_socket_id(conf->workers.cores[w]));
		if (pools[w] == NULL)
			return -ENOMEM;
	}
	rc = prx_offload_create((uint16_t)dp->n_reactors, (uint16_t)conf->workers.n_cores,
				conf->workers.cores, conf->reactors.burst, conf->workers.ring_size,
				dp->qsbr, pools, &dp->off);
	if (rc != 0) {
		PRX_LOG(ERR, CTL, "worker pool: %s", strerror(-rc));
		return rc;
	}
	for (unsigned int r = 0; r < dp->n_reactors; r++)
		dp->reactors[r]->pipe.off = dp->off;
	for (unsigned int w = 0; w < conf->workers.n_cores; w++)
		PRX_LOG(INFO, CTL, "worker %u on lcore %u (RCU thread %u)", w,
			conf->workers.cores[w], dp->off->w[w]->rcu_id);
	return 0;
}

int
prx_dp_setup(struct prx_dataplane *dp)
{
	const struct prx_conf *conf = dp->conf;
	struct dp_commit c;
	struct dp_state *st;
	char msg[512] = "";
	size_t qsz;
	int rc;

	/* The RCU variable first: handlers with tables updated in place attach to it.  Reactors
	 * are RCU threads 0..n-1, workers n.. (they read tables updated in place too). */
	qsz = rte_rcu_qsbr_get_memsize(dp->n_reactors + conf->workers.n_cores);
	dp->qsbr = rte_zmalloc("prx_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL)
		return -ENOMEM;
	rc = rte_rcu_qsbr_init(dp->qsbr, dp->n_reactors + conf->workers.n_cores);
	if (rc != 0)
		return -rte_errno;

	/* Built in dp->st directly: nothing runs yet, and destroy frees whatever is in it. */
	st = dp->st;
	rc = setup_state(dp, st);
	if (rc != 0)
		return rc;

	for (uint16_t r = 0; r < dp->n_reactors; r++) {
		int sock = dp->cores[r].socket;
		struct rte_mempool *pool = dp_get_pool(dp, sock);

		if (pool == NULL)
			return -ENOMEM;
		rc = prx_reactor_create(r, dp->cores[r].lcore, sock, conf->reactors.burst,
					conf->reactors.drain_us, &prx_engine_poll, dp->qsbr, pool,
					&dp->reactors[r]);
		if (rc != 0)
			return rc;
		rc = choose_engine(dp, st, r);
		if (rc != 0)
			return rc;
	}
	rc = setup_workers(dp);
	if (rc != 0)
		return rc;
	rc = prx_slowpath_init(dp->reactors, dp->n_reactors, dp_get_pool(dp, dp->cores[0].socket));
	if (rc != 0) {
		PRX_LOG(ERR, CTL, "slow path rings: %s", strerror(-rc));
		return rc;
	}
	rc = dp_prepare(dp, dp_state_dup(st), &c, msg, sizeof(msg));
	if (rc != 0) {
		PRX_LOG(ERR, CTL, "%s", msg);
		return rc;
	}
	free(dp_apply(dp, &c));
	return 0;
}

int
prx_dp_launch(struct prx_dataplane *dp)
{
	/* workers first: reactors hand them packets from their first burst on */
	for (unsigned int w = 0; dp->off != NULL && w < dp->off->n_workers; w++) {
		int rc =
			rte_eal_remote_launch(prx_worker_main, dp->off->w[w], dp->off->w[w]->lcore);

		if (rc != 0) {
			PRX_LOG(ERR, CTL, "cannot launch worker %u on lcore %u: %s", w,
				dp->off->w[w]->lcore, strerror(-rc));
			dp->launched = true;
			prx_dp_stop(dp);
			return rc;
		}
		dp->workers_launched = true;
	}
	for (unsigned int r = 0; r < dp->n_reactors; r++) {
		int rc = rte_eal_remote_launch(prx_reactor_main, dp->reactors[r],
					       dp->reactors[r]->lcore);

		if (rc != 0) {
			PRX_LOG(ERR, CTL, "cannot launch reactor %u on lcore %u: %s", r,
				dp->reactors[r]->lcore, strerror(-rc));
			prx_dp_stop(dp);
			return rc;
		}
		dp->launched = true;
	}
	return 0;
}

void
prx_dp_stop(struct prx_dataplane *dp)
{
	if (dp == NULL || !dp->launched)
		return;
	for (unsigned int r = 0; r < dp->n_reactors; r++)
		if (dp->reactors[r] != NULL)
			prx_reactor_stop(dp->reactors[r]);
	for (unsigned int r = 0; r < dp->n_reactors; r++)
		if (dp->reactors[r] != NULL)
			rte_eal_wait_lcore(dp->reactors[r]->lcore);
	/* after the reactors: they took back what was out at workers before they ended */
	if (dp->off != NULL && dp->workers_launched) {
		prx_offload_stop(dp->off);
		for (unsigned int w = 0; w < dp->off->n_workers; w++)
			rte_eal_wait_lcore(dp->off->w[w]->lcore);
		dp->workers_launched = false;
	}
	dp->launched = false;
}

void
prx_dp_destroy(struct prx_dataplane *dp)
{
	if (dp == NULL)
		return;
	prx_dp_stop(dp);
	prx_slowpath_fini(); /* what is still in the rings is freed */
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		if (dp->st->port[i] != NULL)
			prx_port_stop(dp->st->port[i]->port);
	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++) {
		prx_reactor_destroy(dp->reactors[r]);
		prx_snapshot_free(dp->snap[r]);
	}
	prx_offload_destroy(dp->off); /* what sits in its rings is freed */
	for (unsigned int i = 0; i < dp->st->n_handlers; i++)
		dp_handler_destroy(dp->st->handler[i]);
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++) {
		dp_port_close(dp, dp->st->port[i]);
		prx_port_close(dp->probed[i]);
	}
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		rte_mempool_free(dp->pools[s]);
	for (unsigned int i = 0; i < dp->n_spare; i++)
		rte_mempool_free(dp->spare[i].mp);
	rte_free(dp->qsbr);
	prx_plan_free(dp->plan);
	prx_conf_free(dp->conf_owned);
	free(dp->conf_path);
	free(dp->st);
	free(dp);
}

void
prx_dp_check_links(struct prx_dataplane *dp)
{
	bool changed = false;
	struct dp_commit c;
	char msg[256];

	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++) {
		struct dp_port *e = dp->st->port[i];
		struct prx_port_link link;

		if (e == NULL || prx_port_link(e->port, &link) != 0 ||
		    (link.up == e->link_up && link.speed_mbps == e->speed_mbps))
			continue;
		/* Reactors keep polling a port whose link is down: its bursts return 0 and
		 * refuse to send (counted tx_full), and traffic resumes when it comes up. */
		if (link.up != e->link_up)
			PRX_LOG(NOTICE, CTL, "%s: link %s", e->cp.name, link.up ? "up" : "down");
		changed |= e->link_up >= 0;
		e->link_up = link.up;
		e->speed_mbps = link.speed_mbps;
	}
	/* Adaptive reactors bound their sleeps by the rings' fill time at line rate: new
	 * snapshots for the reactors whose ports changed (nobody else's changes). */
	if (!changed)
		return;
	if (dp_prepare(dp, dp_state_dup(dp->st), &c, msg, sizeof(msg)) == 0)
		free(dp_apply(dp, &c));
	else
		PRX_LOG(WARNING, CTL, "link change: reactors keep their sleep bounds: %s", msg);
}

unsigned int
prx_dp_n_reactors(const struct prx_dataplane *dp)
{
	return dp->n_reactors;
}

const struct prx_reactor *
prx_dp_reactor(const struct prx_dataplane *dp, unsigned int i)
{
	return i < dp->n_reactors ? dp->reactors[i] : NULL;
}

int
prx_dp_set_conf_path(struct prx_dataplane *dp, const char *path)
{
	char *p = strdup(path);

	if (p == NULL)
		return -ENOMEM;
	free(dp->conf_path);
	dp->conf_path = p;
	return 0;
}

const struct prx_conf *
prx_dp_conf(const struct prx_dataplane *dp)
{
	return dp->conf;
}

uint64_t
prx_dp_last_live_us(const struct prx_dataplane *dp)
{
	return dp->last_live_ns / 1000;
}
