/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The settings of a router handler (prx_conf_router.h): limits, static routes (in the
 * configuration and in a routes file), static neighbours, ICMP rate.  Every finding is
 * "FILE:LINE: setting.path: reason"; a bad line of the routes file is reported on the
 * `routes_file` setting with the routes file's own name and line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf_internal.h"
#include "prx_conf_router.h"

#define FILE_LINE (1u << 31) /* route.line is a line of routes_file */
#define FILE_MAX_ERRORS 10   /* errors reported per routes file */
#define DEFAULT_MAX_ROUTES 1024

static const char *const router_keys[] = {
	"name", "type",	  "max_routes", "tbl8_groups", "max_neighbors", "icmp_rate", "icmp_burst",
	"hold", "routes", "neighbors",	"routes_file", "offload",	NULL};
static const char *const route_keys[] = {"prefix", "via", "port", NULL};
static const char *const neigh_keys[] = {"ip", "mac", "port", NULL};

/* One parse of a router group. */
struct rparse {
	struct prx__conf_ctx *ctx;
	struct prx_conf_router *r;
	int hidx; /* index of the handler in `handlers` (for paths) */
	uint32_t cap_routes;
	int rc; /* -ENOMEM, else 0 */
};

uint64_t
prx_conf_router_memory(const struct prx_conf_router *r)
{
	/* rte_fib DIR24_8 with 2- or 4-byte next hops: tbl24 (2^24 entries), tbl8 groups
	 * (256 entries each), the RIB's nodes (about 128 B a route with the mempool's
	 * own); next hops, neighbours and their hash; 1 MiB for the rest. */
	uint64_t e = r->tbl8_groups <= PRX_ROUTER_TBL8_2B ? 2 : 4;
	uint64_t fib = (e << 24) + (uint64_t)(r->tbl8_groups + 2 * PRX_MAX_PORTS) * 256 * e +
		       (uint64_t)(r->max_routes + 3 * PRX_MAX_PORTS) * 128;
	uint64_t neigh = (uint64_t)r->max_neighbors * (64 + 128);

	return fib + neigh + (1u << 20);
}

/* Index of port `name` in r->ports, added on first use; -1 when there are too many. */
static int
port_ref(struct rparse *p, const char *name, unsigned int line, const char *where)
{
	struct prx_conf_router *r = p->r;
	struct prx_conf_router_port *e;

	for (unsigned int i = 0; i < r->n_ports; i++)
		if (strcmp(r->ports[i].name, name) == 0)
			return (int)i;
	if (r->n_ports == PRX_MAX_PORTS)
		return -1;
	e = &r->ports[r->n_ports];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->line = line;
	snprintf(e->where, sizeof(e->where), "%s", where);
	return r->n_ports++;
}

