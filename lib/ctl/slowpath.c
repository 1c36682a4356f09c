/* SPDX-License-Identifier: BSD-3-Clause */
/* The slow path (prx_slowpath.h). */
#include "prx_slowpath.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "prx_log.h"

struct consumer {
	prx_punt_fn fn;
	void *ctx;
	prx_tick_fn tick;
};

static struct {
	unsigned int n;
	struct prx_reactor *reactors[PRX_MAX_REACTORS];
	struct rte_ring *punt[PRX_MAX_REACTORS];
	struct rte_ring *inject[PRX_MAX_REACTORS];
	struct rte_mempool *pool;
	int efd;
	struct prx_fd h;
	struct prx_timer tick;
	struct consumer consumers[PRX_SLOWPATH_MAX_CONSUMERS + 1];
	struct prx_slowpath_stats st;
} sp = {.efd = -1};

static void
free_ring(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
prx_slowpath_fini(void)
{
	prx_slowpath_attach(NULL);
	for (unsigned int i = 0; i < sp.n; i++) {
		if (sp.reactors[i] != NULL) {
			sp.reactors[i]->pipe.punt = NULL;
			sp.reactors[i]->inject = NULL;
		}
		free_ring(sp.punt[i]);
		free_ring(sp.inject[i]);
		sp.punt[i] = sp.inject[i] = NULL;
	}
	sp.n = 0;
	if (sp.efd >= 0)
		close(sp.efd);
	sp.efd = -1;
	sp.pool = NULL;
}

int
prx_slowpath_init(struct prx_reactor *const *reactors, unsigned int n, struct rte_mempool *pool)
{
	char name[RTE_RING_NAMESIZE];

	prx_slowpath_fini();
	memset(&sp.st, 0, sizeof(sp.st));
	sp.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sp.efd < 0)
		return -errno;
	sp.pool = pool;
	for (unsigned int i = 0; i < n; i++) {
		struct prx_reactor *r = reactors[i];

		sp.reactors[i] = r;
		sp.n = i + 1;
		snprintf(name, sizeof(name), "prx_punt%u", i);
		sp.punt[i] = rte_ring_create(name, PRX_SLOWPATH_RING, r->socket,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "prx_inject%u", i);
		sp.inject[i] = rte_ring_create(name, PRX_SLOWPATH_RING, r->socket,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (sp.punt[i] == NULL || sp.inject[i] == NULL) {
			int rc = -rte_errno;

			prx_slowpath_fini();
			return rc;
		}
		r->pipe.punt = sp.punt[i];
		r->inject = sp.inject[i];
		r->punt_efd = sp.efd;
	}
	return 0;
}

static void
on_kick(struct prx_fd *h, uint32_t events, void *arg)
{
	uint64_t v;

	(void)events;
	(void)arg;
	/* read first: a punt after the drain below writes the eventfd again */
	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		PRX_LOG(DEBUG, CTL, "slow path eventfd: %s", strerror(errno));
	prx_slowpath_poll();
}

static void
on_tick(struct prx_timer *t, void *arg)
{
	uint64_t now = prx_evloop_now_ns();

	(void)t;
	(void)arg;
	for (int id = 1; id <= PRX_SLOWPATH_MAX_CONSUMERS; id++)
		if (sp.consumers[id].tick != NULL)
			sp.consumers[id].tick(sp.consumers[id].ctx, now);
}

int
prx_slowpath_attach(struct prx_evloop *ev)
{
	int rc;

	if (prx_fd_active(&sp.h))
		prx_fd_remove(&sp.h);
	prx_timer_stop(&sp.tick);
	if (ev == NULL || sp.efd < 0)
		return 0;
	rc = prx_fd_add(ev, &sp.h, sp.efd, PRX_EV_READ, 0, on_kick, NULL);
	if (rc == 0)
		rc = prx_timer_start(ev, &sp.tick, PRX_SLOWPATH_TICK_US, PRX_SLOWPATH_TICK_US,
				     on_tick, NULL);
	return rc;
}

unsigned int
prx_slowpath_poll(void)
{
	struct rte_mbuf *pkts[32];
	unsigned int total = 0;

	for (unsigned int i = 0; i < sp.n; i++) {
		unsigned int k;

		do {
			k = rte_ring_sc_dequeue_burst(sp.punt[i], (void **)pkts, 32, NULL);
			for (unsigned int j = 0; j < k; j++) {
				struct rte_mbuf *m = pkts[j];
				enum prx_punt_reason why = prx_punt_reason(m);
				const struct consumer *c = &sp.consumers[prx_punt_consumer(m)];

				if (why < PRX_PUNT_REASON_MAX)
					sp.st.punts[why]++;
				if (c->fn == NULL) {
					sp.st.unclaimed++;
					rte_pktmbuf_free(m);
					continue;
				}
				c->fn(c->ctx, m);
			}
			total += k;
		} while (k == 32);
	}
	return total;
}

int
prx_slowpath_consumer_add(prx_punt_fn fn, void *ctx)
{
	for (int id = 1; id <= PRX_SLOWPATH_MAX_CONSUMERS; id++)
		if (sp.consumers[id].fn == NULL) {
			sp.consumers[id] = (struct consumer){fn, ctx, NULL};
			return id;
		}
	return -ENOSPC;
}

void
prx_slowpath_consumer_del(int id)
{
	if (id <= 0 || id > PRX_SLOWPATH_MAX_CONSUMERS)
		return;
	prx_slowpath_poll(); /* what is in flight for it is its business still */
	sp.consumers[id] = (struct consumer){NULL, NULL, NULL};
}

void
prx_slowpath_consumer_tick(int id, prx_tick_fn fn)
{
	if (id > 0 && id <= PRX_SLOWPATH_MAX_CONSUMERS && sp.consumers[id].fn != NULL)
		sp.consumers[id].tick = fn;
}

struct rte_mbuf *
prx_slowpath_alloc(void)
{
	return sp.pool != NULL ? rte_pktmbuf_alloc(sp.pool) : NULL;
}

int
prx_slowpath_send(uint16_t slot, struct rte_mbuf *m)
{
	if (sp.n == 0 || slot >= PRX_MAX_PORTS) {
		sp.st.send_failed++;
		rte_pktmbuf_free(m);
		return sp.n == 0 ? -ENODEV : -EINVAL;
	}
	prx_punt_meta_set(m, PRX_PUNT_NONE, slot, 0, 0);
	if (rte_ring_sp_enqueue(sp.inject[0], m) != 0) {
		sp.st.send_failed++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	sp.st.sent++;
	prx_reactor_wake(sp.reactors[0]); /* it may sleep in epoll */
	return 0;
}

void
prx_slowpath_stats(struct prx_slowpath_stats *out)
{
	*out = sp.st;
}
