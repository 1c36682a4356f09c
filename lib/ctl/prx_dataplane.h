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
#include "prx_view.h"

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

/** Reactors of a set-up data plane. */
unsigned int prx_dp_n_reactors(const struct prx_dataplane *dp);
const struct prx_reactor *prx_dp_reactor(const struct prx_dataplane *dp, unsigned int i);

/**
 * A copy of every counter and of the registry's shape, taken now (control thread).
 * NULL on ENOMEM.  Free with prx_view_free().
 */
struct prx_view *prx_dp_view_take(const struct prx_dataplane *dp);

/*
 * Live changes (control thread, reactors running or not).  Each one either applies
 * completely or changes nothing; on failure it returns -errno and writes why into msg.
 * On success the new state is live on every reactor when the call returns
 * (prx_dp_last_live_us() says how long the publication took).
 */

/** Add a port (cp: prx_conf_port_init() then name, dpdk or kernel, queues...), with a
 *  chain of handler names.  -EEXIST when the name is taken. */
int prx_dp_port_add(struct prx_dataplane *dp, const struct prx_conf_port *cp,
		    const char *const *chain, unsigned int n_chain, char *msg, size_t len);
/** Remove a port.  -ENOENT when there is none, -EBUSY when a handler sends to it. */
int prx_dp_port_del(struct prx_dataplane *dp, const char *name, char *msg, size_t len);
/** Move rx queue `queue` of `port` to `reactor` in two phases (never two pollers).
 *  *from gets the previous owner. */
int prx_dp_queue_move(struct prx_dataplane *dp, const char *port, unsigned int queue,
		      unsigned int reactor, int *from, char *msg, size_t len);
/** Replace a port's chain (n = 0: drop everything it receives). */
int prx_dp_chain_set(struct prx_dataplane *dp, const char *port, const char *const *names,
		     unsigned int n, char *msg, size_t len);

/**
 * The running instance of handler `name`, or NULL (control thread).  Handlers with
 * tables updated in place under RCU (the router's routes) are changed through it; the
 * reactors may be running it.
 */
struct prx_handler *prx_dp_handler(struct prx_dataplane *dp, const char *name);

/**
 * Replace the instance of handler `name` by `h` (a new instance of the same type, built
 * by the caller, e.g. an ACL with a new rule set) in every chain, live; the old instance
 * is freed after the grace period and its counters carry on in the new one.  On success
 * the data plane owns h; on failure the caller keeps it.  -ENOENT, -EINVAL (other type).
 */
int prx_dp_handler_replace(struct prx_dataplane *dp, const char *name, struct prx_handler *h,
			   char *msg, size_t len);

/** The running port `name` (its slot is ->index), or NULL (control thread). */
const struct prx_port *prx_dp_port(const struct prx_dataplane *dp, const char *name);

/** The RCU variable the reactors report to (for tables updated in place). */
struct rte_rcu_qsbr *prx_dp_qsbr(const struct prx_dataplane *dp);

/** What a reload did. */
struct prx_dp_reload {
	unsigned int n_changes;
	char changes[3 * PRX_MAX_PORTS + PRX_MAX_HANDLERS + 4][160]; /**< one line each */
};

/**
 * Reload the configuration file the data plane was started with (or `path` if not
 * NULL): parse and validate it, compare it with the running one, apply the difference
 * as one change.  On failure nothing changes and msg holds every reason, one
 * "FILE:LINE: setting: reason" per line.
 */
int prx_dp_reload(struct prx_dataplane *dp, const char *path, struct prx_dp_reload *res, char *msg,
		  size_t len);

/**
 * The same reload in steps, for a control loop that must keep answering while a large
 * routes or rules file is read and its tables built (docs/control.md, "Reload"):
 *
 *   prx_dp_reload_job_new()   control thread
 *   prx_dp_reload_parse()     any thread: read and validate the file(s); touches only the job
 *   prx_dp_reload_prepare()   control thread: compare with the running configuration, open
 *                             the ports it adds, make the cheap handlers; > 0: the acl and
 *                             router instances are still to build
 *   prx_dp_reload_build()     any thread: build them (rule contexts, FIBs)
 *   prx_dp_reload_commit()    control thread: publish, as prx_dp_reload() does; -EAGAIN
 *                             when a live change was applied after the prepare step
 *   prx_dp_reload_reap()      any thread, after the commit: free the replaced and removed
 *                             acl and router instances (a million routes: ~0.3 s)
 *   prx_dp_reload_job_free()  control thread: after a commit, or to drop the job at any
 *                             step (what it opened is closed, a failure is counted;
 *                             what is left to reap is freed here)
 *
 * Each step returns the job's first failure (< 0) and does nothing after one; its reasons
 * are in prx_dp_reload_msg(), one "FILE:LINE: setting: reason" per line.
 */
struct prx_dp_reload_job;
int prx_dp_reload_job_new(struct prx_dataplane *dp, const char *path,
			  struct prx_dp_reload_job **out);
int prx_dp_reload_parse(struct prx_dp_reload_job *j);
int prx_dp_reload_prepare(struct prx_dp_reload_job *j);
int prx_dp_reload_build(struct prx_dp_reload_job *j);
int prx_dp_reload_commit(struct prx_dp_reload_job *j);
unsigned int prx_dp_reload_reap(struct prx_dp_reload_job *j);
/** Has the committed job instances for prx_dp_reload_reap()? */
bool prx_dp_reload_to_reap(const struct prx_dp_reload_job *j);
void prx_dp_reload_job_free(struct prx_dp_reload_job *j);
const char *prx_dp_reload_msg(const struct prx_dp_reload_job *j);
const struct prx_dp_reload *prx_dp_reload_result(const struct prx_dp_reload_job *j);
/** The file the job reads. */
const char *prx_dp_reload_path(const struct prx_dp_reload_job *j);

/** The configuration file reload reads (set by prxd at start). */
int prx_dp_set_conf_path(struct prx_dataplane *dp, const char *path);
/** The running configuration (changes after a reload). */
const struct prx_conf *prx_dp_conf(const struct prx_dataplane *dp);
/** Microseconds the last change took from publication to live on every reactor. */
uint64_t prx_dp_last_live_us(const struct prx_dataplane *dp);

/** Read every port's link state and log the changes since the last call (control thread). */
void prx_dp_check_links(struct prx_dataplane *dp);

/** Does rx + originated == tx + dropped + punted + in_flight hold? */
bool prx_dp_balanced(const struct prx_dp_totals *t);

#endif /* PRX_DATAPLANE_H */
