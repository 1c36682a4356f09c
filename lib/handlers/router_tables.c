/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's tables on the control thread's side: the FIB (rte_fib DIR24_8; a live
 * change waits for a grace period of the data plane's QSBR variable before it returns,
 * see router_internal.h),
 * next hops, neighbours (a lock-free rte_hash from IPv4 to an index, one 64-bit word per
 * neighbour) and the list of routes with their origins, for listings.  One writer: this
 * thread; reactors read concurrently.  A next hop or neighbour that readers may still
 * hold is reused only after a grace period (rt_defer).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "prx_log.h"
#include "prx_slowpath.h"
#include "router_internal.h"

#define ROUTE_EMPTY 0xff

static uint32_t gen; /* unique names for rte_fib and rte_hash objects */

/* --- routes the control thread keeps: open addressing, linear probing --- */

static uint32_t
route_hash(uint32_t prefix, uint8_t len)
{
	uint64_t k = ((uint64_t)prefix << 8 | len) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(k >> 32);
}

static int64_t
route_find(const struct rt_ctl *c, uint32_t prefix, uint8_t len)
{
	uint32_t mask = c->routes_cap - 1;

	for (uint32_t i = route_hash(prefix, len) & mask;; i = (i + 1) & mask) {
		const struct rt_route *r = &c->routes[i];

		if (r->origin == ROUTE_EMPTY)
			return -1;
		if (r->prefix == prefix && r->len == len)
			return i;
	}
}

static void
route_insert(struct rt_ctl *c, const struct rt_route *nr)
{
	uint32_t mask = c->routes_cap - 1, i = route_hash(nr->prefix, nr->len) & mask;

	while (c->routes[i].origin != ROUTE_EMPTY)
		i = (i + 1) & mask;
	c->routes[i] = *nr;
	c->n_routes++;
}

