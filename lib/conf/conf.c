/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading and the schema.  Every setting is read once, here, into struct prx_conf;
 * config/README.md documents each one and must change with this file.
 *
 * Validation never stops at the first problem: each finding is recorded (conf_check.c)
 * and the load fails at the end, with the errors sorted into file order.
 */
#include "prx_conf.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <rte_config.h>

#include "conf_internal.h"

static const char *const mode_names[] = {PRX_MODES(PRX__XNAME)};
static const char *const mac_mode_names[] = {PRX_MAC_MODES(PRX__XNAME)};
static const char *const handler_type_names[] = {PRX_HANDLER_TYPES(PRX__XNAME)};

const char *
prx_mode_name(enum prx_mode m)
{
	return prx_name_of(mode_names, PRX_MODE_MAX, m);
}

const char *
prx_mac_mode_name(enum prx_mac_mode m)
{
	return prx_name_of(mac_mode_names, PRX_MAC_MODE_MAX, m);
}

const char *
prx_handler_type_name(enum prx_handler_type t)
{
	return prx_name_of(handler_type_names, PRX_HANDLER_TYPE_MAX, t);
}

/* Ranges the README documents.  Sockets follow the DPDK build's limits. */
#define SOCKET_MAX (RTE_MAX_NUMA_NODES - 1)
#define STATS_INTERVAL_MAX 86400
#define MBUFS_MIN 1024
#define MBUFS_MAX 16777216
#define CACHE_MAX 512 /* RTE_MEMPOOL_CACHE_MAX_SIZE */
#define DATA_ROOM_MIN 1024
#define DATA_ROOM_MAX 65535
#define DESC_MIN 64
#define DESC_MAX 16384
#define WORK_CYCLES_MAX 100000000

static const char *const root_keys[] = {
	"mode",	   "instance", "eal",	"memory_mb", "stats_interval", "control_core", "reactors",
	"mempool", "handlers", "ports", "control",   "core_mapping",   "workers",      NULL};
static const char *const afpacket_keys[] = {"ring_frames", "frame_size",    "qdisc_bypass", "ring",
					    "retire_ms",   "fanout_defrag", "gso",	    NULL};
static const char *const ring_names[] = {"v2", "v3", NULL};
static const char *const mempool_keys[] = {"mbufs", "cache", "data_room", NULL};
static const char *const port_keys[] = {"name",	       "rx_queues", "rx_desc", "tx_desc",
					"promiscuous", "socket",    "chain",   "dpdk",
					"kernel",      "afpacket",  "address", NULL};
static const char *const handler_keys[PRX_HANDLER_TYPE_MAX][10] = {
	[PRX_HANDLER_XCONNECT] = {"name", "type", "to", "mac", "src_mac", "dst_mac", "offload",
				  "work_cycles", NULL},
};

/* One validation pass. */
struct parse {
	struct prx__conf_ctx *ctx;
	struct prx_conf *conf;
	int rc;		      /* -ENOMEM, else 0 */
	bool control_core_ok; /* control_core is valid: compare cores with it */
	bool ports_ok;	      /* every port name is valid: "unknown port" means it */
	bool handlers_ok;     /* the same for handler names */
	const config_setting_t *to[PRX_MAX_HANDLERS]; /* each handler's `to`, resolved last */
	const config_setting_t *chain[PRX_MAX_PORTS]; /* each port's `chain` */
	char dpdk_buf[512]; /* a `dpdk` with ${NAME[i]} resolved (conf_deploy.c) */
};

static const config_setting_t *
member(const config_setting_t *g, const char *name)
{
	return config_setting_get_member(g, name);
}

/* Optional member `name` of g: 1 and *v when set and valid, 0 when absent, -EINVAL. */
static int
opt_int(struct parse *p, const config_setting_t *g, const char *name, long long min, long long max,
	long long *v)
{
	const config_setting_t *s = member(g, name);

	if (s == NULL)
		return 0;
	return prx__conf_int(p->ctx, s, min, max, false, v) < 0 ? -EINVAL : 1;
}

static int
opt_enum(struct parse *p, const config_setting_t *g, const char *name, const char *const *names,
	 unsigned int n, unsigned int *v)
{
	const config_setting_t *s = member(g, name);

	if (s == NULL)
		return 0;
	return prx__conf_enum(p->ctx, s, names, n, v) < 0 ? -EINVAL : 1;
}

