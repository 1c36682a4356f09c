/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's commands (docs/control.md).  `show.*` answer from a statistics
 * view taken for the request; changes call the registry's live operations, which apply
 * completely or not at all.  Arguments are checked strictly: a wrong type, a value out of
 * range or an unknown key is an EINVAL naming the argument.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "ctl_args.h"
#include "prx_control.h"
#include "prx_ctlsock.h"
#include "prx_notify.h"
#include "prx_view.h"

/* --- argument helpers (ctl_args.h) --- */

int
prx_ctl_arg_keys(struct prx_ctl_req *req, json_t *args, const char *const *allowed)
{
	const char *key;
	json_t *val;

	json_object_foreach (args, key, val) {
		bool ok = false;

		for (unsigned int i = 0; allowed[i] != NULL && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			prx_ctl_req_error(req, "EINVAL", "unknown argument \"%s\"", key);
			return -EINVAL;
		}
	}
	return 0;
}

int
prx_ctl_arg_str(struct prx_ctl_req *req, json_t *args, const char *key, bool required,
		const char **out)
{
	json_t *v = json_object_get(args, key);

	*out = NULL;
	if (v == NULL) {
		if (!required)
			return 0;
		prx_ctl_req_error(req, "EINVAL", "missing argument \"%s\"", key);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		prx_ctl_req_error(req, "EINVAL", "argument \"%s\": expected a string", key);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}

int
prx_ctl_arg_uint(struct prx_ctl_req *req, json_t *args, const char *key, bool required,
		 unsigned long min, unsigned long max, unsigned long *out)
{
	json_t *v = json_object_get(args, key);

	if (v == NULL) {
		if (!required)
			return 0;
		prx_ctl_req_error(req, "EINVAL", "missing argument \"%s\"", key);
		return -EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)min ||
	    json_integer_value(v) > (json_int_t)max) {
		prx_ctl_req_error(req, "EINVAL", "argument \"%s\": expected an integer %lu..%lu",
				  key, min, max);
		return -EINVAL;
	}
	*out = (unsigned long)json_integer_value(v);
	return 0;
}

int
prx_ctl_arg_bool(struct prx_ctl_req *req, json_t *args, const char *key, bool *out)
{
	json_t *v = json_object_get(args, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		prx_ctl_req_error(req, "EINVAL", "argument \"%s\": expected true or false", key);
		return -EINVAL;
	}
	*out = json_is_true(v);
	return 0;
}

/* An array of up to PRX_CHAIN_MAX handler names. */
int
prx_ctl_arg_names(struct prx_ctl_req *req, json_t *args, const char *key, bool required,
		  const char **names, unsigned int *n)
{
	json_t *v = json_object_get(args, key), *e;
	size_t i;

	*n = 0;
	if (v == NULL && !required)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > PRX_CHAIN_MAX) {
		prx_ctl_req_error(req, "EINVAL",
				  "argument \"%s\": expected an array of at most %d handler names",
				  key, PRX_CHAIN_MAX);
		return -EINVAL;
	}
	json_array_foreach (v, i, e) {
		if (!json_is_string(e)) {
			prx_ctl_req_error(req, "EINVAL",
					  "argument \"%s\": entry %zu is not a string", key, i);
			return -EINVAL;
		}
		names[(*n)++] = json_string_value(e);
	}
	return 0;
}

static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= PRX_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* --- show --- */

static struct prx_view *
take(struct prx_ctl_req *req, void *ctx)
{
	struct prx_view *v = prx_dp_view_take(prx_control_dp(ctx));

	if (v == NULL)
		prx_ctl_req_error(req, "ENOMEM", "out of memory taking the statistics view");
	return v;
}

static json_t *
chain_json(const struct prx_view_port *p)
{
	json_t *a = json_array();

	for (uint16_t k = 0; k < p->n_chain; k++)
		json_array_append_new(a, json_string(p->chain[k]));
	return a;
}

static json_t *
link_json(int8_t link)
{
	return link < 0 ? json_null() : json_string(link ? "up" : "down");
}

