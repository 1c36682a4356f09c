/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's control commands (docs/control.md, docs/router.md): routes and
 * neighbours changed in place in a running router, and what it holds and counts.
 *
 *   route.add {handler, prefix, via?, port, exist_ok?}   route.del {handler, prefix, missing_ok?}
 *   route.show {handler, limit?}                         neigh.add {handler, ip, mac, port}
 *   neigh.del {handler, ip, missing_ok?}                 neigh.show {handler}
 *
 * A change is live on every reactor when the reply leaves: the FIB and the neighbour
 * words are updated in place (what readers may still use is freed after a grace period).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_args.h"
#include "prx_control.h"
#include "prx_ctlsock.h"
#include "prx_evloop.h"
#include "prx_router.h"

/* --- arguments --- */

/* "10.0.2.0/24" (or an address alone: /32), network order. */
static int
prefix_arg(struct prx_ctl_req *req, const char *s, uint32_t *prefix, uint8_t *len)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	char *end;
	long l = 32;

	if (n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	if (slash != NULL) {
		l = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0')
			l = -1;
	}
	if (n >= sizeof(buf) || inet_pton(AF_INET, buf, &a) != 1 || l < 0 || l > 32) {
		prx_ctl_req_error(req, "EINVAL",
				  "prefix \"%.40s\": expected an IPv4 prefix like 10.0.2.0/24", s);
		return -EINVAL;
	}
	if (l < 32 && (ntohl(a.s_addr) & (0xffffffffu >> l)) != 0) {
		prx_ctl_req_error(req, "EINVAL", "prefix \"%.40s\": host bits set", s);
		return -EINVAL;
	}
	*prefix = a.s_addr;
	*len = (uint8_t)l;
	return 0;
}

static int
ip_arg(struct prx_ctl_req *req, const char *key, const char *s, uint32_t *ip)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1 || (h = ntohl(a.s_addr)) == 0 || h >= 0xe0000000u) {
		prx_ctl_req_error(req, "EINVAL", "%s \"%.40s\": expected a unicast IPv4 address",
				  key, s);
		return -EINVAL;
	}
	*ip = a.s_addr;
	return 0;
}

static struct prx_handler *
router_arg(struct prx_ctl_req *req, json_t *args, void *ctx)
{
	struct prx_handler *h;
	const char *name;

	if (prx_ctl_arg_str(req, args, "handler", true, &name) != 0)
		return NULL;
	h = prx_dp_handler(prx_control_dp(ctx), name);
	if (h == NULL)
		prx_ctl_req_error(req, "ENOENT", "no handler \"%s\"", name);
	else if (!prx_handler_is_router(h))
		prx_ctl_req_error(req, "EINVAL", "handler %s is a %s, not a router", name, h->type);
	return h != NULL && prx_handler_is_router(h) ? h : NULL;
}

static int
port_arg(struct prx_ctl_req *req, json_t *args, void *ctx, struct prx_router_port *out)
{
	const struct prx_port *port;
	const char *name;

	if (prx_ctl_arg_str(req, args, "port", true, &name) != 0)
		return -EINVAL;
	port = prx_dp_port(prx_control_dp(ctx), name);
	if (port == NULL) {
		prx_ctl_req_error(req, "ENOENT", "no port \"%s\"", name);
		return -ENOENT;
	}
	*out = (struct prx_router_port){
		.slot = port->index, .addr4 = port->addr4, .prefix4 = port->prefix4};
	snprintf(out->name, sizeof(out->name), "%s", name);
	memcpy(out->mac, port->mac.addr_bytes, 6);
	return 0;
}

/* --- rendering --- */

static json_t *
ip_json(uint32_t ip)
{
	char b[INET_ADDRSTRLEN];
	struct in_addr a = {.s_addr = ip};

	return json_string(inet_ntop(AF_INET, &a, b, sizeof(b)));
}

