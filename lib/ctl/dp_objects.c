/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the registry opens and closes: ports (with the pools of ports added at run time)
 * and handler instances.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp_internal.h"
#include "prx_acl.h"
#include "prx_afpacket.h"
#include "prx_dpdk.h"
#include "prx_eal.h"
#include "prx_handlers.h"
#include "prx_log.h"
#include "prx_router.h"

void
dp_say(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

static int
pool_socket(int socket)
{
	/* Unknown sockets (vdevs, --no-huge) use the control thread's node. */
	int s = socket < 0 ? (int)rte_socket_id() : socket;

	return s < 0 || s >= RTE_MAX_NUMA_NODES ? 0 : s;
}

/* The shared pool of a NUMA socket, made on first use, sized from the configuration. */
struct rte_mempool *
dp_get_pool(struct prx_dataplane *dp, int socket)
{
	const struct prx_conf *conf = dp->conf;
	int s = pool_socket(socket);
	char name[RTE_MEMPOOL_NAMESIZE];

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

/* Mbufs a port added at run time needs: its rx rings, a tx ring per reactor, the
 * reactors' tx buffers and caches. */
static uint32_t
runtime_pool_size(const struct prx_dataplane *dp, const struct prx_conf_port *cp)
{
	uint64_t n = (uint64_t)cp->rx_queues * cp->rx_desc +
		     (uint64_t)dp->n_reactors * (cp->tx_desc + PRX_BURST_MAX) +
		     (uint64_t)(dp->n_reactors + 1) * dp->conf->mempool.cache * 3 / 2 + 1024;

	return n > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)n;
}

/* A pool for a port added at run time: a spare one large enough, or a new one. */
static struct dp_pool *
take_spare_pool(struct prx_dataplane *dp, int socket, uint32_t n, char *msg, size_t len)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct dp_pool *p;
	int s = pool_socket(socket);

	for (unsigned int i = 0; i < dp->n_spare; i++) {
		p = &dp->spare[i];
		if (!p->in_use && p->socket == s && p->n >= n) {
			p->in_use = true;
			return p;
		}
	}
	if (dp->n_spare == DP_MAX_POOLS) {
		dp_say(msg, len, "%u ports were added at run time already: restart to add more",
		       DP_MAX_POOLS);
		return NULL;
	}
	p = &dp->spare[dp->n_spare];
	snprintf(name, sizeof(name), "prx_pool_rt%u", dp->n_spare);
	p->mp = rte_pktmbuf_pool_create(name, n, dp->conf->mempool.cache, 0,
					(uint16_t)dp->conf->mempool.data_room, s);
	if (p->mp == NULL) {
		dp_say(msg, len,
		       "cannot allocate %u mbufs on socket %d for the new port: %s (raise memory_mb)",
		       n, s, rte_strerror(rte_errno));
		return NULL;
	}
	p->socket = s;
	p->n = n;
	p->in_use = true;
	dp->n_spare++;
	return p;
}

static void
release_pool(struct prx_dataplane *dp, struct rte_mempool *mp)
{
	for (unsigned int i = 0; i < dp->n_spare; i++)
		if (dp->spare[i].mp == mp)
			dp->spare[i].in_use = false;
}

int
dp_probe_port(struct prx_dataplane *dp, const struct prx_conf_port *cp, struct prx_port **out)
{
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
			.gso = cp->afpacket.gso,
		};

		prx_afpacket_params_defaults(&ap);
		return prx_afpacket_port_probe(&ap, out);
	}
	return prx_dpdk_port_probe(cp->name, cp->dpdk, out);
}

static void
conf_port_release(struct prx_conf_port *cp)
{
	free(cp->dpdk);
	free(cp->kernel);
	cp->dpdk = cp->kernel = NULL;
}

