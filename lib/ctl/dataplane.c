/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_dataplane.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "prx_afpacket.h"
#include "prx_dpdk.h"
#include "prx_eal.h"
#include "prx_handlers.h"
#include "prx_log.h"

struct prx_dataplane {
	const struct prx_conf *conf;
	enum prx_mode mode; /* PRX_MODE_DPDK or PRX_MODE_FALLBACK */
	unsigned int n_ports;
	struct prx_port *ports[PRX_MAX_PORTS]; /* slot == index in conf->ports */
	struct prx_handler *handlers[PRX_MAX_HANDLERS];
	unsigned int n_reactors;
	struct prx_reactor *reactors[PRX_MAX_REACTORS];
	struct prx_snapshot *snap[PRX_MAX_REACTORS];
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	struct rte_rcu_qsbr *qsbr;
	struct prx_topo_core cores[PRX_MAX_REACTORS];
	struct prx_topo_port tports[PRX_MAX_PORTS];
	struct prx_plan_input plan_in;
	struct prx_plan *plan;
	bool launched;
	int8_t link_up[PRX_MAX_PORTS]; /* last link state seen: -1 unknown, 0 down, 1 up */
};

static int
pool_socket(int socket)
{
	/* Unknown sockets (vdevs, --no-huge) use the control thread's node. */
	return socket < 0 ? (int)rte_socket_id() : socket;
}

