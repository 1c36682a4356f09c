/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry's live changes on DPDK net_null ports: what each change does to the
 * state and to every reactor's snapshot, that a failed change publishes nothing, the
 * configuration diff of reload, and 200 changes under traffic with the accounting kept.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_ring.h>

#include "dp_internal.h"
#include "prx_acl.h"
#include "prx_conf.h"
#include "prx_dataplane.h"
#include "prx_router.h"
#include "prx_slowpath.h"
#include "prx_test.h"
#include "prx_view.h"

#define BASE \
	"mode = \"dpdk\";\n" \
	"reactors = { cores = [1, 2]; engine = \"poll\"; };\n" \
	"mempool = { mbufs = 16383; };\n" \
	"handlers = (\n" \
	"  { name = \"ab\"; type = \"xconnect\"; to = \"b\"; },\n" \
	"  { name = \"ba\"; type = \"xconnect\"; to = \"a\"; mac = \"swap\"; }\n" \
	");\n" \
	"ports = (\n" \
	"  { name = \"a\"; dpdk = \"net_null0\"; rx_queues = 2; rx_desc = 256; tx_desc = 256; chain = [\"ab\"]; },\n" \
	"  { name = \"b\"; dpdk = \"net_null1\"; rx_desc = 256; tx_desc = 256; chain = [\"ba\"]; }\n" \
	");\n"

static char dir[64];

static struct prx_dataplane *
dp_up(const char *text, struct prx_conf **confp)
{
	struct prx_conf_errors err;
	struct prx_dataplane *dp = NULL;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/prx.cfg", dir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_FATAL(prx_conf_load_file(path, confp, &err) == 0);
	CU_ASSERT_FATAL(prx_dp_create(*confp, PRX_MODE_DPDK, &dp) == 0);
	CU_ASSERT_FATAL(prx_dp_setup(dp) == 0);
	CU_ASSERT_FATAL(prx_dp_set_conf_path(dp, path) == 0);
	return dp;
}

static void
dp_down(struct prx_dataplane *dp, struct prx_conf *conf)
{
	prx_dp_destroy(dp);
	prx_conf_free(conf);
}

static void
write_conf(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/prx.cfg", dir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Does reactor r's snapshot poll (port, queue)?  Which chain does it run? */
static const struct prx_poll_entry *
polls(const struct prx_dataplane *dp, unsigned int r, const char *port, uint16_t q)
{
	const struct prx_snapshot *s = dp->snap[r];

	for (uint16_t i = 0; s != NULL && i < s->n_poll; i++)
		if (strcmp(s->poll[i].port->name, port) == 0 && s->poll[i].queue == q)
			return &s->poll[i];
	return NULL;
}

static unsigned int
pollers(const struct prx_dataplane *dp, const char *port, uint16_t q)
{
	unsigned int n = 0;

	for (unsigned int r = 0; r < dp->n_reactors; r++)
		n += polls(dp, r, port, q) != NULL;
	return n;
}

static void
test_setup_snapshots(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	const struct prx_poll_entry *e;

	/* planner: a/0 -> 0, b/0 -> 1, a/1 -> 1 */
	CU_ASSERT(polls(dp, 0, "a", 0) != NULL);
	CU_ASSERT(polls(dp, 1, "b", 0) != NULL);
	CU_ASSERT(polls(dp, 1, "a", 1) != NULL);
	CU_ASSERT_EQUAL(dp->snap[0]->n_poll + dp->snap[1]->n_poll, 3);
	e = polls(dp, 1, "a", 1);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->chain.n, 1);
	CU_ASSERT_STRING_EQUAL(e->chain.h[0]->name, "ab");
	CU_ASSERT(dp->snap[0]->ports[0] == dp->st->port[0]->port);
	CU_ASSERT(dp->snap[1]->ports[1] == dp->st->port[1]->port);
	CU_ASSERT(dp->snap[0]->ports[2] == NULL);
	CU_ASSERT_EQUAL(dp->snap[0]->gen, dp->snap[1]->gen);
	dp_down(dp, conf);
}

