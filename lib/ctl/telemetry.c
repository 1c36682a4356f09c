/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_telemetry.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "prx_view.h"

/* rte_telemetry_register_cmd() takes no context pointer, and the commands run on EAL's
 * telemetry thread: they read the view the control thread published last (refreshed
 * every 100 ms and after each change), never the registry, which changes under them. */

#define ADD_U64(d, name, v) rte_tel_data_add_dict_u64(d, name, v)

static int
cmd_ports(const struct prx_view *v, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < v->n_ports; i++)
		rte_tel_data_add_array_string(d, v->ports[i].name);
	return 0;
}

static int
cmd_port_stats(const struct prx_view *v, const char *params, struct rte_tel_data *d)
{
	const struct prx_view_port *p = NULL;

	for (unsigned int i = 0; params != NULL && i < v->n_ports; i++)
		if (strcmp(v->ports[i].name, params) == 0)
			p = &v->ports[i];
	if (p == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "driver", p->driver);
	rte_tel_data_add_dict_string(d, "device", p->device);
	ADD_U64(d, "slot", p->slot);
	ADD_U64(d, "rx", p->sw.rx);
	ADD_U64(d, "tx", p->sw.tx);
	ADD_U64(d, "tx_drop", p->sw.tx_drop);
	ADD_U64(d, "ipackets", p->hw.ipackets);
	ADD_U64(d, "opackets", p->hw.opackets);
	ADD_U64(d, "ibytes", p->hw.ibytes);
	ADD_U64(d, "obytes", p->hw.obytes);
	ADD_U64(d, "imissed", p->hw.imissed);
	ADD_U64(d, "ierrors", p->hw.ierrors);
	ADD_U64(d, "oerrors", p->hw.oerrors);
	ADD_U64(d, "rx_nombuf", p->hw.rx_nombuf);
	if (p->link >= 0) {
		rte_tel_data_add_dict_string(d, "link", p->link ? "up" : "down");
		ADD_U64(d, "speed_mbps", p->speed_mbps);
	}
	return 0;
}

static int
cmd_reactors(const struct prx_view *v, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int i = 0; i < v->n_reactors; i++)
		rte_tel_data_add_array_int(d, (int)i);
	return 0;
}

static int
cmd_reactor_stats(const struct prx_view *v, const char *params, struct rte_tel_data *d)
{
	const struct prx_view_reactor *r;
	char *end = NULL;
	unsigned long id;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || id >= v->n_reactors)
		return -EINVAL;
	r = &v->reactors[id];
	rte_tel_data_start_dict(d);
	ADD_U64(d, "lcore", r->lcore);
	rte_tel_data_add_dict_string(d, "engine", r->engine);
	ADD_U64(d, "rx_queues", r->n_rxq);
	ADD_U64(d, "rx", r->st.rx);
	ADD_U64(d, "originated", r->st.originated);
	ADD_U64(d, "tx", r->st.tx);
	ADD_U64(d, "dropped", prx_pipe_stats_dropped(&r->st));
	ADD_U64(d, "punted", r->st.punted);
	ADD_U64(d, "in_flight", r->in_flight);
	ADD_U64(d, "iterations", r->rs.iterations);
	/* time in state, TSC cycles: busy + empty + sleep = run time; idle = empty + sleep */
	ADD_U64(d, "busy_cycles", r->rs.busy_cycles);
	ADD_U64(d, "empty_cycles", r->rs.empty_cycles);
	ADD_U64(d, "sleep_cycles", r->rs.sleep_cycles);
	ADD_U64(d, "idle_cycles", r->rs.idle_cycles);
	ADD_U64(d, "sleeps", r->rs.sleeps);
	ADD_U64(d, "snapshot", r->snapshot_gen);
	/* shares of the loop's time, in hundredths of a percent */
	ADD_U64(d, "busy_pct_x100", (uint64_t)(r->busy_pct * 100.0 + 0.5));
	ADD_U64(d, "empty_pct_x100", (uint64_t)(r->empty_pct * 100.0 + 0.5));
	ADD_U64(d, "sleep_pct_x100", (uint64_t)(r->sleep_pct * 100.0 + 0.5));
	return 0;
}

static int
cmd_drops(const struct prx_view *v, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (unsigned int r = 0; r < PRX_DROP_MAX; r++)
		ADD_U64(d, prx_drop_name((enum prx_drop_reason)r), v->total.drop[r]);
	return 0;
}

static int
cmd_totals(const struct prx_view *v, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	ADD_U64(d, "rx", v->total.rx);
	ADD_U64(d, "originated", v->total.originated);
	ADD_U64(d, "tx", v->total.tx);
	ADD_U64(d, "dropped", v->dropped);
	ADD_U64(d, "punted", v->total.punted);
	ADD_U64(d, "in_flight", v->in_flight);
	/* read while reactors run, the terms are not one instant: exact once they stop */
	rte_tel_data_add_dict_string(d, "balanced", v->balanced ? "yes" : "not yet");
	ADD_U64(d, "changes", v->changes);
	ADD_U64(d, "reloads", v->reloads);
	ADD_U64(d, "reload_failures", v->reload_failures);
	return 0;
}

/* Every command answers from the published view, or fails when there is none. */
#define FROM_VIEW(name) \
	static int name##_cb(const char *cmd, const char *params, struct rte_tel_data *d) \
	{ \
		struct prx_view *v = prx_view_get(); \
		int rc = -ENODEV; \
		RTE_SET_USED(cmd); \
		if (v != NULL) \
			rc = name(v, params, d); \
		prx_view_put(v); \
		return rc; \
	}
FROM_VIEW(cmd_ports)
FROM_VIEW(cmd_port_stats)
FROM_VIEW(cmd_reactors)
FROM_VIEW(cmd_reactor_stats)
FROM_VIEW(cmd_drops)
FROM_VIEW(cmd_totals)

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} cmds[] = {
	{"/prx/ports", cmd_ports_cb, "Names of prx's ports. No parameters"},
	{"/prx/port_stats", cmd_port_stats_cb,
	 "Counters and link of one port. Parameter: port name"},
	{"/prx/reactors", cmd_reactors_cb, "Ids of prx's reactors. No parameters"},
	{"/prx/reactor_stats", cmd_reactor_stats_cb,
	 "Accounting and loop counters of one reactor. Parameter: reactor id"},
	{"/prx/drops", cmd_drops_cb, "Dropped packets by reason. No parameters"},
	{"/prx/totals", cmd_totals_cb,
	 "rx + originated = tx + dropped + punted + in_flight, summed. No parameters"},
};

int
prx_telemetry_register(void)
{
	static bool registered;

	if (registered)
		return 0;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);

		if (rc != 0)
			return rc;
	}
	registered = true;
	return 0;
}
