/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters of the registry: the accounting totals, statistics views (prx_view.h) and the
 * statistics prxd prints.  Everything printed is rendered from a view, so prxd's lines,
 * the control socket, telemetry and the metrics endpoint agree by construction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "dp_internal.h"
#include "prx_acl.h"
#include "prx_evloop.h"
#include "prx_offload.h"
#include "prx_router.h"
#include "prx_view.h"

void
prx_dp_totals(const struct prx_dataplane *dp, struct prx_dp_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int r = 0; r < dp->n_reactors; r++) {
		struct prx_pipe_stats s;

		if (dp->reactors[r] == NULL)
			continue;
		prx_pipe_stats_read(&dp->reactors[r]->pipe, &s);
		prx_pipe_stats_add(&t->st, &s);
		t->in_flight += prx_pipe_in_flight(&dp->reactors[r]->pipe);
	}
	t->dropped = prx_pipe_stats_dropped(&t->st);
}

bool
prx_dp_balanced(const struct prx_dp_totals *t)
{
	return t->st.rx + t->st.originated == t->st.tx + t->dropped + t->st.punted + t->in_flight;
}

static void
handler_config(const struct dp_handler *e, char *buf, size_t len)
{
	const struct prx_conf_handler *ch = &e->ch;

	switch (ch->type) {
	case PRX_HANDLER_XCONNECT: {
		int n = snprintf(buf, len, "to=%s mac=%s", e->to_name,
				 prx_mac_mode_name(ch->u.xconnect.mac));
		const uint8_t *m;

		if (n < 0 || (size_t)n >= len)
			return;
		if (ch->u.xconnect.set_src) {
			m = ch->u.xconnect.src;
			n += snprintf(buf + n, len - (size_t)n,
				      " src=%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
				      m[4], m[5]);
		}
		if (ch->u.xconnect.set_dst && n > 0 && (size_t)n < len) {
			m = ch->u.xconnect.dst;
			snprintf(buf + n, len - (size_t)n, " dst=%02x:%02x:%02x:%02x:%02x:%02x",
				 m[0], m[1], m[2], m[3], m[4], m[5]);
		}
		break;
	}
	case PRX_HANDLER_RESPONDER:
		snprintf(buf, len, "rate=%u burst=%u", ch->u.responder.rate, ch->u.responder.burst);
		break;
	case PRX_HANDLER_ACL:
		/* the running rules, which `acl load` may have replaced */
		prx_acl_describe(e->h, buf, len);
		break;
	case PRX_HANDLER_ROUTER: {
		const struct prx_conf_router *r = ch->u.router;

		snprintf(buf, len, "routes=%u static_neighbors=%u max_routes=%u icmp_rate=%u%s%s",
			 prx_router_n_routes(e->h), r->n_neigh, r->max_routes, r->icmp_rate,
			 r->routes_file ? " routes_file=" : "",
			 r->routes_file ? r->routes_file : "");
		break;
	}
	default:
		snprintf(buf, len, "-");
		break;
	}
}

static int
view_port(const struct prx_dataplane *dp, uint16_t slot, struct prx_view_port *vp)
{
	const struct dp_state *st = dp->st;
	const struct dp_port *e = st->port[slot];
	struct prx_port *port = e->port;
	struct prx_port_link link;

	if (prx_view_port_queues(vp, port->n_rxq, port->n_txq) != 0)
		return -ENOMEM;
	snprintf(vp->name, sizeof(vp->name), "%s", e->cp.name);
	snprintf(vp->driver, sizeof(vp->driver), "%s", port->ops->driver);
	snprintf(vp->device, sizeof(vp->device), "%s",
		 dp->mode == PRX_MODE_FALLBACK ? e->cp.kernel : e->cp.dpdk);
	vp->slot = slot;
	vp->socket = port->socket;
	vp->link = -1;
	if (prx_port_link(port, &link) == 0) {
		vp->link = link.up;
		vp->speed_mbps = link.speed_mbps;
	}
	rte_ether_format_addr(vp->mac, sizeof(vp->mac), &port->mac);
	prx_port_sw_stats(port, &vp->sw);
	vp->hw_ok = prx_port_hw_stats(port, &vp->hw) == 0;
	vp->n_chain = st->n_chain[slot];
	for (uint16_t k = 0; k < st->n_chain[slot]; k++)
		snprintf(vp->chain[k], sizeof(vp->chain[k]), "%s", st->chain[slot][k]->ch.name);
	for (uint16_t q = 0; q < port->n_rxq; q++) {
		vp->rxq[q].packets = prx_counter_read(&port->rxq_stats[q].packets);
		vp->rxq[q].reactor = st->owner[slot][q];
	}
	for (uint16_t q = 0; q < port->n_txq; q++) {
		vp->txq[q].packets = prx_counter_read(&port->txq_stats[q].packets);
		vp->txq[q].dropped = prx_counter_read(&port->txq_stats[q].dropped);
	}
	return 0;
}