static unsigned int
file_line(struct parse *p, const config_setting_t *s)
{
	unsigned int line;
	const char *file;

	prx__conf_src_where(p->ctx->src, config_setting_source_line(s), &file, &line);
	return line;
}

static char *
dup_or_fail(struct parse *p, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		p->rc = -ENOMEM;
	return d;
}

static void
parse_eal(struct parse *p, const config_setting_t *s)
{
	struct prx_conf *c = p->conf;
	unsigned int n = (unsigned int)config_setting_length(s);

	if (prx__conf_scalar_list(p->ctx, s, CONFIG_TYPE_STRING, 0, INT_MAX) < 0 || n == 0)
		return;
	c->eal = calloc(n, sizeof(c->eal[0]));
	if (c->eal == NULL) {
		p->rc = -ENOMEM;
		return;
	}
	for (unsigned int i = 0; i < n && p->rc == 0; i++) {
		c->eal[i] = dup_or_fail(p, config_setting_get_string_elem(s, (int)i));
		c->n_eal += c->eal[i] != NULL;
	}
}

static void
parse_mempool(struct parse *p, const config_setting_t *g)
{
	struct prx_conf *c = p->conf;
	const config_setting_t *s;
	long long v;

	if (prx__conf_group(p->ctx, g) < 0)
		return;
	prx__conf_keys(p->ctx, g, mempool_keys);
	s = member(g, "mbufs");
	if (s != NULL && prx__conf_int(p->ctx, s, MBUFS_MIN, MBUFS_MAX, true, &v) == 0)
		c->mempool.mbufs = (uint32_t)v;
	if (opt_int(p, g, "cache", 0, CACHE_MAX, &v) > 0)
		c->mempool.cache = (uint32_t)v;
	if (opt_int(p, g, "data_room", DATA_ROOM_MIN, DATA_ROOM_MAX, &v) > 0)
		c->mempool.data_room = (uint32_t)v;
}

/* `src_mac` or `dst_mac`: 1 when set and valid, 0 when absent, -EINVAL. */
static int
parse_mac(struct parse *p, const config_setting_t *g, const char *name, bool allowed,
	  uint8_t mac[6])
{
	const config_setting_t *s = member(g, name);
	const char *str;

	if (s == NULL)
		return 0;
	if (prx__conf_string(p->ctx, s, &str) < 0)
		return -EINVAL;
	if (prx__conf_parse_mac(str, mac) < 0) {
		prx__conf_error(p->ctx, s, NULL, "invalid MAC address \"%.64s\"", str);
		return -EINVAL;
	}
	if (!allowed) {
		prx__conf_error(p->ctx, s, NULL, "only allowed with mac = \"rewrite\"");
		return -EINVAL;
	}
	return 1;
}

static void
parse_xconnect(struct parse *p, const config_setting_t *g, struct prx_conf_handler *h)
{
	const config_setting_t *to = member(g, "to");
	unsigned int mac;
	const char *str;
	long long v;
	int rc;
	bool rewrite;

	if (to == NULL)
		prx__conf_error(p->ctx, g, "to", "missing required setting");
	else if (prx__conf_string(p->ctx, to, &str) == 0)
		p->to[p->conf->n_handlers] = to;
	h->u.xconnect.mac = PRX_MAC_KEEP;
	rc = opt_enum(p, g, "mac", mac_mode_names, PRX_MAC_MODE_MAX, &mac);
	if (rc > 0)
		h->u.xconnect.mac = (enum prx_mac_mode)mac;
	/* With a bad `mac` the addresses are not judged against it. */
	rewrite = rc < 0 || h->u.xconnect.mac == PRX_MAC_REWRITE;
	h->u.xconnect.set_src = parse_mac(p, g, "src_mac", rewrite, h->u.xconnect.src) > 0;
	h->u.xconnect.set_dst = parse_mac(p, g, "dst_mac", rewrite, h->u.xconnect.dst) > 0;
	if (opt_int(p, g, "work_cycles", 0, WORK_CYCLES_MAX, &v) > 0)
		h->u.xconnect.work_cycles = (uint32_t)v;
	if (rc > 0 && h->u.xconnect.mac == PRX_MAC_REWRITE && member(g, "src_mac") == NULL &&
	    member(g, "dst_mac") == NULL)
		prx__conf_error(p->ctx, member(g, "mac"), NULL,
				"mac = \"rewrite\" needs src_mac or dst_mac");
}

