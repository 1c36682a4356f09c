/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The control plane's registry of the data plane: ports, handlers, reactors, the plan
 * and the snapshots published to reactors.  Runs on the control (main) thread.
 *
 * Life cycle:  prx_dp_create (probe ports, plan)  ->  prx_dp_setup (pools, queues,
 * handlers, reactors, snapshots, ports started)  ->  prx_dp_launch  ->  prx_dp_stop
 * (reactors drain and exit)  ->  prx_dp_destroy (ports stopped and closed).
 */
#ifndef PRX_DATAPLANE_H
#define PRX_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "prx_conf.h"
#include "prx_pipeline.h"
#include "prx_plan.h"
#include "prx_port.h"
#include "prx_reactor.h"

struct prx_dataplane;

/** Totals over every reactor: the accounting identity's terms. */
struct prx_dp_totals {
	struct prx_pipe_stats st;
	uint64_t dropped;   /**< sum of st.drop[] */
	uint64_t in_flight; /**< packets in tx buffers */
};

/**
 * Probe every port of `conf` (EAL must be up) with the driver of `mode` (PRX_MODE_DPDK:
 * the ports' `dpdk` devices; PRX_MODE_FALLBACK: their `kernel` interfaces through
 * AF_PACKET) and plan queue ownership.
 */
int prx_dp_create(const struct prx_conf *conf, enum prx_mode mode, struct prx_dataplane **out);
/** Print the plan, one line per rx queue (port name, queue, reactor, lcore, socket, warnings). */
void prx_dp_print_plan(const struct prx_dataplane *dp, FILE *f);
/** Create pools, configure and start ports, create handlers and reactors, publish snapshots. */
int prx_dp_setup(struct prx_dataplane *dp);
/** Launch every reactor on its lcore. */
int prx_dp_launch(struct prx_dataplane *dp);
/** Stop the reactors and wait for them; they drain their tx buffers first. */
void prx_dp_stop(struct prx_dataplane *dp);
/** Stop and close ports, free everything (NULL is fine).  Reactors must be stopped. */
void prx_dp_destroy(struct prx_dataplane *dp);

/** Read the totals (relaxed; exact once the reactors are stopped). */
void prx_dp_totals(const struct prx_dataplane *dp, struct prx_dp_totals *t);

/**
 * Print statistics.  `final` prints everything, one "key=value" record per line
 * (prx-port, prx-rxq, prx-txq, prx-reactor, prx-handler, prx-drop, prx-total,
 * prx-accounting); otherwise one short line per port and a total.
 */
void prx_dp_print_stats(const struct prx_dataplane *dp, FILE *f, bool final);

/** Ports (slot order) and reactors of a set-up data plane, for statistics exporters. */
unsigned int prx_dp_n_ports(const struct prx_dataplane *dp);
struct prx_port *prx_dp_port(const struct prx_dataplane *dp, unsigned int i);
unsigned int prx_dp_n_reactors(const struct prx_dataplane *dp);
const struct prx_reactor *prx_dp_reactor(const struct prx_dataplane *dp, unsigned int i);

/** Read every port's link state and log the changes since the last call (control thread). */
void prx_dp_check_links(struct prx_dataplane *dp);

/** Does rx + originated == tx + dropped + punted + in_flight hold? */
bool prx_dp_balanced(const struct prx_dp_totals *t);

#endif /* PRX_DATAPLANE_H */
