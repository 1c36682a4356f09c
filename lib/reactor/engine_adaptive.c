/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive engine: poll while traffic flows; after a run of empty polls, sleep.
 *
 * How it sleeps depends on what its rx queues can do (docs/design.md, "Engines"):
 *  - a queue with a wake-up fd (a kernel interface) wakes the reactor by itself, as in
 *    the epoll engine;
 *  - a queue with rx interrupts (many NICs) is armed first, and the next pass polls the
 *    rings once more: a packet that arrived before arming raised no interrupt, but that
 *    pass receives it.  Only when it finds nothing does the reactor sleep;
 *  - any other queue (every DPDK vdev) can only be polled: the sleep is then timed,
 *    bounded by the wake-up budget and by the time the ring takes to fill at line rate
 *    (prx_sleep_us), while the queues that can wake the reactor still do.
 * When every queue can wake it, the reactor blocks until one does (or a post, a timer or
 * another fd of its loop).  Asleep it is RCU-offline.  Interrupts are disarmed after
 * every sleep, and when traffic resumes.
 */
#include "prx_reactor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_pause.h>

#include "prx_log.h"

/* While polling, the reactor's fds are checked without blocking this often (passes). */
#define ADAPTIVE_FD_CHECK_EVERY 1024

/* One rx queue of the poll list. */
struct aq {
	struct prx_port *port;
	uint16_t queue;
	int fd;		 /* its wake-up or interrupt fd, or -1 */
	bool wakes;	 /* fd is a wake-up fd, watched: readable while packets wait */
	bool intr;	 /* rx_intr_open succeeded (fd is its interrupt fd) */
	bool usable;	 /* the interrupt can be armed and is watched */
	bool armed;	 /* armed now */
	struct prx_fd h; /* the fd's registration, when this queue made it (fds are shared) */
};

struct adaptive_state {
	uint64_t empty;	  /* empty passes in a row */
	uint32_t fill_us; /* shortest fill time of the polled rings, 0 = no bound */
	bool blind;	  /* the poll list is not known (no memory): timed sleeps only */
	bool armed;	  /* some interrupt is armed */
	uint16_t n;
	struct aq *q; /* n */
};

static void
wake_ready(struct prx_fd *h, uint32_t events, void *arg)
{
	const struct aq *q = arg;
	socklen_t len = sizeof(int);
	int err;

	RTE_SET_USED(h);
	/* As in the epoll engine: packets are the next pass's business; a pending socket
	 * error is read here, or the level-triggered fd would wake us again and again. */
	if (events & PRX_EV_ERROR)
		(void)getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &len);
}

static void
intr_ready(struct prx_fd *h, uint32_t events, void *arg)
{
	const struct aq *q = arg;

	RTE_SET_USED(h);
	RTE_SET_USED(events);
	prx_port_rx_intr_ack(q->port, q->fd);
}

static void
disarm(struct adaptive_state *st)
{
	for (uint16_t i = 0; i < st->n; i++) {
		struct aq *q = &st->q[i];

		if (q->armed) {
			prx_port_rx_intr_arm(q->port, q->queue, false);
			q->armed = false;
		}
	}
	st->armed = false;
}

/* Arm every usable interrupt.  A queue that cannot be armed is polled only from now on
 * (until the next rebind).  Returns how many are armed. */
static unsigned int
arm(struct prx_reactor *r, struct adaptive_state *st)
{
	unsigned int n = 0;

	for (uint16_t i = 0; i < st->n; i++) {
		struct aq *q = &st->q[i];
		int rc;

		if (!q->usable)
			continue;
		rc = prx_port_rx_intr_arm(q->port, q->queue, true);
		if (rc == 0) {
			q->armed = true;
			n++;
			continue;
		}
		q->usable = false;
		PRX_LOG(NOTICE, REACTOR,
			"reactor %u: %s rxq %u: cannot arm its rx interrupt (%s): timed sleeps",
			r->id, q->port->name, q->queue, strerror(-rc));
	}
	st->armed = n > 0;
	return n;
}

/* Can every queue wake the reactor (a wake-up fd, or an armed interrupt)? */
static bool
can_block(const struct adaptive_state *st)
{
	if (st->blind)
		return false;
	for (uint16_t i = 0; i < st->n; i++)
		if (!st->q[i].wakes && !st->q[i].armed)
			return false;
	return true;
}

static void
unbind(struct adaptive_state *st)
{
	disarm(st);
	/* fds first: closing an interrupt may release the fd it was watched on */
	for (uint16_t i = 0; i < st->n; i++)
		prx_fd_remove(&st->q[i].h);
	for (uint16_t i = 0; i < st->n; i++)
		if (st->q[i].intr)
			prx_port_rx_intr_close(st->q[i].port, st->q[i].queue);
	free(st->q);
	st->q = NULL;
	st->n = 0;
	st->fill_us = 0;
	st->blind = false;
}