static json_t *
prefix_json(uint32_t prefix, uint8_t len)
{
	char b[INET_ADDRSTRLEN + 4];
	struct in_addr a = {.s_addr = prefix};

	inet_ntop(AF_INET, &a, b, INET_ADDRSTRLEN);
	snprintf(b + strlen(b), 5, "/%u", len);
	return json_string(b);
}

static json_t *
port_json(const struct prx_handler *h, uint16_t slot)
{
	const struct prx_router_port *p = prx_router_port(h, slot);

	return p != NULL ? json_string(p->name) : json_integer(slot);
}

static json_t *
mac_json(const uint8_t *m)
{
	char b[18];

	snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return json_string(b);
}

static json_t *
live(void *ctx, json_t *o, uint64_t t0)
{
	json_object_set_new(o, "live_us",
			    json_integer((json_int_t)((prx_evloop_now_ns() - t0) / 1000)));
	prx_control_changed(ctx);
	return o;
}

/* --- changes --- */

static int
route_add(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", "prefix", "via", "port", "exist_ok", NULL};
	uint64_t t0 = prx_evloop_now_ns();
	const char *prefix_s, *via_s;
	struct prx_router_port port;
	struct prx_handler *h;
	bool exist_ok = false;
	uint32_t prefix, via = 0;
	char msg[256] = "";
	uint8_t len;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || (h = router_arg(req, args, ctx)) == NULL ||
	    prx_ctl_arg_str(req, args, "prefix", true, &prefix_s) ||
	    prefix_arg(req, prefix_s, &prefix, &len) ||
	    prx_ctl_arg_str(req, args, "via", false, &via_s) ||
	    (via_s != NULL && ip_arg(req, "via", via_s, &via)) ||
	    prx_ctl_arg_bool(req, args, "exist_ok", &exist_ok) || port_arg(req, args, ctx, &port))
		return -EINVAL;
	rc = prx_router_route_add(h, prefix, len, via, &port, msg, sizeof(msg));
	if (rc != 0 && !(rc == -EEXIST && exist_ok)) {
		prx_ctl_req_error(req, NULL, "%s", msg);
		return rc;
	}
	*result = json_pack("{s:s, s:o, s:o, s:s, s:b, s:I}", "handler", h->name, "prefix",
			    prefix_json(prefix, len), "via", via ? ip_json(via) : json_null(),
			    "port", port.name, "existed", rc == -EEXIST, "routes",
			    (json_int_t)prx_router_n_routes(h));
	live(ctx, *result, t0);
	return 0;
}

static int
route_del(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", "prefix", "missing_ok", NULL};
	uint64_t t0 = prx_evloop_now_ns();
	struct prx_handler *h;
	bool missing_ok = false;
	const char *prefix_s;
	char msg[256] = "";
	uint32_t prefix;
	uint8_t len;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || (h = router_arg(req, args, ctx)) == NULL ||
	    prx_ctl_arg_str(req, args, "prefix", true, &prefix_s) ||
	    prefix_arg(req, prefix_s, &prefix, &len) ||
	    prx_ctl_arg_bool(req, args, "missing_ok", &missing_ok))
		return -EINVAL;
	rc = prx_router_route_del(h, prefix, len, msg, sizeof(msg));
	if (rc != 0 && !(rc == -ENOENT && missing_ok)) {
		prx_ctl_req_error(req, NULL, "%s", msg);
		return rc;
	}
	*result = json_pack("{s:s, s:o, s:b, s:I}", "handler", h->name, "prefix",
			    prefix_json(prefix, len), "existed", rc == 0, "routes",
			    (json_int_t)prx_router_n_routes(h));
	live(ctx, *result, t0);
	return 0;
}