static void
parse_handler(struct parse *p, const config_setting_t *g)
{
	struct prx_conf *c = p->conf;
	struct prx_conf_handler *h = &c->handlers[c->n_handlers];
	const config_setting_t *name = member(g, "name"), *type = member(g, "type");
	unsigned int t;

	h->line = (int)file_line(p, g);
	if (name == NULL) {
		prx__conf_error(p->ctx, g, "name", "missing required setting");
		p->handlers_ok = false;
	} else if (prx__conf_name(p->ctx, name, h->name) < 0) {
		p->handlers_ok = false;
	} else {
		for (unsigned int i = 0; i < c->n_handlers; i++) {
			if (strcmp(c->handlers[i].name, h->name) == 0) {
				prx__conf_error(p->ctx, name, NULL, "duplicate handler name \"%s\"",
						h->name);
				break;
			}
		}
	}
	if (type == NULL) {
		prx__conf_error(p->ctx, g, "type", "missing required setting");
	} else if (prx__conf_enum(p->ctx, type, handler_type_names, PRX_HANDLER_TYPE_MAX, &t) ==
		   0) {
		/* The other settings depend on the type: judged only when it is known. */
		h->type = (enum prx_handler_type)t;
		if (member(g, "offload") != NULL) {
			if (prx__conf_bool(p->ctx, member(g, "offload"), &h->offload) == 0 &&
			    h->offload && c->workers.n_cores == 0)
				prx__conf_error(p->ctx, member(g, "offload"), NULL,
						"needs a worker pool: set workers.cores");
		}
		if (h->type == PRX_HANDLER_XCONNECT) {
			prx__conf_keys(p->ctx, g, handler_keys[t]);
			parse_xconnect(p, g, h);
		} else if (prx__conf_handler_parse(p->ctx, g, c, h) < 0) {
			p->rc = -ENOMEM;
		}
	}
	c->n_handlers++;
}

/* The device name of devargs: up to the first ','. */
static size_t
dev_len(const char *devargs)
{
	return strcspn(devargs, ",");
}

/* `dpdk`: the devargs, or NULL when absent or invalid. */
static const char *
port_dpdk(struct parse *p, const config_setting_t *g, struct prx_conf_port *port)
{
	const config_setting_t *s = member(g, "dpdk");
	const char *str, *o;
	size_t n;

	if (s == NULL || prx__conf_string(p->ctx, s, &str) < 0)
		return NULL;
	str = prx__conf_dpdk_env(p->ctx, g, s, str, p->conf->mode, port, p->dpdk_buf,
				 sizeof(p->dpdk_buf));
	if (str == NULL)
		return NULL;
	n = dev_len(str);
	if (n == 0) {
		prx__conf_error(p->ctx, s, NULL, "empty device name");
		return NULL;
	}
	for (unsigned int i = 0; i < p->conf->n_ports; i++) {
		o = p->conf->ports[i].dpdk;
		if (o != NULL && dev_len(o) == n && memcmp(o, str, n) == 0) {
			prx__conf_error(p->ctx, s, NULL, "duplicate dpdk device \"%.*s\"", (int)n,
					str);
			return NULL;
		}
	}
	return str;
}

/* `kernel`: the interface name, or NULL when absent or invalid. */
static const char *
port_kernel(struct parse *p, const config_setting_t *g)
{
	const config_setting_t *s = member(g, "kernel");
	const char *str, *o;

	if (s == NULL || prx__conf_string(p->ctx, s, &str) < 0)
		return NULL;
	if (str[0] == '\0') {
		prx__conf_error(p->ctx, s, NULL, "empty interface name");
		return NULL;
	}
	if (strlen(str) >= IFNAMSIZ) {
		prx__conf_error(p->ctx, s, NULL, "interface name is longer than %d characters",
				IFNAMSIZ - 1);
		return NULL;
	}
	for (unsigned int i = 0; i < p->conf->n_ports; i++) {
		o = p->conf->ports[i].kernel;
		if (o != NULL && strcmp(o, str) == 0) {
			prx__conf_error(p->ctx, s, NULL, "duplicate kernel interface \"%s\"", str);
			return NULL;
		}
	}
	return str;
}