/* Open port i with the driver of the mode. */
static int
probe_port(struct prx_dataplane *dp, unsigned int i)
{
	const struct prx_conf_port *cp = &dp->conf->ports[i];

	if (dp->mode == PRX_MODE_FALLBACK) {
		struct prx_afpacket_params ap = {
			.name = cp->name,
			.ifname = cp->kernel,
			.ring_frames = cp->afpacket.ring_frames,
			.frame_size = cp->afpacket.frame_size,
			.qdisc_bypass = cp->afpacket.qdisc_bypass,
			.ring = cp->afpacket.ring == 3 ? PRX_AFPACKET_RING_V3
						       : PRX_AFPACKET_RING_V2,
			.retire_tov_ms = cp->afpacket.retire_ms,
			.fanout_defrag = cp->afpacket.fanout_defrag,
		};

		prx_afpacket_params_defaults(&ap);
		return prx_afpacket_port_probe(&ap, &dp->ports[i]);
	}
	return prx_dpdk_port_probe(cp->name, cp->dpdk, &dp->ports[i]);
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
	memset(dp->link_up, -1, sizeof(dp->link_up));
	for (unsigned int i = 0; i < conf->n_ports; i++) {
		const struct prx_conf_port *cp = &conf->ports[i];

		rc = probe_port(dp, i);
		if (rc != 0)
			goto fail;
		dp->n_ports++;
		dp->ports[i]->index = (uint16_t)i;
		if (cp->socket >= 0)
			dp->ports[i]->socket = cp->socket;
		dp->tports[i] = (struct prx_topo_port){
			.name = cp->name,
			.socket = dp->ports[i]->socket,
			.n_rxq = cp->rx_queues,
		};
	}
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
	dp->plan_in = (struct prx_plan_input){
		.n_cores = dp->n_reactors,
		.cores = dp->cores,
		.n_ports = dp->n_ports,
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

static struct rte_mempool *
get_pool(struct prx_dataplane *dp, int socket)
{
	const struct prx_conf *conf = dp->conf;
	int s = pool_socket(socket);
	char name[RTE_MEMPOOL_NAMESIZE];

	if (s < 0 || s >= RTE_MAX_NUMA_NODES)
		s = 0;
	if (dp->pools[s] != NULL)
		return dp->pools[s];
	snprintf(name, sizeof(name), "prx_pool_s%d", s);
	dp->pools[s] = rte_pktmbuf_pool_create(name, prx_conf_pool_mbufs(conf), conf->mempool.cache,
					       0, (uint16_t)conf->mempool.data_room, s);
	if (dp->pools[s] == NULL)
		PRX_LOG(ERR, CTL, "mbuf pool of %u x %u B on socket %d: %s",
			prx_conf_pool_mbufs(conf), conf->mempool.data_room, s,
			rte_strerror(rte_errno));
	else
		PRX_LOG(INFO, CTL, "mbuf pool %s: %u mbufs of %u B on socket %d", name,
			prx_conf_pool_mbufs(conf), conf->mempool.data_room, s);
	return dp->pools[s];
}

static int
create_handlers(struct prx_dataplane *dp)
{
	const struct prx_conf *conf = dp->conf;

	for (unsigned int i = 0; i < conf->n_handlers; i++) {
		const struct prx_conf_handler *ch = &conf->handlers[i];
		int rc = -EINVAL;

		switch (ch->type) {
		case PRX_HANDLER_XCONNECT: {
			struct prx_xconnect_conf xc = {
				.to = ch->u.xconnect.to,
				.mac = ch->u.xconnect.mac,
				.set_src = ch->u.xconnect.set_src,
				.set_dst = ch->u.xconnect.set_dst,
			};

			memcpy(xc.src, ch->u.xconnect.src, sizeof(xc.src));
			memcpy(xc.dst, ch->u.xconnect.dst, sizeof(xc.dst));
			rc = prx_xconnect_create(ch->name, &xc, &dp->handlers[i]);
			break;
		}
		default:
			break;
		}
		if (rc != 0) {
			PRX_LOG(ERR, CTL, "%s:%d: handler %s: %s", conf->file, ch->line, ch->name,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The snapshot of reactor r: the rx queues the plan gives it, with their chains. */
static struct prx_snapshot *
build_snapshot(struct prx_dataplane *dp, uint16_t r, uint64_t gen)
{
	const struct prx_plan *plan = dp->plan;
	struct prx_snapshot *s;
	uint16_t n = 0;

	s = prx_snapshot_alloc((uint16_t)plan->reactor[r].n_rxq, dp->reactors[r]->socket);
	if (s == NULL)
		return NULL;
	s->gen = gen;
	for (unsigned int i = 0; i < dp->n_ports; i++)
		s->ports[i] = dp->ports[i];
	for (unsigned int i = 0; i < plan->n_rxq; i++) {
		const struct prx_plan_rxq *e = &plan->rxq[i];
		const struct prx_conf_port *cp = &dp->conf->ports[e->port];
		struct prx_port *port = dp->ports[e->port];
		struct prx_poll_entry *pe;

		if (e->reactor != r)
			continue;
		pe = &s->poll[n++];
		pe->rx_burst = port->rx_burst;
		pe->rxq = port->rxq[e->queue];
		pe->stats = &port->rxq_stats[e->queue];
		pe->port = port;
		pe->queue = e->queue;
		pe->wake_fd = prx_port_rx_wakeup_fd(port, e->queue);
		pe->chain.n = cp->n_chain;
		for (uint16_t k = 0; k < cp->n_chain; k++)
			pe->chain.h[k] = dp->handlers[cp->chain[k]];
	}
	s->n_poll = n;
	return s;
}

/*
 * The engine of reactor r: as configured, and for "auto" poll when every queue it owns
 * is a DPDK queue, epoll otherwise (kernel interfaces, or no queue at all: sleep).
 */
static int
choose_engine(struct prx_dataplane *dp, uint16_t r)
{
	enum prx_engine e = dp->conf->reactors.engines[r];
	const struct prx_snapshot *s = dp->snap[r];
	bool sleepable = prx_engine_epoll_usable(s);

	if (e == PRX_ENGINE_AUTO)
		e = dp->mode == PRX_MODE_DPDK && s->n_poll > 0 ? PRX_ENGINE_POLL : PRX_ENGINE_EPOLL;
	if (e == PRX_ENGINE_EPOLL && !sleepable) {
		for (uint16_t i = 0; i < s->n_poll; i++)
			if (s->poll[i].wake_fd < 0) {
				PRX_LOG(ERR, CTL,
					"reactor %u: engine epoll needs a wake-up fd per rx queue, and port %s (driver %s) has none: use engine poll",
					r, s->poll[i].port->name, s->poll[i].port->ops->driver);
				break;
			}
		return -ENOTSUP;
	}
	dp->reactors[r]->engine = e == PRX_ENGINE_EPOLL ? &prx_engine_epoll : &prx_engine_poll;
	PRX_LOG(INFO, CTL, "reactor %u (lcore %u): engine %s", r, dp->reactors[r]->lcore,
		dp->reactors[r]->engine->name);
	return 0;
}

int
prx_dp_setup(struct prx_dataplane *dp)
{
	const struct prx_conf *conf = dp->conf;
	size_t qsz;
	int rc;

	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const struct prx_conf_port *cp = &conf->ports[i];
		struct prx_port_setup ps = {
			.n_rxq = cp->rx_queues,
			.n_txq = (uint16_t)dp->n_reactors,
			.rx_desc = cp->rx_desc,
			.tx_desc = cp->tx_desc,
			.promiscuous = cp->promiscuous,
			.pool = get_pool(dp, dp->ports[i]->socket),
		};

		if (ps.pool == NULL)
			return -ENOMEM;
		rc = prx_port_configure(dp->ports[i], &ps);
		if (rc != 0)
			return rc;
	}
	rc = create_handlers(dp);
	if (rc != 0)
		return rc;

	qsz = rte_rcu_qsbr_get_memsize(dp->n_reactors);
	dp->qsbr = rte_zmalloc("prx_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL)
		return -ENOMEM;
	rc = rte_rcu_qsbr_init(dp->qsbr, dp->n_reactors);
	if (rc != 0)
		return -rte_errno;

	for (uint16_t r = 0; r < dp->n_reactors; r++) {
		int sock = dp->cores[r].socket;
		struct rte_mempool *pool = get_pool(dp, sock);

		if (pool == NULL)
			return -ENOMEM;
		rc = prx_reactor_create(r, dp->cores[r].lcore, sock, conf->reactors.burst,
					conf->reactors.drain_us, &prx_engine_poll, dp->qsbr, pool,
					&dp->reactors[r]);
		if (rc != 0)
			return rc;
		dp->snap[r] = build_snapshot(dp, r, 1);
		if (dp->snap[r] == NULL)
			return -ENOMEM;
		rc = choose_engine(dp, r);
		if (rc != 0)
			return rc;
		prx_reactor_publish(dp->reactors[r], dp->snap[r]);
	}
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct prx_port_link link;

		rc = prx_port_start(dp->ports[i]);
		if (rc != 0)
			return rc;
		if (prx_port_link(dp->ports[i], &link) == 0) {
			PRX_LOG(INFO, CTL, "%s: link %s, %u Mbps, %s duplex", dp->ports[i]->name,
				link.up ? "up" : "down", link.speed_mbps,
				link.full_duplex ? "full" : "half");
			dp->link_up[i] = link.up;
		}
	}
	return 0;
}

int
prx_dp_launch(struct prx_dataplane *dp)
{
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
	dp->launched = false;
}

void
prx_dp_destroy(struct prx_dataplane *dp)
{
	if (dp == NULL)
		return;
	prx_dp_stop(dp);
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		prx_port_stop(dp->ports[i]);
	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++) {
		prx_reactor_destroy(dp->reactors[r]);
		prx_snapshot_free(dp->snap[r]);
	}
	for (unsigned int i = 0; i < PRX_MAX_HANDLERS; i++)
		prx_handler_free(dp->handlers[i]);
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		prx_port_close(dp->ports[i]);
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		rte_mempool_free(dp->pools[s]);
	rte_free(dp->qsbr);
	prx_plan_free(dp->plan);
	free(dp);
}

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
print_final(const struct prx_dataplane *dp, FILE *f, const struct prx_dp_totals *t)
{
	const uint64_t hz = rte_get_tsc_hz();

	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct prx_port *port = dp->ports[i];
		struct prx_port_sw_stats sw;
		struct prx_port_hw_stats hw;

		prx_port_sw_stats(port, &sw);
		prx_port_hw_stats(port, &hw);
		fprintf(f,
			"prx-port: name=%s rx=%" PRIu64 " tx=%" PRIu64 " tx_drop=%" PRIu64
			" ipackets=%" PRIu64 " opackets=%" PRIu64 " ibytes=%" PRIu64
			" obytes=%" PRIu64 " imissed=%" PRIu64 " ierrors=%" PRIu64
			" oerrors=%" PRIu64 " rx_nombuf=%" PRIu64 "\n",
			port->name, sw.rx, sw.tx, sw.tx_drop, hw.ipackets, hw.opackets, hw.ibytes,
			hw.obytes, hw.imissed, hw.ierrors, hw.oerrors, hw.rx_nombuf);
		for (uint16_t q = 0; q < port->n_rxq; q++)
			fprintf(f, "prx-rxq: port=%s queue=%u reactor=%d rx=%" PRIu64 "\n",
				port->name, q, prx_plan_owner(dp->plan, (uint16_t)i, q),
				prx_counter_read(&port->rxq_stats[q].packets));
		for (uint16_t q = 0; q < port->n_txq; q++)
			fprintf(f, "prx-txq: port=%s queue=%u tx=%" PRIu64 " dropped=%" PRIu64 "\n",
				port->name, q, prx_counter_read(&port->txq_stats[q].packets),
				prx_counter_read(&port->txq_stats[q].dropped));
	}
	for (unsigned int r = 0; r < dp->n_reactors; r++) {
		const struct prx_reactor *re = dp->reactors[r];
		struct prx_reactor_stats rs;
		struct prx_pipe_stats s;
		uint64_t all;

		prx_reactor_stats_read(re, &rs);
		prx_pipe_stats_read(&re->pipe, &s);
		all = rs.busy_cycles + rs.idle_cycles;
		fprintf(f,
			"prx-reactor: id=%u lcore=%u rx=%" PRIu64 " originated=%" PRIu64
			" tx=%" PRIu64 " dropped=%" PRIu64 " punted=%" PRIu64 " in_flight=%" PRIu64
			" iterations=%" PRIu64 " busy_pct=%.1f"
			" run_s=%.3f\n",
			r, re->lcore, s.rx, s.originated, s.tx, prx_pipe_stats_dropped(&s),
			s.punted, prx_pipe_in_flight(&re->pipe), rs.iterations,
			all ? 100.0 * (double)rs.busy_cycles / (double)all : 0.0,
			hz ? (double)all / (double)hz : 0.0);
	}
	for (unsigned int i = 0; i < dp->conf->n_handlers; i++) {
		struct prx_handler_stats hs;

		if (dp->handlers[i] == NULL)
			continue;
		prx_handler_stats_read(dp->handlers[i], &hs);
		fprintf(f, "prx-handler: name=%s type=%s in=%" PRIu64 " dropped=%" PRIu64 "\n",
			dp->handlers[i]->name, dp->handlers[i]->type, hs.in, hs.dropped);
	}
	for (unsigned int d = 0; d < PRX_DROP_MAX; d++)
		if (t->st.drop[d] != 0)
			fprintf(f, "prx-drop: reason=%s count=%" PRIu64 "\n",
				prx_drop_name((enum prx_drop_reason)d), t->st.drop[d]);
}

void
prx_dp_print_stats(const struct prx_dataplane *dp, FILE *f, bool final)
{
	struct prx_dp_totals t;

	prx_dp_totals(dp, &t);
	if (final) {
		print_final(dp, f, &t);
	} else {
		for (unsigned int i = 0; i < dp->n_ports; i++) {
			struct prx_port_sw_stats sw;

			prx_port_sw_stats(dp->ports[i], &sw);
			fprintf(f, "%s: rx %" PRIu64 " tx %" PRIu64 " tx_drop %" PRIu64 " | ",
				dp->ports[i]->name, sw.rx, sw.tx, sw.tx_drop);
		}
	}
	fprintf(f,
		"prx-total: rx=%" PRIu64 " originated=%" PRIu64 " tx=%" PRIu64 " dropped=%" PRIu64
		" punted=%" PRIu64 " in_flight=%" PRIu64 "\n",
		t.st.rx, t.st.originated, t.st.tx, t.dropped, t.st.punted, t.in_flight);
	if (final)
		fprintf(f, "prx-accounting: %s\n", prx_dp_balanced(&t) ? "balanced" : "MISMATCH");
	fflush(f);
}

void
prx_dp_check_links(struct prx_dataplane *dp)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct prx_port_link link;

		if (prx_port_link(dp->ports[i], &link) != 0 || link.up == dp->link_up[i])
			continue;
		/* Reactors keep polling a port whose link is down: its bursts return 0 and
		 * refuse to send (counted tx_full), and traffic resumes when it comes up. */
		PRX_LOG(NOTICE, CTL, "%s: link %s", dp->ports[i]->name, link.up ? "up" : "down");
		dp->link_up[i] = link.up;
	}
}

unsigned int
prx_dp_n_ports(const struct prx_dataplane *dp)
{
	return dp->n_ports;
}

struct prx_port *
prx_dp_port(const struct prx_dataplane *dp, unsigned int i)
{
	return i < dp->n_ports ? dp->ports[i] : NULL;
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