static int
neigh_add(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", "ip", "mac", "port", NULL};
	uint64_t t0 = prx_evloop_now_ns();
	struct prx_router_port port;
	const char *ip_s, *mac_s;
	struct prx_handler *h;
	unsigned int m[6];
	uint8_t mac[6];
	char msg[256] = "", end;
	uint32_t ip;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || (h = router_arg(req, args, ctx)) == NULL ||
	    prx_ctl_arg_str(req, args, "ip", true, &ip_s) || ip_arg(req, "ip", ip_s, &ip) ||
	    prx_ctl_arg_str(req, args, "mac", true, &mac_s) || port_arg(req, args, ctx, &port))
		return -EINVAL;
	if (strlen(mac_s) != 17 || sscanf(mac_s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2],
					  &m[3], &m[4], &m[5], &end) != 6) {
		prx_ctl_req_error(req, "EINVAL", "mac \"%.40s\": expected 02:00:00:00:00:01",
				  mac_s);
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	rc = prx_router_neigh_add(h, ip, mac, &port, msg, sizeof(msg));
	if (rc != 0) {
		prx_ctl_req_error(req, NULL, "%s", msg);
		return rc;
	}
	*result = json_pack("{s:s, s:o, s:o, s:s}", "handler", h->name, "ip", ip_json(ip), "mac",
			    mac_json(mac), "port", port.name);
	live(ctx, *result, t0);
	return 0;
}

static int
neigh_del(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", "ip", "missing_ok", NULL};
	uint64_t t0 = prx_evloop_now_ns();
	struct prx_handler *h;
	bool missing_ok = false;
	char msg[256] = "";
	const char *ip_s;
	uint32_t ip;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || (h = router_arg(req, args, ctx)) == NULL ||
	    prx_ctl_arg_str(req, args, "ip", true, &ip_s) || ip_arg(req, "ip", ip_s, &ip) ||
	    prx_ctl_arg_bool(req, args, "missing_ok", &missing_ok))
		return -EINVAL;
	rc = prx_router_neigh_del(h, ip, msg, sizeof(msg));
	if (rc != 0 && !(rc == -ENOENT && missing_ok)) {
		prx_ctl_req_error(req, NULL, "%s", msg);
		return rc;
	}
	*result = json_pack("{s:s, s:o, s:b}", "handler", h->name, "ip", ip_json(ip), "existed",
			    rc == 0);
	live(ctx, *result, t0);
	return 0;
}

/* --- listings --- */

struct collect {
	struct prx_router_route *r;
	uint32_t n, cap;
};

static void
collect_route(void *ctx, const struct prx_router_route *r)
{
	struct collect *c = ctx;

	if (c->n < c->cap)
		c->r[c->n++] = *r;
}

static int
cmp_route(const void *a, const void *b)
{
	const struct prx_router_route *x = a, *y = b;
	uint32_t px = ntohl(x->prefix), py = ntohl(y->prefix);

	if (px != py)
		return px < py ? -1 : 1;
	return x->len - y->len;
}

static void
neigh_row(void *ctx, const struct prx_router_neigh *n)
{
	static const uint8_t none[6];

	json_array_append_new(
		ctx, json_pack("{s:o, s:o, s:i, s:s, s:i, s:I}", "ip", ip_json(n->ip), "mac",
			       memcmp(n->mac, none, 6) != 0 ? mac_json(n->mac) : json_null(),
			       "slot", n->slot, "state", n->state, "held", n->held, "routes",
			       (json_int_t)n->refs));
}

static json_t *
neighbors_json(const struct prx_handler *h)
{
	json_t *a = json_array();

	prx_router_neighbors(h, neigh_row, a);
	/* the port's name instead of its slot */
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *row = json_array_get(a, i);
		json_int_t slot = json_integer_value(json_object_get(row, "slot"));

		json_object_set_new(row, "port", port_json(h, (uint16_t)slot));
		json_object_del(row, "slot");
	}
	return a;
}