struct prx_view *
prx_dp_view_take(const struct prx_dataplane *dp)
{
	const struct dp_state *st = dp->st;
	unsigned int n_ports = 0, load[PRX_MAX_REACTORS];
	struct prx_view *v;
	uint64_t hz = rte_get_tsc_hz();

	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		n_ports += st->port[i] != NULL;
	v = prx_view_alloc(n_ports, dp->n_reactors, st->n_handlers);
	if (v == NULL)
		return NULL;
	v->taken_ns = prx_evloop_now_ns();
	v->tsc_hz = hz;
	snprintf(v->instance, sizeof(v->instance), "%s", dp->conf->instance);
	snprintf(v->mode, sizeof(v->mode), "%s", prx_mode_name(dp->mode));
	v->changes = dp->changes;
	v->reloads = dp->reloads;
	v->reload_failures = dp->reload_failures;
	for (unsigned int i = 0, k = 0; i < PRX_MAX_PORTS; i++) {
		if (st->port[i] == NULL)
			continue;
		if (view_port(dp, (uint16_t)i, &v->ports[k++]) != 0) {
			prx_view_free(v);
			return NULL;
		}
	}
	v->n_ports = n_ports;
	dp_loads(dp, st, load);
	for (unsigned int r = 0; r < dp->n_reactors; r++) {
		const struct prx_reactor *re = dp->reactors[r];
		struct prx_view_reactor *vr = &v->reactors[r];
		struct prx_reactor_time t;

		vr->id = (uint16_t)r;
		vr->lcore = dp->cores[r].lcore;
		vr->socket = dp->cores[r].socket;
		vr->n_rxq = (uint16_t)load[r];
		if (re == NULL)
			continue;
		snprintf(vr->engine, sizeof(vr->engine), "%s", re->engine->name);
		prx_pipe_stats_read(&re->pipe, &vr->st);
		vr->in_flight = prx_pipe_in_flight(&re->pipe);
		prx_reactor_stats_read(re, &vr->rs);
		prx_reactor_time_split(&vr->rs, hz, &t);
		vr->busy_pct = t.busy_pct;
		vr->empty_pct = t.empty_pct;
		vr->sleep_pct = t.sleep_pct;
		vr->snapshot_gen = __atomic_load_n(&re->cur_gen, __ATOMIC_ACQUIRE);
		prx_pipe_stats_add(&v->total, &vr->st);
		v->in_flight += vr->in_flight;
	}
	v->n_reactors = dp->n_reactors;
	for (unsigned int i = 0; i < st->n_handlers; i++) {
		const struct dp_handler *e = st->handler[i];
		struct prx_view_handler *vh = &v->handlers[i];
		struct prx_handler_stats hs;

		snprintf(vh->name, sizeof(vh->name), "%s", e->ch.name);
		snprintf(vh->type, sizeof(vh->type), "%s", e->h->type);
		handler_config(e, vh->config, sizeof(vh->config));
		prx_handler_stats_read(e->h, &hs);
		vh->in = hs.in + e->base.in;
		vh->dropped = hs.dropped + e->base.dropped;
	}
	v->n_handlers = st->n_handlers;
	for (unsigned int w = 0; dp->off != NULL && w < dp->off->n_workers; w++) {
		struct prx_worker_stats ws;

		prx_worker_stats_read(dp->off->w[w], &ws);
		v->workers[w] = (struct prx_view_worker){.id = (uint16_t)w,
							 .lcore = dp->off->w[w]->lcore,
							 .packets = ws.packets,
							 .bursts = ws.bursts,
							 .waits = ws.waits};
		v->n_workers = w + 1;
	}
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (dp->pools[s] != NULL) {
			v->mbufs_total += dp->pools[s]->size;
			v->mbufs_free += rte_mempool_avail_count(dp->pools[s]);
		}
	for (unsigned int i = 0; i < dp->n_spare; i++) {
		v->mbufs_total += dp->spare[i].mp->size;
		v->mbufs_free += rte_mempool_avail_count(dp->spare[i].mp);
	}
	v->dropped = prx_pipe_stats_dropped(&v->total);
	v->balanced = v->total.rx + v->total.originated ==
		      v->total.tx + v->dropped + v->total.punted + v->in_flight;
	return v;
}