static int
show_ports(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *a;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	a = json_array();
	for (unsigned int i = 0; i < v->n_ports; i++) {
		const struct prx_view_port *p = &v->ports[i];

		json_array_append_new(
			a,
			json_pack("{s:s, s:i, s:s, s:s, s:i, s:o, s:I, s:s, s:i, s:i, s:o, "
				  "s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				  "name", p->name, "slot", p->slot, "driver", p->driver, "device",
				  p->device, "socket", p->socket, "link", link_json(p->link),
				  "speed_mbps", (json_int_t)p->speed_mbps, "mac", p->mac,
				  "rx_queues", p->n_rxq, "tx_queues", p->n_txq, "chain",
				  chain_json(p), "rx", (json_int_t)p->sw.rx, "tx",
				  (json_int_t)p->sw.tx, "tx_drop", (json_int_t)p->sw.tx_drop,
				  "ipackets", (json_int_t)p->hw.ipackets, "opackets",
				  (json_int_t)p->hw.opackets, "ibytes", (json_int_t)p->hw.ibytes,
				  "obytes", (json_int_t)p->hw.obytes, "imissed",
				  (json_int_t)p->hw.imissed, "ierrors", (json_int_t)p->hw.ierrors,
				  "oerrors", (json_int_t)p->hw.oerrors, "rx_nombuf",
				  (json_int_t)p->hw.rx_nombuf));
	}
	prx_view_free(v);
	*result = a;
	return 0;
}

static int
show_queues(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *a;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	a = json_array();
	for (unsigned int i = 0; i < v->n_ports; i++) {
		const struct prx_view_port *p = &v->ports[i];

		for (uint16_t q = 0; q < p->n_rxq; q++) {
			int r = p->rxq[q].reactor;

			json_array_append_new(a,
					      json_pack("{s:s, s:i, s:i, s:i, s:I}", "port",
							p->name, "queue", q, "reactor", r, "lcore",
							r >= 0 ? (int)v->reactors[r].lcore : -1,
							"rx", (json_int_t)p->rxq[q].packets));
		}
	}
	prx_view_free(v);
	*result = a;
	return 0;
}

static int
show_plan(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *a;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	a = json_array();
	for (unsigned int i = 0; i < v->n_ports; i++) {
		const struct prx_view_port *p = &v->ports[i];

		for (uint16_t q = 0; q < p->n_rxq; q++) {
			int r = p->rxq[q].reactor;
			const struct prx_view_reactor *re = r >= 0 ? &v->reactors[r] : NULL;

			json_array_append_new(
				a, json_pack("{s:s, s:i, s:i, s:i, s:i, s:b}", "port", p->name,
					     "queue", q, "reactor", r, "lcore",
					     re ? (int)re->lcore : -1, "socket",
					     re ? re->socket : -1, "cross_numa",
					     re != NULL && p->socket >= 0 && re->socket >= 0 &&
						     p->socket != re->socket));
		}
	}
	prx_view_free(v);
	*result = a;
	return 0;
}

/* A percentage with one decimal. */
static double
pct1(double pct)
{
	return (double)((int)(pct * 10.0 + 0.5)) / 10.0;
}

static json_t *
reactor_json(const struct prx_view_reactor *r, bool full)
{
	json_t *o = json_pack("{s:i, s:I, s:I, s:I, s:f}", "id", r->id, "rx", (json_int_t)r->st.rx,
			      "tx", (json_int_t)r->st.tx, "dropped",
			      (json_int_t)prx_pipe_stats_dropped(&r->st), "busy_pct",
			      pct1(r->busy_pct));

	if (full) {
		json_object_set_new(o, "lcore", json_integer(r->lcore));
		json_object_set_new(o, "socket", json_integer(r->socket));
		json_object_set_new(o, "engine", json_string(r->engine));
		json_object_set_new(o, "rx_queues", json_integer(r->n_rxq));
		json_object_set_new(o, "punted", json_integer((json_int_t)r->st.punted));
		json_object_set_new(o, "in_flight", json_integer((json_int_t)r->in_flight));
		json_object_set_new(o, "iterations", json_integer((json_int_t)r->rs.iterations));
		json_object_set_new(o, "empty_pct", json_real(pct1(r->empty_pct)));
		json_object_set_new(o, "sleep_pct", json_real(pct1(r->sleep_pct)));
		json_object_set_new(o, "sleeps", json_integer((json_int_t)r->rs.sleeps));
		json_object_set_new(o, "snapshot", json_integer((json_int_t)r->snapshot_gen));
	}
	return o;
}

static int
show_reactors(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *a;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	a = json_array();
	for (unsigned int r = 0; r < v->n_reactors; r++)
		json_array_append_new(a, reactor_json(&v->reactors[r], true));
	prx_view_free(v);
	*result = a;
	return 0;
}

static int
show_chains(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *a;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	a = json_array();
	for (unsigned int i = 0; i < v->n_ports; i++)
		json_array_append_new(a, json_pack("{s:s, s:o}", "port", v->ports[i].name, "chain",
						   chain_json(&v->ports[i])));
	prx_view_free(v);
	*result = a;
	return 0;
}

