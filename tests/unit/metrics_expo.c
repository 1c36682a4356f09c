/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics suite's reference data: a hand-built view, and a parser that checks an
 * exposition against the format's rules before the tests look at its values.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prx_common.h"
#include "test_metrics.h"

/* --- the view --- */

static void
fill_port(struct prx_view_port *p, const char *name, const char *driver, const char *device,
	  uint16_t slot, int8_t link)
{
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->driver, sizeof(p->driver), "%s", driver);
	snprintf(p->device, sizeof(p->device), "%s", device);
	p->slot = slot;
	p->link = link;
	p->socket = -1;
}

struct prx_view *
tm_make_view(bool big)
{
	struct prx_view *v = prx_view_alloc(big ? 80 : 2, 2, 1);
	struct prx_view_port *in, *out;

	CU_ASSERT_FATAL(v != NULL);
	v->tsc_hz = 2000000000;
	in = &v->ports[0];
	out = &v->ports[1];
	fill_port(in, "in", "dpdk", "0000:00:08.0", 0, 1);
	in->sw = (struct prx_port_sw_stats){.rx = 1000, .tx = 900, .tx_drop = 7};
	in->hw = (struct prx_port_hw_stats){1100, 950, 123456789012ull, 98765, 11, 2, 1, 3};
	in->hw_ok = true;
	CU_ASSERT_FATAL(prx_view_port_queues(in, 2, 2) == 0);
	in->rxq[0] = (struct prx_view_rxq){600, 0};
	in->rxq[1] = (struct prx_view_rxq){400, 1};
	in->txq[0] = (struct prx_view_txq){500, 3};
	in->txq[1] = (struct prx_view_txq){400, 4};
	fill_port(out, "out", "afpacket", TM_ODD_DEVICE, 1, -1);
	out->sw = (struct prx_port_sw_stats){.rx = 50, .tx = 40};
	out->hw = (struct prx_port_hw_stats){999, 999, 999, 999, 999, 999, 999, 999};
	CU_ASSERT_FATAL(prx_view_port_queues(out, 1, 2) == 0);
	out->rxq[0] = (struct prx_view_rxq){50, -1}; /* being moved */
	out->txq[0] = (struct prx_view_txq){20, 0};
	out->txq[1] = (struct prx_view_txq){20, 0};
	for (unsigned int i = 2; i < v->n_ports; i++) {
		char name[16];

		snprintf(name, sizeof(name), "p%u", i);
		fill_port(&v->ports[i], name, "dpdk", "net_null0", (uint16_t)i, 0);
		CU_ASSERT_FATAL(prx_view_port_queues(&v->ports[i], 1024, 2) == 0);
		for (unsigned int q = 0; q < 1024; q++)
			v->ports[i].rxq[q] = (struct prx_view_rxq){q * 1000003ull, (int)(q % 2)};
	}
	for (unsigned int r = 0; r < 2; r++) {
		struct prx_view_reactor *vr = &v->reactors[r];

		vr->id = (uint16_t)r;
		vr->lcore = 2 + r;
		vr->st = (struct prx_pipe_stats){.rx = r ? 350 : 700,
						 .originated = r ? 0 : 5,
						 .tx = r ? 340 : 600,
						 .punted = r};
		for (unsigned int d = 0; d < PRX_DROP_MAX; d++)
			vr->st.drop[d] = r ? d : d * 10; /* chain_end stays 0 */
		vr->in_flight = 2 - r;
		vr->rs = (struct prx_reactor_stats){.iterations = 100000 + r,
						    .busy_cycles = r ? 1000000000 : 3000000000,
						    .empty_cycles = 600000000,
						    .sleep_cycles = 400000000,
						    .idle_cycles = 1000000000,
						    .sleeps = 7 + r,
						    .switches = 4};
		vr->busy_pct = r ? 50.0 : 12.5;
		prx_pipe_stats_add(&v->total, &vr->st);
		v->in_flight += vr->in_flight;
	}
	v->dropped = prx_pipe_stats_dropped(&v->total);
	snprintf(v->handlers[0].name, sizeof(v->handlers[0].name), "fwd");
	snprintf(v->handlers[0].type, sizeof(v->handlers[0].type), "xconnect");
	v->handlers[0].in = 1050;
	v->handlers[0].dropped = 5;
	v->balanced = true;
	v->changes = 4;
	v->reloads = 2;
	v->reload_failures = 1;
	return v;
}

/* --- the parser --- */

