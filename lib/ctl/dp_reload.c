/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload: parse and validate the file into a new configuration, compare it
 * with the running one, and apply the difference as one change (dp_internal.h).
 *
 * What a reload can change live: ports added and removed, chains, handlers added,
 * removed or changed (a changed handler is a new instance; its counters carry on), and
 * stats_interval.  What needs a restart (reported as FILE:LINE errors, nothing applied):
 * mode, instance, eal, memory_mb, control_core, core_mapping, reactors, mempool, control,
 * and the device settings of a port that stays (devargs, queues, ring sizes...): remove
 * the port in one reload and add it back in the next.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_internal.h"
#include "prx_log.h"

/* Appends lines to a message buffer. */
struct lines {
	char *buf;
	size_t len, used;
	unsigned int n;
};

static void __attribute__((format(printf, 2, 3))) add_line(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	l->n++;
	if (l->buf == NULL || l->used + 1 >= l->len)
		return;
	if (l->used > 0)
		l->buf[l->used++] = '\n';
	va_start(ap, fmt);
	k = vsnprintf(l->buf + l->used, l->len - l->used, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->used += (size_t)k;
	if (l->used >= l->len)
		l->used = l->len - 1;
	l->buf[l->used] = '\0';
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
restart_only(struct lines *l, const struct prx_conf *nc, int line, const char *what, bool same)
{
	if (same)
		return;
	if (line > 0)
		add_line(l, "%s:%d: %s: changing it needs a restart (running value kept)", nc->file,
			 line, what);
	else
		add_line(l, "%s: %s: changing it needs a restart (running value kept)", nc->file,
			 what);
}

static bool
eal_same(const struct prx_conf *a, const struct prx_conf *b)
{
	if (a->n_eal != b->n_eal)
		return false;
	for (unsigned int i = 0; i < a->n_eal; i++)
		if (strcmp(a->eal[i], b->eal[i]) != 0)
			return false;
	return true;
}

static bool
reactors_same(const struct prx_conf *a, const struct prx_conf *b)
{
	return a->reactors.n_cores == b->reactors.n_cores &&
	       memcmp(a->reactors.cores, b->reactors.cores,
		      a->reactors.n_cores * sizeof(a->reactors.cores[0])) == 0 &&
	       memcmp(a->reactors.engines, b->reactors.engines,
		      a->reactors.n_cores * sizeof(a->reactors.engines[0])) == 0 &&
	       a->reactors.burst == b->reactors.burst &&
	       a->reactors.drain_us == b->reactors.drain_us &&
	       a->reactors.max_wakeup_us == b->reactors.max_wakeup_us &&
	       a->reactors.idle_polls == b->reactors.idle_polls &&
	       a->workers.n_cores == b->workers.n_cores &&
	       a->workers.ring_size == b->workers.ring_size &&
	       memcmp(a->workers.cores, b->workers.cores,
		      a->workers.n_cores * sizeof(a->workers.cores[0])) == 0;
}

/* The first device setting in which two ports differ, or NULL. */
static const char *
device_diff(const struct prx_conf_port *a, const struct prx_conf_port *b)
{
	if (!str_eq(a->dpdk, b->dpdk))
		return "dpdk";
	if (!str_eq(a->kernel, b->kernel))
		return "kernel";
	if (a->rx_queues != b->rx_queues)
		return "rx_queues";
	if (a->rx_desc != b->rx_desc)
		return "rx_desc";
	if (a->tx_desc != b->tx_desc)
		return "tx_desc";
	if (a->promiscuous != b->promiscuous)
		return "promiscuous";
	if (a->socket != b->socket)
		return "socket";
	if (memcmp(&a->afpacket, &b->afpacket, sizeof(a->afpacket)) != 0)
		return "afpacket";
	if (a->has_addr != b->has_addr || a->addr4 != b->addr4 || a->prefix4 != b->prefix4)
		return "address";
	return NULL;
}

/* Everything the new configuration changes that cannot change live. */
static void
check_restart_only(const struct prx_dataplane *dp, const struct prx_conf *nc, struct lines *l)
{
	const struct prx_conf *oc = dp->conf;

	restart_only(l, nc, nc->line.mode, "mode", oc->mode == nc->mode);
	restart_only(l, nc, nc->line.instance, "instance", strcmp(oc->instance, nc->instance) == 0);
	restart_only(l, nc, nc->line.eal, "eal", eal_same(oc, nc));
	restart_only(l, nc, nc->line.memory_mb, "memory_mb", oc->memory_mb == nc->memory_mb);
	restart_only(l, nc, nc->line.control_core, "control_core",
		     oc->control_core == nc->control_core);
	restart_only(l, nc, nc->line.reactors, "reactors", reactors_same(oc, nc));
	restart_only(l, nc, nc->line.core_mapping, "core_mapping",
		     oc->core_mapping == nc->core_mapping);
	restart_only(l, nc, nc->line.mempool, "mempool",
		     memcmp(&oc->mempool, &nc->mempool, sizeof(oc->mempool)) == 0);
	restart_only(l, nc, nc->line.control, "control",
		     str_eq(oc->control.socket, nc->control.socket) &&
			     str_eq(oc->control.metrics, nc->control.metrics) &&
			     oc->control.socket_mode == nc->control.socket_mode &&
			     oc->control.keep_net_caps == nc->control.keep_net_caps);
	for (unsigned int i = 0; i < nc->n_ports; i++) {
		int slot = dp_port_slot(dp->st, nc->ports[i].name);
		const char *what;

		if (slot < 0)
			continue;
		what = device_diff(&dp->st->port[slot]->cp, &nc->ports[i]);
		if (what != NULL)
			add_line(
				l,
				"%s:%d: ports.%s.%s: a running port's device settings cannot change live: remove the port (reload or prxctl port del) and add it back",
				nc->file, nc->ports[i].line, nc->ports[i].name, what);
	}
}

/* What one reload opened, replaced and left behind, for rollback or reclamation. */
struct plan {
	struct dp_port *added[PRX_MAX_PORTS];
	unsigned int n_added;
	struct dp_port *gone[PRX_MAX_PORTS];
	unsigned int n_gone;
	struct dp_handler *created[PRX_MAX_HANDLERS];
	struct dp_handler *replaced[PRX_MAX_HANDLERS]; /**< the old instance of created[i] */
	unsigned int n_created;
	struct dp_handler *dropped[PRX_MAX_HANDLERS];
	unsigned int n_dropped;
};

static void
rollback(struct prx_dataplane *dp, struct plan *p)
{
	for (unsigned int i = 0; i < p->n_created; i++)
		dp_handler_destroy(p->created[i]);
	for (unsigned int i = 0; i < p->n_added; i++)
		dp_port_close(dp, p->added[i]);
}

static void
chain_text(const struct dp_state *st, unsigned int slot, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	for (uint16_t i = 0; i < st->n_chain[slot] && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? "," : "",
				      st->chain[slot][i]->ch.name);
	if (st->n_chain[slot] == 0)
		snprintf(buf, len, "(empty)");
}

static void note(struct prx_dp_reload *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct prx_dp_reload *res, const char *fmt, ...)
{
	va_list ap;

	if (res->n_changes >= PRX_ARRAY_SIZE(res->changes))
		return;
	va_start(ap, fmt);
	vsnprintf(res->changes[res->n_changes++], sizeof(res->changes[0]), fmt, ap);
	va_end(ap);
}

/* The new state: ports removed and added, handlers, chains, owners of new queues. */
static int
build(struct prx_dataplane *dp, const struct prx_conf *nc, struct dp_state *st, struct plan *p,
      struct prx_dp_reload *res, char *msg, size_t len)
{
	unsigned int load[PRX_MAX_REACTORS];
	char why[512];
	int rc;

	for (unsigned int s = 0; s < PRX_MAX_PORTS; s++) {
		if (st->port[s] == NULL || prx_conf_port_index(nc, st->port[s]->cp.name) >= 0)
			continue;
		p->gone[p->n_gone++] = st->port[s];
		note(res, "port %s removed", st->port[s]->cp.name);
		st->port[s] = NULL;
		st->n_chain[s] = 0;
		memset(st->owner[s], 0xff, sizeof(st->owner[s]));
	}
	for (unsigned int i = 0; i < nc->n_ports; i++) {
		const struct prx_conf_port *cp = &nc->ports[i];
		int slot = -1;

		if (dp_port_slot(st, cp->name) >= 0)
			continue;
		/* a slot free before and after: never one that a removed port leaves now,
		 * whose packets may still sit in the reactors' tx buffers */
		for (int s = 0; s < PRX_MAX_PORTS && slot < 0; s++)
			if (st->port[s] == NULL && dp->st->port[s] == NULL)
				slot = s;
		if (slot < 0) {
			dp_say(msg, len, "%s:%d: ports.%s: no free port slot", nc->file, cp->line,
			       cp->name);
			return -ENOSPC;
		}
		rc = dp_port_open(dp, cp, (uint16_t)slot, true, NULL, &st->port[slot], why,
				  sizeof(why));
		if (rc != 0) {
			dp_say(msg, len, "%s:%d: ports.%s: %s", nc->file, cp->line, cp->name, why);
			return rc;
		}
		p->added[p->n_added++] = st->port[slot];
		note(res, "port %s added in slot %d", cp->name, slot);
	}
	/* handlers in the new order; unchanged ones are kept, others made anew */
	for (unsigned int i = 0; i < nc->n_handlers; i++) {
		const struct prx_conf_handler *ch = &nc->handlers[i];
		const char *to =
			ch->type == PRX_HANDLER_XCONNECT ? nc->ports[ch->u.xconnect.to].name : NULL;
		int old = dp_handler_index(dp->st, ch->name);
		struct dp_handler *e;

		if (old >= 0 && dp_handler_same(dp->st->handler[old], ch, to)) {
			st->handler[i] = dp->st->handler[old];
			continue;
		}
		rc = dp_handler_create(dp, ch, to, st, &e, why, sizeof(why));
		if (rc != 0) {
			dp_say(msg, len, "%s:%d: handlers.%s: %s", nc->file, ch->line, ch->name,
			       why);
			return rc;
		}
		p->replaced[p->n_created] = old >= 0 ? dp->st->handler[old] : NULL;
		p->created[p->n_created++] = e;
		st->handler[i] = e;
		note(res, "handler %s %s", ch->name, old >= 0 ? "changed" : "added");
	}
	for (unsigned int i = 0; i < dp->st->n_handlers; i++)
		if (dp_handler_index(st, dp->st->handler[i]->ch.name) < 0 ||
		    (unsigned int)dp_handler_index(st, dp->st->handler[i]->ch.name) >=
			    nc->n_handlers) {
			p->dropped[p->n_dropped++] = dp->st->handler[i];
			note(res, "handler %s removed", dp->st->handler[i]->ch.name);
		}
	for (unsigned int i = nc->n_handlers; i < PRX_MAX_HANDLERS; i++)
		st->handler[i] = NULL;
	st->n_handlers = nc->n_handlers;
	for (unsigned int i = 0; i < nc->n_ports; i++) {
		const struct prx_conf_port *cp = &nc->ports[i];
		int slot = dp_port_slot(st, cp->name);
		char before[128], after[128];

		chain_text(st, (unsigned int)slot, before, sizeof(before));
		st->n_chain[slot] = cp->n_chain;
		for (uint16_t k = 0; k < cp->n_chain; k++)
			st->chain[slot][k] = st->handler[cp->chain[k]];
		chain_text(st, (unsigned int)slot, after, sizeof(after));
		if (dp->st->port[slot] == st->port[slot] &&
		    (strcmp(before, after) != 0 ||
		     memcmp(dp->st->chain[slot], st->chain[slot], sizeof(st->chain[slot])) != 0))
			note(res, "port %s chain %s -> %s", cp->name, before, after);
	}
	dp_loads(dp, st, load);
	for (unsigned int i = 0; i < p->n_added; i++) {
		uint16_t slot = p->added[i]->port->index;

		for (uint16_t q = 0; q < p->added[i]->port->n_rxq; q++) {
			int r = dp_pick_reactor(dp, st, slot, load);

			if (r < 0) {
				dp_say(msg, len,
				       "%s:%d: ports.%s: no reactor can poll it (every reactor sleeps in epoll and it has no wake-up fd)",
				       nc->file, p->added[i]->cp.line, p->added[i]->cp.name);
				return -ENOTSUP;
			}
			st->owner[slot][q] = (int16_t)r;
			load[r]++;
		}
	}
	return 0;
}

static void
reclaim(struct prx_dataplane *dp, struct plan *p)
{
	for (unsigned int i = 0; i < p->n_created; i++) {
		struct dp_handler *old = p->replaced[i];
		struct prx_handler_stats hs;

		if (old == NULL)
			continue;
		/* counters never reset implicitly: the new instance carries the old counts */
		prx_handler_stats_read(old->h, &hs);
		p->created[i]->base.in = old->base.in + hs.in;
		p->created[i]->base.dropped = old->base.dropped + hs.dropped;
		dp_handler_destroy(old);
	}
	for (unsigned int i = 0; i < p->n_dropped; i++)
		dp_handler_destroy(p->dropped[i]);
	for (unsigned int i = 0; i < p->n_gone; i++)
		dp_port_close(dp, p->gone[i]);
}

static int
fail(struct prx_dataplane *dp, struct prx_conf *nc, int rc)
{
	prx_conf_free(nc);
	dp->reload_failures++;
	return rc;
}

int
prx_dp_reload(struct prx_dataplane *dp, const char *path, struct prx_dp_reload *res, char *msg,
	      size_t len)
{
	struct lines l = {.buf = msg, .len = len};
	struct prx_conf_errors err;
	struct prx_conf *nc;
	struct dp_commit c;
	struct dp_state *st;
	struct plan *p;
	int rc;

	memset(res, 0, sizeof(*res));
	if (msg != NULL && len > 0)
		msg[0] = '\0';
	if (path == NULL)
		path = dp->conf_path;
	if (path == NULL) {
		add_line(&l, "no configuration file to reload");
		return -EINVAL;
	}
	rc = prx_conf_load_file(path, &nc, &err);
	if (rc != 0) {
		for (unsigned int i = 0; i < err.n && i < PRX_CONF_MAX_ERRORS; i++)
			add_line(&l, "%s", err.msg[i]);
		dp->reload_failures++;
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	check_restart_only(dp, nc, &l);
	if (l.n > 0)
		return fail(dp, nc, -EINVAL);
	st = dp_state_dup(dp->st);
	p = calloc(1, sizeof(*p));
	if (st == NULL || p == NULL) {
		free(st);
		free(p);
		add_line(&l, "out of memory");
		return fail(dp, nc, -ENOMEM);
	}
	rc = build(dp, nc, st, p, res, msg, len);
	if (rc == 0)
		rc = dp_prepare(dp, st, &c, msg, len);
	else
		free(st);
	if (rc != 0) {
		rollback(dp, p);
		free(p);
		memset(res, 0, sizeof(*res));
		return fail(dp, nc, rc);
	}
	free(dp_apply(dp, &c));
	reclaim(dp, p);
	free(p);
	if (dp->conf->stats_interval != nc->stats_interval)
		note(res, "stats_interval %u -> %u", dp->conf->stats_interval, nc->stats_interval);
	prx_conf_free(dp->conf_owned);
	dp->conf = dp->conf_owned = nc;
	dp->reloads++;
	if (res->n_changes > 0)
		dp->changes++;
	PRX_LOG(NOTICE, CTL, "reloaded %s: %u change(s)", path, res->n_changes);
	for (unsigned int i = 0; i < res->n_changes; i++)
		PRX_LOG(NOTICE, CTL, "reload: %s", res->changes[i]);
	return 0;
}