static int
show_handlers(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *a;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	a = json_array();
	for (unsigned int i = 0; i < v->n_handlers; i++) {
		const struct prx_view_handler *h = &v->handlers[i];

		json_array_append_new(a,
				      json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", h->name,
						"type", h->type, "in", (json_int_t)h->in, "dropped",
						(json_int_t)h->dropped, "config", h->config));
	}
	prx_view_free(v);
	*result = a;
	return 0;
}

static json_t *
drops_json(const struct prx_view *v)
{
	json_t *o = json_object();

	for (unsigned int d = 0; d < PRX_DROP_MAX; d++)
		json_object_set_new(o, prx_drop_name((enum prx_drop_reason)d),
				    json_integer((json_int_t)v->total.drop[d]));
	return o;
}

static int
show_stats(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *ports, *reactors;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	ports = json_array();
	for (unsigned int i = 0; i < v->n_ports; i++) {
		const struct prx_view_port *p = &v->ports[i];

		json_array_append_new(ports, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "name",
						       p->name, "rx", (json_int_t)p->sw.rx, "tx",
						       (json_int_t)p->sw.tx, "tx_drop",
						       (json_int_t)p->sw.tx_drop, "imissed",
						       (json_int_t)p->hw.imissed, "ierrors",
						       (json_int_t)p->hw.ierrors));
	}
	reactors = json_array();
	for (unsigned int r = 0; r < v->n_reactors; r++)
		json_array_append_new(reactors, reactor_json(&v->reactors[r], false));
	*result = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:b}, s:o, s:o, s:o, s:{s:I, s:I}}",
			    "totals", "rx", (json_int_t)v->total.rx, "originated",
			    (json_int_t)v->total.originated, "tx", (json_int_t)v->total.tx,
			    "dropped", (json_int_t)v->dropped, "punted",
			    (json_int_t)v->total.punted, "in_flight", (json_int_t)v->in_flight,
			    "balanced", v->balanced, "ports", ports, "reactors", reactors, "drops",
			    drops_json(v), "mbufs", "total", (json_int_t)v->mbufs_total, "in_use",
			    (json_int_t)(v->mbufs_total - v->mbufs_free));
	if (v->n_workers > 0) {
		json_t *workers = json_array();

		for (unsigned int w = 0; w < v->n_workers; w++)
			json_array_append_new(
				workers, json_pack("{s:i, s:i, s:I, s:I, s:I}", "id", w, "lcore",
						   (int)v->workers[w].lcore, "packets",
						   (json_int_t)v->workers[w].packets, "bursts",
						   (json_int_t)v->workers[w].bursts, "waits",
						   (json_int_t)v->workers[w].waits));
		json_object_set_new(*result, "workers", workers);
	}
	prx_view_free(v);
	return 0;
}

static int
show_errors(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct prx_view *v = take(req, ctx);
	json_t *drops, *ports;

	RTE_SET_USED(args);
	if (v == NULL)
		return -ENOMEM;
	drops = json_array();
	for (unsigned int d = 0; d < PRX_DROP_MAX; d++)
		json_array_append_new(drops,
				      json_pack("{s:s, s:I, s:s}", "reason",
						prx_drop_name((enum prx_drop_reason)d), "count",
						(json_int_t)v->total.drop[d], "description",
						prx_drop_desc((enum prx_drop_reason)d)));
	ports = json_array();
	for (unsigned int i = 0; i < v->n_ports; i++) {
		const struct prx_view_port *p = &v->ports[i];

		json_array_append_new(ports,
				      json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "port", p->name,
						"tx_drop", (json_int_t)p->sw.tx_drop, "imissed",
						(json_int_t)p->hw.imissed, "ierrors",
						(json_int_t)p->hw.ierrors, "oerrors",
						(json_int_t)p->hw.oerrors, "rx_nombuf",
						(json_int_t)p->hw.rx_nombuf));
	}
	*result = json_pack("{s:o, s:o}", "drops", drops, "ports", ports);
	prx_view_free(v);
	return 0;
}

/* --- changes --- */

static int
dp_failed(struct prx_ctl_req *req, int rc, const char *msg)
{
	prx_ctl_req_error(req, NULL, "%s", msg[0] != '\0' ? msg : strerror(-rc));
	return rc;
}

static json_t *
live(struct prx_control *c, json_t *o)
{
	json_object_set_new(o, "live_us",
			    json_integer((json_int_t)prx_dp_last_live_us(prx_control_dp(c))));
	prx_control_changed(c);
	return o;
}