static int
fail(struct tm_expo *e, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->err[0] != '\0')
		return -1;
	n = snprintf(e->err, sizeof(e->err), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(e->err + n, sizeof(e->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

static bool
valid_name(const char *s, bool colon)
{
	if (!name_char(s[0], true) || (!colon && s[0] == ':'))
		return false;
	for (s++; *s != '\0'; s++)
		if (!name_char(*s, false) || (!colon && *s == ':'))
			return false;
	return true;
}

bool
tm_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Escapes allowed in HELP text: \\ and \n, and \" in OpenMetrics. */
static bool
valid_help(const char *s, bool om)
{
	for (; *s != '\0'; s++)
		if (*s == '\\' && !(s[1] == '\\' || s[1] == 'n' || (om && s[1] == '"')))
			return false;
		else if (*s == '\\')
			s++;
		else if (om && *s == '"')
			return false;
	return true;
}

/* `name{labels}` then a value: fills s, @return NULL or what is wrong. */
static const char *
parse_sample(char *line, struct tm_sample *s)
{
	char *p = line, *end;
	size_t n;

	while (name_char(*p, p == line))
		p++;
	n = (size_t)(p - line);
	if (n == 0 || n >= sizeof(s->name))
		return "bad metric name";
	memcpy(s->name, line, n);
	s->name[n] = '\0';
	s->labels[0] = '\0';
	if (*p == '{') {
		char *l = ++p, keys[16][64];
		int n_keys = 0;

		while (*p != '}') {
			char *k = p;

			while (name_char(*p, p == k) && *p != ':')
				p++;
			if (p == k || p - k >= 64 || p[0] != '=' || p[1] != '"')
				return "bad label name";
			for (int i = 0; i < n_keys; i++)
				if (strncmp(keys[i], k, (size_t)(p - k)) == 0 &&
				    keys[i][p - k] == '\0')
					return "label twice";
			if (n_keys == 16)
				return "too many labels";
			snprintf(keys[n_keys++], 64, "%.*s", (int)(p - k), k);
			for (p += 2; *p != '"'; p++) {
				if (*p == '\0')
					return "unterminated label value";
				if (*p == '\\' && strchr("\\\"n", p[1]) == NULL)
					return "bad escape in label value";
				if (*p == '\\')
					p++;
			}
			p++;
			if (*p == ',' && p[1] != '}')
				p++;
			else if (*p != '}')
				return "bad label separator";
		}
		if ((size_t)(p - l) >= sizeof(s->labels))
			return "labels too long";
		memcpy(s->labels, l, (size_t)(p - l));
		s->labels[p - l] = '\0';
		p++;
	}
	if (*p != ' ' || p[1] == '\0')
		return "no value";
	s->value = strtod(p + 1, &end);
	if (end == p + 1 || *end != '\0')
		return "bad value";
	return NULL;
}

static struct tm_family *
find_family(struct tm_expo *e, const char *name)
{
	for (int i = 0; i < e->n_f; i++)
		if (strcmp(e->f[i].name, name) == 0)
			return &e->f[i];
	return NULL;
}

static int
parse_meta(struct tm_expo *e, int ln, char *line, bool om, struct tm_family **cur)
{
	char kw[8], name[128];
	const char *rest;
	int off = 0;

	if (sscanf(line, "# %7s %127s %n", kw, name, &off) < 2 || off == 0)
		return fail(e, ln, "bad comment \"%s\"", line);
	rest = line + off;
	if (!valid_name(name, true))
		return fail(e, ln, "bad family name %s", name);
	if (*cur == NULL || strcmp((*cur)->name, name) != 0) {
		if (find_family(e, name) != NULL)
			return fail(e, ln, "family %s appears twice", name);
		if (e->n_f == (int)PRX_ARRAY_SIZE(e->f))
			return fail(e, ln, "too many families");
		*cur = &e->f[e->n_f++];
		snprintf((*cur)->name, sizeof((*cur)->name), "%s", name);
	}
	if ((*cur)->n_samples != 0)
		return fail(e, ln, "metadata of %s after its samples", name);
	if (strcmp(kw, "HELP") == 0) {
		if ((*cur)->n_help++ != 0 || !valid_help(rest, om))
			return fail(e, ln, "second or bad HELP of %s", name);
	} else if (strcmp(kw, "TYPE") == 0) {
		if ((*cur)->type[0] != '\0' ||
		    !(strcmp(rest, "counter") == 0 || strcmp(rest, "gauge") == 0 ||
		      (om && strcmp(rest, "info") == 0)))
			return fail(e, ln, "second or bad TYPE of %s", name);
		memcpy((*cur)->type, rest, strlen(rest) + 1); /* one of the three above */
		/* How client libraries name counters: with _total in 0.0.4, without in OM. */
		if (strcmp(rest, "counter") == 0 && tm_ends_with(name, "_total") != !om)
			return fail(e, ln, "counter family %s misnamed", name);
	} else if (strcmp(kw, "UNIT") == 0 && om) {
		char suffix[64];

		snprintf(suffix, sizeof(suffix), "_%s", rest);
		if ((*cur)->n_unit++ != 0 || !tm_ends_with(name, suffix))
			return fail(e, ln, "second or bad UNIT of %s", name);
	} else {
		return fail(e, ln, "unknown comment %s", kw);
	}
	return 0;
}

static int
cmp_series(const void *a, const void *b)
{
	const struct tm_sample *x = *(const struct tm_sample *const *)a;
	const struct tm_sample *y = *(const struct tm_sample *const *)b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->labels, y->labels);
}

/* Sorted, so that the big exposition (30 000 series) is checked in n log n. */
static int
no_series_twice(struct tm_expo *e)
{
	const struct tm_sample **v = calloc((size_t)e->n_s + 1, sizeof(*v));
	int rc = 0;

	CU_ASSERT_FATAL(v != NULL);
	for (int i = 0; i < e->n_s; i++)
		v[i] = &e->s[i];
	qsort(v, (size_t)e->n_s, sizeof(*v), cmp_series);
	for (int i = 1; i < e->n_s && rc == 0; i++)
		if (cmp_series(&v[i - 1], &v[i]) == 0)
			rc = fail(e, 0, "series %s{%s} twice", v[i]->name, v[i]->labels);
	free(v);
	return rc;
}

int
tm_parse(struct tm_expo *e, const char *text, size_t len, bool om)
{
	struct tm_family *cur = NULL;
	const char *p = text, *end = text + len;
	int ln = 0;

	memset(e, 0, sizeof(*e));
	if (len == 0 || text[len - 1] != '\n')
		return fail(e, 0, "does not end with a newline");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		char expect[160], line[2048];
		struct tm_sample s;
		const char *why;

		ln++;
		if (n >= sizeof(line) || memchr(p, '\0', n) != NULL)
			return fail(e, ln, "line too long or with a NUL");
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (e->eof)
			return fail(e, ln, "content after # EOF");
		if (n == 0)
			return fail(e, ln, "empty line");
		if (strcmp(line, "# EOF") == 0 && om) {
			e->eof = true;
			continue;
		}
		if (line[0] == '#') {
			if (parse_meta(e, ln, line, om, &cur) != 0)
				return -1;
			continue;
		}
		why = parse_sample(line, &s);
		if (why != NULL)
			return fail(e, ln, "%s: \"%s\"", why, line);
		if (cur == NULL || cur->n_help != 1 || cur->type[0] == '\0')
			return fail(e, ln, "sample %s without HELP and TYPE", s.name);
		snprintf(expect, sizeof(expect), "%s%s", cur->name,
			 !om				     ? ""
			 : strcmp(cur->type, "counter") == 0 ? "_total"
			 : strcmp(cur->type, "info") == 0    ? "_info"
							     : "");
		if (strcmp(s.name, expect) != 0)
			return fail(e, ln, "sample %s in family %s", s.name, cur->name);
		if (e->n_s == e->cap_s) {
			e->cap_s = e->cap_s != 0 ? 2 * e->cap_s : 256;
			e->s = realloc(e->s, (size_t)e->cap_s * sizeof(*e->s));
			CU_ASSERT_FATAL(e->s != NULL);
		}
		e->s[e->n_s++] = s;
		cur->n_samples++;
	}
	if (om && !e->eof)
		return fail(e, ln, "no # EOF");
	return no_series_twice(e);
}

void
tm_free(struct tm_expo *e)
{
	free(e->s);
	e->s = NULL;
}

double
tm_value(const struct tm_expo *e, const char *name, const char *labels)
{
	for (int i = 0; i < e->n_s; i++)
		if (strcmp(e->s[i].name, name) == 0 && strcmp(e->s[i].labels, labels) == 0)
			return e->s[i].value;
	return NAN;
}

int
tm_count(const struct tm_expo *e, const char *name)
{
	int n = 0;

	for (int i = 0; i < e->n_s; i++)
		n += strcmp(e->s[i].name, name) == 0;
	return n;
}

const struct tm_family *
tm_family(const struct tm_expo *e, const char *name)
{
	return find_family((struct tm_expo *)e, name);
}

/* --- expected values --- */

#define VAL(e, name, labels, want) CU_ASSERT_DOUBLE_EQUAL(tm_value(e, name, labels), want, 1e-9)

void
tm_check_values(const struct tm_expo *e)
{
	char lab[128];

	VAL(e, "prx_port_rx_packets_total", "port=\"in\"", 1000);
	VAL(e, "prx_port_tx_dropped_packets_total", "port=\"in\"", 7);
	VAL(e, "prx_port_tx_packets_total", "port=\"out\"", 40);
	VAL(e, "prx_port_hw_ibytes_total", "port=\"in\"", 123456789012.0);
	VAL(e, "prx_port_hw_rx_nombuf_total", "port=\"in\"", 3);
	/* Only hw_ok ports have hardware counters; a link state only when known. */
	CU_ASSERT_EQUAL(tm_count(e, "prx_port_hw_imissed_total"), 1);
	CU_ASSERT_EQUAL(tm_count(e, "prx_port_link_up"), 1);
	VAL(e, "prx_port_link_up", "port=\"in\"", 1);
	VAL(e, "prx_port_info",
	    "port=\"out\",driver=\"afpacket\",device=\"" TM_ODD_DEVICE_ESCAPED "\",slot=\"1\"", 1);
	VAL(e, "prx_rxq_packets_total", "port=\"in\",queue=\"1\",reactor=\"1\"", 400);
	/* The queue being moved has no owner this time. */
	CU_ASSERT_EQUAL(tm_count(e, "prx_rxq_packets_total"), 2);
	VAL(e, "prx_txq_packets_total", "port=\"in\",queue=\"0\"", 500);
	VAL(e, "prx_txq_dropped_packets_total", "port=\"in\",queue=\"1\"", 4);
	CU_ASSERT_EQUAL(tm_count(e, "prx_txq_dropped_packets_total"), 4);
	VAL(e, "prx_reactor_rx_packets_total", "reactor=\"1\",lcore=\"3\"", 350);
	VAL(e, "prx_reactor_originated_packets_total", "reactor=\"0\",lcore=\"2\"", 5);
	VAL(e, "prx_reactor_punted_packets_total", "reactor=\"1\",lcore=\"3\"", 1);
	VAL(e, "prx_reactor_busy_ratio", "reactor=\"0\"", 0.125);
	VAL(e, "prx_reactor_busy_seconds_total", "reactor=\"0\"", 1.5);
	VAL(e, "prx_reactor_idle_seconds_total", "reactor=\"1\"", 0.5);
	VAL(e, "prx_reactor_empty_seconds_total", "reactor=\"1\"", 0.3);
	VAL(e, "prx_reactor_sleep_seconds_total", "reactor=\"0\"", 0.2);
	VAL(e, "prx_reactor_sleeps_total", "reactor=\"1\"", 8);
	VAL(e, "prx_reactor_iterations_total", "reactor=\"1\"", 100001);
	VAL(e, "prx_reactor_in_flight_packets", "reactor=\"0\"", 2);
	VAL(e, "prx_reactor_snapshot_switches_total", "reactor=\"0\"", 4);
	VAL(e, "prx_handler_packets_total", "handler=\"fwd\",type=\"xconnect\"", 1050);
	VAL(e, "prx_handler_dropped_packets_total", "handler=\"fwd\",type=\"xconnect\"", 5);
	/* Every reason, zeros included, per reactor and in total. */
	CU_ASSERT_EQUAL(tm_count(e, "prx_reactor_dropped_packets_total"), 2 * PRX_DROP_MAX);
	CU_ASSERT_EQUAL(tm_count(e, "prx_dropped_packets_total"), PRX_DROP_MAX);
	for (unsigned int d = 0; d < PRX_DROP_MAX; d++) {
		const char *r = prx_drop_name((enum prx_drop_reason)d);

		snprintf(lab, sizeof(lab), "reactor=\"0\",reason=\"%s\"", r);
		VAL(e, "prx_reactor_dropped_packets_total", lab, d * 10);
		snprintf(lab, sizeof(lab), "reactor=\"1\",reason=\"%s\"", r);
		VAL(e, "prx_reactor_dropped_packets_total", lab, d);
		snprintf(lab, sizeof(lab), "reason=\"%s\"", r);
		VAL(e, "prx_dropped_packets_total", lab, d * 11);
	}
	VAL(e, "prx_accounting_balanced", "", 1);
	VAL(e, "prx_changes_total", "", 4);
	VAL(e, "prx_reloads_total", "", 2);
	VAL(e, "prx_reload_failures_total", "", 1);
}
