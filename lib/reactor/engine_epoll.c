/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The epoll engine: poll the rx queues while they deliver; after a pass that received
 * nothing, go RCU-offline and sleep in epoll_wait on the queues' wake-up fds and the
 * reactor's other fds (timers, sockets, posts), then come back online.  No CPU when idle.
 *
 * No wake-up is lost: the fds are level-triggered, so a packet that lands between the
 * empty pass and epoll_wait leaves its fd readable and the wait returns at once.
 */
#include "prx_reactor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>

#include "prx_log.h"

/* Under load the fds are checked without blocking this often (iterations). */
#define EPOLL_FD_CHECK_EVERY 64
/* How long a reactor keeps polling after its last packet before it sleeps. */
#define EPOLL_LINGER_US 50

struct epoll_state {
	uint16_t n;
	struct prx_fd fds[]; /* one per rx queue of the current poll list */
};

static void
queue_ready(struct prx_fd *h, uint32_t events, void *arg)
{
	int err;
	socklen_t len = sizeof(err);

	RTE_SET_USED(arg);
	/* Packets are the next iteration's business.  A pending socket error (a packet
	 * socket whose interface went down) is read here, or the level-triggered fd would
	 * wake the reactor again and again with nothing to do; a non-socket fd just fails. */
	if (events & PRX_EV_ERROR)
		(void)getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len);
}

static void
unbind(struct prx_reactor *r)
{
	struct epoll_state *st = r->engine_priv;

	if (st == NULL)
		return;
	for (uint16_t i = 0; i < st->n; i++)
		prx_fd_remove(&st->fds[i]);
	free(st);
	r->engine_priv = NULL;
}

/* Called on the reactor's thread when it takes up a new snapshot (a control-path event). */
static void
epoll_rebind(struct prx_reactor *r, const struct prx_snapshot *s)
{
	struct epoll_state *st;
	uint16_t n = s != NULL ? s->n_poll : 0;

	unbind(r);
	st = calloc(1, sizeof(*st) + n * sizeof(st->fds[0]));
	if (st == NULL) {
		PRX_LOG(ERR, REACTOR, "reactor %u: no memory for %u wake-up fds", r->id, n);
		return;
	}
	r->engine_priv = st;
	for (uint16_t i = 0; i < n; i++) {
		const struct prx_poll_entry *e = &s->poll[i];
		int rc;

		/* Two queues may share one fd (a port whose queues wake together). */
		rc = prx_fd_add(r->ev, &st->fds[st->n], e->wake_fd, PRX_EV_READ, 0, queue_ready,
				NULL);
		if (rc == 0)
			st->n++;
		else if (rc != -EEXIST)
			PRX_LOG(ERR, REACTOR, "reactor %u: cannot watch %s rxq %u (fd %d): %s",
				r->id, e->port->name, e->queue, e->wake_fd, strerror(-rc));
	}
}

static void
epoll_idle(struct prx_reactor *r, unsigned int received)
{
	if (received != 0)
		r->last_rx_tsc = r->last_tsc;
	/* Within EPOLL_LINGER_US of the last packet keep polling (fds checked without
	 * blocking): a stream of frames is then taken in bursts rather than one wake-up per
	 * frame.  Only after that does the reactor sleep. */
	if (received != 0 || r->last_tsc - r->last_rx_tsc < r->linger_tsc) {
		if (++r->fd_iter >= EPOLL_FD_CHECK_EVERY) {
			r->fd_iter = 0;
			prx_evloop_run(r->ev, 0);
		}
		return;
	}
	r->fd_iter = 0;
	/* Offline while asleep, or every grace period would wait for this reactor. */
	prx_reactor_sleep_begin(r);
	rte_rcu_qsbr_thread_offline(r->qsbr, r->id);
	prx_evloop_run(r->ev, -1);
	rte_rcu_qsbr_thread_online(r->qsbr, r->id);
	prx_reactor_sleep_end(r);
}

static int
epoll_init(struct prx_reactor *r)
{
	r->linger_tsc = rte_get_tsc_hz() / 1000000 * EPOLL_LINGER_US;
	return 0;
}

static void
epoll_fini(struct prx_reactor *r)
{
	unbind(r);
}

const struct prx_engine_ops prx_engine_epoll = {
	.name = "epoll",
	.init = epoll_init,
	.idle = epoll_idle,
	.rebind = epoll_rebind,
	.fini = epoll_fini,
};

bool
prx_engine_epoll_usable(const struct prx_snapshot *s)
{
	for (uint16_t i = 0; s != NULL && i < s->n_poll; i++)
		if (s->poll[i].wake_fd < 0)
			return false;
	return true;
}