static const struct prx_view_port *
find_port(const struct prx_view *v, const char *name)
{
	for (unsigned int i = 0; i < v->n_ports; i++)
		if (strcmp(v->ports[i].name, name) == 0)
			return &v->ports[i];
	return NULL;
}

static int
port_add(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"name",     "dpdk",	  "kernel",	 "rx_queues",
					   "rx_desc",  "tx_desc", "promiscuous", "chain",
					   "exist_ok", NULL};
	const char *name, *dpdk, *kernel, *chain[PRX_CHAIN_MAX];
	unsigned long rxq = 1, rxd = 1024, txd = 1024;
	bool exist_ok = false, existed = false;
	struct prx_conf_port cp;
	const struct prx_view_port *p;
	struct prx_view *v;
	unsigned int n_chain;
	char msg[512] = "";
	json_t *queues;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || prx_ctl_arg_str(req, args, "name", true, &name) ||
	    prx_ctl_arg_str(req, args, "dpdk", false, &dpdk) ||
	    prx_ctl_arg_str(req, args, "kernel", false, &kernel) ||
	    prx_ctl_arg_uint(req, args, "rx_queues", false, 1, PRX_MAX_RXQ, &rxq) ||
	    prx_ctl_arg_uint(req, args, "rx_desc", false, 64, 16384, &rxd) ||
	    prx_ctl_arg_uint(req, args, "tx_desc", false, 64, 16384, &txd) ||
	    prx_ctl_arg_bool(req, args, "exist_ok", &exist_ok) ||
	    prx_ctl_arg_names(req, args, "chain", false, chain, &n_chain))
		return -EINVAL;
	if (!valid_name(name)) {
		prx_ctl_req_error(req, "EINVAL",
				  "invalid port name \"%.40s\" (A-Z a-z 0-9 _ -, at most %d)", name,
				  PRX_NAME_MAX - 1);
		return -EINVAL;
	}
	if ((rxd & (rxd - 1)) != 0 || (txd & (txd - 1)) != 0) {
		prx_ctl_req_error(req, "EINVAL", "rx_desc and tx_desc must be powers of two");
		return -EINVAL;
	}
	prx_conf_port_init(&cp);
	snprintf(cp.name, sizeof(cp.name), "%s", name);
	cp.dpdk = (char *)(uintptr_t)dpdk;
	cp.kernel = (char *)(uintptr_t)kernel;
	cp.rx_queues = (uint16_t)rxq;
	cp.rx_desc = (uint16_t)rxd;
	cp.tx_desc = (uint16_t)txd;
	if (prx_ctl_arg_bool(req, args, "promiscuous", &cp.promiscuous))
		return -EINVAL;
	rc = prx_dp_port_add(prx_control_dp(ctx), &cp, chain, n_chain, msg, sizeof(msg));
	if (rc == -EEXIST && exist_ok)
		existed = true;
	else if (rc != 0)
		return dp_failed(req, rc, msg);
	v = take(req, ctx);
	if (v == NULL)
		return -ENOMEM;
	p = find_port(v, name);
	queues = json_array();
	for (uint16_t q = 0; p != NULL && q < p->n_rxq; q++)
		json_array_append_new(
			queues, json_pack("{s:i, s:i}", "queue", q, "reactor", p->rxq[q].reactor));
	*result = json_pack("{s:s, s:i, s:b, s:o}", "name", name, "slot", p ? p->slot : -1,
			    "existed", existed, "queues", queues);
	prx_view_free(v);
	if (existed)
		json_object_set_new(*result, "live_us", json_integer(0));
	else
		live(ctx, *result);
	return 0;
}

static int
port_del(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"name", "missing_ok", NULL};
	bool missing_ok = false;
	char msg[512] = "";
	const char *name;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || prx_ctl_arg_str(req, args, "name", true, &name) ||
	    prx_ctl_arg_bool(req, args, "missing_ok", &missing_ok))
		return -EINVAL;
	rc = prx_dp_port_del(prx_control_dp(ctx), name, msg, sizeof(msg));
	if (rc == -ENOENT && missing_ok) {
		*result =
			json_pack("{s:s, s:b, s:i}", "name", name, "existed", false, "live_us", 0);
		return 0;
	}
	if (rc != 0)
		return dp_failed(req, rc, msg);
	*result = live(ctx, json_pack("{s:s, s:b}", "name", name, "existed", true));
	return 0;
}

