/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics views: allocation, and the one published view readers share.
 *
 * struct prx_view (the public contract) has no room for a reference count, so every view
 * is allocated inside a box that holds one in front of it: a view must therefore come from
 * prx_view_alloc().  The count and the published pointer are guarded by one mutex: the
 * readers (DPDK's telemetry thread) and the writer (the control thread) take it for a few
 * instructions each, never on the packet path, and a lock is far easier to get right than
 * a lock-free scheme for a pointer swapped ten times a second.
 */
#include "prx_view.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct view_box {
	unsigned long refs; /* the published slot holds one, each prx_view_get() one more */
	struct prx_view v;
};

static pthread_mutex_t pub_lock = PTHREAD_MUTEX_INITIALIZER;
static struct prx_view *published;

static struct view_box *
box_of(struct prx_view *v)
{
	return PRX_CONTAINER_OF(v, struct view_box, v);
}

void
prx_view_free(struct prx_view *v)
{
	if (v == NULL)
		return;
	for (unsigned int i = 0; v->ports != NULL && i < v->n_ports; i++) {
		free(v->ports[i].rxq);
		free(v->ports[i].txq);
	}
	free(v->ports);
	free(v->reactors);
	free(v->handlers);
	free(box_of(v));
}

/* calloc(0, ...) may return NULL or not: an empty array is always NULL here, so that a
 * NULL from calloc means ENOMEM and nothing else. */
static void *
zalloc_array(size_t n, size_t size, bool *failed)
{
	void *p;

	if (n == 0)
		return NULL;
	p = calloc(n, size);
	if (p == NULL)
		*failed = true;
	return p;
}

/*
 * The counts are set to the sizes asked for: every entry is there, zeroed, for the taker
 * to fill in, and prx_view_free() then knows how many ports' queue arrays to free.
 */
struct prx_view *
prx_view_alloc(unsigned int n_ports, unsigned int n_reactors, unsigned int n_handlers)
{
	struct view_box *b = calloc(1, sizeof(*b));
	bool failed = false;
	struct prx_view *v;

	if (b == NULL)
		return NULL;
	v = &b->v;
	v->ports = zalloc_array(n_ports, sizeof(*v->ports), &failed);
	v->reactors = zalloc_array(n_reactors, sizeof(*v->reactors), &failed);
	v->handlers = zalloc_array(n_handlers, sizeof(*v->handlers), &failed);
	v->n_ports = n_ports;
	v->n_reactors = n_reactors;
	v->n_handlers = n_handlers;
	if (failed) {
		prx_view_free(v);
		return NULL;
	}
	return v;
}

int
prx_view_port_queues(struct prx_view_port *p, uint16_t n_rxq, uint16_t n_txq)
{
	bool failed = false;
	struct prx_view_rxq *rxq = zalloc_array(n_rxq, sizeof(*rxq), &failed);
	struct prx_view_txq *txq = zalloc_array(n_txq, sizeof(*txq), &failed);

	if (failed) {
		free(rxq);
		free(txq);
		return -ENOMEM;
	}
	/* Called twice for one port: the second call replaces, it does not leak. */
	free(p->rxq);
	free(p->txq);
	p->rxq = rxq;
	p->txq = txq;
	p->n_rxq = n_rxq;
	p->n_txq = n_txq;
	return 0;
}

struct prx_view *
prx_view_get(void)
{
	struct prx_view *v;

	pthread_mutex_lock(&pub_lock);
	v = published;
	if (v != NULL)
		box_of(v)->refs++;
	pthread_mutex_unlock(&pub_lock);
	return v;
}

/* Drop one reference; the caller holds pub_lock.  @return true when it was the last. */
static bool
unref_locked(struct prx_view *v)
{
	return v != NULL && --box_of(v)->refs == 0;
}

void
prx_view_put(struct prx_view *v)
{
	bool last;

	if (v == NULL)
		return;
	pthread_mutex_lock(&pub_lock);
	last = unref_locked(v);
	pthread_mutex_unlock(&pub_lock);
	/* Freed outside the lock: nobody else can reach a view with no reference left. */
	if (last)
		prx_view_free(v);
}

void
prx_view_publish(struct prx_view *v)
{
	struct prx_view *old;
	bool last;

	pthread_mutex_lock(&pub_lock);
	old = published;
	if (old == v) {
		/* Publishing the published view again must not drop the slot's reference. */
		pthread_mutex_unlock(&pub_lock);
		return;
	}
	if (v != NULL)
		box_of(v)->refs++;
	published = v;
	last = unref_locked(old);
	pthread_mutex_unlock(&pub_lock);
	if (last)
		prx_view_free(old);
}
