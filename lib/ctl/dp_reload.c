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
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_internal.h"
#include "prx_evloop.h"
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

/* One reload, in steps (prx_dataplane.h). */
struct prx_dp_reload_job {
	struct prx_dataplane *dp;
	char *path;
	struct prx_conf *nc; /* the new configuration, the data plane's once committed */
	struct dp_state *st; /* the new state, until dp_prepare() takes it */
	struct plan p;
	uint64_t base_gen; /* dp->gen when prepared: a change applied since voids the job */
	unsigned int n_heavy;
	struct {
		unsigned int i; /* in nc->handlers */
		unsigned int k; /* in p.created[] */
	} heavy[PRX_MAX_HANDLERS];
	int rc; /* the first failure: the steps after it do nothing */
	bool prepared, committed;
	/* old acl and router instances, out of every snapshot, to free off the loop */
	struct dp_handler *reap[2 * PRX_MAX_HANDLERS];
	unsigned int n_reap;
	uint64_t t_parse_ns, t_build_ns;
	struct lines l;
	char msg[8192];
	struct prx_dp_reload res;
};

int
prx_dp_reload_job_new(struct prx_dataplane *dp, const char *path, struct prx_dp_reload_job **out)
{
	struct prx_dp_reload_job *j = calloc(1, sizeof(*j));

	*out = NULL;
	if (j == NULL)
		return -ENOMEM;
	j->dp = dp;
	j->l = (struct lines){.buf = j->msg, .len = sizeof(j->msg)};
	if (path == NULL)
		path = dp->conf_path;
	if (path == NULL) {
		add_line(&j->l, "no configuration file to reload");
		j->rc = -EINVAL;
	} else if ((j->path = strdup(path)) == NULL) {
		free(j);
		return -ENOMEM;
	}
	*out = j;
	return 0;
}

int
prx_dp_reload_parse(struct prx_dp_reload_job *j)
{
	struct prx_conf_errors err;
	uint64_t t0 = prx_evloop_now_ns();
	int rc;

	if (j->rc != 0)
		return j->rc;
	rc = prx_conf_load_file(j->path, &j->nc, &err);
	j->t_parse_ns = prx_evloop_now_ns() - t0;
	if (rc != 0) {
		j->nc = NULL;
		for (unsigned int i = 0; i < err.n && i < PRX_CONF_MAX_ERRORS; i++)
			add_line(&j->l, "%s", err.msg[i]);
		j->rc = rc == -ENOMEM ? rc : -EINVAL;
	}
	return j->rc;
}

static int
job_fail(struct prx_dp_reload_job *j, int rc)
{
	j->rc = rc;
	memset(&j->res, 0, sizeof(j->res));
	return rc;
}

/* Ports removed and added (opened here: the control thread's), then the handlers:
 * unchanged ones kept, cheap ones made, the slow ones listed for the build step. */
static int
diff_ports_handlers(struct prx_dp_reload_job *j)
{
	struct prx_dataplane *dp = j->dp;
	const struct prx_conf *nc = j->nc;
	struct dp_state *st = j->st;
	struct plan *p = &j->p;
	char why[512];
	int rc;

	for (unsigned int s = 0; s < PRX_MAX_PORTS; s++) {
		if (st->port[s] == NULL || prx_conf_port_index(nc, st->port[s]->cp.name) >= 0)
			continue;
		p->gone[p->n_gone++] = st->port[s];
		note(&j->res, "port %s removed", st->port[s]->cp.name);
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
			dp_say(j->msg, sizeof(j->msg), "%s:%d: ports.%s: no free port slot",
			       nc->file, cp->line, cp->name);
			return -ENOSPC;
		}
		rc = dp_port_open(dp, cp, (uint16_t)slot, true, NULL, &st->port[slot], why,
				  sizeof(why));
		if (rc != 0) {
			dp_say(j->msg, sizeof(j->msg), "%s:%d: ports.%s: %s", nc->file, cp->line,
			       cp->name, why);
			return rc;
		}
		p->added[p->n_added++] = st->port[slot];
		note(&j->res, "port %s added in slot %d", cp->name, slot);
	}
	for (unsigned int i = 0; i < nc->n_handlers; i++) {
		const struct prx_conf_handler *ch = &nc->handlers[i];
		const char *to =
			ch->type == PRX_HANDLER_XCONNECT ? nc->ports[ch->u.xconnect.to].name : NULL;
		int old = dp_handler_index(dp->st, ch->name);
		struct dp_handler *e = NULL;

		if (old >= 0 && dp_handler_same(dp->st->handler[old], ch, to)) {
			st->handler[i] = dp->st->handler[old];
			continue;
		}
		if (dp_handler_heavy(ch)) {
			j->heavy[j->n_heavy].i = i;
			j->heavy[j->n_heavy++].k = p->n_created;
		} else {
			rc = dp_handler_create(dp, ch, to, st, &e, why, sizeof(why));
			if (rc != 0) {
				dp_say(j->msg, sizeof(j->msg), "%s:%d: handlers.%s: %s", nc->file,
				       ch->line, ch->name, why);
				return rc;
			}
		}
		p->replaced[p->n_created] = old >= 0 ? dp->st->handler[old] : NULL;
		p->created[p->n_created++] = e;
		st->handler[i] = e;
		note(&j->res, "handler %s %s", ch->name, old >= 0 ? "changed" : "added");
	}
	return 0;
}

