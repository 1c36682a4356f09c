/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats --watch: show.stats every INTERVAL seconds on one connection, printed as rates.
 * prxd only has counters, so a rate is the difference of two samples over the time
 * between them as measured here on CLOCK_MONOTONIC (the requested interval is only
 * approximate: sleeping and the round trip add to it).  A first sample is taken as the
 * baseline and not printed.
 *
 * --json prints one object per line per sample:
 *   {"t": seconds since the baseline, "ports": [{"name", "rx_pps", "tx_pps"}],
 *    "rx_pps", "tx_pps", "dropped_pps"}       (totals; null when not computable)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prxctl.h"

static bool
counter(const json_t *o, const char *key, json_int_t *v)
{
	const json_t *c = json_object_get(o, key);

	if (!json_is_integer(c) || json_integer_value(c) < 0)
		return false;
	*v = json_integer_value(c);
	return true;
}

/* A counter's rate between two samples; null when it cannot be told: absent from either,
 * or smaller now (a port removed and added again restarts its counters). */
static json_t *
rate(const json_t *prev, const json_t *cur, const char *key, double dt)
{
	json_int_t a, b;

	if (prev == NULL || !counter(prev, key, &a) || !counter(cur, key, &b) || b < a || dt <= 0)
		return json_null();
	return json_real((double)(b - a) / dt);
}

static const json_t *
find_port(const json_t *ports, const char *name)
{
	size_t i;
	json_t *p;

	for (i = 0; i < json_array_size(ports); i++) {
		p = json_array_get(ports, i);
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

/* Ports are matched by name, not position: ports come and go while we watch. */
static json_t *
sample_rates(const json_t *prev, const json_t *cur, double t, double dt)
{
	const json_t *prev_ports = json_object_get(prev, "ports");
	const json_t *cur_ports = json_object_get(cur, "ports");
	const json_t *prev_tot = json_object_get(prev, "totals");
	const json_t *cur_tot = json_object_get(cur, "totals");
	json_t *s = json_object(), *ports = json_array(), *p;
	size_t i;

	for (i = 0; i < json_array_size(cur_ports); i++) {
		const char *name;
		const json_t *old;
		json_t *o;

		p = json_array_get(cur_ports, i);
		name = json_string_value(json_object_get(p, "name"));
		if (name == NULL)
			continue;
		old = find_port(prev_ports, name);
		o = json_object();
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "rx_pps", rate(old, p, "rx", dt));
		json_object_set_new(o, "tx_pps", rate(old, p, "tx", dt));
		json_array_append_new(ports, o);
	}
	json_object_set_new(s, "t", json_real(t));
	json_object_set_new(s, "ports", ports);
	json_object_set_new(s, "rx_pps", rate(prev_tot, cur_tot, "rx", dt));
	json_object_set_new(s, "tx_pps", rate(prev_tot, cur_tot, "tx", dt));
	json_object_set_new(s, "dropped_pps", rate(prev_tot, cur_tot, "dropped", dt));
	return s;
}

/* A rate for people: whole packets per second, "-" when unknown. */
static json_t *
whole(const json_t *r)
{
	return json_is_real(r) ? json_integer((json_int_t)(json_real_value(r) + 0.5)) : json_null();
}

static void
print_human(FILE *f, const json_t *s, bool first)
{
	static const char *const totals[] = {"rx_pps", "tx_pps", "dropped_pps"};
	const json_t *ports = json_object_get(s, "ports");
	json_t *rows = json_array(), *p;
	char now[16], *tot[3];
	time_t wall = time(NULL);
	struct tm tm;
	size_t i;

	for (i = 0; i < 3; i++) {
		json_t *w = whole(json_object_get(s, totals[i]));

		tot[i] = render_cell(w);
		json_decref(w);
	}
	localtime_r(&wall, &tm);
	strftime(now, sizeof(now), "%H:%M:%S", &tm);
	if (!first)
		fputc('\n', f); /* a blank line between samples */
	fprintf(f, "%s  total rx %s pps  tx %s pps  dropped %s/s\n", now, tot[0], tot[1], tot[2]);
	for (i = 0; i < 3; i++)
		free(tot[i]);
	for (i = 0; i < json_array_size(ports); i++) {
		json_t *row = json_object();

		p = json_array_get(ports, i);
		json_object_set(row, "port", json_object_get(p, "name"));
		json_object_set_new(row, "rx_pps", whole(json_object_get(p, "rx_pps")));
		json_object_set_new(row, "tx_pps", whole(json_object_get(p, "tx_pps")));
		json_array_append_new(rows, row);
	}
	if (json_array_size(rows) > 0)
		render_table(f, rows, 2);
	else
		fputs("  (no ports)\n", f);
	json_decref(rows);
}

static void
sleep_until(uint64_t t_ns)
{
	struct timespec ts = {.tv_sec = (time_t)(t_ns / 1000000000u),
			      .tv_nsec = (long)(t_ns % 1000000000u)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int
stats_watch(struct ctl_conn *c, double interval, long count, bool json)
{
	uint64_t step = (uint64_t)(interval * 1e9), start, prev_t, next, t;
	json_t *prev = NULL, *cur, *s;
	long n;
	int rc;

	/* every timestamp is taken just before its request: prxd reads its counters when
	 * the request arrives, a round trip's noise after the timestamp at most */
	start = ctl_now_ns();
	rc = ctl_call(c, "show.stats", NULL, &prev);
	prev_t = start;
	next = start + step;
	for (n = 0; rc == PRXCTL_EXIT_OK && (count == 0 || n < count); n++) {
		sleep_until(next);
		t = ctl_now_ns();
		/* behind schedule (a slow reply): carry on from now instead of taking the
		 * missed samples back to back */
		next = next + step > t ? next + step : t + step;
		rc = ctl_call(c, "show.stats", NULL, &cur);
		if (rc != PRXCTL_EXIT_OK)
			break;
		s = sample_rates(prev, cur, (double)(t - start) / 1e9, (double)(t - prev_t) / 1e9);
		if (json) {
			json_dumpf(s, stdout, JSON_COMPACT | JSON_REAL_PRECISION(9));
			fputc('\n', stdout);
		} else {
			print_human(stdout, s, n == 0);
		}
		json_decref(s);
		json_decref(prev);
		prev = cur;
		prev_t = t;
		/* each sample is for now, not when a pipe's buffer fills */
		if (fflush(stdout) != 0) {
			fprintf(stderr, "prxctl: stdout: %s\n", strerror(errno));
			rc = PRXCTL_EXIT_IO;
		}
	}
	json_decref(prev);
	return rc;
}
