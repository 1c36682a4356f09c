/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry behind prx_dataplane.h, shared by dataplane.c (life cycle, commits),
 * dp_live.c (live operations), dp_reload.c (configuration reload) and dp_stats.c.
 *
 * The running state is one struct dp_state: which port sits in which slot, each port's
 * chain, the owner of every rx queue and the handler instances.  A change never edits
 * it.  It copies the state, edits the copy, opens what the copy needs (ports, handlers)
 * and builds every reactor's snapshot from it (dp_prepare); only when all of that
 * succeeded are the snapshots published and the copy made the running state
 * (dp_apply), which cannot fail.  A change that fails on the way closes what it opened
 * and leaves the running state and the reactors exactly as they were.
 */
#ifndef PRX_DP_INTERNAL_H
#define PRX_DP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "prx_dataplane.h"
#include "prx_plan.h"

/** A port in a slot. */
struct dp_port {
	struct prx_port *port;
	struct prx_conf_port cp;      /**< its settings (strings owned; chain unused) */
	struct rte_mempool *own_pool; /**< pool of a port added at run time, or NULL */
	int8_t link_up;		      /**< last link state seen: -1 unknown */
	uint32_t speed_mbps;	      /**< last link speed seen */
};

/** A handler instance. */
struct dp_handler {
	struct prx_handler *h;
	struct prx_conf_handler ch;    /**< its settings (xconnect.to unused: to_name) */
	char to_name[PRX_NAME_MAX];    /**< xconnect: output port */
	struct prx_handler_stats base; /**< counts of the earlier instances of this name */
};

/** The registry's state.  Large (owners), so heap-allocated and copied per change. */
struct dp_state {
	struct dp_port *port[PRX_MAX_PORTS]; /**< by slot; NULL = free */
	uint16_t n_chain[PRX_MAX_PORTS];
	struct dp_handler *chain[PRX_MAX_PORTS][PRX_CHAIN_MAX];
	int16_t owner[PRX_MAX_PORTS][PRX_MAX_RXQ]; /**< reactor of each rx queue, -1 none */
	unsigned int n_handlers;
	struct dp_handler *handler[PRX_MAX_HANDLERS]; /**< configuration order */
};

/** A pool made for a port added at run time: kept for the next one once the port goes
 *  (its mbufs may still sit in other ports' tx rings, so it is never freed before exit). */
struct dp_pool {
	struct rte_mempool *mp;
	int socket;
	uint32_t n;
	bool in_use;
};

#define DP_MAX_POOLS 64

struct prx_dataplane {
	const struct prx_conf *conf; /**< the running configuration */
	struct prx_conf *conf_owned; /**< conf when a reload put it there (freed with dp) */
	char *conf_path;	     /**< the file reload reads */
	enum prx_mode mode;	     /* PRX_MODE_DPDK or PRX_MODE_FALLBACK */
	struct dp_state *st;	     /**< the running state */
	unsigned int n_reactors;
	struct prx_reactor *reactors[PRX_MAX_REACTORS];
	struct prx_snapshot *snap[PRX_MAX_REACTORS]; /**< published to each reactor */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	struct dp_pool spare[DP_MAX_POOLS];
	unsigned int n_spare;
	struct rte_rcu_qsbr *qsbr;
	struct prx_offload *off; /**< worker pool (`workers`), or NULL */
	bool workers_launched;
	struct prx_topo_core cores[PRX_MAX_REACTORS];
	struct prx_topo_port tports[PRX_MAX_PORTS];
	struct prx_port *probed[PRX_MAX_PORTS]; /**< probed by create, opened by setup */
	struct prx_plan_input plan_in;
	struct prx_plan *plan; /**< start-up placement */
	bool launched;
	uint64_t gen;	  /**< generation of the last snapshots built */
	uint64_t changes; /**< live changes applied */
	uint64_t reloads, reload_failures;
	uint64_t last_live_ns; /**< publish-to-live time of the last change */
};

