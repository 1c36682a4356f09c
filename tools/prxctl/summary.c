/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One-line summaries of the changing commands, what an operator wants to read after a
 * change: what changed and how long until it was live everywhere.  Each summary checks
 * the result's shape first and declines (false) when it does not match, so a daemon
 * that changed its result still gets its answer shown, generically.
 */
#include <stdlib.h>
#include <string.h>

#include "prxctl.h"

/* " (live in 41 us)", or "" when the result has no live_us. */
static void
put_live(FILE *f, const json_t *r)
{
	const json_t *us = json_object_get(r, "live_us");

	if (json_is_integer(us))
		fprintf(f, " (live in %" JSON_INTEGER_FORMAT " us)", json_integer_value(us));
	fputc('\n', f);
}

static bool
all_strings(const json_t *a)
{
	size_t i;
	json_t *e;

	if (!json_is_array(a))
		return false;
	for (i = 0; i < json_array_size(a); i++) {
		e = json_array_get(a, i);
		if (!json_is_string(e))
			return false;
	}
	return true;
}

static void
put_cell(FILE *f, const json_t *v)
{
	char *s = render_cell(v);

	fputs(s, f);
	free(s);
}

/* {name, slot, existed, queues: [{queue, reactor}], live_us} */
static bool
port_add(FILE *f, const json_t *r)
{
	const json_t *name = json_object_get(r, "name"), *existed = json_object_get(r, "existed");
	const json_t *slot = json_object_get(r, "slot"), *queues = json_object_get(r, "queues");
	size_t i;
	json_t *q;

	if (!json_is_string(name) || !json_is_boolean(existed) || !json_is_integer(slot))
		return false;
	if (queues != NULL && !json_is_array(queues))
		return false;
	fputs("port ", f);
	put_cell(f, name);
	if (json_is_true(existed)) {
		fprintf(f, ": exists already at slot %" JSON_INTEGER_FORMAT ", nothing changed\n",
			json_integer_value(slot));
		return true;
	}
	fprintf(f, ": added at slot %" JSON_INTEGER_FORMAT, json_integer_value(slot));
	if (json_array_size(queues) > 0) {
		fputs(", queue->reactor", f);
		for (i = 0; i < json_array_size(queues); i++) {
			q = json_array_get(queues, i);
			fputc(' ', f);
			put_cell(f, json_object_get(q, "queue"));
			fputs("->", f);
			put_cell(f, json_object_get(q, "reactor"));
		}
	}
	put_live(f, r);
	return true;
}

/* {name, existed, live_us} */
static bool
port_del(FILE *f, const json_t *r)
{
	const json_t *name = json_object_get(r, "name"), *existed = json_object_get(r, "existed");

	if (!json_is_string(name) || !json_is_boolean(existed))
		return false;
	fputs("port ", f);
	put_cell(f, name);
	if (json_is_false(existed)) {
		fputs(": not there, nothing changed\n", f);
		return true;
	}
	fputs(": removed", f);
	put_live(f, r);
	return true;
}

/* {port, queue, from, to, live_us} */
static bool
queue_move(FILE *f, const json_t *r)
{
	const json_t *port = json_object_get(r, "port"), *queue = json_object_get(r, "queue");
	const json_t *from = json_object_get(r, "from"), *to = json_object_get(r, "to");

	if (!json_is_string(port) || !json_is_integer(queue) || !json_is_integer(from) ||
	    !json_is_integer(to))
		return false;
	fputs("queue ", f);
	put_cell(f, port);
	fprintf(f,
		"/%" JSON_INTEGER_FORMAT ": reactor %" JSON_INTEGER_FORMAT
		" -> %" JSON_INTEGER_FORMAT,
		json_integer_value(queue), json_integer_value(from), json_integer_value(to));
	put_live(f, r);
	return true;
}

/* {port, chain, live_us} */
static bool
chain_set(FILE *f, const json_t *r)
{
	const json_t *port = json_object_get(r, "port"), *chain = json_object_get(r, "chain");
	size_t i;
	json_t *h;

	if (!json_is_string(port) || !all_strings(chain))
		return false;
	fputs("chain of port ", f);
	put_cell(f, port);
	if (json_array_size(chain) == 0)
		fputs(": empty, the port drops every packet", f);
	else
		fputc(':', f);
	for (i = 0; i < json_array_size(chain); i++) {
		h = json_array_get(chain, i);
		fputs(i > 0 ? " -> " : " ", f);
		put_cell(f, h);
	}
	put_live(f, r);
	return true;
}

/* {file, changes: [text], live_us}: the changes follow, one per line */
static bool
reload(FILE *f, const json_t *r)
{
	const json_t *file = json_object_get(r, "file"), *changes = json_object_get(r, "changes");
	size_t n = json_array_size(changes), i;
	json_t *c;

	if (!json_is_string(file) || !all_strings(changes))
		return false;
	fputs("reloaded ", f);
	put_cell(f, file);
	if (n == 0)
		fputs(": no changes", f);
	else
		fprintf(f, ": %zu change%s", n, n == 1 ? "" : "s");
	put_live(f, r);
	for (i = 0; i < json_array_size(changes); i++) {
		c = json_array_get(changes, i);
		fputs("  ", f);
		put_cell(f, c);
		fputc('\n', f);
	}
	return true;
}