static void
test_port_add_del(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	const char *chain[] = {"ab"};
	const struct prx_snapshot *s0, *s1;
	struct prx_conf_port cp;
	char msg[512];
	struct prx_view *v;

	prx_conf_port_init(&cp);
	snprintf(cp.name, sizeof(cp.name), "c");
	cp.dpdk = "net_null2";
	cp.rx_queues = 2;
	cp.rx_desc = cp.tx_desc = 256;
	CU_ASSERT_EQUAL_FATAL(prx_dp_port_add(dp, &cp, chain, 1, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(dp_port_slot(dp->st, "c"), 2);
	/* loads were 1 and 2: c/0 goes to reactor 0, then the tie goes to the reactor with
	 * fewer queues of c (1) */
	CU_ASSERT(polls(dp, 0, "c", 0) != NULL);
	CU_ASSERT(polls(dp, 1, "c", 1) != NULL);
	CU_ASSERT(dp->snap[0]->ports[2] != NULL && dp->snap[1]->ports[2] != NULL);
	CU_ASSERT_STRING_EQUAL(polls(dp, 0, "c", 0)->chain.h[0]->name, "ab");
	v = prx_dp_view_take(dp);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_EQUAL(v->n_ports, 3);
	CU_ASSERT_STRING_EQUAL(v->ports[2].name, "c");
	CU_ASSERT_STRING_EQUAL(v->ports[2].device, "net_null2");
	CU_ASSERT_EQUAL(v->changes, 1);
	prx_view_free(v);

	/* taken name, unknown handler, bad device: refused, nothing published */
	s0 = dp->snap[0];
	s1 = dp->snap[1];
	CU_ASSERT_EQUAL(prx_dp_port_add(dp, &cp, NULL, 0, msg, sizeof(msg)), -EEXIST);
	snprintf(cp.name, sizeof(cp.name), "d");
	cp.dpdk = "net_null3";
	chain[0] = "nosuch";
	CU_ASSERT_EQUAL(prx_dp_port_add(dp, &cp, chain, 1, msg, sizeof(msg)), -ENOENT);
	CU_ASSERT(strstr(msg, "nosuch") != NULL);
	cp.dpdk = "net_nosuchdriver0";
	CU_ASSERT(prx_dp_port_add(dp, &cp, NULL, 0, msg, sizeof(msg)) < 0);
	CU_ASSERT(strstr(msg, "net_nosuchdriver0") != NULL);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);
	CU_ASSERT_EQUAL(dp_port_slot(dp->st, "d"), -1);

	/* b is the target of handler ab: busy; c is not: removed, slot free */
	CU_ASSERT_EQUAL(prx_dp_port_del(dp, "b", msg, sizeof(msg)), -EBUSY);
	CU_ASSERT(strstr(msg, "ab") != NULL);
	CU_ASSERT_EQUAL(prx_dp_port_del(dp, "c", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(prx_dp_port_del(dp, "c", msg, sizeof(msg)), -ENOENT);
	CU_ASSERT_EQUAL(pollers(dp, "c", 0) + pollers(dp, "c", 1), 0);
	CU_ASSERT(dp->snap[0]->ports[2] == NULL && dp->snap[1]->ports[2] == NULL);
	/* the same device comes back in the free slot */
	snprintf(cp.name, sizeof(cp.name), "c");
	cp.dpdk = "net_null2";
	CU_ASSERT_EQUAL(prx_dp_port_add(dp, &cp, NULL, 0, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(dp_port_slot(dp->st, "c"), 2);
	CU_ASSERT_EQUAL(polls(dp, 0, "c", 0)->chain.n, 0);
	dp_down(dp, conf);
}

static void
test_queue_move_chain_set(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	const char *chain[] = {"ba", "ab"};
	const struct prx_snapshot *s0, *s1;
	char msg[512];
	int from = -2;

	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "a", 0, 1, &from, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(from, 0);
	CU_ASSERT(polls(dp, 1, "a", 0) != NULL && pollers(dp, "a", 0) == 1);
	CU_ASSERT_EQUAL(dp->snap[0]->n_poll, 0);
	CU_ASSERT_EQUAL(dp->st->owner[0][0], 1);
	s0 = dp->snap[0];
	s1 = dp->snap[1];
	/* to where it is: nothing published; bad queue, reactor, port: errors */
	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "a", 0, 1, &from, msg, sizeof(msg)), 0);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);
	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "a", 2, 0, &from, msg, sizeof(msg)), -ERANGE);
	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "a", 0, 2, &from, msg, sizeof(msg)), -ERANGE);
	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "x", 0, 0, &from, msg, sizeof(msg)), -ENOENT);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);

	CU_ASSERT_EQUAL(prx_dp_chain_set(dp, "a", chain, 2, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(polls(dp, 1, "a", 0)->chain.n, 2);
	CU_ASSERT_STRING_EQUAL(polls(dp, 1, "a", 1)->chain.h[0]->name, "ba");
	/* b's poll entry did not change, but reactor 1 polls a too: one new snapshot */
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] != s1);
	chain[1] = "nosuch";
	s1 = dp->snap[1];
	CU_ASSERT_EQUAL(prx_dp_chain_set(dp, "a", chain, 2, msg, sizeof(msg)), -ENOENT);
	CU_ASSERT(dp->snap[1] == s1);
	CU_ASSERT_EQUAL(prx_dp_chain_set(dp, "b", NULL, 0, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(polls(dp, 1, "b", 0)->chain.n, 0);
	dp_down(dp, conf);
}

static void
test_reload(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	static struct prx_dp_reload res;
	const struct prx_snapshot *s0, *s1;
	const struct dp_handler *ba;
	char msg[4096];

	/* unchanged file: no change, nothing published */
	s0 = dp->snap[0];
	s1 = dp->snap[1];
	CU_ASSERT_EQUAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(res.n_changes, 0);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);

	/* syntax error, restart-only setting, port device change: FILE:LINE, no change */
	write_conf(BASE "ports = ;\n");
	CU_ASSERT_EQUAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), -EINVAL);
	CU_ASSERT(strstr(msg, "/prx.cfg:12: ") != NULL);
	write_conf(
		"mode = \"dpdk\";\n"
		"reactors = { cores = [1, 2]; engine = \"poll\"; burst = 16; };\n"
		"mempool = { mbufs = 16383; };\n"
		"ports = ( { name = \"a\"; dpdk = \"net_null0\"; rx_queues = 1; rx_desc = 256; tx_desc = 256; } );\n");
	CU_ASSERT_EQUAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), -EINVAL);
	CU_ASSERT(strstr(msg, "/prx.cfg:2: reactors: changing it needs a restart") != NULL);
	CU_ASSERT(strstr(msg, "/prx.cfg:4: ports.a.rx_queues: ") != NULL);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);
	CU_ASSERT_EQUAL(dp->reload_failures, 2);
	/* a new port whose device does not exist: nothing applied (b keeps its chain) */
	write_conf(BASE "ports += ();\n");
	{
		char text[2048];

		snprintf(text, sizeof(text), "%s", BASE);
		*strstr(text, "chain = [\"ba\"]") = '\0';
		strcat(text, "chain = []; },\n  { name = \"z\"; dpdk = \"net_nosuch9\"; }\n);\n");
		write_conf(text);
	}
	CU_ASSERT(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)) < 0);
	CU_ASSERT(strstr(msg, "net_nosuch9") != NULL);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);
	CU_ASSERT_EQUAL(dp_port_slot(dp->st, "z"), -1);

	/* valid: handler ba changed (keep), a new port c with a new handler, b's chain */
	ba = dp->st->handler[1];
	write_conf(
		"mode = \"dpdk\";\n"
		"reactors = { cores = [1, 2]; engine = \"poll\"; };\n"
		"mempool = { mbufs = 16383; };\n"
		"stats_interval = 3;\n"
		"handlers = (\n"
		"  { name = \"ab\"; type = \"xconnect\"; to = \"b\"; },\n"
		"  { name = \"ba\"; type = \"xconnect\"; to = \"a\"; },\n"
		"  { name = \"ca\"; type = \"xconnect\"; to = \"a\"; }\n"
		");\n"
		"ports = (\n"
		"  { name = \"a\"; dpdk = \"net_null0\"; rx_queues = 2; rx_desc = 256; tx_desc = 256; chain = [\"ab\"]; },\n"
		"  { name = \"b\"; dpdk = \"net_null1\"; rx_desc = 256; tx_desc = 256; chain = [\"ba\", \"ab\"]; },\n"
		"  { name = \"c\"; dpdk = \"net_null2\"; rx_desc = 256; tx_desc = 256; chain = [\"ca\"]; }\n"
		");\n");
	CU_ASSERT_EQUAL_FATAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(res.n_changes, 5); /* c added, ba changed, ca added, b chain, stats */
	CU_ASSERT(dp->st->handler[1] != ba);
	CU_ASSERT_EQUAL(dp->st->handler[1]->ch.u.xconnect.mac, PRX_MAC_KEEP);
	CU_ASSERT_EQUAL(polls(dp, 1, "b", 0)->chain.n, 2);
	CU_ASSERT_EQUAL(pollers(dp, "c", 0), 1);
	CU_ASSERT_EQUAL(prx_dp_conf(dp)->stats_interval, 3);
	CU_ASSERT_EQUAL(dp->reloads, 2); /* the unchanged one counts */

	/* back to the base: c and ca removed, ba changed back */
	write_conf(BASE);
	CU_ASSERT_EQUAL_FATAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(dp_port_slot(dp->st, "c"), -1);
	CU_ASSERT_EQUAL(dp->st->n_handlers, 2);
	CU_ASSERT_EQUAL(pollers(dp, "c", 0), 0);
	CU_ASSERT(dp->snap[0]->ports[2] == NULL);
	dp_down(dp, conf);
}