/* "10.0.0.0/8" with no host bits: 0, or -EINVAL with why. */
static int
parse_prefix(const char *s, uint32_t *prefix, uint8_t *len, char *why, size_t wlen)
{
	uint32_t mask;

	if (prx__conf_parse_cidr4(s, prefix, len) < 0) {
		snprintf(why, wlen, "\"%.40s\" is not an IPv4 prefix (\"10.0.2.0/24\")", s);
		return -EINVAL;
	}
	mask = *len == 0 ? 0 : htonl(~0u << (32 - *len));
	if ((*prefix & ~mask) != 0) {
		struct in_addr a = {.s_addr = *prefix & mask};
		char buf[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		snprintf(why, wlen, "\"%.40s\" has host bits set (the prefix is %s/%u)", s, buf,
			 *len);
		return -EINVAL;
	}
	return 0;
}

/* A unicast IPv4 address (not 0.0.0.0, not multicast or broadcast). */
static int
parse_host(const char *s, uint32_t *ip)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	h = ntohl(a.s_addr);
	if (h == 0 || h >= 0xe0000000u)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

static struct prx_conf_route *
new_route(struct rparse *p)
{
	struct prx_conf_router *r = p->r;

	if (r->n_routes == p->cap_routes) {
		uint32_t cap = p->cap_routes ? p->cap_routes * 2 : 64;
		struct prx_conf_route *n = realloc(r->routes, cap * sizeof(*n));

		if (n == NULL) {
			p->rc = -ENOMEM;
			return NULL;
		}
		r->routes = n;
		p->cap_routes = cap;
	}
	return &r->routes[r->n_routes++];
}

static void
parse_route(struct rparse *p, const config_setting_t *g, int j)
{
	const config_setting_t *s;
	struct prx_conf_route rt = {0};
	char name[PRX_NAME_MAX], where[96], why[160];
	const char *str;
	int port;

	prx__conf_keys(p->ctx, g, route_keys);
	s = config_setting_get_member(g, "prefix");
	if (s == NULL) {
		prx__conf_error(p->ctx, g, "prefix", "missing required setting");
		return;
	}
	if (prx__conf_string(p->ctx, s, &str) < 0)
		return;
	if (parse_prefix(str, &rt.prefix, &rt.len, why, sizeof(why)) < 0) {
		prx__conf_error(p->ctx, s, NULL, "%s", why);
		return;
	}
	s = config_setting_get_member(g, "via");
	if (s != NULL) {
		if (prx__conf_string(p->ctx, s, &str) < 0)
			return;
		if (parse_host(str, &rt.via) < 0) {
			prx__conf_error(p->ctx, s, NULL,
					"\"%.40s\" is not a unicast IPv4 address (\"10.0.1.254\")",
					str);
			return;
		}
	}
	s = config_setting_get_member(g, "port");
	if (s == NULL) {
		prx__conf_error(p->ctx, g, "port", "missing required setting");
		return;
	}
	if (prx__conf_name(p->ctx, s, name) < 0)
		return;
	snprintf(where, sizeof(where), "handlers.[%d].routes.[%d].port", p->hidx, j);
	port = port_ref(p, name, (unsigned int)config_setting_source_line(s), where);
	if (port < 0) {
		prx__conf_error(p->ctx, s, NULL, "a router uses at most %d ports", PRX_MAX_PORTS);
		return;
	}
	rt.port = (uint8_t)port;
	rt.line = (uint32_t)config_setting_source_line(g);
	if (new_route(p) != NULL)
		p->r->routes[p->r->n_routes - 1] = rt;
}

static void
parse_neighbor(struct rparse *p, const config_setting_t *g, int j)
{
	const config_setting_t *ip = config_setting_get_member(g, "ip");
	const config_setting_t *mac = config_setting_get_member(g, "mac");
	const config_setting_t *port = config_setting_get_member(g, "port");
	struct prx_conf_router *r = p->r;
	struct prx_conf_neigh *n = &r->neigh[r->n_neigh];
	char name[PRX_NAME_MAX], where[96];
	const char *str;
	int idx, bad = 0;

	prx__conf_keys(p->ctx, g, neigh_keys);
	if (ip == NULL || mac == NULL || port == NULL) {
		prx__conf_error(p->ctx, g,
				ip == NULL    ? "ip"
				: mac == NULL ? "mac"
					      : "port",
				"missing required setting");
		return;
	}
	if (prx__conf_string(p->ctx, ip, &str) == 0 && parse_host(str, &n->ip) < 0) {
		prx__conf_error(p->ctx, ip, NULL, "\"%.40s\" is not a unicast IPv4 address", str);
		bad = 1;
	}
	if (prx__conf_string(p->ctx, mac, &str) == 0 && prx__conf_parse_mac(str, n->mac) < 0) {
		prx__conf_error(p->ctx, mac, NULL, "invalid MAC address \"%.64s\"", str);
		bad = 1;
	}
	if (prx__conf_name(p->ctx, port, name) < 0 || bad ||
	    config_setting_type(ip) != CONFIG_TYPE_STRING ||
	    config_setting_type(mac) != CONFIG_TYPE_STRING)
		return;
	for (uint32_t i = 0; i < r->n_neigh; i++)
		if (r->neigh[i].ip == n->ip) {
			prx__conf_error(p->ctx, ip, NULL, "duplicate neighbour %s",
					config_setting_get_string(ip));
			return;
		}
	snprintf(where, sizeof(where), "handlers.[%d].neighbors.[%d].port", p->hidx, j);
	idx = port_ref(p, name, (unsigned int)config_setting_source_line(port), where);
	if (idx < 0) {
		prx__conf_error(p->ctx, port, NULL, "a router uses at most %d ports",
				PRX_MAX_PORTS);
		return;
	}
	n->port = (uint8_t)idx;
	r->n_neigh++;
}

/* The folder of the file that holds expanded line `line`, for a relative path. */
static void
resolve_path(struct rparse *p, unsigned int line, const char *path, char *out, size_t len)
{
	const char *file, *slash;
	unsigned int fline;

	prx__conf_src_where(p->ctx->src, line, &file, &fline);
	slash = strrchr(file, '/');
	if (path[0] == '/' || slash == NULL || file[0] == '<')
		snprintf(out, len, "%s", path);
	else
		snprintf(out, len, "%.*s/%s", (int)(slash - file), file, path);
}

/* One line of the routes file: 0, 1 (blank or comment), or -EINVAL with why. */
static int
file_route(struct rparse *p, char *text, struct prx_conf_route *rt, char *name, char *why,
	   size_t wlen)
{
	char *tok[6], *save = NULL, *hash = strchr(text, '#');
	int n = 0;

	if (hash != NULL)
		*hash = '\0';
	for (char *t = strtok_r(text, " \t\r\n", &save); t != NULL && n < 6;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	if (n == 0)
		return 1;
	(void)p;
	if (!((n == 3 && strcmp(tok[1], "port") == 0) ||
	      (n == 5 && strcmp(tok[1], "via") == 0 && strcmp(tok[3], "port") == 0))) {
		snprintf(why, wlen, "expected \"PREFIX [via GATEWAY] port NAME\"");
		return -EINVAL;
	}
	if (parse_prefix(tok[0], &rt->prefix, &rt->len, why, wlen) < 0)
		return -EINVAL;
	rt->via = 0;
	if (n == 5 && parse_host(tok[2], &rt->via) < 0) {
		snprintf(why, wlen, "gateway \"%.40s\" is not a unicast IPv4 address", tok[2]);
		return -EINVAL;
	}
	if (strlen(tok[n - 1]) >= PRX_NAME_MAX) {
		snprintf(why, wlen, "port name longer than %d characters", PRX_NAME_MAX - 1);
		return -EINVAL;
	}
	snprintf(name, PRX_NAME_MAX, "%s", tok[n - 1]);
	return 0;
}

static void
parse_routes_file(struct rparse *p, const config_setting_t *s)
{
	char path[1024], line[512], why[160], name[PRX_NAME_MAX], where[128];
	unsigned int lineno = 0, errs = 0;
	const char *str;
	FILE *f;

	if (prx__conf_string(p->ctx, s, &str) < 0)
		return;
	p->r->routes_file = strdup(str);
	if (p->r->routes_file == NULL) {
		p->rc = -ENOMEM;
		return;
	}
	resolve_path(p, (unsigned int)config_setting_source_line(s), str, path, sizeof(path));
	f = fopen(path, "r");
	if (f == NULL) {
		prx__conf_error(p->ctx, s, NULL, "cannot read %.200s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL && p->rc == 0) {
		struct prx_conf_route rt = {0};
		size_t len = strlen(line);
		int rc, port;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			snprintf(why, sizeof(why), "line longer than %zu characters",
				 sizeof(line) - 2);
			rc = -EINVAL;
		} else {
			rc = file_route(p, line, &rt, name, why, sizeof(why));
		}
		if (rc == 1)
			continue;
		if (rc == 0) {
			snprintf(where, sizeof(where), "handlers.[%d].routes_file: %.80s:%u",
				 p->hidx, str, lineno);
			port = port_ref(p, name, (unsigned int)config_setting_source_line(s),
					where);
			if (port < 0) {
				snprintf(why, sizeof(why), "a router uses at most %d ports",
					 PRX_MAX_PORTS);
				rc = -EINVAL;
			}
			rt.port = (uint8_t)port;
		}
		if (rc < 0) {
			if (errs++ < FILE_MAX_ERRORS)
				prx__conf_error(p->ctx, s, NULL, "%.200s:%u: %s", path, lineno,
						why);
			continue;
		}
		rt.line = lineno | FILE_LINE;
		if (new_route(p) != NULL)
			p->r->routes[p->r->n_routes - 1] = rt;
	}
	if (ferror(f))
		prx__conf_error(p->ctx, s, NULL, "reading %.200s: %s", path, strerror(errno));
	if (errs > FILE_MAX_ERRORS)
		prx__conf_error(p->ctx, s, NULL, "%.200s: %u more errors not shown", path,
				errs - FILE_MAX_ERRORS);
	fclose(f);
}

struct key_idx {
	uint64_t key;
	uint32_t idx;
};

static int
cmp_key(const void *a, const void *b)
{
	const struct key_idx *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Each prefix once; the second of two is reported where it was written. */
static void
check_duplicates(struct rparse *p, const config_setting_t *file)
{
	struct prx_conf_router *r = p->r;
	struct key_idx *k;

	if (r->n_routes < 2)
		return;
	k = malloc(r->n_routes * sizeof(*k));
	if (k == NULL) {
		p->rc = -ENOMEM;
		return;
	}
	for (uint32_t i = 0; i < r->n_routes; i++)
		k[i] = (struct key_idx){
			(uint64_t)ntohl(r->routes[i].prefix) << 8 | r->routes[i].len, i};
	qsort(k, r->n_routes, sizeof(*k), cmp_key);
	for (uint32_t i = 1; i < r->n_routes; i++) {
		const struct prx_conf_route *rt = &r->routes[k[i].idx];
		struct in_addr a = {.s_addr = rt->prefix};
		char buf[INET_ADDRSTRLEN];

		if (k[i].key != k[i - 1].key)
			continue;
		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		if (rt->line & FILE_LINE)
			prx__conf_error(p->ctx, file, NULL, "%.200s:%u: duplicate route %s/%u",
					r->routes_file, rt->line & ~FILE_LINE, buf, rt->len);
		else
			prx__conf_error_line(p->ctx, rt->line,
					     "handlers.[%d].routes: duplicate route %s/%u", p->hidx,
					     buf, rt->len);
	}
	free(k);
}

/* An optional integer member: 1 and *v, 0 when absent, -EINVAL. */
static int
opt(struct rparse *p, const config_setting_t *g, const char *name, long long min, long long max,
    uint32_t *v)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long x;

	if (s == NULL)
		return 0;
	if (prx__conf_int(p->ctx, s, min, max, false, &x) < 0)
		return -EINVAL;
	*v = (uint32_t)x;
	return 1;
}

int
prx__conf_router_parse(struct prx__conf_ctx *ctx, const config_setting_t *g,
		       struct prx_conf_handler *h)
{
	struct prx_conf_router *r = calloc(1, sizeof(*r));
	struct rparse p = {.ctx = ctx, .r = r, .hidx = config_setting_index(g)};
	const config_setting_t *s, *file;
	uint32_t hold = 4;

	h->u.router = r;
	if (r == NULL || (r->ports = calloc(PRX_MAX_PORTS, sizeof(*r->ports))) == NULL)
		return -ENOMEM;
	prx__conf_keys(ctx, g, router_keys);
	r->max_routes = DEFAULT_MAX_ROUTES;
	r->max_neighbors = 1024;
	r->icmp_rate = 100;
	r->icmp_burst = 10;
	opt(&p, g, "max_routes", 1, PRX_ROUTER_MAX_ROUTES, &r->max_routes);
	r->tbl8_groups = 256 + r->max_routes / 64;
	opt(&p, g, "tbl8_groups", 1, PRX_ROUTER_MAX_TBL8, &r->tbl8_groups);
	opt(&p, g, "max_neighbors", 1, PRX_ROUTER_MAX_NEIGH, &r->max_neighbors);
	opt(&p, g, "icmp_rate", 0, 1000000, &r->icmp_rate);
	opt(&p, g, "icmp_burst", 1, 1000000, &r->icmp_burst);
	opt(&p, g, "hold", 0, PRX_ROUTER_MAX_HOLD, &hold);
	r->hold = (uint16_t)hold;
	s = config_setting_get_member(g, "routes");
	if (s != NULL && prx__conf_group_list(ctx, s, 0, PRX_ROUTER_MAX_ROUTES) == 0)
		for (int j = 0; j < config_setting_length(s) && p.rc == 0; j++)
			parse_route(&p, config_setting_get_elem(s, (unsigned int)j), j);
	s = config_setting_get_member(g, "neighbors");
	if (s != NULL && prx__conf_group_list(ctx, s, 0, PRX_ROUTER_MAX_NEIGH) == 0) {
		r->neigh = calloc((size_t)config_setting_length(s) + 1, sizeof(*r->neigh));
		if (r->neigh == NULL)
			return -ENOMEM;
		for (int j = 0; j < config_setting_length(s); j++)
			parse_neighbor(&p, config_setting_get_elem(s, (unsigned int)j), j);
		if (r->n_neigh > r->max_neighbors)
			prx__conf_error(ctx, s, NULL, "%u neighbours, more than max_neighbors (%u)",
					r->n_neigh, r->max_neighbors);
	}
	file = config_setting_get_member(g, "routes_file");
	if (file != NULL && p.rc == 0)
		parse_routes_file(&p, file);
	if (p.rc == 0)
		check_duplicates(&p, file);
	if (r->n_routes > r->max_routes)
		prx__conf_error(ctx, g, "max_routes", "%u routes given, more than max_routes (%u)",
				r->n_routes, r->max_routes);
	return p.rc;
}

void
prx__conf_router_check(struct prx__conf_ctx *ctx, const struct prx_conf *c,
		       const struct prx_conf_router *r)
{
	for (unsigned int i = 0; r != NULL && i < r->n_ports; i++)
		if (prx_conf_port_index(c, r->ports[i].name) < 0)
			prx__conf_error_line(ctx, r->ports[i].line, "%s: unknown port \"%s\"",
					     r->ports[i].where, r->ports[i].name);
}

void
prx__conf_router_free(struct prx_conf_router *r)
{
	if (r == NULL)
		return;
	free(r->routes);
	free(r->neigh);
	free(r->ports);
	free(r->routes_file);
	free(r);
}

int
prx__conf_router_dup(struct prx_conf_router **dst, const struct prx_conf_router *src)
{
	struct prx_conf_router *r;

	*dst = NULL;
	if (src == NULL)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	*r = *src;
	r->routes = NULL;
	r->neigh = NULL;
	r->routes_file = NULL;
	r->ports = calloc(PRX_MAX_PORTS, sizeof(*r->ports));
	if (src->n_routes > 0)
		r->routes = malloc(src->n_routes * sizeof(*r->routes));
	if (src->n_neigh > 0)
		r->neigh = malloc(src->n_neigh * sizeof(*r->neigh));
	if (src->routes_file != NULL)
		r->routes_file = strdup(src->routes_file);
	if (r->ports == NULL || (src->n_routes > 0 && r->routes == NULL) ||
	    (src->n_neigh > 0 && r->neigh == NULL) ||
	    (src->routes_file != NULL && r->routes_file == NULL)) {
		prx__conf_router_free(r);
		return -ENOMEM;
	}
	memcpy(r->ports, src->ports, PRX_MAX_PORTS * sizeof(*r->ports));
	if (src->n_routes > 0)
		memcpy(r->routes, src->routes, src->n_routes * sizeof(*r->routes));
	if (src->n_neigh > 0)
		memcpy(r->neigh, src->neigh, src->n_neigh * sizeof(*r->neigh));
	*dst = r;
	return 0;
}

bool
prx__conf_router_equal(const struct prx_conf_router *a, const struct prx_conf_router *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->max_routes != b->max_routes || a->tbl8_groups != b->tbl8_groups ||
	    a->max_neighbors != b->max_neighbors || a->icmp_rate != b->icmp_rate ||
	    a->icmp_burst != b->icmp_burst || a->hold != b->hold || a->n_routes != b->n_routes ||
	    a->n_neigh != b->n_neigh)
		return false;
	/* field by field, port by name: lines and the order ports were named may differ */
	for (uint32_t i = 0; i < a->n_routes; i++) {
		const struct prx_conf_route *x = &a->routes[i], *y = &b->routes[i];

		if (x->prefix != y->prefix || x->len != y->len || x->via != y->via ||
		    strcmp(a->ports[x->port].name, b->ports[y->port].name) != 0)
			return false;
	}
	for (uint32_t i = 0; i < a->n_neigh; i++) {
		const struct prx_conf_neigh *x = &a->neigh[i], *y = &b->neigh[i];

		if (x->ip != y->ip || memcmp(x->mac, y->mac, 6) != 0 ||
		    strcmp(a->ports[x->port].name, b->ports[y->port].name) != 0)
			return false;
	}
	return true;
}
