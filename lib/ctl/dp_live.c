/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live changes: add and remove a port, move an rx queue, replace a chain.  Each one
 * copies the running state, edits the copy, prepares every snapshot and only then
 * applies (dp_internal.h): a failure on the way changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_internal.h"
#include "prx_log.h"
#include "prx_router.h"

/* Handlers named in `names` into chain[], or -ENOENT with a message. */
static int
resolve_chain(const struct dp_state *st, const char *const *names, unsigned int n,
	      struct dp_handler **chain, char *msg, size_t len)
{
	if (n > PRX_CHAIN_MAX) {
		dp_say(msg, len, "a chain has at most %d handlers", PRX_CHAIN_MAX);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < n; k++) {
		int h = dp_handler_index(st, names[k]);

		if (h < 0) {
			dp_say(msg, len, "no handler \"%s\"", names[k]);
			return -ENOENT;
		}
		chain[k] = st->handler[h];
	}
	return 0;
}

/* Prepare st, apply it, free the old state.  Consumes st. */
static int
commit(struct prx_dataplane *dp, struct dp_state *st, char *msg, size_t len)
{
	struct dp_commit c;
	int rc = dp_prepare(dp, st, &c, msg, len);

	if (rc != 0)
		return rc;
	free(dp_apply(dp, &c));
	dp->changes++;
	return 0;
}

int
prx_dp_port_add(struct prx_dataplane *dp, const struct prx_conf_port *cp, const char *const *chain,
		unsigned int n_chain, char *msg, size_t len)
{
	unsigned int load[PRX_MAX_REACTORS];
	struct dp_commit c;
	struct dp_state *st;
	struct dp_port *e;
	int slot = -1, rc;

	if (cp->name[0] == '\0') {
		dp_say(msg, len, "a port needs a name");
		return -EINVAL;
	}
	if (dp_port_slot(dp->st, cp->name) >= 0) {
		dp_say(msg, len, "port \"%s\" exists", cp->name);
		return -EEXIST;
	}
	if (cp->rx_queues == 0 || cp->rx_queues > PRX_MAX_RXQ) {
		dp_say(msg, len, "rx_queues must be 1..%d", PRX_MAX_RXQ);
		return -EINVAL;
	}
	for (int i = 0; i < PRX_MAX_PORTS && slot < 0; i++)
		if (dp->st->port[i] == NULL)
			slot = i;
	if (slot < 0) {
		dp_say(msg, len, "all %d port slots are taken", PRX_MAX_PORTS);
		return -ENOSPC;
	}
	st = dp_state_dup(dp->st);
	if (st == NULL) {
		dp_say(msg, len, "out of memory");
		return -ENOMEM;
	}
	rc = resolve_chain(st, chain, n_chain, st->chain[slot], msg, len);
	if (rc != 0) {
		free(st);
		return rc;
	}
	st->n_chain[slot] = (uint16_t)n_chain;
	rc = dp_port_open(dp, cp, (uint16_t)slot, true, NULL, &e, msg, len);
	if (rc != 0) {
		free(st);
		return rc;
	}
	st->port[slot] = e;
	dp_loads(dp, st, load);
	for (uint16_t q = 0; q < e->port->n_rxq; q++) {
		int r = dp_pick_reactor(dp, st, (uint16_t)slot, load);

		if (r < 0) {
			dp_say(msg, len,
			       "no reactor can poll port %s: every reactor sleeps in epoll and the port has no wake-up fd",
			       cp->name);
			free(st);
			dp_port_close(dp, e);
			return -ENOTSUP;
		}
		st->owner[slot][q] = (int16_t)r;
		load[r]++;
	}
	rc = dp_prepare(dp, st, &c, msg, len);
	if (rc != 0) {
		dp_port_close(dp, e);
		return rc;
	}
	free(dp_apply(dp, &c));
	dp->changes++;
	PRX_LOG(NOTICE, CTL, "port %s added in slot %d (%u rx queues)", cp->name, slot,
		cp->rx_queues);
	return 0;
}

int
prx_dp_port_del(struct prx_dataplane *dp, const char *name, char *msg, size_t len)
{
	int slot = dp_port_slot(dp->st, name), rc;
	struct dp_state *st, *old;
	struct dp_commit c;
	struct dp_port *e;

	if (slot < 0) {
		dp_say(msg, len, "no port \"%s\"", name);
		return -ENOENT;
	}
	for (unsigned int i = 0; i < dp->st->n_handlers; i++)
		if (strcmp(dp->st->handler[i]->to_name, name) == 0) {
			dp_say(msg, len,
			       "handler %s sends to port %s: change or remove it first (reload)",
			       dp->st->handler[i]->ch.name, name);
			return -EBUSY;
		}
	for (unsigned int i = 0; i < dp->st->n_handlers; i++)
		if (prx_router_uses_slot(dp->st->handler[i]->h, (uint16_t)slot)) {
			dp_say(msg, len,
			       "router %s has routes or neighbours on port %s: delete them first",
			       dp->st->handler[i]->ch.name, name);
			return -EBUSY;
		}
	st = dp_state_dup(dp->st);
	if (st == NULL) {
		dp_say(msg, len, "out of memory");
		return -ENOMEM;
	}
	e = st->port[slot];
	st->port[slot] = NULL;
	st->n_chain[slot] = 0;
	memset(st->owner[slot], 0xff, sizeof(st->owner[slot]));
	rc = dp_prepare(dp, st, &c, msg, len);
	if (rc != 0)
		return rc;
	old = dp_apply(dp, &c);
	free(old);
	/* no reactor polls it or sends to it any more: packets still in tx buffers for
	 * its slot were dropped as no_port when the reactors took the new snapshot */
	dp_port_close(dp, e);
	dp->changes++;
	PRX_LOG(NOTICE, CTL, "port %s removed from slot %d", name, slot);
	return 0;
}