/* The reload's text: BASE with a port c (net_null2, address 10.0.3.1/24) that a router
 * on b routes to, and an acl on a; `rules` changes the acl. */
static void
write_routed(const char *rule)
{
	char text[2048];

	snprintf(
		text, sizeof(text),
		"mode = \"dpdk\";\n"
		"reactors = { cores = [1, 2]; engine = \"poll\"; };\n"
		"mempool = { mbufs = 16383; };\n"
		"handlers = (\n"
		"  { name = \"ab\"; type = \"xconnect\"; to = \"b\"; },\n"
		"  { name = \"ba\"; type = \"xconnect\"; to = \"a\"; mac = \"swap\"; },\n"
		"  { name = \"fw\"; type = \"acl\"; default = \"allow\"; rules = ( %s ); },\n"
		"  { name = \"rt\"; type = \"router\";\n"
		"    routes = ( { prefix = \"10.9.0.0/16\"; via = \"10.0.3.2\"; port = \"c\"; } ); }\n"
		");\n"
		"ports = (\n"
		"  { name = \"a\"; dpdk = \"net_null0\"; rx_queues = 2; rx_desc = 256; tx_desc = 256; chain = [\"fw\", \"ab\"]; },\n"
		"  { name = \"b\"; dpdk = \"net_null1\"; rx_desc = 256; tx_desc = 256; chain = [\"rt\"]; },\n"
		"  { name = \"c\"; dpdk = \"net_null2\"; address = \"10.0.3.1/24\"; rx_desc = 256; tx_desc = 256; }\n"
		");\n",
		rule);
	write_conf(text);
}

