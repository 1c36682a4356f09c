/* SPDX-License-Identifier: BSD-3-Clause */
/* Metrics: the text buffer, the escaper, both renderings (parsed back), published views. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics_internal.h"
#include "prx_common.h"
#include "prx_metrics.h"
#include "test_metrics.h"

static void
test_buf(void)
{
	struct prx_buf b = {0};
	char big[10000];

	prx_buf_printf(&b, "%s=%d;", "a", 1);
	CU_ASSERT_STRING_EQUAL(b.p, "a=1;");
	CU_ASSERT_EQUAL(b.len, 4);
	/* Past the first allocation, in one append and in many. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	prx_buf_printf(&b, "%s", big);
	CU_ASSERT_EQUAL(b.len, 4 + sizeof(big) - 1);
	for (int i = 0; i < 10000; i++)
		prx_buf_printf(&b, "%d,", i % 10);
	CU_ASSERT_EQUAL(b.len, 4 + sizeof(big) - 1 + 20000);
	CU_ASSERT_EQUAL(strlen(b.p), b.len);
	CU_ASSERT_STRING_EQUAL(b.p + b.len - 4, "8,9,");
	CU_ASSERT_FALSE(b.oom);
	prx_buf_free(&b);
	CU_ASSERT_PTR_NULL(b.p);
	CU_ASSERT_EQUAL(b.len, 0);
	prx_buf_free(&b);
}

static void
test_escape(void)
{
	struct prx_buf b = {0};

	prx__metrics_escape(&b, "plain", SIZE_MAX);
	CU_ASSERT_STRING_EQUAL(b.p, "plain");
	prx_buf_free(&b);
	prx__metrics_escape(&b, "a\"b\\c\nd\"", SIZE_MAX);
	CU_ASSERT_STRING_EQUAL(b.p, "a\\\"b\\\\c\\nd\\\"");
	prx_buf_free(&b);
	/* Bounded by n (a full fixed-size field has no NUL), stopped by a NUL. */
	prx__metrics_escape(&b, "ab\\cd", 3);
	CU_ASSERT_STRING_EQUAL(b.p, "ab\\\\");
	prx__metrics_escape(&b, "x\0y", 3);
	CU_ASSERT_STRING_EQUAL(b.p, "ab\\\\x");
	prx_buf_free(&b);
	prx__metrics_escape(&b, "", SIZE_MAX);
	CU_ASSERT_EQUAL(b.len, 0);
	prx_buf_free(&b);
}

static const char *const all_families[] = {
	"prx_port_rx_packets", "prx_port_tx_packets", "prx_port_tx_dropped_packets",
	"prx_port_hw_ipackets", "prx_port_hw_opackets", "prx_port_hw_ibytes", "prx_port_hw_obytes",
	"prx_port_hw_imissed", "prx_port_hw_ierrors", "prx_port_hw_oerrors",
	"prx_port_hw_rx_nombuf", "prx_rxq_packets", "prx_txq_packets", "prx_txq_dropped_packets",
	"prx_reactor_rx_packets", "prx_reactor_tx_packets", "prx_reactor_originated_packets",
	"prx_reactor_punted_packets", "prx_reactor_dropped_packets", "prx_reactor_iterations",
	"prx_reactor_busy_seconds", "prx_reactor_empty_seconds", "prx_reactor_sleep_seconds",
	"prx_reactor_idle_seconds", "prx_reactor_snapshot_switches", "prx_reactor_sleeps",
	"prx_handler_packets", "prx_handler_dropped_packets", "prx_dropped_packets", "prx_changes",
	"prx_reloads", "prx_reload_failures",
	/* gauges */
	NULL, "prx_port_link_up", "prx_reactor_busy_ratio", "prx_reactor_in_flight_packets",
	"prx_accounting_balanced", "prx_mbufs", "prx_mbufs_in_use"};

static void
render(const struct prx_view *v, bool om, struct tm_expo *e)
{
	struct prx_buf b = {0};

	prx_metrics_render(v, om, &b);
	CU_ASSERT_FATAL(!b.oom && b.p != NULL);
	if (tm_parse(e, b.p, b.len, om) != 0)
		fprintf(stderr, "\n%s\n%s", e->err, b.p);
	CU_ASSERT_STRING_EQUAL(e->err, "");
	if (om)
		CU_ASSERT_STRING_EQUAL(b.p + b.len - 7, "\n# EOF\n");
	prx_buf_free(&b);
}