static void
parse_port_devices(struct parse *p, const config_setting_t *g, struct prx_conf_port *port)
{
	const char *dpdk = port_dpdk(p, g, port), *kernel = port_kernel(p, g);
	enum prx_mode mode = p->conf->mode;

	if (dpdk != NULL) {
		port->dpdk = dup_or_fail(p, dpdk);
		port->is_pci = prx__conf_is_pci(dpdk);
	}
	if (kernel != NULL)
		port->kernel = dup_or_fail(p, kernel);
	if (mode == PRX_MODE_DPDK && member(g, "dpdk") == NULL)
		prx__conf_error(p->ctx, g, "dpdk", "missing required setting (mode is \"dpdk\")");
	else if (mode == PRX_MODE_FALLBACK && member(g, "kernel") == NULL)
		prx__conf_error(p->ctx, g, "kernel",
				"missing required setting (mode is \"fallback\")");
	else if (member(g, "dpdk") == NULL && member(g, "kernel") == NULL)
		prx__conf_error(p->ctx, g, NULL, "needs dpdk or kernel");
}

static void
parse_desc(struct parse *p, const config_setting_t *g, const char *name, uint16_t *out)
{
	long long v;

	if (opt_int(p, g, name, DESC_MIN, DESC_MAX, &v) <= 0)
		return;
	if ((v & (v - 1)) != 0)
		prx__conf_error(p->ctx, member(g, name), NULL, "%lld is not a power of two", v);
	else
		*out = (uint16_t)v;
}

/* `afpacket = { ring_frames; frame_size; qdisc_bypass; }` */
static void
parse_afpacket(struct parse *p, const config_setting_t *g, struct prx_conf_port *port)
{
	const config_setting_t *s;
	unsigned int e;
	long long v;

	if (prx__conf_group(p->ctx, g) < 0)
		return;
	prx__conf_keys(p->ctx, g, afpacket_keys);
	if (opt_int(p, g, "ring_frames", 64, 1048576, &v) > 0) {
		if ((v & (v - 1)) != 0)
			prx__conf_error(p->ctx, member(g, "ring_frames"), NULL,
					"%lld is not a power of two", v);
		else
			port->afpacket.ring_frames = (uint32_t)v;
	}
	if (opt_int(p, g, "frame_size", 1024, 65536, &v) > 0) {
		if (v % 16 != 0)
			prx__conf_error(p->ctx, member(g, "frame_size"), NULL,
					"%lld is not a multiple of 16", v);
		else
			port->afpacket.frame_size = (uint32_t)v;
	}
	s = member(g, "qdisc_bypass");
	if (s != NULL)
		prx__conf_bool(p->ctx, s, &port->afpacket.qdisc_bypass);
	if (opt_enum(p, g, "ring", ring_names, 2, &e) > 0)
		port->afpacket.ring = (uint8_t)(2 + e);
	if (opt_int(p, g, "retire_ms", 1, 1000, &v) > 0)
		port->afpacket.retire_ms = (uint32_t)v;
	s = member(g, "fanout_defrag");
	if (s != NULL)
		prx__conf_bool(p->ctx, s, &port->afpacket.fanout_defrag);
	s = member(g, "gso");
	if (s != NULL && prx__conf_bool(p->ctx, s, &port->afpacket.gso) == 0 &&
	    port->afpacket.gso) {
		if (port->afpacket.ring == 3)
			prx__conf_error(p->ctx, s, NULL,
					"needs ring \"v2\" (the kernel hands "
					"super-frames to TPACKET_V2 rings only)");
		if (port->afpacket.frame_size != 0)
			prx__conf_error(p->ctx, member(g, "frame_size"), NULL,
					"cannot be set with gso (ring frames hold 64 KiB "
					"super-frames)");
	}
}