static int
conf_port_copy(struct prx_conf_port *dst, const struct prx_conf_port *src)
{
	*dst = *src;
	dst->dpdk = src->dpdk != NULL ? strdup(src->dpdk) : NULL;
	dst->kernel = src->kernel != NULL ? strdup(src->kernel) : NULL;
	dst->n_chain = 0;
	if ((src->dpdk != NULL && dst->dpdk == NULL) ||
	    (src->kernel != NULL && dst->kernel == NULL)) {
		conf_port_release(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Rx interrupts are set up only when a reactor may use them: an adaptive one. */
static bool
wants_rx_intr(const struct prx_conf *conf)
{
	for (unsigned int r = 0; r < conf->reactors.n_cores; r++)
		if (conf->reactors.engines[r] == PRX_ENGINE_ADAPTIVE)
			return true;
	return false;
}

int
dp_port_open(struct prx_dataplane *dp, const struct prx_conf_port *cp, uint16_t slot, bool runtime,
	     struct prx_port *probed, struct dp_port **out, char *msg, size_t len)
{
	const char *dev = dp->mode == PRX_MODE_FALLBACK ? cp->kernel : cp->dpdk;
	struct dp_pool *own = NULL;
	struct prx_port_link link;
	struct prx_port_setup ps;
	struct dp_port *e;
	int rc;

	*out = NULL;
	if (dev == NULL) {
		prx_port_close(probed);
		dp_say(msg, len, "port %s: %s mode needs its `%s` device", cp->name,
		       prx_mode_name(dp->mode), dp->mode == PRX_MODE_FALLBACK ? "kernel" : "dpdk");
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL || conf_port_copy(&e->cp, cp) != 0) {
		prx_port_close(probed);
		free(e);
		dp_say(msg, len, "port %s: out of memory", cp->name);
		return -ENOMEM;
	}
	e->link_up = -1;
	e->port = probed;
	rc = probed != NULL ? 0 : dp_probe_port(dp, cp, &e->port);
	if (rc != 0) {
		dp_say(msg, len, "port %s: cannot open \"%s\": %s", cp->name, dev,
		       rc == -EFAULT || rc == -ENODEV ? "no such device" : strerror(-rc));
		if (rc == -EFAULT) /* what rte_devargs_parse() says for a name no bus knows */
			rc = -ENODEV;
		goto fail;
	}
	e->port->index = slot;
	if (cp->has_addr) {
		e->port->addr4 = cp->addr4;
		e->port->prefix4 = cp->prefix4;
	}
	if (cp->socket >= 0)
		e->port->socket = cp->socket;
	ps = (struct prx_port_setup){
		.n_rxq = cp->rx_queues,
		.n_txq = (uint16_t)dp->n_reactors,
		.rx_desc = cp->rx_desc,
		.tx_desc = cp->tx_desc,
		.promiscuous = cp->promiscuous,
		.rx_intr = wants_rx_intr(dp->conf),
	};
	if (runtime) {
		own = take_spare_pool(dp, e->port->socket, runtime_pool_size(dp, cp), msg, len);
		if (own == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		e->own_pool = own->mp;
		ps.pool = own->mp;
	} else {
		ps.pool = dp_get_pool(dp, e->port->socket);
		if (ps.pool == NULL) {
			dp_say(msg, len, "port %s: no mbuf pool", cp->name);
			rc = -ENOMEM;
			goto fail;
		}
	}
	rc = prx_port_configure(e->port, &ps);
	if (rc != 0) {
		dp_say(msg, len, "port %s: cannot configure %u rx and %u tx queues: %s", cp->name,
		       ps.n_rxq, ps.n_txq, strerror(-rc));
		goto fail;
	}
	rc = prx_port_start(e->port);
	if (rc != 0) {
		dp_say(msg, len, "port %s: cannot start: %s", cp->name, strerror(-rc));
		goto fail;
	}
	if (prx_port_link(e->port, &link) == 0) {
		PRX_LOG(INFO, CTL, "%s: link %s, %u Mbps, %s duplex", cp->name,
			link.up ? "up" : "down", link.speed_mbps,
			link.full_duplex ? "full" : "half");
		e->link_up = link.up;
		e->speed_mbps = link.speed_mbps;
	}
	*out = e;
	return 0;
fail:
	PRX_LOG(ERR, CTL, "%s", msg != NULL ? msg : "port open failed");
	dp_port_close(dp, e);
	return rc;
}

void
dp_port_close(struct prx_dataplane *dp, struct dp_port *e)
{
	if (e == NULL)
		return;
	prx_port_close(e->port); /* stops it first */
	if (e->own_pool != NULL)
		release_pool(dp, e->own_pool);
	conf_port_release(&e->cp);
	free(e);
}

/* A router: every port of st (names, MACs, addresses) and the data plane's RCU. */
static int
router_create(const struct prx_dataplane *dp, const struct dp_handler *e, const struct dp_state *st,
	      bool detached, struct prx_handler **out, char *msg, size_t len)
{
	struct prx_router_port ports[PRX_MAX_PORTS];
	struct prx_router_params rp = {
		.conf = e->ch.u.router,
		.ports = ports,
		.qsbr = prx_dp_qsbr(dp),
		.socket = SOCKET_ID_ANY,
		.detached = detached,
	};
	char why[256] = "";
	int rc;

	for (uint16_t s = 0; s < PRX_MAX_PORTS; s++) {
		const struct prx_port *port = st->port[s] != NULL ? st->port[s]->port : NULL;

		if (port == NULL)
			continue;
		ports[rp.n_ports] = (struct prx_router_port){
			.slot = s, .addr4 = port->addr4, .prefix4 = port->prefix4};
		snprintf(ports[rp.n_ports].name, PRX_NAME_MAX, "%s", st->port[s]->cp.name);
		memcpy(ports[rp.n_ports].mac, port->mac.addr_bytes, 6);
		rp.n_ports++;
	}
	rc = prx_router_create(e->ch.name, &rp, out, why, sizeof(why));
	if (rc != 0)
		dp_say(msg, len, "handler %s: %s", e->ch.name, why);
	return rc;
}

int
dp_handler_build(const struct prx_dataplane *dp, const struct prx_conf_handler *ch,
		 const char *to_name, const struct dp_state *st, bool detached,
		 struct dp_handler **out, char *msg, size_t len)
{
	struct dp_handler *e;
	int rc = -EINVAL;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	if (prx_conf_handler_dup(&e->ch, ch) != 0) {
		free(e);
		return -ENOMEM;
	}
	snprintf(e->to_name, sizeof(e->to_name), "%s", to_name != NULL ? to_name : "");
	switch (ch->type) {
	case PRX_HANDLER_XCONNECT: {
		int slot = dp_port_slot(st, e->to_name);
		struct prx_xconnect_conf xc = {
			.mac = ch->u.xconnect.mac,
			.set_src = ch->u.xconnect.set_src,
			.set_dst = ch->u.xconnect.set_dst,
			.work_cycles = ch->u.xconnect.work_cycles,
		};

		if (slot < 0) {
			dp_say(msg, len, "handler %s: no port \"%s\" to send to", ch->name,
			       e->to_name);
			rc = -ENOENT;
			break;
		}
		xc.to = (uint16_t)slot;
		memcpy(xc.src, ch->u.xconnect.src, sizeof(xc.src));
		memcpy(xc.dst, ch->u.xconnect.dst, sizeof(xc.dst));
		rc = prx_xconnect_create(ch->name, &xc, &e->h);
		if (rc != 0)
			dp_say(msg, len, "handler %s: %s", ch->name, strerror(-rc));
		break;
	}
	case PRX_HANDLER_RESPONDER:
		rc = prx_responder_create(ch->name, &ch->u.responder, &e->h);
		if (rc != 0)
			dp_say(msg, len, "handler %s: %s", ch->name, strerror(-rc));
		break;
	case PRX_HANDLER_ACL: {
		char why[256] = "";

		rc = prx_acl_create(ch->name, ch->u.acl, &e->h, why, sizeof(why));
		if (rc != 0)
			dp_say(msg, len, "handler %s: %s", ch->name, why);
		break;
	}
	case PRX_HANDLER_ROUTER:
		rc = router_create(dp, e, st, detached, &e->h, msg, len);
		break;
	default:
		dp_say(msg, len, "handler %s: unknown type", ch->name);
		break;
	}
	if (rc != 0) {
		prx_conf_handler_release(&e->ch);
		free(e);
		return rc;
	}
	/* without a worker pool (none configured) the handler runs inline */
	e->h->offload = ch->offload;
	*out = e;
	return 0;
}

int
dp_handler_attach(struct dp_handler *e, char *msg, size_t len)
{
	char why[128] = "";
	int rc = prx_router_attach(e->h, why, sizeof(why));

	if (rc != 0)
		dp_say(msg, len, "handler %s: %s", e->ch.name, why);
	return rc;
}

int
dp_handler_create(const struct prx_dataplane *dp, const struct prx_conf_handler *ch,
		  const char *to_name, const struct dp_state *st, struct dp_handler **out,
		  char *msg, size_t len)
{
	return dp_handler_build(dp, ch, to_name, st, false, out, msg, len);
}

void
dp_handler_detach(struct dp_handler *e)
{
	prx_router_detach(e->h);
}

bool
dp_handler_heavy(const struct prx_conf_handler *ch)
{
	return ch->type == PRX_HANDLER_ACL || ch->type == PRX_HANDLER_ROUTER;
}

void
dp_handler_destroy(struct dp_handler *e)
{
	if (e == NULL)
		return;
	prx_handler_free(e->h);
	prx_conf_handler_release(&e->ch);
	free(e);
}

bool
dp_handler_same(const struct dp_handler *e, const struct prx_conf_handler *ch, const char *to_name)
{
	if (e->ch.type != ch->type || strcmp(e->ch.name, ch->name) != 0 ||
	    e->ch.offload != ch->offload)
		return false;
	switch (ch->type) {
	case PRX_HANDLER_XCONNECT:
		return strcmp(e->to_name, to_name != NULL ? to_name : "") == 0 &&
		       e->ch.u.xconnect.mac == ch->u.xconnect.mac &&
		       e->ch.u.xconnect.set_src == ch->u.xconnect.set_src &&
		       e->ch.u.xconnect.set_dst == ch->u.xconnect.set_dst &&
		       memcmp(e->ch.u.xconnect.src, ch->u.xconnect.src, 6) == 0 &&
		       memcmp(e->ch.u.xconnect.dst, ch->u.xconnect.dst, 6) == 0 &&
		       e->ch.u.xconnect.work_cycles == ch->u.xconnect.work_cycles;
	default:
		return prx_conf_handler_equal(NULL, &e->ch, NULL, ch);
	}
}