static void
test_render_text(void)
{
	struct prx_view *v = tm_make_view(false);
	struct tm_expo e;
	bool gauge = false;

	render(v, false, &e);
	tm_check_values(&e);
	for (size_t i = 0; i < PRX_ARRAY_SIZE(all_families); i++) {
		char name[128];
		const struct tm_family *f;

		if (all_families[i] == NULL) {
			gauge = true;
			continue;
		}
		snprintf(name, sizeof(name), "%s%s", all_families[i], gauge ? "" : "_total");
		f = tm_family(&e, name);
		CU_ASSERT_PTR_NOT_NULL(f);
		if (f != NULL)
			CU_ASSERT_STRING_EQUAL(f->type, gauge ? "gauge" : "counter");
	}
	/* 0.0.4 has no info type: a gauge. */
	CU_ASSERT_PTR_NOT_NULL(tm_family(&e, "prx_port_info"));
	CU_ASSERT_EQUAL(e.n_f, (int)PRX_ARRAY_SIZE(all_families) - 1 /* NULL */ + 1 /* info */);
	tm_free(&e);

	/* No TSC rate: no seconds.  No hw_ok port: no hardware families at all. */
	v->tsc_hz = 0;
	v->ports[0].hw_ok = false;
	render(v, false, &e);
	CU_ASSERT_PTR_NULL(tm_family(&e, "prx_reactor_busy_seconds_total"));
	CU_ASSERT_PTR_NULL(tm_family(&e, "prx_port_hw_ipackets_total"));
	CU_ASSERT_EQUAL(tm_count(&e, "prx_reactor_iterations_total"), 2);
	tm_free(&e);
	prx_view_free(v);
}

static void
test_render_openmetrics(void)
{
	struct prx_view *v = tm_make_view(false);
	struct tm_expo e, t;
	const struct tm_family *f;

	render(v, true, &e);
	tm_check_values(&e);
	/* The same series and values as the text format. */
	render(v, false, &t);
	CU_ASSERT_EQUAL(e.n_s, t.n_s);
	for (int i = 0; i < t.n_s; i++)
		CU_ASSERT_DOUBLE_EQUAL(tm_value(&e, t.s[i].name, t.s[i].labels), t.s[i].value, 0);
	CU_ASSERT_EQUAL(e.n_f, t.n_f);
	for (int i = 0; i < e.n_f; i++)
		CU_ASSERT_FALSE(tm_ends_with(e.f[i].name, "_total"));
	f = tm_family(&e, "prx_dropped_packets");
	CU_ASSERT(f != NULL && strcmp(f->type, "counter") == 0);
	f = tm_family(&e, "prx_port");
	CU_ASSERT(f != NULL && strcmp(f->type, "info") == 0);
	f = tm_family(&e, "prx_reactor_busy_seconds");
	CU_ASSERT(f != NULL && f->n_unit == 1);
	f = tm_family(&e, "prx_reactor_busy_ratio");
	CU_ASSERT(f != NULL && strcmp(f->type, "gauge") == 0);
	tm_free(&e);
	tm_free(&t);
	prx_view_free(v);
}

static void
test_render_empty_view(void)
{
	struct prx_view *v = prx_view_alloc(0, 0, 0);
	struct tm_expo e;

	CU_ASSERT_FATAL(v != NULL);
	for (int om = 0; om < 2; om++) {
		render(v, om, &e);
		/* Totals are always there, each drop reason included. */
		CU_ASSERT_EQUAL(tm_count(&e, "prx_dropped_packets_total"), PRX_DROP_MAX);
		CU_ASSERT_EQUAL(tm_count(&e, "prx_port_rx_packets_total"), 0);
		CU_ASSERT_EQUAL(e.n_f, 7); /* totals, accounting, control, mbufs */
		tm_free(&e);
	}
	prx_view_free(v);
}

/* --- views --- */

static void
test_view_alloc_free(void)
{
	struct prx_view *v = prx_view_alloc(3, 2, 1);

	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_EQUAL(v->n_ports, 3);
	CU_ASSERT_EQUAL(v->n_reactors, 2);
	CU_ASSERT_EQUAL(v->n_handlers, 1);
	CU_ASSERT_EQUAL(v->ports[2].n_rxq, 0);
	CU_ASSERT_PTR_NULL(v->ports[2].rxq);
	CU_ASSERT_EQUAL(prx_view_port_queues(&v->ports[0], 4, 2), 0);
	CU_ASSERT_EQUAL(v->ports[0].n_rxq, 4);
	CU_ASSERT_EQUAL(v->ports[0].txq[1].packets, 0);
	/* Again: replaces the arrays (ASan's leak check says whether the old ones went). */
	CU_ASSERT_EQUAL(prx_view_port_queues(&v->ports[0], 1, 0), 0);
	CU_ASSERT_PTR_NULL(v->ports[0].txq);
	CU_ASSERT_EQUAL(prx_view_port_queues(&v->ports[1], 0, 8), 0);
	prx_view_free(v);
	prx_view_free(NULL);
	v = prx_view_alloc(0, 0, 0);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_PTR_NULL(v->ports);
	prx_view_free(v);
}

