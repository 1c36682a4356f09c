/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Placement planner: which reactor owns which rx queue.
 *
 * A pure function over a topology description (no EAL, no devices), so it is tested
 * with fake topologies.  Rules, in order:
 *  1. every rx queue gets exactly one reactor;
 *  2. prefer the reactors on the port's NUMA socket; among them the one with the fewest
 *     queues so far, then the one holding the fewest queues of this port (so a busy
 *     port's queues spread over reactors rather than stack on the first), then the
 *     lowest reactor index;
 *  3. when no reactor sits on the port's socket, or the socket is unknown (-1), choose
 *     the same way among all reactors; the assignment is cross-NUMA (warned) when the
 *     port's socket is known and differs from the reactor's;
 *  4. queues are dealt round-robin over ports (queue 0 of every port, then queue 1, ...),
 *     so one many-queue port does not crowd the others onto the same reactors.
 * Each reactor also gets one tx queue per port, whose id is the reactor's index.
 */
#ifndef PRX_PLAN_H
#define PRX_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "prx_common.h"

/** A core that runs a reactor. */
struct prx_topo_core {
	unsigned int lcore; /**< EAL lcore id */
	int socket;	    /**< NUMA socket, -1 unknown */
};

/** A port to place. */
struct prx_topo_port {
	const char *name;
	int socket;	/**< NUMA socket of the device, -1 unknown */
	uint16_t n_rxq; /**< rx queues, >= 1 */
};

/** The planner's input. */
struct prx_plan_input {
	unsigned int n_cores;		   /**< reactors to plan, 1..PRX_MAX_REACTORS */
	const struct prx_topo_core *cores; /**< reactor i runs on cores[i] */
	unsigned int n_ports;		   /**< 0..PRX_MAX_PORTS */
	const struct prx_topo_port *ports;
};

/** One rx queue's owner. */
struct prx_plan_rxq {
	uint16_t port;	  /**< index into the input's ports */
	uint16_t queue;	  /**< rx queue id */
	uint16_t reactor; /**< index into the input's cores */
	bool cross_numa;  /**< port and reactor sockets both known and different */
};

/** One reactor in the plan. */
struct prx_plan_reactor {
	unsigned int lcore;
	int socket;
	unsigned int n_rxq; /**< rx queues it owns */
};

/** The plan. */
struct prx_plan {
	unsigned int n_reactors;
	struct prx_plan_reactor reactor[PRX_MAX_REACTORS];
	unsigned int n_rxq;	   /**< sum of all ports' n_rxq */
	unsigned int n_cross_numa; /**< assignments with cross_numa set */
	struct prx_plan_rxq rxq[]; /**< n_rxq entries, ordered by (port, queue) */
};

/**
 * Build a plan.
 * @return 0 and *out (free with prx_plan_free), -EINVAL for a bad input (no cores,
 *   too many cores or ports, a port with 0 or more than PRX_MAX_RXQ queues, NULL
 *   pointers), -ENOMEM.
 */
int prx_plan_build(const struct prx_plan_input *in, struct prx_plan **out);

/** Free a plan (NULL is fine). */
void prx_plan_free(struct prx_plan *plan);

/** Reactor index owning (port, queue), or -1. */
int prx_plan_owner(const struct prx_plan *plan, uint16_t port, uint16_t queue);

/**
 * Print the plan for operators, one line per rx queue:
 *   "rxq <port>/<queue> -> reactor <i> (lcore <l>, socket <s>)"
 * followed by " WARNING cross-NUMA: port on socket <p>" where it applies, then one
 * line per reactor with no queue ("reactor <i> (lcore <l>) owns no rx queue").
 */
void prx_plan_print(const struct prx_plan *plan, const struct prx_plan_input *in, FILE *f);

#endif /* PRX_PLAN_H */