static void
print_final(const struct prx_view *v, FILE *f)
{
	const double hz = (double)v->tsc_hz;

	for (unsigned int i = 0; i < v->n_ports; i++) {
		const struct prx_view_port *p = &v->ports[i];

		fprintf(f,
			"prx-port: name=%s rx=%" PRIu64 " tx=%" PRIu64 " tx_drop=%" PRIu64
			" ipackets=%" PRIu64 " opackets=%" PRIu64 " ibytes=%" PRIu64
			" obytes=%" PRIu64 " imissed=%" PRIu64 " ierrors=%" PRIu64
			" oerrors=%" PRIu64 " rx_nombuf=%" PRIu64 "\n",
			p->name, p->sw.rx, p->sw.tx, p->sw.tx_drop, p->hw.ipackets, p->hw.opackets,
			p->hw.ibytes, p->hw.obytes, p->hw.imissed, p->hw.ierrors, p->hw.oerrors,
			p->hw.rx_nombuf);
		for (uint16_t q = 0; q < p->n_rxq; q++)
			fprintf(f, "prx-rxq: port=%s queue=%u reactor=%d rx=%" PRIu64 "\n", p->name,
				q, p->rxq[q].reactor, p->rxq[q].packets);
		for (uint16_t q = 0; q < p->n_txq; q++)
			fprintf(f, "prx-txq: port=%s queue=%u tx=%" PRIu64 " dropped=%" PRIu64 "\n",
				p->name, q, p->txq[q].packets, p->txq[q].dropped);
	}
	for (unsigned int r = 0; r < v->n_reactors; r++) {
		const struct prx_view_reactor *re = &v->reactors[r];
		uint64_t all = re->rs.busy_cycles + re->rs.empty_cycles + re->rs.sleep_cycles;

		fprintf(f,
			"prx-reactor: id=%u lcore=%u engine=%s rx=%" PRIu64 " originated=%" PRIu64
			" tx=%" PRIu64 " dropped=%" PRIu64 " punted=%" PRIu64 " in_flight=%" PRIu64
			" iterations=%" PRIu64
			" busy_pct=%.1f empty_pct=%.1f sleep_pct=%.1f sleeps=%" PRIu64
			" run_s=%.3f switches=%" PRIu64 "\n",
			r, re->lcore, re->engine[0] ? re->engine : "-", re->st.rx,
			re->st.originated, re->st.tx, prx_pipe_stats_dropped(&re->st),
			re->st.punted, re->in_flight, re->rs.iterations, re->busy_pct,
			re->empty_pct, re->sleep_pct, re->rs.sleeps,
			hz > 0 ? (double)all / hz : 0.0, re->rs.switches);
	}
	for (unsigned int i = 0; i < v->n_handlers; i++)
		fprintf(f, "prx-handler: name=%s type=%s in=%" PRIu64 " dropped=%" PRIu64 "\n",
			v->handlers[i].name, v->handlers[i].type, v->handlers[i].in,
			v->handlers[i].dropped);
	for (unsigned int d = 0; d < PRX_DROP_MAX; d++)
		if (v->total.drop[d] != 0)
			fprintf(f, "prx-drop: reason=%s count=%" PRIu64 "\n",
				prx_drop_name((enum prx_drop_reason)d), v->total.drop[d]);
	for (unsigned int w = 0; w < v->n_workers; w++)
		fprintf(f,
			"prx-worker: id=%u lcore=%u packets=%" PRIu64 " bursts=%" PRIu64
			" waits=%" PRIu64 "\n",
			w, v->workers[w].lcore, v->workers[w].packets, v->workers[w].bursts,
			v->workers[w].waits);
	if (v->changes > 0 || v->reloads > 0)
		fprintf(f,
			"prx-control: changes=%" PRIu64 " reloads=%" PRIu64
			" reload_failures=%" PRIu64 "\n",
			v->changes, v->reloads, v->reload_failures);
}

void
prx_dp_print_stats(const struct prx_dataplane *dp, FILE *f, bool final)
{
	struct prx_view *v = prx_dp_view_take(dp);

	if (v == NULL) {
		fprintf(f, "prx-stats: out of memory\n");
		return;
	}
	if (final) {
		print_final(v, f);
	} else {
		for (unsigned int i = 0; i < v->n_ports; i++)
			fprintf(f, "%s: rx %" PRIu64 " tx %" PRIu64 " tx_drop %" PRIu64 " | ",
				v->ports[i].name, v->ports[i].sw.rx, v->ports[i].sw.tx,
				v->ports[i].sw.tx_drop);
	}
	fprintf(f,
		"prx-total: rx=%" PRIu64 " originated=%" PRIu64 " tx=%" PRIu64 " dropped=%" PRIu64
		" punted=%" PRIu64 " in_flight=%" PRIu64 "\n",
		v->total.rx, v->total.originated, v->total.tx, v->dropped, v->total.punted,
		v->in_flight);
	if (final)
		fprintf(f, "prx-accounting: %s\n", v->balanced ? "balanced" : "MISMATCH");
	fflush(f);
	prx_view_free(v);
}