/* Watch q's fd.  Several queues may share one fd: the first registers it. */
static bool
watch(struct prx_reactor *r, struct aq *q, prx_fd_cb_fn cb)
{
	int rc = prx_fd_add(r->ev, &q->h, q->fd, PRX_EV_READ, 0, cb, q);

	if (rc == 0 || rc == -EEXIST)
		return true;
	PRX_LOG(ERR, REACTOR, "reactor %u: cannot watch %s rxq %u (fd %d): %s: timed sleeps", r->id,
		q->port->name, q->queue, q->fd, strerror(-rc));
	return false;
}

static void
bind_queue(struct prx_reactor *r, struct aq *q, const struct prx_poll_entry *e)
{
	int rc;

	q->port = e->port;
	q->queue = e->queue;
	q->fd = e->wake_fd;
	if (q->fd >= 0) {
		q->wakes = watch(r, q, wake_ready);
		return;
	}
	rc = prx_port_rx_intr_open(e->port, e->queue);
	if (rc < 0) {
		if (rc != -ENOTSUP)
			PRX_LOG(NOTICE, REACTOR,
				"reactor %u: %s rxq %u: no rx interrupt (%s): timed sleeps", r->id,
				e->port->name, e->queue, strerror(-rc));
		return;
	}
	q->fd = rc;
	q->intr = true;
	q->usable = watch(r, q, intr_ready);
}

/* On the reactor's thread, when it takes up a new snapshot. */
static void
adaptive_rebind(struct prx_reactor *r, const struct prx_snapshot *s)
{
	struct adaptive_state *st = r->engine_priv;
	uint16_t n = s != NULL ? s->n_poll : 0, n_wake = 0, n_intr = 0;

	if (st == NULL) /* a reactor driven by hand, without init */
		return;
	unbind(st);
	st->empty = 0;
	if (n == 0)
		return;
	st->q = calloc(n, sizeof(st->q[0]));
	if (st->q == NULL) {
		PRX_LOG(ERR, REACTOR, "reactor %u: no memory for %u queues: timed sleeps only",
			r->id, n);
		st->blind = true;
		return;
	}
	st->n = n;
	for (uint16_t i = 0; i < n; i++) {
		const struct prx_poll_entry *e = &s->poll[i];

		bind_queue(r, &st->q[i], e);
		n_wake += st->q[i].wakes;
		n_intr += st->q[i].usable;
		if (e->fill_us != 0 && (st->fill_us == 0 || e->fill_us < st->fill_us))
			st->fill_us = e->fill_us;
	}
	PRX_LOG(DEBUG, REACTOR,
		"reactor %u: %u rx queue(s): %u with a wake-up fd, %u with rx interrupts, %u polled only; sleeps at most %u us",
		r->id, n, n_wake, n_intr, n - n_wake - n_intr,
		prx_sleep_us(&r->sleep, UINT64_MAX, st->fill_us));
}

static void
fd_check(struct prx_reactor *r)
{
	if (++r->fd_iter >= ADAPTIVE_FD_CHECK_EVERY) {
		r->fd_iter = 0;
		prx_evloop_run(r->ev, 0);
	}
}

static void
adaptive_idle(struct prx_reactor *r, unsigned int received)
{
	struct adaptive_state *st = r->engine_priv;
	uint32_t us;

	if (unlikely(st == NULL))
		return;
	if (received != 0) {
		st->empty = 0;
		if (unlikely(st->armed))
			disarm(st);
		fd_check(r);
		return;
	}
	us = prx_sleep_us(&r->sleep, ++st->empty, st->fill_us);
	if (us == 0) {
		fd_check(r);
		rte_pause();
		return;
	}
	/* Interrupts first; the next pass re-checks the rings, and sleeps if still empty. */
	if (!st->armed && arm(r, st) > 0)
		return;
	r->fd_iter = 0;
	/* Offline while asleep, or every grace period would wait for this reactor. */
	prx_reactor_sleep_begin(r);
	rte_rcu_qsbr_thread_offline(r->qsbr, r->id);
	prx_evloop_run(r->ev, can_block(st) ? -1 : (int64_t)us);
	rte_rcu_qsbr_thread_online(r->qsbr, r->id);
	prx_reactor_sleep_end(r);
	if (st->armed)
		disarm(st);
}

static int
adaptive_init(struct prx_reactor *r)
{
	struct adaptive_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return -ENOMEM;
	r->engine_priv = st;
	return 0;
}

static void
adaptive_fini(struct prx_reactor *r)
{
	struct adaptive_state *st = r->engine_priv;

	if (st == NULL)
		return;
	unbind(st);
	free(st);
	r->engine_priv = NULL;
}

const struct prx_engine_ops prx_engine_adaptive = {
	.name = "adaptive",
	.init = adaptive_init,
	.idle = adaptive_idle,
	.rebind = adaptive_rebind,
	.fini = adaptive_fini,
};