int
prx_dp_queue_move(struct prx_dataplane *dp, const char *port, unsigned int queue,
		  unsigned int reactor, int *from, char *msg, size_t len)
{
	int slot = dp_port_slot(dp->st, port), rc;
	struct dp_commit c1, c2;
	struct dp_state *mid, *fin;

	if (slot < 0) {
		dp_say(msg, len, "no port \"%s\"", port);
		return -ENOENT;
	}
	if (queue >= dp->st->port[slot]->port->n_rxq) {
		dp_say(msg, len, "port %s has rx queues 0..%u", port,
		       dp->st->port[slot]->port->n_rxq - 1);
		return -ERANGE;
	}
	if (reactor >= dp->n_reactors) {
		dp_say(msg, len, "reactors are 0..%u", dp->n_reactors - 1);
		return -ERANGE;
	}
	*from = dp->st->owner[slot][queue];
	if (*from == (int)reactor) {
		dp->last_live_ns = 0;
		return 0;
	}
	/* Two phases, both prepared before the first is published: first nobody polls
	 * the queue (its packets wait in the ring), then the new owner does.  A queue
	 * never has two pollers, and a failure to prepare changes nothing. */
	mid = dp_state_dup(dp->st);
	fin = dp_state_dup(dp->st);
	if (mid == NULL || fin == NULL) {
		free(mid);
		free(fin);
		dp_say(msg, len, "out of memory");
		return -ENOMEM;
	}
	mid->owner[slot][queue] = -1;
	fin->owner[slot][queue] = (int16_t)reactor;
	rc = dp_prepare(dp, fin, &c2, msg, len);
	if (rc != 0) {
		free(mid);
		return rc;
	}
	rc = dp_prepare(dp, mid, &c1, msg, len);
	if (rc != 0) {
		dp_commit_discard(&c2);
		return rc;
	}
	/* c2 was prepared against the snapshots before c1: it republishes the old
	 * owner's (same content as c1's, a harmless pointer swap) and the new owner's. */
	free(dp_apply(dp, &c1));
	free(dp_apply(dp, &c2));
	dp->changes++;
	PRX_LOG(INFO, CTL, "rx queue %s/%u moved from reactor %d to %u", port, queue, *from,
		reactor);
	return 0;
}

int
prx_dp_chain_set(struct prx_dataplane *dp, const char *port, const char *const *names,
		 unsigned int n, char *msg, size_t len)
{
	int slot = dp_port_slot(dp->st, port), rc;
	struct dp_state *st;

	if (slot < 0) {
		dp_say(msg, len, "no port \"%s\"", port);
		return -ENOENT;
	}
	st = dp_state_dup(dp->st);
	if (st == NULL) {
		dp_say(msg, len, "out of memory");
		return -ENOMEM;
	}
	rc = resolve_chain(st, names, n, st->chain[slot], msg, len);
	if (rc != 0) {
		free(st);
		return rc;
	}
	st->n_chain[slot] = (uint16_t)n;
	return commit(dp, st, msg, len);
}

struct prx_handler *
prx_dp_handler(struct prx_dataplane *dp, const char *name)
{
	int i = dp_handler_index(dp->st, name);

	return i >= 0 ? dp->st->handler[i]->h : NULL;
}

const struct prx_port *
prx_dp_port(const struct prx_dataplane *dp, const char *name)
{
	int slot = dp_port_slot(dp->st, name);

	return slot >= 0 ? dp->st->port[slot]->port : NULL;
}

struct rte_rcu_qsbr *
prx_dp_qsbr(const struct prx_dataplane *dp)
{
	return dp->qsbr;
}

int
prx_dp_handler_replace(struct prx_dataplane *dp, const char *name, struct prx_handler *h, char *msg,
		       size_t len)
{
	int i = dp_handler_index(dp->st, name), rc;
	struct dp_handler *old, *e;
	struct prx_handler_stats hs;
	struct dp_state *st;

	if (i < 0) {
		dp_say(msg, len, "no handler \"%s\"", name);
		return -ENOENT;
	}
	old = dp->st->handler[i];
	if (strcmp(old->h->type, h->type) != 0) {
		dp_say(msg, len, "handler %s is a %s, not a %s", name, old->h->type, h->type);
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	st = dp_state_dup(dp->st);
	if (e == NULL || st == NULL || prx_conf_handler_dup(&e->ch, &old->ch) != 0) {
		free(e);
		free(st);
		dp_say(msg, len, "out of memory");
		return -ENOMEM;
	}
	e->h = h;
	memcpy(e->to_name, old->to_name, sizeof(e->to_name));
	st->handler[i] = e;
	for (unsigned int s = 0; s < PRX_MAX_PORTS; s++)
		for (uint16_t k = 0; k < st->n_chain[s]; k++)
			if (st->chain[s][k] == old)
				st->chain[s][k] = e;
	rc = commit(dp, st, msg, len);
	if (rc != 0) {
		e->h = NULL; /* the caller keeps h */
		dp_handler_destroy(e);
		return rc;
	}
	/* counters never reset implicitly: the new instance carries the old counts */
	prx_handler_stats_read(old->h, &hs);
	e->base.in = old->base.in + hs.in;
	e->base.dropped = old->base.dropped + hs.dropped;
	dp_handler_destroy(old);
	return 0;
}