static void
parse_port(struct parse *p, const config_setting_t *g)
{
	struct prx_conf *c = p->conf;
	struct prx_conf_port *port = &c->ports[c->n_ports];
	const config_setting_t *name = member(g, "name"), *s;
	long long v;

	prx_conf_port_init(port);
	port->line = (int)file_line(p, g);
	prx__conf_keys(p->ctx, g, port_keys);
	if (name == NULL) {
		prx__conf_error(p->ctx, g, "name", "missing required setting");
		p->ports_ok = false;
	} else if (prx__conf_name(p->ctx, name, port->name) < 0) {
		p->ports_ok = false;
	} else if (prx_conf_port_index(c, port->name) >= 0) {
		prx__conf_error(p->ctx, name, NULL, "duplicate port name \"%s\"", port->name);
	}
	parse_port_devices(p, g, port);
	if (opt_int(p, g, "rx_queues", 1, PRX_MAX_RXQ, &v) > 0)
		port->rx_queues = (uint16_t)v;
	parse_desc(p, g, "rx_desc", &port->rx_desc);
	parse_desc(p, g, "tx_desc", &port->tx_desc);
	s = member(g, "promiscuous");
	if (s != NULL)
		prx__conf_bool(p->ctx, s, &port->promiscuous);
	if (opt_int(p, g, "socket", -1, SOCKET_MAX, &v) > 0)
		port->socket = (int)v;
	s = member(g, "afpacket");
	if (s != NULL)
		parse_afpacket(p, s, port);
	/* a super-frame received on one port can only leave whole through another that
	 * passes them: all or none (docs/afpacket.md, "gso") */
	if (c->n_ports > 0 && port->afpacket.gso != c->ports[0].afpacket.gso)
		prx__conf_error(p->ctx, s != NULL ? s : g, s != NULL ? "gso" : "afpacket",
				"afpacket.gso must be the same on every port (port %s has %s)",
				c->ports[0].name, c->ports[0].afpacket.gso ? "true" : "false");
	s = member(g, "address");
	if (s != NULL)
		prx__conf_port_address(p->ctx, s, port);
	s = member(g, "chain");
	if (s != NULL &&
	    prx__conf_scalar_list(p->ctx, s, CONFIG_TYPE_STRING, 0, PRX_CHAIN_MAX) == 0)
		p->chain[c->n_ports] = s;
	c->n_ports++;
}

/* Parse each group of list `name` (ports or handlers) with `fn`; false if the list is bad. */
static bool
parse_list(struct parse *p, const config_setting_t *list, unsigned int min, unsigned int max,
	   void (*fn)(struct parse *, const config_setting_t *))
{
	const config_setting_t *g;
	bool ok = prx__conf_group_list(p->ctx, list, min, max) == 0;

	if (!config_setting_is_list(list))
		return false;
	for (int i = 0; i < config_setting_length(list) && (unsigned int)i < max; i++) {
		g = config_setting_get_elem(list, (unsigned int)i);
		if (config_setting_is_group(g))
			fn(p, g);
	}
	return ok;
}