static json_t *
counters_json(const struct prx_handler *h)
{
	struct prx_router_stats s;

	prx_router_stats_read(h, &s);
#define C(f) #f, (json_int_t)s.f
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 C(forwarded), C(local), C(punt_arp), C(punt_ttl), C(punt_unreach),
			 C(punt_neigh), C(unresolved), C(arp_requests), C(arp_replies),
			 C(arp_learned), C(arp_ignored), C(arp_rate_limited), C(icmp_time_exceeded),
			 C(icmp_net_unreach), C(icmp_host_unreach), C(icmp_rate_limited),
			 C(icmp_suppressed), C(held), C(held_sent), C(held_overflow),
			 C(held_timeout), C(held_dropped), C(neigh_full));
#undef C
}

static int
route_show(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", "limit", NULL};
	static const char *const origins[] = {"config", "live", "connected", "local"};
	struct prx_handler *h;
	struct collect c = {0};
	json_t *lim, *routes;
	uint32_t limit = 1000;

	if (prx_ctl_arg_keys(req, args, keys) || (h = router_arg(req, args, ctx)) == NULL)
		return -EINVAL;
	lim = json_object_get(args, "limit");
	if (lim != NULL) {
		if (!json_is_integer(lim) || json_integer_value(lim) < 0 ||
		    json_integer_value(lim) > 100000000) {
			prx_ctl_req_error(req, "EINVAL",
					  "argument \"limit\": expected an integer "
					  "0..100000000");
			return -EINVAL;
		}
		limit = (uint32_t)json_integer_value(lim);
	}
	/* every route, sorted, the first `limit` shown */
	c.cap = prx_router_n_routes(h);
	c.r = malloc((c.cap ? c.cap : 1) * sizeof(*c.r));
	if (c.r == NULL) {
		prx_ctl_req_error(req, "ENOMEM", "out of memory");
		return -ENOMEM;
	}
	prx_router_routes(h, collect_route, &c);
	qsort(c.r, c.n, sizeof(*c.r), cmp_route);
	routes = json_array();
	for (uint32_t i = 0; i < c.n && i < limit; i++) {
		const struct prx_router_route *r = &c.r[i];

		json_array_append_new(
			routes,
			json_pack("{s:o, s:o, s:o, s:s}", "prefix", prefix_json(r->prefix, r->len),
				  "via", r->via ? ip_json(r->via) : json_null(), "port",
				  r->origin == PRX_ROUTE_LOCAL ? json_null()
							       : port_json(h, r->slot),
				  "origin", prx_name_of(origins, 4, r->origin)));
	}
	*result = json_pack("{s:s, s:I, s:b, s:o, s:o, s:o}", "handler", h->name, "n_routes",
			    (json_int_t)c.n, "truncated", c.n > limit, "routes", routes,
			    "neighbors", neighbors_json(h), "counters", counters_json(h));
	free(c.r);
	return 0;
}

static int
neigh_show(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", NULL};
	struct prx_handler *h;

	if (prx_ctl_arg_keys(req, args, keys) || (h = router_arg(req, args, ctx)) == NULL)
		return -EINVAL;
	*result = neighbors_json(h);
	return 0;
}

const struct prx_ctl_cmd prx_ctl_router_cmds[] = {
	{"route.add", "{handler, prefix, via?, port, exist_ok?}",
	 "add a route to a router, live (exist_ok: success if the prefix is there)", route_add},
	{"route.del", "{handler, prefix, missing_ok?}", "delete a route of a router, live",
	 route_del},
	{"route.show", "{handler, limit?}",
	 "a router's routes (sorted, first `limit`, 1000), neighbours and counters", route_show},
	{"neigh.add", "{handler, ip, mac, port}", "add or replace a static neighbour, live",
	 neigh_add},
	{"neigh.del", "{handler, ip, missing_ok?}", "forget a neighbour, live", neigh_del},
	{"neigh.show", "{handler}", "a router's neighbours: MAC, state, packets held", neigh_show},
};
const unsigned int prx_ctl_router_n_cmds = PRX_ARRAY_SIZE(prx_ctl_router_cmds);