int
prx_dp_reload_prepare(struct prx_dp_reload_job *j)
{
	struct prx_dataplane *dp = j->dp;
	int rc;

	if (j->rc != 0)
		return j->rc;
	if (j->nc == NULL) {
		add_line(&j->l, "%s: not parsed", j->path);
		return job_fail(j, -EINVAL);
	}
	check_restart_only(dp, j->nc, &j->l);
	if (j->l.n > 0)
		return job_fail(j, -EINVAL);
	j->st = dp_state_dup(dp->st);
	if (j->st == NULL) {
		add_line(&j->l, "out of memory");
		return job_fail(j, -ENOMEM);
	}
	j->base_gen = dp->gen;
	j->prepared = true;
	rc = diff_ports_handlers(j);
	if (rc != 0)
		return job_fail(j, rc);
	return j->n_heavy > 0 ? 1 : 0;
}

int
prx_dp_reload_build(struct prx_dp_reload_job *j)
{
	uint64_t t0 = prx_evloop_now_ns();
	char why[512];

	if (j->rc != 0)
		return j->rc;
	for (unsigned int h = 0; h < j->n_heavy; h++) {
		const struct prx_conf_handler *ch = &j->nc->handlers[j->heavy[h].i];
		struct dp_handler *e;
		int rc = dp_handler_build(j->dp, ch, NULL, j->st, true, &e, why, sizeof(why));

		if (rc != 0) {
			dp_say(j->msg, sizeof(j->msg), "%s:%d: handlers.%s: %s", j->nc->file,
			       ch->line, ch->name, why);
			return job_fail(j, rc);
		}
		j->p.created[j->heavy[h].k] = e;
		j->st->handler[j->heavy[h].i] = e;
	}
	j->n_heavy = 0;
	j->t_build_ns = prx_evloop_now_ns() - t0;
	return 0;
}

/* The handlers made off the control thread registered, the handlers dropped, chains,
 * and owners of the new ports' queues. */
