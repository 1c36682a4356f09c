/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text 0.0.4 / OpenMetrics 1.0.0 rendering of a statistics view, and the small
 * HTTP/1.x server that answers scrapes on the control reactor's event loop.
 */
#include "prx_metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_internal.h"

/* --- growable buffer --- */

/* Room for `more` bytes plus the NUL the content always ends with. */
static bool
buf_reserve(struct prx_buf *b, size_t more)
{
	size_t cap = b->cap != 0 ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more < b->cap)
		return true;
	while (cap <= b->len + more) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (p == NULL)
		goto fail;
	b->p = p;
	b->cap = cap;
	return true;
fail:
	/* Appends stop here: a half-written line followed by more would look valid. */
	b->oom = true;
	return false;
}

static void
buf_put(struct prx_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
prx_buf_printf(struct prx_buf *b, const char *fmt, ...)
{
	size_t room = b->p != NULL ? b->cap - b->len : 0;
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(room != 0 ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n >= room) {
		if (!buf_reserve(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
prx_buf_free(struct prx_buf *b)
{
	free(b->p);
	*b = (struct prx_buf){0};
}

/* --- escaping --- */

/* Both formats escape backslash and newline; label values, and OpenMetrics HELP text,
 * also the double quote (text 0.0.4 HELP keeps it as is). */
static void
escape(struct prx_buf *b, const char *s, size_t n, bool quote)
{
	size_t run = 0, i;

	for (i = 0; i < n && s[i] != '\0'; i++) {
		const char *e = s[i] == '\\' ? "\\\\" : s[i] == '\n' ? "\\n" : NULL;

		if (quote && s[i] == '"')
			e = "\\\"";
		if (e == NULL)
			continue;
		buf_put(b, s + run, i - run);
		buf_put(b, e, 2);
		run = i + 1;
	}
	buf_put(b, s + run, i - run);
}

void
prx__metrics_escape(struct prx_buf *b, const char *s, size_t n)
{
	escape(b, s, n, true);
}

/* --- families and samples --- */

enum fam_type { FAM_COUNTER, FAM_GAUGE, FAM_INFO };

/* The family being written: its HELP/TYPE go out with its first sample, so a family
 * with no sample (no port has hardware counters, say) leaves no empty header behind. */
struct out {
	struct prx_buf *b;
	bool om;
	enum fam_type type;
	const char *name; /* as samples spell it: prx_x_total, prx_x_info */
	const char *unit;
	const char *help;
	bool started;
	unsigned int n_labels;
};

static void
family(struct out *o, enum fam_type type, const char *name, const char *unit, const char *help)
{
	o->type = type;
	o->name = name;
	o->unit = unit;
	o->help = help;
	o->started = false;
}

static void
write_head(struct out *o)
{
	const char *type = o->type == FAM_COUNTER ? "counter" : "gauge";
	int n = (int)strlen(o->name);

	/* OpenMetrics names the family, and its samples add _total (counter) or _info (info);
	 * text 0.0.4 has no families apart from samples, so its TYPE names the samples, as
	 * the Prometheus client libraries write it.  The port info is an OpenMetrics info
	 * family, and a gauge to 0.0.4, which has no info type: the samples are the same. */
	if (o->om && o->type == FAM_COUNTER)
		n -= (int)strlen("_total");
	if (o->om && o->type == FAM_INFO) {
		n -= (int)strlen("_info");
		type = "info";
	}
	prx_buf_printf(o->b, "# HELP %.*s ", n, o->name);
	escape(o->b, o->help, strlen(o->help), o->om);
	prx_buf_printf(o->b, "\n# TYPE %.*s %s\n", n, o->name, type);
	if (o->om && o->unit != NULL)
		prx_buf_printf(o->b, "# UNIT %.*s %s\n", n, o->name, o->unit);
}

static void
sample(struct out *o)
{
	if (!o->started)
		write_head(o);
	o->started = true;
	buf_put(o->b, o->name, strlen(o->name));
	o->n_labels = 0;
}

/* A label value from a fixed-size field of the view: bounded, in case it fills it. */
static void
label(struct out *o, const char *key, const char *val, size_t n)
{
	buf_put(o->b, o->n_labels++ == 0 ? "{" : ",", 1);
	buf_put(o->b, key, strlen(key));
	buf_put(o->b, "=\"", 2);
	prx__metrics_escape(o->b, val, n);
	buf_put(o->b, "\"", 1);
}

#define LABEL_S(o, key, field) label(o, key, field, sizeof(field))

static void
label_u(struct out *o, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	label(o, key, s, sizeof(s));
}

static void
value_u(struct out *o, uint64_t v)
{
	prx_buf_printf(o->b, "%s %" PRIu64 "\n", o->n_labels != 0 ? "}" : "", v);
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void
value_d(struct out *o, double v)
{
	char s[40];

	if (isnan(v))
		snprintf(s, sizeof(s), "NaN");
	else if (isinf(v))
		snprintf(s, sizeof(s), "%cInf", v > 0 ? '+' : '-');
	else if (snprintf(s, sizeof(s), "%.15g", v) > 0 && strtod(s, NULL) != v)
		snprintf(s, sizeof(s), "%.17g", v);
	prx_buf_printf(o->b, "%s %s\n", o->n_labels != 0 ? "}" : "", s);
}

static void
single_u(struct out *o, enum fam_type type, const char *name, const char *help, uint64_t v)
{
	family(o, type, name, NULL, help);
	sample(o);
	value_u(o, v);
}

/* A uint64_t at byte offset `off` of a view entry: one loop serves a table of counters. */
#define U64_AT(entry, off) (*(const uint64_t *)(const void *)((const char *)(entry) + (off)))

struct field {
	enum fam_type type;
	const char *name;
	size_t off;
	bool flag; /* ports: a hardware counter (only when hw_ok); reactors: lcore label */
	const char *help;
};

#define PF(f) offsetof(struct prx_view_port, f)
static const struct field port_fields[] = {
	{FAM_COUNTER, "prx_port_rx_packets_total", PF(sw.rx), false,
	 "Packets reactors received from the port"},
	{FAM_COUNTER, "prx_port_tx_packets_total", PF(sw.tx), false,
	 "Packets the port's driver accepted for transmission"},
	{FAM_COUNTER, "prx_port_tx_dropped_packets_total", PF(sw.tx_drop), false,
	 "Packets the port's driver refused (counted as tx_full drops)"},
	{FAM_COUNTER, "prx_port_hw_ipackets_total", PF(hw.ipackets), true,
	 "Packets the device received (driver counter)"},
	{FAM_COUNTER, "prx_port_hw_opackets_total", PF(hw.opackets), true,
	 "Packets the device sent (driver counter)"},
	{FAM_COUNTER, "prx_port_hw_ibytes_total", PF(hw.ibytes), true,
	 "Bytes the device received (driver counter)"},
	{FAM_COUNTER, "prx_port_hw_obytes_total", PF(hw.obytes), true,
	 "Bytes the device sent (driver counter)"},
	{FAM_COUNTER, "prx_port_hw_imissed_total", PF(hw.imissed), true,
	 "Packets the device or kernel dropped because an rx ring was full"},
	{FAM_COUNTER, "prx_port_hw_ierrors_total", PF(hw.ierrors), true,
	 "Erroneous packets the device received"},
	{FAM_COUNTER, "prx_port_hw_oerrors_total", PF(hw.oerrors), true,
	 "Packets the device failed to send"},
	{FAM_COUNTER, "prx_port_hw_rx_nombuf_total", PF(hw.rx_nombuf), true,
	 "Receive buffer allocation failures"},
};

#define RF(f) offsetof(struct prx_view_reactor, f)
static const struct field reactor_fields[] = {
	{FAM_COUNTER, "prx_reactor_rx_packets_total", RF(st.rx), true,
	 "Packets the reactor received from its rx queues"},
	{FAM_COUNTER, "prx_reactor_tx_packets_total", RF(st.tx), true,
	 "Packets the reactor's ports accepted for transmission"},
	{FAM_COUNTER, "prx_reactor_originated_packets_total", RF(st.originated), true,
	 "Packets handlers on the reactor created"},
	{FAM_COUNTER, "prx_reactor_punted_packets_total", RF(st.punted), true,
	 "Packets the reactor handed to the slow path"},
	{FAM_COUNTER, "prx_reactor_iterations_total", RF(rs.iterations), false,
	 "Iterations of the reactor's loop"},
	{FAM_GAUGE, "prx_reactor_in_flight_packets", RF(in_flight), false,
	 "Packets the reactor holds (received, neither sent nor dropped yet)"},
	{FAM_COUNTER, "prx_reactor_snapshot_switches_total", RF(rs.switches), false,
	 "Configuration snapshots the reactor took up"},
	{FAM_COUNTER, "prx_reactor_sleeps_total", RF(rs.sleeps), false,
	 "Times the reactor's engine slept (epoll, adaptive)"},
};

static void
render_ports(struct out *o, const struct prx_view *v)
{
	for (size_t f = 0; f < PRX_ARRAY_SIZE(port_fields); f++) {
		family(o, port_fields[f].type, port_fields[f].name, NULL, port_fields[f].help);
		for (unsigned int i = 0; i < v->n_ports; i++) {
			const struct prx_view_port *p = &v->ports[i];

			if (port_fields[f].flag && !p->hw_ok)
				continue;
			sample(o);
			LABEL_S(o, "port", p->name);
			value_u(o, U64_AT(p, port_fields[f].off));
		}
	}
	family(o, FAM_GAUGE, "prx_port_link_up", NULL, "1 when the port's link is up, 0 when down");
	for (unsigned int i = 0; i < v->n_ports; i++) {
		if (v->ports[i].link < 0)
			continue;
		sample(o);
		LABEL_S(o, "port", v->ports[i].name);
		value_u(o, v->ports[i].link > 0);
	}
	family(o, FAM_INFO, "prx_port_info", NULL, "A port's driver, device and slot (always 1)");
	for (unsigned int i = 0; i < v->n_ports; i++) {
		sample(o);
		LABEL_S(o, "port", v->ports[i].name);
		LABEL_S(o, "driver", v->ports[i].driver);
		LABEL_S(o, "device", v->ports[i].device);
		label_u(o, "slot", v->ports[i].slot);
		value_u(o, 1);
	}
}

static void
render_queues(struct out *o, const struct prx_view *v)
{
	family(o, FAM_COUNTER, "prx_rxq_packets_total", NULL,
	       "Packets received from an rx queue, by the reactor polling it");
	for (unsigned int i = 0; i < v->n_ports; i++)
		for (unsigned int q = 0; v->ports[i].rxq != NULL && q < v->ports[i].n_rxq; q++) {
			/* Mid-move the queue has no owner: skipped for this scrape rather than
			 * starting a reactor="-1" series that lives for one scrape. */
			if (v->ports[i].rxq[q].reactor < 0)
				continue;
			sample(o);
			LABEL_S(o, "port", v->ports[i].name);
			label_u(o, "queue", q);
			label_u(o, "reactor", (uint64_t)v->ports[i].rxq[q].reactor);
			value_u(o, v->ports[i].rxq[q].packets);
		}
	for (int dropped = 0; dropped < 2; dropped++) {
		if (dropped)
			family(o, FAM_COUNTER, "prx_txq_dropped_packets_total", NULL,
			       "Packets a tx queue refused (tx queue i belongs to reactor i)");
		else
			family(o, FAM_COUNTER, "prx_txq_packets_total", NULL,
			       "Packets a tx queue accepted (tx queue i belongs to reactor i)");
		for (unsigned int i = 0; i < v->n_ports; i++)
			for (unsigned int q = 0; v->ports[i].txq != NULL && q < v->ports[i].n_txq;
			     q++) {
				sample(o);
				LABEL_S(o, "port", v->ports[i].name);
				label_u(o, "queue", q);
				value_u(o, dropped ? v->ports[i].txq[q].dropped
						   : v->ports[i].txq[q].packets);
			}
	}
}

static void
render_reactors(struct out *o, const struct prx_view *v)
{
	/* Time in state.  busy + empty + sleep is the run time; idle (empty + sleep) is
	 * kept for dashboards made before the split. */
	static const struct {
		const char *name;
		size_t off;
		const char *help;
	} secs[] = {
		{"prx_reactor_busy_seconds_total", RF(rs.busy_cycles),
		 "Time the reactor spent polling in iterations that received packets"},
		{"prx_reactor_empty_seconds_total", RF(rs.empty_cycles),
		 "Time the reactor spent polling in iterations that received nothing"},
		{"prx_reactor_sleep_seconds_total", RF(rs.sleep_cycles),
		 "Time the reactor spent asleep (epoll and adaptive engines)"},
		{"prx_reactor_idle_seconds_total", RF(rs.idle_cycles),
		 "Time the reactor spent on anything but packets (empty polls and sleep)"},
	};

	for (size_t f = 0; f < PRX_ARRAY_SIZE(reactor_fields); f++) {
		family(o, reactor_fields[f].type, reactor_fields[f].name, NULL,
		       reactor_fields[f].help);
		for (unsigned int i = 0; i < v->n_reactors; i++) {
			sample(o);
			label_u(o, "reactor", v->reactors[i].id);
			if (reactor_fields[f].flag)
				label_u(o, "lcore", v->reactors[i].lcore);
			value_u(o, U64_AT(&v->reactors[i], reactor_fields[f].off));
		}
	}
	/* Every reason, zeros included, so that rate() has a series from the first scrape. */
	family(o, FAM_COUNTER, "prx_reactor_dropped_packets_total", NULL,
	       "Packets the reactor dropped, by reason");
	for (unsigned int i = 0; i < v->n_reactors; i++)
		for (unsigned int r = 0; r < PRX_DROP_MAX; r++) {
			sample(o);
			label_u(o, "reactor", v->reactors[i].id);
			label(o, "reason", prx_drop_name((enum prx_drop_reason)r), SIZE_MAX);
			value_u(o, v->reactors[i].st.drop[r]);
		}
	family(o, FAM_GAUGE, "prx_reactor_busy_ratio", NULL,
	       "Share of the reactor's loop time spent on iterations that received packets");
	for (unsigned int i = 0; i < v->n_reactors; i++) {
		sample(o);
		label_u(o, "reactor", v->reactors[i].id);
		value_d(o, v->reactors[i].busy_pct / 100.0);
	}
	/* Cycles mean nothing to a dashboard without the TSC rate: no seconds without it. */
	for (size_t k = 0; k < PRX_ARRAY_SIZE(secs) && v->tsc_hz != 0; k++) {
		family(o, FAM_COUNTER, secs[k].name, "seconds", secs[k].help);
		for (unsigned int i = 0; i < v->n_reactors; i++) {
			sample(o);
			label_u(o, "reactor", v->reactors[i].id);
			value_d(o,
				(double)U64_AT(&v->reactors[i], secs[k].off) / (double)v->tsc_hz);
		}
	}
}

static void
render_handlers(struct out *o, const struct prx_view *v)
{
	for (int dropped = 0; dropped < 2; dropped++) {
		if (dropped)
			family(o, FAM_COUNTER, "prx_handler_dropped_packets_total", NULL,
			       "Packets a handler dropped by policy");
		else
			family(o, FAM_COUNTER, "prx_handler_packets_total", NULL,
			       "Packets a handler was given");
		for (unsigned int i = 0; i < v->n_handlers; i++) {
			sample(o);
			LABEL_S(o, "handler", v->handlers[i].name);
			LABEL_S(o, "type", v->handlers[i].type);
			value_u(o, dropped ? v->handlers[i].dropped : v->handlers[i].in);
		}
	}
}

void
prx_metrics_render(const struct prx_view *v, bool openmetrics, struct prx_buf *b)
{
	struct out o = {.b = b, .om = openmetrics};

	render_ports(&o, v);
	render_queues(&o, v);
	render_reactors(&o, v);
	render_handlers(&o, v);
	family(&o, FAM_COUNTER, "prx_dropped_packets_total", NULL,
	       "Packets dropped by all reactors, by reason");
	for (unsigned int r = 0; r < PRX_DROP_MAX; r++) {
		sample(&o);
		label(&o, "reason", prx_drop_name((enum prx_drop_reason)r), SIZE_MAX);
		value_u(&o, v->total.drop[r]);
	}
	single_u(&o, FAM_GAUGE, "prx_accounting_balanced",
		 "1 when rx + originated == tx + dropped + punted + in flight", v->balanced);
	single_u(&o, FAM_COUNTER, "prx_changes_total", "Live changes applied since start",
		 v->changes);
	single_u(&o, FAM_COUNTER, "prx_reloads_total", "Configuration reloads applied", v->reloads);
	single_u(&o, FAM_COUNTER, "prx_reload_failures_total",
		 "Configuration reloads that failed (and changed nothing)", v->reload_failures);
	if (v->n_workers > 0) {
		family(&o, FAM_COUNTER, "prx_worker_packets_total", NULL,
		       "Packets a worker ran through an offloaded handler");
		for (unsigned int w = 0; w < v->n_workers; w++) {
			sample(&o);
			label_u(&o, "worker", w);
			value_u(&o, v->workers[w].packets);
		}
		family(&o, FAM_COUNTER, "prx_worker_waits_total", NULL,
		       "Times a worker waited for room in a full return ring");
		for (unsigned int w = 0; w < v->n_workers; w++) {
			sample(&o);
			label_u(&o, "worker", w);
			value_u(&o, v->workers[w].waits);
		}
	}
	single_u(&o, FAM_GAUGE, "prx_mbufs", "Packet buffers in every pool", v->mbufs_total);
	single_u(&o, FAM_GAUGE, "prx_mbufs_in_use",
		 "Packet buffers out of the pools (rings, tx buffers, in flight)",
		 v->mbufs_total - v->mbufs_free);
	if (openmetrics)
		buf_put(b, "# EOF\n", 6);
}