static void
test_view_publish(void)
{
	struct prx_view *a = prx_view_alloc(1, 0, 0), *b = prx_view_alloc(1, 0, 0), *g1, *g2;

	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_PTR_NULL(prx_view_get());
	prx_view_put(NULL);
	prx_view_publish(a);
	prx_view_publish(a); /* again: still published, not freed */
	g1 = prx_view_get();
	CU_ASSERT_PTR_EQUAL(g1, a);
	prx_view_publish(b);
	/* a is unpublished but referenced: still whole (ASan would see a use after free). */
	CU_ASSERT_EQUAL(g1->n_ports, 1);
	g2 = prx_view_get();
	CU_ASSERT_PTR_EQUAL(g2, b);
	prx_view_put(g1); /* last reference of a: freed */
	prx_view_publish(NULL);
	CU_ASSERT_PTR_NULL(prx_view_get());
	CU_ASSERT_EQUAL(g2->n_ports, 1);
	prx_view_put(g2); /* frees b */
}

#define READERS 4
#define PUBLISHES 1000

struct reader {
	pthread_t th;
	long gets, bad;
};

static int stop_readers;

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	uint64_t last = 0;

	while (!__atomic_load_n(&stop_readers, __ATOMIC_ACQUIRE)) {
		struct prx_view *v = prx_view_get();
		char name[PRX_NAME_MAX];

		if (v == NULL) {
			sched_yield();
			continue;
		}
		snprintf(name, sizeof(name), "v%" PRIu64, v->changes);
		/* Every field as the writer set it, and never an older view than before. */
		if (v->reloads != 2 * v->changes || v->changes < last ||
		    strcmp(v->ports[0].name, name) != 0 || v->ports[0].rxq[0].packets != v->changes)
			r->bad++;
		last = v->changes;
		/* Sometimes hold it across a publication or two. */
		if (__atomic_add_fetch(&r->gets, 1, __ATOMIC_RELAXED) % 64 == 0)
			usleep(50);
		prx_view_put(v);
	}
	return NULL;
}

/* Wait (5 s at most) until every reader has taken `n` more views than in `base`. */
static void
wait_readers(struct reader *rd, const long *base, long n)
{
	for (int i = 0, tries = 0; i < READERS && tries < 5000; tries++)
		if (__atomic_load_n(&rd[i].gets, __ATOMIC_RELAXED) >= base[i] + n)
			i++;
		else
			usleep(1000);
}

static void
test_view_publish_threads(void)
{
	struct reader rd[READERS] = {0};
	long base[READERS] = {0};

	__atomic_store_n(&stop_readers, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++)
		CU_ASSERT_FATAL(pthread_create(&rd[i].th, NULL, reader_main, &rd[i]) == 0);
	for (uint64_t k = 1; k <= PUBLISHES; k++) {
		struct prx_view *v = prx_view_alloc(1, 1, 0);

		CU_ASSERT_FATAL(v != NULL);
		CU_ASSERT_FATAL(prx_view_port_queues(&v->ports[0], 1, 1) == 0);
		v->changes = k;
		v->reloads = 2 * k;
		v->ports[0].rxq[0].packets = k;
		snprintf(v->ports[0].name, sizeof(v->ports[0].name), "v%" PRIu64, k);
		prx_view_publish(v);
		/* Readers running from the first view on, even on a loaded machine. */
		if (k == 1)
			wait_readers(rd, base, 1);
		if (k % 16 == 0)
			usleep(20);
	}
	for (int i = 0; i < READERS; i++)
		base[i] = __atomic_load_n(&rd[i].gets, __ATOMIC_RELAXED);
	wait_readers(rd, base, 10);
	__atomic_store_n(&stop_readers, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++) {
		pthread_join(rd[i].th, NULL);
		CU_ASSERT_EQUAL(rd[i].bad, 0);
		CU_ASSERT(rd[i].gets >= base[i] + 10);
	}
	prx_view_publish(NULL);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_buf),
		PRX_TEST(test_escape),
		PRX_TEST(test_render_text),
		PRX_TEST(test_render_openmetrics),
		PRX_TEST(test_render_empty_view),
		PRX_TEST(test_view_alloc_free),
		PRX_TEST(test_view_publish),
		PRX_TEST(test_view_publish_threads),
	};
	struct prx_test_case all[48];
	size_t n = 0;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++)
		all[n++] = cases[i];
	for (const struct prx_test_case *c = tm_http_cases; c->name != NULL; c++)
		if (n < PRX_ARRAY_SIZE(all) - 1)
			all[n++] = *c;
	for (const struct prx_test_case *c = tm_conn_cases; c->name != NULL; c++)
		if (n < PRX_ARRAY_SIZE(all) - 1)
			all[n++] = *c;
	all[n] = (struct prx_test_case){NULL, NULL};
	return prx_test_run("metrics", all, 0);
}