static int
queue_move(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"port", "queue", "reactor", NULL};
	unsigned long q, r;
	char msg[512] = "";
	const char *port;
	int rc, from = -1;

	if (prx_ctl_arg_keys(req, args, keys) || prx_ctl_arg_str(req, args, "port", true, &port) ||
	    prx_ctl_arg_uint(req, args, "queue", true, 0, PRX_MAX_RXQ - 1, &q) ||
	    prx_ctl_arg_uint(req, args, "reactor", true, 0, PRX_MAX_REACTORS - 1, &r))
		return -EINVAL;
	rc = prx_dp_queue_move(prx_control_dp(ctx), port, (unsigned int)q, (unsigned int)r, &from,
			       msg, sizeof(msg));
	if (rc != 0)
		return dp_failed(req, rc, msg);
	*result = live(ctx, json_pack("{s:s, s:i, s:i, s:i}", "port", port, "queue", (int)q, "from",
				      from, "to", (int)r));
	return 0;
}

static int
chain_set(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"port", "chain", NULL};
	const char *port, *chain[PRX_CHAIN_MAX];
	unsigned int n;
	char msg[512] = "";
	json_t *a;
	int rc;

	if (prx_ctl_arg_keys(req, args, keys) || prx_ctl_arg_str(req, args, "port", true, &port) ||
	    prx_ctl_arg_names(req, args, "chain", true, chain, &n))
		return -EINVAL;
	rc = prx_dp_chain_set(prx_control_dp(ctx), port, chain, n, msg, sizeof(msg));
	if (rc != 0)
		return dp_failed(req, rc, msg);
	a = json_array();
	for (unsigned int k = 0; k < n; k++)
		json_array_append_new(a, json_string(chain[k]));
	*result = live(ctx, json_pack("{s:s, s:o}", "port", port, "chain", a));
	return 0;
}

static const struct prx_ctl_cmd cmds[] = {
	{"show.ports", "", "ports: device, link, chain, counters", show_ports},
	{"show.queues", "", "rx queues and the reactor polling each", show_queues},
	{"show.reactors", "", "reactors: lcore, engine, queues, accounting, busy %", show_reactors},
	{"show.chains", "", "each port's handler chain", show_chains},
	{"show.handlers", "", "handler instances, settings and counters", show_handlers},
	{"show.stats", "", "totals, ports, reactors and drops by reason", show_stats},
	{"show.errors", "", "drops by reason and port error counters", show_errors},
	{"show.plan", "", "queue placement with NUMA sockets", show_plan},
	{"port.add",
	 "{name, dpdk|kernel, rx_queues?, rx_desc?, tx_desc?, promiscuous?, chain?, exist_ok?}",
	 "open a port and start polling it", port_add},
	{"port.del", "{name, missing_ok?}", "stop polling a port and close it", port_del},
	{"queue.move", "{port, queue, reactor}", "give an rx queue to another reactor", queue_move},
	{"chain.set", "{port, chain}", "replace a port's handler chain", chain_set},
};
/*
 * Command sets of handler types, each in its own file (ctl_<type>.c), appended to the
 * core set above.  Add a set here: { table, &count }.
 */
extern const struct prx_ctl_cmd prx_ctl_acl_cmds[];
extern const unsigned int prx_ctl_acl_n_cmds;
extern const struct prx_ctl_cmd prx_ctl_router_cmds[]; /* ctl_router.c: route.*, neigh.* */
extern const unsigned int prx_ctl_router_n_cmds;
extern const struct prx_ctl_cmd prx_ctl_reload_cmds[]; /* ctl_reload.c: reload */
extern const unsigned int prx_ctl_reload_n_cmds;
static const struct {
	const struct prx_ctl_cmd *cmds;
	const unsigned int *n;
} sets[] = {
	{cmds, NULL},
	{prx_ctl_acl_cmds, &prx_ctl_acl_n_cmds},
	{prx_ctl_router_cmds, &prx_ctl_router_n_cmds},
	{prx_ctl_reload_cmds, &prx_ctl_reload_n_cmds},
};

const struct prx_ctl_cmd *
prx_control_commands(unsigned int *n)
{
	static struct prx_ctl_cmd all[64];
	static unsigned int n_all;

	if (n_all == 0)
		for (size_t i = 0; i < PRX_ARRAY_SIZE(sets); i++) {
			unsigned int k = sets[i].n != NULL ? *sets[i].n : PRX_ARRAY_SIZE(cmds);

			for (unsigned int j = 0; j < k && n_all < PRX_ARRAY_SIZE(all); j++)
				all[n_all++] = sets[i].cmds[j];
		}
	*n = n_all;
	return all;
}