/* Backward-shift deletion: no tombstones, lookups stay short. */
static void
route_erase(struct rt_ctl *c, uint32_t i)
{
	uint32_t mask = c->routes_cap - 1, j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (c->routes[j].origin == ROUTE_EMPTY)
			break;
		home = route_hash(c->routes[j].prefix, c->routes[j].len) & mask;
		/* move j into the hole at i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			c->routes[i] = c->routes[j];
			i = j;
		}
	}
	c->routes[i].origin = ROUTE_EMPTY;
	c->n_routes--;
}

/* --- the FIB under RCU --- */

/*
 * After a change of the FIB: once readers may use it, wait until every reader has
 * passed a quiescent state, so that no tbl8 group this change freed can be reused (by
 * the next change) while a reader still walks it.  The change is then live everywhere.
 */
static void
fib_changed(struct rt *rt)
{
	if (rt->ctl->live && rt->ctl->qsbr != NULL)
		rte_rcu_qsbr_synchronize(rt->ctl->qsbr, RTE_QSBR_THRID_INVALID);
}

/* --- deferred reuse --- */

static void
defer_free(struct rt *rt, const struct rt_defer *d)
{
	struct rt_ctl *c = rt->ctl;

	if (d->neigh) {
		if (d->pos >= 0)
			rte_hash_free_key_with_position(rt->nhash, d->pos);
		__atomic_store_n(&rt->neigh[d->idx].w, 0, __ATOMIC_RELAXED);
		c->neigh_free[c->n_neigh_free++] = d->idx;
	} else {
		rt->nh[d->idx].kind = NH_FREE;
		c->nh[d->idx].gw = 0;
	}
	rt_changed(rt);
}

static void
defer(struct rt *rt, uint32_t idx, int32_t pos, bool neigh)
{
	struct rt_ctl *c = rt->ctl;
	struct rt_defer d = {.idx = idx, .pos = pos, .neigh = neigh};

	if (c->qsbr == NULL) {
		defer_free(rt, &d);
		return;
	}
	if (c->defer_n == c->defer_cap) {
		uint32_t cap = c->defer_cap ? c->defer_cap * 2 : 64;
		struct rt_defer *n = malloc(cap * sizeof(*n));

		if (n == NULL) {
			/* cannot wait in the background: wait here */
			rte_rcu_qsbr_synchronize(c->qsbr, RTE_QSBR_THRID_INVALID);
			defer_free(rt, &d);
			return;
		}
		for (uint32_t k = 0; k < c->defer_n; k++)
			n[k] = c->defer[(c->defer_head + k) % (c->defer_cap ? c->defer_cap : 1)];
		free(c->defer);
		c->defer = n;
		c->defer_cap = cap;
		c->defer_head = 0;
	}
	d.token = rte_rcu_qsbr_start(c->qsbr);
	c->defer[(c->defer_head + c->defer_n) % c->defer_cap] = d;
	c->defer_n++;
}

void
rt_defer_reclaim(struct rt *rt)
{
	struct rt_ctl *c = rt->ctl;

	while (c->defer_n > 0) {
		struct rt_defer *d = &c->defer[c->defer_head];

		if (rte_rcu_qsbr_check(c->qsbr, d->token, false) != 1)
			break;
		defer_free(rt, d);
		c->defer_head = (c->defer_head + 1) % c->defer_cap;
		c->defer_n--;
	}
}

/* --- neighbours --- */

int
rt_neigh_find(const struct rt *rt, uint32_t ip)
{
	void *data;

	if (rte_hash_lookup_data(rt->nhash, &ip, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

void
rt_neigh_publish(struct rt *rt, uint32_t idx, uint8_t state, const uint8_t *mac, uint8_t slot)
{
	union rt_neigh n = {.w = 0};

	if (mac != NULL)
		memcpy(n.s.mac, mac, 6);
	n.s.state = state;
	n.s.slot = slot;
	__atomic_store_n(&rt->neigh[idx].w, n.w, __ATOMIC_RELEASE);
	rt_changed(rt);
}

int
rt_neigh_get(struct rt *rt, uint32_t ip, uint8_t slot)
{
	struct rt_ctl *c = rt->ctl;
	int idx = rt_neigh_find(rt, ip);
	uint32_t i;

	if (idx >= 0)
		return idx;
	if (c->n_neigh_free == 0)
		rt_defer_reclaim(rt);
	if (c->n_neigh_free == 0)
		return -ENOSPC;
	i = c->neigh_free[--c->n_neigh_free];
	c->neigh[i] = (struct rt_neigh_ctl){.ip = ip, .pos = -1, .next_pending = UINT32_MAX};
	rt_neigh_publish(rt, i, NS_INCOMPLETE, NULL, slot);
	if (rte_hash_add_key_data(rt->nhash, &ip, (void *)(uintptr_t)i) != 0) {
		c->neigh[i].ip = 0;
		c->neigh_free[c->n_neigh_free++] = i;
		return -ENOSPC;
	}
	c->n_neigh++;
	return (int)i;
}

void
rt_neigh_remove(struct rt *rt, uint32_t idx)
{
	struct rt_ctl *c = rt->ctl;
	uint32_t ip = c->neigh[idx].ip;
	int32_t pos = rte_hash_del_key(rt->nhash, &ip);

	/* readers holding idx see it unresolved (and punt) until the grace period ends */
	rt_neigh_publish(rt, idx, NS_INCOMPLETE, NULL, 0);
	free(c->neigh[idx].held);
	c->neigh[idx] = (struct rt_neigh_ctl){.pos = pos, .next_pending = UINT32_MAX};
	c->n_neigh--;
	defer(rt, idx, pos, true);
}

/* --- next hops --- */

static int
nh_get(struct rt *rt, uint8_t kind, uint32_t gw, uint8_t slot)
{
	struct rt_ctl *c = rt->ctl;
	uint32_t i = c->nh_cache, free_i = 0;
	int n;

	if (i != 0 && c->nh[i].refs > 0 && rt->nh[i].kind == kind && rt->nh[i].slot == slot &&
	    c->nh[i].gw == gw)
		goto found;
	for (i = RT_NH_FIRST; i < c->nh_hi; i++) {
		if (c->nh[i].refs > 0 && rt->nh[i].kind == kind && rt->nh[i].slot == slot &&
		    c->nh[i].gw == gw)
			goto found;
		if (free_i == 0 && rt->nh[i].kind == NH_FREE)
			free_i = i;
	}
	if (free_i == 0 && c->nh_hi < RT_MAX_NH)
		free_i = c->nh_hi;
	if (free_i == 0) {
		rt_defer_reclaim(rt);
		for (i = RT_NH_FIRST; i < RT_MAX_NH && free_i == 0; i++)
			if (rt->nh[i].kind == NH_FREE)
				free_i = i;
		if (free_i == 0)
			return -ENOSPC;
	}
	i = free_i;
	rt->nh[i] = (struct rt_nh){.kind = kind, .slot = slot};
	memcpy(rt->nh[i].src_mac, c->ports[slot].mac, 6);
	if (kind == NH_GATEWAY) {
		n = rt_neigh_get(rt, gw, slot);
		if (n < 0) {
			rt->nh[i].kind = NH_FREE;
			return n;
		}
		c->neigh[n].refs++;
		rt->nh[i].neigh = (uint32_t)n;
	}
	c->nh[i].gw = gw;
	rt_changed(rt);
	if (i >= c->nh_hi)
		c->nh_hi = i + 1;
found:
	c->nh[i].refs++;
	c->nh_cache = i;
	return (int)i;
}

static void
nh_put(struct rt *rt, uint32_t i)
{
	struct rt_ctl *c = rt->ctl;

	uint32_t n;

	if (i == RT_NH_LOCAL || --c->nh[i].refs > 0)
		return;
	if (rt->nh[i].kind == NH_GATEWAY) {
		n = rt->nh[i].neigh;
		/* a gateway nobody routes through and nobody resolves is forgotten */
		if (--c->neigh[n].refs == 0 && !c->neigh[n].pending &&
		    (union rt_neigh){.w = rt->neigh[n].w}.s.state == NS_INCOMPLETE)
			rt_neigh_remove(rt, n);
	}
	defer(rt, i, -1, false);
}

/* --- routes --- */

int
rt_lookup(const struct rt *rt, uint32_t dst, uint32_t *nh)
{
	uint32_t ip = ntohl(dst);
	uint64_t hop;

	rte_fib_lookup_bulk(rt->fib, &ip, &hop, 1);
	*nh = (uint32_t)hop;
	return hop < RT_MAX_NH && hop != RT_NH_TRANSIENT ? 0 : -ENOENT;
}

static const char *
ip_str(uint32_t ip, char *buf)
{
	struct in_addr a = {.s_addr = ip};

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* Add prefix/len (network order) towards next hop (kind, gw, slot). */
static int
route_add(struct rt *rt, uint32_t prefix, uint8_t len, uint8_t kind, uint32_t gw, uint8_t slot,
	  enum prx_router_origin origin, char *msg, size_t mlen)
{
	struct rt_ctl *c = rt->ctl;
	uint32_t hp = ntohl(prefix);
	char b[INET_ADDRSTRLEN];
	int nh, rc;

	static const char *const origins[] = {"", " (a live route)", " (a port's connected route)",
					      " (a port's address)"};
	int64_t old = route_find(c, hp, len);

	if (old >= 0) {
		snprintf(msg, mlen, "route %s/%u exists%s", ip_str(prefix, b), len,
			 prx_name_of(origins, 4, c->routes[old].origin));
		return -EEXIST;
	}
	if ((origin == PRX_ROUTE_CONFIG || origin == PRX_ROUTE_LIVE) &&
	    c->n_routes >= c->max_routes + 3 * PRX_MAX_PORTS) {
		snprintf(msg, mlen, "%u routes: max_routes reached", c->n_routes);
		return -ENOSPC;
	}
	nh = kind == NH_LOCAL ? RT_NH_LOCAL : nh_get(rt, kind, gw, slot);
	if (nh < 0) {
		snprintf(msg, mlen, "route %s/%u: %s", ip_str(prefix, b), len,
			 nh == -ENOSPC ? "no room for its next hop or gateway neighbour"
				       : strerror(-nh));
		return nh;
	}
	/* the next hop's fields before the FIB entry that makes readers use it */
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	rc = rte_fib_add(rt->fib, hp, len, (uint64_t)nh);
	fib_changed(rt);
	if (rc != 0) {
		nh_put(rt, (uint32_t)nh);
		snprintf(msg, mlen, "route %s/%u: %s", ip_str(prefix, b), len,
			 rc == -ENOSPC ? "the FIB is full (raise max_routes or tbl8_groups)"
				       : strerror(-rc));
		return rc;
	}
	route_insert(c, &(struct rt_route){.prefix = hp,
					   .len = len,
					   .origin = (uint8_t)origin,
					   .nh = (uint16_t)nh});
	return 0;
}

static const struct prx_router_port *
port_by_name(const struct prx_router_params *pr, const char *name)
{
	for (unsigned int i = 0; i < pr->n_ports; i++)
		if (strcmp(pr->ports[i].name, name) == 0)
			return &pr->ports[i];
	return NULL;
}

/* Connected and local routes of every port with an address. */
static int
add_port_routes(struct rt *rt, const struct prx_router_port *pp, char *msg, size_t mlen)
{
	uint32_t mask = htonl(~0u << (32 - pp->prefix4)), net = pp->addr4 & mask;
	uint32_t bcast = net | ~mask;
	int rc;

	rc = route_add(rt, net, pp->prefix4, NH_CONNECTED, 0, (uint8_t)pp->slot,
		       PRX_ROUTE_CONNECTED, msg, mlen);
	if (rc == -EEXIST) /* two ports in one subnet: the first keeps it */
		PRX_LOG(WARNING, PIPELINE, "router: port %s: %s, kept", pp->name, msg);
	else if (rc != 0)
		return rc;
	rc = route_add(rt, pp->addr4, 32, NH_LOCAL, 0, 0, PRX_ROUTE_LOCAL, msg, mlen);
	if (rc != 0 && rc != -EEXIST)
		return rc;
	rc = route_add(rt, bcast, 32, NH_LOCAL, 0, 0, PRX_ROUTE_LOCAL, msg, mlen);
	return rc == -EEXIST ? 0 : rc;
}

static int
add_conf(struct rt *rt, const struct prx_router_params *pr, char *msg, size_t mlen)
{
	const struct prx_conf_router *cf = pr->conf;
	const struct prx_router_port *pp;
	int rc;

	for (uint32_t i = 0; i < cf->n_neigh; i++) {
		pp = port_by_name(pr, cf->ports[cf->neigh[i].port].name);
		if (pp == NULL) {
			snprintf(msg, mlen, "no port \"%s\"", cf->ports[cf->neigh[i].port].name);
			return -ENOENT;
		}
		rc = rt_neigh_get(rt, cf->neigh[i].ip, (uint8_t)pp->slot);
		if (rc < 0) {
			snprintf(msg, mlen, "neighbour table full");
			return rc;
		}
		rt_neigh_publish(rt, (uint32_t)rc, NS_STATIC, cf->neigh[i].mac, (uint8_t)pp->slot);
	}
	for (uint32_t i = 0; i < cf->n_routes; i++) {
		const struct prx_conf_route *r = &cf->routes[i];

		pp = port_by_name(pr, cf->ports[r->port].name);
		if (pp == NULL) {
			snprintf(msg, mlen, "no port \"%s\"", cf->ports[r->port].name);
			return -ENOENT;
		}
		rc = route_add(rt, r->prefix, r->len, r->via ? NH_GATEWAY : NH_CONNECTED, r->via,
			       (uint8_t)pp->slot, PRX_ROUTE_CONFIG, msg, mlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
make_fib(struct rt *rt, const struct prx_router_params *pr, char *msg, size_t mlen)
{
	const struct prx_conf_router *cf = pr->conf;
	struct rte_fib_conf fc = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = RT_MAX_NH, /* no route */
		.max_routes = (int)(cf->max_routes + 3 * PRX_MAX_PORTS),
		/* 2-byte entries (32 MiB of tbl24) unless there are more groups than 2-byte
		 * entries can name; each local /32 may need a group */
		.dir24_8 = {.nh_sz = cf->tbl8_groups <= PRX_ROUTER_TBL8_2B ? RTE_FIB_DIR24_8_2B
									   : RTE_FIB_DIR24_8_4B,
			    .num_tbl8 = cf->tbl8_groups + 2 * PRX_MAX_PORTS},
	};
	char name[32];

	snprintf(name, sizeof(name), "prxrt%u", __atomic_fetch_add(&gen, 1, __ATOMIC_RELAXED));
	rt->fib = rte_fib_create(name, pr->socket, &fc);
	if (rt->fib == NULL) {
		snprintf(msg, mlen, "rte_fib_create (%d routes, %u tbl8 groups): %s", fc.max_routes,
			 fc.dir24_8.num_tbl8, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "prxrtn%u", __atomic_fetch_add(&gen, 1, __ATOMIC_RELAXED));
	rt->nhash = rte_hash_create(&(struct rte_hash_parameters){
		.name = name,
		.entries = RTE_MAX(cf->max_neighbors, 64u),
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = pr->socket,
		.extra_flag =
			RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	});
	if (rt->nhash == NULL) {
		snprintf(msg, mlen, "rte_hash_create (%u neighbours): %s", cf->max_neighbors,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

int
rt_tables_init(struct rt *rt, const struct prx_router_params *pr, const char *name, char *msg,
	       size_t mlen)
{
	const struct prx_conf_router *cf = pr->conf;
	uint32_t cap = 64;
	struct rt_ctl *c;
	int rc;

	(void)name;
	c = rt->ctl = calloc(1, sizeof(*c));
	if (c == NULL)
		goto nomem;
	c->consumer = -1;
	c->qsbr = pr->qsbr;
	c->pool = pr->pool;
	c->send = pr->send;
	c->send_ctx = pr->send_ctx;
	c->hold = cf->hold;
	c->max_routes = cf->max_routes;
	c->max_neigh = cf->max_neighbors;
	c->pending = UINT32_MAX;
	c->nh_hi = RT_NH_FIRST;
	c->icmp = (struct rt_bucket){
		.rate = cf->icmp_rate, .burst = cf->icmp_burst, .tokens = cf->icmp_burst};
	c->arp = (struct rt_bucket){
		.rate = RT_ARP_RATE, .burst = RT_ARP_BURST, .tokens = RT_ARP_BURST};
	while (cap < 2 * (cf->max_routes + 3 * PRX_MAX_PORTS))
		cap *= 2;
	c->routes_cap = cap;
	c->routes = malloc(cap * sizeof(*c->routes));
	c->neigh = calloc(cf->max_neighbors, sizeof(*c->neigh));
	c->neigh_free = malloc(cf->max_neighbors * sizeof(*c->neigh_free));
	rt->neigh = rte_zmalloc_socket("prx_rt_neigh", cf->max_neighbors * sizeof(*rt->neigh),
				       RTE_CACHE_LINE_SIZE, pr->socket);
	if (c->routes == NULL || c->neigh == NULL || c->neigh_free == NULL || rt->neigh == NULL)
		goto nomem;
	for (uint32_t i = 0; i < cap; i++)
		c->routes[i].origin = ROUTE_EMPTY;
	for (uint32_t i = 0; i < cf->max_neighbors; i++)
		c->neigh_free[i] = cf->max_neighbors - 1 - i;
	c->n_neigh_free = cf->max_neighbors;
	rt->nh[RT_NH_LOCAL].kind = NH_LOCAL;
	rc = make_fib(rt, pr, msg, mlen);
	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < pr->n_ports; i++) {
		const struct prx_router_port *pp = &pr->ports[i];

		if (pp->slot >= PRX_MAX_PORTS)
			continue;
		c->ports[pp->slot] = *pp;
		c->port_known[pp->slot] = true;
		if (pp->addr4 != 0 && pp->prefix4 > 0 && pp->prefix4 < 32) {
			rc = add_port_routes(rt, pp, msg, mlen);
			if (rc != 0)
				return rc;
		}
	}
	rc = add_conf(rt, pr, msg, mlen);
	c->live = true; /* from now on a change may meet readers */
	return rc;
nomem:
	snprintf(msg, mlen, "out of memory for the router's tables");
	return -ENOMEM;
}

void
rt_tables_fini(struct rt *rt)
{
	struct rt_ctl *c = rt->ctl;

	if (c != NULL) {
		for (uint32_t i = 0; c->neigh != NULL && i < c->max_neigh; i++)
			free(c->neigh[i].held); /* emptied by the caller */
		free(c->neigh);
		free(c->neigh_free);
		free(c->routes);
		free(c->defer);
		free(c);
		rt->ctl = NULL;
	}
	rte_fib_free(rt->fib);
	rte_hash_free(rt->nhash);
	rte_free(rt->neigh);
}

/* --- the public calls --- */

static struct rt *
router_of(const struct prx_handler *h)
{
	return prx_handler_is_router(h) ? h->priv : NULL;
}

static int
learn_port(struct rt *rt, const struct prx_router_port *port, char *msg, size_t mlen)
{
	if (port == NULL || port->slot >= PRX_MAX_PORTS) {
		snprintf(msg, mlen, "no such port");
		return -EINVAL;
	}
	rt->ctl->ports[port->slot] = *port;
	rt->ctl->port_known[port->slot] = true;
	return 0;
}

int
prx_router_route_add(struct prx_handler *h, uint32_t prefix, uint8_t len, uint32_t via,
		     const struct prx_router_port *port, char *msg, size_t mlen)
{
	struct rt *rt = router_of(h);
	int rc;

	if (rt == NULL || len > 32 || (len < 32 && (ntohl(prefix) & (0xffffffffu >> len)) != 0)) {
		snprintf(msg, mlen, rt == NULL ? "not a router" : "host bits set in the prefix");
		return -EINVAL;
	}
	rc = learn_port(rt, port, msg, mlen);
	if (rc != 0)
		return rc;
	return route_add(rt, prefix, len, via ? NH_GATEWAY : NH_CONNECTED, via, (uint8_t)port->slot,
			 PRX_ROUTE_LIVE, msg, mlen);
}

int
prx_router_route_del(struct prx_handler *h, uint32_t prefix, uint8_t len, char *msg, size_t mlen)
{
	struct rt *rt = router_of(h);
	char b[INET_ADDRSTRLEN];
	struct rt_route r;
	int64_t i;

	if (rt == NULL) {
		snprintf(msg, mlen, "not a router");
		return -EINVAL;
	}
	i = route_find(rt->ctl, ntohl(prefix), len);
	if (i < 0) {
		snprintf(msg, mlen, "no route %s/%u", ip_str(prefix, b), len);
		return -ENOENT;
	}
	r = rt->ctl->routes[i];
	if (r.origin == PRX_ROUTE_CONNECTED || r.origin == PRX_ROUTE_LOCAL) {
		snprintf(msg, mlen, "%s/%u is a %s route of a port's address", ip_str(prefix, b),
			 len, r.origin == PRX_ROUTE_LOCAL ? "local" : "connected");
		return -EPERM;
	}
	rte_fib_delete(rt->fib, r.prefix, r.len);
	fib_changed(rt);
	route_erase(rt->ctl, (uint32_t)i);
	nh_put(rt, r.nh);
	rt_defer_reclaim(rt);
	return 0;
}

int
prx_router_neigh_add(struct prx_handler *h, uint32_t ip, const uint8_t mac[6],
		     const struct prx_router_port *port, char *msg, size_t mlen)
{
	struct rt *rt = router_of(h);
	int idx, rc;

	if (rt == NULL) {
		snprintf(msg, mlen, "not a router");
		return -EINVAL;
	}
	rc = learn_port(rt, port, msg, mlen);
	if (rc != 0)
		return rc;
	idx = rt_neigh_get(rt, ip, (uint8_t)port->slot);
	if (idx < 0) {
		snprintf(msg, mlen, "the neighbour table is full (max_neighbors)");
		return idx;
	}
	rt_neigh_resolved(rt, (uint32_t)idx, NS_STATIC, mac, (uint8_t)port->slot);
	return 0;
}

int
prx_router_neigh_del(struct prx_handler *h, uint32_t ip, char *msg, size_t mlen)
{
	struct rt *rt = router_of(h);
	char b[INET_ADDRSTRLEN];
	int idx;

	if (rt == NULL) {
		snprintf(msg, mlen, "not a router");
		return -EINVAL;
	}
	idx = rt_neigh_find(rt, ip);
	if (idx < 0) {
		snprintf(msg, mlen, "no neighbour %s", ip_str(ip, b));
		return -ENOENT;
	}
	rt_drop_held(rt, (uint32_t)idx, &rt->ctl->st.held_dropped, false, 0);
	if (rt->ctl->neigh[idx].refs > 0) /* a gateway: back to unresolved */
		rt_neigh_publish(rt, (uint32_t)idx, NS_INCOMPLETE, NULL,
				 (union rt_neigh){.w = rt->neigh[idx].w}.s.slot);
	else
		rt_neigh_remove(rt, (uint32_t)idx);
	return 0;
}

uint32_t
prx_router_n_routes(const struct prx_handler *h)
{
	const struct rt *rt = router_of(h);

	return rt != NULL ? rt->ctl->n_routes : 0;
}

void
prx_router_routes(const struct prx_handler *h,
		  void (*fn)(void *ctx, const struct prx_router_route *r), void *ctx)
{
	const struct rt *rt = router_of(h);

	for (uint32_t i = 0; rt != NULL && i < rt->ctl->routes_cap; i++) {
		const struct rt_route *r = &rt->ctl->routes[i];
		struct prx_router_route o;

		if (r->origin == ROUTE_EMPTY)
			continue;
		o = (struct prx_router_route){.prefix = htonl(r->prefix),
					      .len = r->len,
					      .via = rt->ctl->nh[r->nh].gw,
					      .slot = rt->nh[r->nh].slot,
					      .origin = (enum prx_router_origin)r->origin};
		fn(ctx, &o);
	}
}

void
prx_router_neighbors(const struct prx_handler *h,
		     void (*fn)(void *ctx, const struct prx_router_neigh *n), void *ctx)
{
	static const char *const names[] = {"free", "incomplete", "failed", "reachable", "static"};
	const struct rt *rt = router_of(h);

	for (uint32_t i = 0; rt != NULL && i < rt->ctl->max_neigh; i++) {
		const struct rt_neigh_ctl *c = &rt->ctl->neigh[i];
		union rt_neigh w = {.w = rt->neigh[i].w};
		struct prx_router_neigh o;

		if (c->ip == 0)
			continue;
		o = (struct prx_router_neigh){.ip = c->ip,
					      .slot = w.s.slot,
					      .state = prx_name_of(names, 5, w.s.state),
					      .held = c->n_held,
					      .refs = c->refs};
		/* blocked while its hold queue is full is still incomplete */
		if (w.s.state == NS_BLOCKED && !c->failed)
			o.state = "incomplete";
		memcpy(o.mac, w.s.mac, 6);
		fn(ctx, &o);
	}
}

const struct prx_router_port *
prx_router_port(const struct prx_handler *h, uint16_t slot)
{
	const struct rt *rt = router_of(h);

	if (rt == NULL || slot >= PRX_MAX_PORTS || !rt->ctl->port_known[slot])
		return NULL;
	return &rt->ctl->ports[slot];
}

bool
prx_router_uses_slot(const struct prx_handler *h, uint16_t slot)
{
	const struct rt *rt = router_of(h);

	for (uint32_t i = RT_NH_FIRST; rt != NULL && i < rt->ctl->nh_hi; i++)
		if (rt->ctl->nh[i].refs > 0 && rt->nh[i].slot == slot)
			return true;
	return false;
}