static int
link_state(struct prx_dp_reload_job *j)
{
	struct prx_dataplane *dp = j->dp;
	const struct prx_conf *nc = j->nc;
	struct dp_state *st = j->st;
	struct plan *p = &j->p;
	unsigned int load[PRX_MAX_REACTORS];
	int rc;

	for (unsigned int i = 0; i < p->n_created; i++) {
		rc = dp_handler_attach(p->created[i], j->msg, sizeof(j->msg));
		if (rc != 0)
			return rc;
	}
	for (unsigned int i = 0; i < dp->st->n_handlers; i++)
		if (dp_handler_index(st, dp->st->handler[i]->ch.name) < 0 ||
		    (unsigned int)dp_handler_index(st, dp->st->handler[i]->ch.name) >=
			    nc->n_handlers) {
			p->dropped[p->n_dropped++] = dp->st->handler[i];
			note(&j->res, "handler %s removed", dp->st->handler[i]->ch.name);
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
			note(&j->res, "port %s chain %s -> %s", cp->name, before, after);
	}
	dp_loads(dp, st, load);
	for (unsigned int i = 0; i < p->n_added; i++) {
		uint16_t slot = p->added[i]->port->index;

		for (uint16_t q = 0; q < p->added[i]->port->n_rxq; q++) {
			int r = dp_pick_reactor(dp, st, slot, load);

			if (r < 0) {
				dp_say(j->msg, sizeof(j->msg),
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

/* An instance no reactor runs any more: freed now, or, when that is slow (tables),
 * kept for prx_dp_reload_reap(). */
static void
retire(struct prx_dp_reload_job *j, struct dp_handler *e)
{
	if (!dp_handler_heavy(&e->ch)) {
		dp_handler_destroy(e);
		return;
	}
	dp_handler_detach(e);
	j->reap[j->n_reap++] = e;
}

static void
reclaim(struct prx_dp_reload_job *j)
{
	struct plan *p = &j->p;

	for (unsigned int i = 0; i < p->n_created; i++) {
		struct dp_handler *old = p->replaced[i];
		struct prx_handler_stats hs;

		if (old == NULL)
			continue;
		/* counters never reset implicitly: the new instance carries the old counts */
		prx_handler_stats_read(old->h, &hs);
		p->created[i]->base.in = old->base.in + hs.in;
		p->created[i]->base.dropped = old->base.dropped + hs.dropped;
		retire(j, old);
	}
	for (unsigned int i = 0; i < p->n_dropped; i++)
		retire(j, p->dropped[i]);
	for (unsigned int i = 0; i < p->n_gone; i++)
		dp_port_close(j->dp, p->gone[i]);
}

int
prx_dp_reload_commit(struct prx_dp_reload_job *j)
{
	struct prx_dataplane *dp = j->dp;
	struct dp_commit c;
	int rc;

	if (j->rc != 0)
		return j->rc;
	if (!j->prepared || j->n_heavy > 0) {
		add_line(&j->l, "%s: not prepared and built", j->path);
		return job_fail(j, -EINVAL);
	}
	if (dp->gen != j->base_gen) {
		dp_say(j->msg, sizeof(j->msg),
		       "%s: the running state changed while the reload was being built (a live "
		       "change came in between): nothing applied, reload again",
		       j->path);
		return job_fail(j, -EAGAIN);
	}
	rc = link_state(j);
	if (rc != 0)
		return job_fail(j, rc);
	rc = dp_prepare(dp, j->st, &c, j->msg, sizeof(j->msg));
	j->st = NULL; /* dp_prepare's: freed on failure */
	if (rc != 0)
		return job_fail(j, rc);
	free(dp_apply(dp, &c));
	reclaim(j);
	j->committed = true;
	if (dp->conf->stats_interval != j->nc->stats_interval)
		note(&j->res, "stats_interval %u -> %u", dp->conf->stats_interval,
		     j->nc->stats_interval);
	prx_conf_free(dp->conf_owned);
	dp->conf = dp->conf_owned = j->nc;
	j->nc = NULL;
	dp->reloads++;
	if (j->res.n_changes > 0)
		dp->changes++;
	PRX_LOG(NOTICE, CTL,
		"reloaded %s: %u change(s) (parsed in %" PRIu64 " ms, built in %" PRIu64 " ms)",
		j->path, j->res.n_changes, j->t_parse_ns / 1000000, j->t_build_ns / 1000000);
	for (unsigned int i = 0; i < j->res.n_changes; i++)
		PRX_LOG(NOTICE, CTL, "reload: %s", j->res.changes[i]);
	return 0;
}

const char *
prx_dp_reload_msg(const struct prx_dp_reload_job *j)
{
	return j->msg;
}

const struct prx_dp_reload *
prx_dp_reload_result(const struct prx_dp_reload_job *j)
{
	return &j->res;
}

const char *
prx_dp_reload_path(const struct prx_dp_reload_job *j)
{
	return j->path != NULL ? j->path : "";
}

unsigned int
prx_dp_reload_reap(struct prx_dp_reload_job *j)
{
	unsigned int n = j->n_reap;

	for (unsigned int i = 0; i < n; i++)
		dp_handler_destroy(j->reap[i]);
	j->n_reap = 0;
	return n;
}

bool
prx_dp_reload_to_reap(const struct prx_dp_reload_job *j)
{
	return j->n_reap > 0;
}

void
prx_dp_reload_job_free(struct prx_dp_reload_job *j)
{
	if (j == NULL)
		return;
	prx_dp_reload_reap(j);
	if (!j->committed) {
		rollback(j->dp, &j->p);
		free(j->st);
		prx_conf_free(j->nc);
		j->dp->reload_failures++;
	}
	free(j->path);
	free(j);
}

int
prx_dp_reload(struct prx_dataplane *dp, const char *path, struct prx_dp_reload *res, char *msg,
	      size_t len)
{
	struct prx_dp_reload_job *j;
	int rc = prx_dp_reload_job_new(dp, path, &j);

	memset(res, 0, sizeof(*res));
	if (msg != NULL && len > 0)
		msg[0] = '\0';
	if (rc != 0) {
		dp->reload_failures++;
		return rc;
	}
	rc = prx_dp_reload_parse(j);
	if (rc == 0)
		rc = prx_dp_reload_prepare(j);
	if (rc > 0)
		rc = prx_dp_reload_build(j);
	if (rc == 0)
		rc = prx_dp_reload_commit(j);
	if (rc == 0)
		*res = j->res;
	if (msg != NULL && len > 0)
		snprintf(msg, len, "%s", j->msg);
	prx_dp_reload_job_free(j);
	return rc;
}