/** One prepared change: the new state and the snapshot of each reactor it changes. */
struct dp_commit {
	struct dp_state *st;
	struct prx_snapshot *snap[PRX_MAX_REACTORS]; /**< NULL: reactor unchanged */
	unsigned int n_changed;
};

/** snprintf into msg (NULL is fine). */
void dp_say(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** The shared mbuf pool of a NUMA socket (made on first use), or NULL. */
struct rte_mempool *dp_get_pool(struct prx_dataplane *dp, int socket);
/** Probe a port's device with the driver of the mode. */
int dp_probe_port(struct prx_dataplane *dp, const struct prx_conf_port *cp, struct prx_port **out);

/** A copy of a state (NULL on ENOMEM). */
struct dp_state *dp_state_dup(const struct dp_state *st);
/** Slot of port `name` in st, or -1. */
int dp_port_slot(const struct dp_state *st, const char *name);
/** Index of handler `name` in st, or -1. */
int dp_handler_index(const struct dp_state *st, const char *name);
/** Rx queues each reactor owns in st. */
void dp_loads(const struct prx_dataplane *dp, const struct dp_state *st, unsigned int *load);

/**
 * Build the snapshots of `st` (taking ownership of st) into *c.  Fails (-ENOTSUP, with a
 * message) when a reactor's engine cannot wait on a queue it would own, or -ENOMEM;
 * then st is freed and nothing changed.
 */
int dp_prepare(struct prx_dataplane *dp, struct dp_state *st, struct dp_commit *c, char *msg,
	       size_t len);
/** Drop a prepared change that will not be applied (frees st and snapshots). */
void dp_commit_discard(struct dp_commit *c);
/**
 * Publish, wait until every changed reactor runs on its new snapshot (RCU grace period),
 * free the old snapshots and make c->st the running state; returns the old state (the
 * caller reclaims what only it referenced, then frees it).  Cannot fail.
 */
struct dp_state *dp_apply(struct prx_dataplane *dp, struct dp_commit *c);

/** Open, configure and start a port for slot `slot` (runtime: its own pool).  `probed`:
 *  the port already probed (taken over, closed on failure), or NULL to probe it here. */
int dp_port_open(struct prx_dataplane *dp, const struct prx_conf_port *cp, uint16_t slot,
		 bool runtime, struct prx_port *probed, struct dp_port **out, char *msg,
		 size_t len);
/** Stop and close a port no reactor references any more. */
void dp_port_close(struct prx_dataplane *dp, struct dp_port *e);

/** Create a handler from conf settings; `to_name` resolved to a slot in st (a router:
 *  its port names, and the ports with addresses give its connected routes). */
int dp_handler_create(const struct prx_dataplane *dp, const struct prx_conf_handler *ch,
		      const char *to_name, const struct dp_state *st, struct dp_handler **out,
		      char *msg, size_t len);
/** The same, any thread, for a caller that publishes later: `detached`, a router is not
 *  yet registered with the slow path (dp_handler_attach(), control thread, before it
 *  goes live).  Reads st's ports only, which it must keep alive meanwhile. */
int dp_handler_build(const struct prx_dataplane *dp, const struct prx_conf_handler *ch,
		     const char *to_name, const struct dp_state *st, bool detached,
		     struct dp_handler **out, char *msg, size_t len);
int dp_handler_attach(struct dp_handler *e, char *msg, size_t len);
/** Undo dp_handler_attach() (control thread): dp_handler_destroy() may then run on any
 *  thread. */
void dp_handler_detach(struct dp_handler *e);
/** Is a handler of these settings slow to make (rule contexts, route tables)? */
bool dp_handler_heavy(const struct prx_conf_handler *ch);
void dp_handler_destroy(struct dp_handler *e);
/** Do two handler settings describe the same handler? */
bool dp_handler_same(const struct dp_handler *e, const struct prx_conf_handler *ch,
		     const char *to_name);

/** Choose a reactor for the next rx queue of port `slot` (planner rules, engines). */
int dp_pick_reactor(const struct prx_dataplane *dp, const struct dp_state *st, uint16_t slot,
		    const unsigned int *load);

#endif /* PRX_DP_INTERNAL_H */
