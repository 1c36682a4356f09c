/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_telemetry.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

/* rte_telemetry_register_cmd() takes no context pointer: the data plane served is this
 * one, guarded against prx_telemetry_detach() by the lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct prx_dataplane *served;

#define ADD_U64(d, name, v) rte_tel_data_add_dict_u64(d, name, v)

static int
cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < prx_dp_n_ports(served); i++)
		rte_tel_data_add_array_string(d, prx_dp_port(served, i)->name);
	return 0;
}

static int
cmd_port_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct prx_port_sw_stats sw;
	struct prx_port_hw_stats hw;
	struct prx_port_link link;
	struct prx_port *port = NULL;

	RTE_SET_USED(cmd);
	for (unsigned int i = 0; params != NULL && i < prx_dp_n_ports(served); i++)
		if (strcmp(prx_dp_port(served, i)->name, params) == 0)
			port = prx_dp_port(served, i);
	if (port == NULL)
		return -EINVAL;
	prx_port_sw_stats(port, &sw);
	prx_port_hw_stats(port, &hw);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "driver", port->ops->driver);
	ADD_U64(d, "rx", sw.rx);
	ADD_U64(d, "tx", sw.tx);
	ADD_U64(d, "tx_drop", sw.tx_drop);
	ADD_U64(d, "ipackets", hw.ipackets);
	ADD_U64(d, "opackets", hw.opackets);
	ADD_U64(d, "ibytes", hw.ibytes);
	ADD_U64(d, "obytes", hw.obytes);
	ADD_U64(d, "imissed", hw.imissed);
	ADD_U64(d, "ierrors", hw.ierrors);
	ADD_U64(d, "oerrors", hw.oerrors);
	ADD_U64(d, "rx_nombuf", hw.rx_nombuf);
	if (prx_port_link(port, &link) == 0) {
		rte_tel_data_add_dict_string(d, "link", link.up ? "up" : "down");
		ADD_U64(d, "speed_mbps", link.speed_mbps);
	}
	return 0;
}

static int
cmd_reactors(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int i = 0; i < prx_dp_n_reactors(served); i++)
		rte_tel_data_add_array_int(d, (int)i);
	return 0;
}

static int
cmd_reactor_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct prx_reactor *r;
	struct prx_reactor_stats rs;
	struct prx_pipe_stats st;
	char *end = NULL;
	unsigned long id;
	uint64_t all;

	RTE_SET_USED(cmd);
	if (params == NULL || *params == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || (r = prx_dp_reactor(served, (unsigned int)id)) == NULL)
		return -EINVAL;
	prx_pipe_stats_read(&r->pipe, &st);
	prx_reactor_stats_read(r, &rs);
	all = rs.busy_cycles + rs.idle_cycles;
	rte_tel_data_start_dict(d);
	ADD_U64(d, "lcore", r->lcore);
	rte_tel_data_add_dict_string(d, "engine", r->engine->name);
	ADD_U64(d, "rx", st.rx);
	ADD_U64(d, "originated", st.originated);
	ADD_U64(d, "tx", st.tx);
	ADD_U64(d, "dropped", prx_pipe_stats_dropped(&st));
	ADD_U64(d, "punted", st.punted);
	ADD_U64(d, "in_flight", prx_pipe_in_flight(&r->pipe));
	ADD_U64(d, "iterations", rs.iterations);
	ADD_U64(d, "busy_cycles", rs.busy_cycles);
	ADD_U64(d, "idle_cycles", rs.idle_cycles);
	/* busy share of the loop's time, in hundredths of a percent */
	ADD_U64(d, "busy_pct_x100", all != 0 ? rs.busy_cycles * 10000 / all : 0);
	return 0;
}

static int
cmd_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct prx_dp_totals t;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	prx_dp_totals(served, &t);
	rte_tel_data_start_dict(d);
	for (unsigned int r = 0; r < PRX_DROP_MAX; r++)
		ADD_U64(d, prx_drop_name((enum prx_drop_reason)r), t.st.drop[r]);
	return 0;
}

static int
cmd_totals(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct prx_dp_totals t;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	prx_dp_totals(served, &t);
	rte_tel_data_start_dict(d);
	ADD_U64(d, "rx", t.st.rx);
	ADD_U64(d, "originated", t.st.originated);
	ADD_U64(d, "tx", t.st.tx);
	ADD_U64(d, "dropped", t.dropped);
	ADD_U64(d, "punted", t.st.punted);
	ADD_U64(d, "in_flight", t.in_flight);
	/* read while reactors run, the terms are not one instant: exact once they stop */
	rte_tel_data_add_dict_string(d, "balanced", prx_dp_balanced(&t) ? "yes" : "not yet");
	return 0;
}

/* Every command runs under the lock and only while a data plane is served. */
#define GUARDED(name) \
	static int name##_guarded(const char *cmd, const char *params, struct rte_tel_data *d) \
	{ \
		int rc = -ENODEV; \
		pthread_mutex_lock(&lock); \
		if (served != NULL) \
			rc = name(cmd, params, d); \
		pthread_mutex_unlock(&lock); \
		return rc; \
	}
GUARDED(cmd_ports)
GUARDED(cmd_port_stats)
GUARDED(cmd_reactors)
GUARDED(cmd_reactor_stats)
GUARDED(cmd_drops)
GUARDED(cmd_totals)

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} cmds[] = {
	{"/prx/ports", cmd_ports_guarded, "Names of prx's ports. No parameters"},
	{"/prx/port_stats", cmd_port_stats_guarded,
	 "Counters and link of one port. Parameter: port name"},
	{"/prx/reactors", cmd_reactors_guarded, "Ids of prx's reactors. No parameters"},
	{"/prx/reactor_stats", cmd_reactor_stats_guarded,
	 "Accounting and loop counters of one reactor. Parameter: reactor id"},
	{"/prx/drops", cmd_drops_guarded, "Dropped packets by reason. No parameters"},
	{"/prx/totals", cmd_totals_guarded,
	 "rx + originated = tx + dropped + punted + in_flight, summed. No parameters"},
};

int
prx_telemetry_attach(struct prx_dataplane *dp)
{
	static bool registered;

	if (!registered) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			int rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);

			if (rc != 0)
				return rc;
		}
		registered = true;
	}
	pthread_mutex_lock(&lock);
	served = dp;
	pthread_mutex_unlock(&lock);
	return 0;
}

void
prx_telemetry_detach(void)
{
	pthread_mutex_lock(&lock);
	served = NULL;
	pthread_mutex_unlock(&lock);
}