static int
handler_index(const struct prx_conf *c, const char *name)
{
	for (unsigned int i = 0; i < c->n_handlers; i++)
		if (strcmp(c->handlers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Names used before they may be defined: handlers' `to` and ports' `chain`. */
static void
resolve(struct parse *p)
{
	struct prx_conf *c = p->conf;
	const config_setting_t *e;
	const char *name;
	int idx;

	for (unsigned int i = 0; i < c->n_handlers; i++) {
		if (p->to[i] == NULL)
			continue;
		name = config_setting_get_string(p->to[i]);
		idx = prx_conf_port_index(c, name);
		if (idx >= 0)
			c->handlers[i].u.xconnect.to = (uint16_t)idx;
		else if (p->ports_ok)
			prx__conf_error(p->ctx, p->to[i], NULL, "unknown port \"%.64s\"", name);
	}
	for (unsigned int i = 0; i < c->n_ports; i++) {
		for (int j = 0; p->chain[i] != NULL && j < config_setting_length(p->chain[i]);
		     j++) {
			e = config_setting_get_elem(p->chain[i], (unsigned int)j);
			name = config_setting_get_string(e);
			idx = handler_index(c, name);
			if (idx >= 0)
				c->ports[i].chain[c->ports[i].n_chain++] = (uint16_t)idx;
			else if (p->handlers_ok)
				prx__conf_error(p->ctx, e, NULL, "unknown handler \"%.64s\"", name);
		}
	}
	/* port names in the tables of routers and ACLs, now that every port is known */
	for (unsigned int i = 0; p->ports_ok && i < c->n_handlers; i++)
		prx__conf_handler_check(p->ctx, c, &c->handlers[i]);
}

/* Where each top-level setting sits, for messages after the load (reload). */
static void
record_lines(struct parse *p, const config_setting_t *root)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
#define LINE(k) {#k, offsetof(struct prx_conf, line.k)}
		LINE(mode),	    LINE(instance), LINE(eal),	   LINE(memory_mb),
		LINE(control_core), LINE(reactors), LINE(mempool), LINE(control),
		LINE(core_mapping), LINE(workers),
#undef LINE
	};

	for (size_t i = 0; i < PRX_ARRAY_SIZE(keys); i++) {
		const config_setting_t *s = member(root, keys[i].name);

		if (s != NULL)
			*(int *)(void *)((char *)p->conf + keys[i].off) = (int)file_line(p, s);
	}
}

static void
parse_root(struct parse *p, const config_setting_t *root)
{
	struct prx_conf *c = p->conf;
	const config_setting_t *s;
	unsigned int e;
	long long v;

	prx__conf_keys(p->ctx, root, root_keys);
	record_lines(p, root);
	if (opt_enum(p, root, "mode", mode_names, PRX_MODE_MAX, &e) > 0)
		c->mode = (enum prx_mode)e;
	s = member(root, "instance");
	if (s != NULL)
		prx__conf_name(p->ctx, s, c->instance);
	s = member(root, "eal");
	if (s != NULL)
		parse_eal(p, s);
	if (opt_int(p, root, "memory_mb", 0, UINT32_MAX, &v) > 0)
		c->memory_mb = (unsigned int)v;
	if (opt_int(p, root, "stats_interval", 0, STATS_INTERVAL_MAX, &v) > 0)
		c->stats_interval = (unsigned int)v;
	p->control_core_ok = opt_int(p, root, "control_core", 0, PRX__CONF_CORE_MAX, &v) >= 0;
	if (p->control_core_ok && member(root, "control_core") != NULL)
		c->control_core = (unsigned int)v;
	prx__conf_parse_core_mapping(p->ctx, root, c);
	s = member(root, "reactors");
	if (s == NULL)
		prx__conf_error(p->ctx, root, "reactors", "missing required setting");
	else
		prx__conf_parse_reactors(p->ctx, s, c, p->control_core_ok);
	s = member(root, "workers");
	if (s != NULL)
		prx__conf_parse_workers(p->ctx, s, c, p->control_core_ok);
	s = member(root, "mempool");
	if (s != NULL)
		parse_mempool(p, s);
	s = member(root, "handlers");
	if (s != NULL && !parse_list(p, s, 0, PRX_MAX_HANDLERS, parse_handler))
		p->handlers_ok = false;
	s = member(root, "ports");
	if (s == NULL) {
		prx__conf_error(p->ctx, root, "ports", "missing required setting");
		p->ports_ok = false;
	} else if (!parse_list(p, s, 1, PRX_MAX_PORTS, parse_port)) {
		p->ports_ok = false;
	}
	s = member(root, "control");
	if (s != NULL && prx__conf_parse_control(p->ctx, s, c) < 0)
		p->rc = -ENOMEM;
	resolve(p);
}

static void
set_defaults(struct prx_conf *c)
{
	c->mode = PRX_MODE_AUTO;
	snprintf(c->instance, sizeof(c->instance), "prx");
	prx__conf_reactors_defaults(c);
	c->mempool.cache = 256;
	c->mempool.data_room = 2176;
	c->control.socket_mode = 0660;
	c->control.keep_net_caps = true;
}

void
prx_conf_port_init(struct prx_conf_port *port)
{
	memset(port, 0, sizeof(*port));
	port->rx_queues = 1;
	port->rx_desc = 1024;
	port->tx_desc = 1024;
	port->promiscuous = true;
	port->socket = -1;
}

static int
validate(struct prx__conf_src *src, struct prx_conf **out, struct prx_conf_errors *err)
{
	struct prx__conf_ctx ctx = {.src = src, .root_line = 1};
	struct prx__conf_lit *lits = NULL;
	struct prx_conf *conf = NULL;
	struct parse p = {0};
	config_setting_t *root;
	unsigned int n_lits;
	config_t cfg;
	int rc;

	config_init(&cfg);
	if (!config_read_string(&cfg, src->text)) {
		prx__conf_error_line(&ctx, (unsigned int)config_error_line(&cfg), "%s",
				     config_error_text(&cfg) ? config_error_text(&cfg)
							     : "syntax error");
		rc = -EINVAL;
		goto out;
	}
	rc = prx__conf_scan_ints(src->text, &lits, &n_lits);
	conf = calloc(1, sizeof(*conf));
	if (rc < 0 || conf == NULL || (conf->file = strdup(src->files[0])) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	prx__conf_attach_literals(&cfg, src, lits, n_lits);
	set_defaults(conf);
	root = config_root_setting(&cfg);
	if (config_setting_length(root) > 0)
		ctx.root_line = config_setting_source_line(config_setting_get_elem(root, 0));
	p = (struct parse){.ctx = &ctx, .conf = conf, .ports_ok = true, .handlers_ok = true};
	parse_root(&p, root);
	rc = p.rc;
	if (rc == 0 && ctx.n_errs + ctx.n_lost > 0)
		rc = -EINVAL;
	if (rc == 0)
		rc = prx__conf_control_defaults(conf);
out:
	config_destroy(&cfg);
	free(lits);
	prx__conf_errors_finish(&ctx, err);
	if (rc < 0) {
		prx_conf_free(conf);
		if (err->n == 0) {
			err->n = 1;
			snprintf(err->msg[0], sizeof(err->msg[0]), "%s: %s", src->files[0],
				 strerror(-rc));
		}
		return rc;
	}
	err->n = 0;
	*out = conf;
	return 0;
}

static int
finish_src(struct prx__conf_src *src, int rc, struct prx_conf **out, struct prx_conf_errors *err)
{
	if (rc < 0) {
		err->n = 1;
		snprintf(err->msg[0], sizeof(err->msg[0]), "%s",
			 src->error[0] ? src->error : strerror(-rc));
	} else {
		rc = validate(src, out, err);
	}
	prx__conf_src_free(src);
	return rc;
}

int
prx_conf_load_file(const char *path, struct prx_conf **out, struct prx_conf_errors *err)
{
	struct prx__conf_src src = {0};
	struct prx_conf_errors local;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	if (out == NULL || path == NULL) {
		err->n = 1;
		snprintf(err->msg[0], sizeof(err->msg[0]), "%s", strerror(EINVAL));
		return -EINVAL;
	}
	*out = NULL;
	return finish_src(&src, prx__conf_src_file(&src, path), out, err);
}

int
prx_conf_load_string(const char *text, const char *name, const char *include_dir,
		     struct prx_conf **out, struct prx_conf_errors *err)
{
	struct prx__conf_src src = {0};
	struct prx_conf_errors local;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	if (out == NULL || text == NULL) {
		err->n = 1;
		snprintf(err->msg[0], sizeof(err->msg[0]), "%s", strerror(EINVAL));
		return -EINVAL;
	}
	*out = NULL;
	return finish_src(&src,
			  prx__conf_src_string(&src, text, name ? name : "<string>", include_dir),
			  out, err);
}

void
prx_conf_free(struct prx_conf *conf)
{
	if (conf == NULL)
		return;
	for (unsigned int i = 0; i < conf->n_eal; i++)
		free(conf->eal[i]);
	free(conf->eal);
	for (unsigned int i = 0; i < conf->n_ports; i++) {
		free(conf->ports[i].dpdk);
		free(conf->ports[i].kernel);
	}
	for (unsigned int i = 0; i < conf->n_handlers; i++)
		prx_conf_handler_release(&conf->handlers[i]);
	free(conf->control.socket);
	free(conf->control.metrics);
	free(conf->file);
	free(conf);
}

int
prx_conf_port_index(const struct prx_conf *conf, const char *name)
{
	if (conf == NULL || name == NULL)
		return -1;
	for (unsigned int i = 0; i < conf->n_ports; i++)
		if (strcmp(conf->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}