/* {handler, file, rules, build_us, live_us} */
static bool
acl_load(FILE *f, const json_t *r)
{
	const json_t *handler = json_object_get(r, "handler"), *file = json_object_get(r, "file");
	const json_t *rules = json_object_get(r, "rules"), *build = json_object_get(r, "build_us");

	if (!json_is_string(handler) || !json_is_string(file) || !json_is_integer(rules) ||
	    !json_is_integer(build))
		return false;
	fputs("acl ", f);
	put_cell(f, handler);
	fprintf(f, ": %" JSON_INTEGER_FORMAT " rule%s from ", json_integer_value(rules),
		json_integer_value(rules) == 1 ? "" : "s");
	put_cell(f, file);
	fprintf(f, ", built in %" JSON_INTEGER_FORMAT " us", json_integer_value(build));
	put_live(f, r);
	return true;
}

/* {handler, prefix, via, port, existed, routes, live_us} */
static bool
route_add(FILE *f, const json_t *r)
{
	const json_t *h = json_object_get(r, "handler"), *prefix = json_object_get(r, "prefix");
	const json_t *via = json_object_get(r, "via"), *port = json_object_get(r, "port");
	const json_t *existed = json_object_get(r, "existed"), *n = json_object_get(r, "routes");

	if (!json_is_string(h) || !json_is_string(prefix) || !json_is_string(port) ||
	    !json_is_boolean(existed) || !json_is_integer(n) ||
	    (via && !json_is_string(via) && !json_is_null(via)))
		return false;
	fputs("route ", f);
	put_cell(f, prefix);
	if (json_is_string(via)) {
		fputs(" via ", f);
		put_cell(f, via);
	}
	fputs(" port ", f);
	put_cell(f, port);
	if (json_is_true(existed)) {
		fputs(": exists already in ", f);
		put_cell(f, h);
		fputs(", nothing changed\n", f);
		return true;
	}
	fputs(": added to ", f);
	put_cell(f, h);
	fprintf(f, " (%" JSON_INTEGER_FORMAT " routes)", json_integer_value(n));
	put_live(f, r);
	return true;
}

/* {handler, prefix, existed, routes, live_us} */
static bool
route_del(FILE *f, const json_t *r)
{
	const json_t *h = json_object_get(r, "handler"), *prefix = json_object_get(r, "prefix");
	const json_t *existed = json_object_get(r, "existed"), *n = json_object_get(r, "routes");

	if (!json_is_string(h) || !json_is_string(prefix) || !json_is_boolean(existed) ||
	    !json_is_integer(n))
		return false;
	fputs("route ", f);
	put_cell(f, prefix);
	if (json_is_false(existed)) {
		fputs(": not in ", f);
		put_cell(f, h);
		fputs(", nothing changed\n", f);
		return true;
	}
	fputs(": deleted from ", f);
	put_cell(f, h);
	fprintf(f, " (%" JSON_INTEGER_FORMAT " routes)", json_integer_value(n));
	put_live(f, r);
	return true;
}

/* {handler, ip, mac, port, live_us} */
static bool
neigh_add(FILE *f, const json_t *r)
{
	const json_t *h = json_object_get(r, "handler"), *ip = json_object_get(r, "ip");
	const json_t *mac = json_object_get(r, "mac"), *port = json_object_get(r, "port");

	if (!json_is_string(h) || !json_is_string(ip) || !json_is_string(mac) ||
	    !json_is_string(port))
		return false;
	fputs("neighbour ", f);
	put_cell(f, ip);
	fputs(" is ", f);
	put_cell(f, mac);
	fputs(" on port ", f);
	put_cell(f, port);
	fputs(" in ", f);
	put_cell(f, h);
	fputs(" (static)", f);
	put_live(f, r);
	return true;
}

/* {handler, ip, existed, live_us} */
static bool
neigh_del(FILE *f, const json_t *r)
{
	const json_t *h = json_object_get(r, "handler"), *ip = json_object_get(r, "ip");
	const json_t *existed = json_object_get(r, "existed");

	if (!json_is_string(h) || !json_is_string(ip) || !json_is_boolean(existed))
		return false;
	fputs("neighbour ", f);
	put_cell(f, ip);
	fputs(json_is_true(existed) ? ": forgotten by " : ": not in ", f);
	put_cell(f, h);
	if (json_is_false(existed)) {
		fputs(", nothing changed\n", f);
		return true;
	}
	put_live(f, r);
	return true;
}

bool
summary_print(FILE *f, const char *cmd, const json_t *result)
{
	static const struct {
		const char *cmd;
		bool (*fn)(FILE *f, const json_t *r);
	} summaries[] = {
		{"port.add", port_add},	  {"port.del", port_del},   {"queue.move", queue_move},
		{"chain.set", chain_set}, {"reload", reload},	    {"acl.load", acl_load},
		{"route.add", route_add}, {"route.del", route_del}, {"neigh.add", neigh_add},
		{"neigh.del", neigh_del},
	};
	size_t i;

	if (!json_is_object(result))
		return false;
	for (i = 0; i < sizeof(summaries) / sizeof(summaries[0]); i++) {
		if (strcmp(cmd, summaries[i].cmd) == 0)
			return summaries[i].fn(f, result);
	}
	return false;
}