static void *
build_thread(void *arg)
{
	return (void *)(intptr_t)prx_dp_reload_build(arg);
}

/* A reload in steps, as the control socket runs it: the tables built on another thread;
 * a live change between the steps voids it (EAGAIN) without undoing that change; a job
 * dropped half-way closes what it opened and publishes nothing. */
static void
test_reload_steps(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	const struct prx_snapshot *s0 = dp->snap[0], *s1 = dp->snap[1];
	const char *chain_b[] = {"ab"};
	struct prx_dp_reload_job *j;
	uint64_t failures = dp->reload_failures;
	char msg[256];
	pthread_t t;
	void *rc;

	/* cheap handlers only: nothing to build */
	write_conf(BASE "stats_interval = 2;\n");
	CU_ASSERT_FATAL(prx_dp_reload_job_new(dp, NULL, &j) == 0);
	CU_ASSERT_EQUAL(prx_dp_reload_parse(j), 0);
	CU_ASSERT_EQUAL(prx_dp_reload_prepare(j), 0);
	CU_ASSERT_EQUAL(prx_dp_reload_commit(j), 0);
	CU_ASSERT_FALSE(prx_dp_reload_to_reap(j));
	prx_dp_reload_job_free(j);
	CU_ASSERT_EQUAL(prx_dp_conf(dp)->stats_interval, 2);

	/* a port, an acl and a router added: prepare opens c, the tables are built on
	 * another thread, the commit publishes all of it */
	write_routed("{ action = \"deny\"; proto = \"tcp\"; dst_port = \"23\"; }");
	CU_ASSERT_FATAL(prx_dp_reload_job_new(dp, NULL, &j) == 0);
	CU_ASSERT_EQUAL(prx_dp_reload_parse(j), 0);
	CU_ASSERT_EQUAL(prx_dp_reload_prepare(j), 1);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1); /* nothing published yet */
	CU_ASSERT_FATAL(pthread_create(&t, NULL, build_thread, j) == 0);
	pthread_join(t, &rc);
	CU_ASSERT_EQUAL((intptr_t)rc, 0);
	CU_ASSERT_EQUAL(prx_dp_reload_commit(j), 0);
	prx_dp_reload_job_free(j);
	CU_ASSERT(dp_port_slot(dp->st, "c") >= 0);
	CU_ASSERT(prx_handler_is_router(prx_dp_handler(dp, "rt")));
	CU_ASSERT_FATAL(polls(dp, 1, "b", 0) != NULL);
	CU_ASSERT_EQUAL(polls(dp, 1, "b", 0)->chain.n, 1);
	CU_ASSERT_STRING_EQUAL(polls(dp, 1, "b", 0)->chain.h[0]->name, "rt");
	s0 = dp->snap[0];
	s1 = dp->snap[1];

	/* the acl's rules change, and c goes: prepared, then a live change comes in */
	write_routed("{ action = \"deny\"; proto = \"udp\"; }");
	CU_ASSERT_FATAL(prx_dp_reload_job_new(dp, NULL, &j) == 0);
	CU_ASSERT_EQUAL(prx_dp_reload_parse(j), 0);
	CU_ASSERT_EQUAL(prx_dp_reload_prepare(j), 1);
	CU_ASSERT_EQUAL(prx_dp_reload_build(j), 0);
	CU_ASSERT_EQUAL_FATAL(prx_dp_chain_set(dp, "b", chain_b, 1, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(prx_dp_reload_commit(j), -EAGAIN);
	CU_ASSERT(strstr(prx_dp_reload_msg(j), "reload again") != NULL);
	CU_ASSERT_EQUAL(prx_dp_reload_result(j)->n_changes, 0);
	prx_dp_reload_job_free(j);
	CU_ASSERT_EQUAL(dp->reload_failures, failures + 1);
	CU_ASSERT_STRING_EQUAL(polls(dp, 1, "b", 0)->chain.h[0]->name, "ab"); /* kept */
	CU_ASSERT_FATAL(prx_dp_handler(dp, "fw") != NULL);
	CU_ASSERT_EQUAL(prx_acl_conf(prx_dp_handler(dp, "fw"))->rules[0].proto, 6); /* tcp */

	/* dropped after the prepare step: nothing published, counted as failed */
	s0 = dp->snap[0];
	s1 = dp->snap[1];
	write_conf(BASE);
	CU_ASSERT_FATAL(prx_dp_reload_job_new(dp, NULL, &j) == 0);
	CU_ASSERT_EQUAL(prx_dp_reload_parse(j), 0);
	CU_ASSERT(prx_dp_reload_prepare(j) >= 0);
	prx_dp_reload_job_free(j);
	CU_ASSERT(dp->snap[0] == s0 && dp->snap[1] == s1);
	CU_ASSERT_EQUAL(dp->reload_failures, failures + 2);
	CU_ASSERT(dp_port_slot(dp->st, "c") >= 0);

	/* and the whole of it through prx_dp_reload(): c, fw and rt go, freed at once */
	{
		static struct prx_dp_reload res;
		char m[1024];

		CU_ASSERT_EQUAL(prx_dp_reload(dp, NULL, &res, m, sizeof(m)), 0);
		CU_ASSERT_EQUAL(dp_port_slot(dp->st, "c"), -1);
		CU_ASSERT(prx_dp_handler(dp, "rt") == NULL);
	}
	dp_down(dp, conf);
}

/*
 * Adaptive reactors take DPDK queues (they need no wake-up fd), get the sleep policy of
 * the configuration and a ring fill time per queue; other engines' entries have none.
 */
static void
test_adaptive_engine(void)
{
	static const char text[] =
		"mode = \"dpdk\";\n"
		"reactors = { cores = [1, 2]; engines = [\"adaptive\", \"poll\"];\n"
		"  max_wakeup_us = 500; idle_polls = 64; };\n"
		"mempool = { mbufs = 16383; };\n"
		"handlers = ( { name = \"ab\"; type = \"xconnect\"; to = \"b\"; },\n"
		"  { name = \"ba\"; type = \"xconnect\"; to = \"a\"; } );\n"
		"ports = (\n"
		"  { name = \"a\"; dpdk = \"net_null0\"; rx_queues = 2; rx_desc = 256; chain = [\"ab\"]; },\n"
		"  { name = \"b\"; dpdk = \"net_null1\"; rx_desc = 512; chain = [\"ba\"]; }\n"
		");\n";
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(text, &conf);
	const struct prx_poll_entry *e;
	struct prx_port_link link;
	struct prx_dp_totals t;
	char msg[512];
	int from;

	CU_ASSERT_PTR_EQUAL(dp->reactors[0]->engine, &prx_engine_adaptive);
	CU_ASSERT_PTR_EQUAL(dp->reactors[1]->engine, &prx_engine_poll);
	CU_ASSERT_EQUAL(dp->reactors[0]->sleep.max_wakeup_us, 500);
	CU_ASSERT_EQUAL(dp->reactors[0]->sleep.idle_polls, 64);
	CU_ASSERT_EQUAL_FATAL(prx_port_link(dp->st->port[0]->port, &link), 0);
	CU_ASSERT_TRUE(link.up);
	e = polls(dp, 0, "a", 0);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->fill_us, prx_ring_fill_us(256, link.speed_mbps));
	CU_ASSERT(e->fill_us > 0);
	CU_ASSERT_EQUAL(polls(dp, 1, "b", 0)->fill_us, 0);
	/* a DPDK queue moves to the adaptive reactor and back */
	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "b", 0, 0, &from, msg, sizeof(msg)), 0);
	e = polls(dp, 0, "b", 0);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->fill_us, prx_ring_fill_us(512, link.speed_mbps));
	CU_ASSERT_EQUAL_FATAL(prx_dp_launch(dp), 0);
	usleep(20000);
	CU_ASSERT_EQUAL(prx_dp_queue_move(dp, "b", 0, 1, &from, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(polls(dp, 1, "b", 0)->fill_us, 0);
	CU_ASSERT(__atomic_load_n(&dp->reactors[0]->cur_gen, __ATOMIC_ACQUIRE) == dp->snap[0]->gen);
	prx_dp_stop(dp);
	prx_dp_totals(dp, &t);
	CU_ASSERT(t.st.rx > 0);
	CU_ASSERT(prx_dp_balanced(&t));
	dp_down(dp, conf);
}

/* Reactors forward net_null traffic while 200 changes go by; the books must balance. */
static void
test_changes_under_traffic(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	const char *ab[] = {"ab"}, *ba[] = {"ba"};
	struct prx_dp_totals t0, t1;
	struct prx_conf_port cp;
	char msg[512];
	int from;
	/* under valgrind, which runs one thread at a time, each change waits for two
	 * polling reactors to be scheduled: 50 rounds take minutes, 8 show the same */
	int rounds = getenv("PRX_UNDER_VALGRIND") != NULL ? 8 : 50;

	prx_conf_port_init(&cp);
	snprintf(cp.name, sizeof(cp.name), "c");
	cp.dpdk = "net_null2";
	cp.rx_desc = cp.tx_desc = 256;
	CU_ASSERT_EQUAL_FATAL(prx_dp_launch(dp), 0);
	usleep(20000);
	prx_dp_totals(dp, &t0);
	CU_ASSERT(t0.st.rx > 0);
	for (int i = 0; i < rounds; i++) {
		CU_ASSERT_EQUAL(
			prx_dp_queue_move(dp, "a", 0, (i & 1) == 0, &from, msg, sizeof(msg)), 0);
		CU_ASSERT_EQUAL(prx_dp_chain_set(dp, "b", (i & 1) ? ba : ab, 1, msg, sizeof(msg)),
				0);
		CU_ASSERT_EQUAL(prx_dp_port_add(dp, &cp, ab, 1, msg, sizeof(msg)), 0);
		CU_ASSERT_EQUAL(prx_dp_port_del(dp, "c", msg, sizeof(msg)), 0);
		for (unsigned int r = 0; r < 2; r++)
			CU_ASSERT_EQUAL(
				__atomic_load_n(&dp->reactors[r]->cur_gen, __ATOMIC_ACQUIRE),
				dp->snap[r]->gen);
		CU_ASSERT_EQUAL(pollers(dp, "a", 0), 1);
	}
	prx_dp_totals(dp, &t1);
	CU_ASSERT(t1.st.rx > t0.st.rx);
	prx_dp_stop(dp);
	prx_dp_totals(dp, &t1);
	CU_ASSERT(prx_dp_balanced(&t1));
	CU_ASSERT_EQUAL(t1.in_flight, 0);
	CU_ASSERT_EQUAL(dp->changes, (uint64_t)rounds * 4);
	dp_down(dp, conf);
}

static unsigned int consumed;

static void
consume(void *ctx, struct rte_mbuf *m)
{
	CU_ASSERT_PTR_EQUAL(ctx, &consumed);
	CU_ASSERT_EQUAL(prx_punt_reason(m), PRX_PUNT_LOCAL);
	consumed++;
	rte_pktmbuf_free(m);
}

/* The slow path: packets the control plane sends go out through reactor 0 as originated;
 * punted packets reach the consumer named in their metadata, unknown ones are freed. */
static void
test_slowpath(void)
{
	struct prx_conf *conf;
	struct prx_dataplane *dp = dp_up(BASE, &conf);
	struct prx_slowpath_stats ss;
	struct prx_dp_totals t;
	struct rte_ring *punt = dp->reactors[1]->pipe.punt;
	int id = prx_slowpath_consumer_add(consume, &consumed);

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL_FATAL(prx_dp_launch(dp), 0);
	for (int i = 0; i < 100; i++) {
		struct rte_mbuf *m = prx_slowpath_alloc();

		CU_ASSERT_FATAL(m != NULL);
		memset(rte_pktmbuf_append(m, 60), 0xab, 60);
		CU_ASSERT_EQUAL(prx_slowpath_send(1, m), 0);
	}
	CU_ASSERT_EQUAL(prx_slowpath_send(PRX_MAX_PORTS, prx_slowpath_alloc()), -EINVAL);
	usleep(20000);
	prx_dp_stop(dp);
	prx_dp_totals(dp, &t);
	CU_ASSERT_EQUAL(t.st.originated, 100);
	CU_ASSERT(prx_dp_balanced(&t));
	/* punts as a reactor makes them (the ring is single-producer: reactors stopped) */
	for (int i = 0; i < 10; i++) {
		struct rte_mbuf *m = prx_slowpath_alloc();

		prx_punt_meta_set(m, PRX_PUNT_LOCAL, 0, i < 7 ? (uint8_t)id : 0, 0);
		CU_ASSERT_EQUAL(rte_ring_sp_enqueue(punt, m), 0);
	}
	CU_ASSERT_EQUAL(prx_slowpath_poll(), 10);
	CU_ASSERT_EQUAL(consumed, 7);
	prx_slowpath_stats(&ss);
	CU_ASSERT_EQUAL(ss.unclaimed, 3);
	CU_ASSERT_EQUAL(ss.punts[PRX_PUNT_LOCAL], 10);
	CU_ASSERT_EQUAL(ss.sent, 100);
	CU_ASSERT_EQUAL(ss.send_failed, 1);
	prx_slowpath_consumer_del(id);
	dp_down(dp, conf);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_setup_snapshots),
		PRX_TEST(test_port_add_del),
		PRX_TEST(test_queue_move_chain_set),
		PRX_TEST(test_reload),
		PRX_TEST(test_changes_under_traffic),
		PRX_TEST(test_slowpath),
		PRX_TEST(test_adaptive_engine),
		PRX_TEST(test_reload_steps),
		{NULL, NULL},
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/prx-ut-dp.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 2;
	rc = prx_test_run("dataplane", cases, 2);
	unlink(strcat(dir, "/prx.cfg"));
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	return rc;
}
